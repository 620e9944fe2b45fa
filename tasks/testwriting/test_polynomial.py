from fractions import Fraction as F

import pytest

from polynomial import Polynomial as P


def test_trailing_zeros_and_degree():
    assert P([1, 2, 0, 0]).coeffs == [1, 2]
    assert P([1, 2, 0, 0]).degree == 1
    assert P([0, 0]).degree == -1
    assert P([5]).degree == 0


def test_equality_with_numbers():
    assert P([3]) == 3
    assert P([]) == 0
    assert P([1, 1]) != 1
    assert P([1, 2]) == P([1, 2, 0])
    assert (P([1]) == "1") is False


def test_evaluate():
    p = P([1, -3, 2])  # 2x^2 - 3x + 1
    assert [p(x) for x in (0, 1, 2, -1)] == [1, 0, 3, 6]
    assert P([])(5) == 0
    assert p(F(1, 2)) == 0


def test_add_sub_neg():
    a, b = P([1, 2, 3]), P([1, -2])
    assert a + b == P([2, 0, 3])
    assert a - b == P([0, 4, 3])
    assert b - a == P([0, -4, -3])
    assert a + 1 == P([2, 2, 3])
    assert 1 + a == P([2, 2, 3])
    assert a - 1 == P([0, 2, 3])
    assert -a == P([-1, -2, -3])
    assert (a - a).degree == -1


def test_multiply():
    assert P([1, 1]) * P([1, 1]) == P([1, 2, 1])
    assert P([1, 1]) * P([-1, 1]) == P([-1, 0, 1])
    assert P([1, 2]) * 3 == P([3, 6])
    assert 2 * P([1, 2]) == P([2, 4])
    assert P([1, 2]) * P([]) == P([])
    assert P([]) * P([1]) == 0
    assert P([0, 1]) * P([0, 0, 1]) == P([0, 0, 0, 1])


def test_derivative_and_integral():
    p = P([5, 3, 0, 2])  # 2x^3 + 3x + 5
    assert p.derivative() == P([3, 0, 6])
    assert P([7]).derivative() == 0
    assert P([0, 6]).integral() == P([0, 0, 3])
    assert P([1, 1]).integral(constant=4) == P([4, 1, F(1, 2)])
    assert P([1.0]).integral() == P([0, 1.0])
    assert p.integral().derivative() == p


def test_divmod():
    q, r = P([-1, 0, 1]).divmod(P([-1, 1]))  # (x^2 - 1) / (x - 1)
    assert q == P([1, 1]) and r == 0
    q, r = P([1, 0, 1]).divmod(P([1, 1]))  # (x^2 + 1) / (x + 1) = x - 1 rem 2
    assert q == P([-1, 1]) and r == P([2])
    q, r = P([1, 2]).divmod(P([0, 0, 1]))
    assert q == 0 and r == P([1, 2])
    q, r = P([2, 4]).divmod(2)
    assert q == P([1, 2]) and r == 0
    q, r = P([1, 0, 0, 2]).divmod(P([0, 2]))
    assert q == P([0, 0, 1]) and r == P([1])
    with pytest.raises(ZeroDivisionError):
        P([1]).divmod(P([]))
    assert P([]).divmod(P([1])) == (P([]), P([]))


def test_divmod_identity():
    a, b = P([3, -1, 4, 1, 5]), P([2, 0, 1])
    q, r = a.divmod(b)
    assert q * b + r == a
    assert r.degree < b.degree


def test_compose():
    p = P([1, 0, 1])  # x^2 + 1
    assert p.compose(P([1, 1])) == P([2, 2, 1])
    assert P([]).compose(p) == 0
    assert P([0, 1]).compose(p) == p


@pytest.mark.parametrize(
    "coeffs,text",
    [([], "0"), ([5], "5"), ([-5], "-5"), ([0, 1], "x"), ([0, -1], "-x"), ([1, 2, 3], "3x^2 + 2x + 1"),
     ([-1, 0, -1], "-x^2 - 1"), ([0, 0, 1], "x^2"), ([2, -1], "-x + 2"), ([0, 3, -4], "-4x^2 + 3x")],
)
def test_str(coeffs, text):
    assert str(P(coeffs)) == text
