# Python-source helpers of `evalrun gen-tests` and test-writing scoring: the public API of a
# module, the tests a file defines, merging test files, dropping tests from one, and removing the
# definitions by which a test file shadows the module it tests.
#
# Loaded into evalrun's embedded interpreter. Everything here parses with Python's own `ast`
# and edits source text by line ranges; nothing it is given is executed.
import ast
import re


def _segment_lines(node):
    """First and last line of a top-level statement, decorators included (1-based)."""
    first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
    return first, node.end_lineno


def _exported_names(tree):
    """The names of a literal `__all__`, or None."""
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            try:
                names = ast.literal_eval(node.value)
            except ValueError:
                return None
            if isinstance(names, (list, tuple)) and all(isinstance(n, str) for n in names):
                return set(names)
    return None


def public_api(source):
    """Public top-level functions and classes, in source order: name, kind, first and last
    line, and their source; for classes, their public methods. `__all__` decides when given."""
    tree = ast.parse(source)
    exported = _exported_names(tree)
    lines = source.splitlines(keepends=True)
    items = []
    for node in tree.body:
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        public = node.name in exported if exported is not None else not node.name.startswith("_")
        if not public:
            continue
        first, last = _segment_lines(node)
        item = {
            "name": node.name,
            "kind": "class" if isinstance(node, ast.ClassDef) else "function",
            "line": first,
            "end_line": last,
            "source": "".join(lines[first - 1:last]),
            "methods": [],
        }
        if isinstance(node, ast.ClassDef):
            item["methods"] = [
                n.name for n in node.body
                if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
                and (not n.name.startswith("_") or n.name == "__init__")
            ]
        items.append(item)
    return items


def _is_test_function(node):
    return isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test")


def _is_unittest_case(node):
    """A class deriving from `TestCase` (`unittest.TestCase`): pytest collects it whatever its name."""
    return any(
        (isinstance(b, ast.Name) and b.id == "TestCase") or (isinstance(b, ast.Attribute) and b.attr == "TestCase")
        for b in node.bases
    )


def _is_test_class(node):
    """A class pytest collects tests from: `Test*` without an `__init__`, or a `TestCase`."""
    if not isinstance(node, ast.ClassDef):
        return False
    if _is_unittest_case(node):
        return True
    has_init = any(isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == "__init__" for n in node.body)
    return node.name.startswith("Test") and not has_init


def test_names(source):
    """The tests pytest would collect from the file by its default rules: `test*` functions
    and `test*` methods of test classes (as `Class::method`)."""
    tree = ast.parse(source)
    names = []
    for node in tree.body:
        if _is_test_function(node):
            names.append(node.name)
        elif _is_test_class(node):
            names.extend(f"{node.name}::{n.name}" for n in node.body if _is_test_function(n))
    return names


# What a test file may hold at the top level; anything else (a call of `pytest.main()`, an
# `if __name__ == "__main__":` block, prints) is dropped when files are merged.
_KEPT = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Assign,
         ast.AnnAssign)


def _rename(text, kind, old, new):
    keyword = "class" if kind == "class" else "def"
    return re.sub(rf"(\b{keyword}\s+){re.escape(old)}\b", rf"\g<1>{new}", text, count=1)


def merge(chunks):
    """One test file from several: imports first (each once), then the other kept statements in
    order. A repeated test gets a numbered name (`test_x_2`); a repeated helper or fixture keeps
    its first definition. Chunks that do not parse are left out and reported."""
    imports, body, dropped = [], [], []
    seen_imports, defined = set(), {}
    for index, chunk in enumerate(chunks):
        try:
            tree = ast.parse(chunk)
        except SyntaxError as e:
            dropped.append({"index": index, "reason": f"SyntaxError: {e.msg} (line {e.lineno})"})
            continue
        lines = chunk.splitlines(keepends=True)
        for node in tree.body:
            if not isinstance(node, _KEPT):
                continue
            first, last = _segment_lines(node)
            text = "".join(lines[first - 1:last]).rstrip() + "\n"
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                if text not in seen_imports:
                    seen_imports.add(text)
                    imports.append(text)
                continue
            name = getattr(node, "name", None)
            if name is not None:
                if defined.get(name) == text:
                    continue
                if name in defined:
                    if not (_is_test_function(node) or _is_test_class(node)):
                        continue
                    n = 2
                    while f"{name}_{n}" in defined:
                        n += 1
                    new = f"{name}_{n}"
                    text = _rename(text, "class" if isinstance(node, ast.ClassDef) else "def", name, new)
                    name = new
                defined[name] = text
            body.append(text)
    future = [i for i in imports if i.startswith("from __future__")]
    rest = [i for i in imports if not i.startswith("from __future__")]
    source = "".join(future + rest) + "".join("\n\n" + b for b in body)
    return {"source": source, "dropped": dropped}


def _without_lines(source, ranges):
    """`source` without the given (first, last) line ranges (1-based), runs of blank lines
    collapsed."""
    lines = source.splitlines(keepends=True)
    for first, last in sorted(ranges, reverse=True):
        del lines[first - 1:last]
    return re.sub(r"\n{4,}", "\n\n\n", "".join(lines))


def drop_tests(source, names):
    """`source` without the named tests (`test_x` or `Class::test_x`); a test class left without
    tests goes too."""
    names = set(names)
    tree = ast.parse(source)
    remove = []  # (first, last) line ranges
    for node in tree.body:
        if _is_test_function(node) and node.name in names:
            remove.append(_segment_lines(node))
        elif _is_test_class(node):
            tests = [n for n in node.body if _is_test_function(n)]
            gone = [n for n in tests if f"{node.name}::{n.name}" in names]
            if tests and len(gone) == len(tests):
                remove.append(_segment_lines(node))
            else:
                remove.extend(_segment_lines(n) for n in gone)
    return _without_lines(source, remove)


def _bound_names(target):
    """The plain names an assignment target binds (`a`, `a, (b, *c)`); attributes and subscripts
    bind none."""
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, ast.Starred):
        return _bound_names(target.value)
    if isinstance(target, (ast.Tuple, ast.List)):
        return [n for elt in target.elts for n in _bound_names(elt)]
    return []


def _assigned_names(node):
    """The names a top-level assignment binds (an annotation without a value binds none)."""
    if isinstance(node, ast.Assign):
        return [n for t in node.targets for n in _bound_names(t)]
    if isinstance(node, ast.AnnAssign) and node.value is not None:
        return _bound_names(node.target)
    return []


def _module_public_names(tree):
    """The names a module exports: `__all__` when given, else its public top-level functions,
    classes and assigned names."""
    exported = _exported_names(tree)
    if exported is not None:
        return exported
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        else:
            names.update(_assigned_names(node))
    return {n for n in names if not n.startswith("_")}


def _module_aliases(tree, module):
    """The names a test file binds to the module itself (`import m`, `import m as x`)."""
    return {
        alias.asname or alias.name
        for node in tree.body if isinstance(node, ast.Import)
        for alias in node.names if alias.name == module
    }


def _root_name(node):
    """`m` for `m.a.b`; None for anything but a chain of attributes on a name."""
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def remove_shadowing(test_source, module_source, module):
    """`test_source` without its top-level definitions of names that `module` exports (a pasted
    `def f`, `class C`, `X = ...`): tests that use such a name would test the file's own copy.
    An alias of the module's own object (`f = m.f` after `import m`) is not a copy and stays;
    imports from the module bind no copy either. Returns [source, removed names in order]."""
    exported = _module_public_names(ast.parse(module_source))
    tree = ast.parse(test_source)
    aliases = _module_aliases(tree, module)
    remove, removed = [], []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names = [node.name]
        else:
            names = _assigned_names(node)
            if names and _root_name(node.value) in aliases and isinstance(node.value, ast.Attribute):
                continue
        shadowing = [n for n in names if n in exported]
        if shadowing:
            remove.append(_segment_lines(node))
            removed.extend(n for n in shadowing if n not in removed)
    return [_without_lines(test_source, remove) if remove else test_source, removed]
