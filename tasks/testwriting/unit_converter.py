"""Unit conversion with dimension checking: units are defined by a factor to a base unit and
a dimension (length, mass, time, temperature, ...); compound units like `km/h` or `m/s^2` are
parsed; temperatures convert with offsets."""

import re

# unit -> (factor to the base unit, dimension as {base dimension: power})
UNITS = {
    "m": (1.0, {"L": 1}), "km": (1000.0, {"L": 1}), "cm": (0.01, {"L": 1}), "mm": (0.001, {"L": 1}),
    "mi": (1609.344, {"L": 1}), "ft": (0.3048, {"L": 1}), "in": (0.0254, {"L": 1}),
    "kg": (1.0, {"M": 1}), "g": (0.001, {"M": 1}), "lb": (0.45359237, {"M": 1}),
    "s": (1.0, {"T": 1}), "min": (60.0, {"T": 1}), "h": (3600.0, {"T": 1}),
    "l": (0.001, {"L": 3}), "N": (1.0, {"M": 1, "L": 1, "T": -2}),
}
# Temperature scales: (factor, offset) so that kelvin = value * factor + offset.
TEMPERATURES = {"K": (1.0, 0.0), "C": (1.0, 273.15), "F": (5 / 9, 273.15 - 32 * 5 / 9)}


class UnitError(ValueError):
    pass


def parse_unit(text):
    """(factor, dimension) of a unit expression: units joined by `*` or `/`, each with an
    optional integer power `^n`."""
    text = text.replace(" ", "")
    if not text:
        raise UnitError("empty unit")
    factor = 1.0
    dimension = {}
    for sign, name, power in re.findall(r"([*/]?)([A-Za-z]+)(?:\^(-?\d+))?", text):
        if name not in UNITS:
            raise UnitError(f"unknown unit {name!r}")
        exponent = int(power) if power else 1
        if sign == "/":
            exponent = -exponent
        unit_factor, unit_dim = UNITS[name]
        factor *= unit_factor ** exponent
        for base, p in unit_dim.items():
            dimension[base] = dimension.get(base, 0) + p * exponent
    rebuilt = "".join(f"{s}{n}" + (f"^{p}" if p else "") for s, n, p in re.findall(r"([*/]?)([A-Za-z]+)(?:\^(-?\d+))?", text))
    if rebuilt != text:
        raise UnitError(f"cannot parse unit {text!r}")
    return factor, {b: p for b, p in dimension.items() if p != 0}


def convert(value, source, target):
    if source in TEMPERATURES or target in TEMPERATURES:
        if source not in TEMPERATURES or target not in TEMPERATURES:
            raise UnitError("cannot convert between a temperature and another unit")
        f1, o1 = TEMPERATURES[source]
        f2, o2 = TEMPERATURES[target]
        kelvin = value * f1 + o1
        if kelvin < 0:
            raise UnitError("below absolute zero")
        return (kelvin - o2) / f2
    f1, d1 = parse_unit(source)
    f2, d2 = parse_unit(target)
    if d1 != d2:
        raise UnitError(f"{source} and {target} measure different things")
    return value * f1 / f2


def format_quantity(value, unit, digits=3):
    """`12.5 km`, with trailing zeros trimmed."""
    text = f"{value:.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text == "-0":
        text = "0"
    return f"{text} {unit}"
