//! Gemma 3 from GGUF: a copy of candle-transformers 0.11.1's `models/quantized_gemma3.rs`, fixed.
//!
//! What differs from candle-transformers 0.11.1, and why:
//!
//! 1. The feed-forward activation is GELU (tanh approximation), not SiLU. candle 0.11.1's `Mlp`
//!    computes `silu(gate) * up`; Gemma 3 is `gelu_pytorch_tanh(gate) * up` (Hugging Face config
//!    `hidden_activation`), and llama.cpp builds its FFN with `LLM_FFN_GELU, LLM_FFN_PAR`
//!    (`src/models/gemma3.cpp`), i.e. `ggml_geglu_split`, the tanh GELU. This was why greedy output
//!    parted from llama.cpp from the second token on.
//! 2. The sliding-window mask follows llama.cpp (`is_masked_swa`: a key is hidden when
//!    `query_pos - key_pos >= sliding_window`) and Hugging Face; candle 0.11.1 hid it only when
//!    `> sliding_window`, applied no window at all to single-token decode steps (so after 512
//!    positions its sliding layers saw the whole cache), and masked every cached position when
//!    several tokens were fed after a cached prefix. Masks are now built from absolute positions.
//! 3. One rotary table per base frequency (local / global), shared by the layers and sized by the
//!    GGUF's `context_length`, instead of one 131072-position table per layer (about 2.3 GB for
//!    this model's 18 layers).
//! 4. Only `candle-core` and `candle-transformers` are used (this crate does not depend on
//!    `candle-nn`): embedding lookup, rotary embedding (the same half-split "NeoX" rotation as
//!    `candle_nn::rotary_emb::rope`) and softmax are written with tensor ops; tracing spans are
//!    dropped.
//!
//! Everything else (metadata keys and defaults, layer pattern of 5 sliding : 1 global, attention
//! scale 1/sqrt(head_dim), q/k norms, post-norms, sqrt(n_embd) embedding scale, tied output) is as
//! in candle 0.11.1, which agrees there with llama.cpp.

use candle_core::quantized::{gguf_file, QMatMul, QTensor};
use candle_core::{DType, Device, IndexOp, Module, Result, Tensor, D};
use candle_transformers::quantized_nn::RmsNorm;

pub const MAX_SEQ_LEN: usize = 131072; // Gemma 3 supports 128K context window
pub const DEFAULT_SLIDING_WINDOW_TYPE: usize = 6;
pub const DEFAULT_ROPE_FREQUENCY: f32 = 1_000_000.;
pub const DEFAULT_ROPE_FREQUENCY_SLIDING: f32 = 10_000.;

#[derive(Debug, Clone)]
struct Mlp {
    feed_forward_gate: QMatMul, // ffn_gate in GGUF
    feed_forward_up: QMatMul,   // ffn_up in GGUF
    feed_forward_down: QMatMul, // ffn_down in GGUF
}

impl Module for Mlp {
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        let gate = self.feed_forward_gate.forward(xs)?;
        let up = self.feed_forward_up.forward(xs)?;
        // Difference 1: GELU (tanh approximation), as llama.cpp and Hugging Face; candle 0.11.1 has SiLU.
        let gated = (gate.gelu()? * up)?;
        self.feed_forward_down.forward(&gated)
    }
}

#[derive(Debug, Clone)]
struct RotaryEmbedding {
    sin: Tensor,
    cos: Tensor,
}

impl RotaryEmbedding {
    fn new(head_dim: usize, rope_frequency: f32, max_seq_len: usize, device: &Device) -> Result<Self> {
        let theta: Vec<_> = (0..head_dim)
            .step_by(2)
            .map(|i| 1f32 / rope_frequency.powf(i as f32 / head_dim as f32))
            .collect();
        let theta = Tensor::new(theta.as_slice(), device)?;
        let idx_theta = Tensor::arange(0, max_seq_len as u32, device)?
            .to_dtype(DType::F32)?
            .reshape((max_seq_len, 1))?
            .matmul(&theta.reshape((1, theta.elem_count()))?)?;
        let cos = idx_theta.cos()?;
        let sin = idx_theta.sin()?;
        Ok(Self { sin, cos })
    }

    /// Half-split rotation of `x` (batch, heads, seq, head_dim), as `candle_nn::rotary_emb::rope`.
    fn rope(x: &Tensor, cos: &Tensor, sin: &Tensor) -> Result<Tensor> {
        let half = x.dim(D::Minus1)? / 2;
        let x1 = x.narrow(D::Minus1, 0, half)?;
        let x2 = x.narrow(D::Minus1, half, half)?;
        let cos = cos.unsqueeze(0)?.unsqueeze(0)?;
        let sin = sin.unsqueeze(0)?.unsqueeze(0)?;
        let a = (x1.broadcast_mul(&cos)? - x2.broadcast_mul(&sin)?)?;
        let b = (x2.broadcast_mul(&cos)? + x1.broadcast_mul(&sin)?)?;
        Tensor::cat(&[&a, &b], D::Minus1)
    }

    fn apply_rotary_emb_qkv(&self, q: &Tensor, k: &Tensor, index_pos: usize) -> Result<(Tensor, Tensor)> {
        let (_b_sz, _h, seq_len, _n_embd) = q.dims4()?;
        let cos = self.cos.narrow(0, index_pos, seq_len)?;
        let sin = self.sin.narrow(0, index_pos, seq_len)?;
        let q_embed = Self::rope(q, &cos, &sin)?;
        let k_embed = Self::rope(k, &cos, &sin)?;
        Ok((q_embed, k_embed))
    }
}

fn softmax_last_dim(xs: &Tensor) -> Result<Tensor> {
    let max = xs.max_keepdim(D::Minus1)?;
    let e = xs.broadcast_sub(&max)?.exp()?;
    let sum = e.sum_keepdim(D::Minus1)?;
    e.broadcast_div(&sum)
}

#[derive(Debug, Clone)]
struct LayerWeights {
    attention_wq: QMatMul,
    attention_wk: QMatMul,
    attention_wv: QMatMul,
    attention_wo: QMatMul,
    attention_q_norm: RmsNorm,
    attention_k_norm: RmsNorm,
    attention_norm: RmsNorm,      // Applied before attention
    post_attention_norm: RmsNorm, // Applied after attention
    ffn_norm: RmsNorm,            // Applied before feedforward
    post_ffn_norm: RmsNorm,       // Applied after feedforward
    mlp: Mlp,
    n_head: usize,
    n_kv_head: usize,
    head_dim: usize,
    q_dim: usize,
    sliding_window_size: Option<usize>,
    rotary_embedding: RotaryEmbedding,
    kv_cache: Option<(Tensor, Tensor)>,
}

impl LayerWeights {
    /// Difference 2: an additive mask (0 or -inf) of shape (seq_len, index_pos + seq_len) over
    /// absolute positions: query `index_pos + i` sees key `j` when `j <= index_pos + i` and, in a
    /// sliding layer, `index_pos + i - j < sliding_window` (llama.cpp's `is_masked_swa`).
    fn mask(&self, seq_len: usize, index_pos: usize, device: &Device) -> Result<Tensor> {
        let kv_len = index_pos + seq_len;
        let window = self.sliding_window_size;
        let mask: Vec<f32> = (0..seq_len)
            .flat_map(|i| {
                let q_pos = index_pos + i;
                (0..kv_len).map(move |j| {
                    let hidden = j > q_pos || window.is_some_and(|w| q_pos - j >= w);
                    if hidden {
                        f32::NEG_INFINITY
                    } else {
                        0.0
                    }
                })
            })
            .collect();
        Tensor::from_slice(&mask, (seq_len, kv_len), device)
    }

    fn forward_attn(&mut self, x: &Tensor, index_pos: usize) -> Result<Tensor> {
        let (b_sz, seq_len, _) = x.dims3()?;

        let q = self.attention_wq.forward(x)?;
        let k = self.attention_wk.forward(x)?;
        let v = self.attention_wv.forward(x)?;

        let q = q.reshape((b_sz, seq_len, self.n_head, self.head_dim))?.transpose(1, 2)?;
        let k = k.reshape((b_sz, seq_len, self.n_kv_head, self.head_dim))?.transpose(1, 2)?;
        let v = v.reshape((b_sz, seq_len, self.n_kv_head, self.head_dim))?.transpose(1, 2)?;

        let q = self.attention_q_norm.forward(&q.contiguous()?)?;
        let k = self.attention_k_norm.forward(&k.contiguous()?)?;

        let (q, k) = self.rotary_embedding.apply_rotary_emb_qkv(&q, &k, index_pos)?;

        let (k, v) = match &self.kv_cache {
            Some((k_cache, v_cache)) if index_pos > 0 => {
                let k = Tensor::cat(&[k_cache, &k], 2)?; // concat on seq dim
                let v = Tensor::cat(&[v_cache, &v], 2)?;
                (k, v)
            }
            _ => (k, v),
        };
        self.kv_cache = Some((k.clone(), v.clone()));

        // Which keys the queries see: a single query (decode step) sees the whole cache, or in a
        // sliding layer its last `window` positions; several queries need a mask.
        let kv_len = k.dim(2)?;
        let (k, v, mask) = match self.sliding_window_size {
            Some(w) if seq_len == 1 && kv_len > w => {
                (k.narrow(2, kv_len - w, w)?, v.narrow(2, kv_len - w, w)?, None)
            }
            _ if seq_len == 1 => (k, v, None),
            _ => (k, v, Some(self.mask(seq_len, index_pos, x.device())?)),
        };

        let k = candle_transformers::utils::repeat_kv(k, self.n_head / self.n_kv_head)?;
        let v = candle_transformers::utils::repeat_kv(v, self.n_head / self.n_kv_head)?;

        // Scaled dot-product attention (query_pre_attn_scalar = head_dim for this family).
        let scale = 1.0 / (self.head_dim as f64).sqrt();
        let mut attn_weights = (q.matmul(&k.contiguous()?.transpose(2, 3)?)? * scale)?;
        if let Some(mask) = mask {
            attn_weights = attn_weights.broadcast_add(&mask)?;
        }
        let attn_weights = softmax_last_dim(&attn_weights)?;
        let attn_output = attn_weights.matmul(&v.contiguous()?)?;

        let attn_output = attn_output.transpose(1, 2)?.reshape((b_sz, seq_len, self.q_dim))?;
        self.attention_wo.forward(&attn_output)
    }
}

#[derive(Debug, Clone)]
pub struct ModelWeights {
    tok_embeddings: Tensor,
    embedding_length: usize,
    layers: Vec<LayerWeights>,
    norm: RmsNorm,
    output: QMatMul,
}

impl ModelWeights {
    pub fn from_gguf<R: std::io::Seek + std::io::Read>(
        ct: gguf_file::Content,
        reader: &mut R,
        device: &Device,
    ) -> Result<Self> {
        let prefix = ["gemma3", "gemma2", "gemma", "gemma-embedding"]
            .iter()
            .find(|p| ct.metadata.contains_key(&format!("{}.attention.head_count", p)))
            .copied()
            .unwrap_or("gemma3");

        let md_get = |s: &str| {
            let key = format!("{prefix}.{s}");
            match ct.metadata.get(&key) {
                None => candle_core::bail!("cannot find {key} in metadata"),
                Some(v) => Ok(v),
            }
        };

        let head_count = md_get("attention.head_count")?.to_u32()? as usize;
        let head_count_kv = md_get("attention.head_count_kv")?.to_u32()? as usize;
        let block_count = md_get("block_count")?.to_u32()? as usize;
        let embedding_length = md_get("embedding_length")?.to_u32()? as usize;
        let key_length = md_get("attention.key_length")?.to_u32()? as usize;
        let _value_length = md_get("attention.value_length")?.to_u32()? as usize;
        let rms_norm_eps = md_get("attention.layer_norm_rms_epsilon")?.to_f32()? as f64;
        let sliding_window_size = md_get("attention.sliding_window")?.to_u32()? as usize;
        let max_seq_len = md_get("context_length")
            .and_then(|m| Ok(m.to_u32()? as usize))
            .unwrap_or(MAX_SEQ_LEN)
            .min(MAX_SEQ_LEN);

        let sliding_window_type = md_get("attention.sliding_window_type")
            .and_then(|m| Ok(m.to_u32()? as usize))
            .unwrap_or(DEFAULT_SLIDING_WINDOW_TYPE);
        let rope_freq_base =
            md_get("rope.freq_base").and_then(|m| m.to_f32()).unwrap_or(DEFAULT_ROPE_FREQUENCY);
        let rope_freq_base_sliding =
            md_get("rope.local_freq_base").and_then(|m| m.to_f32()).unwrap_or(DEFAULT_ROPE_FREQUENCY_SLIDING);

        let q_dim = head_count * key_length;

        let tok_embeddings = ct.tensor(reader, "token_embd.weight", device)?.dequantize(device)?;
        let norm = RmsNorm::from_qtensor(ct.tensor(reader, "output_norm.weight", device)?, rms_norm_eps)?;
        let output = match ct.tensor(reader, "output.weight", device) {
            Ok(tensor) => tensor,
            Err(_) => ct.tensor(reader, "token_embd.weight", device)?, // tied weights
        };

        // Difference 3: one table per frequency, shared by the layers.
        let rope_global = RotaryEmbedding::new(key_length, rope_freq_base, max_seq_len, device)?;
        let rope_sliding = RotaryEmbedding::new(key_length, rope_freq_base_sliding, max_seq_len, device)?;

        let mut layers = Vec::with_capacity(block_count);
        for layer_idx in 0..block_count {
            let prefix = format!("blk.{layer_idx}");
            let mut tensor = |name: &str| ct.tensor(reader, &format!("{prefix}.{name}.weight"), device);
            let qmatmul = QMatMul::from_qtensor;
            let rms = |t: QTensor| RmsNorm::from_qtensor(t, rms_norm_eps);

            let attention_wq = qmatmul(tensor("attn_q")?)?;
            let attention_wk = qmatmul(tensor("attn_k")?)?;
            let attention_wv = qmatmul(tensor("attn_v")?)?;
            let attention_wo = qmatmul(tensor("attn_output")?)?;
            let attention_q_norm = rms(tensor("attn_q_norm")?)?;
            let attention_k_norm = rms(tensor("attn_k_norm")?)?;
            let attention_norm = rms(tensor("attn_norm")?)?;
            let post_attention_norm = rms(tensor("post_attention_norm")?)?;
            let ffn_norm = rms(tensor("ffn_norm")?)?;
            let post_ffn_norm = rms(tensor("post_ffw_norm")?)?;
            let mlp = Mlp {
                feed_forward_gate: qmatmul(tensor("ffn_gate")?)?,
                feed_forward_up: qmatmul(tensor("ffn_up")?)?,
                feed_forward_down: qmatmul(tensor("ffn_down")?)?,
            };

            // Every `sliding_window_type`-th layer is global, the others sliding (llama.cpp:
            // `il % n_pattern < n_pattern - 1` is sliding).
            let is_sliding = (layer_idx + 1) % sliding_window_type > 0;
            let rotary_embedding = if is_sliding { rope_sliding.clone() } else { rope_global.clone() };

            layers.push(LayerWeights {
                attention_wq,
                attention_wk,
                attention_wv,
                attention_wo,
                attention_q_norm,
                attention_k_norm,
                attention_norm,
                post_attention_norm,
                ffn_norm,
                post_ffn_norm,
                mlp,
                n_head: head_count,
                n_kv_head: head_count_kv,
                head_dim: key_length,
                q_dim,
                sliding_window_size: is_sliding.then_some(sliding_window_size),
                rotary_embedding,
                kv_cache: None,
            })
        }

        Ok(Self { tok_embeddings, embedding_length, layers, norm, output: QMatMul::from_qtensor(output)? })
    }

    pub fn forward(&mut self, x: &Tensor, index_pos: usize) -> Result<Tensor> {
        let (b_sz, seq_len) = x.dims2()?;

        let mut layer_in = self.tok_embeddings.index_select(&x.flatten_all()?, 0)?.reshape((
            b_sz,
            seq_len,
            self.embedding_length,
        ))?;
        layer_in = (layer_in * (self.embedding_length as f64).sqrt())?;

        for layer in self.layers.iter_mut() {
            // Attention block
            let residual = &layer_in;
            let x = layer.attention_norm.forward(&layer_in)?;
            let x = layer.forward_attn(&x, index_pos)?;
            let x = layer.post_attention_norm.forward(&x)?;
            let x = (x + residual)?;

            // Feed-forward block
            let residual = &x;
            let x = layer.ffn_norm.forward(&x)?;
            let x = layer.mlp.forward(&x)?;
            let x = layer.post_ffn_norm.forward(&x)?;
            let x = (x + residual)?;

            layer_in = x;
        }

        let x = layer_in.i((.., seq_len - 1, ..))?;
        let x = self.norm.forward(&x)?;
        self.output.forward(&x)
    }
}
