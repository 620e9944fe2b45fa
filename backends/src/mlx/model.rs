//! Qwen2 on MLX arrays: the math of candle-transformers 0.11.1's `quantized_qwen2.rs` (which the
//! candle backend runs), with weights dequantized to f32 at load. MLX reads GGUF files itself,
//! but only unquantized, Q4_0, Q4_1 and Q8_0 tensors, not the Q4_K/Q6_K of the catalog's files;
//! so candle's GGUF reader dequantizes each tensor and the values are copied into MLX arrays.

use candle_core::quantized::gguf_file::Content;
use mlx_rs::error::Exception;
use mlx_rs::fast::{self, ScaledDotProductAttentionMask};
use mlx_rs::ops;
use mlx_rs::Array;
use std::fs::File;

/// `x @ w^T + b`, for a weight of shape (out, in) as GGUF (and candle) store it.
struct Linear {
    weight: Array,
    bias: Option<Array>,
}

impl Linear {
    fn forward(&self, x: &Array) -> Result<Array, Exception> {
        // A transposed view: MLX hands BLAS the transpose flag, no copy.
        let wt = self.weight.t();
        match &self.bias {
            Some(b) => ops::addmm(b, x, &wt, None, None),
            None => x.matmul(&wt),
        }
    }
}

struct Layer {
    attn_norm: Array,
    q: Linear,
    k: Linear,
    v: Linear,
    o: Linear,
    ffn_norm: Array,
    gate: Linear,
    up: Linear,
    down: Linear,
    /// Keys and values of the positions seen so far, (1, kv heads, positions, head dim).
    cache: Option<(Array, Array)>,
}

/// The hyper-parameters, all from the GGUF metadata.
#[derive(Debug, Clone, Copy)]
struct Config {
    n_head: i32,
    n_kv_head: i32,
    head_dim: i32,
    rms_eps: f32,
    rope_base: f32,
}

pub struct Qwen2 {
    embed: Array,
    layers: Vec<Layer>,
    norm: Array,
    /// `output.weight`, or the embedding when the model ties them (the 0.5B does).
    lm_head: Array,
    config: Config,
}

/// One GGUF tensor as an f32 MLX array of the same shape.
fn tensor(content: &Content, file: &mut File, name: &str) -> Result<Array, String> {
    let cpu = candle_core::Device::Cpu;
    let q = content.tensor(file, name, &cpu).map_err(|e| format!("tensor `{name}`: {e}"))?;
    let t = q
        .dequantize(&cpu)
        .and_then(|t| t.to_dtype(candle_core::DType::F32))
        .map_err(|e| format!("tensor `{name}`: {e}"))?;
    let shape: Vec<i32> = t.dims().iter().map(|&d| d as i32).collect();
    let data: Vec<f32> =
        t.flatten_all().and_then(|t| t.to_vec1()).map_err(|e| format!("tensor `{name}`: {e}"))?;
    Ok(Array::from_slice(&data, &shape))
}

fn metadata_u32(content: &Content, key: &str) -> Result<u32, String> {
    content
        .metadata
        .get(key)
        .ok_or_else(|| format!("GGUF field `{key}` is missing"))?
        .to_u32()
        .map_err(|e| format!("GGUF field `{key}`: {e}"))
}

impl Qwen2 {
    pub fn load(content: &Content, file: &mut File) -> Result<Self, String> {
        let n_head = metadata_u32(content, "qwen2.attention.head_count")?;
        let n_kv_head = metadata_u32(content, "qwen2.attention.head_count_kv")?;
        let n_embd = metadata_u32(content, "qwen2.embedding_length")?;
        let n_layer = metadata_u32(content, "qwen2.block_count")?;
        let rms_eps = content
            .metadata
            .get("qwen2.attention.layer_norm_rms_epsilon")
            .and_then(|v| v.to_f32().ok())
            .ok_or("GGUF field `qwen2.attention.layer_norm_rms_epsilon` is missing or not a float")?;
        // candle-transformers' default when the field is absent.
        let rope_base =
            content.metadata.get("qwen2.rope.freq_base").and_then(|v| v.to_f32().ok()).unwrap_or(10_000.0);
        if n_head == 0 || n_kv_head == 0 || n_embd % n_head != 0 || n_head % n_kv_head != 0 {
            return Err(format!(
                "inconsistent attention shape: {n_head} heads, {n_kv_head} kv heads, {n_embd} wide"
            ));
        }
        let config = Config {
            n_head: n_head as i32,
            n_kv_head: n_kv_head as i32,
            head_dim: (n_embd / n_head) as i32,
            rms_eps,
            rope_base,
        };

        let mut get = |name: &str| tensor(content, file, name);
        let embed = get("token_embd.weight")?;
        let norm = get("output_norm.weight")?;
        let lm_head = if content.tensor_infos.contains_key("output.weight") {
            get("output.weight")?
        } else {
            embed.clone() // tied: the same buffer, not a copy
        };
        let mut layers = Vec::with_capacity(n_layer as usize);
        for i in 0..n_layer {
            let mut linear = |name: &str, bias: bool| -> Result<Linear, String> {
                Ok(Linear {
                    weight: get(&format!("blk.{i}.{name}.weight"))?,
                    bias: if bias { Some(get(&format!("blk.{i}.{name}.bias"))?) } else { None },
                })
            };
            let (q, k, v) = (linear("attn_q", true)?, linear("attn_k", true)?, linear("attn_v", true)?);
            let o = linear("attn_output", false)?;
            let (gate, up, down) =
                (linear("ffn_gate", false)?, linear("ffn_up", false)?, linear("ffn_down", false)?);
            layers.push(Layer {
                attn_norm: get(&format!("blk.{i}.attn_norm.weight"))?,
                ffn_norm: get(&format!("blk.{i}.ffn_norm.weight"))?,
                q,
                k,
                v,
                o,
                gate,
                up,
                down,
                cache: None,
            });
        }
        // Materialise everything now, so that load time is paid at load and a bad tensor fails here.
        let mut all = vec![&embed, &norm, &lm_head];
        for l in &layers {
            all.extend([&l.attn_norm, &l.ffn_norm]);
            for lin in [&l.q, &l.k, &l.v, &l.o, &l.gate, &l.up, &l.down] {
                all.push(&lin.weight);
                all.extend(lin.bias.as_ref());
            }
        }
        mlx_rs::transforms::eval(all).map_err(|e| format!("MLX: {e}"))?;
        Ok(Qwen2 { embed, layers, norm, lm_head, config })
    }

    /// Feed `tokens` at positions `start..` and return the logits of the last one. `start` 0
    /// starts a new sequence (drops the key/value cache).
    pub fn forward(&mut self, tokens: &[u32], start: usize) -> Result<Vec<f32>, Exception> {
        let Config { n_head, n_kv_head, head_dim, rms_eps, rope_base } = self.config;
        let len = tokens.len() as i32;
        let ids = Array::from_slice(tokens, &[1, len]);
        let mut h = self.embed.take_axis(&ids, 0)?; // (1, len, n_embd)
                                                    // Heads first: (1, len, heads * head_dim) -> (1, heads, len, head_dim).
        let heads = |x: Array, n: i32| x.reshape(&[1, len, n, head_dim])?.transpose_axes(&[0, 2, 1, 3]);
        let scale = 1.0 / (head_dim as f32).sqrt();
        for layer in &mut self.layers {
            let x = fast::rms_norm(&h, Some(&layer.attn_norm), rms_eps)?;
            let q = heads(layer.q.forward(&x)?, n_head)?;
            let k = heads(layer.k.forward(&x)?, n_kv_head)?;
            let v = heads(layer.v.forward(&x)?, n_kv_head)?;
            // GGUF's qwen2 is NEOX-style RoPE: rotate the two halves of each head, not pairs.
            let q = fast::rope(&q, head_dim, false, rope_base, 1.0, start as i32, None)?;
            let k = fast::rope(&k, head_dim, false, rope_base, 1.0, start as i32, None)?;
            let (k, v) = match layer.cache.take() {
                Some((ck, cv)) if start > 0 => {
                    (ops::concatenate(&[ck, k], 2)?, ops::concatenate(&[cv, v], 2)?)
                }
                _ => (k, v),
            };
            layer.cache = Some((k.clone(), v.clone()));
            // Grouped-query attention: the fused op takes the kv heads untiled. A prompt needs
            // the causal mask; a single new token sees every cached position.
            let mask = (len > 1).then_some(ScaledDotProductAttentionMask::Causal);
            let att = fast::scaled_dot_product_attention(&q, &k, &v, scale, mask, None)?;
            let att = att.transpose_axes(&[0, 2, 1, 3])?.reshape(&[1, len, n_head * head_dim])?;
            h = ops::add(&h, layer.o.forward(&att)?)?;

            let x = fast::rms_norm(&h, Some(&layer.ffn_norm), rms_eps)?;
            let gated = ops::multiply(mlx_rs::nn::silu(layer.gate.forward(&x)?)?, layer.up.forward(&x)?)?;
            h = ops::add(&h, layer.down.forward(&gated)?)?;
        }
        // Only the last position's logits are sampled.
        let last = h.take_axis(Array::from_slice(&[len - 1], &[1]), 1)?;
        let last = fast::rms_norm(&last, Some(&self.norm), rms_eps)?;
        let logits = last.matmul(self.lm_head.t())?.flatten(None, None)?;
        logits.eval()?;
        Ok(logits.try_as_slice::<f32>().map_err(|e| Exception::custom(e.to_string()))?.to_vec())
    }
}
