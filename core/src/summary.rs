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
    /// Means of the samples' metrics (test-writing: `mutation_score`, `line_coverage`, ...),
    /// each over the samples that have it.
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
