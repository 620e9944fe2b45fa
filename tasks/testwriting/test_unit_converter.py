import pytest

from unit_converter import UnitError, convert, format_quantity, parse_unit


def test_simple_conversions():
    assert convert(1, "km", "m") == 1000
    assert convert(250, "cm", "m") == 2.5
    assert convert(1, "mi", "km") == pytest.approx(1.609344)
    assert convert(12, "in", "ft") == pytest.approx(1)
    assert convert(2, "lb", "g") == pytest.approx(907.18474)
    assert convert(90, "min", "h") == 1.5
    assert convert(3, "l", "cm^3") == pytest.approx(3000)


def test_compound_units():
    assert convert(36, "km/h", "m/s") == pytest.approx(10)
    assert convert(1, "N", "kg*m/s^2") == pytest.approx(1)
    assert convert(1, "kg*m/s^2", "g*cm/s^2") == pytest.approx(100000)
    assert convert(1, "m^2", "cm^2") == pytest.approx(10000)
    assert convert(1, "km/h/s", "m/s^2") == pytest.approx(1 / 3.6)


def test_parse_unit():
    assert parse_unit("km") == (1000.0, {"L": 1})
    factor, dim = parse_unit("m/s")
    assert factor == 1.0 and dim == {"L": 1, "T": -1}
    assert parse_unit("m/m") == (1.0, {})
    assert parse_unit("m^-1") == (1.0, {"L": -1})
    assert parse_unit("s^2")[1] == {"T": 2}
    assert parse_unit(" m / s ")[1] == {"L": 1, "T": -1}
    assert parse_unit("N*s")[1] == {"M": 1, "L": 1, "T": -1}


@pytest.mark.parametrize("bad", ["", "parsec", "m//s", "m^x", "m+s", "2m", "m^"])
def test_parse_unit_rejects(bad):
    with pytest.raises(UnitError):
        parse_unit(bad)


def test_dimension_mismatch():
    with pytest.raises(UnitError, match="measure different things"):
        convert(1, "m", "s")
    with pytest.raises(UnitError):
        convert(1, "km/h", "m/s^2")


@pytest.mark.parametrize(
    "value,source,target,expected",
    [(0, "C", "K", 273.15), (100, "C", "F", 212), (32, "F", "C", 0), (-40, "F", "C", -40), (0, "K", "C", -273.15),
     (300, "K", "F", 80.33), (25, "C", "C", 25), (98.6, "F", "K", 310.15)],
)
def test_temperatures(value, source, target, expected):
    assert convert(value, source, target) == pytest.approx(expected, abs=0.01)


def test_temperature_errors():
    with pytest.raises(UnitError, match="absolute zero"):
        convert(-300, "C", "K")
    with pytest.raises(UnitError, match="absolute zero"):
        convert(-1, "K", "C")
    assert convert(0, "K", "K") == 0
    with pytest.raises(UnitError, match="temperature"):
        convert(1, "C", "m")
    with pytest.raises(UnitError, match="temperature"):
        convert(1, "m", "F")


@pytest.mark.parametrize(
    "value,unit,digits,text",
    [(12.5, "km", 3, "12.5 km"), (3.0, "m", 3, "3 m"), (1 / 3, "h", 2, "0.33 h"), (-0.0001, "s", 3, "0 s"),
     (2.675, "kg", 1, "2.7 kg"), (1000, "g", 0, "1000 g"), (-1.5, "C", 3, "-1.5 C")],
)
def test_format_quantity(value, unit, digits, text):
    assert format_quantity(value, unit, digits) == text


def test_format_default_digits():
    assert format_quantity(1.23456, "m") == "1.235 m"
