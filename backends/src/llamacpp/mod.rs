//! llama.cpp through the `llama-cpp-2` crate (CPU build; GPU builds come from the same code with
//! the crate's `cuda`/`metal` features).

use crate::chat_template::{self, ChatTemplate};
use crate::LoadOptions;
use evalrun_core::{Backend, BackendError, Generation, GenerationRequest, GenerationSink};
use llama_cpp_2::context::params::LlamaContextParams;
use llama_cpp_2::llama_backend::LlamaBackend;
use llama_cpp_2::model::params::LlamaModelParams;
use llama_cpp_2::model::LlamaModel;
use llama_cpp_2::token::LlamaToken;
use std::num::NonZeroU32;
use std::ops::ControlFlow;
use std::path::Path;
use std::sync::OnceLock;

/// Version of the `llama-cpp-2` crate this build links (pinned in Cargo.lock).
const CRATE_VERSION: &str = "llama-cpp-2 0.1.160";

/// Which llama.cpp build this is, for the manifest.
const BUILD: &str = if cfg!(feature = "llamacpp-dynamic") {
    "modules"
} else if cfg!(feature = "llamacpp-cuda") {
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
pub fn runtime() -> Result<&'static LlamaBackend, BackendError> {
    static RUNTIME: OnceLock<Result<LlamaBackend, String>> = OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            llama_cpp_2::send_logs_to_tracing(llama_cpp_2::LogOptions::default());
            #[cfg(feature = "llamacpp-dynamic")]
            if let Err(e) = loaded_modules() {
                return Err(e.to_string());
            }
            LlamaBackend::init().map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| BackendError::Unavailable { backend: "llamacpp".into(), reason: e.clone() })
}

/// The ggml modules this process loaded (once, before llama.cpp's backend starts).
#[cfg(feature = "llamacpp-dynamic")]
pub fn loaded_modules() -> Result<&'static backend_modules::LoadedModules, BackendError> {
    static LOADED: OnceLock<Result<backend_modules::LoadedModules, BackendError>> = OnceLock::new();
    LOADED.get_or_init(backend_modules::load).as_ref().map_err(Clone::clone)
}

#[cfg(feature = "llamacpp-dynamic")]
pub mod backend_modules;
mod device_greedy;
mod scheduler;
mod slot;
mod stream_stats;

pub use stream_stats::StreamStats;

use device_greedy::Runs;
use scheduler::{Scheduler, SchedulerConfig};

/// Most tokens one decode step carries (llama.cpp's default micro-batch): prompt chunks of new
/// sequences fill what the generating ones leave.
const STEP_BUDGET: usize = 512;

/// The step budget on a GPU, where a step of 2,048 prompt tokens (run as micro-batches of
/// [`STEP_BUDGET`]) costs little more than one of 512: the sequences of a full slot set start
/// generating together, as they do in llama-server and llama-batched-bench (both `-b 2048`).
const GPU_STEP_BUDGET: usize = 2048;

pub struct LlamaCppBackend {
    model: LlamaModel,
    /// The GGUF's chat template, rendered by evalrun (not by llama.cpp's pattern-matching
    /// `llama_chat_apply_template`) so every backend feeds a chat as the same text.
    template: Option<ChatTemplate>,
    threads: i32,
    /// Context of each sequence.
    n_ctx: u32,
    /// Sequences decoded together.
    slots: usize,
    /// Whether sequences copy the KV cells of prompt prefixes they share.
    share_prompts: bool,
    /// What the last `generate_stream` did.
    last_stream: StreamStats,
    /// Whether a GPU runs the model (llama.cpp offloads every layer to one when it has one).
    on_gpu: bool,
    /// Most tokens in one decode step: [`GPU_STEP_BUDGET`] on a GPU, [`STEP_BUDGET`] on the CPU.
    step_budget: usize,
    /// Whether llama.cpp picks greedy requests' tokens in its graph (device_greedy.rs).
    device_greedy: bool,
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
        // llama.cpp sizes caches in multiples of 256 cells.
        let n_ctx = opts.n_ctx.min(model.n_ctx_train()).max(256).div_ceil(256) * 256;
        let on_gpu = !gpu_devices().is_empty();
        Ok(LlamaCppBackend {
            model,
            template,
            threads: i32::try_from(threads).unwrap_or(1),
            n_ctx,
            slots: opts.slots.clamp(1, MAX_SLOTS),
            share_prompts: opts.prompt_sharing,
            last_stream: StreamStats::default(),
            on_gpu,
            step_budget: if on_gpu { GPU_STEP_BUDGET } else { STEP_BUDGET },
            device_greedy: device_greedy::requested(),
        })
    }

    /// The loaded llama.cpp model (for tests that compare another backend with llama.cpp).
    pub fn model(&self) -> &LlamaModel {
        &self.model
    }

    /// What the last [`Backend::generate_stream`] did: steps, prompt and generation throughput.
    pub fn stream_stats(&self) -> &StreamStats {
        &self.last_stream
    }

    /// Turn prompt sharing off (to measure what it saves, and to test that it changes nothing).
    pub fn set_prompt_sharing(&mut self, on: bool) {
        self.share_prompts = on;
    }

    /// Set the most tokens one decode step carries (to run the GPU's budget on the CPU in tests;
    /// llama.cpp still computes it in micro-batches of [`STEP_BUDGET`]).
    pub fn set_step_budget(&mut self, tokens: usize) {
        self.step_budget = tokens.max(1);
    }

    /// Let llama.cpp pick greedy requests' tokens in its graph, or not (device_greedy.rs; to
    /// compare the two, and to test it).
    pub fn set_device_greedy(&mut self, on: bool) {
        self.device_greedy = on;
    }

    /// Serve `requests` with `slots` sequences: in runs of requests alike in whether llama.cpp
    /// picks their tokens, each run in a context of its own (one run unless device_greedy.rs is
    /// on and greedy requests mix with sampled ones).
    fn serve(
        &mut self,
        slots: usize,
        requests: &mut dyn Iterator<Item = GenerationRequest>,
        sink: &mut dyn GenerationSink,
    ) {
        self.last_stream = StreamStats::default();
        let mut runs = Runs::new(requests, self.device_greedy);
        while let Some(device_greedy) = runs.next_run() {
            runs.serve_next(sink, |run, sink| self.serve_run(slots, device_greedy, run, sink));
        }
    }

    /// Serve `requests` with `slots` sequences in one context; every request gets the error if
    /// the context cannot be made.
    fn serve_run(
        &mut self,
        slots: usize,
        device_greedy: bool,
        requests: &mut dyn Iterator<Item = GenerationRequest>,
        sink: &mut dyn GenerationSink,
    ) {
        let n_ubatch = STEP_BUDGET.max(slots + 1);
        let n_batch = self.step_budget.max(n_ubatch);
        let params = LlamaContextParams::default()
            .with_n_ctx(NonZeroU32::new(self.n_ctx * slots as u32))
            .with_n_seq_max(slots as u32)
            .with_n_batch(n_batch as u32)
            .with_n_ubatch(n_ubatch as u32)
            .with_n_threads(self.threads)
            .with_n_threads_batch(self.threads);
        let ctx = runtime().and_then(|llama| {
            let made = if device_greedy {
                self.model.new_context_with_samplers(llama, params, device_greedy::samplers(slots))
            } else {
                self.model.new_context(llama, params)
            };
            made.map_err(|e| BackendError::Generate(format!("cannot create a context of {slots} slots: {e}")))
        });
        let ctx = match ctx {
            Ok(ctx) => ctx,
            Err(e) => {
                for (index, _) in requests.enumerate() {
                    sink.finished(index, Err(e.clone()));
                }
                return;
            }
        };
        let config = SchedulerConfig {
            slots,
            n_ctx_seq: self.n_ctx as usize,
            step_budget: n_batch,
            share_prompts: self.share_prompts,
            parallel_greedy: self.on_gpu,
            device_greedy,
        };
        let run = Scheduler::new(ctx, &self.model, self.template.as_ref(), config).run(requests, sink);
        // EVALRUN_LOG=evalrun_backends=info shows it (how a run's time splits, on any machine).
        tracing::info!("{slots} slots: {run}");
        self.last_stream += &run;
    }
}

/// llama.cpp's limit on sequences in one context.
const MAX_SLOTS: usize = 256;

/// The exact text the model is fed for `request`.
fn render(template: Option<&ChatTemplate>, request: &GenerationRequest) -> Result<String, BackendError> {
    chat_template::render_request(template, request)
}

/// Token ids of a rendered prompt.
fn prompt_tokens(model: &LlamaModel, prompt: &str) -> Vec<LlamaToken> {
    let vocab = model.vocab();
    let mut tokens = vocab.tokenize(prompt.as_bytes(), true, true);
    // Templates that spell out the BOS token would otherwise get it twice.
    if tokens.len() >= 2 && tokens[0] == vocab.bos() && tokens[1] == vocab.bos() {
        tokens.remove(0);
    }
    tokens
}

impl Backend for LlamaCppBackend {
    fn name(&self) -> &'static str {
        "llamacpp"
    }

    fn version(&self) -> String {
        // A modules build names the modules that run (the CPU variant ggml picked, any GPU's).
        #[cfg(feature = "llamacpp-dynamic")]
        let build = match loaded_modules() {
            Ok(loaded) => format!("{BUILD}: {}", loaded.modules.join(" ")),
            Err(_) => BUILD.to_string(),
        };
        #[cfg(not(feature = "llamacpp-dynamic"))]
        let build = BUILD;
        let picks = if self.device_greedy { ", greedy picked in llama.cpp's graph" } else { "" };
        format!("{CRATE_VERSION} ({build}, {} threads{picks})", self.threads)
    }

    fn chat_template(&self) -> Option<String> {
        self.template.as_ref().map(|t| t.source().to_string())
    }

    fn render_prompt(&self, request: &GenerationRequest) -> Result<String, BackendError> {
        render(self.template.as_ref(), request)
    }

    /// One request alone: the scheduler with a single slot.
    fn generate(
        &mut self,
        request: &GenerationRequest,
        on_text: &mut dyn FnMut(&str) -> ControlFlow<()>,
    ) -> Result<Generation, BackendError> {
        struct One<'f> {
            on_text: &'f mut dyn FnMut(&str) -> ControlFlow<()>,
            result: Option<Result<Generation, BackendError>>,
        }
        impl GenerationSink for One<'_> {
            fn text(&mut self, _: usize, piece: &str) -> ControlFlow<()> {
                (self.on_text)(piece)
            }
            fn finished(&mut self, _: usize, result: Result<Generation, BackendError>) {
                self.result = Some(result);
            }
        }
        let mut one = One { on_text, result: None };
        self.serve(1, &mut std::iter::once(request.clone()), &mut one);
        one.result.unwrap_or_else(|| Err(BackendError::Generate("the scheduler dropped the request".into())))
    }

    fn max_concurrency(&self) -> usize {
        self.slots
    }

    fn generate_stream(
        &mut self,
        requests: &mut dyn Iterator<Item = GenerationRequest>,
        sink: &mut dyn GenerationSink,
    ) {
        self.serve(self.slots, requests, sink);
    }
}
