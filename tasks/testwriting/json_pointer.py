"""JSON Pointer (RFC 6901): parse and format pointers, resolve them in a document, and set or
remove the value a pointer names."""

_MISSING = object()


class PointerError(ValueError):
    pass


def escape(token):
    return token.replace("~", "~0").replace("/", "~1")


def unescape(token):
    if "~" in token.replace("~0", "").replace("~1", ""):
        raise PointerError(f"invalid escape in {token!r}")
    return token.replace("~1", "/").replace("~0", "~")


def parse(pointer):
    """The reference tokens of `pointer`: `""` is the whole document, else it starts with `/`."""
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise PointerError(f"pointer must start with '/': {pointer!r}")
    return [unescape(t) for t in pointer[1:].split("/")]


def format_pointer(tokens):
    return "".join("/" + escape(str(t)) for t in tokens)


def _index(container, token, for_insert=False):
    if token == "-" and for_insert:
        return len(container)
    if not token.isdigit() or (len(token) > 1 and token[0] == "0"):
        raise PointerError(f"invalid array index {token!r}")
    index = int(token)
    limit = len(container) + 1 if for_insert else len(container)
    if index >= limit:
        raise PointerError(f"index {index} out of range")
    return index


def resolve(document, pointer, default=_MISSING):
    current = document
    for token in parse(pointer):
        try:
            if isinstance(current, dict):
                if token not in current:
                    raise PointerError(f"no member {token!r}")
                current = current[token]
            elif isinstance(current, list):
                current = current[_index(current, token)]
            else:
                raise PointerError(f"cannot descend into {type(current).__name__}")
        except PointerError:
            if default is _MISSING:
                raise
            return default
    return current


def _parent(document, pointer):
    tokens = parse(pointer)
    if not tokens:
        raise PointerError("the root has no parent")
    return resolve(document, format_pointer(tokens[:-1])), tokens[-1]


def set_value(document, pointer, value):
    """Set (or, in arrays, insert at) the location `pointer` names; `-` appends to an array.
    Returns the document (a new one when the pointer is the root)."""
    if pointer == "":
        return value
    parent, token = _parent(document, pointer)
    if isinstance(parent, dict):
        parent[token] = value
    elif isinstance(parent, list):
        parent.insert(_index(parent, token, for_insert=True), value)
    else:
        raise PointerError(f"cannot set inside {type(parent).__name__}")
    return document


def remove(document, pointer):
    """Remove the value `pointer` names and return it."""
    parent, token = _parent(document, pointer)
    if isinstance(parent, dict):
        if token not in parent:
            raise PointerError(f"no member {token!r}")
        return parent.pop(token)
    if isinstance(parent, list):
        return parent.pop(_index(parent, token))
    raise PointerError(f"cannot remove from {type(parent).__name__}")
