//! The one trait every model adapter implements.

use crate::{Generation, GenerationRequest};
use std::ops::ControlFlow;

#[derive(Debug, Clone, thiserror::Error)]
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

    /// How many requests [`generate_stream`](Self::generate_stream) decodes at once (its slots).
    fn max_concurrency(&self) -> usize {
        1
    }

    /// Generate one completion for every request `requests` yields, up to
    /// [`max_concurrency`](Self::max_concurrency) at a time. A request is pulled only when a slot
    /// is free for it, so the caller may produce them lazily. Each result goes to `sink` as soon
    /// as it is done, keyed by the request's index in `requests`; they finish in any order.
    ///
    /// The default serves one request at a time through [`generate`](Self::generate).
    fn generate_stream(
        &mut self,
        requests: &mut dyn Iterator<Item = GenerationRequest>,
        sink: &mut dyn GenerationSink,
    ) {
        for (index, request) in requests.enumerate() {
            let result = self.generate(&request, &mut |piece| sink.text(index, piece));
            sink.finished(index, result);
        }
    }
}

/// Where [`Backend::generate_stream`] delivers what it produces.
pub trait GenerationSink {
    /// A piece of the text of request `index`, as it is produced. `ControlFlow::Break` cancels
    /// that request alone: it ends (finish reason `Stop`) with the text it has, and its slot is
    /// freed for the next request.
    fn text(&mut self, _index: usize, _piece: &str) -> ControlFlow<()> {
        ControlFlow::Continue(())
    }

    /// Request `index` is done.
    fn finished(&mut self, index: usize, result: Result<Generation, BackendError>);
}

/// A sink that keeps every result, for callers that want them all at once in request order.
#[derive(Debug, Default)]
pub struct CollectSink {
    results: Vec<Option<Result<Generation, BackendError>>>,
}

impl CollectSink {
    /// The results in request order.
    pub fn into_results(self) -> Vec<Result<Generation, BackendError>> {
        self.results
            .into_iter()
            .map(|r| {
                r.unwrap_or_else(|| {
                    Err(BackendError::Generate("the backend never finished this request".into()))
                })
            })
            .collect()
    }
}

impl GenerationSink for CollectSink {
    fn finished(&mut self, index: usize, result: Result<Generation, BackendError>) {
        if self.results.len() <= index {
            self.results.resize_with(index + 1, || None);
        }
        self.results[index] = Some(result);
    }
}

/// Generate a completion for each request through [`Backend::generate_stream`]; results in
/// request order.
pub fn generate_all(
    backend: &mut dyn Backend,
    requests: &[GenerationRequest],
) -> Vec<Result<Generation, BackendError>> {
    let mut sink = CollectSink::default();
    backend.generate_stream(&mut requests.iter().cloned(), &mut sink);
    let mut results = sink.into_results();
    results.resize_with(requests.len(), || {
        Err(BackendError::Generate("the backend never finished this request".into()))
    });
    results
}
