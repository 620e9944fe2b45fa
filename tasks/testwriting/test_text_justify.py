import pytest

from text_justify import center, columns, justify, justify_line, wrap

TEXT = "the quick brown fox jumps over the lazy dog"


def test_wrap():
    assert wrap(TEXT, 10) == ["the quick", "brown fox", "jumps over", "the lazy", "dog"]
    assert wrap(TEXT, 100) == [TEXT]
    assert wrap("", 5) == []
    assert wrap("   spaced    out  ", 20) == ["spaced out"]
    assert wrap("ab cd", 5) == ["ab cd"]
    assert wrap("ab cd", 4) == ["ab", "cd"]


def test_wrap_splits_long_words():
    assert wrap("abcdefghij", 4) == ["abcd", "efgh", "ij"]
    assert wrap("hi abcdefgh yo", 4) == ["hi", "abcd", "efgh", "yo"]
    assert wrap("abcd", 4) == ["abcd"]
    assert wrap("abcde f", 4) == ["abcd", "e f"]


def test_wrap_validation():
    with pytest.raises(ValueError):
        wrap("x", 0)
    assert wrap("xy", 1) == ["x", "y"]


def test_justify_line():
    assert justify_line("a b c", 9) == "a   b   c"
    assert justify_line("a b c", 8) == "a   b  c"
    assert justify_line("aa b c", 10) == "aa   b   c"
    assert justify_line("a b c d", 11) == "a   b  c  d"
    assert justify_line("word", 6) == "word  "
    assert justify_line("", 3) == "   "
    assert justify_line("a b", 3) == "a b"
    with pytest.raises(ValueError, match="does not fit"):
        justify_line("abc def", 6)


def test_justify():
    lines = justify(TEXT, 16)
    assert lines == ["the  quick brown", "fox  jumps  over", "the lazy dog"]
    assert all(len(l) == 16 for l in lines[:-1])
    assert justify("", 10) == []
    assert justify("one", 10) == ["one"]


def test_center():
    assert center("ab", 6) == "  ab  "
    assert center("ab", 5) == " ab  "
    assert center("abc", 5, "*") == "*abc*"
    assert center("abcdef", 4) == "abcdef"
    assert center("abcd", 4) == "abcd"
    with pytest.raises(ValueError):
        center("a", 5, "--")
    with pytest.raises(ValueError):
        center("a", 5, "")


def test_columns():
    items = ["a", "bb", "ccc", "d", "e"]
    assert columns(items, 13) == ["a    bb   ccc", "d    e"]
    assert columns(items, 12) == ["a    bb", "ccc  d", "e"]
    assert columns(items, 1) == ["a", "bb", "ccc", "d", "e"]
    assert columns([], 10) == []
    assert columns(["x", "y"], 10, gap=1) == ["x y"]
    assert columns(["ab", "cd", "ef"], 6, gap=0) == ["abcdef"]
