//! Aggregated scores of a run, the input of every report exporter.

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

/// Everything a report needs about a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunSummary {
    /// Version of this summary's schema.
    pub schema: u32,
    pub models: Vec<ModelSummary>,
}
