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

    /// Whether the next token is the first largest logit (no sampler).
    pub fn is_greedy(&self) -> bool {
        self.sampler.is_none()
    }

    /// Sample the next token from output `idx` of the last decode (or take `greedy`, the pick
    /// of a greedy sequence made with the step's others) and stream its text. `Some` when the
    /// sequence is done.
    pub fn sample(
        &mut self,
        ctx: &llama_cpp_2::context::LlamaContext<'_>,
        idx: i32,
        greedy: Option<LlamaToken>,
        model: &LlamaModel,
        sink: &mut dyn GenerationSink,
    ) -> Option<FinishReason> {
        let token = match (self.sampler.as_mut(), greedy) {
            (Some(sampler), _) => sampler.sample(ctx, idx),
            (None, Some(token)) => token,
            (None, None) => LlamaToken::new(crate::greedy::first_argmax(ctx.get_logits_ith(idx)) as i32),
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
