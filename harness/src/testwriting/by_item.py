# The file `evalrun gen-tests` writes: the tests of each item of the module (function or class)
# together, in the module's order, each group introduced by a comment line; imports once, at
# the top.
#
# Loaded into evalrun's embedded interpreter. Everything here parses with Python's own `ast`
# and edits source text; nothing it is given is executed.
import ast
import re

# What a test file may hold at the top level; anything else (`pytest.main()`, an
# `if __name__ == "__main__":` block, prints) is left out.
_KEPT = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Assign,
         ast.AnnAssign)


def _segment_lines(node):
    first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
    return first, node.end_lineno


def _is_test(node):
    """A test function, or a class pytest collects tests from (as `testfile.py` decides)."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return node.name.startswith("test")
    if not isinstance(node, ast.ClassDef):
        return False
    if any((isinstance(b, ast.Name) and b.id == "TestCase") or (isinstance(b, ast.Attribute) and b.attr == "TestCase")
           for b in node.bases):
        return True
    has_init = any(isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == "__init__" for n in node.body)
    return node.name.startswith("Test") and not has_init


def _defined_name(node):
    """The name a top-level statement defines: a function, a class, or `NAME = ...`."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return node.name
    if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
        return node.targets[0].id
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return node.target.id
    return None


def _tests_of(node, name):
    if isinstance(node, ast.ClassDef):
        return [f"{name}::{n.name}" for n in node.body
                if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name.startswith("test")]
    return [name]


def _rename(texts, old, new):
    """`old` as a name (not an attribute, not part of a longer name) becomes `new` in every text:
    the definition and its uses, fixture parameters included."""
    pattern = re.compile(rf"(?<![\w.]){re.escape(old)}(?!\w)")
    return [pattern.sub(new, t) for t in texts]


def _fresh(name, taken):
    n = 2
    while f"{name}_{n}" in taken:
        n += 1
    return f"{name}_{n}"


def assemble(sections):
    """`sections`: [{"heading": str, "source": str}], one per item, in the module's order.

    A name another section already defined differently (a test, a helper, a fixture, a
    constant) is renamed in the later section (`name_2`), so each section keeps running against
    its own definitions; a definition repeated word for word is kept once. Sections that do not
    parse are left out and reported.

    Returns {"source", "tests": [[section, test]], "sections": [each section's own file with its
    renames, "" for one left out], "dropped": [{"index", "reason"}]}."""
    imports, seen_imports = [], set()
    defined = {}  # name -> its text, over the sections so far
    groups, tests, dropped = [], [], []
    renamed = []  # each section's own file, with its renames
    for index, section in enumerate(sections):
        try:
            tree = ast.parse(section["source"])
        except SyntaxError as e:
            dropped.append({"index": index, "reason": f"SyntaxError: {e.msg} (line {e.lineno})"})
            renamed.append("")
            continue
        lines = section["source"].splitlines(keepends=True)
        own_imports = []
        statements = []  # (name or None, is test, node, text)
        for node in tree.body:
            if not isinstance(node, _KEPT):
                continue
            first, last = _segment_lines(node)
            text = "".join(lines[first - 1:last]).rstrip() + "\n"
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                own_imports.append(text)
                if text not in seen_imports:
                    seen_imports.add(text)
                    imports.append(text)
                continue
            statements.append([_defined_name(node), _is_test(node), node, text])
        # Names this section defines that clash with an earlier section's definition.
        renames = {}
        for name, _, _, text in statements:
            if name is not None and name in defined and defined[name] != text and name not in renames:
                renames[name] = None
        own = {s[0] for s in statements if s[0] is not None}
        for name in renames:
            renames[name] = _fresh(name, set(defined) | own | {v for v in renames.values() if v})
        if renames:
            texts = [s[3] for s in statements]
            for old, new in renames.items():
                texts = _rename(texts, old, new)
            for s, text in zip(statements, texts):
                s[3] = text
                if s[0] in renames:
                    s[0] = renames[s[0]]
        renamed.append(("".join(own_imports) + "".join("\n\n" + s[3] for s in statements)).lstrip("\n"))
        body, own_tests, new_defs = [], [], {}
        for name, is_test, node, text in statements:
            if name is not None:
                if defined.get(name) == text or new_defs.get(name) == text:
                    continue
                new_defs[name] = text
            body.append(text)
            if is_test:
                own_tests.extend([index, t] for t in _tests_of(node, name))
        # A section whose tests all repeat earlier ones adds nothing, its helpers neither.
        if own_tests:
            defined.update(new_defs)
            tests.extend(own_tests)
            groups.append(f"# {section['heading']}\n" + "\n\n".join(body))
    future = [i for i in imports if i.startswith("from __future__")]
    rest = [i for i in imports if not i.startswith("from __future__")]
    source = ("".join(future + rest) + "".join("\n\n" + g for g in groups)).lstrip("\n")
    return {"source": source, "tests": tests, "sections": renamed, "dropped": dropped}
