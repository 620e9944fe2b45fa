import pytest

from rate_limiter import KeyedLimiter, SlidingWindow, TokenBucket


class Clock:
    def __init__(self, now=1000.0):
        self.now = now

    def __call__(self):
        return self.now


def test_bucket_validation():
    clock = Clock()
    for rate, cap in [(0, 1), (1, 0), (-1, 5)]:
        with pytest.raises(ValueError):
            TokenBucket(rate, cap, clock)
    b = TokenBucket(1, 2, clock)
    with pytest.raises(ValueError):
        b.try_acquire(0)
    with pytest.raises(ValueError):
        b.try_acquire(3)
    assert b.try_acquire(2) is True


def test_bucket_starts_full_and_drains():
    clock = Clock()
    b = TokenBucket(rate=2, capacity=3, clock=clock)
    assert b.tokens() == 3
    assert [b.try_acquire() for _ in range(4)] == [True, True, True, False]


def test_bucket_refills_at_rate_up_to_capacity():
    clock = Clock()
    b = TokenBucket(rate=2, capacity=3, clock=clock)
    assert b.try_acquire(3)
    clock.now += 0.5
    assert b.tokens() == pytest.approx(1)
    clock.now += 10
    assert b.tokens() == 3


def test_bucket_never_takes_part_of_a_request():
    clock = Clock()
    b = TokenBucket(rate=1, capacity=5, clock=clock)
    b.try_acquire(4)
    assert b.try_acquire(2) is False
    assert b.tokens() == pytest.approx(1)
    assert b.try_acquire(1) is True


def test_bucket_ignores_clock_going_backwards():
    clock = Clock()
    b = TokenBucket(rate=1, capacity=5, clock=clock)
    b.try_acquire(5)
    clock.now -= 10
    assert b.tokens() == 0
    clock.now += 1
    assert b.tokens() == pytest.approx(1)


def test_bucket_wait_time():
    clock = Clock()
    b = TokenBucket(rate=4, capacity=4, clock=clock)
    assert b.wait_time() == 0.0
    b.try_acquire(4)
    assert b.wait_time() == pytest.approx(0.25)
    assert b.wait_time(2) == pytest.approx(0.5)
    clock.now += 0.25
    assert b.wait_time() == 0.0


def test_window_validation():
    for limit, window in [(0, 1), (1, 0)]:
        with pytest.raises(ValueError):
            SlidingWindow(limit, window, Clock())
    SlidingWindow(1, 0.5, Clock())


def test_window_limits_events():
    clock = Clock()
    w = SlidingWindow(limit=2, window=10, clock=clock)
    assert w.remaining() == 2
    assert w.allow() is True
    assert w.allow() is True
    assert w.allow() is False
    assert w.remaining() == 0


def test_window_slides():
    clock = Clock()
    w = SlidingWindow(limit=2, window=10, clock=clock)
    w.allow()
    clock.now += 4
    w.allow()
    assert w.reset_in() == pytest.approx(6)
    clock.now += 5.9
    assert not w.allow()
    clock.now += 0.1  # the first event is exactly one window old: it no longer counts
    assert w.remaining() == 1
    assert w.allow()
    assert w.reset_in() == pytest.approx(4)


def test_window_allow_forgets_old_events():
    clock = Clock()
    w = SlidingWindow(limit=1, window=10, clock=clock)
    assert w.allow() is True
    clock.now += 10
    assert w.allow() is True


def test_window_reset_in_when_free():
    w = SlidingWindow(limit=1, window=10, clock=Clock())
    assert w.reset_in() == 0.0


def test_keyed_limiter_with_windows():
    clock = Clock()
    k = KeyedLimiter(lambda: SlidingWindow(1, 60, clock))
    assert k.allow("alice")
    assert not k.allow("alice")
    assert k.allow("bob")
    assert k.keys() == ["alice", "bob"]


def test_keyed_limiter_with_buckets():
    clock = Clock()
    made = []

    def factory():
        made.append(1)
        return TokenBucket(1, 2, clock)

    k = KeyedLimiter(factory)
    assert [k.allow("ip") for _ in range(3)] == [True, True, False]
    assert len(made) == 1
    assert k.keys() == ["ip"]
