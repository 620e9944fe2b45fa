//! Percentile bootstrap intervals, from a fixed seed so that a report or a gate decision is the
//! same every time it is computed from the same runs.

use super::describe::{median, quantile, sorted_finite};

/// Resamples drawn for every bootstrap interval.
pub const RESAMPLES: usize = 4000;
/// Seed of every bootstrap: the same input always gives the same interval.
pub const SEED: u64 = 0x6576_616c_7275_6e; // "evalrun"

/// SplitMix64 (Steele, Lea & Flood 2014): a small, well-mixed generator, plenty for resampling.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A uniform index below `n` (`n > 0`), by Lemire's multiply-shift.
    pub fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }
}

/// The `confidence` percentile interval of `statistic` over `resamples` bootstrap replicates.
/// `draw` builds one replicate from the generator; replicates that give no value are skipped.
fn percentile_interval(
    confidence: f64,
    resamples: usize,
    mut draw: impl FnMut(&mut SplitMix64) -> Option<f64>,
) -> Option<(f64, f64)> {
    let mut rng = SplitMix64::new(SEED);
    let replicates = sorted_finite((0..resamples).filter_map(|_| draw(&mut rng)));
    let tail = (1.0 - confidence) / 2.0;
    Some((quantile(&replicates, tail)?, quantile(&replicates, 1.0 - tail)?))
}

/// The median of a resample of `values` with replacement (drawn into `buffer`), by selection
/// rather than sorting: the same value as [`median`] of the sorted resample, in linear time.
fn resample_median(rng: &mut SplitMix64, values: &[f64], buffer: &mut Vec<f64>) -> Option<f64> {
    buffer.clear();
    buffer.extend((0..values.len()).map(|_| values[rng.below(values.len())]));
    let n = buffer.len();
    if n == 0 {
        return None;
    }
    let (below, &mut upper, _) = buffer.select_nth_unstable_by(n / 2, f64::total_cmp);
    if n % 2 == 1 {
        return Some(upper);
    }
    let lower = below.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    Some((lower + upper) / 2.0)
}

/// Percentile bootstrap interval of the median of the finite `values` (resampling the values
/// themselves): how precisely a run's per-sample speeds place its median. `None` without values.
pub fn median_interval(values: &[f64], confidence: f64) -> Option<(f64, f64)> {
    let values = sorted_finite(values.iter().copied());
    if values.is_empty() {
        return None;
    }
    let mut buffer = Vec::with_capacity(values.len());
    percentile_interval(confidence, RESAMPLES, |rng| resample_median(rng, &values, &mut buffer))
}

/// Percentile bootstrap interval of the mean of `values` (resampling the values themselves).
///
/// For pass@1 with several samples per task the values are per-task pass rates: resampling
/// tasks, not samples, keeps the samples of one task together, since they are not independent.
pub fn mean_interval(values: &[f64], confidence: f64) -> Option<(f64, f64)> {
    if values.is_empty() {
        return None;
    }
    percentile_interval(confidence, RESAMPLES, |rng| {
        Some((0..values.len()).map(|_| values[rng.below(values.len())]).sum::<f64>() / values.len() as f64)
    })
}

/// `median(after) / median(before)` of two independent sets of measurements, with its
/// percentile bootstrap interval (each set resampled on its own).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MedianRatio {
    pub before_median: f64,
    pub after_median: f64,
    pub ratio: f64,
    pub low: f64,
    pub high: f64,
}

/// See [`MedianRatio`]. `None` when a side has no finite measurement or a zero median.
pub fn median_ratio(before: &[f64], after: &[f64], confidence: f64) -> Option<MedianRatio> {
    let before = sorted_finite(before.iter().copied());
    let after = sorted_finite(after.iter().copied());
    let (before_median, after_median) = (median(&before)?, median(&after)?);
    if before_median == 0.0 {
        return None;
    }
    let (mut b, mut a) = (Vec::new(), Vec::new());
    let (low, high) = percentile_interval(confidence, RESAMPLES, |rng| {
        let denominator = resample_median(rng, &before, &mut b)?;
        let numerator = resample_median(rng, &after, &mut a)?;
        (denominator != 0.0).then_some(numerator / denominator)
    })?;
    Some(MedianRatio { before_median, after_median, ratio: after_median / before_median, low, high })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reference outputs of SplitMix64 seeded with 0 (as in Vigna's `splitmix64.c`).
    #[test]
    fn splitmix64_reference_sequence() {
        let mut rng = SplitMix64::new(0);
        assert_eq!(rng.next_u64(), 0xe220_a839_7b1d_cdaf);
        assert_eq!(rng.next_u64(), 0x6e78_9e6a_a1b9_65f4);
        assert_eq!(rng.next_u64(), 0x06c4_5d18_8009_454f);
    }

    #[test]
    fn median_interval_brackets_the_median_and_is_reproducible() {
        let values: Vec<f64> = (0..200).map(|i| 40.0 + f64::from(i % 21) * 0.5).chain([f64::NAN]).collect();
        let sorted = sorted_finite(values.iter().copied());
        let m = median(&sorted).unwrap();
        let (low, high) = median_interval(&values, 0.95).unwrap();
        assert!(low <= m && m <= high && low < high, "{low} {m} {high}");
        assert!(low >= 40.0 && high <= 50.0, "inside the values: {low} {high}");
        assert_eq!(median_interval(&values, 0.95), Some((low, high)));
        // One value: no spread.
        assert_eq!(median_interval(&[31.5], 0.95), Some((31.5, 31.5)));
        assert_eq!(median_interval(&[f64::NAN], 0.95), None);
    }

    #[test]
    fn below_is_in_range_and_roughly_uniform() {
        let mut rng = SplitMix64::new(7);
        let mut counts = [0usize; 6];
        for _ in 0..60_000 {
            counts[rng.below(6)] += 1;
        }
        assert!(counts.iter().all(|&c| (9_500..10_500).contains(&c)), "{counts:?}");
    }

    #[test]
    fn mean_interval_of_a_proportion_is_close_to_the_normal_one() {
        // 60 of 100: the normal-approximation interval is 0.6 +- 1.96 * sqrt(0.24 / 100).
        let values: Vec<f64> = (0..100).map(|i| if i < 60 { 1.0 } else { 0.0 }).collect();
        let (low, high) = mean_interval(&values, 0.95).unwrap();
        let half = 1.959964 * (0.24_f64 / 100.0).sqrt();
        assert!((low - (0.6 - half)).abs() < 0.015 && (high - (0.6 + half)).abs() < 0.015, "{low} {high}");
        // Deterministic: the same input gives the same interval.
        assert_eq!(mean_interval(&values, 0.95), Some((low, high)));
        assert_eq!(mean_interval(&[], 0.95), None);
        assert_eq!(mean_interval(&[1.0, 1.0], 0.95), Some((1.0, 1.0)));
    }

    /// Measurements with a spread of about 5% around `centre`, from a fixed generator.
    fn noisy(centre: f64, n: usize, seed: u64) -> Vec<f64> {
        let mut rng = SplitMix64::new(seed);
        (0..n)
            .map(|_| {
                // Sum of uniforms: roughly normal, sd ~ 0.05 * centre.
                let u: f64 = (0..12).map(|_| rng.next_u64() as f64 / u64::MAX as f64).sum::<f64>() - 6.0;
                centre * (1.0 + 0.05 * u)
            })
            .collect()
    }

    #[test]
    fn median_ratio_finds_a_real_slowdown_and_not_noise() {
        let before = noisy(40.0, 100, 1);
        // The same speed measured again: the interval holds 1.
        let same = median_ratio(&before, &noisy(40.0, 100, 2), 0.95).unwrap();
        assert!(same.low < 1.0 && 1.0 < same.high, "{same:?}");
        assert!(same.high - same.low < 0.05, "{same:?}");
        // 20% slower: the interval is around 0.8 and excludes 1.
        let slower = median_ratio(&before, &noisy(32.0, 100, 3), 0.95).unwrap();
        assert!((slower.ratio - 0.8).abs() < 0.02 && slower.high < 0.85 && slower.low > 0.75, "{slower:?}");
        // Identical measurements: ratio exactly 1.
        let identical = median_ratio(&before, &before, 0.95).unwrap();
        assert_eq!(identical.ratio, 1.0);
        assert!(identical.low < 1.0 && identical.high > 1.0);
    }

    #[test]
    fn median_ratio_covers_the_true_ratio_at_about_the_nominal_rate() {
        // 100 independent experiments with a true ratio of 0.9: a 95% interval should miss it
        // about 5 times; allow for chance and the bootstrap's known slight under-coverage.
        let misses = (0..100)
            .filter(|&i| {
                let r = median_ratio(&noisy(50.0, 60, 1000 + i), &noisy(45.0, 60, 5000 + i), 0.95).unwrap();
                !(r.low <= 0.9 && 0.9 <= r.high)
            })
            .count();
        assert!(misses <= 12, "{misses} of 100 intervals missed the true ratio");
    }

    #[test]
    fn resample_median_is_the_sorted_median() {
        let mut rng = SplitMix64::new(3);
        let mut buffer = Vec::new();
        for n in 1..30 {
            let values: Vec<f64> = (0..n).map(|i| ((i * 37) % 11) as f64).collect();
            let mut copy = rng.clone();
            let got = resample_median(&mut rng, &values, &mut buffer).unwrap();
            let mut drawn: Vec<f64> = (0..n).map(|_| values[copy.below(n)]).collect();
            drawn.sort_by(f64::total_cmp);
            assert_eq!(Some(got), median(&drawn), "n={n}");
        }
    }

    #[test]
    fn median_ratio_needs_measurements() {
        assert_eq!(median_ratio(&[], &[1.0], 0.95), None);
        assert_eq!(median_ratio(&[1.0], &[f64::NAN], 0.95), None);
        assert_eq!(median_ratio(&[0.0, 0.0], &[1.0], 0.95), None);
    }
}
