//! Quantiles and the summary of a set of repeated measurements.

use serde::{Deserialize, Serialize};

/// The `q`-quantile (`0 <= q <= 1`) of ascending `sorted` values, interpolating linearly between
/// the two nearest ranks (Hyndman & Fan's type 7, the default of numpy and R). `None` when empty.
pub fn quantile(sorted: &[f64], q: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let position = q.clamp(0.0, 1.0) * last as f64;
    let below = position.floor() as usize;
    let above = position.ceil() as usize;
    let fraction = position - below as f64;
    Some(sorted[below] + (sorted[above] - sorted[below]) * fraction)
}

/// The median of ascending `sorted` values.
pub fn median(sorted: &[f64]) -> Option<f64> {
    quantile(sorted, 0.5)
}

/// Finite values of `values`, ascending.
pub fn sorted_finite(values: impl IntoIterator<Item = f64>) -> Vec<f64> {
    let mut sorted: Vec<f64> = values.into_iter().filter(|v| v.is_finite()).collect();
    sorted.sort_by(f64::total_cmp);
    sorted
}

/// Location and spread of repeated measurements of one quantity (per-sample tokens/s, latency).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Distribution {
    /// Number of measurements.
    pub n: usize,
    pub mean: f64,
    pub min: f64,
    /// 10th, 25th, 50th, 75th and 90th percentiles.
    pub p10: f64,
    pub q1: f64,
    pub median: f64,
    pub q3: f64,
    pub p90: f64,
    pub max: f64,
}

impl Distribution {
    /// Summary of the finite `values`; `None` when there is none.
    pub fn of(values: impl IntoIterator<Item = f64>) -> Option<Distribution> {
        let sorted = sorted_finite(values);
        let at = |q| quantile(&sorted, q);
        Some(Distribution {
            n: sorted.len(),
            mean: sorted.iter().sum::<f64>() / sorted.len().max(1) as f64,
            min: *sorted.first()?,
            p10: at(0.1)?,
            q1: at(0.25)?,
            median: at(0.5)?,
            q3: at(0.75)?,
            p90: at(0.9)?,
            max: *sorted.last()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reference values from numpy 2.4 (`np.quantile(x, q)`, default linear method).
    #[test]
    fn quantiles_match_numpy() {
        let x = sorted_finite([3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0]);
        assert_eq!(quantile(&x, 0.0), Some(1.0));
        assert_eq!(quantile(&x, 1.0), Some(9.0));
        assert_eq!(median(&x), Some(3.5));
        assert!((quantile(&x, 0.25).unwrap() - 1.75).abs() < 1e-12);
        assert!((quantile(&x, 0.9).unwrap() - 6.9).abs() < 1e-12);
        assert_eq!(median(&[7.0]), Some(7.0));
        assert_eq!(median(&[]), None);
    }

    #[test]
    fn distribution_skips_non_finite_values() {
        let d = Distribution::of([2.0, f64::NAN, 1.0, 3.0, f64::INFINITY]).unwrap();
        assert_eq!((d.n, d.min, d.median, d.max, d.mean), (3, 1.0, 2.0, 3.0, 2.0));
        assert_eq!((d.q1, d.q3), (1.5, 2.5));
        assert!(Distribution::of([f64::NAN]).is_none());
        assert!(Distribution::of(std::iter::empty()).is_none());
    }
}
