import pytest

from csv_lite import CsvError, format_rows, parse_records, parse_rows, quote_field


def test_simple_rows():
    assert parse_rows("a,b,c\n1,2,3\n") == [["a", "b", "c"], ["1", "2", "3"]]
    assert parse_rows("a,b") == [["a", "b"]]
    assert parse_rows("") == []


def test_empty_fields_and_lines():
    assert parse_rows("a,,c\n") == [["a", "", "c"]]
    assert parse_rows(",\n") == [["", ""]]
    assert parse_rows("a\n\nb\n") == [["a"], [""], ["b"]]
    assert parse_rows('""') == [[""]]


def test_quoted_fields():
    assert parse_rows('"a,b",c\n') == [["a,b", "c"]]
    assert parse_rows('"say ""hi""",x') == [['say "hi"', "x"]]
    assert parse_rows('"line1\nline2",z\n') == [["line1\nline2", "z"]]
    assert parse_rows('"",x') == [["", "x"]]


def test_crlf_and_cr_line_endings():
    assert parse_rows("a,b\r\nc,d\r\n") == [["a", "b"], ["c", "d"]]
    assert parse_rows("a\rb") == [["a"], ["b"]]


def test_custom_delimiter():
    assert parse_rows("a;b,c\n", delimiter=";") == [["a", "b,c"]]
    assert parse_rows("a\tb", delimiter="\t") == [["a", "b"]]
    assert parse_rows("aXb", delimiter="X") == [["a", "b"]]
    for bad in ("", ";;", '"', "\n", "\r"):
        with pytest.raises(ValueError):
            parse_rows("a", delimiter=bad)


@pytest.mark.parametrize("text,where", [('a"b', "offset 1"), ('"ab"c', "offset 4"), ('"abc', "unterminated")])
def test_malformed_quotes(text, where):
    with pytest.raises(CsvError, match=where):
        parse_rows(text)


def test_records():
    text = "name,age\nann,31\nbob,\n"
    assert parse_records(text) == [{"name": "ann", "age": "31"}, {"name": "bob", "age": ""}]
    assert parse_records("") == []
    assert parse_records("x,y\n") == []
    assert parse_records("x;y\n1;2", delimiter=";") == [{"x": "1", "y": "2"}]


def test_record_errors():
    with pytest.raises(CsvError, match="row 3 has 1 fields, expected 2"):
        parse_records("a,b\n1,2\n3\n")
    with pytest.raises(CsvError, match="duplicate"):
        parse_records("a,a\n1,2\n")


def test_quote_field():
    assert quote_field("plain") == "plain"
    assert quote_field(12) == "12"
    assert quote_field("a,b") == '"a,b"'
    assert quote_field('say "x"') == '"say ""x"""'
    assert quote_field("two\nlines") == '"two\nlines"'
    assert quote_field("cr\r") == '"cr\r"'
    assert quote_field(" padded") == '" padded"'
    assert quote_field("a;b") == "a;b"
    assert quote_field("a;b", delimiter=";") == '"a;b"'


def test_round_trip():
    rows = [["id", "text"], ["1", 'he said "hi", then left'], ["2", "multi\nline"], ["3", ""]]
    text = format_rows(rows)
    assert text.count("\n") == 5
    assert parse_rows(text) == rows
    assert parse_rows(format_rows(rows, ";"), ";") == rows
