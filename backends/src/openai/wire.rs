//! The JSON of the OpenAI API that evalrun speaks: request bodies for the chat and completions
//! endpoints, and the streamed chunks that come back.

use evalrun_core::{BackendError, GenerationRequest, Prompt};
use serde::Deserialize;
use serde_json::{json, Value};

/// Which endpoint requests go to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// `/chat/completions`: the server applies the model's chat template (instruct models).
    Chat,
    /// `/completions`: raw text continued as it is (base models).
    Completions,
}

impl Endpoint {
    pub fn path(self) -> &'static str {
        match self {
            Endpoint::Chat => "/chat/completions",
            Endpoint::Completions => "/completions",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Endpoint::Chat => "chat",
            Endpoint::Completions => "completions",
        }
    }

    pub fn parse(text: &str) -> Option<Endpoint> {
        match text {
            "chat" => Some(Endpoint::Chat),
            "completions" => Some(Endpoint::Completions),
            _ => None,
        }
    }
}

/// The streamed request body for `request` on `endpoint`, for the server's `model`.
pub fn request_body(
    endpoint: Endpoint,
    model: &str,
    request: &GenerationRequest,
) -> Result<Value, BackendError> {
    let sampling = &request.sampling;
    let mut body = json!({
        "model": model,
        "max_tokens": sampling.max_tokens,
        "temperature": if sampling.is_greedy() { 0.0 } else { f64::from(sampling.temperature) },
        "top_p": if sampling.is_greedy() { 1.0 } else { f64::from(sampling.top_p) },
        "seed": sampling.seed,
        "stream": true,
        // Token counts come from the server: it streams a last chunk with `usage`.
        "stream_options": { "include_usage": true },
    });
    if !request.stop.is_empty() {
        body["stop"] = json!(request.stop);
    }
    match (endpoint, &request.prompt) {
        (Endpoint::Chat, Prompt::Chat { messages, assistant_prefix }) => {
            if !assistant_prefix.is_empty() {
                return Err(BackendError::Generate(
                    "a chat endpoint cannot prefill the assistant's turn; send chat prompts without an assistant prefix"
                        .into(),
                ));
            }
            body["messages"] = json!(messages);
        }
        (Endpoint::Completions, Prompt::Completion(text)) => body["prompt"] = json!(text),
        (Endpoint::Chat, Prompt::Completion(_)) => {
            return Err(BackendError::Generate(
                "a completion prompt was sent to the chat endpoint; use --openai-endpoint completions for base models"
                    .into(),
            ))
        }
        (Endpoint::Completions, Prompt::Chat { .. }) => {
            return Err(BackendError::Generate(
                "a chat prompt was sent to the completions endpoint; use --openai-endpoint chat for instruct models"
                    .into(),
            ))
        }
    }
    Ok(body)
}

/// What one streamed chunk carries.
#[derive(Debug, Default, PartialEq)]
pub struct Chunk {
    /// New text (the chat endpoint's `delta.content`, the completions endpoint's `text`).
    pub text: String,
    pub finish_reason: Option<String>,
    pub usage: Option<Usage>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct Usage {
    pub prompt_tokens: u32,
    pub completion_tokens: u32,
}

#[derive(Deserialize)]
struct RawChunk {
    #[serde(default)]
    choices: Vec<RawChoice>,
    #[serde(default)]
    usage: Option<Usage>,
    #[serde(default)]
    error: Option<Value>,
}

#[derive(Deserialize)]
struct RawChoice {
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    delta: Option<RawDelta>,
    #[serde(default)]
    finish_reason: Option<String>,
}

#[derive(Deserialize)]
struct RawDelta {
    #[serde(default)]
    content: Option<String>,
}

/// Parse the data of one event; an `error` object in the stream is an error.
pub fn parse_chunk(data: &str) -> Result<Chunk, String> {
    let raw: RawChunk =
        serde_json::from_str(data).map_err(|e| format!("malformed stream chunk ({e}): {data}"))?;
    if let Some(error) = raw.error {
        return Err(format!("the server reported an error mid-stream: {error}"));
    }
    let mut chunk = Chunk { usage: raw.usage, ..Chunk::default() };
    if let Some(choice) = raw.choices.into_iter().next() {
        chunk.text = choice.text.or(choice.delta.and_then(|d| d.content)).unwrap_or_default();
        chunk.finish_reason = choice.finish_reason;
    }
    Ok(chunk)
}

/// The model ids of a `/models` answer.
pub fn model_ids(body: &Value) -> Vec<String> {
    body["data"]
        .as_array()
        .map(|models| models.iter().filter_map(|m| m["id"].as_str().map(String::from)).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use evalrun_core::{ChatMessage, SamplingParams};

    fn request(prompt: Prompt) -> GenerationRequest {
        GenerationRequest { prompt, stop: vec!["\n```".into()], sampling: SamplingParams::default() }
    }

    #[test]
    fn chat_body_streams_with_usage_and_greedy_sampling() {
        let chat =
            Prompt::Chat { messages: vec![ChatMessage::new("user", "hi")], assistant_prefix: String::new() };
        let body = request_body(Endpoint::Chat, "m", &request(chat)).unwrap();
        assert_eq!(body["messages"][0]["content"], "hi");
        assert_eq!(body["stream_options"]["include_usage"], true);
        assert_eq!((body["temperature"].as_f64(), body["max_tokens"].as_u64()), (Some(0.0), Some(768)));
        assert_eq!(body["stop"][0], "\n```");
        let completion =
            request_body(Endpoint::Completions, "m", &request(Prompt::Completion("def f".into()))).unwrap();
        assert_eq!(completion["prompt"], "def f");
    }

    #[test]
    fn refuses_what_an_endpoint_cannot_do() {
        let prefilled = Prompt::Chat {
            messages: vec![ChatMessage::new("user", "hi")],
            assistant_prefix: "```python\n".into(),
        };
        assert!(request_body(Endpoint::Chat, "m", &request(prefilled.clone())).is_err());
        assert!(request_body(Endpoint::Completions, "m", &request(prefilled)).is_err());
        assert!(request_body(Endpoint::Chat, "m", &request(Prompt::Completion("x".into()))).is_err());
    }

    #[test]
    fn parses_chat_completion_usage_and_error_chunks() {
        let c = parse_chunk(r#"{"choices":[{"delta":{"content":"def"},"finish_reason":null}]}"#).unwrap();
        assert_eq!(c.text, "def");
        let c = parse_chunk(r#"{"choices":[{"delta":{"role":"assistant"}}]}"#).unwrap();
        assert_eq!(c, Chunk::default());
        let c = parse_chunk(r#"{"choices":[{"text":" x","finish_reason":"length"}]}"#).unwrap();
        assert_eq!((c.text.as_str(), c.finish_reason.as_deref()), (" x", Some("length")));
        let c = parse_chunk(
            r#"{"choices":[],"usage":{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15}}"#,
        )
        .unwrap();
        assert_eq!(c.usage, Some(Usage { prompt_tokens: 12, completion_tokens: 3 }));
        assert!(parse_chunk(r#"{"error":{"message":"boom"}}"#).unwrap_err().contains("boom"));
        assert!(parse_chunk("not json").is_err());
    }

    #[test]
    fn lists_model_ids() {
        let body = json!({"object":"list","data":[{"id":"a"},{"id":"b"}]});
        assert_eq!(model_ids(&body), vec!["a", "b"]);
    }
}
