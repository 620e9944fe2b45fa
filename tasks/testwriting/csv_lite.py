"""A CSV reader and writer for the common dialect: a configurable delimiter, fields quoted with
double quotes, doubled quotes inside quoted fields, and newlines inside quoted fields."""


class CsvError(ValueError):
    pass


def parse_rows(text, delimiter=","):
    """All rows of `text` as lists of strings. A trailing newline does not make an empty row;
    an empty line is a row with one empty field."""
    if len(delimiter) != 1 or delimiter in '"\r\n':
        raise ValueError("delimiter must be one character other than a quote or newline")
    rows = []
    row = []
    field = []
    in_quotes = False
    quoted = False  # the current field was quoted
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if in_quotes:
            if ch == '"':
                if i + 1 < n and text[i + 1] == '"':
                    field.append('"')
                    i += 1
                else:
                    in_quotes = False
            else:
                field.append(ch)
        elif ch == '"':
            if field:
                raise CsvError(f"quote inside an unquoted field at offset {i}")
            in_quotes = True
            quoted = True
        elif ch == delimiter:
            row.append("".join(field))
            field, quoted = [], False
        elif ch == "\n" or ch == "\r":
            if ch == "\r" and i + 1 < n and text[i + 1] == "\n":
                i += 1
            row.append("".join(field))
            rows.append(row)
            row, field, quoted = [], [], False
        else:
            if quoted:
                raise CsvError(f"text after a closing quote at offset {i}")
            field.append(ch)
        i += 1
    if in_quotes:
        raise CsvError("unterminated quoted field")
    if field or row or quoted:
        row.append("".join(field))
        rows.append(row)
    return rows


def parse_records(text, delimiter=","):
    """Rows as dicts keyed by the header row; every row must have as many fields as the header."""
    rows = parse_rows(text, delimiter)
    if not rows:
        return []
    header = rows[0]
    if len(set(header)) != len(header):
        raise CsvError("duplicate column names")
    records = []
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise CsvError(f"row {number} has {len(row)} fields, expected {len(header)}")
        records.append(dict(zip(header, row)))
    return records


def quote_field(value, delimiter=","):
    text = str(value)
    if any(c in text for c in (delimiter, '"', "\n", "\r")) or text != text.strip():
        return '"' + text.replace('"', '""') + '"'
    return text


def format_rows(rows, delimiter=","):
    return "".join(delimiter.join(quote_field(v, delimiter) for v in row) + "\n" for row in rows)
