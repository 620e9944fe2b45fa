"""A tokenizer and evaluator for arithmetic expressions: numbers (ints, decimals, exponents),
identifiers, operators, parentheses and commas; the evaluator handles precedence, unary minus,
right-associative `^`, variables and a few functions."""

import math

OPERATORS = {"+", "-", "*", "/", "%", "^", "(", ")", ","}


class TokenError(ValueError):
    def __init__(self, position, message):
        super().__init__(f"at {position}: {message}")
        self.position = position


def tokenize(text):
    """A list of (kind, value, position): kind is `num`, `name` or `op`."""
    tokens = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch.isdigit() or (ch == "." and i + 1 < len(text) and text[i + 1].isdigit()):
            start = i
            while i < len(text) and text[i].isdigit():
                i += 1
            if i < len(text) and text[i] == ".":
                i += 1
                while i < len(text) and text[i].isdigit():
                    i += 1
            if i < len(text) and text[i] in "eE":
                j = i + 1
                if j < len(text) and text[j] in "+-":
                    j += 1
                if j < len(text) and text[j].isdigit():
                    i = j
                    while i < len(text) and text[i].isdigit():
                        i += 1
            literal = text[start:i]
            value = float(literal) if any(c in literal for c in ".eE") else int(literal)
            tokens.append(("num", value, start))
        elif ch.isalpha() or ch == "_":
            start = i
            while i < len(text) and (text[i].isalnum() or text[i] == "_"):
                i += 1
            tokens.append(("name", text[start:i], start))
        elif ch in OPERATORS:
            tokens.append(("op", ch, i))
            i += 1
        else:
            raise TokenError(i, f"unexpected character {ch!r}")
    return tokens


FUNCTIONS = {"sqrt": math.sqrt, "abs": abs, "max": max, "min": min}
PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2, "%": 2, "^": 3}


def evaluate(text, variables=None):
    variables = variables or {}
    tokens = tokenize(text)
    pos = 0

    def peek():
        return tokens[pos] if pos < len(tokens) else ("end", None, len(text))

    def expect(value):
        nonlocal pos
        kind, got, at = peek()
        if got != value:
            raise TokenError(at, f"expected {value!r}")
        pos += 1

    def primary():
        nonlocal pos
        kind, value, at = peek()
        if kind == "num":
            pos += 1
            return value
        if value == "-":
            pos += 1
            return -binary(PRECEDENCE["^"])
        if value == "(":
            pos += 1
            result = binary(1)
            expect(")")
            return result
        if kind == "name":
            pos += 1
            if peek()[1] == "(":
                pos += 1
                args = [binary(1)]
                while peek()[1] == ",":
                    pos += 1
                    args.append(binary(1))
                expect(")")
                if value not in FUNCTIONS:
                    raise TokenError(at, f"unknown function {value}")
                return FUNCTIONS[value](*args)
            if value not in variables:
                raise TokenError(at, f"unknown variable {value}")
            return variables[value]
        raise TokenError(at, "expected a value")

    def binary(min_prec):
        nonlocal pos
        left = primary()
        while True:
            kind, op, at = peek()
            if kind != "op" or op not in PRECEDENCE or PRECEDENCE[op] < min_prec:
                return left
            pos += 1
            # `^` is right-associative: its right side may hold another `^`.
            next_min = PRECEDENCE[op] if op == "^" else PRECEDENCE[op] + 1
            right = binary(next_min)
            if op == "+":
                left = left + right
            elif op == "-":
                left = left - right
            elif op == "*":
                left = left * right
            elif op == "/":
                left = left / right
            elif op == "%":
                left = left % right
            else:
                left = left ** right

    result = binary(1)
    if pos != len(tokens):
        raise TokenError(tokens[pos][2], "unexpected token")
    return result
