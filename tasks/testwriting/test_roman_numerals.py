import pytest

from roman_numerals import add, from_roman, is_roman, sort_numerals, to_roman, year_span

KNOWN = [(1, "I"), (3, "III"), (4, "IV"), (5, "V"), (9, "IX"), (14, "XIV"), (40, "XL"), (44, "XLIV"),
         (90, "XC"), (99, "XCIX"), (400, "CD"), (500, "D"), (900, "CM"), (1994, "MCMXCIV"),
         (2024, "MMXXIV"), (3999, "MMMCMXCIX"), (49, "XLIX"), (1666, "MDCLXVI")]


@pytest.mark.parametrize("number,numeral", KNOWN)
def test_to_roman(number, numeral):
    assert to_roman(number) == numeral


@pytest.mark.parametrize("number,numeral", KNOWN)
def test_from_roman(number, numeral):
    assert from_roman(numeral) == number
    assert from_roman(numeral.lower()) == number


def test_round_trip_everything():
    for n in range(1, 4000):
        assert from_roman(to_roman(n)) == n


def test_to_roman_range_and_type():
    for bad in (0, -1, 4000):
        with pytest.raises(ValueError):
            to_roman(bad)
    for bad in (1.0, "5", True):
        with pytest.raises(TypeError):
            to_roman(bad)


@pytest.mark.parametrize("bad", ["", "IIII", "VX", "IC", "XM", "MMMM", "VV", "IIV", "ABC", "I I", "IL"])
def test_from_roman_rejects(bad):
    with pytest.raises(ValueError):
        from_roman(bad)


def test_from_roman_rejects_non_strings():
    for bad in (None, 5, ["X"]):
        with pytest.raises(ValueError, match="empty numeral"):
            from_roman(bad)
    with pytest.raises(ValueError, match="empty numeral"):
        from_roman("")


def test_error_messages():
    with pytest.raises(ValueError, match="invalid symbol 'B'"):
        from_roman("XB")
    with pytest.raises(ValueError, match="non-canonical"):
        from_roman("IIII")
    with pytest.raises(ValueError, match="4000 is outside"):
        to_roman(4000)


def test_is_roman():
    assert is_roman("XIV") is True
    assert is_roman("xiv") is True
    assert is_roman("XIIII") is False
    assert is_roman("") is False


def test_add_and_sort():
    assert add("XIV", "VI") == "XX"
    assert add("MMMCMXCVIII", "I") == "MMMCMXCIX"
    with pytest.raises(ValueError):
        add("MMMCMXCIX", "I")
    assert sort_numerals(["X", "IX", "XI", "I"]) == ["I", "IX", "X", "XI"]


def test_year_span():
    assert year_span(1990, 2020) == "MCMXC-MMXX"
    assert year_span(2024, 2024) == "MMXXIV"
    with pytest.raises(ValueError):
        year_span(2020, 1990)
