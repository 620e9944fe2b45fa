# Mutation operators for evalrun's test-writing tasks and `evalrun gen-tests --mutate`.
#
# A mutant is the module with one small edit found through Python's own `ast`. Edits are made
# on the source text (the token or node span the AST points at), so a mutant differs from the
# module only where it is mutated: comments, layout and every other line stay as they are.
#
# Loaded into evalrun's embedded interpreter; it only parses, it never runs the module. Also
# usable by hand while writing tasks: `python3 mutate.py MODULE.py [LIMIT]` prints the mutants
# as JSON.
import ast
import hashlib
import io
import json
import sys
import tokenize

OPERATORS = ("comparison", "arithmetic", "boolean", "constant", "return-value", "remove-statement")

# Each comparison is replaced by its closest wrong neighbour (the off-by-one, the negation).
COMPARISON = {
    ast.Lt: "<=", ast.LtE: "<", ast.Gt: ">=", ast.GtE: ">", ast.Eq: "!=", ast.NotEq: "==",
    ast.In: "not in", ast.NotIn: "in", ast.Is: "is not", ast.IsNot: "is",
}
ARITHMETIC = {
    ast.Add: "-", ast.Sub: "+", ast.Mult: "/", ast.Div: "*", ast.FloorDiv: "/", ast.Mod: "//",
    ast.Pow: "*", ast.LShift: ">>", ast.RShift: "<<", ast.BitAnd: "|", ast.BitOr: "&",
    ast.BitXor: "&",
}
SYMBOL = {
    ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//", ast.Mod: "%",
    ast.Pow: "**", ast.LShift: "<<", ast.RShift: ">>", ast.BitAnd: "&", ast.BitOr: "|",
    ast.BitXor: "^", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==",
    ast.NotEq: "!=", ast.In: "in", ast.NotIn: "not in", ast.Is: "is", ast.IsNot: "is not",
}
# Statements whose removal (replacement by `pass`) changes behaviour without breaking syntax.
REMOVABLE = (ast.Expr, ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Raise, ast.Delete,
             ast.Break, ast.Continue, ast.Assert)


class _Text:
    """Maps AST and tokenizer positions to offsets into the source string."""

    def __init__(self, source):
        self.source = source
        self.lines = source.splitlines(keepends=True)
        self.starts = [0]
        for line in self.lines:
            self.starts.append(self.starts[-1] + len(line))
        self.tokens = []
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type in (tokenize.OP, tokenize.NAME):
                self.tokens.append((self.char(tok.start[0], tok.start[1]),
                                    self.char(tok.end[0], tok.end[1]), tok.string))

    def char(self, row, col):
        return self.starts[row - 1] + col

    def byte(self, row, col_bytes):
        # The AST counts columns in UTF-8 bytes, the tokenizer and Python strings in characters.
        line = self.lines[row - 1] if row - 1 < len(self.lines) else ""
        return self.starts[row - 1] + len(line.encode("utf-8")[:col_bytes].decode("utf-8", "replace"))

    def start(self, node):
        return self.byte(node.lineno, node.col_offset)

    def end(self, node):
        return self.byte(node.end_lineno, node.end_col_offset)

    def find(self, lo, hi, words):
        """The span of the token sequence `words` (e.g. ["not", "in"]) first found in [lo, hi)."""
        toks = [t for t in self.tokens if t[0] >= lo and t[1] <= hi]
        for i in range(len(toks) - len(words) + 1):
            if [t[2] for t in toks[i:i + len(words)]] == words:
                return toks[i][0], toks[i + len(words) - 1][1]
        return None


def _skipped_nodes(tree):
    """Nodes no mutation touches: docstrings, `if __name__ == "__main__":` blocks, annotations,
    `__all__`, f-strings (their parts have no reliable positions), and raise arguments (error
    messages)."""
    skip = set()

    def mark(node):
        for sub in ast.walk(node):
            skip.add(id(sub))

    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and body:
            first = body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
                mark(first)
        if isinstance(node, ast.If) and isinstance(node.test, ast.Compare):
            names = [n.id for n in ast.walk(node.test) if isinstance(n, ast.Name)]
            if names == ["__name__"]:
                mark(node)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for arg in node.args.posonlyargs + node.args.args + node.args.kwonlyargs + [node.args.vararg, node.args.kwarg]:
                if arg is not None and arg.annotation is not None:
                    mark(arg.annotation)
            if node.returns is not None:
                mark(node.returns)
        if isinstance(node, ast.AnnAssign):
            mark(node.annotation)
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            mark(node)
        if isinstance(node, ast.JoinedStr):
            mark(node)
        if isinstance(node, ast.Raise):
            for part in (node.exc, node.cause):
                if part is not None:
                    mark(part)
    return skip


def _edits(tree, text):
    """Yield (operator, node, start, end, replacement) for every mutation of the module."""
    skip = _skipped_nodes(tree)
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Compare):
            left = node.left
            for op, right in zip(node.ops, node.comparators):
                span = text.find(text.end(left), text.start(right), SYMBOL[type(op)].split())
                if span:
                    yield "comparison", node, span[0], span[1], COMPARISON[type(op)]
                left = right
        elif isinstance(node, ast.BinOp) and type(node.op) in ARITHMETIC:
            span = text.find(text.end(node.left), text.start(node.right), [SYMBOL[type(node.op)]])
            if span:
                yield "arithmetic", node, span[0], span[1], ARITHMETIC[type(node.op)]
        elif isinstance(node, ast.AugAssign) and type(node.op) in ARITHMETIC:
            span = text.find(text.end(node.target), text.start(node.value), [SYMBOL[type(node.op)] + "="])
            if span:
                yield "arithmetic", node, span[0], span[1], ARITHMETIC[type(node.op)] + "="
        elif isinstance(node, ast.BoolOp):
            word = "and" if isinstance(node.op, ast.And) else "or"
            other = "or" if word == "and" else "and"
            for a, b in zip(node.values, node.values[1:]):
                span = text.find(text.end(a), text.start(b), [word])
                if span:
                    yield "boolean", node, span[0], span[1], other
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            yield "boolean", node, text.start(node), text.start(node.operand), ""
        elif isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, bool):
                new = repr(not value)
            elif isinstance(value, int):
                new = "1" if value == 0 else ("0" if value == 1 else repr(value + 1))
            elif isinstance(value, float):
                new = repr(value + 1.0)
            elif isinstance(value, str) and node.lineno == node.end_lineno:
                new = repr("XX" + value + "XX") if value else repr("XX")
            else:
                continue
            yield "constant", node, text.start(node), text.end(node), new
        elif isinstance(node, ast.Return) and node.value is not None:
            if not (isinstance(node.value, ast.Constant) and node.value.value is None):
                yield "return-value", node, text.start(node.value), text.end(node.value), "None"
        if isinstance(node, REMOVABLE) and not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)):
            yield "remove-statement", node, text.start(node), text.end(node), "pass"


def candidates(source):
    """Every distinct mutant of `source` that compiles, in source order: dicts with `operator`,
    `line` (1-based), `offset` (character offset of the edit) and `source`."""
    tree = ast.parse(source)
    text = _Text(source)
    seen = {source}
    out = []
    for operator, node, start, end, replacement in _edits(tree, text):
        mutated = source[:start] + replacement + source[end:]
        if mutated in seen:
            continue
        try:
            compile(mutated, "<mutant>", "exec")
        except (SyntaxError, ValueError):
            continue
        seen.add(mutated)
        line = source.count("\n", 0, start) + 1
        out.append({"operator": operator, "line": line, "offset": start, "source": mutated})
    out.sort(key=lambda m: (m["offset"], OPERATORS.index(m["operator"]), m["source"]))
    return out


def select(mutants, limit, salt):
    """At most `limit` mutants, spread over the operators (round robin) and over the module (a
    fixed pseudo-random order within each operator, keyed by `salt`); deterministic. Returned in
    source order."""
    def key(m):
        return hashlib.sha256(f"{salt}\0{m['offset']}\0{m['source']}".encode()).hexdigest()

    groups = [sorted((m for m in mutants if m["operator"] == op), key=key) for op in OPERATORS]
    picked = []
    while len(picked) < limit and any(groups):
        for group in groups:
            if group and len(picked) < limit:
                picked.append(group.pop(0))
    picked.sort(key=lambda m: (m["offset"], OPERATORS.index(m["operator"]), m["source"]))
    return picked


def mutants(source, limit, salt):
    """What evalrun asks for: how many candidates the module has, and the selected ones
    (`limit` 0: all of them)."""
    found = candidates(source)
    return {"candidates": len(found), "selected": select(found, limit, salt) if limit else found}


if __name__ == "__main__":
    path = sys.argv[1]
    with open(path, encoding="utf-8") as f:
        src = f.read()
    print(json.dumps(mutants(src, int(sys.argv[2]) if len(sys.argv) > 2 else 0, path), indent=1))
