//! A `tokenizers` tokenizer built from a GGUF file's own vocabulary (no `tokenizer.json`), made to
//! produce the token ids llama.cpp produces, plus the per-token text llama.cpp streams.

use super::vocab::{Algorithm, GgufVocab, TokenKind};
use std::collections::HashMap;
use tokenizers::models::bpe::{Vocab, BPE};
use tokenizers::normalizers::{Prepend, Replace, Sequence as NormalizerSequence};
use tokenizers::pre_tokenizers::byte_level::ByteLevel;
use tokenizers::pre_tokenizers::sequence::Sequence as PreTokenizerSequence;
use tokenizers::pre_tokenizers::split::{Split, SplitPattern};
use tokenizers::{AddedToken, NormalizerWrapper, PreTokenizerWrapper, SplitDelimiterBehavior, Tokenizer};

/// Qwen2's pre-split, as llama.cpp spells it: the contractions are written out case by case
/// instead of `(?i:...)`, whose Unicode case folding would also match `'ſ` (llama.cpp does not).
const QWEN2_SPLIT: &str = r"(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

/// SentencePiece writes spaces as this character.
const SPM_SPACE: &str = "\u{2581}";

#[derive(Debug, thiserror::Error)]
pub enum TokenizerError {
    #[error("the candle backend has no pre-tokenizer for `tokenizer.ggml.pre = {0}` (it reads `qwen2`)")]
    UnsupportedPre(String),
    #[error("cannot build the tokenizer: {0}")]
    Build(String),
    #[error("cannot tokenize: {0}")]
    Encode(String),
}

/// Encodes text to token ids and gives the bytes of each id.
pub struct GgufTokenizer {
    inner: Tokenizer,
    /// What llama.cpp's `token_to_piece(id, special = false)` returns, per id.
    pieces: Vec<Vec<u8>>,
    end_of_generation: Vec<bool>,
    bos: Option<u32>,
    eos: Option<u32>,
    add_bos: bool,
    add_eos: bool,
}

impl GgufTokenizer {
    pub fn new(vocab: &GgufVocab) -> Result<Self, TokenizerError> {
        let build = |e: &dyn std::fmt::Display| TokenizerError::Build(e.to_string());
        let ids: Vocab =
            vocab.tokens.iter().enumerate().map(|(id, text)| (text.clone(), id as u32)).collect();
        let mut inner = match &vocab.algorithm {
            Algorithm::ByteLevelBpe { pre, merges } => {
                let split = match pre.as_str() {
                    "qwen2" | "deepseek-r1-qwen" => QWEN2_SPLIT,
                    other => return Err(TokenizerError::UnsupportedPre(other.to_string())),
                };
                let bpe = BPE::builder()
                    .vocab_and_merges(ids.clone(), first_of_each(merges))
                    .build()
                    .map_err(|e| build(&e))?;
                let mut tokenizer = Tokenizer::new(bpe);
                let split =
                    Split::new(SplitPattern::Regex(split.into()), SplitDelimiterBehavior::Isolated, false)
                        .map_err(|e| build(&e))?;
                tokenizer.with_pre_tokenizer(Some(PreTokenizerSequence::new(vec![
                    PreTokenizerWrapper::Split(split),
                    PreTokenizerWrapper::ByteLevel(ByteLevel::new(false, false, false)),
                ])));
                tokenizer
            }
            Algorithm::SentencePiece { scores, add_space_prefix } => {
                let merges = merges_by_score(&vocab.tokens, scores, &ids);
                let bpe = BPE::builder()
                    .vocab_and_merges(ids.clone(), merges)
                    .byte_fallback(true)
                    .build()
                    .map_err(|e| build(&e))?;
                let mut tokenizer = Tokenizer::new(bpe);
                let mut normalizers = Vec::new();
                if *add_space_prefix {
                    // The tokenizer normalizes each piece between special tokens on its own, and
                    // llama.cpp prefixes exactly those pieces, so a plain prepend matches.
                    normalizers.push(NormalizerWrapper::Prepend(Prepend::new(SPM_SPACE.into())));
                }
                normalizers
                    .push(NormalizerWrapper::Replace(Replace::new(" ", SPM_SPACE).map_err(|e| build(&e))?));
                tokenizer
                    .with_normalizer(Some(NormalizerSequence::new(normalizers)))
                    .map_err(|e| build(&e))?;
                tokenizer
            }
        };
        // Control and unknown tokens are split out of the text only when special tokens are
        // parsed; user-defined ones always. Both match the raw (unnormalized) text.
        let added = |kind: TokenKind| -> Vec<AddedToken> {
            vocab
                .tokens
                .iter()
                .zip(&vocab.kinds)
                .filter(|(text, k)| **k == kind && !text.is_empty())
                .map(|(text, _)| {
                    AddedToken::from(text.clone(), kind != TokenKind::UserDefined).normalized(false)
                })
                .collect()
        };
        inner
            .add_special_tokens([added(TokenKind::Control), added(TokenKind::Unknown)].concat())
            .map_err(|e| build(&e))?;
        inner.add_tokens(added(TokenKind::UserDefined)).map_err(|e| build(&e))?;

        let mut end_of_generation = vec![false; vocab.len()];
        for &id in &vocab.end_of_generation {
            end_of_generation[id as usize] = true;
        }
        Ok(GgufTokenizer {
            inner,
            pieces: {
                let bytes = byte_level_bytes();
                (0..vocab.len()).map(|id| piece(vocab, id, &bytes)).collect()
            },
            end_of_generation,
            bos: vocab.bos,
            eos: vocab.eos,
            add_bos: vocab.add_bos,
            add_eos: vocab.add_eos,
        })
    }

    /// Token ids of `text`, as llama.cpp's `llama_tokenize(text, add_special, parse_special)`:
    /// `add_special` adds BOS/EOS where the model asks for them; `parse_special` turns the
    /// text of control tokens into those tokens.
    pub fn encode(
        &mut self,
        text: &str,
        add_special: bool,
        parse_special: bool,
    ) -> Result<Vec<u32>, TokenizerError> {
        self.inner.set_encode_special_tokens(!parse_special);
        let encoding =
            self.inner.encode_fast(text, false).map_err(|e| TokenizerError::Encode(e.to_string()))?;
        let mut ids = Vec::with_capacity(encoding.len() + 2);
        if let (true, true, Some(bos)) = (add_special, self.add_bos, self.bos) {
            ids.push(bos);
        }
        ids.extend_from_slice(encoding.get_ids());
        if let (true, true, Some(eos)) = (add_special, self.add_eos, self.eos) {
            ids.push(eos);
        }
        Ok(ids)
    }

    /// The bytes of a token as streamed (control tokens are empty). Unknown ids are empty.
    pub fn piece(&self, id: u32) -> &[u8] {
        self.pieces.get(id as usize).map_or(&[], Vec::as_slice)
    }

    /// Whether the token ends generation (end of text, end of turn, ...).
    pub fn is_end_of_generation(&self, id: u32) -> bool {
        self.end_of_generation.get(id as usize).copied().unwrap_or(false)
    }

    pub fn bos(&self) -> Option<u32> {
        self.bos
    }

    pub fn vocab_size(&self) -> usize {
        self.pieces.len()
    }
}

/// BPE ranks are positions in the merge list; a pair listed twice keeps its first position,
/// as llama.cpp does (the `tokenizers` builder would keep the last).
fn first_of_each(merges: &[(String, String)]) -> Vec<(String, String)> {
    let mut seen = std::collections::HashSet::with_capacity(merges.len());
    merges.iter().filter(|pair| seen.insert(*pair)).cloned().collect()
}

/// SentencePiece BPE as BPE merges: every split of a token into two tokens is a merge, ranked
/// by the score of the token it forms (highest first), so the merge order is llama.cpp's
/// "best-scoring adjacent pair first". Ties (one token, several splits) cannot compete in one
/// position, so their order does not matter.
fn merges_by_score(tokens: &[String], scores: &[f32], ids: &Vocab) -> Vec<(String, String)> {
    let mut ranked: Vec<(f32, u32, usize)> = Vec::new();
    for (id, token) in tokens.iter().enumerate() {
        for (at, _) in token.char_indices().skip(1) {
            let (left, right) = token.split_at(at);
            if ids.contains_key(left) && ids.contains_key(right) {
                ranked.push((scores[id], id as u32, at));
            }
        }
    }
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    ranked
        .into_iter()
        .map(|(_, id, at)| {
            let (left, right) = tokens[id as usize].split_at(at);
            (left.to_string(), right.to_string())
        })
        .collect()
}

/// llama.cpp's `token_to_piece(id, special = false)`.
fn piece(vocab: &GgufVocab, id: usize, bytes: &HashMap<char, u8>) -> Vec<u8> {
    let text = &vocab.tokens[id];
    match vocab.kinds[id] {
        TokenKind::Control | TokenKind::Unknown | TokenKind::Unused | TokenKind::Undefined => Vec::new(),
        TokenKind::UserDefined => text.as_bytes().to_vec(),
        TokenKind::Normal => match vocab.algorithm {
            Algorithm::SentencePiece { .. } => text.replace(SPM_SPACE, " ").into_bytes(),
            Algorithm::ByteLevelBpe { .. } => byte_level_decode(text, bytes),
        },
        TokenKind::Byte => match vocab.algorithm {
            Algorithm::SentencePiece { .. } => text
                .strip_prefix("<0x")
                .and_then(|hex| hex.strip_suffix('>'))
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
                .map_or_else(Vec::new, |byte| vec![byte]),
            Algorithm::ByteLevelBpe { .. } => byte_level_decode(text, bytes),
        },
    }
}

/// GPT-2's byte-level alphabet backwards: each character of a token stands for one byte.
/// A character outside the alphabet is written as llama.cpp writes it.
fn byte_level_decode(text: &str, bytes: &HashMap<char, u8>) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    for c in text.chars() {
        match bytes.get(&c) {
            Some(&byte) => out.push(byte),
            None => {
                let mut utf8 = [0u8; 4];
                let hex: String = c.encode_utf8(&mut utf8).bytes().map(|b| format!("{b:02x}")).collect();
                out.extend_from_slice(format!("[UNK_BYTE_0x{hex}{text}]").as_bytes());
            }
        }
    }
    out
}

fn byte_level_bytes() -> HashMap<char, u8> {
    byte_level_chars().iter().enumerate().map(|(byte, &c)| (c, byte as u8)).collect()
}

/// The character GPT-2's byte-level BPE writes for each byte: printable Latin-1 bytes stand for
/// themselves, the others are shifted to U+0100 and up in byte order.
fn byte_level_chars() -> [char; 256] {
    let mut chars = ['\0'; 256];
    let mut shifted = 0u32;
    for byte in 0..=255u8 {
        let printable = matches!(byte, b'!'..=b'~' | 0xA1..=0xAC | 0xAE..=0xFF);
        chars[byte as usize] = if printable {
            char::from(byte)
        } else {
            shifted += 1;
            char::from_u32(255 + shifted).unwrap_or('\0')
        };
    }
    chars
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_level_alphabet_is_gpt2s() {
        let chars = byte_level_chars();
        assert_eq!(chars[b'a' as usize], 'a');
        assert_eq!(chars[b' ' as usize], 'Ġ'); // U+0120
        assert_eq!(chars[b'\n' as usize], 'Ċ'); // U+010A
        assert_eq!(chars[0], 'Ā'); // U+0100
        assert_eq!(chars[0xAD], 'Ń'); // U+0143, the last shifted byte
        let distinct: std::collections::HashSet<char> = chars.iter().copied().collect();
        assert_eq!(distinct.len(), 256);
        assert_eq!(byte_level_decode("ĠhelloĊ", &byte_level_bytes()), b" hello\n");
    }

    #[test]
    fn sentencepiece_merges_rank_by_the_score_of_the_merged_token() {
        let tokens: Vec<String> = ["a", "b", "c", "ab", "bc", "abc"].map(String::from).to_vec();
        let scores = [0.0, 0.0, 0.0, -2.0, -1.0, -3.0];
        let ids = tokens.iter().enumerate().map(|(i, t)| (t.clone(), i as u32)).collect();
        let merges = merges_by_score(&tokens, &scores, &ids);
        let pairs: Vec<(&str, &str)> = merges.iter().map(|(l, r)| (l.as_str(), r.as_str())).collect();
        assert_eq!(pairs, vec![("b", "c"), ("a", "b"), ("a", "bc"), ("ab", "c")]);
    }

    #[test]
    fn repeated_merges_keep_their_first_rank() {
        let pair = |l: &str, r: &str| (l.to_string(), r.to_string());
        let merges = vec![pair("a", "b"), pair("c", "d"), pair("a", "b")];
        assert_eq!(first_of_each(&merges), vec![pair("a", "b"), pair("c", "d")]);
    }
}
