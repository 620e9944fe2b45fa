"""A least-recently-used cache with a fixed capacity and hit/miss statistics."""

from collections import OrderedDict

_MISSING = object()


class LRUCache:
    """Maps keys to values, evicting the least recently used entry when full.

    Both `get` and `put` count as a use of the key. `on_evict`, if given, is called with
    `(key, value)` for every entry pushed out by capacity (not for explicit deletes).
    """

    def __init__(self, capacity, on_evict=None):
        if not isinstance(capacity, int) or isinstance(capacity, bool):
            raise TypeError("capacity must be an int")
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        self._data = OrderedDict()
        self._on_evict = on_evict
        self.hits = 0
        self.misses = 0

    def __len__(self):
        return len(self._data)

    def __contains__(self, key):
        # Membership tests do not count as a use.
        return key in self._data

    def get(self, key, default=None):
        value = self._data.get(key, _MISSING)
        if value is _MISSING:
            self.misses += 1
            return default
        self.hits += 1
        self._data.move_to_end(key)
        return value

    def put(self, key, value):
        if key in self._data:
            self._data.move_to_end(key)
            self._data[key] = value
            return
        self._data[key] = value
        while len(self._data) > self.capacity:
            old_key, old_value = self._data.popitem(last=False)
            if self._on_evict is not None:
                self._on_evict(old_key, old_value)

    def delete(self, key):
        """Remove `key`; returns whether it was present."""
        if key not in self._data:
            return False
        del self._data[key]
        return True

    def peek(self, key, default=None):
        """The value of `key` without marking it used or touching the statistics."""
        return self._data.get(key, default)

    def keys(self):
        """Keys from least to most recently used."""
        return list(self._data)

    def resize(self, capacity):
        """Change the capacity, evicting least recently used entries if it shrinks."""
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        while len(self._data) > capacity:
            old_key, old_value = self._data.popitem(last=False)
            if self._on_evict is not None:
                self._on_evict(old_key, old_value)

    def hit_rate(self):
        total = self.hits + self.misses
        if total == 0:
            return 0.0
        return self.hits / total

    def clear(self):
        self._data.clear()
        self.hits = 0
        self.misses = 0
