"""Rate limiters with an injectable clock: a token bucket (bursty, refills continuously) and a
sliding-window log (at most N events in any window of W seconds), plus per-key limiting."""

import time
from collections import deque


class TokenBucket:
    def __init__(self, rate, capacity, clock=time.monotonic):
        if rate <= 0 or capacity <= 0:
            raise ValueError("rate and capacity must be positive")
        self.rate = rate  # tokens per second
        self.capacity = capacity
        self._clock = clock
        self._tokens = float(capacity)
        self._updated = clock()

    def _refill(self):
        now = self._clock()
        elapsed = now - self._updated
        if elapsed > 0:
            self._tokens = min(self.capacity, self._tokens + elapsed * self.rate)
        self._updated = now

    def tokens(self):
        self._refill()
        return self._tokens

    def try_acquire(self, n=1):
        """Take `n` tokens if they are all there; never takes part of them."""
        if n <= 0:
            raise ValueError("n must be positive")
        if n > self.capacity:
            raise ValueError("n exceeds the bucket capacity")
        self._refill()
        if self._tokens >= n:
            self._tokens -= n
            return True
        return False

    def wait_time(self, n=1):
        """Seconds until `n` tokens will be available (0 if they are now)."""
        self._refill()
        missing = n - self._tokens
        if missing <= 0:
            return 0.0
        return missing / self.rate


class SlidingWindow:
    def __init__(self, limit, window, clock=time.monotonic):
        if limit < 1 or window <= 0:
            raise ValueError("limit must be >= 1 and window positive")
        self.limit = limit
        self.window = window
        self._clock = clock
        self._events = deque()

    def _expire(self, now):
        while self._events and self._events[0] <= now - self.window:
            self._events.popleft()

    def allow(self):
        now = self._clock()
        self._expire(now)
        if len(self._events) < self.limit:
            self._events.append(now)
            return True
        return False

    def remaining(self):
        self._expire(self._clock())
        return self.limit - len(self._events)

    def reset_in(self):
        """Seconds until another event would be allowed."""
        now = self._clock()
        self._expire(now)
        if len(self._events) < self.limit:
            return 0.0
        return self._events[0] + self.window - now


class KeyedLimiter:
    """One limiter per key (user, IP, ...), created on first use by `factory`."""

    def __init__(self, factory):
        self._factory = factory
        self._limiters = {}

    def allow(self, key):
        limiter = self._limiters.get(key)
        if limiter is None:
            limiter = self._limiters[key] = self._factory()
        if isinstance(limiter, TokenBucket):
            return limiter.try_acquire()
        return limiter.allow()

    def keys(self):
        return sorted(self._limiters)
