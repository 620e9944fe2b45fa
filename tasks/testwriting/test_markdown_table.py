import pytest

from markdown_table import parse, render


def test_basic_render_pads_and_aligns():
    text = render(["name", "qty"], [["apple", 3], ["kiwi", 12]])
    assert text == (
        "| name  | qty |\n"
        "| ----- | --: |\n"
        "| apple |   3 |\n"
        "| kiwi  |  12 |\n"
    )


def test_minimum_width_is_three():
    assert render(["a"], [["b"]]) == "| a   |\n| --- |\n| b   |\n"


def test_explicit_alignment():
    text = render(["c", "l"], [["x", "yy"]], align={"c": "center", "l": "left"})
    assert text.splitlines()[1] == "| :-: | --- |"
    assert text.splitlines()[2] == "|  x  | yy  |"
    with pytest.raises(ValueError, match="unknown columns"):
        render(["a"], [], align={"b": "left"})
    with pytest.raises(ValueError, match="bad alignment"):
        render(["a"], [], align={"a": "middle"})


def test_center_rule_on_wider_column():
    text = render(["title"], [["x"]], align={"title": "center"})
    assert text.splitlines()[1] == "| :---: |"
    assert text.splitlines()[2] == "|   x   |"


def test_cell_formatting():
    text = render(["v"], [[1.5], [None], [True], [False], ["a|b"], ["two\nlines"]], pad=False)
    assert text.splitlines()[2:] == ["| 1.50 |", "|  |", "| yes |", "| no |", "| a\\|b |", "| two lines |"]
    assert render(["v"], [[2.0]], decimals=0, pad=False).splitlines()[2] == "| 2 |"


def test_numeric_detection():
    # None does not stop a column from being numeric; bools and strings do.
    assert render(["n"], [[1], [None]]).splitlines()[1] == "| --: |"
    assert render(["n"], [[1], ["x"]]).splitlines()[1] == "| --- |"
    assert render(["n"], [[True], [1]]).splitlines()[1] == "| --- |"
    assert render(["n"], [[None]]).splitlines()[1] == "| --- |"
    assert render(["n"], []).splitlines()[1] == "| --- |"


def test_no_padding():
    assert render(["name", "n"], [["apple", 3]], pad=False) == "| name | n |\n| --- | --: |\n| apple | 3 |\n"


def test_validation():
    with pytest.raises(ValueError):
        render([], [])
    with pytest.raises(ValueError, match="has 1 cells, expected 2"):
        render(["a", "b"], [["x"]])


def test_parse_round_trip():
    headers = ["item", "note"]
    rows = [["a|b", "x"], ["c", ""]]
    assert parse(render(headers, rows)) == (headers, rows)
    assert parse("|a|b|\n|-|:-:|\n|1|2|") == (["a", "b"], [["1", "2"]])


@pytest.mark.parametrize(
    "text",
    ["| a |", "| a |\n| x |", "| a |\n| --- |\n| 1", "| a |\n| --- |\n1 |", "| a |\n| --- |\n| 1 | 2 |", "a | b\n--- | ---", "| a |\n| : |", "| a | b |\n| --- |"],
)
def test_parse_rejects(text):
    with pytest.raises(ValueError):
        parse(text)
