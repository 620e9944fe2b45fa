"""Validators for form fields: e-mail addresses, IPv4 addresses and CIDR blocks, hex colours,
phone numbers in E.164 form, and ISBN-13 check digits. Each `check_*` returns None when valid
and a message when not; `normalize_*` returns the canonical form or raises ValueError."""

import re

_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_LABEL = re.compile(r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?")


def check_email(text):
    if text.count("@") != 1:
        return "must contain exactly one @"
    local, domain = text.split("@")
    if not local or len(local) > 64:
        return "local part must be 1 to 64 characters"
    if not _LOCAL.fullmatch(local):
        return "invalid local part"
    labels = domain.split(".")
    if len(labels) < 2:
        return "domain needs a dot"
    if not all(_LABEL.fullmatch(label) for label in labels):
        return "invalid domain"
    if labels[-1].isdigit():
        return "top-level domain cannot be numeric"
    return None


def normalize_email(text):
    """Trim, lower-case the domain (the local part is case-sensitive)."""
    text = text.strip()
    problem = check_email(text)
    if problem:
        raise ValueError(problem)
    local, domain = text.split("@")
    return f"{local}@{domain.lower()}"


def parse_ipv4(text):
    """The address as an int; no leading zeros, four parts of 0..255."""
    parts = text.split(".")
    if len(parts) != 4:
        raise ValueError("an IPv4 address has four parts")
    value = 0
    for part in parts:
        if not part.isdigit() or (len(part) > 1 and part[0] == "0") or int(part) > 255:
            raise ValueError(f"bad part {part!r}")
        value = value * 256 + int(part)
    return value


def in_cidr(address, block):
    """Whether `address` lies in `block` (`10.0.0.0/8`)."""
    network, _, bits = block.partition("/")
    if not bits.isdigit() or int(bits) > 32:
        raise ValueError(f"bad prefix length in {block!r}")
    prefix = int(bits)
    mask = (0xFFFFFFFF << (32 - prefix)) & 0xFFFFFFFF
    return parse_ipv4(address) & mask == parse_ipv4(network) & mask


def normalize_hex_color(text):
    """`#abc`, `ABC`, `#aabbcc` -> `#aabbcc`."""
    value = text.strip().lstrip("#").lower()
    if len(value) not in (3, 6) or any(c not in "0123456789abcdef" for c in value):
        raise ValueError(f"not a hex colour: {text!r}")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    return "#" + value


def normalize_phone(text, default_country="1"):
    """E.164: `+` and 8 to 15 digits. Spaces, dashes, dots and parentheses are ignored; a
    number without `+` gets `default_country`."""
    stripped = re.sub(r"[\s\-.()]", "", text)
    if stripped.startswith("+"):
        digits = stripped[1:]
    else:
        digits = default_country + stripped.lstrip("0")
    if not digits.isdigit() or not 8 <= len(digits) <= 15:
        raise ValueError(f"not a phone number: {text!r}")
    return "+" + digits


def isbn13_check_digit(first12):
    if len(first12) != 12 or not first12.isdigit():
        raise ValueError("need 12 digits")
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return (10 - total % 10) % 10


def check_isbn13(text):
    digits = text.replace("-", "")
    if len(digits) != 13 or not digits.isdigit():
        return "an ISBN-13 has 13 digits"
    if isbn13_check_digit(digits[:12]) != int(digits[12]):
        return "wrong check digit"
    return None
