//! One row of `rounds.jsonl`: the figures of one feedback round of a test-writing sample
//! (`--rounds K`), journaled as the round is scored so a report can show what feedback bought.
//! The sample's row in `results.jsonl` holds the figures of its final suite.

use crate::{FinishReason, SampleKey};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RoundRecord {
    pub task_id: String,
    pub model: String,
    pub backend: String,
    pub sample: u32,
    /// 1-based; round 1 is the single-shot answer to the task's prompt.
    pub round: u32,
    /// The suite after this round: the tests kept so far plus this round's answer.
    pub completion: String,
    /// The model's answer in this round.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw: Option<String>,
    /// The suite's figures after this round, as a result row's `metrics` spells them
    /// (`valid`, `tests_written`, `tests_kept`, `line_coverage`, `branch_coverage`,
    /// `mutation_score`).
    pub metrics: BTreeMap<String, f64>,
    /// Tokens generated in this round and its wall time of generation and of scoring, seconds.
    #[serde(default)]
    pub generated_tokens: u32,
    #[serde(default)]
    pub generation_s: f64,
    #[serde(default)]
    pub exec_s: f64,
    /// Why this round's answer ended (`length` when its budget cut it, `repetition` when the
    /// harness cut it where it began to loop); absent on rows without an answer and in journals
    /// from before it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finish: Option<FinishReason>,
    /// The tests of this round's suite that did not pass against the module, counted by why
    /// (as a result row's `failures`); absent in journals from before they were recorded.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub failures: BTreeMap<String, u32>,
    /// Set on the sample's last round: why the loop ended (`rounds` when K rounds ran,
    /// `no improvement` when coverage and mutation score stopped improving, `all kept` ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopped: Option<String>,
}

impl RoundRecord {
    pub fn key(&self) -> SampleKey {
        (self.model.clone(), self.backend.clone(), self.task_id.clone(), self.sample)
    }
}
