"""A set of integers stored as sorted, disjoint, non-adjacent half-open intervals [start, end).
Adding merges overlapping and touching intervals; removing can split one."""

import bisect


class IntervalSet:
    def __init__(self, intervals=()):
        self._starts = []
        self._ends = []
        for start, end in intervals:
            self.add(start, end)

    def __iter__(self):
        return iter(list(zip(self._starts, self._ends)))

    def __len__(self):
        """How many integers the set holds."""
        return sum(e - s for s, e in zip(self._starts, self._ends))

    def __eq__(self, other):
        return isinstance(other, IntervalSet) and list(self) == list(other)

    def __repr__(self):
        return f"IntervalSet({list(self)!r})"

    def add(self, start, end):
        if start > end:
            raise ValueError(f"empty interval [{start}, {end})")
        if start == end:
            return
        # Every interval that overlaps or touches [start, end) is merged into it.
        lo = bisect.bisect_left(self._ends, start)
        hi = bisect.bisect_right(self._starts, end)
        if lo < hi:
            start = min(start, self._starts[lo])
            end = max(end, self._ends[hi - 1])
        self._starts[lo:hi] = [start]
        self._ends[lo:hi] = [end]

    def remove(self, start, end):
        if start > end:
            raise ValueError(f"empty interval [{start}, {end})")
        if start == end:
            return
        lo = bisect.bisect_right(self._ends, start)
        hi = bisect.bisect_left(self._starts, end)
        if lo >= hi:
            return
        new_starts, new_ends = [], []
        if self._starts[lo] < start:
            new_starts.append(self._starts[lo])
            new_ends.append(start)
        if self._ends[hi - 1] > end:
            new_starts.append(end)
            new_ends.append(self._ends[hi - 1])
        self._starts[lo:hi] = new_starts
        self._ends[lo:hi] = new_ends

    def __contains__(self, value):
        i = bisect.bisect_right(self._starts, value) - 1
        return i >= 0 and value < self._ends[i]

    def overlaps(self, start, end):
        """Whether any integer of [start, end) is in the set."""
        if start >= end:
            return False
        i = bisect.bisect_right(self._ends, start)
        return i < len(self._starts) and self._starts[i] < end

    def union(self, other):
        result = IntervalSet(self)
        for s, e in other:
            result.add(s, e)
        return result

    def intersection(self, other):
        result = IntervalSet()
        a, b = list(self), list(other)
        i = j = 0
        while i < len(a) and j < len(b):
            start = max(a[i][0], b[j][0])
            end = min(a[i][1], b[j][1])
            if start < end:
                result.add(start, end)
            if a[i][1] < b[j][1]:
                i += 1
            else:
                j += 1
        return result

    def gaps(self, start, end):
        """The intervals of [start, end) that the set does not cover."""
        out = []
        cursor = start
        for s, e in self:
            if e <= cursor:
                continue
            if s >= end:
                break
            if s > cursor:
                out.append((cursor, s))
            cursor = max(cursor, e)
        if cursor < end:
            out.append((cursor, end))
        return out
