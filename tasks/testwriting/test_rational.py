from fractions import Fraction

import pytest

from rational import Rational as R


def test_normalisation():
    r = R(6, -8)
    assert (r.num, r.den) == (-3, 4)
    assert (R(0, 5).num, R(0, 5).den) == (0, 1)
    assert (R(7).num, R(7).den) == (7, 1)
    assert (R(-4, -6).num, R(-4, -6).den) == (2, 3)
    with pytest.raises(ZeroDivisionError):
        R(1, 0)
    with pytest.raises(TypeError, match="must be ints"):
        R(1.5, 2)
    with pytest.raises(TypeError, match="must be ints"):
        R(1, "2")


@pytest.mark.parametrize(
    "text,num,den",
    [("3/4", 3, 4), ("6/8", 3, 4), ("-1/3", -1, 3), ("1/-3", -1, 3), ("1.25", 5, 4), ("-0.5", -1, 2), (".5", 1, 2),
     ("-.25", -1, 4), ("7", 7, 1), (" 2/4 ", 1, 2), ("10.0", 10, 1)],
)
def test_parse(text, num, den):
    r = R.parse(text)
    assert (r.num, r.den) == (num, den)


def test_parse_rejects():
    for bad in ("1.x", "a/2", "1.", "x", "1.-5"):
        with pytest.raises(ValueError):
            R.parse(bad)
    with pytest.raises(ZeroDivisionError):
        R.parse("1/0")


def test_arithmetic_matches_fraction():
    values = [R(1, 2), R(-2, 3), R(5), R(0), R(7, 4)]
    for a in values:
        for b in values:
            fa, fb = Fraction(a.num, a.den), Fraction(b.num, b.den)
            assert (a + b) == R((fa + fb).numerator, (fa + fb).denominator)
            assert (a - b) == R((fa - fb).numerator, (fa - fb).denominator)
            assert (a * b) == R((fa * fb).numerator, (fa * fb).denominator)
            if b.num:
                assert (a / b) == R((fa / fb).numerator, (fa / fb).denominator)
            assert (a < b) == (fa < fb)
            assert (a <= b) == (fa <= fb)


def test_mixed_with_ints():
    assert R(1, 2) + 1 == R(3, 2)
    assert 1 + R(1, 2) == R(3, 2)
    assert R(1, 2) - 1 == R(-1, 2)
    assert 1 - R(1, 4) == R(3, 4)
    assert 3 * R(1, 3) == 1
    assert R(1, 3) * 3 == 1
    assert R(3, 2) / 3 == R(1, 2)
    assert R(1, 2) < 1 and not R(3, 2) < 1
    assert R(1) <= 1


def test_unsupported_operands():
    with pytest.raises(TypeError):
        R(1, 2) + 0.5
    with pytest.raises(TypeError):
        R(1, 2) - "x"
    with pytest.raises(TypeError):
        R(1, 2) * 0.5
    with pytest.raises(TypeError):
        R(1, 2) / 0.5
    assert (R(1, 2) == 0.5) is False


def test_division_by_zero():
    with pytest.raises(ZeroDivisionError):
        R(1, 2) / 0
    with pytest.raises(ZeroDivisionError):
        R(1, 2) / R(0)


def test_hash_float_repr_str():
    assert hash(R(2, 4)) == hash(R(1, 2))
    assert len({R(2, 4), R(1, 2), R(1, 3)}) == 2
    assert float(R(3, 4)) == 0.75
    assert repr(R(3, 4)) == "Rational(3, 4)"
    assert str(R(3, 4)) == "3/4"
    assert str(R(4, 2)) == "2"
    assert str(R(-1, 2)) == "-1/2"


@pytest.mark.parametrize(
    "r,floor,rounded",
    [(R(7, 2), 3, 4), (R(5, 2), 2, 2), (R(-5, 2), -3, -2), (R(-7, 2), -4, -4), (R(1, 3), 0, 0), (R(2, 3), 0, 1),
     (R(-1, 3), -1, 0), (R(4), 4, 4)],
)
def test_floor_and_round(r, floor, rounded):
    assert r.floor() == floor
    assert r.round_half_even() == rounded


def test_continued_fraction():
    assert R(415, 93).continued_fraction() == [4, 2, 6, 7]
    assert R(3).continued_fraction() == [3]
    assert R(-1, 2).continued_fraction() == [-1, 2]
    assert R(0).continued_fraction() == [0]
