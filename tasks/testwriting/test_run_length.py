import pytest

from run_length import compression_ratio, decode, decode_pairs, encode, encode_pairs


def test_encode_pairs():
    assert encode_pairs("aaabcc") == [("a", 3), ("b", 1), ("c", 2)]
    assert encode_pairs([1, 1, 2, 1]) == [(1, 2), (2, 1), (1, 1)]
    assert encode_pairs([]) == []


def test_decode_pairs():
    assert decode_pairs([("a", 3), ("b", 1)]) == ["a", "a", "a", "b"]
    assert decode_pairs([]) == []
    with pytest.raises(ValueError):
        decode_pairs([("a", 0)])
    with pytest.raises(ValueError):
        decode_pairs([("a", -2)])


def test_encode():
    assert encode("aaabbc") == "3a2bc"
    assert encode("abc") == "abc"
    assert encode("") == ""
    assert encode("a" * 12) == "12a"
    assert encode("aab", min_run=3) == "aab"
    assert encode("aaab", min_run=3) == "3ab"
    with pytest.raises(ValueError):
        encode("x", min_run=1)


def test_encode_escapes_digits_and_backslashes():
    assert encode("a1") == "a\\1"
    assert encode("111") == "3\\1"
    assert encode("\\\\x") == "2\\\\x"
    assert encode("\\") == "\\\\"


def test_decode():
    assert decode("3a2bc") == "aaabbc"
    assert decode("abc") == "abc"
    assert decode("12a") == "a" * 12
    assert decode("10\\5") == "5" * 10
    assert decode("a\\1") == "a1"
    assert decode("") == ""
    assert decode("1a") == "a"


@pytest.mark.parametrize("bad,message", [("3", "without a character"), ("a12", "without"), ("0a", "zero count"),
                                         ("ab\\", "dangling"), ("2\\", "dangling")])
def test_decode_errors(bad, message):
    with pytest.raises(ValueError, match=message):
        decode(bad)


@pytest.mark.parametrize("text", ["", "a", "aaaa", "a1b22c333", "\\\\\\n", "x" * 25 + "yz" + "9" * 11, "  tab\t\t"])
def test_round_trip(text):
    assert decode(encode(text)) == text
    assert decode(encode(text, min_run=4)) == text


def test_compression_ratio():
    assert compression_ratio("") == 1.0
    assert compression_ratio("aaaa") == 0.5
    assert compression_ratio("abcd") == 1.0
    assert compression_ratio("1") == 2.0
