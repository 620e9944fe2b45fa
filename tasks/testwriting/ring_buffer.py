"""A fixed-capacity ring buffer: append overwrites the oldest item when full (or refuses, in
strict mode), pops from either end, indexing from the oldest item, and running statistics of
numeric contents."""


class BufferFull(Exception):
    pass


class RingBuffer:
    def __init__(self, capacity, overwrite=True):
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        self.overwrite = overwrite
        self._items = [None] * capacity
        self._start = 0  # index of the oldest item
        self._len = 0
        self.dropped = 0  # items lost to overwriting

    def __len__(self):
        return self._len

    def is_full(self):
        return self._len == self.capacity

    def append(self, item):
        if self.is_full():
            if not self.overwrite:
                raise BufferFull(f"buffer of {self.capacity} is full")
            self._items[self._start] = item
            self._start = (self._start + 1) % self.capacity
            self.dropped += 1
            return
        self._items[(self._start + self._len) % self.capacity] = item
        self._len += 1

    def extend(self, items):
        for item in items:
            self.append(item)

    def popleft(self):
        """Remove and return the oldest item."""
        if not self._len:
            raise IndexError("pop from an empty buffer")
        item = self._items[self._start]
        self._items[self._start] = None
        self._start = (self._start + 1) % self.capacity
        self._len -= 1
        return item

    def pop(self):
        """Remove and return the newest item."""
        if not self._len:
            raise IndexError("pop from an empty buffer")
        index = (self._start + self._len - 1) % self.capacity
        item = self._items[index]
        self._items[index] = None
        self._len -= 1
        return item

    def __getitem__(self, i):
        """Item `i` counted from the oldest; negative counts from the newest."""
        if i < 0:
            i += self._len
        if not 0 <= i < self._len:
            raise IndexError("ring buffer index out of range")
        return self._items[(self._start + i) % self.capacity]

    def __iter__(self):
        for i in range(self._len):
            yield self._items[(self._start + i) % self.capacity]

    def to_list(self):
        return list(self)

    def clear(self):
        self._items = [None] * self.capacity
        self._start = 0
        self._len = 0

    def mean(self):
        if not self._len:
            raise ValueError("mean of an empty buffer")
        return sum(self) / self._len

    def latest(self, n):
        """The newest `n` items, oldest first."""
        if n < 0:
            raise ValueError("n cannot be negative")
        n = min(n, self._len)
        return [self[i] for i in range(self._len - n, self._len)]
