//! llama.cpp through the `llama-cpp-2` crate (CPU build; GPU builds come from the same code with
//! the crate's `cuda`/`metal` features).

use crate::{memory, LoadOptions, StopStream};
use evalrun_core::{
    Backend, BackendError, FinishReason, Generation, GenerationRequest, GenerationStats, Prompt,
};
use llama_cpp_2::context::params::LlamaContextParams;
use llama_cpp_2::llama_backend::LlamaBackend;
use llama_cpp_2::llama_batch::LlamaBatch;
use llama_cpp_2::model::params::LlamaModelParams;
use llama_cpp_2::model::{LlamaChatMessage, LlamaChatTemplate, LlamaModel};
use llama_cpp_2::sampling::LlamaSampler;
use std::num::NonZeroU32;
use std::ops::ControlFlow;
use std::path::Path;
use std::sync::OnceLock;
use std::time::Instant;

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
    template: Option<LlamaChatTemplate>,
    template_text: Option<String>,
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
        let template = model.chat_template(None).ok();
        let template_text = template.as_ref().and_then(|t| t.to_string().ok());
        let threads = match opts.threads {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
            n => n,
        };
        let n_ctx = opts.n_ctx.min(model.n_ctx_train()).max(256);
        Ok(LlamaCppBackend {
            model,
            template,
            template_text,
            threads: i32::try_from(threads).unwrap_or(1),
            n_ctx,
        })
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
        self.template_text.clone()
    }

    fn render_prompt(&self, request: &GenerationRequest) -> Result<String, BackendError> {
        match (&request.prompt, &self.template) {
            (Prompt::Completion(text), _) => Ok(text.clone()),
            (Prompt::Chat { messages, assistant_prefix }, Some(template)) => {
                let chat = messages
                    .iter()
                    .map(|m| LlamaChatMessage::new(m.role.clone(), m.content.clone()))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| BackendError::Generate(format!("bad chat message: {e}")))?;
                let rendered = self
                    .model
                    .apply_chat_template(template, &chat, true)
                    .map_err(|e| BackendError::Generate(format!("chat template failed: {e}")))?;
                Ok(rendered + assistant_prefix)
            }
            (Prompt::Chat { .. }, None) => Err(BackendError::Generate(
                "a chat prompt was sent to a model without a chat template (a base model)".into(),
            )),
        }
    }

    fn generate(
        &mut self,
        request: &GenerationRequest,
        on_text: &mut dyn FnMut(&str) -> ControlFlow<()>,
    ) -> Result<Generation, BackendError> {
        let gen_err = |what: &str, e: &dyn std::fmt::Display| BackendError::Generate(format!("{what}: {e}"));
        memory::reset_peak_rss();
        let start = Instant::now();
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

        let mut stream = StopStream::new(&request.stop);
        let mut bytes: Vec<u8> = Vec::new();
        let mut text = String::new();
        let mut first_token_at = None;
        let mut generated = 0u32;
        let mut finish = FinishReason::Length;
        let mut pos = prompt_tokens as i32;
        while (generated as usize) < max_tokens {
            let token = sampler.sample(&ctx, batch.n_tokens() - 1);
            first_token_at.get_or_insert_with(Instant::now);
            generated += 1;
            if vocab.is_eog(token) {
                finish = FinishReason::EndOfText;
                break;
            }
            bytes.extend(vocab.token_to_piece(token, false, None));
            // Tokens may split a UTF-8 character: only the valid prefix is text so far.
            let valid = match std::str::from_utf8(&bytes) {
                Ok(s) => s.len(),
                Err(e) => e.valid_up_to(),
            };
            text.clear();
            text.push_str(std::str::from_utf8(&bytes[..valid]).unwrap_or_default());
            if stream.advance(&mut text, on_text).is_some() {
                finish = FinishReason::Stop;
                break;
            }
            batch.clear();
            batch.add(token, pos, &[0], true).map_err(|e| gen_err("batch", &e))?;
            pos += 1;
            ctx.decode(&mut batch).map_err(|e| gen_err("decode", &e))?;
        }
        if finish != FinishReason::Stop {
            text = String::from_utf8_lossy(&bytes).into_owned();
        }
        stream.finish(&text, on_text);

        let end = Instant::now();
        let first = first_token_at.unwrap_or(end);
        let ttft_s = (first - start).as_secs_f64();
        let decode_s = (end - first).as_secs_f64();
        let stats = GenerationStats {
            prompt_tokens: prompt_tokens as u32,
            generated_tokens: generated,
            ttft_s,
            prompt_tokens_per_s: if ttft_s > 0.0 { prompt_tokens as f64 / ttft_s } else { 0.0 },
            gen_tokens_per_s: if decode_s > 0.0 && generated > 1 {
                f64::from(generated - 1) / decode_s
            } else {
                0.0
            },
            total_s: (end - start).as_secs_f64(),
            peak_rss_bytes: memory::peak_rss_bytes(),
        };
        Ok(Generation { text, finish, stats })
    }
}
