"""A money type: an amount in minor units (cents) and an ISO currency code. Arithmetic checks
currencies, rounding is half-even, and allocation splits an amount without losing a cent."""

from decimal import ROUND_HALF_EVEN, Decimal

MINOR_UNITS = {"USD": 2, "EUR": 2, "GBP": 2, "JPY": 0, "KWD": 3}


class CurrencyMismatch(ValueError):
    pass


class Money:
    __slots__ = ("minor", "currency")

    def __init__(self, minor, currency):
        if currency not in MINOR_UNITS:
            raise ValueError(f"unknown currency {currency!r}")
        if not isinstance(minor, int) or isinstance(minor, bool):
            raise TypeError("minor units must be an int")
        self.minor = minor
        self.currency = currency

    @classmethod
    def parse(cls, text, currency):
        """`"12.34"` -> 1234 minor units; more decimals than the currency has is an error."""
        amount = Decimal(text)
        exponent = MINOR_UNITS.get(currency)
        if exponent is None:
            raise ValueError(f"unknown currency {currency!r}")
        scaled = amount.scaleb(exponent)
        if scaled != scaled.to_integral_value():
            raise ValueError(f"{text} has too many decimals for {currency}")
        return cls(int(scaled), currency)

    def _check(self, other):
        if not isinstance(other, Money):
            raise TypeError("can only combine Money with Money")
        if other.currency != self.currency:
            raise CurrencyMismatch(f"{self.currency} vs {other.currency}")

    def __add__(self, other):
        self._check(other)
        return Money(self.minor + other.minor, self.currency)

    def __sub__(self, other):
        self._check(other)
        return Money(self.minor - other.minor, self.currency)

    def __neg__(self):
        return Money(-self.minor, self.currency)

    def __mul__(self, factor):
        """Multiply by a number, rounding half to even to a whole minor unit."""
        if isinstance(factor, Money):
            raise TypeError("cannot multiply Money by Money")
        product = (Decimal(self.minor) * Decimal(str(factor))).quantize(Decimal(1), rounding=ROUND_HALF_EVEN)
        return Money(int(product), self.currency)

    __rmul__ = __mul__

    def __eq__(self, other):
        return isinstance(other, Money) and (self.minor, self.currency) == (other.minor, other.currency)

    def __hash__(self):
        return hash((self.minor, self.currency))

    def __lt__(self, other):
        self._check(other)
        return self.minor < other.minor

    def __le__(self, other):
        self._check(other)
        return self.minor <= other.minor

    def is_zero(self):
        return self.minor == 0

    def allocate(self, ratios):
        """Split into parts proportional to `ratios`; leftover minor units go one each to the
        first parts, so the parts always add up to the whole."""
        if not ratios or any(r < 0 for r in ratios) or sum(ratios) == 0:
            raise ValueError("ratios must be non-negative and not all zero")
        total = sum(ratios)
        shares = [self.minor * r // total for r in ratios]
        remainder = self.minor - sum(shares)
        for i in range(remainder):
            shares[i % len(shares)] += 1
        return [Money(s, self.currency) for s in shares]

    def __str__(self):
        exponent = MINOR_UNITS[self.currency]
        sign = "-" if self.minor < 0 else ""
        digits = str(abs(self.minor)).rjust(exponent + 1, "0")
        if exponent:
            digits = digits[:-exponent] + "." + digits[-exponent:]
        return f"{sign}{digits} {self.currency}"

    def __repr__(self):
        return f"Money({self.minor}, {self.currency!r})"
