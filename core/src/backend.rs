//! The one trait every model adapter implements.

use crate::{Generation, GenerationRequest};
use std::ops::ControlFlow;

#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    /// The backend was not compiled in, or cannot run on this platform.
    #[error("backend `{backend}` is not available: {reason}")]
    Unavailable { backend: String, reason: String },
    #[error("cannot load model {path}: {reason}")]
    Load { path: String, reason: String },
    #[error("prompt does not fit: {prompt_tokens} prompt tokens, context of {n_ctx}")]
    PromptTooLong { prompt_tokens: usize, n_ctx: u32 },
    #[error("generation failed: {0}")]
    Generate(String),
}

/// A loaded model that can generate text.
pub trait Backend: Send {
    /// Short stable name, e.g. `llamacpp`.
    fn name(&self) -> &'static str;
    /// Version of the runtime behind the backend (crate and library), recorded in manifests.
    fn version(&self) -> String;
    /// The chat template the backend applies, recorded in manifests. `None` for base models,
    /// which get [`Prompt::Completion`](crate::Prompt) requests.
    fn chat_template(&self) -> Option<String>;
    /// Render the request into the exact text the model is fed (for the record and for tests).
    fn render_prompt(&self, request: &GenerationRequest) -> Result<String, BackendError>;
    /// Generate one completion. `on_text` receives text pieces as they are produced; returning
    /// `ControlFlow::Break` stops generation early.
    fn generate(
        &mut self,
        request: &GenerationRequest,
        on_text: &mut dyn FnMut(&str) -> ControlFlow<()>,
    ) -> Result<Generation, BackendError>;

    // The methods below have defaults that fit an in-process backend reading a model file; a
    // backend in front of a server overrides them.

    /// Whether the model answers [`Prompt::Chat`](crate::Prompt) requests (an instruction-tuned
    /// model). A server applies its own template, so it can be a chat model without
    /// [`chat_template`](Self::chat_template) text.
    fn is_chat(&self) -> bool {
        self.chat_template().is_some()
    }

    /// Whether the assistant's turn can be opened with `assistant_prefix` (prefill). Chat
    /// endpoints of servers cannot; they must get chat prompts with an empty prefix.
    fn supports_assistant_prefix(&self) -> bool {
        true
    }

    /// How many requests [`generate_batch`](Self::generate_batch) serves at once.
    fn max_concurrency(&self) -> usize {
        1
    }

    /// Generate one completion per request, up to [`max_concurrency`](Self::max_concurrency) at
    /// a time; results come back in request order, whatever order they finish in.
    fn generate_batch(&mut self, requests: &[GenerationRequest]) -> Vec<Result<Generation, BackendError>> {
        requests.iter().map(|r| self.generate(r, &mut |_| ControlFlow::Continue(()))).collect()
    }
}
