//! The mlx backend against llama.cpp on the catalog's Qwen2.5-Coder 0.5B: greedy generation on a
//! chat prompt and two code completions must start with the same text, and the completed function
//! must be the one asked for. MLX runs f32 weights dequantized from the file, llama.cpp its Q4_K
//! and Q8 kernels: the logits differ in the low bits, so long greedy runs may part at a near-tie,
//! but a wrong forward pass (RoPE, attention, biases, cache) parts at once.
//!
//! Needs both backends and the model: `bash scripts/build-mlx.sh test` (which builds mlx-sys off
//! Apple targets; on a Mac, `cargo test -p evalrun-backends --features mlx,llamacpp --test
//! mlx_vs_llamacpp`) after `evalrun models fetch qwen2.5-coder-0.5b-instruct-q4_k_m`.
#![cfg(all(feature = "mlx", feature = "llamacpp"))]

use evalrun_backends::llamacpp::LlamaCppBackend;
use evalrun_backends::mlx::MlxBackend;
use evalrun_backends::models::ModelStore;
use evalrun_backends::LoadOptions;
use evalrun_core::{Backend, ChatMessage, FinishReason, GenerationRequest, Prompt, SamplingParams};
use std::ops::ControlFlow;
use std::path::PathBuf;

const QWEN: &str = "qwen2.5-coder-0.5b-instruct-q4_k_m";
const MAX_TOKENS: u32 = 24;

fn model_path(id: &str) -> PathBuf {
    let store = ModelStore::from_env().expect("model store");
    let catalog = store.catalog().expect("catalog");
    let entry = catalog.get(id).expect("catalog entry");
    store.verify(entry).unwrap_or_else(|e| panic!("this test needs {id}: `evalrun models fetch {id}` ({e})"))
}

fn request(prompt: Prompt, stop: &[&str]) -> GenerationRequest {
    GenerationRequest {
        prompt,
        stop: stop.iter().map(|s| s.to_string()).collect(),
        sampling: SamplingParams { temperature: 0.0, max_tokens: MAX_TOKENS, ..SamplingParams::default() },
    }
}

#[test]
fn qwen2_generates_like_llama_cpp() {
    let opts = LoadOptions { threads: 2, n_ctx: 2048, openai: None, slots: 1, ..LoadOptions::default() };
    let path = model_path(QWEN);
    let mut mlx = MlxBackend::load(&path, &opts).expect("mlx loads the GGUF");
    let mut llama = LlamaCppBackend::load(&path, &opts).expect("llama.cpp loads the GGUF");
    eprintln!("{}", mlx.version());

    // (prompt, stop sequences, characters that must agree, text the output must contain)
    let cases = [
        (
            Prompt::Chat {
                messages: vec![ChatMessage::new("user", "Write a Python function `add(a, b)` that returns the sum.")],
                assistant_prefix: "```python\n".into(),
            },
            vec!["\n```"],
            32,
            "def add(a, b):",
        ),
        (
            Prompt::Completion(
                "def fibonacci(n):\n    \"\"\"Return the n-th Fibonacci number.\"\"\"\n".into(),
            ),
            vec!["\ndef"],
            32,
            "return",
        ),
        (
            Prompt::Completion(
                "from typing import List\n\n\ndef below_zero(operations: List[int]) -> bool:\n    \
                 \"\"\"Given deposits and withdrawals, return True if the balance ever falls below zero.\"\"\"\n"
                    .into(),
            ),
            vec!["\ndef"],
            32,
            "balance",
        ),
    ];
    let (mut tokens, mut seconds) = (0u32, 0.0);
    for (prompt, stop, same_prefix_chars, expected) in cases {
        let req = request(prompt, &stop);
        assert_eq!(mlx.render_prompt(&req).unwrap(), llama.render_prompt(&req).unwrap());
        let mut streamed = String::new();
        let ours = mlx
            .generate(&req, &mut |s| {
                streamed.push_str(s);
                ControlFlow::Continue(())
            })
            .expect("mlx generates");
        let theirs = llama.generate(&req, &mut |_| ControlFlow::Continue(())).expect("llama.cpp generates");
        eprintln!("mlx:       {:?} {:?}\nllama.cpp: {:?}", ours.finish, ours.text, theirs.text);
        assert_eq!(streamed, ours.text, "the stream adds up to the text");
        assert_eq!(ours.stats.prompt_tokens, theirs.stats.prompt_tokens, "prompt tokens");
        let common = ours.text.chars().zip(theirs.text.chars()).take_while(|(a, b)| a == b).count();
        assert!(
            common >= same_prefix_chars.min(theirs.text.chars().count()),
            "mlx and llama.cpp part after {common} characters:\nmlx:       {:?}\nllama.cpp: {:?}",
            ours.text,
            theirs.text
        );
        assert!(ours.text.contains(expected), "{expected:?} is not in {:?}", ours.text);
        for s in &stop {
            assert!(!ours.text.contains(s), "the stop sequence {s:?} is not in the text");
        }
        let st = &ours.stats;
        assert!(st.generated_tokens >= 1 && st.ttft_s > 0.0 && st.total_s >= st.ttft_s, "{st:?}");
        if ours.finish == FinishReason::Length {
            assert_eq!(st.generated_tokens, MAX_TOKENS);
        }
        eprintln!(
            "  mlx: {} prompt tokens at {:.1}/s, {} generated at {:.2}/s",
            st.prompt_tokens, st.prompt_tokens_per_s, st.generated_tokens, st.gen_tokens_per_s
        );
        tokens += st.generated_tokens.saturating_sub(1);
        seconds += st.total_s - st.ttft_s;
    }
    eprintln!("mlx: {tokens} tokens generated after the first in {seconds:.1} s");
}

#[test]
fn an_unsupported_architecture_is_a_load_error() {
    let path = model_path("gemma-3-270m-q4_k_m");
    let err = MlxBackend::load(&path, &LoadOptions::default()).err().expect("gemma3 is refused").to_string();
    assert!(err.contains("gemma3") && err.contains("gemma-3-270m"), "{err}");
}
