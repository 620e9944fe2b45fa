"""Line-based diffs: the longest common subsequence of two texts' lines, edit operations,
a unified-diff style rendering with context, applying a diff, and a similarity ratio."""


def lcs_table(a, b):
    """table[i][j] = length of the LCS of a[i:] and b[j:]."""
    table = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) - 1, -1, -1):
        for j in range(len(b) - 1, -1, -1):
            if a[i] == b[j]:
                table[i][j] = table[i + 1][j + 1] + 1
            else:
                table[i][j] = max(table[i + 1][j], table[i][j + 1])
    return table


def operations(a, b):
    """[(op, line)] with op `=` (kept), `-` (only in a) or `+` (only in b). Deletions come
    before insertions where both are possible."""
    table = lcs_table(a, b)
    ops = []
    i = j = 0
    while i < len(a) and j < len(b):
        if a[i] == b[j]:
            ops.append(("=", a[i]))
            i += 1
            j += 1
        elif table[i + 1][j] >= table[i][j + 1]:
            ops.append(("-", a[i]))
            i += 1
        else:
            ops.append(("+", b[j]))
            j += 1
    ops.extend(("-", line) for line in a[i:])
    ops.extend(("+", line) for line in b[j:])
    return ops


def unified(a_text, b_text, context=1):
    """Changed lines prefixed `-`/`+`, with `context` unchanged lines around each change
    (prefixed with a space); separate hunks are divided by `@@`."""
    ops = operations(a_text.splitlines(), b_text.splitlines())
    changed = [k for k, (op, _) in enumerate(ops) if op != "="]
    if not changed:
        return ""
    keep = set()
    for k in changed:
        keep.update(range(max(0, k - context), min(len(ops), k + context + 1)))
    lines = []
    previous = None
    for k in sorted(keep):
        if previous is not None and k != previous + 1:
            lines.append("@@")
        op, text = ops[k]
        lines.append((" " if op == "=" else op) + text)
        previous = k
    return "\n".join(lines) + "\n"


def apply(a_lines, ops):
    """Rebuild the new lines from the old ones and `operations(old, new)`; checks that the
    operations fit the old lines."""
    out = []
    i = 0
    for op, line in ops:
        if op == "+":
            out.append(line)
            continue
        if i >= len(a_lines) or a_lines[i] != line:
            raise ValueError(f"diff does not apply at old line {i + 1}")
        if op == "=":
            out.append(line)
        i += 1
    if i != len(a_lines):
        raise ValueError("diff does not cover every old line")
    return out


def similarity(a_text, b_text):
    """2 * matching lines / total lines, 1.0 for two empty texts."""
    a, b = a_text.splitlines(), b_text.splitlines()
    if not a and not b:
        return 1.0
    return 2 * lcs_table(a, b)[0][0] / (len(a) + len(b))
