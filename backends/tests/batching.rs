//! The llama.cpp backend's continuous batching on the real Qwen2.5-Coder 0.5B: one slot gives
//! the completions of the plain sequential loop byte for byte; with several slots, requests
//! admitted while others decode end correctly and repeat exactly; stop sequences, token limits
//! and cancellation end one sequence and free its slot; prompt sharing changes nothing.
//!
//! `cargo test -p evalrun-backends --features llamacpp --test batching` (needs
//! `evalrun models fetch qwen2.5-coder-0.5b-instruct-q4_k_m`).
#![cfg(feature = "llamacpp")]

use evalrun_backends::llamacpp::{runtime, LlamaCppBackend};
use evalrun_backends::models::ModelStore;
use evalrun_backends::LoadOptions;
use evalrun_core::{
    generate_all, Backend, BackendError, ChatMessage, FinishReason, Generation, GenerationRequest,
    GenerationSink, Prompt, SamplingParams,
};
use llama_cpp_2::context::params::LlamaContextParams;
use llama_cpp_2::llama_batch::LlamaBatch;
use llama_cpp_2::sampling::LlamaSampler;
use std::num::NonZeroU32;
use std::ops::ControlFlow;
use std::sync::{Mutex, MutexGuard};

const QWEN: &str = "qwen2.5-coder-0.5b-instruct-q4_k_m";

/// Decoding tests take turns: two llama.cpp contexts spinning their threads on a 2-core CI
/// machine slow each other down many times over.
fn backend(slots: usize) -> (MutexGuard<'static, ()>, LlamaCppBackend) {
    static TURN: Mutex<()> = Mutex::new(());
    let turn = TURN.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let store = ModelStore::from_env().expect("model store");
    let catalog = store.catalog().expect("catalog");
    let path = store
        .verify(catalog.get(QWEN).expect("catalog entry"))
        .unwrap_or_else(|e| panic!("this test needs {QWEN}: `evalrun models fetch {QWEN}` ({e})"));
    let backend = LlamaCppBackend::load(
        &path,
        &LoadOptions { threads: 2, n_ctx: 1024, openai: None, slots, ..LoadOptions::default() },
    )
    .expect("loads");
    (turn, backend)
}

fn ask(task: &str, max_tokens: u32) -> GenerationRequest {
    GenerationRequest {
        prompt: Prompt::Chat {
            messages: vec![
                ChatMessage::new("system", "You are a careful Python programmer."),
                ChatMessage::new(
                    "user",
                    format!("Write a Python function that {task}. Answer with code only."),
                ),
            ],
            assistant_prefix: "```python\n".into(),
        },
        stop: vec!["\n```".into()],
        sampling: SamplingParams { temperature: 0.0, max_tokens, ..SamplingParams::default() },
    }
}

fn tasks() -> Vec<GenerationRequest> {
    [
        ("returns the sum of a list of numbers", 40),
        ("checks whether a string is a palindrome", 56),
        ("returns the n-th Fibonacci number", 24),
        ("counts the vowels in a string", 48),
        ("reverses the words of a sentence", 32),
        ("returns the largest of three numbers", 64),
    ]
    .into_iter()
    .map(|(task, max)| ask(task, max))
    .collect()
}

fn texts(results: Vec<Result<Generation, BackendError>>) -> Vec<String> {
    results.into_iter().map(|r| r.expect("generates").text).collect()
}

/// The generation loop the backend had before the scheduler: a fresh context, the whole prompt
/// in one decode, then one token per decode. The scheduler at one slot must give its bytes.
fn sequential(backend: &LlamaCppBackend, request: &GenerationRequest) -> String {
    let model = backend.model();
    let vocab = model.vocab();
    let prompt = backend.render_prompt(request).unwrap();
    let tokens = vocab.tokenize(prompt.as_bytes(), true, true);
    let params = LlamaContextParams::default()
        .with_n_ctx(NonZeroU32::new(1024))
        .with_n_batch(1024)
        .with_n_threads(2)
        .with_n_threads_batch(2);
    let mut ctx = model.new_context(runtime().unwrap(), params).unwrap();
    let mut batch = LlamaBatch::new(1024, 1);
    for (i, token) in tokens.iter().enumerate() {
        batch.add(*token, i as i32, &[0], i + 1 == tokens.len()).unwrap();
    }
    ctx.decode(&mut batch).unwrap();
    let mut sampler = LlamaSampler::greedy();
    let mut bytes = Vec::new();
    let mut pos = tokens.len() as i32;
    for generated in 1..=request.sampling.max_tokens {
        let token = sampler.sample(&ctx, batch.n_tokens() - 1);
        if vocab.is_eog(token) {
            break;
        }
        bytes.extend(vocab.token_to_piece(token, false, None));
        let text = String::from_utf8_lossy(&bytes);
        if let Some(at) = text.find("\n```") {
            return text[..at].to_string();
        }
        if generated == request.sampling.max_tokens {
            break;
        }
        batch.clear();
        batch.add(token, pos, &[0], true).unwrap();
        pos += 1;
        ctx.decode(&mut batch).unwrap();
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

#[test]
fn one_slot_gives_the_sequential_loops_bytes() {
    let (_turn, mut one) = backend(1);
    let requests = tasks();
    let scheduled = texts(generate_all(&mut one, &requests));
    for (request, text) in requests.iter().zip(&scheduled) {
        assert_eq!(text, &sequential(&one, request));
    }
    assert!(scheduled[2].contains("def "), "{scheduled:?}");
}

/// A prompt of about 700 tokens: two steps of the CPU's 512-token budget, one of a GPU's 2,048.
fn long_request() -> GenerationRequest {
    let module: String =
        (0..32).map(|i| format!("def scale_{i}(x):\n    return x * {i} + {}\n\n", i * i)).collect();
    ask(&format!("calls every function of this module on 3 and returns the total:\n{module}"), 32)
}

#[test]
fn a_gpus_step_budget_prefills_a_long_prompt_in_one_step_and_keeps_its_bytes() {
    let (_turn, mut one) = backend(1);
    let request = long_request();
    let prompt_steps = |b: &LlamaCppBackend| b.stream_stats().steps - b.stream_stats().gen_steps;
    let cpu = texts(generate_all(&mut one, std::slice::from_ref(&request)));
    assert_eq!(prompt_steps(&one), 2, "{:?}", one.stream_stats());
    // llama.cpp computes the 2,048-token step in micro-batches of 512, as it computes the
    // sequential loop's whole-prompt decode: the same logits, so the same bytes.
    one.set_step_budget(2048);
    let gpu = texts(generate_all(&mut one, std::slice::from_ref(&request)));
    assert_eq!(prompt_steps(&one), 1, "{:?}", one.stream_stats());
    assert_eq!(gpu, cpu);
    assert_eq!(gpu[0], sequential(&one, &request));
    assert!(!gpu[0].is_empty());
}

#[test]
fn several_slots_admit_requests_while_others_decode_and_repeat_exactly() {
    let (_turn, mut three) = backend(3);
    // Six requests of different lengths through three slots: the last three are admitted as the
    // first ones finish, mid-stream.
    let requests = tasks();
    let first = generate_all(&mut three, &requests);
    let stats = three.stream_stats().clone();
    let first = texts(first);
    assert_eq!(stats.peak_active, 3, "{stats:?}");
    assert!(stats.gen_tokens > 0 && stats.prompt_tokens > 0, "{stats:?}");
    // Where the time went adds up: pure-generation steps among all, their batch within the
    // slots, decode within each part's time, the slowest step within the stream.
    assert!(stats.gen_steps > 0 && stats.gen_steps < stats.steps, "{stats:?}");
    assert!(stats.mean_gen_batch() >= 1.0 && stats.mean_gen_batch() <= 3.0, "{stats:?}");
    assert!(stats.gen_decode_s <= stats.gen_s && stats.prompt_decode_s <= stats.prompt_s, "{stats:?}");
    // Picking greedy tokens is part of the host's share, and took some time.
    assert!(stats.gen_pick_s > 0.0 && stats.gen_pick_s <= stats.gen_s - stats.gen_decode_s, "{stats:?}");
    assert!(stats.slowest_step_s > 0.0 && stats.slowest_step_s <= stats.wall_s, "{stats:?}");
    let line = stats.to_string();
    assert!(line.contains(&format!("{} steps", stats.steps)), "{line}");
    let again = texts(generate_all(&mut three, &requests));
    assert_eq!(first, again, "a greedy run repeated with the same slots");
    for text in &first {
        assert!(text.contains("def "), "{text:?}");
        assert!(!text.contains("```"), "stops before the closing fence: {text:?}");
    }
}

#[test]
fn a_sequence_above_a_hole_moves_down_into_it_and_only_then() {
    let (_turn, mut three) = backend(3);
    // All three start together; the middle one ends after 4 tokens and leaves the only hole
    // between two decoding sequences: the third moves down into it, once. The first or the third
    // ending next leaves the other one run, so nothing else moves.
    let requests = vec![
        ask("returns the sum of a list of numbers", 40),
        ask("checks whether a string is a palindrome", 4),
        ask("returns the largest of three numbers", 64),
    ];
    let first = texts(generate_all(&mut three, &requests));
    assert_eq!(three.stream_stats().moves, 1, "{:?}", three.stream_stats());
    // A request waiting for a slot takes the hole itself: six requests through three slots
    // move only what ends after the requests ran out.
    let mut more = requests.clone();
    more.extend(tasks().into_iter().take(3));
    generate_all(&mut three, &more);
    assert!(three.stream_stats().moves <= 1, "{:?}", three.stream_stats());
    // The moved sequence decodes on from its copied cells: a repeat gives the same bytes.
    assert_eq!(texts(generate_all(&mut three, &requests)), first);
    assert!(first[2].contains("def "), "{first:?}");
}

#[test]
fn greedy_picked_in_llama_cpps_graph_gives_the_hosts_bytes() {
    let requests = tasks();
    {
        let (_turn, mut one) = backend(1);
        one.set_device_greedy(true);
        let picked = texts(generate_all(&mut one, &requests[..1]));
        assert_eq!(picked, vec![sequential(&one, &requests[0])]);
    }
    let (_turn, mut three) = backend(3);
    let host = texts(generate_all(&mut three, &requests));
    // The same steps; only where the first largest logit is found differs (ggml's argmax on
    // the backend instead of the host's scan of copied logits).
    three.set_device_greedy(true);
    assert!(three.version().contains("greedy picked in llama.cpp's graph"), "{}", three.version());
    assert_eq!(texts(generate_all(&mut three, &requests)), host);
    // A sampled request among greedy ones runs in a context of its own, between them: every
    // request still gets its own result, in its place.
    let mut mixed = requests[..3].to_vec();
    mixed[1].sampling =
        SamplingParams { temperature: 0.8, seed: 7, max_tokens: 24, ..SamplingParams::default() };
    let results = generate_all(&mut three, &mixed);
    // The stream's figures add up its three runs (one request each, nothing to share).
    let stats = three.stream_stats();
    let vocab = three.model().vocab();
    let prompt_tokens: usize = mixed
        .iter()
        .map(|r| vocab.tokenize(three.render_prompt(r).unwrap().as_bytes(), true, true).len())
        .sum();
    assert_eq!(stats.prompt_tokens, prompt_tokens as u64, "{stats:?}");
    assert_eq!(stats.peak_active, 1, "{stats:?}");
    let texts = texts(results);
    assert_eq!(texts.len(), 3);
    assert!(texts[0].contains("def ") && texts[2].contains("def "), "{texts:?}");
    assert!(!texts[1].is_empty(), "{texts:?}");
}

/// Records the order things happen in, and cancels one request after its first text.
struct Recorder {
    cancel: Option<usize>,
    events: Vec<String>,
    results: Vec<Option<Generation>>,
}

impl GenerationSink for Recorder {
    fn text(&mut self, index: usize, _piece: &str) -> ControlFlow<()> {
        if !self.events.iter().any(|e| e == &format!("text {index}")) {
            self.events.push(format!("text {index}"));
        }
        if self.cancel == Some(index) {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    }

    fn finished(&mut self, index: usize, result: Result<Generation, BackendError>) {
        self.events.push(format!("done {index}"));
        if self.results.len() <= index {
            self.results.resize(index + 1, None);
        }
        self.results[index] = Some(result.expect("generates"));
    }
}

#[test]
fn stops_and_limits_end_one_sequence_without_disturbing_the_others() {
    let (_turn, mut three) = backend(3);
    let long = ask("returns the largest of three numbers", 64);
    let plain = texts(generate_all(&mut three, &[long.clone(), long.clone(), long.clone()]));
    let mut limited = long.clone();
    limited.sampling.max_tokens = 5;
    let mut stopped = long.clone();
    stopped.stop = vec!["(".into()];
    let results = generate_all(&mut three, &[long.clone(), limited, stopped]);
    let [a, b, c] = <[_; 3]>::try_from(results).map_err(|_| "three results").unwrap();
    let (a, b, c) = (a.unwrap(), b.unwrap(), c.unwrap());
    assert_eq!(b.finish, FinishReason::Length);
    assert_eq!(b.stats.generated_tokens, 5);
    assert_eq!(c.finish, FinishReason::Stop);
    assert!(!c.text.contains('(') && plain[2].starts_with(&c.text), "{:?} vs {:?}", c.text, plain[2]);
    assert!(plain[1].starts_with(&b.text), "{:?} vs {:?}", b.text, plain[1]);
    assert_eq!(a.text, plain[0], "the sequence that went on is unchanged");
}

#[test]
fn cancelling_a_sequence_frees_its_slot_for_the_next_request() {
    let (_turn, mut two) = backend(2);
    let requests = vec![
        ask("returns the sum of a list of numbers", 64),
        ask("checks whether a string is a palindrome", 64),
        ask("returns the n-th Fibonacci number", 8),
    ];
    let mut recorder = Recorder { cancel: Some(0), events: Vec::new(), results: Vec::new() };
    two.generate_stream(&mut requests.clone().into_iter(), &mut recorder);
    let events = &recorder.events;
    let at =
        |e: &str| events.iter().position(|x| x == e).unwrap_or_else(|| panic!("{e} missing: {events:?}"));
    let cancelled = recorder.results[0].clone().expect("request 0 ends");
    assert_eq!(cancelled.finish, FinishReason::Stop);
    assert!(cancelled.stats.generated_tokens < 8, "{:?}", cancelled.stats);
    // Request 2 took the freed slot while request 1 was still decoding.
    assert!(at("done 0") < at("text 2") && at("text 2") < at("done 1"), "{events:?}");
    assert_eq!(recorder.results.iter().flatten().count(), 3);
}

#[test]
fn prompt_sharing_gives_the_same_completions_as_separate_prefills() {
    let (_turn, mut four) = backend(4);
    // Three samples of one prompt, as pass@k asks, then two other tasks that open with the same
    // system text and instruction. Greedy: sampled tokens can part at a draw that falls between
    // two nearly equal probabilities, because batches of other shapes round differently
    // (docs/PERFORMANCE.md measures that on HumanEval).
    let vowels = ask("counts the vowels in a string", 40);
    let requests = vec![
        vowels.clone(),
        vowels.clone(),
        vowels,
        ask("reverses the words of a sentence", 40),
        ask("returns the n-th Fibonacci number", 40),
    ];
    let shared = texts(generate_all(&mut four, &requests));
    let shared_tokens = four.stream_stats().shared_prompt_tokens;
    assert!(four.stream_stats().kv_copies >= 3, "{:?}", four.stream_stats());
    four.set_prompt_sharing(false);
    let separate = texts(generate_all(&mut four, &requests));
    assert_eq!(four.stream_stats().shared_prompt_tokens, 0);
    assert_eq!(four.stream_stats().kv_copies, 0);
    assert_eq!(shared, separate);
    // The two repeats copied all of the prompt but its last token; the other tasks at least the
    // common opening.
    let tokens = |r: &GenerationRequest| {
        four.model().vocab().tokenize(four.render_prompt(r).unwrap().as_bytes(), true, true).len() as u64
    };
    assert!(shared_tokens >= 2 * (tokens(&requests[0]) - 1) + 2 * 16, "{shared_tokens} shared");
}

#[test]
fn samples_of_one_prompt_differ_by_seed_and_repeat_with_it() {
    let (_turn, mut four) = backend(4);
    let requests: Vec<_> = (0..4)
        .map(|seed| {
            let mut r = ask("counts the vowels in a string", 24);
            r.sampling.temperature = 0.8;
            r.sampling.seed = 100 + seed;
            r
        })
        .collect();
    let first = texts(generate_all(&mut four, &requests));
    assert!(four.stream_stats().shared_prompt_tokens > 0);
    assert_eq!(first, texts(generate_all(&mut four, &requests)));
    assert!(first.iter().collect::<std::collections::HashSet<_>>().len() > 1, "seeds differ: {first:?}");
}
