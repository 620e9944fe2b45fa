//! mlx: the transformer run with MLX (Apple's array framework) through the `mlx-rs` crate; on
//! Apple silicon on the GPU (Metal), elsewhere on MLX's CPU device. MLX cannot read the K-quant
//! GGUF files of the catalog, so the weights are read and dequantized to f32 with candle's GGUF
//! reader (`mlx/model.rs`); the tokenizer, chat template, sampler and generation loop are the
//! candle backend's, so the two differ only in the forward pass.
//!
//! Off Apple targets, mlx-sys 0.7 does not build as published: `scripts/build-mlx.sh` builds this
//! backend against the `mlx-cpu` wheel's libmlx.so (docs/BACKENDS.md, "MLX").

mod model;

use crate::candle::tokenizer::GgufTokenizer;
use crate::candle::{generate_with, load_error, read_header, GgufText};
use crate::chat_template::{self, ChatTemplate};
use crate::generation_clock::GenerationClock;
use crate::LoadOptions;
use evalrun_core::{Backend, BackendError, Generation, GenerationRequest};
use model::Qwen2;
use std::ops::ControlFlow;
use std::path::Path;

/// Version of the mlx-rs crate this build links (pinned in Cargo.lock; a test checks it).
pub const CRATE_VERSION: &str = "mlx-rs 0.33.0";

/// The architectures this backend runs.
pub const ARCHITECTURES: &[&str] = &["qwen2"];

// mlx-rs 0.33's random.rs seeds its default key from `mach_approximate_time()`, a macOS call
// (mach-sys declares it on every target; Linux has none), so nothing links without a stand-in.
// Generation never draws from MLX's generator (sampling is the candle backend's), so any value
// would do; the time keeps the seed varying as on macOS.
#[cfg(not(target_os = "macos"))]
#[no_mangle]
pub extern "C" fn mach_approximate_time() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64)
}

pub struct MlxBackend {
    model: Qwen2,
    tokenizer: GgufTokenizer,
    template: Option<ChatTemplate>,
    n_ctx: u32,
    device: String,
}

impl MlxBackend {
    /// Load a GGUF file. `opts.threads` does not apply: MLX's CPU device sizes its own work.
    pub fn load(path: &Path, opts: &LoadOptions) -> Result<Self, BackendError> {
        let (mut file, content) = read_header(path)?;
        let GgufText { architecture, tokenizer, template, n_ctx } = GgufText::read(path, &content, opts)?;
        if !ARCHITECTURES.contains(&architecture.as_str()) {
            return Err(load_error(
                path,
                format!(
                    "architecture `{architecture}` is not supported by the mlx backend (it runs {})",
                    ARCHITECTURES.join(", ")
                ),
            ));
        }
        let device =
            mlx_rs::Device::try_default().map_or_else(|e| format!("unknown device: {e}"), |d| d.to_string());
        let model = Qwen2::load(&content, &mut file).map_err(|reason| load_error(path, reason))?;
        Ok(MlxBackend { model, tokenizer, template, n_ctx, device })
    }

    /// Token ids of a prompt, as `generate` feeds them.
    pub fn prompt_tokens(&mut self, prompt: &str) -> Result<Vec<u32>, BackendError> {
        crate::candle::prompt_tokens(&mut self.tokenizer, prompt)
    }

    /// The logits after `tokens` from a new sequence (for tests comparing forward passes).
    pub fn logits(&mut self, tokens: &[u32]) -> Result<Vec<f32>, BackendError> {
        self.model.forward(tokens, 0).map_err(|e| BackendError::Generate(format!("MLX: {e}")))
    }
}

impl Backend for MlxBackend {
    fn name(&self) -> &'static str {
        "mlx"
    }

    fn version(&self) -> String {
        format!("{CRATE_VERSION} ({}, f32 weights dequantized from GGUF)", self.device)
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
        let model = &mut self.model;
        generate_with(&mut self.tokenizer, self.n_ctx, request, &prompt, clock, on_text, |tokens, start| {
            model.forward(tokens, start).map_err(|e| format!("MLX: {e}"))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crate_version_matches_the_lock_file() {
        let lock = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.lock")).unwrap();
        let version = CRATE_VERSION.trim_start_matches("mlx-rs ");
        assert!(
            lock.contains(&format!("name = \"mlx-rs\"\nversion = \"{version}\"")),
            "Cargo.lock pins another mlx-rs than {CRATE_VERSION}"
        );
    }

    #[test]
    fn a_missing_file_is_a_load_error_naming_it() {
        let err =
            MlxBackend::load(Path::new("/nonexistent/model.gguf"), &LoadOptions::default()).err().unwrap();
        assert!(err.to_string().contains("/nonexistent/model.gguf"), "{err}");
    }

    #[test]
    fn a_file_that_is_not_gguf_is_a_load_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("junk.gguf");
        std::fs::write(&path, b"this is not a model").unwrap();
        let err = MlxBackend::load(&path, &LoadOptions::default()).err().unwrap().to_string();
        assert!(err.contains("junk.gguf") && err.contains("GGUF"), "{err}");
    }
}
