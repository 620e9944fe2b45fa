//! One sequence of the scheduler: a request's tokens, where its prefill stands, and everything
//! it keeps for itself (sampler and seed, stop matcher, token limit, clock).

use crate::generation_clock::GenerationClock;
use crate::text_stream::TextStream;
use evalrun_core::{BackendError, FinishReason, Generation, GenerationRequest, GenerationSink};
use llama_cpp_2::model::LlamaModel;
use llama_cpp_2::sampling::LlamaSampler;
use llama_cpp_2::token::LlamaToken;

/// Where a sequence stands between two decode steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Phase {
    /// Admitted, but waiting for another sequence to finish prefilling a prompt prefix that this
    /// one will copy instead of decoding.
    Waiting,
    /// Prompt tokens `n_past..prompt_len` still to decode.
    Prefill,
    /// Generating: the last sampled token is to be decoded next.
    Decode,
}

pub(super) struct Slot {
    /// The request's index in the stream.
    pub index: usize,
    pub phase: Phase,
    /// Prompt tokens, then every sampled token.
    pub tokens: Vec<LlamaToken>,
    pub prompt_len: usize,
    /// Tokens of `tokens` whose KV cells are in the cache for this sequence.
    pub n_past: usize,
    /// Prompt tokens copied from another sequence instead of decoded.
    pub shared: usize,
    max_tokens: usize,
    ignore_eos: bool,
    generated: u32,
    /// `None` for greedy decoding, which takes the first largest logit directly: llama.cpp's
    /// greedy sampler gives the same token but first copies the whole vocabulary's logits into
    /// a candidate array, for every sequence at every step.
    sampler: Option<LlamaSampler>,
    stream: TextStream,
    clock: GenerationClock,
}

impl Slot {
    /// A slot for `request`, whose prompt is `tokens`; `n_ctx` is the sequence's context.
    pub fn new(
        index: usize,
        request: &GenerationRequest,
        tokens: Vec<LlamaToken>,
        n_ctx: usize,
    ) -> Result<Slot, BackendError> {
        let prompt_len = tokens.len();
        if prompt_len == 0 {
            return Err(BackendError::Generate("the prompt is empty (no tokens to start from)".into()));
        }
        if prompt_len + 1 >= n_ctx {
            return Err(BackendError::PromptTooLong { prompt_tokens: prompt_len, n_ctx: n_ctx as u32 });
        }
        let sampling = &request.sampling;
        let sampler = (!sampling.is_greedy()).then(|| {
            LlamaSampler::chain_simple([
                LlamaSampler::top_p(sampling.top_p, 1),
                LlamaSampler::temp(sampling.temperature),
                LlamaSampler::dist(sampling.seed as u32),
            ])
        });
        Ok(Slot {
            index,
            phase: Phase::Prefill,
            tokens,
            prompt_len,
            n_past: 0,
            shared: 0,
            max_tokens: (sampling.max_tokens as usize).min(n_ctx - prompt_len),
            ignore_eos: sampling.ignore_eos,
            generated: 0,
            sampler,
            stream: TextStream::new(&request.stop),
            // The process's peak memory is the scheduler's, reset once per stream.
            clock: GenerationClock::start_in_batch(),
        })
    }

    /// Sample the next token from output `idx` of the last decode and stream its text. `Some`
    /// when the sequence is done.
    pub fn sample(
        &mut self,
        ctx: &llama_cpp_2::context::LlamaContext<'_>,
        idx: i32,
        model: &LlamaModel,
        sink: &mut dyn GenerationSink,
    ) -> Option<FinishReason> {
        let token = match self.sampler.as_mut() {
            Some(sampler) => sampler.sample(ctx, idx),
            None => first_argmax(ctx.get_logits_ith(idx)),
        };
        self.clock.token();
        self.generated += 1;
        let vocab = model.vocab();
        if vocab.is_eog(token) && !self.ignore_eos {
            return Some(FinishReason::EndOfText);
        }
        let index = self.index;
        if let Some(stop) =
            self.stream.push(&vocab.token_to_piece(token, false, None), &mut |piece| sink.text(index, piece))
        {
            return Some(stop);
        }
        if self.generated as usize >= self.max_tokens {
            return Some(FinishReason::Length); // no need to compute logits nobody samples
        }
        self.tokens.push(token);
        self.phase = Phase::Decode;
        None
    }

    /// The finished generation.
    pub fn finish(self, finish: FinishReason, sink: &mut dyn GenerationSink) -> Generation {
        let index = self.index;
        let text = self.stream.finish(finish, &mut |piece| sink.text(index, piece));
        Generation { text, finish, stats: self.clock.stats(self.prompt_len, self.generated) }
    }

    /// The prompt tokens still to decode.
    pub fn pending_prompt(&self) -> usize {
        self.prompt_len.saturating_sub(self.n_past)
    }
}

/// The token of the first largest logit, as llama.cpp's greedy sampler picks it.
fn first_argmax(logits: &[f32]) -> LlamaToken {
    let mut best = 0;
    for (i, &logit) in logits.iter().enumerate().skip(1) {
        if logit > logits[best] {
            best = i;
        }
    }
    LlamaToken::new(best as i32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ties_go_to_the_first_largest_logit() {
        assert_eq!(first_argmax(&[0.5, 2.0, -1.0, 2.0]), LlamaToken::new(1));
        assert_eq!(first_argmax(&[3.0]), LlamaToken::new(0));
        assert_eq!(first_argmax(&[f32::NEG_INFINITY, -1e30, -1e30]), LlamaToken::new(1));
    }
}
