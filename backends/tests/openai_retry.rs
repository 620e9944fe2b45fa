//! The retry and backoff of the `openai` backend against a real HTTP server on loopback that
//! turns requests away (429, 503) before it answers. It exercises the transport only: the
//! answer it finally sends is a fixed stream, and inference through a real server is tested in
//! tests/openai_server.rs at the workspace root.

use evalrun_backends::openai::{OpenAiBackend, OpenAiConfig, RetryPolicy};
use evalrun_core::{Backend, ChatMessage, FinishReason, GenerationRequest, Prompt, SamplingParams};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::ops::ControlFlow;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

const MODELS: &str = r#"{"object":"list","data":[{"id":"tiny","object":"model"}]}"#;
const STREAM: &str = "data: {\"choices\":[{\"delta\":{\"role\":\"assistant\"}}]}\n\n\
data: {\"choices\":[{\"delta\":{\"content\":\"Hello\"}}]}\n\n\
data: {\"choices\":[{\"delta\":{\"content\":\", world\"},\"finish_reason\":\"stop\"}]}\n\n\
data: {\"choices\":[],\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":3,\"total_tokens\":10}}\n\n\
data: [DONE]\n\n";

/// A scripted server: answers `/models`, and for each generation request the next status in
/// `script` (200 sends the stream). Serves exactly `connections` connections, then stops.
struct Server {
    url: String,
    seen: Arc<Mutex<Vec<String>>>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    fn start(script: Vec<u16>, connections: usize) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/v1", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        let thread = std::thread::spawn(move || {
            let mut script = script.into_iter();
            for stream in listener.incoming().take(connections) {
                let mut stream = stream.unwrap();
                stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
                let path = read_request(&mut stream);
                log.lock().unwrap().push(path.clone());
                if path.ends_with("/models") {
                    respond(&mut stream, 200, "application/json", MODELS, None);
                    continue;
                }
                match script.next().unwrap_or(200) {
                    200 => respond(&mut stream, 200, "text/event-stream", STREAM, None),
                    429 => {
                        respond(&mut stream, 429, "application/json", r#"{"error":"slow down"}"#, Some("0"))
                    }
                    status => respond(&mut stream, status, "application/json", r#"{"error":"nope"}"#, None),
                }
            }
        });
        Server { url, seen, thread: Some(thread) }
    }

    /// Paths requested, in order (after the server served all its connections).
    fn finish(mut self) -> Vec<String> {
        self.thread.take().unwrap().join().unwrap();
        self.seen.lock().unwrap().clone()
    }
}

/// Reads one request (headers and body) and returns its path.
fn read_request(stream: &mut TcpStream) -> String {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    let path = line.split_whitespace().nth(1).unwrap_or("").to_string();
    let mut length = 0;
    loop {
        line.clear();
        reader.read_line(&mut line).unwrap();
        if line.trim().is_empty() {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().unwrap();
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    path
}

fn respond(stream: &mut TcpStream, status: u16, content_type: &str, body: &str, retry_after: Option<&str>) {
    let retry = retry_after.map(|s| format!("Retry-After: {s}\r\n")).unwrap_or_default();
    let head = format!(
        "HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n{retry}Connection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body.as_bytes()).unwrap();
}

fn config(url: &str, max_retries: u32) -> OpenAiConfig {
    let mut config = OpenAiConfig::new(url, "tiny");
    config.retry = RetryPolicy {
        max_retries,
        initial_backoff: Duration::from_millis(20),
        max_backoff: Duration::from_millis(100),
    };
    config
}

fn request() -> GenerationRequest {
    GenerationRequest {
        prompt: Prompt::Chat {
            messages: vec![ChatMessage::new("user", "hi")],
            assistant_prefix: String::new(),
        },
        stop: Vec::new(),
        sampling: SamplingParams::default(),
    }
}

#[test]
fn retries_429_and_503_with_backoff_then_streams_the_answer() {
    let server = Server::start(vec![429, 503, 200], 4);
    let mut backend = OpenAiBackend::connect(config(&server.url, 3)).unwrap();
    let mut pieces = Vec::new();
    let generation = backend
        .generate(&request(), &mut |t| {
            pieces.push(t.to_string());
            ControlFlow::Continue(())
        })
        .unwrap();
    assert_eq!(generation.text, "Hello, world");
    assert_eq!(pieces.concat(), "Hello, world");
    assert_eq!(generation.finish, FinishReason::EndOfText);
    assert_eq!((generation.stats.prompt_tokens, generation.stats.generated_tokens), (7, 3));
    let paths = server.finish();
    assert_eq!(
        paths,
        vec!["/v1/models", "/v1/chat/completions", "/v1/chat/completions", "/v1/chat/completions"]
    );
}

#[test]
fn gives_up_after_the_retry_budget() {
    let server = Server::start(vec![503, 503, 503], 4);
    let mut backend = OpenAiBackend::connect(config(&server.url, 2)).unwrap();
    let err = backend.generate(&request(), &mut |_| ControlFlow::Continue(())).unwrap_err().to_string();
    assert!(err.contains("HTTP 503") && err.contains("gave up after 3 attempts"), "{err}");
    assert_eq!(server.finish().len(), 4, "one model list and three attempts");
}

#[test]
fn does_not_retry_a_client_error() {
    let server = Server::start(vec![400], 2);
    let mut backend = OpenAiBackend::connect(config(&server.url, 5)).unwrap();
    let err = backend.generate(&request(), &mut |_| ControlFlow::Continue(())).unwrap_err().to_string();
    assert!(err.contains("HTTP 400") && err.contains("nope"), "{err}");
    assert_eq!(server.finish().len(), 2);
}

#[test]
fn refuses_a_model_the_server_does_not_serve() {
    let server = Server::start(vec![], 1);
    let mut config = config(&server.url, 0);
    config.model = "other".into();
    let err = OpenAiBackend::connect(config).err().expect("connect fails").to_string();
    assert!(err.contains("does not serve model `other`") && err.contains("tiny"), "{err}");
    server.finish();
}
