"""An exact rational number type (like `fractions.Fraction`, written out): normalised sign and
gcd, arithmetic with ints, comparisons, parsing `"3/4"` and `"1.25"`, rounding, and continued
fractions."""

import math


class Rational:
    __slots__ = ("num", "den")

    def __init__(self, num, den=1):
        if not isinstance(num, int) or not isinstance(den, int):
            raise TypeError("numerator and denominator must be ints")
        if den == 0:
            raise ZeroDivisionError("zero denominator")
        if den < 0:
            num, den = -num, -den
        g = math.gcd(num, den)
        self.num = num // g
        self.den = den // g

    @classmethod
    def parse(cls, text):
        text = text.strip()
        if "/" in text:
            a, b = text.split("/", 1)
            return cls(int(a), int(b))
        if "." in text:
            whole, frac = text.split(".", 1)
            if not frac.isdigit():
                raise ValueError(f"not a number: {text!r}")
            negative = whole.startswith("-")
            whole_value = int(whole) if whole not in ("", "-") else 0
            value = cls(abs(whole_value) * 10 ** len(frac) + int(frac), 10 ** len(frac))
            return -value if negative else value
        return cls(int(text))

    @staticmethod
    def _lift(other):
        if isinstance(other, Rational):
            return other
        if isinstance(other, int):
            return Rational(other)
        return NotImplemented

    def __add__(self, other):
        other = self._lift(other)
        if other is NotImplemented:
            return other
        return Rational(self.num * other.den + other.num * self.den, self.den * other.den)

    __radd__ = __add__

    def __neg__(self):
        return Rational(-self.num, self.den)

    def __sub__(self, other):
        other = self._lift(other)
        if other is NotImplemented:
            return other
        return self + (-other)

    def __rsub__(self, other):
        return -self + other

    def __mul__(self, other):
        other = self._lift(other)
        if other is NotImplemented:
            return other
        return Rational(self.num * other.num, self.den * other.den)

    __rmul__ = __mul__

    def __truediv__(self, other):
        other = self._lift(other)
        if other is NotImplemented:
            return other
        if other.num == 0:
            raise ZeroDivisionError("division by zero")
        return Rational(self.num * other.den, self.den * other.num)

    def __eq__(self, other):
        other = self._lift(other)
        if other is NotImplemented:
            return False
        return self.num == other.num and self.den == other.den

    def __hash__(self):
        return hash((self.num, self.den))

    def __lt__(self, other):
        other = self._lift(other)
        return self.num * other.den < other.num * self.den

    def __le__(self, other):
        return self == other or self < other

    def __float__(self):
        return self.num / self.den

    def __repr__(self):
        return f"Rational({self.num}, {self.den})"

    def __str__(self):
        return str(self.num) if self.den == 1 else f"{self.num}/{self.den}"

    def floor(self):
        return self.num // self.den

    def round_half_even(self):
        q, r = divmod(self.num, self.den)
        if 2 * r > self.den or (2 * r == self.den and q % 2 == 1):
            q += 1
        return q

    def continued_fraction(self):
        terms = []
        num, den = self.num, self.den
        while den:
            q = num // den
            terms.append(q)
            num, den = den, num - q * den
        return terms
