//! The transformer itself: candle-transformers' quantized implementations, chosen by the GGUF's
//! `general.architecture`, loaded from the same file llama.cpp reads. Gemma 3 runs a fixed copy of
//! candle-transformers 0.11.1's (`gemma3.rs` says what differs: its feed-forward used SiLU, not GELU).

use candle_core::quantized::gguf_file::Content;
use candle_core::{Device, Tensor};
use candle_transformers::models::quantized_qwen2;
use std::fs::File;

// candle/gemma3.rs, a module of this one (candle.rs is left as it was).
#[path = "gemma3.rs"]
mod gemma3;
use gemma3 as quantized_gemma3;

/// A quantized model with its key/value cache.
pub enum QuantizedModel {
    Qwen2(quantized_qwen2::ModelWeights),
    Gemma3(quantized_gemma3::ModelWeights),
}

/// The architectures this backend runs.
pub const ARCHITECTURES: &[&str] = &["qwen2", "gemma3"];

impl QuantizedModel {
    /// Load the weights of `architecture` described by `content` from `file`.
    pub fn load(
        architecture: &str,
        content: Content,
        file: &mut File,
        device: &Device,
    ) -> Result<Self, String> {
        match architecture {
            "qwen2" => quantized_qwen2::ModelWeights::from_gguf(content, file, device)
                .map(QuantizedModel::Qwen2)
                .map_err(|e| e.to_string()),
            "gemma3" => quantized_gemma3::ModelWeights::from_gguf(content, file, device)
                .map(QuantizedModel::Gemma3)
                .map_err(|e| e.to_string()),
            other => Err(format!(
                "architecture `{other}` is not supported by the candle backend (it runs {})",
                ARCHITECTURES.join(", ")
            )),
        }
    }

    /// Feed `tokens` at positions `start..` and return the logits of the last one. Both models
    /// start a new sequence (drop their key/value cache) when `start` is 0.
    pub fn forward(
        &mut self,
        tokens: &[u32],
        start: usize,
        device: &Device,
    ) -> candle_core::Result<Vec<f32>> {
        let input = Tensor::new(tokens, device)?.unsqueeze(0)?;
        let logits = match self {
            QuantizedModel::Qwen2(m) => m.forward(&input, start)?,
            QuantizedModel::Gemma3(m) => m.forward(&input, start)?,
        };
        logits.squeeze(0)?.to_dtype(candle_core::DType::F32)?.to_vec1()
    }
}
