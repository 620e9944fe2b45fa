import random

import pytest

from binary_heap import PriorityQueue


def test_empty_queue():
    q = PriorityQueue()
    assert len(q) == 0
    assert not q
    with pytest.raises(IndexError):
        q.pop()
    with pytest.raises(IndexError):
        q.peek()
    assert q.drain() == []


def test_pop_in_priority_order():
    q = PriorityQueue()
    for item, p in [("c", 3), ("a", 1), ("e", 5), ("b", 2), ("d", 4)]:
        q.push(item, p)
    assert len(q) == 5 and q
    assert q.peek() == ("a", 1)
    assert [q.pop() for _ in range(5)] == [("a", 1), ("b", 2), ("c", 3), ("d", 4), ("e", 5)]
    assert len(q) == 0


def test_equal_priorities_are_fifo():
    q = PriorityQueue()
    for item in "xyzw":
        q.push(item, 7)
    q.push("first", 1)
    assert [i for i, _ in q.drain()] == ["first", "x", "y", "z", "w"]


def test_matches_sorting_on_many_items():
    rng = random.Random(7)
    q = PriorityQueue()
    pairs = [(f"i{n}", rng.randint(0, 50)) for n in range(200)]
    for item, p in pairs:
        q.push(item, p)
    expected = sorted(pairs, key=lambda pair: pair[1])  # stable: push order among equals
    assert q.drain() == expected


def test_contains_and_priority():
    q = PriorityQueue()
    q.push("a", 4)
    assert "a" in q and "b" not in q
    assert q.priority("a") == 4
    q.pop()
    assert "a" not in q


def test_push_existing_item_updates_priority():
    q = PriorityQueue()
    q.push("a", 5)
    q.push("b", 3)
    q.push("a", 1)
    assert len(q) == 2
    assert q.pop() == ("a", 1)


def test_update_up_and_down():
    q = PriorityQueue()
    for n in range(10):
        q.push(n, n)
    q.update(9, -1)
    q.update(0, 100)
    q.update(5, 5)
    assert q.peek() == (9, -1)
    order = [item for item, _ in q.drain()]
    assert order == [9, 1, 2, 3, 4, 5, 6, 7, 8, 0]


def test_remove():
    q = PriorityQueue()
    for n in range(8):
        q.push(n, n * 10)
    assert q.remove(3) == 30
    assert q.remove(7) == 70
    assert q.remove(0) == 0
    with pytest.raises(KeyError):
        q.remove(3)
    assert [i for i, _ in q.drain()] == [1, 2, 4, 5, 6]


def test_remove_from_middle_keeps_heap_order():
    q = PriorityQueue()
    for item, p in [("a", 1), ("b", 10), ("c", 2), ("d", 11), ("e", 12), ("f", 3), ("g", 4)]:
        q.push(item, p)
    q.remove("d")
    q.remove("b")
    assert [p for _, p in q.drain()] == [1, 2, 3, 4, 12]


def test_random_operations_against_a_model():
    rng = random.Random(3)
    q = PriorityQueue()
    model = {}
    for step in range(400):
        action = rng.random()
        if action < 0.5 or not model:
            item = rng.randint(0, 30)
            p = rng.randint(0, 100)
            q.push(item, p)
            model[item] = p
        elif action < 0.7:
            item = rng.choice(sorted(model))
            assert q.remove(item) == model.pop(item)
        else:
            item, p = q.pop()
            assert p == min(model.values())
            assert model.pop(item) == p
        assert len(q) == len(model)
