import math
import re

import pytest

from expr_tokenizer import TokenError, evaluate, tokenize


def test_tokenize_kinds_values_positions():
    assert tokenize("x1 + 2*(y_-3.5)") == [
        ("name", "x1", 0), ("op", "+", 3), ("num", 2, 5), ("op", "*", 6), ("op", "(", 7),
        ("name", "y_", 8), ("op", "-", 10), ("num", 3.5, 11), ("op", ")", 14),
    ]
    assert tokenize("") == []
    assert tokenize("  \t") == []


def test_number_forms():
    assert tokenize("42") == [("num", 42, 0)]
    assert isinstance(tokenize("42")[0][1], int)
    assert tokenize(".5") == [("num", 0.5, 0)]
    assert tokenize("3.") == [("num", 3.0, 0)]
    assert tokenize("1e3") == [("num", 1000.0, 0)]
    assert tokenize("2.5E-1") == [("num", 0.25, 0)]
    assert tokenize("1e+2") == [("num", 100.0, 0)]
    # An `e` not followed by digits is a name, not an exponent.
    assert tokenize("2e") == [("num", 2, 0), ("name", "e", 1)]
    assert tokenize("2e+") == [("num", 2, 0), ("name", "e", 1), ("op", "+", 2)]
    assert tokenize("_a") == [("name", "_a", 0)]
    assert tokenize("a,b") == [("name", "a", 0), ("op", ",", 1), ("name", "b", 2)]


def test_tokenize_rejects_unknown_characters():
    with pytest.raises(TokenError) as err:
        tokenize("1 + $")
    assert err.value.position == 4
    with pytest.raises(TokenError):
        tokenize(".")


@pytest.mark.parametrize(
    "text,value",
    [
        ("1 + 2 * 3", 7),
        ("(1 + 2) * 3", 9),
        ("10 - 4 - 3", 3),
        ("2 ^ 3 ^ 2", 512),
        ("-2 ^ 2", -4),
        ("--3", 3),
        ("7 % 4", 3),
        ("7 / 2", 3.5),
        ("2 * -3", -6),
        ("1 + 2 ^ 2 * 3", 13),
        ("8 / 2 / 2", 2),
        ("2 - 3 + 4", 3),
        ("2 * 3 % 4", 2),
        ("1 - 2 * 3", -5),
    ],
)
def test_evaluate(text, value):
    assert evaluate(text) == value


def test_variables_and_functions():
    assert evaluate("x * 2 + y", {"x": 3, "y": 1}) == 7
    assert evaluate("sqrt(16) + abs(-2)") == 6
    assert evaluate("max(1, 5, 3) - min(4, 2)") == 3
    assert evaluate("max(2 + 3, 1)") == 5
    assert evaluate("pi", {"pi": math.pi}) == pytest.approx(math.pi)


@pytest.mark.parametrize(
    "text,position,message",
    [
        ("1 +", 3, "expected a value"),
        ("(1 + 2", 6, "expected ')'"),
        ("1 2", 2, "unexpected token"),
        ("foo(1)", 0, "unknown function"),
        ("q + 1", 0, "unknown variable"),
        ("max(1, 2", 8, "expected ')'"),
        (")", 0, "expected a value"),
    ],
)
def test_evaluate_errors(text, position, message):
    with pytest.raises(TokenError, match=re.escape(message)) as err:
        evaluate(text)
    assert err.value.position == position
