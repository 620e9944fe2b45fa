//! The Wilson score interval for a binomial proportion.
//!
//! Chosen over the textbook (Wald) interval because evalrun's counts are small and its pass rates
//! are often near 0 or 1, where the Wald interval collapses to a point or leaves `[0, 1]`; the
//! Wilson interval keeps close to its nominal coverage there (Brown, Cai & DasGupta 2001,
//! *Interval Estimation for a Binomial Proportion*).

/// The standard normal quantile of 0.975: a two-sided 95% interval.
pub const Z_95: f64 = 1.959_963_984_540_054;

/// The Wilson score interval `(low, high)` for `successes` out of `trials` at normal quantile
/// `z`. `None` when there are no trials or more successes than trials.
pub fn wilson_interval(successes: u64, trials: u64, z: f64) -> Option<(f64, f64)> {
    if trials == 0 || successes > trials {
        return None;
    }
    let n = trials as f64;
    let p = successes as f64 / n;
    let z2 = z * z;
    let denominator = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denominator;
    let half = z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denominator;
    // Clamp rounding at the ends: at p = 0 the lower bound is exactly 0 (and 1 at p = 1).
    Some(((centre - half).max(0.0), (centre + half).min(1.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_interval(successes: u64, trials: u64, want: (f64, f64)) {
        let (low, high) = wilson_interval(successes, trials, Z_95).unwrap();
        assert!(
            (low - want.0).abs() < 1e-12 && (high - want.1).abs() < 1e-12,
            "{successes}/{trials}: got ({low}, {high}), want {want:?}"
        );
    }

    /// Reference values from statsmodels 0.15 (`proportion_confint(x, n, alpha=0.05,
    /// method="wilson")`), printed with `repr`.
    #[test]
    fn matches_statsmodels() {
        assert_interval(100, 164, (0.5334033189423291, 0.6810848072509672));
        assert_interval(0, 10, (0.0, 0.27753279986288926));
        assert_interval(10, 10, (0.7224672001371106, 1.0));
        assert_interval(1, 3, (0.06149194472039626, 0.7923403991979523));
        assert_interval(81, 263, (0.2552885198782742, 0.36620957698280004));
    }

    #[test]
    fn contains_the_estimate_and_narrows_with_more_trials() {
        for (x, n) in [(1, 2), (5, 20), (50, 200), (500, 2000)] {
            let (low, high) = wilson_interval(x, n, Z_95).unwrap();
            assert!(low < 0.25_f64.max(x as f64 / n as f64) && x as f64 / n as f64 <= high);
        }
        let width = |x, n| {
            let (low, high) = wilson_interval(x, n, Z_95).unwrap();
            high - low
        };
        assert!(width(5, 20) > width(50, 200) && width(50, 200) > width(500, 2000));
    }

    #[test]
    fn undefined_without_trials() {
        assert_eq!(wilson_interval(0, 0, Z_95), None);
        assert_eq!(wilson_interval(3, 2, Z_95), None);
    }
}
