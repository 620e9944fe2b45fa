import base64

import pytest

from base_codec import b32decode, b32encode, convert, from_base, to_base


@pytest.mark.parametrize(
    "number,base,text",
    [(0, 2, "0"), (5, 2, "101"), (255, 16, "FF"), (-255, 16, "-FF"), (35, 36, "Z"), (36, 36, "10"),
     (61, 62, "z"), (62, 62, "10"), (8, 8, "10"), (1, 2, "1"), (100, 10, "100")],
)
def test_to_base(number, base, text):
    assert to_base(number, base) == text


def test_base_range():
    for bad in (1, 63, 0):
        with pytest.raises(ValueError):
            to_base(5, bad)
        with pytest.raises(ValueError):
            from_base("1", bad)
    assert to_base(3, 2) == "11" and to_base(3, 62) == "3"
    assert from_base("11", 2) == 3 and from_base("z", 62) == 61


@pytest.mark.parametrize(
    "text,base,number",
    [("101", 2, 5), ("ff", 16, 255), ("FF", 16, 255), ("-ff", 16, -255), ("+7", 8, 7), ("z", 36, 35),
     ("Z", 62, 35), ("z", 62, 61), ("0", 2, 0), ("0012", 10, 12)],
)
def test_from_base(text, base, number):
    assert from_base(text, base) == number


@pytest.mark.parametrize("text,base", [("", 10), ("-", 10), ("+", 10), ("2", 2), ("G", 16), ("1.5", 10), ("a", 10), ("-+1", 10)])
def test_from_base_rejects(text, base):
    with pytest.raises(ValueError):
        from_base(text, base)


def test_invalid_digit_message():
    with pytest.raises(ValueError, match="invalid digit '2' for base 2"):
        from_base("12", 2)


def test_round_trip_and_convert():
    for base in (2, 7, 16, 36, 62):
        for n in (-1000, -1, 0, 1, 12345, 2**40 + 3):
            assert from_base(to_base(n, base), base) == n
    assert convert("ff", 16, 2) == "11111111"
    assert convert("-10", 10, 16) == "-A"


@pytest.mark.parametrize("data", [b"", b"f", b"fo", b"foo", b"foob", b"fooba", b"foobar", bytes(range(256))])
def test_b32_matches_the_standard_library(data):
    expected = base64.b32encode(data).decode()
    assert b32encode(data) == expected
    assert b32encode(data, padding=False) == expected.rstrip("=")
    assert b32decode(expected) == data
    assert b32decode(expected.rstrip("=").lower()) == data


def test_b32decode_rejects():
    with pytest.raises(ValueError, match="invalid base32"):
        b32decode("MZX1")
    with pytest.raises(ValueError, match="trailing bits"):
        b32decode("MZ")
