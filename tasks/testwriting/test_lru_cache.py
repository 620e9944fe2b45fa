import pytest

from lru_cache import LRUCache


def test_rejects_bad_capacity():
    with pytest.raises(ValueError):
        LRUCache(0)
    with pytest.raises(TypeError):
        LRUCache(2.5)
    with pytest.raises(TypeError):
        LRUCache(True)
    assert LRUCache(1).capacity == 1


def test_get_and_put():
    c = LRUCache(2)
    assert c.get("a") is None
    assert c.get("a", 7) == 7
    c.put("a", 1)
    assert c.get("a") == 1
    assert len(c) == 1
    assert "a" in c and "b" not in c


def test_evicts_least_recently_used():
    evicted = []
    c = LRUCache(2, on_evict=lambda k, v: evicted.append((k, v)))
    c.put("a", 1)
    c.put("b", 2)
    c.get("a")
    c.put("c", 3)
    assert evicted == [("b", 2)]
    assert c.keys() == ["a", "c"]
    assert len(c) == 2


def test_put_existing_key_updates_and_refreshes_without_eviction():
    evicted = []
    c = LRUCache(2, on_evict=lambda k, v: evicted.append(k))
    c.put("a", 1)
    c.put("b", 2)
    c.put("a", 10)
    assert evicted == []
    assert c.keys() == ["b", "a"]
    assert c.peek("a") == 10
    c.put("c", 3)
    assert evicted == ["b"]


def test_eviction_without_callback():
    c = LRUCache(1)
    c.put("a", 1)
    c.put("b", 2)
    assert c.keys() == ["b"]


def test_stats_and_hit_rate():
    c = LRUCache(2)
    assert c.hit_rate() == 0.0
    c.put("a", 1)
    c.get("a")
    c.get("a")
    c.get("x")
    assert (c.hits, c.misses) == (2, 1)
    assert c.hit_rate() == pytest.approx(2 / 3)


def test_peek_and_contains_do_not_count_as_use():
    c = LRUCache(2)
    c.put("a", 1)
    c.put("b", 2)
    assert c.peek("a") == 1
    assert c.peek("zz", "d") == "d"
    assert "a" in c
    assert (c.hits, c.misses) == (0, 0)
    c.put("c", 3)
    assert c.keys() == ["b", "c"]


def test_delete():
    c = LRUCache(2)
    c.put("a", 1)
    assert c.delete("a") is True
    assert c.delete("a") is False
    assert len(c) == 0


def test_delete_does_not_call_on_evict():
    evicted = []
    c = LRUCache(2, on_evict=lambda k, v: evicted.append(k))
    c.put("a", 1)
    c.delete("a")
    assert evicted == []


def test_resize_shrinks_from_the_lru_end():
    evicted = []
    c = LRUCache(3, on_evict=lambda k, v: evicted.append(k))
    for k in "abc":
        c.put(k, k.upper())
    c.resize(1)
    assert evicted == ["a", "b"]
    assert c.keys() == ["c"]
    assert c.capacity == 1
    with pytest.raises(ValueError):
        c.resize(0)


def test_resize_grow_keeps_entries():
    c = LRUCache(1)
    c.put("a", 1)
    c.resize(2)
    c.put("b", 2)
    assert c.keys() == ["a", "b"]


def test_resize_without_callback():
    c = LRUCache(2)
    c.put("a", 1)
    c.put("b", 2)
    c.resize(1)
    assert c.keys() == ["b"]


def test_clear_resets_everything():
    c = LRUCache(2)
    c.put("a", 1)
    c.get("a")
    c.get("b")
    c.clear()
    assert len(c) == 0
    assert (c.hits, c.misses) == (0, 0)


def test_falsy_values_are_hits():
    c = LRUCache(2)
    c.put("z", 0)
    c.put("n", None)
    assert c.get("z", 5) == 0
    assert c.get("n", 5) is None
    assert c.hits == 2
