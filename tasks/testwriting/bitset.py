"""A fixed-size set of small non-negative integers stored as bits of one Python int, with set
algebra, ranking, and conversion to and from bit strings."""


class BitSet:
    def __init__(self, size, members=()):
        if size < 0:
            raise ValueError("size cannot be negative")
        self.size = size
        self._bits = 0
        for m in members:
            self.add(m)

    def _check(self, index):
        if not isinstance(index, int) or not 0 <= index < self.size:
            raise IndexError(f"index {index!r} outside 0..{self.size - 1}")

    def add(self, index):
        self._check(index)
        self._bits |= 1 << index

    def discard(self, index):
        self._check(index)
        self._bits &= ~(1 << index)

    def toggle(self, index):
        self._check(index)
        self._bits ^= 1 << index

    def __contains__(self, index):
        return isinstance(index, int) and 0 <= index < self.size and bool(self._bits >> index & 1)

    def __len__(self):
        return bin(self._bits).count("1")

    def __iter__(self):
        bits, index = self._bits, 0
        while bits:
            if bits & 1:
                yield index
            bits >>= 1
            index += 1

    def _same_size(self, other):
        if self.size != other.size:
            raise ValueError("bit sets differ in size")

    def _with_bits(self, bits):
        result = BitSet(self.size)
        result._bits = bits
        return result

    def __or__(self, other):
        self._same_size(other)
        return self._with_bits(self._bits | other._bits)

    def __and__(self, other):
        self._same_size(other)
        return self._with_bits(self._bits & other._bits)

    def __sub__(self, other):
        self._same_size(other)
        return self._with_bits(self._bits & ~other._bits)

    def __xor__(self, other):
        self._same_size(other)
        return self._with_bits(self._bits ^ other._bits)

    def complement(self):
        return self._with_bits(~self._bits & ((1 << self.size) - 1))

    def __eq__(self, other):
        return isinstance(other, BitSet) and (self.size, self._bits) == (other.size, other._bits)

    def issubset(self, other):
        self._same_size(other)
        return self._bits & ~other._bits == 0

    def rank(self, index):
        """How many members are smaller than `index`."""
        return bin(self._bits & ((1 << index) - 1)).count("1")

    def select(self, k):
        """The k-th smallest member (0-based)."""
        for position, member in enumerate(self):
            if position == k:
                return member
        raise IndexError(f"bit set has no member number {k}")

    def to_string(self):
        """Bit 0 first: BitSet(4, {0, 2}) is '1010'."""
        return "".join("1" if i in self else "0" for i in range(self.size))

    @classmethod
    def from_string(cls, text):
        if any(c not in "01" for c in text):
            raise ValueError(f"not a bit string: {text!r}")
        return cls(len(text), (i for i, c in enumerate(text) if c == "1"))
