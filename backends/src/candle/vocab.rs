//! The tokenizer a GGUF file describes in its `tokenizer.ggml.*` metadata, read and checked, with
//! the token attributes llama.cpp derives from it (so both backends agree on what is special).

use candle_core::quantized::gguf_file::{Content, Value};
use std::path::{Path, PathBuf};

/// Why the tokenizer metadata of a GGUF file cannot be used. Every message names file and field.
#[derive(Debug, thiserror::Error)]
pub enum VocabError {
    #[error("{path}: GGUF field `{field}` {problem}")]
    Field { path: PathBuf, field: String, problem: String },
}

/// Token types as GGUF stores them (`tokenizer.ggml.token_type`, llama.cpp's `llama_token_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    Normal,
    Unknown,
    /// Control tokens (`<|im_start|>`, `<eos>`): never produced from plain text by the pre-split,
    /// rendered as nothing.
    Control,
    /// Added tokens that are always split out of text before the model runs, even when control
    /// tokens are not parsed (HF `tokenizers` does the same).
    UserDefined,
    Unused,
    /// `<0xAB>`: one byte, for byte fallback.
    Byte,
    Undefined,
}

impl TokenKind {
    fn from_gguf(code: i32) -> Self {
        match code {
            1 => TokenKind::Normal,
            2 => TokenKind::Unknown,
            3 => TokenKind::Control,
            4 => TokenKind::UserDefined,
            5 => TokenKind::Unused,
            6 => TokenKind::Byte,
            _ => TokenKind::Undefined,
        }
    }
}

/// How text becomes tokens.
#[derive(Debug, Clone)]
pub enum Algorithm {
    /// `tokenizer.ggml.model = "gpt2"`: a regex pre-split, byte-level alphabet, BPE merges by rank.
    ByteLevelBpe {
        /// `tokenizer.ggml.pre`, which names the pre-split regex.
        pre: String,
        /// `tokenizer.ggml.merges`, highest priority first.
        merges: Vec<(String, String)>,
    },
    /// `tokenizer.ggml.model = "llama"`: SentencePiece BPE, spaces written `▁`, pairs merged by
    /// the score of the merged piece, bytes as `<0xAB>` for characters outside the vocabulary.
    SentencePiece {
        /// `tokenizer.ggml.scores`, one per token.
        scores: Vec<f32>,
        /// `tokenizer.ggml.add_space_prefix`: a space is put before text that follows a special
        /// token or starts the input.
        add_space_prefix: bool,
    },
}

/// The tokenizer description of one GGUF file.
#[derive(Debug, Clone)]
pub struct GgufVocab {
    pub algorithm: Algorithm,
    /// `tokenizer.ggml.tokens`: the text of every token id.
    pub tokens: Vec<String>,
    /// Per token, after llama.cpp's corrections (end-of-turn and fill-in-the-middle tokens are
    /// control tokens whatever the file says).
    pub kinds: Vec<TokenKind>,
    pub bos: Option<u32>,
    pub eos: Option<u32>,
    /// `tokenizer.ggml.add_bos_token` (llama.cpp's default per algorithm when absent).
    pub add_bos: bool,
    /// `tokenizer.ggml.add_eos_token`.
    pub add_eos: bool,
    /// Tokens that end generation, as llama.cpp's `llama_vocab_is_eog` decides.
    pub end_of_generation: Vec<u32>,
}

/// Token texts llama.cpp treats as end of generation (llama-vocab.cpp, `special_eog_ids`).
const EOG_TEXTS: &[&str] = &[
    "<|eot_id|>",
    "<|im_end|>",
    "<|end|>",
    "<|return|>",
    "<|call|>",
    "<|flush|>",
    "<|calls|>",
    "<end_of_turn>",
    "<|endoftext|>",
    "</s>",
    "<|eom_id|>",
    "<EOT>",
    "_<EOT>",
    "[EOT]",
    "[EOS]",
    "<|end_of_text|>",
    "<end_of_utterance>",
    "<eos>",
    "<turn|>",
    "<|tool_response>",
    "<｜end▁of▁sentence｜>",
    "[e~[",
];

/// Fill-in-the-middle pad, repository and file-separator tokens, which also end generation.
const FIM_EOG_TEXTS: &[&str] = &[
    "<|fim_pad|>",
    "<fim-pad>",
    "<fim_pad>",
    "<PAD>",
    "[PAD]",
    "<|fim_repo|>",
    "<|repo_name|>",
    "<fim-repo>",
    "<REPO>",
    "<reponame>",
    "<|file_sep|>",
];

/// Fill-in-the-middle prefix/suffix/middle tokens: llama.cpp makes them control tokens.
const FIM_CONTROL_TEXTS: &[&str] = &[
    "<|fim_prefix|>",
    "<fim-prefix>",
    "<fim_prefix>",
    "<｜fim▁begin｜>",
    "<PRE>",
    "▁<PRE>",
    "<|code_prefix|>",
    "<|prefix|>",
    "<|fim_suffix|>",
    "<fim-suffix>",
    "<fim_suffix>",
    "<｜fim▁hole｜>",
    "<SUF>",
    "▁<SUF>",
    "<|code_suffix|>",
    "<|suffix|>",
    "<|fim_middle|>",
    "<fim-middle>",
    "<fim_middle>",
    "<｜fim▁end｜>",
    "<MID>",
    "▁<MID>",
    "<|code_middle|>",
    "<|middle|>",
];

impl GgufVocab {
    /// Read the tokenizer of the GGUF file at `path`, whose header is `content`.
    pub fn from_gguf(content: &Content, path: &Path) -> Result<Self, VocabError> {
        let fields = Fields { content, path };
        let model = fields.string("tokenizer.ggml.model")?;
        let tokens = fields.strings("tokenizer.ggml.tokens")?;
        let n = tokens.len();
        if n == 0 {
            return Err(fields.error("tokenizer.ggml.tokens", "is empty"));
        }
        let kinds = match fields.optional("tokenizer.ggml.token_type") {
            None => vec![TokenKind::Normal; n],
            Some(_) => {
                let codes = fields.i32s("tokenizer.ggml.token_type")?;
                if codes.len() != n {
                    return Err(fields.error(
                        "tokenizer.ggml.token_type",
                        &format!("has {} entries for {n} tokens", codes.len()),
                    ));
                }
                codes.into_iter().map(TokenKind::from_gguf).collect()
            }
        };
        let (algorithm, default_bos, default_eos, default_add_bos) = match model.as_str() {
            "gpt2" => {
                let pre = match fields.optional("tokenizer.ggml.pre") {
                    Some(_) => fields.string("tokenizer.ggml.pre")?,
                    None => "default".to_string(),
                };
                let merges = fields
                    .strings("tokenizer.ggml.merges")?
                    .into_iter()
                    .enumerate()
                    .map(|(i, merge)| split_merge(&merge).ok_or(i))
                    .collect::<Result<Vec<_>, usize>>()
                    .map_err(|i| {
                        fields.error("tokenizer.ggml.merges", &format!("entry {i} is not two tokens separated by a space"))
                    })?;
                (Algorithm::ByteLevelBpe { pre, merges }, 11, 11, false)
            }
            "llama" => {
                let scores = fields.f32s("tokenizer.ggml.scores")?;
                if scores.len() < n {
                    return Err(fields.error(
                        "tokenizer.ggml.scores",
                        &format!("has {} entries for {n} tokens", scores.len()),
                    ));
                }
                let add_space_prefix = fields.bool_or("tokenizer.ggml.add_space_prefix", true)?;
                (Algorithm::SentencePiece { scores, add_space_prefix }, 1, 2, true)
            }
            other => {
                return Err(fields.error(
                    "tokenizer.ggml.model",
                    &format!("is `{other}`; the candle backend reads `gpt2` (byte-level BPE) and `llama` (SentencePiece) tokenizers"),
                ))
            }
        };
        let bos = fields.token_id("tokenizer.ggml.bos_token_id", n)?.or(Some(default_bos));
        let eos = fields.token_id("tokenizer.ggml.eos_token_id", n)?.or(Some(default_eos));
        let (bos, eos) = (bos.filter(|&id| (id as usize) < n), eos.filter(|&id| (id as usize) < n));
        let eot = fields.token_id("tokenizer.ggml.eot_token_id", n)?;
        let eom = fields.token_id("tokenizer.ggml.eom_token_id", n)?;
        let add_bos = fields.bool_or("tokenizer.ggml.add_bos_token", default_add_bos)?;
        let add_eos = fields.bool_or("tokenizer.ggml.add_eos_token", false)?;

        let mut vocab =
            GgufVocab { algorithm, tokens, kinds, bos, eos, add_bos, add_eos, end_of_generation: Vec::new() };
        vocab.apply_llama_cpp_conventions(&[eos, eot, eom]);
        Ok(vocab)
    }

    /// llama.cpp recognises end-of-turn and fill-in-the-middle tokens by their text, makes them
    /// control tokens, and ends generation on the end-of-turn ones; control tokens named
    /// `unused` are marked unused. Doing the same keeps tokenization and stopping identical.
    fn apply_llama_cpp_conventions(&mut self, declared_eog: &[Option<u32>]) {
        let mut eog: Vec<u32> = declared_eog.iter().flatten().copied().collect();
        for (id, text) in self.tokens.iter().enumerate() {
            let text = text.as_str();
            let is_eog = EOG_TEXTS.contains(&text) || FIM_EOG_TEXTS.contains(&text);
            if is_eog || FIM_CONTROL_TEXTS.contains(&text) {
                self.kinds[id] = TokenKind::Control;
            }
            if is_eog {
                eog.push(id as u32);
            }
        }
        eog.sort_unstable();
        eog.dedup();
        self.end_of_generation = eog;
    }

    pub fn len(&self) -> usize {
        self.tokens.len()
    }
}

/// `"a b"` into `("a", "b")`, splitting at the first space after the first byte, as llama.cpp.
fn split_merge(merge: &str) -> Option<(String, String)> {
    // The first token is at least one character (which may be a space), however many bytes.
    let first = merge.chars().next()?.len_utf8();
    let at = merge[first..].find(' ')? + first;
    Some((merge[..at].to_string(), merge[at + 1..].to_string()))
}

/// Typed access to the metadata, with errors that name the file and the field.
struct Fields<'a> {
    content: &'a Content,
    path: &'a Path,
}

impl Fields<'_> {
    fn error(&self, field: &str, problem: &str) -> VocabError {
        VocabError::Field {
            path: self.path.to_path_buf(),
            field: field.to_string(),
            problem: problem.to_string(),
        }
    }

    fn optional(&self, field: &str) -> Option<&Value> {
        self.content.metadata.get(field)
    }

    fn required(&self, field: &str) -> Result<&Value, VocabError> {
        self.optional(field).ok_or_else(|| self.error(field, "is missing"))
    }

    fn string(&self, field: &str) -> Result<String, VocabError> {
        match self.required(field)? {
            Value::String(s) => Ok(s.clone()),
            other => Err(self.error(field, &format!("is {:?}, expected a string", other.value_type()))),
        }
    }

    fn array(&self, field: &str) -> Result<&Vec<Value>, VocabError> {
        match self.required(field)? {
            Value::Array(items) => Ok(items),
            other => Err(self.error(field, &format!("is {:?}, expected an array", other.value_type()))),
        }
    }

    fn strings(&self, field: &str) -> Result<Vec<String>, VocabError> {
        self.array(field)?
            .iter()
            .enumerate()
            .map(|(i, v)| match v {
                Value::String(s) => Ok(s.clone()),
                other => {
                    Err(self
                        .error(field, &format!("entry {i} is {:?}, expected a string", other.value_type())))
                }
            })
            .collect()
    }

    fn i32s(&self, field: &str) -> Result<Vec<i32>, VocabError> {
        self.array(field)?
            .iter()
            .enumerate()
            .map(|(i, v)| {
                v.to_i32().map_err(|_| {
                    self.error(field, &format!("entry {i} is {:?}, expected i32", v.value_type()))
                })
            })
            .collect()
    }

    fn f32s(&self, field: &str) -> Result<Vec<f32>, VocabError> {
        self.array(field)?
            .iter()
            .enumerate()
            .map(|(i, v)| match v {
                Value::F32(x) => Ok(*x),
                Value::I32(x) => Ok(*x as f32),
                other => {
                    Err(self.error(field, &format!("entry {i} is {:?}, expected f32", other.value_type())))
                }
            })
            .collect()
    }

    fn bool_or(&self, field: &str, default: bool) -> Result<bool, VocabError> {
        match self.optional(field) {
            None => Ok(default),
            Some(Value::Bool(b)) => Ok(*b),
            Some(other) => Err(self.error(field, &format!("is {:?}, expected a bool", other.value_type()))),
        }
    }

    /// An optional token id, checked against the vocabulary size.
    fn token_id(&self, field: &str, n_tokens: usize) -> Result<Option<u32>, VocabError> {
        let Some(value) = self.optional(field) else { return Ok(None) };
        let id = match value {
            Value::U32(x) => i64::from(*x),
            Value::I32(x) => i64::from(*x),
            Value::U64(x) => i64::try_from(*x).unwrap_or(i64::MAX),
            Value::I64(x) => *x,
            other => {
                return Err(self.error(field, &format!("is {:?}, expected a token id", other.value_type())))
            }
        };
        // llama.cpp treats -1 as "no such token".
        if id < 0 {
            return Ok(None);
        }
        if id as u64 >= n_tokens as u64 {
            return Err(
                self.error(field, &format!("is {id}, beyond the {n_tokens} tokens of the vocabulary"))
            );
        }
        Ok(Some(id as u32))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merges_split_at_the_first_space_after_the_first_byte() {
        assert_eq!(split_merge("Ġ t"), Some(("Ġ".into(), "t".into())));
        assert_eq!(split_merge("ĠĠ ĠĠ"), Some(("ĠĠ".into(), "ĠĠ".into())));
        // A leading space belongs to the first token (llama.cpp searches from byte 1).
        assert_eq!(split_merge("  x"), Some((" ".into(), "x".into())));
        assert_eq!(split_merge("nospace"), None);
        assert_eq!(split_merge(""), None);
    }
}
