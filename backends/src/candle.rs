//! candle: pure-Rust inference (crates `candle-core`, `candle-transformers`) of the same GGUF files
//! the llama.cpp backend runs, on CPU. The tokenizer is built from the file's own vocabulary with
//! the `tokenizers` crate and the chat template rendered with `minijinja`, so nothing beyond the
//! GGUF file is needed.

mod model;
pub(crate) mod sampler;
pub mod tokenizer;
pub mod vocab;

use crate::chat_template::{self, ChatTemplate};
use crate::generation_clock::GenerationClock;
use crate::text_stream::TextStream;
use crate::LoadOptions;
use candle_core::quantized::gguf_file::{Content, Value};
use candle_core::Device;
use evalrun_core::{Backend, BackendError, FinishReason, Generation, GenerationRequest};
use model::QuantizedModel;
use sampler::Sampler;
use std::ops::ControlFlow;
use std::path::Path;
use std::sync::OnceLock;
use tokenizer::GgufTokenizer;
use vocab::GgufVocab;

/// Version of the candle crates this build links (pinned in Cargo.lock; a test checks it).
pub const CRATE_VERSION: &str = "candle-core 0.11.1";

pub struct CandleBackend {
    model: QuantizedModel,
    tokenizer: GgufTokenizer,
    template: Option<ChatTemplate>,
    device: Device,
    threads: usize,
    n_ctx: u32,
}

/// candle sizes its CPU thread pools once per process from `CANDLE_NUM_THREADS` and
/// `RAYON_NUM_THREADS` (default: physical cores). Set them, unless the user did, before the first
/// candle operation, to the count the llama.cpp backend would use. The first load decides.
fn configure_threads(requested: usize) -> usize {
    static THREADS: OnceLock<usize> = OnceLock::new();
    *THREADS.get_or_init(|| {
        let n = match requested {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
            n => n,
        };
        for var in ["CANDLE_NUM_THREADS", "RAYON_NUM_THREADS"] {
            if std::env::var_os(var).is_none() {
                std::env::set_var(var, n.to_string());
            }
        }
        candle_core::utils::get_num_threads()
    })
}

pub(crate) fn load_error(path: &Path, reason: String) -> BackendError {
    BackendError::Load { path: path.display().to_string(), reason }
}

/// The open file and its GGUF header (metadata and tensor index).
pub(crate) fn read_header(path: &Path) -> Result<(std::fs::File, Content), BackendError> {
    if !path.is_file() {
        return Err(load_error(path, "no such file".into()));
    }
    let mut file = std::fs::File::open(path).map_err(|e| load_error(path, e.to_string()))?;
    let content =
        Content::read(&mut file).map_err(|e| load_error(path, format!("not a readable GGUF file: {e}")))?;
    Ok((file, content))
}

/// The tokenizer of a GGUF file, without loading its weights.
pub fn load_tokenizer(path: &Path) -> Result<GgufTokenizer, BackendError> {
    let (_, content) = read_header(path)?;
    let vocab = GgufVocab::from_gguf(&content, path).map_err(|e| load_error(path, e.to_string()))?;
    GgufTokenizer::new(&vocab).map_err(|e| load_error(path, e.to_string()))
}

/// What a backend running its own forward pass over a GGUF file needs besides the weights: the
/// architecture, the tokenizer and chat template built from the file, and the context size.
/// Shared with the `mlx` backend.
pub(crate) struct GgufText {
    pub architecture: String,
    pub tokenizer: GgufTokenizer,
    pub template: Option<ChatTemplate>,
    pub n_ctx: u32,
}

impl GgufText {
    pub(crate) fn read(path: &Path, content: &Content, opts: &LoadOptions) -> Result<Self, BackendError> {
        let load_err = |reason: String| load_error(path, reason);
        let text = |key: &str| match content.metadata.get(key) {
            Some(Value::String(s)) => Some(s.clone()),
            _ => None,
        };
        let architecture = text("general.architecture")
            .ok_or_else(|| load_err("GGUF field `general.architecture` is missing".into()))?;
        let vocab = GgufVocab::from_gguf(content, path).map_err(|e| load_err(e.to_string()))?;
        let tokenizer = GgufTokenizer::new(&vocab).map_err(|e| load_err(e.to_string()))?;
        let token_text =
            |id: Option<u32>| id.and_then(|id| vocab.tokens.get(id as usize).cloned()).unwrap_or_default();
        let template = text("tokenizer.chat_template")
            .map(|source| ChatTemplate::new(&source, &token_text(vocab.bos), &token_text(vocab.eos)))
            .transpose()
            .map_err(|e| load_err(format!("GGUF field `tokenizer.chat_template`: {e}")))?;
        let n_ctx_train = content
            .metadata
            .get(&format!("{architecture}.context_length"))
            .and_then(|v| v.to_u32().ok())
            .unwrap_or(opts.n_ctx);
        let n_ctx = opts.n_ctx.min(n_ctx_train).max(256);
        Ok(GgufText { architecture, tokenizer, template, n_ctx })
    }
}

/// Token ids of a prompt, as `generate` feeds them: BOS added where the model wants it, once.
pub(crate) fn prompt_tokens(tokenizer: &mut GgufTokenizer, prompt: &str) -> Result<Vec<u32>, BackendError> {
    let mut tokens =
        tokenizer.encode(prompt, true, true).map_err(|e| BackendError::Generate(e.to_string()))?;
    // Templates that spell out the BOS token would otherwise get it twice.
    let bos = tokenizer.bos();
    if tokens.len() >= 2 && bos.is_some() && tokens[0] == tokens[1] && Some(tokens[0]) == bos {
        tokens.remove(0);
    }
    Ok(tokens)
}

/// The generation loop of the backends that run their own forward pass (this one and `mlx`):
/// `forward(tokens, start)` feeds `tokens` at positions `start..` (a new sequence when `start` is
/// 0) and returns the logits of the last one. Sampling, stop sequences, end-of-generation tokens,
/// streaming and metrics are the same for both.
pub(crate) fn generate_with(
    tokenizer: &mut GgufTokenizer,
    n_ctx: u32,
    request: &GenerationRequest,
    prompt: &str,
    mut clock: GenerationClock,
    on_text: &mut dyn FnMut(&str) -> ControlFlow<()>,
    mut forward: impl FnMut(&[u32], usize) -> Result<Vec<f32>, String>,
) -> Result<Generation, BackendError> {
    let gen_err = |what: &str, e: String| BackendError::Generate(format!("{what}: {e}"));
    let tokens = prompt_tokens(tokenizer, prompt)?;
    let prompt_tokens = tokens.len();
    if prompt_tokens == 0 {
        return Err(BackendError::Generate("the prompt is empty (no tokens to start from)".into()));
    }
    if prompt_tokens + 1 >= n_ctx as usize {
        return Err(BackendError::PromptTooLong { prompt_tokens, n_ctx });
    }
    let max_tokens = (request.sampling.max_tokens as usize).min(n_ctx as usize - prompt_tokens);

    let mut logits = forward(&tokens, 0).map_err(|e| gen_err("prompt", e))?;
    let mut sampler = Sampler::new(&request.sampling);
    let mut stream = TextStream::new(&request.stop);
    let mut generated = 0u32;
    let mut finish = FinishReason::Length;
    let mut pos = prompt_tokens;
    while (generated as usize) < max_tokens {
        let token = sampler.sample(&logits);
        clock.token();
        generated += 1;
        if tokenizer.is_end_of_generation(token) {
            finish = FinishReason::EndOfText;
            break;
        }
        if let Some(stop) = stream.push(tokenizer.piece(token), on_text) {
            finish = stop;
            break;
        }
        if (generated as usize) == max_tokens {
            break; // no need to compute logits nobody samples
        }
        logits = forward(&[token], pos).map_err(|e| gen_err("decode", e))?;
        pos += 1;
    }
    let text = stream.finish(finish, on_text);
    Ok(Generation { text, finish, stats: clock.stats(prompt_tokens, generated) })
}

impl CandleBackend {
    pub fn load(path: &Path, opts: &LoadOptions) -> Result<Self, BackendError> {
        let (mut file, content) = read_header(path)?;
        let threads = configure_threads(opts.threads);
        let GgufText { architecture, tokenizer, template, n_ctx } = GgufText::read(path, &content, opts)?;
        let device = Device::Cpu;
        let model = QuantizedModel::load(&architecture, content, &mut file, &device)
            .map_err(|reason| load_error(path, reason))?;
        Ok(CandleBackend { model, tokenizer, template, device, threads, n_ctx })
    }

    /// The tokenizer built from the model file (for tests comparing it with llama.cpp's).
    pub fn tokenizer(&mut self) -> &mut GgufTokenizer {
        &mut self.tokenizer
    }

    /// Token ids of a prompt, as `generate` feeds them: BOS added where the model wants it, once.
    pub fn prompt_tokens(&mut self, prompt: &str) -> Result<Vec<u32>, BackendError> {
        prompt_tokens(&mut self.tokenizer, prompt)
    }
}

impl Backend for CandleBackend {
    fn name(&self) -> &'static str {
        "candle"
    }

    fn version(&self) -> String {
        let simd = if candle_core::utils::with_avx() { "avx" } else { "no simd" };
        format!("{CRATE_VERSION} (cpu {simd}, {} threads)", self.threads)
    }

    fn chat_template(&self) -> Option<String> {
        self.template.as_ref().map(|t| t.source().to_string())
    }

    fn render_prompt(&self, request: &GenerationRequest) -> Result<String, BackendError> {
        chat_template::render_request(self.template.as_ref(), request)
    }

    fn generate(
        &mut self,
        request: &GenerationRequest,
        on_text: &mut dyn FnMut(&str) -> ControlFlow<()>,
    ) -> Result<Generation, BackendError> {
        let clock = GenerationClock::start();
        let prompt = self.render_prompt(request)?;
        let (model, device) = (&mut self.model, &self.device);
        generate_with(&mut self.tokenizer, self.n_ctx, request, &prompt, clock, on_text, |tokens, start| {
            model.forward(tokens, start, device).map_err(|e| e.to_string())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crate_version_matches_the_lock_file() {
        let lock = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.lock")).unwrap();
        let version = CRATE_VERSION.trim_start_matches("candle-core ");
        assert!(
            lock.contains(&format!("name = \"candle-core\"\nversion = \"{version}\"")),
            "Cargo.lock pins another candle-core than {CRATE_VERSION}"
        );
    }

    #[test]
    fn a_missing_file_is_a_load_error_naming_it() {
        let err =
            CandleBackend::load(Path::new("/nonexistent/model.gguf"), &LoadOptions::default()).err().unwrap();
        assert!(err.to_string().contains("/nonexistent/model.gguf"), "{err}");
    }

    #[test]
    fn a_file_that_is_not_gguf_is_a_load_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("junk.gguf");
        std::fs::write(&path, b"this is not a model").unwrap();
        let err = CandleBackend::load(&path, &LoadOptions::default()).err().unwrap().to_string();
        assert!(err.contains("junk.gguf") && err.contains("GGUF"), "{err}");
    }
}
