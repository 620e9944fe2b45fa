//! Model backends of evalrun, one file per backend behind [`evalrun_core::Backend`], and the
//! registry of known models (catalog, local store, fetcher).

pub mod auto;
pub mod compute_features;
pub mod generation_clock;
#[cfg(feature = "llamacpp")]
pub mod greedy;
pub mod memory;
pub mod models;
pub mod openai;
pub mod slot_count;
mod stop;
pub mod text_stream;

#[cfg(feature = "candle")]
pub mod candle;
#[cfg(feature = "chat-template")]
pub mod chat_template;
#[cfg(feature = "llamacpp")]
pub mod llamacpp;
#[cfg(feature = "mlx")]
pub mod mlx;

pub use stop::{Halt, StopMatcher, StopStream};

use evalrun_core::{Backend, BackendError};
use std::path::Path;

/// Options that apply to every local backend.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// Sequences decoded together (llama.cpp's slots); 0 means the measured default for the model.
    pub slots: usize,
    /// Whether sequences whose prompts open alike share those KV cells (prefilled once).
    pub prompt_sharing: bool,
    /// CPU threads for generation; 0 means all cores.
    pub threads: usize,
    /// Context window in tokens.
    pub n_ctx: u32,
    /// The server and model name for the `openai` backend (which has no local file to load).
    pub openai: Option<openai::OpenAiConfig>,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions { threads: 0, n_ctx: 4096, openai: None, slots: 0, prompt_sharing: true }
    }
}

/// Names of the backends compiled into this build.
pub fn available() -> Vec<&'static str> {
    let mut names = Vec::new();
    if cfg!(feature = "llamacpp") {
        names.push("llamacpp");
    }
    if cfg!(feature = "candle") {
        names.push("candle");
    }
    if cfg!(feature = "mlx") {
        names.push("mlx");
    }
    names.push("openai");
    names
}

/// Load `path` with the backend called `name`.
#[cfg_attr(not(any(feature = "llamacpp", feature = "candle")), allow(unused_variables))]
pub fn load(name: &str, path: &Path, opts: &LoadOptions) -> Result<Box<dyn Backend>, BackendError> {
    match name {
        #[cfg(feature = "llamacpp")]
        "llamacpp" => Ok(Box::new(llamacpp::LlamaCppBackend::load(path, opts)?)),
        #[cfg(not(feature = "llamacpp"))]
        "llamacpp" => Err(BackendError::Unavailable {
            backend: name.into(),
            reason: "this evalrun was built without the `llamacpp` feature".into(),
        }),
        "openai" => match &opts.openai {
            Some(config) => Ok(Box::new(openai::OpenAiBackend::connect(config.clone())?)),
            None => Err(BackendError::Unavailable {
                backend: name.into(),
                reason: format!("no server configured: set --openai-base-url or {}", openai::BASE_URL_ENV),
            }),
        },
        #[cfg(feature = "candle")]
        "candle" => Ok(Box::new(candle::CandleBackend::load(path, opts)?)),
        #[cfg(not(feature = "candle"))]
        "candle" => Err(BackendError::Unavailable {
            backend: name.into(),
            reason: "this evalrun was built without the `candle` feature (cargo build --features candle)"
                .into(),
        }),
        #[cfg(feature = "mlx")]
        "mlx" => Ok(Box::new(mlx::MlxBackend::load(path, opts)?)),
        #[cfg(not(feature = "mlx"))]
        "mlx" => Err(BackendError::Unavailable {
            backend: name.into(),
            reason: "this evalrun was built without the `mlx` feature (docs/BACKENDS.md, \"MLX\")".into(),
        }),
        other => Err(BackendError::Unavailable {
            backend: other.into(),
            reason: format!("unknown backend (compiled in: {})", available().join(", ")),
        }),
    }
}
