import pytest

from bitset import BitSet


def test_construction():
    b = BitSet(8, [1, 3])
    assert b.size == 8
    assert list(b) == [1, 3]
    assert len(BitSet(0)) == 0
    with pytest.raises(ValueError):
        BitSet(-1)


def test_add_discard_toggle_contains():
    b = BitSet(10)
    b.add(0)
    b.add(9)
    b.add(9)
    assert list(b) == [0, 9]
    assert 0 in b and 9 in b and 5 not in b
    b.discard(9)
    b.discard(4)
    assert list(b) == [0]
    b.toggle(4)
    b.toggle(0)
    assert list(b) == [4]


def test_index_checks():
    b = BitSet(4)
    for bad in (-1, 4, 1.0, "1"):
        with pytest.raises(IndexError):
            b.add(bad)
    with pytest.raises(IndexError, match="outside 0..3"):
        b.discard(7)
    with pytest.raises(IndexError):
        b.toggle(4)
    b.add(3)
    assert 3 in b
    assert -1 not in b and 4 not in b and "3" not in b


def test_len_and_iter_order():
    b = BitSet(70, [69, 0, 33])
    assert len(b) == 3
    assert list(b) == [0, 33, 69]


def test_set_algebra():
    a = BitSet(6, [0, 1, 2])
    b = BitSet(6, [2, 3])
    assert list(a | b) == [0, 1, 2, 3]
    assert list(a & b) == [2]
    assert list(a - b) == [0, 1]
    assert list(a ^ b) == [0, 1, 3]
    assert list(a.complement()) == [3, 4, 5]
    assert list(a) == [0, 1, 2]
    assert (a | b).size == 6


def test_size_mismatch():
    a, b = BitSet(3), BitSet(4)
    for op in (lambda: a | b, lambda: a & b, lambda: a - b, lambda: a ^ b, lambda: a.issubset(b)):
        with pytest.raises(ValueError):
            op()


def test_equality_and_subset():
    assert BitSet(4, [1]) == BitSet(4, [1])
    assert BitSet(4, [1]) != BitSet(5, [1])
    assert BitSet(4, [1]) != BitSet(4, [2])
    assert BitSet(4, [1]) != {1}
    assert BitSet(4, [1]).issubset(BitSet(4, [1, 2])) is True
    assert BitSet(4, [1, 3]).issubset(BitSet(4, [1, 2])) is False
    assert BitSet(4).issubset(BitSet(4)) is True


def test_rank_and_select():
    b = BitSet(16, [2, 5, 11])
    assert [b.rank(i) for i in (0, 2, 3, 6, 12)] == [0, 0, 1, 2, 3]
    assert [b.select(k) for k in range(3)] == [2, 5, 11]
    with pytest.raises(IndexError):
        b.select(3)


def test_strings():
    assert BitSet(4, [0, 2]).to_string() == "1010"
    assert BitSet(3).to_string() == "000"
    b = BitSet.from_string("0110")
    assert b.size == 4 and list(b) == [1, 2]
    assert BitSet.from_string("").size == 0
    with pytest.raises(ValueError):
        BitSet.from_string("012")
