//! llama.cpp through the `llama-cpp-2` crate (CPU build; GPU builds come from the same code with
//! the crate's `cuda`/`metal` features).

use crate::chat_template::{self, ChatTemplate};
use crate::generation_clock::GenerationClock;
use crate::text_stream::TextStream;
use crate::LoadOptions;
use evalrun_core::{Backend, BackendError, FinishReason, Generation, GenerationRequest};
use llama_cpp_2::context::params::LlamaContextParams;
use llama_cpp_2::llama_backend::LlamaBackend;
use llama_cpp_2::llama_batch::LlamaBatch;
use llama_cpp_2::model::params::LlamaModelParams;
use llama_cpp_2::model::LlamaModel;
use llama_cpp_2::sampling::LlamaSampler;
use llama_cpp_2::token::LlamaToken;
use std::num::NonZeroU32;
use std::ops::ControlFlow;
use std::path::Path;
use std::sync::OnceLock;

/// Version of the `llama-cpp-2` crate this build links (pinned in Cargo.lock).
const CRATE_VERSION: &str = "llama-cpp-2 0.1.160";

/// Which llama.cpp build this is, for the manifest.
const BUILD: &str = if cfg!(feature = "llamacpp-cuda") {
    "cuda"
} else if cfg!(feature = "llamacpp-metal") {
    "metal"
} else {
    "cpu"
};

/// The GPUs (and other accelerators) this llama.cpp build can run on, as `NAME (description)`;
/// empty for a CPU build. Models are offloaded to them whole (llama.cpp's default).
pub fn gpu_devices() -> Vec<String> {
    if runtime().is_err() {
        return Vec::new();
    }
    llama_cpp_2::list_llama_ggml_backend_devices()
        .into_iter()
        .filter(|d| d.device_type != llama_cpp_2::LlamaBackendDeviceType::Cpu)
        .map(|d| format!("{} ({})", d.name, d.description))
        .collect()
}

/// llama.cpp's global state may be initialised once per process.
fn runtime() -> Result<&'static LlamaBackend, BackendError> {
    static RUNTIME: OnceLock<Result<LlamaBackend, String>> = OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            llama_cpp_2::send_logs_to_tracing(llama_cpp_2::LogOptions::default());
            LlamaBackend::init().map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| BackendError::Unavailable { backend: "llamacpp".into(), reason: e.clone() })
}

pub struct LlamaCppBackend {
    model: LlamaModel,
    /// The GGUF's chat template, rendered by evalrun (not by llama.cpp's pattern-matching
    /// `llama_chat_apply_template`) so every backend feeds a chat as the same text.
    template: Option<ChatTemplate>,
    threads: i32,
    n_ctx: u32,
}

impl LlamaCppBackend {
    pub fn load(path: &Path, opts: &LoadOptions) -> Result<Self, BackendError> {
        let load_err = |reason: String| BackendError::Load { path: path.display().to_string(), reason };
        if !path.is_file() {
            return Err(load_err("no such file".into()));
        }
        let llama = runtime()?;
        let model = LlamaModel::load_from_file(llama, path, &LlamaModelParams::default())
            .map_err(|e| load_err(format!("llama.cpp refused the file ({e}); is it a complete GGUF?")))?;
        let token_text = |token: LlamaToken| {
            let vocab = model.vocab();
            vocab.text(token).map(|t| t.to_string_lossy().into_owned()).unwrap_or_default()
        };
        let (bos, eos) = (token_text(model.vocab().bos()), token_text(model.vocab().eos()));
        let template = model
            .chat_template(None)
            .ok()
            .and_then(|t| t.to_string().ok())
            .map(|source| ChatTemplate::new(&source, &bos, &eos))
            .transpose()
            .map_err(|e| load_err(format!("GGUF field `tokenizer.chat_template`: {e}")))?;
        let threads = match opts.threads {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
            n => n,
        };
        let n_ctx = opts.n_ctx.min(model.n_ctx_train()).max(256);
        Ok(LlamaCppBackend { model, template, threads: i32::try_from(threads).unwrap_or(1), n_ctx })
    }

    /// The loaded llama.cpp model (for tests that compare another backend with llama.cpp).
    pub fn model(&self) -> &LlamaModel {
        &self.model
    }
}

impl Backend for LlamaCppBackend {
    fn name(&self) -> &'static str {
        "llamacpp"
    }

    fn version(&self) -> String {
        format!("{CRATE_VERSION} ({BUILD}, {} threads)", self.threads)
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
        let gen_err = |what: &str, e: &dyn std::fmt::Display| BackendError::Generate(format!("{what}: {e}"));
        let mut clock = GenerationClock::start();
        let prompt = self.render_prompt(request)?;
        let vocab = self.model.vocab();
        let mut tokens = vocab.tokenize(prompt.as_bytes(), true, true);
        // Templates that spell out the BOS token would otherwise get it twice.
        if tokens.len() >= 2 && tokens[0] == vocab.bos() && tokens[1] == vocab.bos() {
            tokens.remove(0);
        }
        let prompt_tokens = tokens.len();
        if prompt_tokens + 1 >= self.n_ctx as usize {
            return Err(BackendError::PromptTooLong { prompt_tokens, n_ctx: self.n_ctx });
        }
        let max_tokens = (request.sampling.max_tokens as usize).min(self.n_ctx as usize - prompt_tokens);

        let params = LlamaContextParams::default()
            .with_n_ctx(NonZeroU32::new(self.n_ctx))
            .with_n_batch(self.n_ctx)
            .with_n_threads(self.threads)
            .with_n_threads_batch(self.threads);
        let mut ctx =
            self.model.new_context(runtime()?, params).map_err(|e| gen_err("cannot create context", &e))?;

        let mut batch = LlamaBatch::new(self.n_ctx as usize, 1);
        let last = prompt_tokens.saturating_sub(1);
        for (i, token) in tokens.iter().enumerate() {
            batch.add(*token, i as i32, &[0], i == last).map_err(|e| gen_err("batch", &e))?;
        }
        ctx.decode(&mut batch).map_err(|e| gen_err("prompt decode", &e))?;

        let sampling = &request.sampling;
        let mut sampler = if sampling.is_greedy() {
            LlamaSampler::greedy()
        } else {
            LlamaSampler::chain_simple([
                LlamaSampler::top_p(sampling.top_p, 1),
                LlamaSampler::temp(sampling.temperature),
                LlamaSampler::dist(sampling.seed as u32),
            ])
        };

        let mut stream = TextStream::new(&request.stop, on_text);
        let mut generated = 0u32;
        let mut finish = FinishReason::Length;
        let mut pos = prompt_tokens as i32;
        while (generated as usize) < max_tokens {
            let token = sampler.sample(&ctx, batch.n_tokens() - 1);
            clock.token();
            generated += 1;
            if vocab.is_eog(token) {
                finish = FinishReason::EndOfText;
                break;
            }
            if let Some(stop) = stream.push(&vocab.token_to_piece(token, false, None)) {
                finish = stop;
                break;
            }
            if (generated as usize) == max_tokens {
                break; // no need to compute logits nobody samples
            }
            batch.clear();
            batch.add(token, pos, &[0], true).map_err(|e| gen_err("batch", &e))?;
            pos += 1;
            ctx.decode(&mut batch).map_err(|e| gen_err("decode", &e))?;
        }
        let text = stream.finish(finish);
        Ok(Generation { text, finish, stats: clock.stats(prompt_tokens, generated) })
    }
}
