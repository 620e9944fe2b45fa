import random

import pytest

from interval_set import IntervalSet


def members(s, lo=-5, hi=60):
    return {x for x in range(lo, hi) if x in s}


def test_empty():
    s = IntervalSet()
    assert list(s) == []
    assert len(s) == 0
    assert 0 not in s
    assert repr(s) == "IntervalSet([])"


def test_add_disjoint_keeps_order():
    s = IntervalSet([(10, 12), (1, 3)])
    assert list(s) == [(1, 3), (10, 12)]
    assert len(s) == 4


def test_add_merges_overlapping_and_touching():
    s = IntervalSet([(1, 3), (5, 7)])
    s.add(3, 5)
    assert list(s) == [(1, 7)]
    s.add(0, 2)
    assert list(s) == [(0, 7)]
    s.add(7, 9)
    assert list(s) == [(0, 9)]
    s.add(20, 30)
    s.add(2, 25)
    assert list(s) == [(0, 30)]


def test_add_inside_existing():
    s = IntervalSet([(0, 10)])
    s.add(3, 4)
    assert list(s) == [(0, 10)]


def test_add_spanning_several():
    s = IntervalSet([(1, 2), (4, 5), (7, 8), (10, 11)])
    s.add(3, 9)
    assert list(s) == [(1, 2), (3, 9), (10, 11)]


def test_add_validation_and_empty():
    s = IntervalSet()
    with pytest.raises(ValueError):
        s.add(5, 4)
    s.add(4, 4)
    assert list(s) == []


def test_contains_boundaries():
    s = IntervalSet([(2, 5)])
    assert 1 not in s
    assert 2 in s
    assert 4 in s
    assert 5 not in s


def test_remove_splits():
    s = IntervalSet([(0, 10)])
    s.remove(3, 5)
    assert list(s) == [(0, 3), (5, 10)]
    assert len(s) == 8


def test_remove_edges_and_spans():
    s = IntervalSet([(0, 5), (10, 15), (20, 25)])
    s.remove(3, 22)
    assert list(s) == [(0, 3), (22, 25)]
    s.remove(0, 3)
    assert list(s) == [(22, 25)]
    s.remove(24, 30)
    assert list(s) == [(22, 24)]
    s.remove(24, 30)
    assert list(s) == [(22, 24)]


def test_remove_touching_does_nothing():
    s = IntervalSet([(5, 10)])
    s.remove(0, 5)
    s.remove(10, 12)
    assert list(s) == [(5, 10)]


def test_remove_validation_and_empty():
    s = IntervalSet([(0, 3)])
    with pytest.raises(ValueError):
        s.remove(2, 1)
    s.remove(1, 1)
    assert list(s) == [(0, 3)]


def test_overlaps():
    s = IntervalSet([(5, 10)])
    assert s.overlaps(0, 6) is True
    assert s.overlaps(9, 20) is True
    assert s.overlaps(6, 7) is True
    assert s.overlaps(0, 5) is False
    assert s.overlaps(10, 12) is False
    assert s.overlaps(7, 7) is False
    assert s.overlaps(20, 30) is False


def test_union_and_intersection():
    a = IntervalSet([(0, 5), (10, 15)])
    b = IntervalSet([(3, 12), (20, 22)])
    assert list(a.union(b)) == [(0, 15), (20, 22)]
    assert list(a.intersection(b)) == [(3, 5), (10, 12)]
    assert list(a) == [(0, 5), (10, 15)]
    assert list(IntervalSet([(0, 5)]).intersection(IntervalSet([(5, 8)]))) == []
    assert list(IntervalSet([(0, 4), (6, 9)]).intersection(IntervalSet([(0, 9)]))) == [(0, 4), (6, 9)]


def test_gaps():
    s = IntervalSet([(2, 4), (6, 8)])
    assert s.gaps(0, 10) == [(0, 2), (4, 6), (8, 10)]
    assert s.gaps(3, 7) == [(4, 6)]
    assert s.gaps(2, 4) == []
    assert s.gaps(4, 6) == [(4, 6)]
    assert IntervalSet().gaps(1, 3) == [(1, 3)]
    assert IntervalSet([(0, 10)]).gaps(2, 5) == []


def test_equality():
    assert IntervalSet([(1, 3), (3, 5)]) == IntervalSet([(1, 5)])
    assert IntervalSet([(1, 3)]) != IntervalSet([(1, 4)])
    assert IntervalSet([(1, 3)]) != [(1, 3)]


def test_random_against_a_python_set():
    rng = random.Random(11)
    s = IntervalSet()
    model = set()
    for _ in range(300):
        a = rng.randint(0, 50)
        b = a + rng.randint(0, 8)
        if rng.random() < 0.6:
            s.add(a, b)
            model |= set(range(a, b))
        else:
            s.remove(a, b)
            model -= set(range(a, b))
        assert members(s) == model
        assert len(s) == len(model)
        pairs = list(s)
        assert all(e1 < s2 for (_, e1), (s2, _) in zip(pairs, pairs[1:]))
