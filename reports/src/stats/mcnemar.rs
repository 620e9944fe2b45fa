//! The exact McNemar test on paired per-task outcomes (the exact sign test).
//!
//! Two runs over the same tasks are paired: each task either changed for the worse, changed for
//! the better, or did not change. Tasks that did not change say nothing about which run is
//! better and are left out; under "no difference" each changed task is equally likely to have
//! gone either way, so the number that got worse is Binomial(changed, 1/2). The two-sided p-value
//! is `min(1, 2 * P(X <= min(worse, better)))`, as statsmodels' `mcnemar(table, exact=True)`.
//!
//! With one sample per task this is McNemar's exact test on the 2x2 table of pass/fail; with
//! several samples per task (or several runs per side) a task's "outcome" is its pass rate and
//! the same test is the exact sign test on the per-task differences, which McNemar's test is a
//! special case of.

/// How paired per-task outcomes changed from one run to the other, and how likely such a split
/// is without a real difference.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct McNemar {
    /// Tasks whose outcome got worse (`b` of the 2x2 table).
    pub worse: u64,
    /// Tasks whose outcome got better (`c` of the 2x2 table).
    pub better: u64,
    /// Two-sided exact p-value.
    pub p_value: f64,
}

impl McNemar {
    pub fn new(worse: u64, better: u64) -> Self {
        McNemar { worse, better, p_value: exact_p_value(worse, better) }
    }

    /// Tallies paired outcomes (`(before, after)`, each a pass rate in 0..=1).
    pub fn from_pairs(pairs: impl IntoIterator<Item = (f64, f64)>) -> Self {
        let (mut worse, mut better) = (0, 0);
        for (before, after) in pairs {
            if after < before {
                worse += 1;
            } else if after > before {
                better += 1;
            }
        }
        McNemar::new(worse, better)
    }
}

/// Two-sided exact McNemar p-value for `worse` and `better` discordant pairs.
pub fn exact_p_value(worse: u64, better: u64) -> f64 {
    let n = worse + better;
    if n == 0 {
        return 1.0;
    }
    (2.0 * binomial_half_cdf(worse.min(better), n)).min(1.0)
}

/// `P(X <= k)` for `X ~ Binomial(n, 1/2)`, summed in log space so that large `n` (where
/// `0.5^n` underflows) stays exact to rounding.
fn binomial_half_cdf(k: u64, n: u64) -> f64 {
    let ln_half_n = n as f64 * 0.5_f64.ln();
    // ln C(n, i), built up term by term: C(n, i) = C(n, i-1) * (n-i+1) / i.
    let mut ln_choose = 0.0;
    let mut terms = Vec::with_capacity(k as usize + 1);
    for i in 0..=k {
        if i > 0 {
            ln_choose += ((n - i + 1) as f64).ln() - (i as f64).ln();
        }
        terms.push(ln_choose + ln_half_n);
    }
    let max = terms.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let sum: f64 = terms.iter().map(|t| (t - max).exp()).sum();
    (max + sum.ln()).exp().min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(got: f64, want: f64) -> bool {
        (got - want).abs() <= 1e-10 * want
    }

    #[test]
    fn small_counts_by_hand() {
        // All 10 changed tasks got worse: 2 * 0.5^10.
        assert_eq!(exact_p_value(10, 0), 2.0 / 1024.0);
        // 2 of 2 worse: 2 * 0.25 = 0.5, far from significant.
        assert_eq!(exact_p_value(2, 0), 0.5);
        // 5 worse, 1 better: 2 * (1 + 6) / 64.
        assert!(close(exact_p_value(5, 1), 14.0 / 64.0));
        // Symmetric, and capped at 1.
        assert_eq!(exact_p_value(1, 5), exact_p_value(5, 1));
        assert_eq!(exact_p_value(3, 3), 1.0);
        assert_eq!(exact_p_value(0, 0), 1.0);
        assert_eq!(exact_p_value(1, 0), 1.0);
    }

    /// Reference values from statsmodels 0.15 (`mcnemar([[a, b], [c, d]], exact=True).pvalue`,
    /// printed with `repr`), which scipy 1.17's `binomtest(b, b + c).pvalue` agrees with.
    #[test]
    fn matches_statsmodels() {
        for (worse, better, want) in [
            (12, 3, 0.03515625),
            (59, 35, 0.017209595585930455),
            (20, 12, 0.21532714972272515),
            (150, 100, 0.0018833009350761602),
            (1000, 1100, 0.03072070786424249),
            (2400, 2600, 0.004883649737517494),
        ] {
            let got = exact_p_value(worse, better);
            assert!(close(got, want), "({worse}, {better}): got {got:e}, want {want:e}");
        }
    }

    #[test]
    fn huge_counts_do_not_underflow() {
        // 0.5^5000 underflows f64 (see (2400, 2600) above); ties stay at 1.
        assert_eq!(exact_p_value(2500, 2500), 1.0);
    }

    #[test]
    fn tallies_pairs() {
        let m =
            McNemar::from_pairs([(1.0, 0.0), (1.0, 1.0), (0.0, 1.0), (0.5, 0.25), (0.0, 0.0), (1.0, 0.0)]);
        assert_eq!((m.worse, m.better), (3, 1));
        assert_eq!(m.p_value, exact_p_value(3, 1));
    }
}
