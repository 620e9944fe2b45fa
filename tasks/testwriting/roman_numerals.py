"""Roman numerals: conversion both ways in the standard subtractive form (1..3999), strict
validation of input numerals, and arithmetic helpers."""

VALUES = [
    (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"),
    (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
    (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
]
SYMBOLS = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
MAX = 3999


def to_roman(number):
    if not isinstance(number, int) or isinstance(number, bool):
        raise TypeError("expected an int")
    if not 0 < number <= MAX:
        raise ValueError(f"{number} is outside 1..{MAX}")
    out = []
    for value, numeral in VALUES:
        count, number = divmod(number, value)
        out.append(numeral * count)
    return "".join(out)


def from_roman(text):
    """Parse a numeral; only the canonical form `to_roman` produces is accepted, so `IIII`,
    `VX` or `IC` are errors. Lower case is accepted."""
    if not isinstance(text, str) or not text:
        raise ValueError("empty numeral")
    upper = text.upper()
    total = 0
    i = 0
    while i < len(upper):
        ch = upper[i]
        if ch not in SYMBOLS:
            raise ValueError(f"invalid symbol {ch!r} in {text!r}")
        value = SYMBOLS[ch]
        if i + 1 < len(upper) and upper[i + 1] in SYMBOLS and SYMBOLS[upper[i + 1]] > value:
            total += SYMBOLS[upper[i + 1]] - value
            i += 2
        else:
            total += value
            i += 1
    if total > MAX or to_roman(total) != upper:
        raise ValueError(f"non-canonical numeral {text!r}")
    return total


def is_roman(text):
    try:
        from_roman(text)
    except ValueError:
        return False
    return True


def add(a, b):
    """Add two numerals, giving a numeral."""
    return to_roman(from_roman(a) + from_roman(b))


def sort_numerals(numerals):
    return sorted(numerals, key=from_roman)


def year_span(start, end):
    """`"MCMXC-MMXX"`-style text for a range of years; a single year if they are equal."""
    if end < start:
        raise ValueError("end before start")
    if start == end:
        return to_roman(start)
    return f"{to_roman(start)}-{to_roman(end)}"
