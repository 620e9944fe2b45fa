import math
import statistics

import pytest

import stats_summary as st

DATA = [2, 4, 4, 4, 5, 5, 7, 9]


def test_mean_and_median():
    assert st.mean(DATA) == 5
    assert st.median(DATA) == 4.5
    assert st.median([3, 1, 2]) == 2
    assert st.median([5]) == 5
    assert st.mean([1.5, 2.5]) == 2.0


def test_empty_and_nan():
    for f in (st.mean, st.median, st.variance, st.zscores, st.outliers):
        with pytest.raises(ValueError):
            f([])
    with pytest.raises(ValueError, match="NaN"):
        st.mean([1, float("nan")])
    with pytest.raises(ValueError, match="no data"):
        st.modes([])


def test_modes():
    assert st.modes(DATA) == [4]
    assert st.modes([1, 2, 2, 3, 3]) == [2, 3]
    assert st.modes(["b", "a"]) == ["a", "b"]


def test_variance_and_stdev_match_statistics():
    assert st.variance(DATA) == pytest.approx(statistics.variance(DATA))
    assert st.stdev(DATA) == pytest.approx(statistics.stdev(DATA))
    assert st.variance([1, 3]) == 2
    with pytest.raises(ValueError):
        st.variance([1])


@pytest.mark.parametrize("p,expected", [(0, 2), (100, 9), (50, 4.5), (25, 4), (75, 5.5), (90, 7.6), (10, 3.4)])
def test_percentile(p, expected):
    assert st.percentile(DATA, p) == pytest.approx(expected)


def test_percentile_validation():
    for bad in (-1, 101):
        with pytest.raises(ValueError):
            st.percentile(DATA, bad)
    assert st.percentile([7], 30) == 7


def test_zscores():
    z = st.zscores([1, 2, 3])
    assert z == pytest.approx([-1, 0, 1])
    with pytest.raises(ValueError, match="equal"):
        st.zscores([4, 4, 4])


def test_outliers():
    assert st.outliers([1, 2, 3, 4, 5, 100]) == [100]
    assert st.outliers([-50, 10, 11, 12, 13]) == [-50]
    assert st.outliers([1, 2, 3, 4, 5]) == []
    assert st.outliers([1, 2, 3, 4, 10], k=1.0) == [10]
    assert st.outliers([1, 2, 3, 4, 8]) == [8]


def test_outliers_boundary_is_inclusive():
    # Q1 = 2, Q3 = 4, IQR = 2: the fences are -1 and 7, and values on them are not outliers.
    assert st.outliers([-1, 2, 3, 4, 7]) == []
    assert st.outliers([-1.5, 2, 3, 4, 7.5]) == [-1.5, 7.5]
    assert st.outliers([0, 2, 3, 4, 7.05]) == [7.05]


def test_histogram():
    assert st.histogram([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 2) == [5, 6]
    assert st.histogram([1, 2, 3], 3, low=0, high=3) == [0, 1, 2]
    assert st.histogram([-5, 1, 50], 2, low=0, high=10) == [1, 0]
    assert st.histogram([0, 10], 5, low=0, high=10) == [1, 0, 0, 0, 1]
    assert st.histogram([2.5], 4, low=0, high=10) == [0, 1, 0, 0]
    assert st.histogram([11, 12, 15, 19], 2, low=10, high=20) == [2, 2]


def test_histogram_validation():
    with pytest.raises(ValueError):
        st.histogram([1, 2], 0)
    with pytest.raises(ValueError, match="empty range"):
        st.histogram([3, 3], 2)
    with pytest.raises(ValueError):
        st.histogram([1], 2, low=5, high=5)
