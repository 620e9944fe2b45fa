"""URL query strings: percent-encoding and decoding (UTF-8), parsing into a multi-dict, and
building from dicts or pair lists, in the `application/x-www-form-urlencoded` flavour where a
space may be written as `+`."""

UNRESERVED = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
HEX = "0123456789ABCDEF"


def quote(text, plus_for_space=True):
    out = []
    for byte in text.encode("utf-8"):
        ch = chr(byte)
        if ch in UNRESERVED:
            out.append(ch)
        elif ch == " " and plus_for_space:
            out.append("+")
        else:
            out.append("%" + HEX[byte >> 4] + HEX[byte & 15])
    return "".join(out)


def unquote(text, plus_for_space=True):
    raw = bytearray()
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "%":
            pair = text[i + 1:i + 3]
            if len(pair) != 2 or any(c not in "0123456789abcdefABCDEF" for c in pair):
                raise ValueError(f"bad percent-escape at {i}")
            raw.append(int(pair, 16))
            i += 3
            continue
        if ch == "+" and plus_for_space:
            raw.append(32)
        else:
            raw.extend(ch.encode("utf-8"))
        i += 1
    return raw.decode("utf-8")


def parse_pairs(query, keep_blank=False):
    """[(name, value), ...] in order; a leading `?` is ignored; `a` alone means `a=`."""
    if query.startswith("?"):
        query = query[1:]
    pairs = []
    for part in query.split("&"):
        if not part:
            continue
        name, sep, value = part.partition("=")
        name, value = unquote(name), unquote(value)
        if value or keep_blank:
            pairs.append((name, value))
    return pairs


def parse(query, keep_blank=False):
    """{name: [values...]} preserving first-seen order of names."""
    result = {}
    for name, value in parse_pairs(query, keep_blank):
        result.setdefault(name, []).append(value)
    return result


def build(params, sort=False):
    """From a dict (a list value repeats the name; None values are skipped) or a pair list."""
    items = list(params.items()) if isinstance(params, dict) else list(params)
    if sort:
        items.sort(key=lambda kv: kv[0])
    parts = []
    for name, value in items:
        values = value if isinstance(value, (list, tuple)) else [value]
        for v in values:
            if v is None:
                continue
            if isinstance(v, bool):
                v = "true" if v else "false"
            parts.append(f"{quote(str(name))}={quote(str(v))}")
    return "&".join(parts)


def merge(query, **updates):
    """`query` with some names replaced (None removes a name); order of the rest is kept."""
    pairs = [(n, v) for n, v in parse_pairs(query, keep_blank=True) if n not in updates]
    for name, value in updates.items():
        if value is not None:
            pairs.append((name, value))
    return build(pairs)
