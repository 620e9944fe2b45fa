//! The candle backend against llama.cpp on the same GGUF files (the Qwen2.5-Coder 0.5B and Gemma 3
//! 270M of the catalog): token ids on thousands of varied strings, the text of every token, the
//! end-of-generation tokens, chat template rendering, and greedy generation.
//!
//! Needs both backends: `cargo test -p evalrun-backends --features candle,llamacpp --test candle_vs_llamacpp`
//! and both models (`evalrun models fetch ID`).
#![cfg(all(feature = "candle", feature = "llamacpp"))]

use evalrun_backends::candle::{self, tokenizer::GgufTokenizer};
use evalrun_backends::chat_template::ChatTemplate;
use evalrun_backends::llamacpp::LlamaCppBackend;
use evalrun_backends::models::ModelStore;
use evalrun_backends::LoadOptions;
use evalrun_core::{Backend, ChatMessage, FinishReason, GenerationRequest, Prompt, SamplingParams};
use llama_cpp_2::model::{LlamaChatMessage, LlamaModel};
use llama_cpp_2::token::LlamaToken;
use std::ops::ControlFlow;
use std::path::PathBuf;

const QWEN: &str = "qwen2.5-coder-0.5b-instruct-q4_k_m";
const GEMMA: &str = "gemma-3-270m-q4_k_m";

fn model_path(id: &str) -> PathBuf {
    let store = ModelStore::from_env().expect("model store");
    let catalog = store.catalog().expect("catalog");
    let entry = catalog.get(id).expect("catalog entry");
    store.verify(entry).unwrap_or_else(|e| panic!("this test needs {id}: `evalrun models fetch {id}` ({e})"))
}

fn llama(id: &str) -> LlamaCppBackend {
    LlamaCppBackend::load(
        &model_path(id),
        &LoadOptions { threads: 2, n_ctx: 2048, openai: None, slots: 1, ..LoadOptions::default() },
    )
    .expect("llama.cpp loads")
}

fn llama_ids(model: &LlamaModel, text: &str, parse_special: bool) -> Vec<u32> {
    model.vocab().tokenize(text.as_bytes(), true, parse_special).into_iter().map(|t| t.0 as u32).collect()
}

/// A small deterministic generator, so the mixed strings are the same on every run.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

/// Strings that stress tokenizers: unicode scripts, emoji, whitespace of every kind, special-token
/// look-alikes, byte-token spellings, digits, contractions.
fn hand_written() -> Vec<String> {
    let mut out: Vec<String> = [
        "",
        " ",
        "a",
        " a",
        "a ",
        "Hello, world!",
        "  leading and trailing  ",
        "café naïve résumé façade Ångström œuvre",
        "Straße ß ẞ ſ 'ſ 'S 'LL 'Re I'm you'RE they've",
        "Ελληνικά κείμενο και τόνοι ά έ ή",
        "Русский текст: съешь же ещё этих мягких французских булок",
        "العربية من اليمين إلى اليسار",
        "עברית עם ניקוד: שָׁלוֹם",
        "हिन्दी देवनागरी लिपि",
        "ภาษาไทยไม่มีช่องว่าง",
        "中文字符和标点，。！？",
        "日本語のひらがなとカタカナ、漢字",
        "한국어 한글 문장입니다",
        "繁體中文與简体中文混合",
        "😀 😃 😄 😁 🤖 🧠 🚀",
        "👩‍💻 👨‍👩‍👧‍👦 🏳️‍🌈 🇫🇷 🇯🇵 👍🏽 ✌🏿",
        "⚠️ ✔️ ❤️ ♻️ ©️ ®️ ™️",
        "e\u{301} a\u{308} n\u{303} (combining marks)",
        "zero\u{200b}width\u{200c}non\u{200d}joiner\u{feff}bom",
        "nbsp\u{a0}here\u{2009}thin\u{3000}ideographic\u{2028}line\u{2029}para",
        "\u{85}next line\u{b}vt\u{c}ff",
        "∀x∈ℝ: x² ≥ 0 ⇒ √x² = |x| ∑∫∂∇ ≠ ≤ ≥ ± × ÷",
        "┌─┬─┐\n│ │ │\n└─┴─┘",
        "ｆｕｌｌｗｉｄｔｈ　ＡＢＣ１２３",
        "0 1 12 123 1234 12345 3.14159 -2.5e-10 0xDEADBEEF 1_000_000",
        "١٢٣ ٤٥٦ ०१२ 一二三 ⅠⅡⅢ ①②③",
        "\t\tindented\twith\ttabs\n",
        "line\r\nwindows\r\nendings\r\n",
        "\r\r\n\n\r",
        "trailing spaces   \n",
        "x\u{0}nul\u{1}soh\u{7f}del",
        "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n",
        "<|endoftext|>",
        "<|im_start|><|im_start|>",
        "<|im_start",
        "im_start|>",
        "<|fim_prefix|>a<|fim_suffix|>b<|fim_middle|>",
        "<tool_call>\n{\"name\": \"f\"}\n</tool_call>",
        "<bos><start_of_turn>user\nhi<end_of_turn>\n<start_of_turn>model\n",
        "<eos>",
        "<pad><unk><mask>",
        "[multimodal]",
        "<start_of_image><end_of_image>",
        "<unused0><unused99>",
        "<0x41><0x0A><0xFF>",
        "<0x",
        "<div>x</div><table><tr><td>1</td></tr></table>",
        "<h1>T</h1><b>b</b><code>c</code>",
        "<s>not special here</s>",
        "</s>",
        "[PAD151665]",
        "```python\ndef f():\n    return 1\n```",
        "def f(x):\n\treturn x  # tab\n",
        "if a<b and b>c: print(a<=b, b>=c, a!=c, a==b)",
        "s = 'it''s' + \"quote\" + '''triple''' + r'\\raw\\' + f'{x!r:>10}'",
        "λ = lambda x: x ** 2 // 3 % 4",
        "https://example.com/path?q=1&r=2#frag user@example.org",
        "C:\\Program Files\\x",
        "~!@#$%^&*()_+-={}[]|\\:;\"'<>,.?/",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "ababababababababababababababab",
        "\u{1F600}\u{1F600}\u{1F600}\u{1F600}\u{1F600}\u{1F600}",
        "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝕄𝕒𝕥𝕙 𝒮𝒸𝓇𝒾𝓅𝓉",
        "\u{10FFFD}\u{E000}",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    for n in [1, 2, 3, 4, 7, 8, 15, 16, 30, 31, 32, 33, 40, 63, 64, 65, 100] {
        for unit in [" ", "\t", "\n", "\r\n", " \n", "\n ", "\u{3000}", "  \t"] {
            out.push(unit.repeat(n));
            out.push(format!("x{}y", unit.repeat(n)));
            out.push(format!("def f():\n{}return {n}", unit.repeat(n)));
        }
    }
    out
}

fn humaneval_strings() -> Vec<String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tasks/suites/humaneval.jsonl");
    let text = std::fs::read_to_string(path).expect("humaneval suite");
    let mut out = Vec::new();
    for line in text.lines() {
        let task: serde_json::Value = serde_json::from_str(line).expect("a task");
        for field in ["prompt", "reference", "test"] {
            let Some(s) = task[field].as_str() else { continue };
            out.push(s.to_string());
            if field != "test" {
                out.extend(s.lines().map(|l| l.to_string()).filter(|l| !l.is_empty()));
            }
        }
    }
    out
}

/// Everything the tokenizers are compared on: HumanEval code, hand-written strings, and random
/// mixtures of pieces of both (so specials, whitespace and scripts meet in every order).
fn corpus() -> Vec<String> {
    let code = humaneval_strings();
    let hand = hand_written();
    let mut rng = Lcg(0x5eed);
    let pieces: Vec<&str> = hand.iter().chain(code.iter().take(400)).map(String::as_str).collect();
    let mixed: Vec<String> = (0..1500)
        .map(|_| {
            let n = 2 + rng.below(5);
            let mut s = String::new();
            for _ in 0..n {
                let piece = pieces[rng.below(pieces.len())];
                // A random char-aligned slice, so pieces are cut mid-word and mid-special.
                let cuts: Vec<usize> = piece.char_indices().map(|(i, _)| i).chain([piece.len()]).collect();
                let a = cuts[rng.below(cuts.len())];
                let b = cuts[rng.below(cuts.len())];
                s.push_str(&piece[a.min(b)..a.max(b)]);
            }
            s
        })
        .collect();
    code.into_iter().chain(hand).chain(mixed).collect()
}

/// Compare token ids on the whole corpus; returns (strings, tokens compared).
fn assert_same_ids(id: &str, parse_special: bool) -> (usize, usize) {
    let llama = llama(id);
    let mut candle = candle::load_tokenizer(&model_path(id)).expect("candle tokenizer");
    let corpus = corpus();
    let mut tokens = 0;
    let mut differ = Vec::new();
    for text in &corpus {
        let expected = llama_ids(llama.model(), text, parse_special);
        let got = candle.encode(text, true, parse_special).expect("candle tokenizes");
        tokens += expected.len();
        if got != expected {
            differ.push(format!("{text:?}\n  llama.cpp {expected:?}\n  candle    {got:?}"));
        }
    }
    assert!(corpus.len() > 4000, "corpus of {} strings", corpus.len());
    assert!(
        differ.is_empty(),
        "{id} (parse_special = {parse_special}): {} of {} strings tokenize differently, e.g.\n{}",
        differ.len(),
        corpus.len(),
        differ.iter().take(5).cloned().collect::<Vec<_>>().join("\n")
    );
    eprintln!("{id} parse_special={parse_special}: {} strings, {tokens} tokens, all identical", corpus.len());
    (corpus.len(), tokens)
}

#[test]
fn qwen2_token_ids_match_llama_cpp() {
    assert_same_ids(QWEN, true);
    assert_same_ids(QWEN, false);
}

#[test]
fn gemma3_token_ids_match_llama_cpp() {
    assert_same_ids(GEMMA, true);
    assert_same_ids(GEMMA, false);
}

/// Every token's streamed bytes and end-of-generation flag, over the whole vocabulary.
fn assert_same_pieces(id: &str) {
    let llama = llama(id);
    let candle: GgufTokenizer = candle::load_tokenizer(&model_path(id)).expect("candle tokenizer");
    let vocab = llama.model().vocab();
    assert_eq!(candle.vocab_size(), vocab.n_tokens() as usize);
    let mut eog = 0;
    for token in 0..vocab.n_tokens() {
        let t = LlamaToken(token);
        assert_eq!(
            candle.piece(token as u32),
            vocab.token_to_piece(t, false, None).as_slice(),
            "{id}: token {token}"
        );
        assert_eq!(
            candle.is_end_of_generation(token as u32),
            vocab.is_eog(t),
            "{id}: end of generation, token {token}"
        );
        eog += usize::from(vocab.is_eog(t));
    }
    assert!(eog >= 2, "{id}: {eog} end-of-generation tokens");
}

#[test]
fn qwen2_token_pieces_and_end_tokens_match_llama_cpp() {
    assert_same_pieces(QWEN);
}

#[test]
fn gemma3_token_pieces_and_end_tokens_match_llama_cpp() {
    assert_same_pieces(GEMMA);
}

fn conversation(pairs: &[(&str, &str)]) -> Vec<ChatMessage> {
    pairs.iter().map(|(role, content)| ChatMessage::new(role, *content)).collect()
}

#[test]
fn qwen2_chat_template_renders_as_llama_cpp_and_adds_the_default_system_prompt() {
    let llama = llama(QWEN);
    let model = llama.model();
    let source = llama.chat_template().expect("the instruct model has a template");
    let template = ChatTemplate::new(&source, "<|endoftext|>", "<|im_end|>").expect("compiles");
    let llama_render = |messages: &[ChatMessage]| {
        let chat: Vec<LlamaChatMessage> = messages
            .iter()
            .map(|m| LlamaChatMessage::new(m.role.clone(), m.content.clone()).unwrap())
            .collect();
        model.apply_chat_template(&model.chat_template(None).unwrap(), &chat, true).unwrap()
    };
    let with_system = [
        conversation(&[("system", "You are terse."), ("user", "Write add(a, b).")]),
        conversation(&[
            ("system", "Réponds en français. 日本語も。"),
            ("user", "def f(x):\n    \"\"\"Double x.\"\"\"\n"),
            ("assistant", "```python\ndef f(x):\n    return 2 * x\n```"),
            ("user", "Now triple it 🚀"),
        ]),
        conversation(&[
            ("system", ""),
            ("user", "  spaces  \n\n"),
            ("assistant", "ok"),
            ("user", "<tool_call>?"),
        ]),
    ];
    for messages in &with_system {
        assert_eq!(template.render(messages, true).unwrap(), llama_render(messages), "{messages:?}");
    }
    // Without a system message the real template adds Qwen's default one; llama.cpp's built-in
    // ChatML formatter does not. Everything after it is the same.
    let user_only = conversation(&[("user", "Write add(a, b).")]);
    let ours = template.render(&user_only, true).unwrap();
    let default_system =
        "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n";
    assert_eq!(ours, format!("{default_system}{}", llama_render(&user_only)));
}

fn request(prompt: Prompt, stop: &[&str], max_tokens: u32) -> GenerationRequest {
    GenerationRequest {
        prompt,
        stop: stop.iter().map(|s| s.to_string()).collect(),
        sampling: SamplingParams { temperature: 0.0, max_tokens, ..SamplingParams::default() },
    }
}

/// Greedy generation through the `Backend` trait on both backends: same prompt tokens, the same
/// first tokens (the logits differ in the last bits, so long greedy runs may part at a near-tie),
/// streaming that adds up to the text, stop sequences, metrics.
fn assert_generates_like_llama_cpp(id: &str, prompt: Prompt, stop: &[&str], same_prefix_chars: usize) {
    // One generating test at a time: two of them spinning threads on 2 cores slow both many times.
    static TURN: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _turn = TURN.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let opts = LoadOptions { threads: 2, n_ctx: 2048, openai: None, slots: 1, ..LoadOptions::default() };
    let path = model_path(id);
    let mut llama = LlamaCppBackend::load(&path, &opts).unwrap();
    let mut candle = candle::CandleBackend::load(&path, &opts).unwrap();
    let req = request(prompt, stop, 48);
    assert_eq!(candle.render_prompt(&req).unwrap(), llama.render_prompt(&req).unwrap());

    let mut streamed = String::new();
    let ours = candle
        .generate(&req, &mut |s| {
            streamed.push_str(s);
            ControlFlow::Continue(())
        })
        .unwrap();
    let theirs = llama.generate(&req, &mut |_| ControlFlow::Continue(())).unwrap();
    assert_eq!(streamed, ours.text, "{id}: the stream adds up to the text");
    assert_eq!(ours.stats.prompt_tokens, theirs.stats.prompt_tokens, "{id}: prompt tokens");
    let common = ours.text.chars().zip(theirs.text.chars()).take_while(|(a, b)| a == b).count();
    assert!(
        common >= same_prefix_chars.min(theirs.text.chars().count()),
        "{id}: candle and llama.cpp part after {common} characters:\ncandle:    {:?}\nllama.cpp: {:?}",
        ours.text,
        theirs.text
    );
    for s in stop {
        assert!(!ours.text.contains(s), "{id}: the stop sequence {s:?} is not in the text");
    }
    let st = &ours.stats;
    assert!(st.generated_tokens >= 1 && st.ttft_s > 0.0 && st.total_s >= st.ttft_s, "{st:?}");
    assert!(st.prompt_tokens_per_s > 0.0 && st.peak_rss_bytes > 100 << 20, "{st:?}");
    if ours.finish == FinishReason::Length {
        assert_eq!(st.generated_tokens, 48);
        assert!(st.gen_tokens_per_s > 0.0);
    }
    eprintln!("{id}: candle {:?} {:?}\n  llama.cpp {:?}", ours.finish, ours.text, theirs.text);
}

#[test]
fn qwen2_generates_like_llama_cpp() {
    let chat = Prompt::Chat {
        messages: conversation(&[("user", "Write a Python function `add(a, b)` that returns the sum.")]),
        assistant_prefix: "```python\n".into(),
    };
    assert_generates_like_llama_cpp(QWEN, chat, &["\n```"], 24);
}

#[test]
fn gemma3_generates_like_llama_cpp() {
    let completion =
        Prompt::Completion("def fibonacci(n):\n    \"\"\"Return the n-th Fibonacci number.\"\"\"\n".into());
    assert_generates_like_llama_cpp(GEMMA, completion, &["\ndef"], 24);
}
