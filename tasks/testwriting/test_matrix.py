from fractions import Fraction

import pytest

from matrix import Matrix

A = Matrix([[1, 2], [3, 4]])
B = Matrix([[0, 1], [1, 0]])


def test_construction_and_shape():
    m = Matrix([[1, 2, 3], [4, 5, 6]])
    assert m.shape == (2, 3)
    assert m[1, 2] == 6
    assert m[0, 0] == 1
    for bad in ([], [[]], [[1, 2], [3]]):
        with pytest.raises(ValueError):
            Matrix(bad)
    assert Matrix.identity(3).rows == [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
    assert Matrix.zeros(2, 3).rows == [[0, 0, 0], [0, 0, 0]]
    assert repr(B) == "Matrix([[0, 1], [1, 0]])"


def test_equality():
    assert A == Matrix([[1, 2], [3, 4]])
    assert A != B
    assert (A == [[1, 2], [3, 4]]) is False


def test_rows_are_copied():
    rows = [[1, 2]]
    m = Matrix(rows)
    rows[0][0] = 99
    assert m[0, 0] == 1


def test_add_sub():
    assert A + B == Matrix([[1, 3], [4, 4]])
    assert A - B == Matrix([[1, 1], [2, 4]])
    with pytest.raises(ValueError, match="shapes differ"):
        A + Matrix([[1, 2, 3]])
    with pytest.raises(ValueError):
        A - Matrix([[1], [2]])


def test_multiply():
    assert A * B == Matrix([[2, 1], [4, 3]])
    assert B * A == Matrix([[3, 4], [1, 2]])
    assert A * 2 == Matrix([[2, 4], [6, 8]])
    assert 3 * A == Matrix([[3, 6], [9, 12]])
    assert Matrix([[1, 2, 3]]) * Matrix([[1], [2], [3]]) == Matrix([[14]])
    assert Matrix([[1], [2]]) * Matrix([[3, 4]]) == Matrix([[3, 4], [6, 8]])
    with pytest.raises(ValueError, match="cannot multiply"):
        A * Matrix([[1, 2, 3]])


def test_transpose_and_trace():
    assert Matrix([[1, 2, 3], [4, 5, 6]]).transpose() == Matrix([[1, 4], [2, 5], [3, 6]])
    assert A.trace() == 5
    with pytest.raises(ValueError):
        Matrix([[1, 2]]).trace()


def test_determinant():
    assert A.determinant() == -2
    assert B.determinant() == -1
    assert Matrix([[2, 0, 0], [0, 3, 0], [0, 0, 4]]).determinant() == 24
    assert Matrix([[1, 2], [2, 4]]).determinant() == 0
    assert Matrix([[0, 2, 1], [1, 1, 1], [2, 1, 3]]).determinant() == -3
    assert Matrix([[5]]).determinant() == 5
    assert Matrix([[2, 1, 3], [4, 1, 1], [0, 5, 2]]).determinant() == 46
    with pytest.raises(ValueError, match="not square"):
        Matrix([[1, 2]]).determinant()


def test_inverse():
    inv = A.inverse()
    assert inv == Matrix([[-2, 1], [Fraction(3, 2), Fraction(-1, 2)]])
    assert A * inv == Matrix.identity(2)
    m = Matrix([[0, 2, 1], [1, 1, 1], [2, 1, 3]])
    assert m * m.inverse() == Matrix.identity(3)
    assert m.inverse() * m == Matrix.identity(3)
    with pytest.raises(ValueError, match="singular"):
        Matrix([[1, 2], [2, 4]]).inverse()


def test_power():
    fib = Matrix([[1, 1], [1, 0]])
    assert (fib ** 10)[0, 1] == 55
    assert fib ** 0 == Matrix.identity(2)
    assert fib ** 1 == fib
    assert A ** 2 == A * A
    assert A ** 3 == A * A * A
    assert A ** -1 == A.inverse()
    assert A ** -2 == A.inverse() * A.inverse()
    with pytest.raises(ValueError):
        Matrix([[1, 2]]) ** 2
