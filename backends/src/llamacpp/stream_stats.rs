//! What one `generate_stream` call of the llama.cpp scheduler did, step by step, measured the
//! way `llama-batched-bench` measures: prompt processing and generation apart.

use serde::Serialize;

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct StreamStats {
    /// `decode` calls made, and how many of them carried no prompt tokens.
    pub steps: u64,
    pub gen_steps: u64,
    /// Prompt tokens decoded (prompt-sharing copies not counted), and the seconds of the steps
    /// that carried any.
    pub prompt_tokens: u64,
    pub prompt_s: f64,
    /// Of `prompt_s`, the seconds until llama.cpp's outputs were ready.
    pub prompt_decode_s: f64,
    /// Tokens sampled in steps that carried no prompt tokens, and those steps' seconds
    /// (decode and sampling): the generation throughput, as batched-bench's S_TG.
    pub gen_tokens: u64,
    pub gen_s: f64,
    /// Of `gen_s`, the seconds until llama.cpp's outputs were ready (`decode`, and on a GPU the
    /// wait for it); the rest is evalrun's own work on the host: picking and streaming tokens.
    pub gen_decode_s: f64,
    /// Of the rest, the seconds spent picking the tokens (reading the logits and finding each
    /// greedy sequence's largest, or reading the graph's picks); what remains streams them.
    pub gen_pick_s: f64,
    /// Prompt tokens whose KV cells were copied from another sequence instead of decoded, and
    /// the copies made.
    pub shared_prompt_tokens: u64,
    pub kv_copies: u64,
    /// Sequences moved to a lower slot to close a hole (`Scheduler::compact`).
    pub moves: u64,
    /// The longest step, in seconds.
    pub slowest_step_s: f64,
    /// Wall time of the whole stream.
    pub wall_s: f64,
    /// Most sequences decoding in one step.
    pub peak_active: usize,
}

/// A stream served in several runs (device_greedy.rs) adds them up.
impl std::ops::AddAssign<&StreamStats> for StreamStats {
    fn add_assign(&mut self, run: &StreamStats) {
        self.steps += run.steps;
        self.gen_steps += run.gen_steps;
        self.prompt_tokens += run.prompt_tokens;
        self.prompt_s += run.prompt_s;
        self.prompt_decode_s += run.prompt_decode_s;
        self.gen_tokens += run.gen_tokens;
        self.gen_s += run.gen_s;
        self.gen_decode_s += run.gen_decode_s;
        self.gen_pick_s += run.gen_pick_s;
        self.shared_prompt_tokens += run.shared_prompt_tokens;
        self.kv_copies += run.kv_copies;
        self.moves += run.moves;
        self.slowest_step_s = self.slowest_step_s.max(run.slowest_step_s);
        self.wall_s += run.wall_s;
        self.peak_active = self.peak_active.max(run.peak_active);
    }
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

    /// Sequences decoding in a pure-generation step, on average: below the slot count when
    /// sequences start or end at different steps.
    pub fn mean_gen_batch(&self) -> f64 {
        if self.gen_steps > 0 {
            self.gen_tokens as f64 / self.gen_steps as f64
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

/// One line for the log: where a stream's time went.
impl std::fmt::Display for StreamStats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ms_per = |s: f64, n: u64| if n > 0 { 1e3 * s / n as f64 } else { 0.0 };
        let prompt_steps = self.steps - self.gen_steps;
        write!(
            f,
            "{:.2} s, {} steps; generation: {} steps, {:.1} sequences a step, {:.2} ms a step ({:.2} ms of it \
             decode, {:.2} ms picking tokens), {:.1} tok/s; prompts: {} steps, {} tokens ({} copied in {} copies), {:.2} ms a \
             step ({:.2} ms decode), {:.1} tok/s; {} sequences moved down; slowest step {:.1} ms",
            self.wall_s,
            self.steps,
            self.gen_steps,
            self.mean_gen_batch(),
            ms_per(self.gen_s, self.gen_steps),
            ms_per(self.gen_decode_s, self.gen_steps),
            ms_per(self.gen_pick_s, self.gen_steps),
            self.gen_tokens_per_s(),
            prompt_steps,
            self.prompt_tokens,
            self.shared_prompt_tokens,
            self.kv_copies,
            ms_per(self.prompt_s, prompt_steps),
            ms_per(self.prompt_decode_s, prompt_steps),
            self.prompt_tokens_per_s(),
            self.moves,
            1e3 * self.slowest_step_s,
        )
    }
}
