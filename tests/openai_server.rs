//! The `openai` backend against a real OpenAI-compatible server: llama-cpp-python's server
//! (PyPI `llama-cpp-python[server]`, installed by scripts/setup.sh --deps) serving the shipped
//! 0.5B coder on loopback. Streaming, token counts, stop sequences, concurrent
//! requests returned in order, and `evalrun run --backends llamacpp,openai` producing one report
//! keyed by model and backend.

mod common;

use common::*;
use evalrun_backends::openai::{Endpoint, OpenAiBackend, OpenAiConfig};
use evalrun_core::{Backend, ChatMessage, FinishReason, GenerationRequest, Prompt, SamplingParams};
use std::net::TcpListener;
use std::ops::ControlFlow;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const MODEL: &str = "qwen2.5-coder-0.5b-instruct-q4_k_m";

/// A llama-cpp-python server started for the test, killed when dropped.
struct LlamaServer {
    child: Child,
    url: String,
}

impl LlamaServer {
    fn start(model: &Path, log: &Path) -> LlamaServer {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).to_string();
        let child = Command::new("python3")
            .args(["-m", "llama_cpp.server", "--model"])
            .arg(model)
            .args(["--model_alias", MODEL, "--host", "127.0.0.1", "--port", &port.to_string()])
            .args(["--n_ctx", "4096", "--n_threads", &threads, "--n_threads_batch", &threads])
            // By default llama-cpp-python cuts a streaming answer off when the next request
            // arrives; with concurrent requests every answer must finish.
            .args(["--interrupt_requests", "False"])
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(log).unwrap())
            .spawn()
            .expect("python3 -m llama_cpp.server starts (scripts/setup.sh --deps installs llama-cpp-python[server])");
        let mut server = LlamaServer { child, url: format!("http://127.0.0.1:{port}/v1") };
        let deadline = Instant::now() + Duration::from_secs(180);
        loop {
            if let Some(status) = server.child.try_wait().unwrap() {
                panic!("the server exited ({status}):\n{}", std::fs::read_to_string(log).unwrap_or_default());
            }
            if OpenAiBackend::connect(server.config(Endpoint::Chat)).is_ok() {
                return server;
            }
            assert!(Instant::now() < deadline, "the server did not answer within 180 s");
            std::thread::sleep(Duration::from_millis(500));
        }
    }

    fn config(&self, endpoint: Endpoint) -> OpenAiConfig {
        let mut config = OpenAiConfig::new(&self.url, MODEL);
        config.endpoint = endpoint;
        config.retry.max_retries = 0;
        config.concurrency = 3;
        config
    }
}

impl Drop for LlamaServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn chat(question: &str, max_tokens: u32) -> GenerationRequest {
    GenerationRequest {
        prompt: Prompt::Chat {
            messages: vec![ChatMessage::new("user", question)],
            assistant_prefix: String::new(),
        },
        stop: Vec::new(),
        sampling: SamplingParams { max_tokens, ..SamplingParams::default() },
    }
}

/// One server for every check, so it is started (and killed) once.
#[test]
fn openai_backend_against_a_real_llama_cpp_python_server() {
    let model = default_model_present();
    let tmp = tempfile::tempdir().unwrap();
    let server = LlamaServer::start(&model.path, &tmp.path().join("server.log"));

    // Streaming chat with the server's token counts.
    let mut backend = OpenAiBackend::connect(server.config(Endpoint::Chat)).unwrap();
    assert!(backend.is_chat() && !backend.supports_assistant_prefix());
    let mut pieces = Vec::new();
    let request = chat("Write a Python function that returns the square of x.", 24);
    let generation = backend
        .generate(&request, &mut |t| {
            pieces.push(t.to_string());
            ControlFlow::Continue(())
        })
        .unwrap();
    assert!(pieces.len() > 1, "streamed in pieces: {pieces:?}");
    assert_eq!(pieces.concat(), generation.text);
    let stats = &generation.stats;
    assert!(stats.ttft_s > 0.0 && stats.total_s > stats.ttft_s && stats.gen_tokens_per_s > 0.0, "{stats:?}");
    // llama-cpp-python sends no `usage` when streaming (it ignores stream_options), so tokens
    // are counted as chunks: one per token, which max_tokens makes exact here.
    assert_eq!(generation.finish, FinishReason::Length);
    assert_eq!(stats.generated_tokens, 24, "{stats:?}");

    // Concurrent requests come back in request order: each equals its own greedy answer.
    let requests = vec![
        chat("Say only the word: apple", 8),
        chat("Say only the word: banana", 8),
        chat("Say only the number 7", 8),
    ];
    let batch: Vec<String> =
        evalrun_core::generate_all(&mut backend, &requests).into_iter().map(|g| g.unwrap().text).collect();
    for (request, text) in requests.iter().zip(&batch) {
        let alone = backend.generate(request, &mut |_| ControlFlow::Continue(())).unwrap().text;
        assert_eq!(&alone, text);
    }
    assert!(
        batch[0].to_lowercase().contains("apple") && batch[1].to_lowercase().contains("banana"),
        "{batch:?}"
    );

    // The completions endpoint continues raw text and honours stop sequences.
    let mut completions = OpenAiBackend::connect(server.config(Endpoint::Completions)).unwrap();
    let request = GenerationRequest {
        prompt: Prompt::Completion("def add(a, b):\n    \"\"\"Return a + b.\"\"\"\n".into()),
        stop: vec!["\ndef".into(), "\nclass".into(), "\nif".into(), "\nprint".into()],
        sampling: SamplingParams { max_tokens: 64, ..SamplingParams::default() },
    };
    let generation = completions.generate(&request, &mut |_| ControlFlow::Continue(())).unwrap();
    assert!(generation.text.contains("return a + b"), "{:?}", generation.text);
    assert!(!generation.text.contains("\ndef"), "{:?}", generation.text);

    // One run, two backends, one report keyed by model and backend.
    let dir = tmp.path().join("run");
    let out = run_ok(
        evalrun()
            .env("EVALRUN_OPENAI_BASE_URL", &server.url)
            .args(["run", "--models", MODEL, "--backends", "llamacpp,openai", "--suite", "humaneval"])
            .args(["--limit", "1", "--max-tokens", "320", "--out"])
            .arg(&dir),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("openai") && stdout.contains("llamacpp"), "{stdout}");
    let rows = read_jsonl(&dir.join("results.jsonl"));
    assert_eq!(rows.len(), 2);
    for backend in ["llamacpp", "openai"] {
        let mine: Vec<_> = rows.iter().filter(|r| r["backend"] == backend).collect();
        assert_eq!(mine.len(), 1, "{backend}: {rows:?}");
        for r in mine {
            assert_eq!(r["model"], MODEL);
            assert!(r["generation"]["generated_tokens"].as_u64().unwrap() > 0, "{r}");
            assert!(r["generation"]["ttft_s"].as_f64().unwrap() > 0.0, "{r}");
        }
    }
    assert!(rows.iter().any(|r| r["backend"] == "openai" && r["passed"] == true), "{rows:?}");
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap();
    let keyed: Vec<(String, String)> = summary["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["model"].as_str().unwrap().to_string(), m["backend"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(
        keyed,
        vec![(MODEL.to_string(), "llamacpp".to_string()), (MODEL.to_string(), "openai".to_string())]
    );
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
    let models = manifest["models"].as_array().unwrap();
    assert_eq!(models.len(), 2);
    assert!(models[0]["backend_version"].as_str().unwrap().contains("llama-cpp-2"), "{manifest}");
    assert!(models[1]["backend_version"].as_str().unwrap().contains(&server.url), "{manifest}");
    assert_eq!(models[1]["prompt_template"]["name"], "evalplus-instruct-v2-no-prefill");
    assert_eq!(models[0]["prompt_template"]["name"], "evalplus-instruct-v2");
}
