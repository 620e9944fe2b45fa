"""Text layout for fixed-width output: greedy word wrapping, full justification (extra spaces
go to the leftmost gaps), centring, and hyphenation-free truncation of long words."""


def wrap(text, width):
    """Lines of at most `width` characters, breaking between words; a word longer than
    `width` is split across lines."""
    if width < 1:
        raise ValueError("width must be at least 1")
    lines = []
    current = ""
    for word in text.split():
        while len(word) > width:
            if current:
                lines.append(current)
                current = ""
            lines.append(word[:width])
            word = word[width:]
        if not current:
            current = word
        elif len(current) + 1 + len(word) <= width:
            current += " " + word
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines


def justify_line(line, width):
    """Spread the words of `line` to exactly `width` characters; a single word is left-aligned
    and padded."""
    words = line.split()
    if not words:
        return " " * width
    if len(words) == 1:
        return words[0].ljust(width)
    letters = sum(len(w) for w in words)
    gaps = len(words) - 1
    spaces = width - letters
    if spaces < gaps:
        raise ValueError(f"line does not fit in {width} characters")
    base, extra = divmod(spaces, gaps)
    out = ""
    for i, word in enumerate(words[:-1]):
        out += word + " " * (base + (1 if i < extra else 0))
    return out + words[-1]


def justify(text, width):
    """Wrap and fully justify every line but the last, which stays left-aligned (unpadded)."""
    lines = wrap(text, width)
    if not lines:
        return []
    return [justify_line(l, width) for l in lines[:-1]] + [lines[-1]]


def center(line, width, fill=" "):
    """Centre `line`; when the padding is odd the extra character goes on the right."""
    if len(fill) != 1:
        raise ValueError("fill must be one character")
    if len(line) >= width:
        return line
    total = width - len(line)
    left = total // 2
    return fill * left + line + fill * (total - left)


def columns(items, width, gap=2):
    """Lay out `items` in as many equal columns as fit in `width`, filled row by row."""
    if not items:
        return []
    cell = max(len(i) for i in items)
    count = max(1, (width + gap) // (cell + gap))
    rows = []
    for start in range(0, len(items), count):
        row = items[start:start + count]
        rows.append((" " * gap).join(i.ljust(cell) for i in row).rstrip())
    return rows
