"""A small dense matrix of numbers: construction and validation, arithmetic, transpose,
determinant (by elimination with exact fractions), inverse, and power."""

from fractions import Fraction


class Matrix:
    def __init__(self, rows):
        rows = [list(r) for r in rows]
        if not rows or not rows[0]:
            raise ValueError("a matrix needs at least one row and one column")
        width = len(rows[0])
        if any(len(r) != width for r in rows):
            raise ValueError("rows have different lengths")
        self.rows = rows

    @classmethod
    def identity(cls, n):
        return cls([[1 if i == j else 0 for j in range(n)] for i in range(n)])

    @classmethod
    def zeros(cls, n, m):
        return cls([[0] * m for _ in range(n)])

    @property
    def shape(self):
        return len(self.rows), len(self.rows[0])

    def __getitem__(self, index):
        i, j = index
        return self.rows[i][j]

    def __eq__(self, other):
        return isinstance(other, Matrix) and self.rows == other.rows

    def __repr__(self):
        return f"Matrix({self.rows!r})"

    def _same_shape(self, other):
        if self.shape != other.shape:
            raise ValueError(f"shapes differ: {self.shape} vs {other.shape}")

    def __add__(self, other):
        self._same_shape(other)
        return Matrix([[a + b for a, b in zip(r, s)] for r, s in zip(self.rows, other.rows)])

    def __sub__(self, other):
        self._same_shape(other)
        return Matrix([[a - b for a, b in zip(r, s)] for r, s in zip(self.rows, other.rows)])

    def __mul__(self, other):
        if isinstance(other, Matrix):
            n, k = self.shape
            k2, m = other.shape
            if k != k2:
                raise ValueError(f"cannot multiply {self.shape} by {other.shape}")
            return Matrix([[sum(self.rows[i][t] * other.rows[t][j] for t in range(k)) for j in range(m)]
                           for i in range(n)])
        return Matrix([[a * other for a in r] for r in self.rows])

    __rmul__ = __mul__

    def transpose(self):
        return Matrix([list(col) for col in zip(*self.rows)])

    def _square(self):
        n, m = self.shape
        if n != m:
            raise ValueError("matrix is not square")
        return n

    def determinant(self):
        n = self._square()
        a = [[Fraction(x) for x in row] for row in self.rows]
        det = Fraction(1)
        for col in range(n):
            pivot = next((r for r in range(col, n) if a[r][col] != 0), None)
            if pivot is None:
                return 0
            if pivot != col:
                a[col], a[pivot] = a[pivot], a[col]
                det = -det
            det *= a[col][col]
            for r in range(col + 1, n):
                factor = a[r][col] / a[col][col]
                for c in range(col, n):
                    a[r][c] -= factor * a[col][c]
        return det

    def inverse(self):
        """Exact inverse (entries are Fractions) by Gauss-Jordan elimination."""
        n = self._square()
        a = [[Fraction(x) for x in row] + [Fraction(int(i == j)) for j in range(n)]
             for i, row in enumerate(self.rows)]
        for col in range(n):
            pivot = next((r for r in range(col, n) if a[r][col] != 0), None)
            if pivot is None:
                raise ValueError("matrix is singular")
            a[col], a[pivot] = a[pivot], a[col]
            p = a[col][col]
            a[col] = [x / p for x in a[col]]
            for r in range(n):
                if r != col and a[r][col] != 0:
                    f = a[r][col]
                    a[r] = [x - f * y for x, y in zip(a[r], a[col])]
        return Matrix([row[n:] for row in a])

    def __pow__(self, exponent):
        """Integer powers by repeated squaring; negative powers use the inverse."""
        n = self._square()
        if exponent < 0:
            return self.inverse() ** -exponent
        result = Matrix.identity(n)
        base = self
        while exponent:
            if exponent & 1:
                result = result * base
            base = base * base
            exponent >>= 1
        return result

    def trace(self):
        n = self._square()
        return sum(self.rows[i][i] for i in range(n))
