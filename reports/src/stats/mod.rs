//! The statistics behind the leaderboard and the gate, each with tests against published
//! reference values: the Wilson interval for pass@1, the exact McNemar test for paired pass/fail
//! outcomes, the Wilcoxon signed-rank test for paired per-task figures (test-writing coverage and
//! mutation scores), percentile bootstrap intervals, and quantiles of repeated measurements.

mod bootstrap;
mod describe;
mod mcnemar;
mod wilcoxon;
mod wilson;

pub use bootstrap::{mean_interval, median_interval, median_ratio, MedianRatio, SplitMix64, RESAMPLES};
pub use describe::{median, quantile, sorted_finite, Distribution};
pub use mcnemar::{exact_p_value, McNemar};
pub use wilcoxon::{SignedRank, EXACT_UP_TO};
pub use wilson::{wilson_interval, Z_95};
