//! What a backend is asked, and what it answers with.

use crate::SamplingParams;
use serde::{Deserialize, Serialize};

/// One message of a chat.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatMessage {
    pub role: String,
    pub content: String,
}

impl ChatMessage {
    pub fn new(role: &str, content: impl Into<String>) -> Self {
        ChatMessage { role: role.to_string(), content: content.into() }
    }
}

/// What the model is fed.
#[derive(Debug, Clone, PartialEq)]
pub enum Prompt {
    /// A conversation, rendered by the backend with the model's own chat template.
    Chat {
        messages: Vec<ChatMessage>,
        /// Text placed at the start of the assistant's turn (after the template's assistant
        /// header), so the model continues it. Not part of the returned text.
        assistant_prefix: String,
    },
    /// Raw text the model continues (base models, which have no chat template).
    Completion(String),
}

/// A request for one completion.
#[derive(Debug, Clone)]
pub struct GenerationRequest {
    pub prompt: Prompt,
    /// Generation stops before the first occurrence of any of these (not included in the text).
    pub stop: Vec<String>,
    pub sampling: SamplingParams,
}

/// Why generation ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FinishReason {
    /// A stop sequence was produced.
    Stop,
    /// The model produced an end-of-generation token.
    EndOfText,
    /// `max_tokens` was reached.
    Length,
    /// The harness cancelled an answer that had fallen into a loop (a test-writing answer
    /// repeating one line shape or block; see `evalrun_harness::repetition`). Backends never
    /// report it themselves.
    Repetition,
}

/// Measurements of one generation. Times are seconds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GenerationStats {
    pub prompt_tokens: u32,
    pub generated_tokens: u32,
    /// From the request to the first generated token (prompt processing included).
    pub ttft_s: f64,
    /// Prompt tokens per second of prompt processing.
    pub prompt_tokens_per_s: f64,
    /// Generated tokens per second, after the first token.
    pub gen_tokens_per_s: f64,
    /// From the request to the last token.
    pub total_s: f64,
    /// Peak resident memory of the process running the backend during this generation, bytes.
    pub peak_rss_bytes: u64,
}

/// A finished generation.
#[derive(Debug, Clone, PartialEq)]
pub struct Generation {
    /// The generated text, without the assistant prefix and without the stop sequence.
    pub text: String,
    pub finish: FinishReason,
    pub stats: GenerationStats,
}
