//! Properties of the Wilson interval and the exact McNemar test, checked with proptest on
//! generated cases (docs/RELIABILITY.md, "Fuzzing and properties").

use evalrun_reports::stats::{exact_p_value, wilson_interval, McNemar, Z_95};
use proptest::prelude::*;

/// `(successes, trials)` with `successes <= trials`, `trials >= 1`.
fn counts() -> impl Strategy<Value = (u64, u64)> {
    (1u64..100_000).prop_flat_map(|n| (0..=n, Just(n)))
}

/// The two-sided exact p-value by its definition, in exact integers (n <= 100).
fn p_value_direct(worse: u64, better: u64) -> f64 {
    let n = worse + better;
    if n == 0 {
        return 1.0;
    }
    let mut choose = 1u128; // C(n, i)
    let mut tail = 0u128;
    for i in 0..=worse.min(better) {
        if i > 0 {
            choose = choose * u128::from(n - i + 1) / u128::from(i);
        }
        tail += choose;
    }
    (2.0 * tail as f64 / 2f64.powi(n as i32)).min(1.0)
}

proptest! {
    #[test]
    fn wilson_contains_the_estimate_within_zero_and_one((x, n) in counts()) {
        let (low, high) = wilson_interval(x, n, Z_95).expect("defined");
        let p = x as f64 / n as f64;
        prop_assert!(0.0 <= low && low <= p && p <= high && high <= 1.0, "{x}/{n}: ({low}, {high})");
        prop_assert!(low < high);
        // The ends are exact at 0 and 1 successes in n.
        if x == 0 { prop_assert_eq!(low, 0.0); }
        if x == n { prop_assert_eq!(high, 1.0); }
    }

    #[test]
    fn wilson_narrows_with_more_trials_at_the_same_rate((x, n) in counts(), m in 2u64..50) {
        let width = |x, n| {
            let (low, high) = wilson_interval(x, n, Z_95).expect("defined");
            high - low
        };
        prop_assert!(width(x * m, n * m) < width(x, n), "{x}/{n} times {m}");
        // A wider quantile gives a wider interval.
        let (low, high) = wilson_interval(x, n, Z_95).expect("defined");
        let (low99, high99) = wilson_interval(x, n, 2.575_829_303_548_901).expect("defined");
        prop_assert!(low99 <= low && high <= high99);
    }

    #[test]
    fn wilson_is_undefined_without_trials_or_with_too_many_successes(x in 0u64..100, n in 0u64..100) {
        prop_assert_eq!(wilson_interval(x, n, Z_95).is_none(), n == 0 || x > n);
    }

    #[test]
    fn mcnemar_is_a_symmetric_probability(worse in 0u64..5_000, better in 0u64..5_000) {
        let p = exact_p_value(worse, better);
        prop_assert!((0.0..=1.0).contains(&p), "{worse}, {better}: {p}");
        // Positive unless it underflows f64 (2 * 0.5^n is below 1e-308 past n = 1020).
        if worse + better <= 1000 {
            prop_assert!(p > 0.0, "{worse}, {better}: {p}");
        }
        prop_assert_eq!(p, exact_p_value(better, worse));
        // A split as even as it can be is no evidence at all.
        if worse.abs_diff(better) <= 1 {
            prop_assert_eq!(p, 1.0);
        }
        // One more discordant pair on the larger side is more evidence, never less.
        if worse >= better {
            prop_assert!(exact_p_value(worse + 1, better) <= p * (1.0 + 1e-12));
        }
    }

    #[test]
    fn mcnemar_equals_the_binomial_definition(worse in 0u64..60, better in 0u64..60) {
        let (got, want) = (exact_p_value(worse, better), p_value_direct(worse, better));
        prop_assert!((got - want).abs() <= 1e-9 * want.max(1e-300), "{worse}, {better}: {got} vs {want}");
    }

    #[test]
    fn mcnemar_counts_only_discordant_pairs(
        pairs in proptest::collection::vec((0u8..=4, 0u8..=4), 0..200),
    ) {
        let rates: Vec<(f64, f64)> = pairs.iter().map(|&(a, b)| (f64::from(a) / 4.0, f64::from(b) / 4.0)).collect();
        let test = McNemar::from_pairs(rates.iter().copied());
        prop_assert_eq!(test.worse, pairs.iter().filter(|(a, b)| b < a).count() as u64);
        prop_assert_eq!(test.better, pairs.iter().filter(|(a, b)| b > a).count() as u64);
        prop_assert_eq!(test.p_value, exact_p_value(test.worse, test.better));
        // No discordant pair: p = 1. Swapping the runs swaps the counts, not the p-value.
        let swapped = McNemar::from_pairs(rates.iter().map(|&(a, b)| (b, a)));
        prop_assert_eq!((swapped.worse, swapped.better), (test.better, test.worse));
        prop_assert_eq!(swapped.p_value, test.p_value);
        if test.worse + test.better == 0 {
            prop_assert_eq!(test.p_value, 1.0);
        }
    }
}
