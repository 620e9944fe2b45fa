//! Continuous batching: one llama.cpp context serves several sequence slots, and every step is
//! one `decode` call holding the next token of every generating sequence plus prompt chunks of
//! newly admitted ones, within a token budget (chunked prefill, so a long prompt does not stall
//! the others). A sequence that ends frees its slot and its KV cells at once, and the next
//! request takes them before the next step, as llama.cpp's server does with its slots.
//!
//! Prompt sharing: a new sequence whose prompt opens like one already in the cache copies those
//! KV cells (llama.cpp's sequence copy) and decodes only the rest, so the n samples of a task
//! prefill their prompt once. A request whose prefix another sequence is still prefilling waits
//! for it rather than decoding the same tokens twice.
//!
//! Compaction: each sequence has a KV stream of its own, and llama.cpp decodes a batch in one
//! forward pass per run of consecutive sequence ids, so a hole that an ended sequence leaves is
//! filled by the next request, or, once none is left, by the highest sequence moving down into
//! it (see `compact`).

use super::slot::{Phase, Slot};
use super::stream_stats::StreamStats;
use crate::chat_template::ChatTemplate;
use crate::greedy;
use evalrun_core::{BackendError, GenerationRequest, GenerationSink};
use llama_cpp_2::context::LlamaContext;
use llama_cpp_2::llama_batch::LlamaBatch;
use llama_cpp_2::model::LlamaModel;
use llama_cpp_2::token::LlamaToken;
use std::time::Instant;

/// Shorter common prefixes are decoded again: copying a sequence's cells costs about as much.
const MIN_SHARED_PREFIX: usize = 16;

/// What a caller decides about a scheduler.
#[derive(Debug, Clone, Copy)]
pub(super) struct SchedulerConfig {
    pub slots: usize,
    /// Context of each sequence, in tokens.
    pub n_ctx_seq: usize,
    /// Most tokens in one decode step (llama.cpp's `n_batch`).
    pub step_budget: usize,
    /// Copy KV cells of common prompt prefixes between sequences.
    pub share_prompts: bool,
    /// Scan the greedy sequences' logits on several threads (the model runs on a GPU, and the
    /// CPU's cores are free while it decodes; on the CPU they are llama.cpp's).
    pub parallel_greedy: bool,
    /// llama.cpp picks every (greedy) sequence's token in its graph and copies no logits
    /// (device_greedy.rs).
    pub device_greedy: bool,
}

pub(super) struct Scheduler<'a> {
    ctx: LlamaContext<'a>,
    model: &'a LlamaModel,
    template: Option<&'a ChatTemplate>,
    config: SchedulerConfig,
    batch: LlamaBatch<'static>,
    slots: Vec<Option<Slot>>,
    stats: StreamStats,
}

/// Where a request's prompt can come from other than its own prefill.
enum Source {
    /// Copy `len` cells of sequence `seq`.
    Copy {
        seq: usize,
        len: usize,
    },
    /// Sequence `seq` is still prefilling a longer common prefix: wait for it.
    Wait,
    None,
}

impl<'a> Scheduler<'a> {
    pub fn new(
        ctx: LlamaContext<'a>,
        model: &'a LlamaModel,
        template: Option<&'a ChatTemplate>,
        config: SchedulerConfig,
    ) -> Self {
        let batch = LlamaBatch::new(config.step_budget.max(config.slots), 1);
        Scheduler {
            ctx,
            model,
            template,
            config,
            batch,
            slots: (0..config.slots).map(|_| None).collect(),
            stats: StreamStats::default(),
        }
    }

    /// Serve every request of `requests`, delivering results to `sink` as they finish.
    pub fn run(
        mut self,
        requests: &mut dyn Iterator<Item = GenerationRequest>,
        sink: &mut dyn GenerationSink,
    ) -> StreamStats {
        let started = Instant::now();
        crate::memory::reset_peak_rss();
        let mut next_index = 0usize;
        let mut exhausted = false;
        loop {
            // New requests fill the holes first: only those left when the requests run out
            // cost a move.
            if !exhausted {
                exhausted = self.admit(requests, &mut next_index, sink);
            }
            self.compact();
            self.resolve_waiting();
            let Some(step) = self.fill_batch() else {
                if self.slots.iter().all(Option::is_none) {
                    break;
                }
                continue; // only waiting slots, whose sources just went away: resolved next turn
            };
            let step_started = Instant::now();
            let decoded = self.ctx.decode(&mut self.batch);
            // On a GPU `decode` returns before its outputs are ready; reading them would wait
            // here anyway, and waiting first tells the device's time from the host's.
            self.ctx.synchronize();
            let decode_s = step_started.elapsed().as_secs_f64();
            self.stats.steps += 1;
            let (sampled, pick_s) = match decoded {
                Ok(()) => self.sample(&step, sink),
                Err(e) => {
                    self.fail_batch(&step, &format!("decode: {e}"), sink);
                    (0, 0.0)
                }
            };
            let seconds = step_started.elapsed().as_secs_f64();
            // EVALRUN_LOG=evalrun_backends::llamacpp::scheduler=trace: one line a step, to see
            // how a step's cost follows its batch over a run.
            tracing::trace!(
                step = self.stats.steps,
                sequences = step.outputs.len(),
                prompt_tokens = step.prompt_tokens,
                decode_ms = %format_args!("{:.3}", 1e3 * decode_s),
                host_ms = %format_args!("{:.3}", 1e3 * (seconds - decode_s)),
            );
            self.stats.slowest_step_s = self.stats.slowest_step_s.max(seconds);
            if step.prompt_tokens > 0 {
                self.stats.prompt_tokens += step.prompt_tokens as u64;
                self.stats.prompt_s += seconds;
                self.stats.prompt_decode_s += decode_s;
            } else {
                self.stats.gen_steps += 1;
                self.stats.gen_tokens += sampled as u64;
                self.stats.gen_s += seconds;
                self.stats.gen_decode_s += decode_s;
                self.stats.gen_pick_s += pick_s;
            }
        }
        self.stats.wall_s = started.elapsed().as_secs_f64();
        self.stats
    }

    /// Give every free slot the next request. Returns whether the requests ran out.
    fn admit(
        &mut self,
        requests: &mut dyn Iterator<Item = GenerationRequest>,
        next_index: &mut usize,
        sink: &mut dyn GenerationSink,
    ) -> bool {
        for seq in 0..self.slots.len() {
            while self.slots[seq].is_none() {
                let Some(request) = requests.next() else { return true };
                let index = *next_index;
                *next_index += 1;
                match self
                    .tokenize(&request)
                    .and_then(|t| Slot::new(index, &request, t, self.config.n_ctx_seq))
                {
                    Ok(slot) => self.slots[seq] = Some(slot),
                    Err(e) => sink.finished(index, Err(e)),
                }
            }
        }
        false
    }

    /// Keep the occupied slots one run of sequence ids. With a KV stream per sequence, llama.cpp
    /// splits a step into one forward pass per run of consecutive sequence ids (`split_equal`,
    /// sequential), so the holes that sequences ending at different steps leave would multiply
    /// the passes of every later step; the highest sequence moves down into the lowest hole
    /// between two occupied slots (its cells copied stream to stream) until none is left. Free
    /// slots below or above the run cost nothing, so nothing moves into them.
    fn compact(&mut self) {
        loop {
            let (Some(first), Some(last)) =
                (self.slots.iter().position(Option::is_some), self.slots.iter().rposition(Option::is_some))
            else {
                return;
            };
            let Some(hole) = self.slots[first..=last].iter().position(Option::is_none).map(|k| first + k)
            else {
                return;
            };
            let Some(slot) = self.slots[last].take() else { return };
            if slot.n_past > 0 {
                let _ = self.ctx.copy_kv_cache_seq(last as i32, hole as i32, None, None);
                let _ = self.ctx.clear_kv_cache_seq(Some(last as u32), None, None);
            }
            self.slots[hole] = Some(slot);
            self.stats.moves += 1;
        }
    }

    fn tokenize(&self, request: &GenerationRequest) -> Result<Vec<LlamaToken>, BackendError> {
        let prompt = super::render(self.template, request)?;
        Ok(super::prompt_tokens(self.model, &prompt))
    }

    /// Decide, for every slot that has not started its prefill, whether it copies a prefix,
    /// waits for one, or decodes its whole prompt.
    fn resolve_waiting(&mut self) {
        for seq in 0..self.slots.len() {
            let starting = matches!(&self.slots[seq], Some(s) if s.n_past == 0 && s.phase != Phase::Decode);
            if !starting {
                continue;
            }
            match self.source_for(seq) {
                Source::Wait => self.set_phase(seq, Phase::Waiting),
                Source::None => self.set_phase(seq, Phase::Prefill),
                Source::Copy { seq: from, len } => {
                    // Non-unified caches copy whole streams; the tail past the prefix goes after.
                    let (from_id, to_id) = (from as i32, seq as i32);
                    let _ = self.ctx.copy_kv_cache_seq(from_id, to_id, None, None);
                    let _ = self.ctx.clear_kv_cache_seq(Some(seq as u32), Some(len as u32), None);
                    if let Some(slot) = self.slots[seq].as_mut() {
                        slot.n_past = len;
                        slot.shared = len;
                        slot.phase = Phase::Prefill;
                    }
                    self.stats.shared_prompt_tokens += len as u64;
                    self.stats.kv_copies += 1;
                }
            }
        }
    }

    fn set_phase(&mut self, seq: usize, phase: Phase) {
        if let Some(slot) = self.slots[seq].as_mut() {
            slot.phase = phase;
        }
    }

    fn source_for(&self, seq: usize) -> Source {
        if !self.config.share_prompts {
            return Source::None;
        }
        let Some(slot) = &self.slots[seq] else { return Source::None };
        // At least the last prompt token is decoded here: its logits start the sampling.
        let wanted = &slot.tokens[..slot.prompt_len - 1];
        let (mut best_now, mut best_later) = ((0, 0), 0);
        for (other, o) in self.slots.iter().enumerate() {
            let Some(o) = o.as_ref().filter(|_| other != seq) else { continue };
            if o.phase == Phase::Waiting {
                continue;
            }
            let computed = common_prefix(wanted, &o.tokens[..o.n_past]);
            if computed > best_now.1 {
                best_now = (other, computed);
            }
            if o.phase == Phase::Prefill {
                best_later = best_later.max(common_prefix(wanted, &o.tokens[..o.prompt_len]));
            }
        }
        if best_later >= best_now.1 + MIN_SHARED_PREFIX {
            Source::Wait
        } else if best_now.1 >= MIN_SHARED_PREFIX {
            Source::Copy { seq: best_now.0, len: best_now.1 }
        } else {
            Source::None
        }
    }

    /// Build the step's batch: one token for every generating sequence, then prompt chunks in
    /// slot order while the budget lasts. `None` when there is nothing to decode.
    fn fill_batch(&mut self) -> Option<Step> {
        self.batch.clear();
        let mut step = Step::default();
        for (seq, slot) in self.slots.iter_mut().enumerate() {
            let Some(slot) = slot.as_mut().filter(|s| s.phase == Phase::Decode) else { continue };
            // The batch holds max(step budget, slots) tokens, so every add fits; an output is
            // recorded only for a token the batch took all the same (step_logits relies on it).
            if self.batch.add(slot.tokens[slot.n_past], slot.n_past as i32, &[seq as i32], true).is_ok() {
                step.outputs.push((seq, self.batch.n_tokens() - 1));
            }
            slot.n_past += 1;
            step.seqs.push(seq);
        }
        let mut budget = self.config.step_budget.saturating_sub(step.outputs.len());
        for (seq, slot) in self.slots.iter_mut().enumerate() {
            let Some(slot) = slot.as_mut().filter(|s| s.phase == Phase::Prefill) else { continue };
            if budget == 0 {
                break;
            }
            let chunk = slot.pending_prompt().min(budget);
            for pos in slot.n_past..slot.n_past + chunk {
                let last = pos + 1 == slot.prompt_len;
                if self.batch.add(slot.tokens[pos], pos as i32, &[seq as i32], last).is_ok() && last {
                    step.outputs.push((seq, self.batch.n_tokens() - 1));
                }
            }
            slot.n_past += chunk;
            step.prompt_tokens += chunk;
            step.seqs.push(seq);
            budget -= chunk;
        }
        (self.batch.n_tokens() > 0).then_some(step)
    }

    /// Sample every output of the decoded batch; finished sequences go to the sink and free
    /// their slot and cells. Returns how many tokens were sampled, and the seconds it took to
    /// pick the greedy ones.
    fn sample(&mut self, step: &Step, sink: &mut dyn GenerationSink) -> (usize, f64) {
        let started = Instant::now();
        let picks = if self.config.device_greedy { self.device_picks(step) } else { self.host_picks(step) };
        let pick_s = started.elapsed().as_secs_f64();
        for (&(seq, idx), pick) in step.outputs.iter().zip(picks) {
            let Some(slot) = self.slots[seq].as_mut() else { continue };
            if pick.is_none() && self.config.device_greedy {
                // No logits were copied for the host to pick from instead.
                let error = "llama.cpp's graph picked no token for this sequence";
                self.release(seq, |_, _| Err(BackendError::Generate(error.into())), sink);
                continue;
            }
            if let Some(finish) = slot.sample(&self.ctx, idx, pick, self.model, sink) {
                self.release(seq, |slot, sink| Ok(slot.finish(finish, sink)), sink);
            }
        }
        let active = self.slots.iter().flatten().filter(|s| s.phase == Phase::Decode).count();
        self.stats.peak_active = self.stats.peak_active.max(active);
        (step.outputs.len(), pick_s)
    }

    /// The tokens llama.cpp's graph picked, one per output (device_greedy.rs).
    fn device_picks(&self, step: &Step) -> Vec<Option<LlamaToken>> {
        step.outputs.iter().map(|&(_, idx)| self.ctx.sampled_token_ith(idx)).collect()
    }

    /// The greedy sequences' picks, all at once (crate::greedy); `None` for sampled ones.
    fn host_picks(&self, step: &Step) -> Vec<Option<LlamaToken>> {
        let mut picks: Vec<Option<LlamaToken>> = vec![None; step.outputs.len()];
        let which: Vec<usize> = (0..step.outputs.len())
            .filter(|&k| self.slots[step.outputs[k].0].as_ref().is_some_and(Slot::is_greedy))
            .collect();
        if which.is_empty() {
            return picks;
        }
        let logits = self.step_logits(step.outputs.len());
        let n_vocab = logits.len() / step.outputs.len();
        let rows: Vec<&[f32]> = which.iter().map(|&k| &logits[k * n_vocab..(k + 1) * n_vocab]).collect();
        for (k, token) in which.into_iter().zip(greedy::first_argmax_all(&rows, self.config.parallel_greedy))
        {
            picks[k] = Some(LlamaToken::new(token as i32));
        }
        picks
    }

    /// The logits of the last decode's `outputs` outputs, a row of the vocabulary's size each, in
    /// the batch's order, read with one synchronization: `get_logits_ith` synchronizes with the
    /// device on every call, which on a GPU is a stream synchronization per sequence per step.
    fn step_logits(&self, outputs: usize) -> &[f32] {
        let first = self.ctx.get_logits();
        // SAFETY: llama.h, `llama_get_logits`: "The logits for which llama_batch.logits[i] != 0
        // are stored contiguously in the order they have appeared in the batch. Rows: number of
        // tokens for which llama_batch.logits[i] != 0. Cols: n_vocab". `fill_batch` adds a token
        // with logits for each of the step's `outputs` and for nothing else, the decode
        // succeeded, and the rows live in the context until the next decode, which needs
        // `&mut self`.
        unsafe { std::slice::from_raw_parts(first.as_ptr(), outputs * first.len()) }
    }

    /// A failed decode fails the sequences it carried; the others go on.
    fn fail_batch(&mut self, step: &Step, error: &str, sink: &mut dyn GenerationSink) {
        for &seq in &step.seqs {
            self.release(seq, |_, _| Err(BackendError::Generate(error.to_string())), sink);
        }
    }

    /// Free slot `seq` and its KV cells, and deliver its result.
    fn release(
        &mut self,
        seq: usize,
        result: impl FnOnce(Slot, &mut dyn GenerationSink) -> Result<evalrun_core::Generation, BackendError>,
        sink: &mut dyn GenerationSink,
    ) {
        if let Some(slot) = self.slots[seq].take() {
            let _ = self.ctx.clear_kv_cache_seq(Some(seq as u32), None, None);
            let index = slot.index;
            let result = result(slot, sink);
            sink.finished(index, result);
        }
    }
}

/// What one decode step carries.
#[derive(Default)]
struct Step {
    /// (sequence, batch index) of every token whose logits are sampled.
    outputs: Vec<(usize, i32)>,
    /// The sequences with tokens in the batch.
    seqs: Vec<usize>,
    prompt_tokens: usize,
}

/// Length of the common prefix of two token sequences.
fn common_prefix(a: &[LlamaToken], b: &[LlamaToken]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}
