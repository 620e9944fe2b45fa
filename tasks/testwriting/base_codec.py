"""Integers in any base from 2 to 62 and Base32-style byte encoding (RFC 4648 alphabet, with or
without padding)."""

DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def to_base(number, base):
    """`number` written in `base`; negative numbers get a leading `-`."""
    if not 2 <= base <= len(DIGITS):
        raise ValueError(f"base must be in 2..{len(DIGITS)}")
    if number == 0:
        return "0"
    sign = "-" if number < 0 else ""
    number = abs(number)
    out = []
    while number:
        number, rem = divmod(number, base)
        out.append(DIGITS[rem])
    return sign + "".join(reversed(out))


def from_base(text, base):
    if not 2 <= base <= len(DIGITS):
        raise ValueError(f"base must be in 2..{len(DIGITS)}")
    if not text or text in "+-":
        raise ValueError("empty number")
    negative = text[0] == "-"
    if text[0] in "+-":
        text = text[1:]
    # Up to base 36 letters are case-insensitive, as with int().
    if base <= 36:
        text = text.upper()
    value = 0
    for ch in text:
        digit = DIGITS.find(ch)
        if digit < 0 or digit >= base:
            raise ValueError(f"invalid digit {ch!r} for base {base}")
        value = value * base + digit
    return -value if negative else value


def convert(text, from_b, to_b):
    return to_base(from_base(text, from_b), to_b)


def b32encode(data, padding=True):
    bits = 0
    nbits = 0
    out = []
    for byte in data:
        bits = (bits << 8) | byte
        nbits += 8
        while nbits >= 5:
            nbits -= 5
            out.append(BASE32[(bits >> nbits) & 31])
    if nbits:
        out.append(BASE32[(bits << (5 - nbits)) & 31])
    if padding:
        out.append("=" * (-len(out) % 8))
    return "".join(out)


def b32decode(text):
    text = text.rstrip("=").upper()
    bits = 0
    nbits = 0
    out = bytearray()
    for ch in text:
        index = BASE32.find(ch)
        if index < 0:
            raise ValueError(f"invalid base32 character {ch!r}")
        bits = (bits << 5) | index
        nbits += 5
        if nbits >= 8:
            nbits -= 8
            out.append((bits >> nbits) & 255)
    if bits & ((1 << nbits) - 1):
        raise ValueError("non-zero trailing bits")
    return bytes(out)
