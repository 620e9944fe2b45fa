"""Descriptive statistics without numpy: mean, median, mode(s), sample variance and standard
deviation, percentiles by linear interpolation, z-scores, outliers by the IQR rule, and a
fixed-width histogram."""

import math


def _values(data):
    values = [float(x) for x in data]
    if not values:
        raise ValueError("no data")
    if any(math.isnan(v) for v in values):
        raise ValueError("data contains NaN")
    return values


def mean(data):
    values = _values(data)
    return sum(values) / len(values)


def median(data):
    values = sorted(_values(data))
    n = len(values)
    mid = n // 2
    if n % 2:
        return values[mid]
    return (values[mid - 1] + values[mid]) / 2


def modes(data):
    """Every most frequent value, sorted."""
    counts = {}
    for v in data:
        counts[v] = counts.get(v, 0) + 1
    if not counts:
        raise ValueError("no data")
    top = max(counts.values())
    return sorted(v for v, c in counts.items() if c == top)


def variance(data):
    """Sample variance (divides by n - 1)."""
    values = _values(data)
    if len(values) < 2:
        raise ValueError("variance needs at least two values")
    m = sum(values) / len(values)
    return sum((v - m) ** 2 for v in values) / (len(values) - 1)


def stdev(data):
    return math.sqrt(variance(data))


def percentile(data, p):
    """The p-th percentile (0..100), interpolating between closest ranks."""
    if not 0 <= p <= 100:
        raise ValueError("percentile must be in [0, 100]")
    values = sorted(_values(data))
    rank = (len(values) - 1) * p / 100
    low = math.floor(rank)
    high = math.ceil(rank)
    if low == high:
        return values[low]
    return values[low] + (values[high] - values[low]) * (rank - low)


def zscores(data):
    values = _values(data)
    m, s = mean(values), stdev(values)
    if s == 0:
        raise ValueError("all values are equal")
    return [(v - m) / s for v in values]


def outliers(data, k=1.5):
    """Values outside [Q1 - k*IQR, Q3 + k*IQR], in their original order."""
    values = _values(data)
    q1, q3 = percentile(values, 25), percentile(values, 75)
    spread = q3 - q1
    low, high = q1 - k * spread, q3 + k * spread
    return [v for v in values if v < low or v > high]


def histogram(data, bins, low=None, high=None):
    """Counts of values in `bins` equal-width bins over [low, high]; the last bin includes
    `high`; values outside are ignored."""
    if bins < 1:
        raise ValueError("need at least one bin")
    values = _values(data)
    low = min(values) if low is None else low
    high = max(values) if high is None else high
    if high <= low:
        raise ValueError("empty range")
    width = (high - low) / bins
    counts = [0] * bins
    for v in values:
        if v < low or v > high:
            continue
        index = min(int((v - low) / width), bins - 1)
        counts[index] += 1
    return counts
