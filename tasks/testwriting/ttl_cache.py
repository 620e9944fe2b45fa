"""A cache whose entries expire a fixed time after they were written.

Time comes from an injectable clock (a zero-argument callable returning seconds), so expiry
can be tested without sleeping.
"""

import time


class TTLCache:
    def __init__(self, ttl, clock=time.monotonic, max_entries=None):
        if ttl <= 0:
            raise ValueError("ttl must be positive")
        if max_entries is not None and max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self.ttl = ttl
        self.max_entries = max_entries
        self._clock = clock
        self._entries = {}  # key -> (expires_at, value)

    def _alive(self, key, now):
        entry = self._entries.get(key)
        if entry is None:
            return False
        if entry[0] <= now:
            del self._entries[key]
            return False
        return True

    def set(self, key, value, ttl=None):
        """Store `value`; `ttl` overrides the cache's default for this entry."""
        ttl = self.ttl if ttl is None else ttl
        if ttl <= 0:
            raise ValueError("ttl must be positive")
        now = self._clock()
        if self.max_entries is not None and key not in self._entries:
            self.purge()
            if len(self._entries) >= self.max_entries:
                # Make room by dropping the entry closest to expiry.
                soonest = min(self._entries, key=lambda k: self._entries[k][0])
                del self._entries[soonest]
        self._entries[key] = (now + ttl, value)

    def get(self, key, default=None):
        if not self._alive(key, self._clock()):
            return default
        return self._entries[key][1]

    def __contains__(self, key):
        return self._alive(key, self._clock())

    def ttl_left(self, key):
        """Seconds until `key` expires, or None if it is absent or expired."""
        now = self._clock()
        if not self._alive(key, now):
            return None
        return self._entries[key][0] - now

    def touch(self, key):
        """Restart the entry's lifetime with the default ttl; returns whether it was alive."""
        now = self._clock()
        if not self._alive(key, now):
            return False
        self._entries[key] = (now + self.ttl, self._entries[key][1])
        return True

    def pop(self, key, default=None):
        if not self._alive(key, self._clock()):
            return default
        return self._entries.pop(key)[1]

    def purge(self):
        """Drop every expired entry; returns how many were dropped."""
        now = self._clock()
        expired = [k for k, (at, _) in self._entries.items() if at <= now]
        for k in expired:
            del self._entries[k]
        return len(expired)

    def __len__(self):
        self.purge()
        return len(self._entries)
