//! The Wilcoxon signed-rank test on paired per-task figures (a test-writing task's mutation score
//! or line coverage in two runs).
//!
//! Each task gives a difference `after - before`. Tasks whose figure did not change are left
//! out (Wilcoxon's own handling of zeros, scipy's `zero_method="wilcox"`, as the McNemar test
//! leaves out unchanged tasks). The others are ranked by the size of their change, tied sizes
//! sharing the mean of their ranks, and the statistic is the sum of the ranks of the tasks that
//! got worse. Under "no real difference", a task's change is as likely to go either way by the
//! same amount (the two sides are exchangeable), so every one of the `2^n` assignments of signs
//! to the ranked sizes is equally likely: the p-value is computed exactly from that distribution,
//! conditional on the observed ranks (ties included), by counting rank sums rather than listing
//! assignments. Beyond [`EXACT_UP_TO`] changed tasks it uses the normal approximation with the
//! tie and continuity corrections, as scipy's `wilcoxon(method="approx", correction=True)`.
//!
//! Unlike the sign test it weighs how far each task moved: a 60-point fall on one task is not
//! cancelled by a 1-point rise on another. What it tests is a shift of the paired differences
//! (their symmetry about zero), not the difference of the means.

/// Largest number of changed pairs for which the p-value is exact; the work grows as `n^3`.
pub const EXACT_UP_TO: usize = 400;

/// Differences closer than this are equal (per-task means of fractions carry rounding).
const TOLERANCE: f64 = 1e-12;

/// How paired figures changed, and how likely such ranks are without a real difference.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SignedRank {
    /// Pairs whose figure fell, and rose; pairs that did not change are left out.
    pub worse: u64,
    pub better: u64,
    /// Sums of the ranks of the sizes of the changes over the pairs that fell, and rose.
    pub rank_sum_worse: f64,
    pub rank_sum_better: f64,
    /// Two-sided p-value.
    pub p_value: f64,
    /// `p_value` is exact; else it is the normal approximation.
    pub exact: bool,
}

impl SignedRank {
    /// Tests paired figures (`(before, after)`); non-finite values are left out.
    pub fn from_pairs(pairs: impl IntoIterator<Item = (f64, f64)>) -> Self {
        let changes: Vec<f64> = pairs
            .into_iter()
            .filter(|(b, a)| b.is_finite() && a.is_finite())
            .map(|(before, after)| after - before)
            .filter(|d| d.abs() > TOLERANCE)
            .collect();
        let (doubled, worse_doubled) = doubled_ranks(changes.clone());
        let total_doubled: u64 = doubled.iter().sum();
        let worse = changes.iter().filter(|d| **d < 0.0).count() as u64;
        let n = changes.len();
        let (p_value, exact) = if n == 0 {
            (1.0, true)
        } else if n <= EXACT_UP_TO {
            (exact_p_value(&doubled, worse_doubled), true)
        } else {
            (normal_p_value(&doubled, worse_doubled), false)
        };
        SignedRank {
            worse,
            better: n as u64 - worse,
            rank_sum_worse: worse_doubled as f64 / 2.0,
            rank_sum_better: (total_doubled - worse_doubled) as f64 / 2.0,
            p_value,
            exact,
        }
    }
}

/// Twice the rank of each change's size, ascending, and the sum of those of the negative changes.
/// Doubled ranks are whole numbers even for ties: a tie over ranks `a..=b` gets `a + b` each.
fn doubled_ranks(mut changes: Vec<f64>) -> (Vec<u64>, u64) {
    changes.sort_by(|x, y| x.abs().total_cmp(&y.abs()));
    let mut doubled = vec![0u64; changes.len()];
    let mut start = 0;
    while start < changes.len() {
        let mut end = start;
        while end + 1 < changes.len() && changes[end + 1].abs() - changes[start].abs() <= TOLERANCE {
            end += 1;
        }
        for rank in &mut doubled[start..=end] {
            *rank = (start + 1 + end + 1) as u64;
        }
        start = end + 1;
    }
    let worse = changes.iter().zip(&doubled).filter(|(d, _)| **d < 0.0).map(|(_, r)| r).sum();
    (doubled, worse)
}

/// Two-sided exact p-value of the doubled rank sum `observed`: twice the smaller tail of its
/// distribution over the equally likely sign assignments, capped at 1.
fn exact_p_value(doubled: &[u64], observed: u64) -> f64 {
    let total: u64 = doubled.iter().sum();
    // `probability[s]`: the chance that the ranks given a minus sign so far sum to `s`.
    let mut probability = vec![0.0f64; total as usize + 1];
    probability[0] = 1.0;
    let mut reach = 0usize;
    for &rank in doubled {
        let rank = rank as usize;
        reach += rank;
        for s in (0..=reach).rev() {
            let with = if s >= rank { probability[s - rank] } else { 0.0 };
            probability[s] = 0.5 * (probability[s] + with);
        }
    }
    let observed = observed as usize;
    let low: f64 = probability[..=observed].iter().sum();
    let high: f64 = probability[observed..].iter().sum();
    (2.0 * low.min(high)).min(1.0)
}

/// Two-sided p-value by the normal approximation, with the tie correction of the variance and a
/// continuity correction of half a rank.
fn normal_p_value(doubled: &[u64], observed: u64) -> f64 {
    let n = doubled.len() as f64;
    let mean = n * (n + 1.0) / 4.0;
    let mut variance = n * (n + 1.0) * (2.0 * n + 1.0) / 24.0;
    // Each group of t tied sizes removes (t^3 - t) / 48.
    let mut i = 0;
    while i < doubled.len() {
        let t = doubled[i..].iter().take_while(|&&r| r == doubled[i]).count();
        variance -= ((t * t * t - t) as f64) / 48.0;
        i += t;
    }
    let w = observed as f64 / 2.0;
    let distance = ((w - mean).abs() - 0.5).max(0.0);
    (erfc(distance / variance.sqrt() / std::f64::consts::SQRT_2)).min(1.0)
}

/// The complementary error function, by the Chebyshev fit of Numerical Recipes (`erfcc`,
/// fractional error below 1.2e-7 everywhere): plenty for a p-value.
fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let r = t * poly.exp();
    if x >= 0.0 {
        r
    } else {
        2.0 - r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(got: f64, want: f64, relative: f64) -> bool {
        (got - want).abs() <= relative * want
    }

    /// The p-value by listing all 2^n sign assignments (small n only).
    fn brute_force(doubled: &[u64], observed: u64) -> f64 {
        let n = doubled.len();
        let (mut low, mut high) = (0u64, 0u64);
        for mask in 0u64..(1 << n) {
            let s: u64 = (0..n).filter(|i| mask >> i & 1 == 1).map(|i| doubled[i]).sum();
            low += u64::from(s <= observed);
            high += u64::from(s >= observed);
        }
        (2.0 * low.min(high) as f64 / (1u64 << n) as f64).min(1.0)
    }

    fn pairs(changes: &[f64]) -> Vec<(f64, f64)> {
        changes.iter().map(|&d| (0.5, 0.5 + d)).collect()
    }

    #[test]
    fn small_samples_by_hand() {
        // Ten tasks all worse: only 1 of 1024 assignments is as extreme on each side.
        let t = SignedRank::from_pairs(pairs(&[
            -0.01, -0.02, -0.03, -0.04, -0.05, -0.06, -0.07, -0.08, -0.09, -0.1,
        ]));
        assert_eq!((t.worse, t.better, t.rank_sum_worse, t.rank_sum_better), (10, 0, 55.0, 0.0));
        assert_eq!(t.p_value, 2.0 / 1024.0);
        assert!(t.exact);
        // A large fall on one task and small rises on two: ranks 3 vs 1 + 2; p = 1.
        let t = SignedRank::from_pairs(pairs(&[-0.6, 0.01, 0.02]));
        assert_eq!((t.rank_sum_worse, t.rank_sum_better), (3.0, 3.0));
        assert_eq!(t.p_value, 1.0);
        // Unchanged pairs are left out; nothing changed is p = 1.
        let t = SignedRank::from_pairs([(0.3, 0.3), (0.0, 0.0), (1.0, 1.0 + 1e-15)]);
        assert_eq!((t.worse, t.better, t.p_value), (0, 0, 1.0));
    }

    #[test]
    fn ties_share_their_ranks_and_match_enumeration() {
        // Sizes 0.1, 0.1, 0.2, 0.3, 0.3, 0.3: midranks 1.5, 1.5, 3, 5, 5, 5.
        let t = SignedRank::from_pairs(pairs(&[-0.1, 0.1, -0.2, -0.3, -0.3, 0.3]));
        assert_eq!((t.rank_sum_worse, t.rank_sum_better), (1.5 + 3.0 + 10.0, 1.5 + 5.0));
        assert_eq!(t.p_value, brute_force(&[3, 3, 6, 10, 10, 10], 29));
        // Every pattern of signs over a tied set of sizes agrees with listing the assignments.
        let sizes = [0.05, 0.05, 0.1, 0.2, 0.2, 0.2, 0.25, 0.4, 0.5, 0.5, 0.6, 0.7];
        for pattern in
            [0b0000_0000_0000u32, 0b1010_1010_1010, 0b1111_0000_1111, 0b0111_1111_1110, 0b1111_1111_1111]
        {
            let changes: Vec<f64> =
                sizes.iter().enumerate().map(|(i, s)| if pattern >> i & 1 == 1 { -s } else { *s }).collect();
            let t = SignedRank::from_pairs(pairs(&changes));
            let doubled = [3, 3, 6, 10, 10, 10, 14, 16, 19, 19, 22, 24];
            let observed: u64 = (0..12).filter(|i| pattern >> i & 1 == 1).map(|i| doubled[i]).sum();
            assert_eq!(t.rank_sum_worse * 2.0, observed as f64);
            assert!(close(t.p_value, brute_force(&doubled, observed), 1e-12), "{pattern:b}: {}", t.p_value);
        }
    }

    /// Reference values from scipy 1.17.1 (`wilcoxon(d, zero_method="wilcox", method="exact")`,
    /// and `method="approx", correction=True`), printed with `repr`.
    #[test]
    fn matches_scipy() {
        let d = [0.3, -0.05, -0.4, -0.12, -0.6, 0.02, -0.33, -0.21, -0.15, 0.07, -0.5, -0.45];
        let t = SignedRank::from_pairs(pairs(&d));
        assert!(t.exact);
        assert_eq!((t.worse, t.better, t.rank_sum_better), (9, 3, 1.0 + 3.0 + 7.0));
        assert!(close(t.p_value, SCIPY_EXACT, 1e-9), "{}", t.p_value);
        let (doubled, worse) = doubled_ranks(d.to_vec());
        assert!(close(normal_p_value(&doubled, worse), SCIPY_APPROX, 1e-6));
        // With ties, the approximation corrects the variance.
        let tied = [-0.05, 0.05, 0.1, -0.2, -0.2, 0.2, 0.25, -0.4, -0.5, 0.5, -0.6, 0.7];
        let (doubled, worse) = doubled_ranks(tied.to_vec());
        assert_eq!((doubled[..3].to_vec(), worse), (vec![3, 3, 6], 3 + 10 + 10 + 16 + 19 + 22));
        assert!(close(normal_p_value(&doubled, worse), SCIPY_APPROX_TIES, 1e-6));
    }

    const SCIPY_EXACT: f64 = 0.02685546875;
    const SCIPY_APPROX: f64 = 0.030984050098456638;
    const SCIPY_APPROX_TIES: f64 = 0.9686399996559588;

    #[test]
    fn exact_and_approximate_agree_at_the_limit() {
        // 400 changed tasks, 4 in 7 of them worse, sizes with many ties.
        let changes: Vec<f64> = (0..EXACT_UP_TO)
            .map(|i| {
                let size = ((i * 37) % 97 + 1) as f64 / 200.0;
                if i % 7 < 4 {
                    -size
                } else {
                    size
                }
            })
            .collect();
        let t = SignedRank::from_pairs(pairs(&changes));
        assert!(t.exact);
        let (doubled, worse) = doubled_ranks(changes.clone());
        let approximate = normal_p_value(&doubled, worse);
        assert!(t.p_value > 1e-4 && t.p_value < 0.5, "{}", t.p_value);
        assert!(close(approximate, t.p_value, 0.05), "{approximate} vs {}", t.p_value);
        // One more changed task is past the limit: approximated.
        let mut more = pairs(&changes);
        more.push((0.0, 1.0));
        assert!(!SignedRank::from_pairs(more).exact);
    }

    #[test]
    fn erfc_is_accurate() {
        // Values of erfc from the Handbook of Mathematical Functions (Abramowitz & Stegun 7.1).
        assert!(close(erfc(0.0), 1.0, 1.2e-7));
        assert!(close(erfc(0.5), 0.479_500_122, 1.2e-7));
        assert!(close(erfc(1.0), 0.157_299_207, 1.2e-7));
        assert!(close(erfc(2.0), 0.004_677_735, 1.2e-7));
        assert!(close(erfc(-1.0), 1.842_700_793, 1.2e-7));
    }
}
