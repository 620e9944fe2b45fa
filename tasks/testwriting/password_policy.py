"""A configurable password policy: length, character classes, forbidden words, repeated and
sequential characters; reports every rule a password breaks and estimates its strength."""

import math
import string

SEQUENCES = ("abcdefghijklmnopqrstuvwxyz", "0123456789", "qwertyuiop", "asdfghjkl", "zxcvbnm")


class Policy:
    def __init__(self, min_length=8, max_length=64, require_upper=True, require_lower=True,
                 require_digit=True, require_symbol=False, max_repeat=3, forbidden=()):
        if min_length < 1 or max_length < min_length:
            raise ValueError("need 1 <= min_length <= max_length")
        self.min_length = min_length
        self.max_length = max_length
        self.require_upper = require_upper
        self.require_lower = require_lower
        self.require_digit = require_digit
        self.require_symbol = require_symbol
        self.max_repeat = max_repeat
        self.forbidden = [w.lower() for w in forbidden]

    def violations(self, password, username=None):
        """Every rule `password` breaks, as short messages, in a fixed order."""
        problems = []
        if len(password) < self.min_length:
            problems.append(f"shorter than {self.min_length} characters")
        if len(password) > self.max_length:
            problems.append(f"longer than {self.max_length} characters")
        if self.require_upper and not any(c.isupper() for c in password):
            problems.append("no upper-case letter")
        if self.require_lower and not any(c.islower() for c in password):
            problems.append("no lower-case letter")
        if self.require_digit and not any(c.isdigit() for c in password):
            problems.append("no digit")
        if self.require_symbol and not any(c in string.punctuation for c in password):
            problems.append("no symbol")
        if longest_run(password) > self.max_repeat:
            problems.append(f"a character repeated more than {self.max_repeat} times in a row")
        if has_sequence(password, 4):
            problems.append("a sequence of 4 or more characters")
        lowered = password.lower()
        for word in self.forbidden:
            if word in lowered:
                problems.append(f"contains the forbidden word {word!r}")
        if username and len(username) >= 3 and username.lower() in lowered:
            problems.append("contains the user name")
        return problems

    def is_valid(self, password, username=None):
        return not self.violations(password, username)


def longest_run(text):
    """Length of the longest run of one repeated character."""
    best = run = 0
    previous = None
    for ch in text:
        run = run + 1 if ch == previous else 1
        previous = ch
        best = max(best, run)
    return best


def has_sequence(text, length):
    """Whether `text` holds `length` consecutive characters of a known sequence, either way."""
    lowered = text.lower()
    for seq in SEQUENCES:
        for s in (seq, seq[::-1]):
            for i in range(len(s) - length + 1):
                if s[i:i + length] in lowered:
                    return True
    return False


def entropy_bits(password):
    """Length times log2 of the size of the character classes used."""
    pool = 0
    if any(c.islower() for c in password):
        pool += 26
    if any(c.isupper() for c in password):
        pool += 26
    if any(c.isdigit() for c in password):
        pool += 10
    if any(c in string.punctuation for c in password):
        pool += len(string.punctuation)
    if any(not c.isascii() or c.isspace() for c in password):
        pool += 100
    return 0.0 if pool == 0 else round(len(password) * math.log2(pool), 1)


def strength(password):
    bits = entropy_bits(password)
    if bits < 28:
        return "very weak"
    if bits < 36:
        return "weak"
    if bits < 60:
        return "reasonable"
    if bits < 128:
        return "strong"
    return "very strong"
