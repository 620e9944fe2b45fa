//! What one `generate_stream` call of the llama.cpp scheduler did, step by step, measured the
//! way `llama-batched-bench` measures: prompt processing and generation apart.

use serde::Serialize;

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct StreamStats {
    /// `decode` calls made.
    pub steps: u64,
    /// Prompt tokens decoded (prompt-sharing copies not counted), and the seconds of the steps
    /// that carried any.
    pub prompt_tokens: u64,
    pub prompt_s: f64,
    /// Tokens sampled in steps that carried no prompt tokens, and those steps' seconds
    /// (decode and sampling): the generation throughput, as batched-bench's S_TG.
    pub gen_tokens: u64,
    pub gen_s: f64,
    /// Of `gen_s`, the seconds until llama.cpp's outputs were ready (`decode`, and on a GPU the
    /// wait for it); the rest is evalrun's own work on the host: picking and streaming tokens.
    pub gen_decode_s: f64,
    /// Prompt tokens whose KV cells were copied from another sequence instead of decoded.
    pub shared_prompt_tokens: u64,
    /// Wall time of the whole stream.
    pub wall_s: f64,
    /// Most sequences decoding in one step.
    pub peak_active: usize,
}

impl StreamStats {
    /// Aggregate generation tokens/s over the pure-generation steps.
    pub fn gen_tokens_per_s(&self) -> f64 {
        if self.gen_s > 0.0 {
            self.gen_tokens as f64 / self.gen_s
        } else {
            0.0
        }
    }

    /// The share of the generation steps' time spent on the host, outside llama.cpp's decode.
    pub fn gen_host_share(&self) -> f64 {
        if self.gen_s > 0.0 {
            (1.0 - self.gen_decode_s / self.gen_s).max(0.0)
        } else {
            0.0
        }
    }

    /// Aggregate prompt tokens/s over the steps that carried prompt tokens.
    pub fn prompt_tokens_per_s(&self) -> f64 {
        if self.prompt_s > 0.0 {
            self.prompt_tokens as f64 / self.prompt_s
        } else {
            0.0
        }
    }
}
