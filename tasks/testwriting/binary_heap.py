"""A priority queue on a binary min-heap, written out by hand: push, pop, peek, change the
priority of an item in place, remove an item, and stable order for equal priorities."""

import itertools


class PriorityQueue:
    def __init__(self):
        self._heap = []  # entries [priority, sequence, item]
        self._index = {}  # item -> position in the heap
        self._counter = itertools.count()

    def __len__(self):
        return len(self._heap)

    def __bool__(self):
        return bool(self._heap)

    def __contains__(self, item):
        return item in self._index

    def _less(self, i, j):
        a, b = self._heap[i], self._heap[j]
        return (a[0], a[1]) < (b[0], b[1])

    def _swap(self, i, j):
        heap = self._heap
        heap[i], heap[j] = heap[j], heap[i]
        self._index[heap[i][2]] = i
        self._index[heap[j][2]] = j

    def _sift_up(self, i):
        while i > 0:
            parent = (i - 1) // 2
            if not self._less(i, parent):
                break
            self._swap(i, parent)
            i = parent

    def _sift_down(self, i):
        n = len(self._heap)
        while True:
            smallest = i
            for child in (2 * i + 1, 2 * i + 2):
                if child < n and self._less(child, smallest):
                    smallest = child
            if smallest == i:
                return
            self._swap(i, smallest)
            i = smallest

    def push(self, item, priority):
        """Add `item`; an item already queued gets the new priority instead."""
        if item in self._index:
            self.update(item, priority)
            return
        self._heap.append([priority, next(self._counter), item])
        self._index[item] = len(self._heap) - 1
        self._sift_up(len(self._heap) - 1)

    def peek(self):
        if not self._heap:
            raise IndexError("peek from an empty queue")
        priority, _, item = self._heap[0]
        return item, priority

    def pop(self):
        """Remove and return `(item, priority)` with the smallest priority; among equal
        priorities, the item pushed first."""
        if not self._heap:
            raise IndexError("pop from an empty queue")
        return self._remove_at(0)

    def _remove_at(self, i):
        last = len(self._heap) - 1
        if i != last:
            self._swap(i, last)
        priority, _, item = self._heap.pop()
        del self._index[item]
        if i < len(self._heap):
            self._sift_down(i)
            self._sift_up(i)
        return item, priority

    def remove(self, item):
        if item not in self._index:
            raise KeyError(item)
        return self._remove_at(self._index[item])[1]

    def update(self, item, priority):
        i = self._index[item]
        old = self._heap[i][0]
        self._heap[i][0] = priority
        if priority < old:
            self._sift_up(i)
        else:
            self._sift_down(i)

    def priority(self, item):
        return self._heap[self._index[item]][0]

    def drain(self):
        """Pop everything, in order."""
        out = []
        while self._heap:
            out.append(self.pop())
        return out
