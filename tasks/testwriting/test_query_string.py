import urllib.parse

import pytest

from query_string import build, merge, parse, parse_pairs, quote, unquote


@pytest.mark.parametrize("text", ["plain", "a b", "a+b", "100%", "x/y?z=1&w", "héllo wörld", "~-._", "", "日本"])
def test_quote_matches_the_standard_library(text):
    assert quote(text) == urllib.parse.quote_plus(text, safe="")
    assert quote(text, plus_for_space=False) == urllib.parse.quote(text, safe="")
    assert unquote(quote(text)) == text
    assert unquote(quote(text, False), False) == text


def test_quote_hex_is_upper_case():
    assert quote("\n") == "%0A"
    assert quote("\x7f") == "%7F"
    assert quote("/") == "%2F"
    assert quote("\x00") == "%00"


def test_unquote():
    assert unquote("a+b%20c") == "a b c"
    assert unquote("a+b", plus_for_space=False) == "a+b"
    assert unquote("%e6%97%a5") == "日"
    assert unquote("%41%2f") == "A/"
    for bad in ("%", "%4", "%zz", "a%g1"):
        with pytest.raises(ValueError, match="bad percent-escape"):
            unquote(bad)
    with pytest.raises(ValueError, match="at 1"):
        unquote("a%4")


def test_parse_pairs():
    assert parse_pairs("?a=1&b=2&a=3") == [("a", "1"), ("b", "2"), ("a", "3")]
    assert parse_pairs("a=&b&c=1") == [("c", "1")]
    assert parse_pairs("a=&b&c=1", keep_blank=True) == [("a", ""), ("b", ""), ("c", "1")]
    assert parse_pairs("&&x=%20y+z&") == [("x", " y z")]
    assert parse_pairs("eq=a=b") == [("eq", "a=b")]
    assert parse_pairs("") == []
    assert parse_pairs("?") == []


def test_parse_multidict():
    assert parse("a=1&b=2&a=3") == {"a": ["1", "3"], "b": ["2"]}
    assert list(parse("z=1&a=2&z=3")) == ["z", "a"]
    assert parse("k", keep_blank=True) == {"k": [""]}
    assert parse("k") == {}


def test_build():
    assert build({"a": 1, "b": "x y"}) == "a=1&b=x+y"
    assert build({"tag": ["a", "b"], "skip": None, "t": ("c",)}) == "tag=a&tag=b&t=c"
    assert build({"on": True, "off": False}) == "on=true&off=false"
    assert build([("b", 1), ("a", 2), ("b", 3)]) == "b=1&a=2&b=3"
    assert build({"b": 1, "a": 2}, sort=True) == "a=2&b=1"
    assert build({"b": 1, "a": 2}) == "b=1&a=2"
    assert build({"k&=": "v&="}) == "k%26%3D=v%26%3D"
    assert build({}) == ""
    assert build({"n": 0}) == "n=0"


def test_round_trip():
    params = {"q": ["rust & python", "100%"], "page": ["2"], "ü": ["ß"]}
    assert parse(build(params)) == params


def test_merge():
    assert merge("a=1&b=2&c=3", b="20") == "a=1&c=3&b=20"
    assert merge("a=1&b=2", a=None) == "b=2"
    assert merge("a=1", z=5) == "a=1&z=5"
    assert merge("a=&b=1", b=None) == "a="
