import pytest

from ttl_cache import TTLCache


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    return Clock()


def test_validation(clock):
    with pytest.raises(ValueError):
        TTLCache(0, clock)
    with pytest.raises(ValueError):
        TTLCache(-1, clock)
    with pytest.raises(ValueError):
        TTLCache(5, clock, max_entries=0)
    TTLCache(5, clock, max_entries=1)
    c = TTLCache(5, clock)
    with pytest.raises(ValueError):
        c.set("a", 1, ttl=0)


def test_entry_lives_until_ttl(clock):
    c = TTLCache(10, clock)
    c.set("a", 1)
    clock.now += 9.9
    assert c.get("a") == 1
    assert "a" in c
    clock.now += 0.1
    assert c.get("a") is None
    assert c.get("a", "gone") == "gone"
    assert "a" not in c


def test_per_entry_ttl(clock):
    c = TTLCache(10, clock)
    c.set("short", 1, ttl=2)
    c.set("long", 2)
    clock.now += 3
    assert "short" not in c
    assert c.get("long") == 2


def test_ttl_left(clock):
    c = TTLCache(10, clock)
    assert c.ttl_left("a") is None
    c.set("a", 1)
    clock.now += 4
    assert c.ttl_left("a") == pytest.approx(6)
    clock.now += 6
    assert c.ttl_left("a") is None


def test_touch_restarts_lifetime(clock):
    c = TTLCache(10, clock)
    c.set("a", 1, ttl=3)
    clock.now += 2
    assert c.touch("a") is True
    assert c.ttl_left("a") == pytest.approx(10)
    clock.now += 9
    assert c.get("a") == 1
    clock.now += 1
    assert c.touch("a") is False
    assert c.touch("never") is False


def test_pop(clock):
    c = TTLCache(10, clock)
    c.set("a", 1)
    assert c.pop("a") == 1
    assert c.pop("a", "x") == "x"
    c.set("b", 2)
    clock.now += 10
    assert c.pop("b") is None


def test_purge_and_len(clock):
    c = TTLCache(10, clock)
    c.set("a", 1, ttl=1)
    c.set("b", 2, ttl=5)
    c.set("c", 3, ttl=20)
    assert len(c) == 3
    clock.now += 5
    assert c.purge() == 2
    assert c.purge() == 0
    assert len(c) == 1
    clock.now += 15
    assert len(c) == 0


def test_expired_entry_is_removed_on_access(clock):
    c = TTLCache(1, clock)
    c.set("a", 1)
    clock.now += 1
    assert c.get("a") is None
    assert c._entries == {}


def test_max_entries_drops_soonest_expiring(clock):
    c = TTLCache(10, clock, max_entries=2)
    c.set("a", 1, ttl=5)
    c.set("b", 2, ttl=3)
    c.set("c", 3)
    assert "b" not in c
    assert c.get("a") == 1 and c.get("c") == 3
    assert len(c) == 2


def test_max_entries_prefers_purging_expired(clock):
    c = TTLCache(10, clock, max_entries=2)
    c.set("a", 1, ttl=1)
    c.set("b", 2, ttl=8)
    clock.now += 2
    c.set("c", 3)
    assert c.get("b") == 2 and c.get("c") == 3


def test_overwrite_does_not_evict(clock):
    c = TTLCache(10, clock, max_entries=2)
    c.set("a", 1)
    c.set("b", 2)
    c.set("a", 5)
    assert c.get("a") == 5 and c.get("b") == 2


def test_default_clock_is_monotonic():
    c = TTLCache(60)
    c.set("a", 1)
    assert c.get("a") == 1
