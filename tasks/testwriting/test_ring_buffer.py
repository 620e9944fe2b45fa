import pytest

from ring_buffer import BufferFull, RingBuffer


def test_capacity_validation():
    with pytest.raises(ValueError):
        RingBuffer(0)
    assert RingBuffer(1).capacity == 1


def test_append_until_full():
    r = RingBuffer(3)
    assert len(r) == 0 and not r.is_full()
    r.extend([1, 2, 3])
    assert len(r) == 3 and r.is_full()
    assert r.to_list() == [1, 2, 3]


def test_overwrite_drops_the_oldest():
    r = RingBuffer(3)
    r.extend([1, 2, 3, 4, 5])
    assert r.to_list() == [3, 4, 5]
    assert r.dropped == 2
    assert len(r) == 3


def test_strict_mode_refuses():
    r = RingBuffer(2, overwrite=False)
    r.extend([1, 2])
    with pytest.raises(BufferFull, match="buffer of 2 is full"):
        r.append(3)
    assert r.to_list() == [1, 2]
    assert r.dropped == 0


def test_popleft_and_pop():
    r = RingBuffer(3)
    r.extend([1, 2, 3, 4])
    assert r.popleft() == 2
    assert r.pop() == 4
    assert r.to_list() == [3]
    r.extend([5, 6])
    assert r.to_list() == [3, 5, 6]
    assert r.pop() == 6
    assert r.popleft() == 3
    assert r.popleft() == 5
    assert len(r) == 0
    with pytest.raises(IndexError):
        r.pop()
    with pytest.raises(IndexError):
        r.popleft()


def test_wrap_around_many_times():
    r = RingBuffer(4)
    for i in range(50):
        r.append(i)
        if i % 3 == 0:
            r.popleft()
    assert r.to_list() == list(range(46, 50))[-len(r):]


def test_indexing():
    r = RingBuffer(3)
    r.extend("abcd")
    assert [r[0], r[1], r[2]] == ["b", "c", "d"]
    assert [r[-1], r[-3]] == ["d", "b"]
    for bad in (3, -4):
        with pytest.raises(IndexError):
            r[bad]


def test_clear():
    r = RingBuffer(2)
    r.extend([1, 2, 3])
    r.clear()
    assert len(r) == 0 and r.to_list() == []
    r.append(9)
    assert r.to_list() == [9]
    assert r[0] == 9


def test_mean():
    r = RingBuffer(3)
    with pytest.raises(ValueError):
        r.mean()
    r.extend([2, 4, 6, 8])
    assert r.mean() == 6


def test_latest():
    r = RingBuffer(4)
    r.extend(range(6))
    assert r.latest(2) == [4, 5]
    assert r.latest(10) == [2, 3, 4, 5]
    assert r.latest(0) == []
    with pytest.raises(ValueError):
        r.latest(-1)


def test_popped_slots_are_released():
    r = RingBuffer(2)
    r.extend([[1], [2]])
    r.pop()
    r.popleft()
    assert r._items == [None, None]
