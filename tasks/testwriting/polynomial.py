"""Polynomials with integer or fraction coefficients: arithmetic, evaluation (Horner),
derivative, integral, long division, composition and a readable string form."""

from fractions import Fraction


class Polynomial:
    def __init__(self, coefficients):
        """`coefficients[i]` multiplies x**i; trailing zeros are dropped."""
        coeffs = list(coefficients)
        while coeffs and coeffs[-1] == 0:
            coeffs.pop()
        self.coeffs = coeffs

    @property
    def degree(self):
        """-1 for the zero polynomial."""
        return len(self.coeffs) - 1

    def __eq__(self, other):
        if isinstance(other, (int, Fraction)):
            other = Polynomial([other])
        return isinstance(other, Polynomial) and self.coeffs == other.coeffs

    def __call__(self, x):
        result = 0
        for c in reversed(self.coeffs):
            result = result * x + c
        return result

    def __add__(self, other):
        other = _lift(other)
        n = max(len(self.coeffs), len(other.coeffs))
        a = self.coeffs + [0] * (n - len(self.coeffs))
        b = other.coeffs + [0] * (n - len(other.coeffs))
        return Polynomial([x + y for x, y in zip(a, b)])

    __radd__ = __add__

    def __neg__(self):
        return Polynomial([-c for c in self.coeffs])

    def __sub__(self, other):
        return self + (-_lift(other))

    def __mul__(self, other):
        other = _lift(other)
        if not self.coeffs or not other.coeffs:
            return Polynomial([])
        out = [0] * (len(self.coeffs) + len(other.coeffs) - 1)
        for i, a in enumerate(self.coeffs):
            for j, b in enumerate(other.coeffs):
                out[i + j] += a * b
        return Polynomial(out)

    __rmul__ = __mul__

    def derivative(self):
        return Polynomial([i * c for i, c in enumerate(self.coeffs)][1:])

    def integral(self, constant=0):
        return Polynomial([constant] + [Fraction(c, i + 1) if isinstance(c, int) else c / (i + 1)
                                        for i, c in enumerate(self.coeffs)])

    def divmod(self, divisor):
        """(quotient, remainder) with remainder.degree < divisor.degree."""
        divisor = _lift(divisor)
        if not divisor.coeffs:
            raise ZeroDivisionError("division by the zero polynomial")
        remainder = [Fraction(c) for c in self.coeffs]
        quotient = [Fraction(0)] * max(len(remainder) - len(divisor.coeffs) + 1, 0)
        lead = Fraction(divisor.coeffs[-1])
        while len(remainder) >= len(divisor.coeffs) and any(remainder):
            shift = len(remainder) - len(divisor.coeffs)
            factor = remainder[-1] / lead
            quotient[shift] = factor
            for i, c in enumerate(divisor.coeffs):
                remainder[shift + i] -= factor * c
            while remainder and remainder[-1] == 0:
                remainder.pop()
        return Polynomial(quotient), Polynomial(remainder)

    def compose(self, inner):
        """self(inner(x))."""
        result = Polynomial([])
        for c in reversed(self.coeffs):
            result = result * inner + c
        return result

    def __str__(self):
        if not self.coeffs:
            return "0"
        terms = []
        for power in range(self.degree, -1, -1):
            c = self.coeffs[power]
            if c == 0:
                continue
            sign = "-" if c < 0 else "+"
            magnitude = abs(c)
            if power == 0:
                body = str(magnitude)
            else:
                body = ("" if magnitude == 1 else str(magnitude)) + ("x" if power == 1 else f"x^{power}")
            terms.append((sign, body))
        first_sign, first_body = terms[0]
        text = ("-" if first_sign == "-" else "") + first_body
        for sign, body in terms[1:]:
            text += f" {sign} {body}"
        return text


def _lift(value):
    if isinstance(value, Polynomial):
        return value
    return Polynomial([value])
