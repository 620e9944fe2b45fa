import pytest

from ini_parser import ParseError, parse

SAMPLE = """
# a comment
; another
[DEFAULT]
timeout = 30
debug = off

[server]
Host = example.org
port: 8080
path = /a=b
greeting = "hello world"
motd = first line
  second line
debug = yes

[client]
retries = 3
tags = a, b,, c
"""


def test_sections_and_values():
    c = parse(SAMPLE)
    assert set(c.sections) == {"server", "client"}
    assert c.get("server", "host") == "example.org"
    assert c.get("server", "HOST") == "example.org"
    assert c.get("server", "port") == "8080"
    assert c.get("server", "path") == "/a=b"


def test_quotes_are_stripped():
    c = parse(SAMPLE)
    assert c.get("server", "greeting") == "hello world"
    c = parse("[s]\na = 'x'\nb = \"\nc = 'y\"\nd = \"\"")
    assert c.get("s", "a") == "x"
    assert c.get("s", "b") == '"'
    assert c.get("s", "c") == "'y\""
    assert c.get("s", "d") == ""
    assert parse("[s]\ne = XyX\nf = |z|").get("s", "e") == "XyX"
    assert parse("[s]\nf = |z|").get("s", "f") == "|z|"


def test_continuation_lines():
    c = parse(SAMPLE)
    assert c.get("server", "motd") == "first line\nsecond line"


def test_defaults_are_inherited_and_overridden():
    c = parse(SAMPLE)
    assert c.get("client", "timeout") == "30"
    assert c.get("server", "debug") == "yes"
    assert c.get("client", "debug") == "off"
    assert c.get("client", "missing", "fb") == "fb"
    assert c.get("client", "missing") is None
    with pytest.raises(KeyError):
        c.get("nope", "x")


def test_custom_default_section_name():
    c = parse("[common]\na = 1\n[s]\n", default_section="common")
    assert c.get("s", "a") == "1"
    assert "common" not in c.sections


def test_typed_getters():
    c = parse(SAMPLE)
    assert c.get_int("server", "port") == 8080
    assert c.get_int("server", "nothing", 5) == 5
    assert c.get_bool("server", "debug") is True
    assert c.get_bool("client", "debug") is False
    assert c.get_bool("client", "nothing", "fb") == "fb"
    assert c.get_list("client", "tags") == ["a", "b", "c"]
    assert c.get_list("client", "nothing") == []
    assert c.get_list(
        "server", "path", sep="="
    ) == ["/a", "b"]
    with pytest.raises(ValueError):
        c.get_bool("server", "host")
    for text, expected in [("1", True), ("TRUE", True), ("On", True), ("0", False), ("No", False), ("false", False)]:
        assert parse(f"[s]\nv = {text}").get_bool("s", "v") is expected


@pytest.mark.parametrize(
    "text,line,message",
    [
        ("[s\na=1", 1, "unclosed"),
        ("[ ]", 1, "empty section"),
        ("a = 1", 1, "outside"),
        ("[s]\njust words", 2, "expected key"),
        ("[s]\n= 1", 2, "empty key"),
        ("[s]\n  cont", 2, "continuation"),
        ("[s]\n[s]", 2, "duplicate"),
        ("[s]\na=1\n[t]\n  cont", 4, "continuation"),
    ],
)
def test_errors_name_the_line(text, line, message):
    with pytest.raises(ParseError, match=message) as err:
        parse(text)
    assert err.value.line_no == line
    assert str(err.value).startswith(f"line {line}:")


def test_comments_and_blank_lines_are_ignored():
    c = parse("\n\n[s]\n# k = v\n; j = w\nk = real\n")
    assert c.sections["s"] == {"k": "real"}


def test_first_separator_wins():
    c = parse("[s]\na: b = c\nx = y: z")
    assert c.get("s", "a") == "b = c"
    assert c.get("s", "x") == "y: z"
