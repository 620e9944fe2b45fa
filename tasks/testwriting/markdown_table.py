"""Render rows of data as a GitHub-flavoured Markdown table: column alignment, escaping of `|`,
number formatting, width padding, and parsing a table back into rows."""


def _cell(value, decimals):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.{decimals}f}"
    return str(value).replace("|", "\\|").replace("\n", " ")


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def render(headers, rows, align=None, decimals=2, pad=True):
    """`align` maps a column name to `left`, `right` or `center`; numeric columns (every
    non-empty value a number) default to right alignment."""
    if not headers:
        raise ValueError("a table needs at least one column")
    for row in rows:
        if len(row) != len(headers):
            raise ValueError(f"row {row!r} has {len(row)} cells, expected {len(headers)}")
    align = dict(align or {})
    unknown = set(align) - set(headers)
    if unknown:
        raise ValueError(f"unknown columns in align: {sorted(unknown)}")
    columns = []
    for i, name in enumerate(headers):
        values = [row[i] for row in rows if row[i] is not None]
        numeric = bool(values) and all(_is_number(v) for v in values)
        how = align.get(name, "right" if numeric else "left")
        if how not in ("left", "right", "center"):
            raise ValueError(f"bad alignment {how!r}")
        columns.append(how)
    table = [[_cell(h, decimals) for h in headers]] + [[_cell(v, decimals) for v in row] for row in rows]
    widths = [max(3, *(len(r[i]) for r in table)) if pad else 3 for i in range(len(headers))]

    def fit(text, width, how):
        if not pad:
            return text
        if how == "right":
            return text.rjust(width)
        if how == "center":
            return text.center(width)
        return text.ljust(width)

    def line(cells):
        return "| " + " | ".join(fit(c, w, a) for c, w, a in zip(cells, widths, columns)) + " |"

    def rule(width, how):
        dashes = "-" * width
        if how == "right":
            return dashes[:-1] + ":"
        if how == "center":
            return ":" + dashes[2:] + ":"
        return dashes

    out = [line(table[0]), "| " + " | ".join(rule(w, a) for w, a in zip(widths, columns)) + " |"]
    out.extend(line(r) for r in table[1:])
    return "\n".join(out) + "\n"


def parse(text):
    """(headers, rows) of a rendered table; cells are stripped strings, `\\|` unescaped."""
    lines = [l.strip() for l in text.strip().splitlines()]
    if len(lines) < 2:
        raise ValueError("a table needs a header and a rule line")

    def cells(line):
        if not (line.startswith("|") and line.endswith("|")):
            raise ValueError(f"not a table row: {line!r}")
        parts = line[1:-1].replace("\\|", "\0").split("|")
        return [p.strip().replace("\0", "|") for p in parts]

    headers = cells(lines[0])
    rule = cells(lines[1])
    if len(rule) != len(headers) or not all(set(r) <= set("-:") and "-" in r for r in rule):
        raise ValueError("second line is not a rule line")
    rows = [cells(l) for l in lines[2:]]
    for r in rows:
        if len(r) != len(headers):
            raise ValueError("row length differs from the header")
    return headers, rows
