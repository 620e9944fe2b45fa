import pytest

from money import CurrencyMismatch, Money


def test_construction_validation():
    with pytest.raises(ValueError):
        Money(1, "XXX")
    with pytest.raises(TypeError):
        Money(1.5, "USD")
    with pytest.raises(TypeError):
        Money(True, "USD")
    m = Money(5, "EUR")
    assert (m.minor, m.currency) == (5, "EUR")


@pytest.mark.parametrize(
    "text,currency,minor",
    [("12.34", "USD", 1234), ("0.5", "USD", 50), ("7", "JPY", 7), ("1.234", "KWD", 1234), ("-3.10", "EUR", -310)],
)
def test_parse(text, currency, minor):
    assert Money.parse(text, currency) == Money(minor, currency)


def test_parse_errors():
    with pytest.raises(ValueError, match="too many decimals"):
        Money.parse("1.001", "USD")
    with pytest.raises(ValueError, match="too many decimals"):
        Money.parse("1.5", "JPY")
    with pytest.raises(ValueError, match="unknown currency"):
        Money.parse("1", "ABC")


def test_add_sub_neg():
    a, b = Money(150, "USD"), Money(75, "USD")
    assert a + b == Money(225, "USD")
    assert a - b == Money(75, "USD")
    assert b - a == Money(-75, "USD")
    assert -a == Money(-150, "USD")


def test_mixing_currencies_or_types_fails():
    with pytest.raises(CurrencyMismatch):
        Money(1, "USD") + Money(1, "EUR")
    with pytest.raises(CurrencyMismatch):
        Money(1, "USD") - Money(1, "EUR")
    with pytest.raises(TypeError):
        Money(1, "USD") + 1
    with pytest.raises(CurrencyMismatch):
        Money(1, "USD") < Money(2, "EUR")


def test_multiply_rounds_half_even():
    assert Money(100, "USD") * 3 == Money(300, "USD")
    assert 2 * Money(100, "USD") == Money(200, "USD")
    assert Money(5, "USD") * 0.5 == Money(2, "USD")  # 2.5 -> 2
    assert Money(15, "USD") * 0.1 == Money(2, "USD")  # 1.5 -> 2
    assert Money(10, "USD") * 0.35 == Money(4, "USD")  # 3.5 -> 4
    assert Money(1000, "USD") * 1.075 == Money(1075, "USD")
    with pytest.raises(TypeError):
        Money(1, "USD") * Money(2, "USD")


def test_comparisons_and_hash():
    a, b = Money(1, "USD"), Money(2, "USD")
    assert a < b and not b < a and not a < a
    assert a <= a and a <= b and not b <= a
    assert Money(1, "USD") != Money(1, "EUR")
    assert Money(1, "USD") != 1
    assert len({Money(1, "USD"), Money(1, "USD"), Money(1, "EUR")}) == 2
    assert Money(0, "USD").is_zero() and not a.is_zero()


def test_allocate_even_and_remainder():
    parts = Money(100, "USD").allocate([1, 1, 1])
    assert [p.minor for p in parts] == [34, 33, 33]
    assert all(p.currency == "USD" for p in parts)
    assert [p.minor for p in Money(5, "USD").allocate([3, 7])] == [2, 3]
    assert [p.minor for p in Money(1000, "USD").allocate([1, 0, 1])] == [500, 0, 500]
    assert [p.minor for p in Money(10, "USD").allocate([2])] == [10]


def test_allocate_never_loses_a_cent():
    for amount in (0, 1, 7, 99, 1001, 12345):
        for ratios in ([1], [1, 2], [3, 3, 4], [5, 0, 2, 1]):
            parts = Money(amount, "EUR").allocate(ratios)
            assert sum(p.minor for p in parts) == amount
            assert len(parts) == len(ratios)


def test_allocate_validation():
    for bad in ([], [0, 0], [1, -1]):
        with pytest.raises(ValueError):
            Money(10, "USD").allocate(bad)


@pytest.mark.parametrize(
    "minor,currency,text",
    [(1234, "USD", "12.34 USD"), (5, "USD", "0.05 USD"), (0, "EUR", "0.00 EUR"), (-250, "GBP", "-2.50 GBP"),
     (1500, "JPY", "1500 JPY"), (1, "KWD", "0.001 KWD")],
)
def test_str(minor, currency, text):
    assert str(Money(minor, currency)) == text


def test_repr():
    assert repr(Money(12, "USD")) == "Money(12, 'USD')"
