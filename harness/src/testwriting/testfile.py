# Python-source helpers of `evalrun gen-tests` and test-writing extraction: the public API of a
# module, the tests a file defines, merging test files, and dropping tests from one.
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


def _is_test_class(node):
    return isinstance(node, ast.ClassDef) and node.name.startswith("Test")


def test_names(source):
    """The tests pytest would collect from the file by its default rules: `test*` functions
    and `test*` methods of `Test*` classes (as `Class::method`)."""
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


def drop_tests(source, names):
    """`source` without the named tests (`test_x` or `Class::test_x`); a test class left without
    tests goes too."""
    names = set(names)
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
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
    for first, last in sorted(remove, reverse=True):
        del lines[first - 1:last]
    return re.sub(r"\n{4,}", "\n\n\n", "".join(lines))
