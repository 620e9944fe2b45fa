"""Human-friendly durations: parse `1h30m`, `2d 4h`, `90s`, `1.5h` or `01:30:00` into seconds,
and format seconds back, compactly or in words."""

import re

UNITS = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}
_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([wdhms])")


def parse(text):
    """Seconds (an int when exact, else a float) of a duration. Units may repeat only in
    decreasing order (`1h30m`, not `30m1h`)."""
    text = text.strip().lower()
    if not text:
        raise ValueError("empty duration")
    negative = text.startswith("-")
    if negative:
        text = text[1:].lstrip()
    if ":" in text:
        seconds = _parse_clock(text)
    else:
        seconds = 0
        position = 0
        last_unit = None
        for m in _PART.finditer(text):
            if text[position:m.start()].strip():
                raise ValueError(f"unexpected text {text[position:m.start()]!r}")
            unit = m.group(2)
            if last_unit is not None and UNITS[unit] >= UNITS[last_unit]:
                raise ValueError(f"unit {unit!r} out of order")
            last_unit = unit
            number = float(m.group(1)) if "." in m.group(1) else int(m.group(1))
            seconds += number * UNITS[unit]
            position = m.end()
        if last_unit is None or text[position:].strip():
            raise ValueError(f"not a duration: {text!r}")
    if isinstance(seconds, float) and seconds.is_integer():
        seconds = int(seconds)
    return -seconds if negative else seconds


def _parse_clock(text):
    parts = text.split(":")
    if len(parts) not in (2, 3) or not all(p.isdigit() for p in parts):
        raise ValueError(f"not a clock duration: {text!r}")
    numbers = [int(p) for p in parts]
    if any(n >= 60 for n in numbers[1:]):
        raise ValueError(f"minutes and seconds must be below 60: {text!r}")
    if len(numbers) == 2:
        return numbers[0] * 60 + numbers[1]
    return numbers[0] * 3600 + numbers[1] * 60 + numbers[2]


def format_compact(seconds):
    """`5400` -> `1h30m`; zero is `0s`; fractions of a second are rounded."""
    seconds = round(seconds)
    if seconds == 0:
        return "0s"
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    out = []
    for unit, size in UNITS.items():
        count, seconds = divmod(seconds, size)
        if count:
            out.append(f"{count}{unit}")
    return sign + "".join(out)


NAMES = {"w": "week", "d": "day", "h": "hour", "m": "minute", "s": "second"}


def format_words(seconds, max_units=2):
    """`5400` -> `1 hour and 30 minutes`: the largest `max_units` units, the rest dropped."""
    if max_units < 1:
        raise ValueError("max_units must be at least 1")
    seconds = abs(round(seconds))
    parts = []
    for unit, size in UNITS.items():
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count} {NAMES[unit]}" + ("s" if count != 1 else ""))
    parts = parts[:max_units] or ["0 seconds"]
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + " and " + parts[-1]
