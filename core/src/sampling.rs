//! Sampling parameters, recorded with every run so it can be reproduced.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SamplingParams {
    /// 0 means greedy decoding.
    pub temperature: f32,
    /// Nucleus sampling threshold; 1.0 disables it.
    pub top_p: f32,
    /// Seed of the sampler; sample `i` of a task uses `seed + i` so samples differ but repeat.
    pub seed: u64,
    /// Most tokens generated per sample.
    pub max_tokens: u32,
    /// Generate exactly `max_tokens`, past end-of-text tokens (benchmarks of fixed lengths only).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub ignore_eos: bool,
}

impl Default for SamplingParams {
    fn default() -> Self {
        SamplingParams { temperature: 0.0, top_p: 0.95, seed: 1234, max_tokens: 768, ignore_eos: false }
    }
}

impl SamplingParams {
    pub fn is_greedy(&self) -> bool {
        self.temperature <= 0.0
    }
}
