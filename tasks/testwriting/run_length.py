"""Run-length encoding in two forms: a compact text form (`3a2bc` for `aaabbc`, digits in the
input escaped with `\\`) and a list of (value, count) pairs for any sequence."""


def encode_pairs(seq):
    """[(value, run length), ...] for consecutive equal items."""
    pairs = []
    for item in seq:
        if pairs and pairs[-1][0] == item:
            pairs[-1] = (item, pairs[-1][1] + 1)
        else:
            pairs.append((item, 1))
    return pairs


def decode_pairs(pairs):
    out = []
    for value, count in pairs:
        if count < 1:
            raise ValueError(f"run length must be positive, got {count}")
        out.extend([value] * count)
    return out


def encode(text, min_run=2):
    """Runs of at least `min_run` characters become `<count><char>`; shorter runs stay as they
    are. Digits and backslashes in the text are escaped with a backslash."""
    if min_run < 2:
        raise ValueError("min_run must be at least 2")
    out = []
    for char, count in encode_pairs(text):
        token = "\\" + char if char.isdigit() or char == "\\" else char
        if count >= min_run:
            out.append(f"{count}{token}")
        else:
            out.append(token * count)
    return "".join(out)


def decode(text):
    out = []
    i = 0
    while i < len(text):
        count = 0
        start = i
        while i < len(text) and text[i].isdigit():
            count = count * 10 + int(text[i])
            i += 1
        if i == len(text):
            raise ValueError(f"count without a character at {start}")
        if i > start and count == 0:
            raise ValueError(f"zero count at {start}")
        char = text[i]
        if char == "\\":
            i += 1
            if i == len(text):
                raise ValueError("dangling escape")
            char = text[i]
        out.append(char * (count if i > start and count else 1))
        i += 1
    return "".join(out)


def compression_ratio(text):
    """len(encoded) / len(text); 1.0 for empty text."""
    if not text:
        return 1.0
    return len(encode(text)) / len(text)
