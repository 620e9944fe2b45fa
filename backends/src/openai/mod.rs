//! Any server that speaks the OpenAI chat and completions API (llama-server, llama-cpp-python,
//! vLLM, Ollama, LM Studio, mlx_lm.server). Responses are streamed (server-sent events) so time
//! to first token is measured here, on the client; token counts come from the server's `usage`;
//! requests the server turns away for now (429, 5xx, a dropped connection) are retried with
//! bounded exponential backoff; up to `concurrency` requests are in flight at once.

mod retry;
mod sse;
mod wire;

pub use retry::{is_retryable_status, with_retries, Attempt, RetryPolicy};
pub use sse::SseReader;
pub use wire::{parse_chunk, request_body, Chunk, Endpoint, Usage};

use crate::StopStream;
use evalrun_core::{
    Backend, BackendError, FinishReason, Generation, GenerationRequest, GenerationSink, GenerationStats,
    Prompt,
};
use std::collections::HashSet;
use std::io::BufReader;
use std::ops::ControlFlow;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Environment variables read when the flags are not given (documented in docs/BACKENDS.md).
pub const BASE_URL_ENV: &str = "EVALRUN_OPENAI_BASE_URL";
pub const API_KEY_ENV: &str = "OPENAI_API_KEY";

/// Where the server is and how to talk to it.
#[derive(Debug, Clone)]
pub struct OpenAiConfig {
    /// The API root the OpenAI client libraries take, e.g. `http://127.0.0.1:8080/v1`.
    pub base_url: String,
    /// Sent as `Authorization: Bearer ...` when set.
    pub api_key: Option<String>,
    /// The model name the server knows (often not evalrun's id).
    pub model: String,
    pub endpoint: Endpoint,
    /// Requests in flight at once.
    pub concurrency: usize,
    pub retry: RetryPolicy,
    /// Longest silence while waiting for the next bytes of an answer.
    pub read_timeout: Duration,
}

impl OpenAiConfig {
    pub fn new(base_url: &str, model: &str) -> Self {
        OpenAiConfig {
            base_url: base_url.trim_end_matches('/').to_string(),
            api_key: None,
            model: model.to_string(),
            endpoint: Endpoint::Chat,
            concurrency: 4,
            retry: RetryPolicy::default(),
            read_timeout: Duration::from_secs(600),
        }
    }
}

pub struct OpenAiBackend {
    config: OpenAiConfig,
    agent: ureq::Agent,
    /// The server's `Server` header, for the manifest.
    server: Option<String>,
}

impl OpenAiBackend {
    /// Check that the server answers and serves `config.model` (GET `/models`).
    pub fn connect(mut config: OpenAiConfig) -> Result<Self, BackendError> {
        config.base_url = config.base_url.trim_end_matches('/').to_string();
        let base_url = config.base_url.clone();
        let load_err = |reason: String| BackendError::Load { path: base_url.clone(), reason };
        if !(config.base_url.starts_with("http://") || config.base_url.starts_with("https://")) {
            return Err(load_err(format!(
                "the base URL must start with http:// or https:// (set --openai-base-url or {BASE_URL_ENV})"
            )));
        }
        if config.concurrency == 0 {
            return Err(load_err("the concurrency must be at least 1".into()));
        }
        let agent = ureq::AgentBuilder::new()
            .timeout_connect(Duration::from_secs(10))
            .timeout_read(config.read_timeout)
            .build();
        let mut backend = OpenAiBackend { config, agent, server: None };
        let url = format!("{}/models", backend.config.base_url);
        let (response, _) = with_retries(
            &backend.config.retry,
            || backend.attempt(|| backend.authorized(backend.agent.get(&url)).call()),
            std::thread::sleep,
        )
        .map_err(|e| load_err(format!("GET {url}: {e}")))?;
        backend.server = response.header("server").map(String::from);
        let body: serde_json::Value =
            response.into_json().map_err(|e| load_err(format!("GET {url}: not a model list: {e}")))?;
        let served = wire::model_ids(&body);
        if !served.contains(&backend.config.model) {
            return Err(load_err(format!(
                "the server does not serve model `{}` (it serves: {}); map evalrun's id to the server's name with --openai-model ID=NAME",
                backend.config.model,
                served.join(", ")
            )));
        }
        Ok(backend)
    }

    fn authorized(&self, request: ureq::Request) -> ureq::Request {
        match self.config.api_key.as_deref() {
            Some(key) if !key.is_empty() => request.set("Authorization", &format!("Bearer {key}")),
            _ => request,
        }
    }

    /// One HTTP exchange, classified for [`with_retries`].
    fn attempt(&self, send: impl FnOnce() -> Result<ureq::Response, ureq::Error>) -> Attempt<ureq::Response> {
        match send() {
            Ok(response) => Attempt::Done(response),
            Err(ureq::Error::Status(status, response)) => {
                let retry_after = response
                    .header("retry-after")
                    .and_then(|s| s.trim().parse::<u64>().ok())
                    .map(Duration::from_secs);
                let body = response.into_string().unwrap_or_default();
                let reason = format!("HTTP {status}: {}", body.trim());
                if is_retryable_status(status) {
                    Attempt::Retry { reason, retry_after }
                } else {
                    Attempt::Fail(reason)
                }
            }
            Err(ureq::Error::Transport(t)) => Attempt::Retry { reason: t.to_string(), retry_after: None },
        }
    }

    /// One streamed generation. Retries happen only before the first byte of the answer; a
    /// stream that breaks later is an error (its text has already been handed out).
    fn stream(
        &self,
        request: &GenerationRequest,
        on_text: &mut dyn FnMut(&str) -> ControlFlow<()>,
    ) -> Result<Generation, BackendError> {
        let gen_err = |e: String| BackendError::Generate(format!("{}: {e}", self.config.base_url));
        let body = request_body(self.config.endpoint, &self.config.model, request)?;
        let url = format!("{}{}", self.config.base_url, self.config.endpoint.path());
        let mut start = Instant::now();
        let (response, _) = with_retries(
            &self.config.retry,
            || {
                start = Instant::now(); // the clock of the attempt that is answered
                self.attempt(|| self.authorized(self.agent.post(&url)).send_json(&body))
            },
            std::thread::sleep,
        )
        .map_err(gen_err)?;

        let mut events = SseReader::new(BufReader::new(response.into_reader()));
        let mut stream = StopStream::new(&request.stop);
        let (mut text, mut chunks) = (String::new(), 0u32);
        let (mut first_token_at, mut usage, mut finish_reason) = (None, None, None);
        let mut stopped_here = false;
        loop {
            let data = events.next_data().map_err(|e| gen_err(format!("reading the stream: {e}")))?;
            let Some(data) = data else { break };
            if data.trim() == "[DONE]" {
                break;
            }
            let chunk = match parse_chunk(&data) {
                Ok(chunk) => chunk,
                // A stream cut off mid-event ends in a piece of one (ureq reads a chunked body
                // cut short as its end): say so, rather than call the server's JSON malformed.
                Err(e) if matches!(events.next_data(), Ok(None)) => {
                    return Err(gen_err(format!("the stream broke off in the middle of an event: {e}")))
                }
                Err(e) => return Err(gen_err(e)),
            };
            usage = chunk.usage.or(usage);
            finish_reason = chunk.finish_reason.or(finish_reason);
            if chunk.text.is_empty() {
                continue;
            }
            first_token_at.get_or_insert_with(Instant::now);
            chunks += 1;
            text.push_str(&chunk.text);
            // Servers apply the stop sequences too; this catches those that do not. Leaving the
            // loop drops the response, closing the connection, which stops the server.
            if stream.advance(&mut text, on_text).is_some() {
                stopped_here = true;
                break;
            }
        }
        if !stopped_here && finish_reason.is_none() && usage.is_none() {
            return Err(gen_err("the stream ended before the answer was finished".into()));
        }
        stream.finish(&text, on_text);
        let finish = match finish_reason.as_deref() {
            _ if stopped_here => FinishReason::Stop,
            Some("length") => FinishReason::Length,
            // The server does not say whether it met a stop sequence or the end of text.
            Some("stop") if !request.stop.is_empty() => FinishReason::Stop,
            _ => FinishReason::EndOfText,
        };
        let end = Instant::now();
        let first = first_token_at.unwrap_or(end);
        let ttft_s = (first - start).as_secs_f64();
        let decode_s = (end - first).as_secs_f64();
        // Without `usage` (a server that ignores stream_options, or a stream cut here) each
        // chunk counts as one token, which is what llama.cpp-based servers send.
        let (prompt_tokens, generated) = match usage {
            Some(u) => (u.prompt_tokens, u.completion_tokens),
            None => (0, chunks),
        };
        let stats = GenerationStats {
            prompt_tokens,
            generated_tokens: generated,
            ttft_s,
            prompt_tokens_per_s: if ttft_s > 0.0 { f64::from(prompt_tokens) / ttft_s } else { 0.0 },
            gen_tokens_per_s: if decode_s > 0.0 && generated > 1 {
                f64::from(generated - 1) / decode_s
            } else {
                0.0
            },
            total_s: (end - start).as_secs_f64(),
            // The model runs in the server's process, which evalrun cannot measure.
            peak_rss_bytes: 0,
        };
        Ok(Generation { text, finish, stats })
    }
}

impl Backend for OpenAiBackend {
    fn name(&self) -> &'static str {
        "openai"
    }

    fn version(&self) -> String {
        let server = self.server.as_deref().map(|s| format!(", server `{s}`")).unwrap_or_default();
        format!(
            "OpenAI-compatible API at {} (model `{}`, {} endpoint{server}, ureq 2)",
            self.config.base_url,
            self.config.model,
            self.config.endpoint.name()
        )
    }

    /// The server applies its own template, which the API does not show.
    fn chat_template(&self) -> Option<String> {
        None
    }

    fn render_prompt(&self, request: &GenerationRequest) -> Result<String, BackendError> {
        match &request.prompt {
            Prompt::Completion(text) => Ok(text.clone()),
            Prompt::Chat { messages, .. } => {
                serde_json::to_string(messages).map_err(|e| BackendError::Generate(e.to_string()))
            }
        }
    }

    fn generate(
        &mut self,
        request: &GenerationRequest,
        on_text: &mut dyn FnMut(&str) -> ControlFlow<()>,
    ) -> Result<Generation, BackendError> {
        self.stream(request, on_text)
    }

    fn is_chat(&self) -> bool {
        self.config.endpoint == Endpoint::Chat
    }

    fn supports_assistant_prefix(&self) -> bool {
        self.config.endpoint == Endpoint::Completions
    }

    fn max_concurrency(&self) -> usize {
        self.config.concurrency
    }

    /// `concurrency` threads stream answers; this thread pulls the next request whenever one is
    /// free and hands results (and text) to `sink` as they come, so `sink` need not be `Send`.
    fn generate_stream(
        &mut self,
        requests: &mut dyn Iterator<Item = GenerationRequest>,
        sink: &mut dyn GenerationSink,
    ) {
        let this = &*self;
        let (work_tx, work_rx) = crossbeam_channel::unbounded::<(usize, GenerationRequest)>();
        let (event_tx, event_rx) = crossbeam_channel::unbounded::<StreamEvent>();
        let cancelled: Mutex<HashSet<usize>> = Mutex::new(HashSet::new());
        std::thread::scope(|scope| {
            for _ in 0..this.config.concurrency {
                let (work_rx, event_tx, cancelled) = (work_rx.clone(), event_tx.clone(), &cancelled);
                scope.spawn(move || {
                    for (index, request) in work_rx {
                        let result = this.stream(&request, &mut |piece| {
                            let _ = event_tx.send(StreamEvent::Text(index, piece.to_string()));
                            let gone = cancelled.lock().unwrap_or_else(|e| e.into_inner()).contains(&index);
                            if gone {
                                ControlFlow::Break(())
                            } else {
                                ControlFlow::Continue(())
                            }
                        });
                        let _ = event_tx.send(StreamEvent::Done(index, result));
                    }
                });
            }
            drop(event_tx);
            let (mut next, mut in_flight) = (0usize, 0usize);
            let mut exhausted = false;
            loop {
                while !exhausted && in_flight < this.config.concurrency {
                    match requests.next() {
                        Some(request) => {
                            let _ = work_tx.send((next, request));
                            next += 1;
                            in_flight += 1;
                        }
                        None => exhausted = true,
                    }
                }
                if in_flight == 0 {
                    break;
                }
                match event_rx.recv() {
                    Ok(StreamEvent::Text(index, piece)) => {
                        if sink.text(index, &piece).is_break() {
                            cancelled.lock().unwrap_or_else(|e| e.into_inner()).insert(index);
                        }
                    }
                    Ok(StreamEvent::Done(index, result)) => {
                        in_flight -= 1;
                        sink.finished(index, result);
                    }
                    Err(_) => break, // every request thread is gone
                }
            }
            drop(work_tx);
        });
    }
}

/// What a request thread reports to the thread that owns the sink.
enum StreamEvent {
    Text(usize, String),
    Done(usize, Result<Generation, BackendError>),
}
