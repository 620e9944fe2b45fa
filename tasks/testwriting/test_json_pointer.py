import copy

import pytest

from json_pointer import PointerError, escape, format_pointer, parse, remove, resolve, set_value, unescape

# The example document of RFC 6901, section 5.
DOC = {"foo": ["bar", "baz"], "": 0, "a/b": 1, "c%d": 2, "e^f": 3, "g|h": 4, "i\\j": 5,
       "k\"l": 6, " ": 7, "m~n": 8}


@pytest.mark.parametrize(
    "pointer,value",
    [("", DOC), ("/foo", ["bar", "baz"]), ("/foo/0", "bar"), ("/", 0), ("/a~1b", 1), ("/c%d", 2),
     ("/e^f", 3), ("/g|h", 4), ("/i\\j", 5), ("/k\"l", 6), ("/ ", 7), ("/m~0n", 8), ("/foo/1", "baz")],
)
def test_rfc_examples(pointer, value):
    assert resolve(DOC, pointer) == value


def test_escape_round_trip():
    assert escape("a/b~c") == "a~1b~0c"
    assert unescape("a~1b~0c") == "a/b~c"
    assert unescape("~01") == "~1"
    assert format_pointer(["a/b", "m~n", 0]) == "/a~1b/m~0n/0"
    assert parse(format_pointer(["x", "", "~/"])) == ["x", "", "~/"]
    assert format_pointer([]) == ""


def test_parse_errors():
    with pytest.raises(PointerError):
        parse("foo")
    for bad in ("/a~", "/a~2", "/~x"):
        with pytest.raises(PointerError, match="invalid escape"):
            parse(bad)
    assert parse("/") == [""]


def test_resolve_errors_and_default():
    doc = {"a": [1, {"b": None}], "s": "text"}
    assert resolve(doc, "/a/1/b") is None
    for bad in ("/x", "/a/2", "/a/01", "/a/-", "/a/-1", "/s/0", "/a/0/x"):
        with pytest.raises(PointerError):
            resolve(doc, bad)
        assert resolve(doc, bad, default="d") == "d"
    assert resolve(doc, "/a/0", default="d") == 1


def test_array_index_message():
    with pytest.raises(PointerError, match="index 5 out of range"):
        resolve([1, 2], "/5")
    with pytest.raises(PointerError, match="invalid array index '01'"):
        resolve([1, 2], "/01")


def test_set_value_in_objects_and_arrays():
    doc = {"a": {"b": 1}, "list": [1, 2]}
    assert set_value(doc, "/a/b", 5) is doc
    assert doc["a"]["b"] == 5
    set_value(doc, "/a/c", 6)
    set_value(doc, "/list/0", 0)
    set_value(doc, "/list/-", 9)
    set_value(doc, "/list/4", 10)
    assert doc == {"a": {"b": 5, "c": 6}, "list": [0, 1, 2, 9, 10]}
    assert set_value(doc, "", [1]) == [1]


def test_set_value_errors():
    doc = {"list": [1], "n": 3}
    with pytest.raises(PointerError):
        set_value(doc, "/list/3", 0)
    with pytest.raises(PointerError, match="cannot set inside int"):
        set_value(doc, "/n/x", 0)
    with pytest.raises(PointerError):
        set_value(doc, "/missing/x", 0)


def test_remove():
    doc = copy.deepcopy(DOC)
    assert remove(doc, "/foo/0") == "bar"
    assert doc["foo"] == ["baz"]
    assert remove(doc, "/m~0n") == 8
    assert "m~n" not in doc
    with pytest.raises(PointerError, match="no member"):
        remove(doc, "/m~0n")
    with pytest.raises(PointerError):
        remove(doc, "/foo/1")
    with pytest.raises(PointerError, match="root"):
        remove(doc, "")
    with pytest.raises(PointerError, match="cannot remove from int"):
        remove({"n": 1}, "/n/0")
    with pytest.raises(PointerError):
        remove({"l": [1]}, "/l/-")
