//! Aggregated scores of a run, the input of every report exporter.

use crate::{Language, TaskKind};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Scores of one model (or one replayed samples file) over a suite.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelSummary {
    pub model: String,
    pub backend: String,
    pub suite: String,
    pub tasks: usize,
    /// Samples per task (the smallest count over tasks).
    pub samples_per_task: u32,
    pub samples: usize,
    pub passed: usize,
    /// pass@k by the unbiased estimator, for every k <= samples_per_task, keyed `pass@k`.
    pub pass_at_k: BTreeMap<String, f64>,
    /// Count of samples by verdict status.
    pub statuses: BTreeMap<String, usize>,
    /// Means over generated samples; `None` for replayed samples.
    pub mean_ttft_s: Option<f64>,
    pub mean_prompt_tokens_per_s: Option<f64>,
    pub mean_gen_tokens_per_s: Option<f64>,
    pub mean_latency_s: Option<f64>,
    pub peak_rss_bytes: Option<u64>,
    pub mean_exec_s: f64,
}

/// Scores of one model on the tasks of one suite, language and kind: the per-language
/// breakdown of a run over several suites or languages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupSummary {
    pub model: String,
    pub backend: String,
    pub suite: String,
    pub language: Language,
    pub kind: TaskKind,
    pub tasks: usize,
    pub samples: usize,
    pub passed: usize,
    /// pass@k for every k up to the smallest sample count of the group's tasks.
    pub pass_at_k: BTreeMap<String, f64>,
    /// Means of the samples' metrics (test-writing: the names of [`metric`]), each over the
    /// samples that have it.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub metrics: BTreeMap<String, f64>,
}

/// Everything a report needs about a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunSummary {
    /// Version of this summary's schema.
    pub schema: u32,
    pub models: Vec<ModelSummary>,
    /// Each model's scores per suite, language and kind (added in schema 1 without a version
    /// change: older summaries read back with an empty breakdown).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub breakdown: Vec<GroupSummary>,
}

/// Names of the test-writing figures of a result row's `metrics` (and of a feedback round's), so
/// that every report spells them, and shows them, alike.
pub mod metric {
    /// 1 when the whole suite passed against the reference module at once (the strict rate,
    /// also the row's `passed`), else 0.
    pub const VALID: &str = "valid";
    /// Test functions the suite defines, and those of them that pass on the reference module.
    pub const TESTS_WRITTEN: &str = "tests_written";
    pub const TESTS_KEPT: &str = "tests_kept";
    /// Of the kept tests: fractions of the module's lines and branches run, and of its mutants
    /// killed (absent when the task has no mutants).
    pub const LINE_COVERAGE: &str = "line_coverage";
    pub const BRANCH_COVERAGE: &str = "branch_coverage";
    pub const MUTATION_SCORE: &str = "mutation_score";

    /// Every test-writing figure, in the order reports list them.
    pub const TEST_WRITING: [&str; 6] =
        [VALID, TESTS_WRITTEN, TESTS_KEPT, LINE_COVERAGE, BRANCH_COVERAGE, MUTATION_SCORE];

    /// Counts are shown as plain numbers; every other metric is a fraction in 0..=1, shown as a
    /// percentage.
    pub fn is_count(name: &str) -> bool {
        matches!(name, TESTS_WRITTEN | TESTS_KEPT)
    }

    /// How a report heads the metric's column.
    pub fn label(name: &str) -> &str {
        match name {
            VALID => "Valid suites",
            TESTS_WRITTEN => "Tests written",
            TESTS_KEPT => "Tests kept",
            LINE_COVERAGE => "Line coverage",
            BRANCH_COVERAGE => "Branch coverage",
            MUTATION_SCORE => "Mutation score",
            other => other,
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn counts_and_labels() {
            assert!(is_count(TESTS_KEPT) && is_count("tests_written"));
            assert!(!is_count(MUTATION_SCORE) && !is_count(VALID) && !is_count("something_else"));
            assert_eq!(label(LINE_COVERAGE), "Line coverage");
            assert_eq!(label("other_metric"), "other_metric");
        }
    }
}
