//! A small, bounds-checked reader of the GGUF header and its metadata key/values.
//!
//! We only need the header to check that a file is the model we think it is (`general.name`,
//! `general.architecture`, `general.file_type`) and to read the embedded chat template, so this
//! reads the key/values through a `BufReader` and stops before the tensor infos. Every length
//! read from the file is checked against the bytes that remain, so a corrupt or hostile file
//! yields an error, never a panic or a huge allocation.

use std::collections::BTreeMap;
use std::fmt;
use std::fs::File;
use std::io::{self, BufReader, Read, Seek};
use std::path::{Path, PathBuf};

/// The four bytes every GGUF file starts with.
pub const GGUF_MAGIC: [u8; 4] = *b"GGUF";

/// Longest key the GGUF spec allows.
const MAX_KEY_LEN: u64 = 65_535;
/// Longest string value we keep in memory; real headers hold chat templates of tens of KiB,
/// so anything beyond this is corruption, not a model.
const MAX_STRING_LEN: u64 = 64 * 1024 * 1024;
/// Nested arrays are legal in the spec but unused in practice; cap the recursion.
const MAX_ARRAY_DEPTH: u32 = 4;

/// Metadata value types, numbered as in the GGUF spec.
mod ty {
    pub const U8: u32 = 0;
    pub const I8: u32 = 1;
    pub const U16: u32 = 2;
    pub const I16: u32 = 3;
    pub const U32: u32 = 4;
    pub const I32: u32 = 5;
    pub const F32: u32 = 6;
    pub const BOOL: u32 = 7;
    pub const STRING: u32 = 8;
    pub const ARRAY: u32 = 9;
    pub const U64: u32 = 10;
    pub const I64: u32 = 11;
    pub const F64: u32 = 12;
}

/// Why a GGUF header could not be read. Every message names the file.
#[derive(Debug, thiserror::Error)]
pub enum GgufError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("{path} is not a GGUF file (it starts with {found:?}, expected \"GGUF\")")]
    BadMagic { path: PathBuf, found: String },
    #[error("{path}: unsupported GGUF version {version} (this reader supports 2 and 3{hint})")]
    UnsupportedVersion { path: PathBuf, version: u32, hint: &'static str },
    #[error("{path} is truncated: the file ends ({file_len} bytes) inside {what} at offset {offset}")]
    Truncated { path: PathBuf, offset: u64, file_len: u64, what: String },
    #[error("{path}: corrupt GGUF header at offset {offset}: {detail}")]
    Corrupt { path: PathBuf, offset: u64, detail: String },
}

/// One metadata value. Arrays are skipped while reading and only their shape is kept.
#[derive(Debug, Clone, PartialEq)]
pub enum GgufValue {
    U8(u8),
    I8(i8),
    U16(u16),
    I16(i16),
    U32(u32),
    I32(i32),
    F32(f32),
    Bool(bool),
    String(String),
    U64(u64),
    I64(i64),
    F64(f64),
    /// An array whose elements were skipped: its element type (spec numbering) and length.
    Array {
        elem_type: u32,
        len: u64,
    },
}

impl GgufValue {
    /// The value as an unsigned integer, for any integer type holding a non-negative value.
    pub fn as_u64(&self) -> Option<u64> {
        match *self {
            GgufValue::U8(v) => Some(v.into()),
            GgufValue::U16(v) => Some(v.into()),
            GgufValue::U32(v) => Some(v.into()),
            GgufValue::U64(v) => Some(v),
            GgufValue::I8(v) => u64::try_from(v).ok(),
            GgufValue::I16(v) => u64::try_from(v).ok(),
            GgufValue::I32(v) => u64::try_from(v).ok(),
            GgufValue::I64(v) => u64::try_from(v).ok(),
            _ => None,
        }
    }

    /// The value as a string slice, if it is a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            GgufValue::String(s) => Some(s),
            _ => None,
        }
    }
}

impl fmt::Display for GgufValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GgufValue::U8(v) => write!(f, "{v}"),
            GgufValue::I8(v) => write!(f, "{v}"),
            GgufValue::U16(v) => write!(f, "{v}"),
            GgufValue::I16(v) => write!(f, "{v}"),
            GgufValue::U32(v) => write!(f, "{v}"),
            GgufValue::I32(v) => write!(f, "{v}"),
            GgufValue::F32(v) => write!(f, "{v}"),
            GgufValue::Bool(v) => write!(f, "{v}"),
            GgufValue::String(v) => write!(f, "{v:?}"),
            GgufValue::U64(v) => write!(f, "{v}"),
            GgufValue::I64(v) => write!(f, "{v}"),
            GgufValue::F64(v) => write!(f, "{v}"),
            GgufValue::Array { elem_type, len } => write!(f, "[array of {len}, type {elem_type}]"),
        }
    }
}

/// The GGUF header: version, counts, and the metadata key/values (arrays only as shapes).
#[derive(Debug, Clone)]
pub struct GgufHeader {
    pub version: u32,
    pub tensor_count: u64,
    pub kv_count: u64,
    metadata: BTreeMap<String, GgufValue>,
}

impl GgufHeader {
    /// Read the header of the GGUF file at `path`, without reading the tensor data.
    pub fn read(path: impl AsRef<Path>) -> Result<GgufHeader, GgufError> {
        let path = path.as_ref();
        let io_err = |source| GgufError::Io { path: path.to_path_buf(), source };
        let file = File::open(path).map_err(io_err)?;
        let file_len = file.metadata().map_err(io_err)?.len();
        Self::from_reader(BufReader::with_capacity(64 * 1024, file), file_len, path)
    }

    /// Read a header from any seekable reader holding `len` bytes; `path` only names it in errors.
    pub fn from_reader<R: Read + Seek>(reader: R, len: u64, path: &Path) -> Result<GgufHeader, GgufError> {
        Parser { reader, pos: 0, len, path }.header()
    }

    /// The value of `key`, if present.
    pub fn get(&self, key: &str) -> Option<&GgufValue> {
        self.metadata.get(key)
    }

    /// The string value of `key`, if present and a string.
    pub fn get_str(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(GgufValue::as_str)
    }

    /// The value of `key` as u64, accepting any non-negative integer type (files differ in
    /// which width they use for the same key).
    pub fn get_u64(&self, key: &str) -> Option<u64> {
        self.get(key).and_then(GgufValue::as_u64)
    }

    /// All key/values, sorted by key.
    pub fn metadata(&self) -> impl Iterator<Item = (&str, &GgufValue)> {
        self.metadata.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// `general.name`: the human name the converter gave the model.
    pub fn name(&self) -> Option<&str> {
        self.get_str("general.name")
    }

    /// `general.architecture`, e.g. `qwen2`, `gemma3`.
    pub fn architecture(&self) -> Option<&str> {
        self.get_str("general.architecture")
    }

    /// `general.file_type`: llama.cpp's quantization code (15 = Q4_K_M).
    pub fn file_type(&self) -> Option<u64> {
        self.get_u64("general.file_type")
    }

    /// `tokenizer.chat_template`: the Jinja template the model was trained with, if embedded.
    pub fn chat_template(&self) -> Option<&str> {
        self.get_str("tokenizer.chat_template")
    }
}

/// Reads the header while tracking the position, so every length can be checked against what
/// remains of the file.
struct Parser<'p, R> {
    reader: R,
    pos: u64,
    len: u64,
    path: &'p Path,
}

impl<R: Read + Seek> Parser<'_, R> {
    fn remaining(&self) -> u64 {
        self.len.saturating_sub(self.pos)
    }

    fn corrupt(&self, detail: String) -> GgufError {
        GgufError::Corrupt { path: self.path.to_path_buf(), offset: self.pos, detail }
    }

    fn truncated(&self, what: &str) -> GgufError {
        GgufError::Truncated {
            path: self.path.to_path_buf(),
            offset: self.pos,
            file_len: self.len,
            what: what.to_string(),
        }
    }

    fn io(&self, source: io::Error) -> GgufError {
        GgufError::Io { path: self.path.to_path_buf(), source }
    }

    fn bytes<const N: usize>(&mut self, what: &str) -> Result<[u8; N], GgufError> {
        if self.remaining() < N as u64 {
            return Err(self.truncated(what));
        }
        let mut buf = [0u8; N];
        match self.reader.read_exact(&mut buf) {
            Ok(()) => {
                self.pos += N as u64;
                Ok(buf)
            }
            // The file shrank under us, or `len` was wrong: still a truncation.
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Err(self.truncated(what)),
            Err(e) => Err(self.io(e)),
        }
    }

    fn u32(&mut self, what: &str) -> Result<u32, GgufError> {
        self.bytes::<4>(what).map(u32::from_le_bytes)
    }

    fn u64(&mut self, what: &str) -> Result<u64, GgufError> {
        self.bytes::<8>(what).map(u64::from_le_bytes)
    }

    /// Skip `n` bytes after checking that the file holds them.
    fn skip(&mut self, n: u64, what: &str) -> Result<(), GgufError> {
        if n > self.remaining() {
            return Err(self.corrupt(format!(
                "{what} is {n} bytes long, but only {} bytes remain in the file",
                self.remaining()
            )));
        }
        let step = i64::try_from(n).map_err(|_| self.corrupt(format!("{what} is too long")))?;
        self.reader.seek_relative(step).map_err(|e| self.io(e))?;
        self.pos += n;
        Ok(())
    }

    /// Read a string's length and check it against the file and `limit`.
    fn string_len(&mut self, what: &str, limit: u64) -> Result<u64, GgufError> {
        let len = self.u64(what)?;
        if len > self.remaining() {
            return Err(self.corrupt(format!(
                "{what} claims {len} bytes, but only {} bytes remain in the file",
                self.remaining()
            )));
        }
        if len > limit {
            return Err(self.corrupt(format!("{what} claims {len} bytes (limit {limit})")));
        }
        Ok(len)
    }

    fn string(&mut self, what: &str, limit: u64) -> Result<Vec<u8>, GgufError> {
        let len = self.string_len(what, limit)?;
        // `len` is bounded by the file size and `limit`, so this allocation is bounded too.
        let mut buf = vec![0u8; len as usize];
        match self.reader.read_exact(&mut buf) {
            Ok(()) => {
                self.pos += len;
                Ok(buf)
            }
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Err(self.truncated(what)),
            Err(e) => Err(self.io(e)),
        }
    }

    fn header(mut self) -> Result<GgufHeader, GgufError> {
        let magic = self.bytes::<4>("the magic")?;
        if magic != GGUF_MAGIC {
            return Err(GgufError::BadMagic {
                path: self.path.to_path_buf(),
                found: String::from_utf8_lossy(&magic).into_owned(),
            });
        }
        let version = self.u32("the version")?;
        if !(2..=3).contains(&version) {
            // A big-endian file has its version bytes swapped, e.g. 3 reads as 0x0300_0000.
            let hint = if version.swap_bytes() <= 3 { "; this looks like a big-endian file" } else { "" };
            return Err(GgufError::UnsupportedVersion { path: self.path.to_path_buf(), version, hint });
        }
        let tensor_count = self.u64("the tensor count")?;
        // Each tensor info takes well over 8 bytes; more tensors than bytes is corruption.
        if tensor_count > self.len {
            return Err(self
                .corrupt(format!("tensor count {tensor_count} exceeds the file size ({} bytes)", self.len)));
        }
        let kv_count = self.u64("the key/value count")?;
        // The smallest key/value is a u64 key length, a u32 type and a one-byte value.
        if kv_count > self.remaining() / 13 {
            return Err(self.corrupt(format!(
                "key/value count {kv_count} cannot fit in the {} bytes that remain",
                self.remaining()
            )));
        }
        let mut metadata = BTreeMap::new();
        for i in 0..kv_count {
            let key_bytes = self.string(&format!("key #{i}"), MAX_KEY_LEN)?;
            let key =
                String::from_utf8(key_bytes).map_err(|_| self.corrupt(format!("key #{i} is not UTF-8")))?;
            let value_type = self.u32(&format!("the type of `{key}`"))?;
            let value = self.value(&key, value_type)?;
            if metadata.insert(key.clone(), value).is_some() {
                return Err(self.corrupt(format!("duplicate key `{key}`")));
            }
        }
        Ok(GgufHeader { version, tensor_count, kv_count, metadata })
    }

    fn value(&mut self, key: &str, value_type: u32) -> Result<GgufValue, GgufError> {
        let what = format!("the value of `{key}`");
        let w = what.as_str();
        Ok(match value_type {
            ty::U8 => GgufValue::U8(u8::from_le_bytes(self.bytes::<1>(w)?)),
            ty::I8 => GgufValue::I8(i8::from_le_bytes(self.bytes::<1>(w)?)),
            ty::U16 => GgufValue::U16(u16::from_le_bytes(self.bytes::<2>(w)?)),
            ty::I16 => GgufValue::I16(i16::from_le_bytes(self.bytes::<2>(w)?)),
            ty::U32 => GgufValue::U32(u32::from_le_bytes(self.bytes::<4>(w)?)),
            ty::I32 => GgufValue::I32(i32::from_le_bytes(self.bytes::<4>(w)?)),
            ty::F32 => GgufValue::F32(f32::from_le_bytes(self.bytes::<4>(w)?)),
            ty::BOOL => GgufValue::Bool(self.bytes::<1>(w)?[0] != 0),
            ty::STRING => {
                let bytes = self.string(w, MAX_STRING_LEN)?;
                GgufValue::String(String::from_utf8_lossy(&bytes).into_owned())
            }
            ty::ARRAY => {
                let (elem_type, len) = self.skip_array(key, 1)?;
                GgufValue::Array { elem_type, len }
            }
            ty::U64 => GgufValue::U64(u64::from_le_bytes(self.bytes::<8>(w)?)),
            ty::I64 => GgufValue::I64(i64::from_le_bytes(self.bytes::<8>(w)?)),
            ty::F64 => GgufValue::F64(f64::from_le_bytes(self.bytes::<8>(w)?)),
            other => return Err(self.corrupt(format!("`{key}` has unknown value type {other}"))),
        })
    }

    /// Skip an array's elements without allocating them; returns its element type and length.
    fn skip_array(&mut self, key: &str, depth: u32) -> Result<(u32, u64), GgufError> {
        if depth > MAX_ARRAY_DEPTH {
            return Err(self.corrupt(format!("`{key}` nests arrays deeper than {MAX_ARRAY_DEPTH}")));
        }
        let elem_type = self.u32(&format!("the element type of `{key}`"))?;
        let len = self.u64(&format!("the length of `{key}`"))?;
        let elem_size: u64 = match elem_type {
            ty::U8 | ty::I8 | ty::BOOL => 1,
            ty::U16 | ty::I16 => 2,
            ty::U32 | ty::I32 | ty::F32 => 4,
            ty::U64 | ty::I64 | ty::F64 => 8,
            // Strings and arrays have a length prefix of at least 8 bytes each.
            ty::STRING | ty::ARRAY => 8,
            other => return Err(self.corrupt(format!("`{key}` is an array of unknown type {other}"))),
        };
        let min_bytes = len.checked_mul(elem_size).filter(|&b| b <= self.remaining());
        let Some(min_bytes) = min_bytes else {
            return Err(self.corrupt(format!(
                "array `{key}` claims {len} elements, which cannot fit in the {} bytes that remain",
                self.remaining()
            )));
        };
        match elem_type {
            ty::STRING => {
                let what = format!("a string in array `{key}`");
                for _ in 0..len {
                    let n = self.string_len(&what, u64::MAX)?;
                    self.skip(n, &what)?;
                }
            }
            ty::ARRAY => {
                for _ in 0..len {
                    self.skip_array(key, depth + 1)?;
                }
            }
            _ => self.skip(min_bytes, &format!("array `{key}`"))?,
        }
        Ok((elem_type, len))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// Builds GGUF bytes by hand, so tests can make good and broken files.
    #[derive(Default)]
    pub struct GgufBuilder {
        kvs: Vec<u8>,
        n: u64,
    }

    impl GgufBuilder {
        fn key(&mut self, key: &str, value_type: u32) -> &mut Self {
            self.kvs.extend((key.len() as u64).to_le_bytes());
            self.kvs.extend(key.as_bytes());
            self.kvs.extend(value_type.to_le_bytes());
            self.n += 1;
            self
        }
        pub fn string(&mut self, key: &str, value: &str) -> &mut Self {
            self.key(key, ty::STRING);
            self.kvs.extend((value.len() as u64).to_le_bytes());
            self.kvs.extend(value.as_bytes());
            self
        }
        pub fn u32(&mut self, key: &str, value: u32) -> &mut Self {
            self.key(key, ty::U32);
            self.kvs.extend(value.to_le_bytes());
            self
        }
        pub fn i32(&mut self, key: &str, value: i32) -> &mut Self {
            self.key(key, ty::I32);
            self.kvs.extend(value.to_le_bytes());
            self
        }
        pub fn f32(&mut self, key: &str, value: f32) -> &mut Self {
            self.key(key, ty::F32);
            self.kvs.extend(value.to_le_bytes());
            self
        }
        pub fn bool(&mut self, key: &str, value: bool) -> &mut Self {
            self.key(key, ty::BOOL);
            self.kvs.push(value as u8);
            self
        }
        pub fn string_array(&mut self, key: &str, values: &[&str]) -> &mut Self {
            self.key(key, ty::ARRAY);
            self.kvs.extend(ty::STRING.to_le_bytes());
            self.kvs.extend((values.len() as u64).to_le_bytes());
            for v in values {
                self.kvs.extend((v.len() as u64).to_le_bytes());
                self.kvs.extend(v.as_bytes());
            }
            self
        }
        pub fn f32_array(&mut self, key: &str, values: &[f32]) -> &mut Self {
            self.key(key, ty::ARRAY);
            self.kvs.extend(ty::F32.to_le_bytes());
            self.kvs.extend((values.len() as u64).to_le_bytes());
            for v in values {
                self.kvs.extend(v.to_le_bytes());
            }
            self
        }
        /// Raw bytes appended to the key/value area (for broken files).
        pub fn raw(&mut self, bytes: &[u8]) -> &mut Self {
            self.kvs.extend(bytes);
            self
        }
        pub fn build(&self, version: u32, tensor_count: u64) -> Vec<u8> {
            let mut out = Vec::new();
            out.extend(GGUF_MAGIC);
            out.extend(version.to_le_bytes());
            out.extend(tensor_count.to_le_bytes());
            out.extend(self.n.to_le_bytes());
            out.extend(&self.kvs);
            out
        }
    }

    fn write_temp(bytes: &[u8]) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().expect("temp file");
        f.write_all(bytes).expect("write");
        f.flush().expect("flush");
        f
    }

    fn sample() -> Vec<u8> {
        let mut b = GgufBuilder::default();
        b.string("general.architecture", "qwen2")
            .string("general.name", "Tiny Test Model")
            .string_array("tokenizer.ggml.tokens", &["<s>", "</s>", "hello", "wörld", ""])
            .u32("general.file_type", 15)
            .i32("qwen2.context_length", 32768)
            .f32_array("tokenizer.ggml.scores", &[0.0, -1.5, 2.25])
            .f32("qwen2.rope.freq_base", 1_000_000.0)
            .bool("tokenizer.ggml.add_bos_token", false)
            .string("tokenizer.chat_template", "{{ messages }}");
        let mut bytes = b.build(3, 2);
        // Tensor infos and data follow the header; the reader must not care.
        bytes.extend([0xAB; 100]);
        bytes
    }

    #[test]
    fn reads_synthetic_header() {
        let f = write_temp(&sample());
        let h = GgufHeader::read(f.path()).expect("valid header");
        assert_eq!(h.version, 3);
        assert_eq!(h.tensor_count, 2);
        assert_eq!(h.kv_count, 9);
        assert_eq!(h.name(), Some("Tiny Test Model"));
        assert_eq!(h.architecture(), Some("qwen2"));
        assert_eq!(h.file_type(), Some(15));
        assert_eq!(h.get_u64("qwen2.context_length"), Some(32768));
        assert_eq!(h.get("qwen2.rope.freq_base"), Some(&GgufValue::F32(1_000_000.0)));
        assert_eq!(h.get("tokenizer.ggml.add_bos_token"), Some(&GgufValue::Bool(false)));
        assert_eq!(h.chat_template(), Some("{{ messages }}"));
        assert_eq!(h.get("tokenizer.ggml.tokens"), Some(&GgufValue::Array { elem_type: ty::STRING, len: 5 }));
        assert_eq!(h.get("tokenizer.ggml.scores"), Some(&GgufValue::Array { elem_type: ty::F32, len: 3 }));
        // Strings are not integers and missing keys are None.
        assert_eq!(h.get_u64("general.name"), None);
        assert_eq!(h.get_str("no.such.key"), None);
        assert_eq!(h.metadata().count(), 9);
    }

    #[test]
    fn negative_int_is_not_u64() {
        let mut b = GgufBuilder::default();
        b.i32("x", -1);
        let f = write_temp(&b.build(2, 0));
        let h = GgufHeader::read(f.path()).expect("valid header");
        assert_eq!(h.version, 2);
        assert_eq!(h.get_u64("x"), None);
        assert_eq!(h.get("x"), Some(&GgufValue::I32(-1)));
    }

    #[test]
    fn every_truncation_is_an_error_not_a_panic() {
        let full = sample();
        // The header proper ends before the 100 padding bytes.
        let header_len = full.len() - 100;
        for cut in 0..header_len {
            let f = write_temp(&full[..cut]);
            let err = GgufHeader::read(f.path()).expect_err("truncated header must fail");
            let msg = err.to_string();
            assert!(
                matches!(err, GgufError::Truncated { .. } | GgufError::Corrupt { .. }),
                "cut at {cut}: {msg}"
            );
            assert!(msg.contains(&f.path().display().to_string()), "{msg}");
        }
        // And the complete header with no tensor data still reads.
        let f = write_temp(&full[..header_len]);
        GgufHeader::read(f.path()).expect("header without tensors");
    }

    #[test]
    fn bad_magic_is_rejected() {
        let mut bytes = sample();
        bytes[..4].copy_from_slice(b"GGML");
        let f = write_temp(&bytes);
        let err = GgufHeader::read(f.path()).expect_err("bad magic");
        assert!(matches!(err, GgufError::BadMagic { ref found, .. } if found == "GGML"), "{err}");
        assert!(err.to_string().contains("not a GGUF file"));
    }

    #[test]
    fn unsupported_and_big_endian_versions_are_rejected() {
        let f = write_temp(&GgufBuilder::default().build(1, 0));
        let err = GgufHeader::read(f.path()).expect_err("v1");
        assert!(matches!(err, GgufError::UnsupportedVersion { version: 1, .. }), "{err}");
        let f = write_temp(&GgufBuilder::default().build(0x0300_0000, 0));
        let err = GgufHeader::read(f.path()).expect_err("big endian");
        assert!(err.to_string().contains("big-endian"), "{err}");
    }

    #[test]
    fn absurd_string_length_is_rejected() {
        let mut b = GgufBuilder::default();
        b.key("general.name", ty::STRING).raw(&(u64::MAX - 3).to_le_bytes()).raw(b"abc");
        let f = write_temp(&b.build(3, 0));
        let err = GgufHeader::read(f.path()).expect_err("absurd string");
        assert!(matches!(err, GgufError::Corrupt { .. }), "{err}");
        assert!(err.to_string().contains("remain"), "{err}");
    }

    #[test]
    fn absurd_key_length_and_counts_are_rejected() {
        // Key length beyond the file.
        let mut b = GgufBuilder::default();
        b.raw(&(1u64 << 40).to_le_bytes());
        b.n = 1;
        let f = write_temp(&b.build(3, 0));
        assert!(matches!(GgufHeader::read(f.path()), Err(GgufError::Corrupt { .. })));

        // kv count that cannot fit.
        let mut bytes = GgufBuilder::default().build(3, 0);
        bytes[16..24].copy_from_slice(&u64::MAX.to_le_bytes());
        let f = write_temp(&bytes);
        let err = GgufHeader::read(f.path()).expect_err("kv count");
        assert!(err.to_string().contains("key/value count"), "{err}");

        // Tensor count beyond the file.
        let f = write_temp(&GgufBuilder::default().build(3, u64::MAX));
        let err = GgufHeader::read(f.path()).expect_err("tensor count");
        assert!(err.to_string().contains("tensor count"), "{err}");
    }

    #[test]
    fn absurd_array_counts_are_rejected() {
        // u64::MAX f32 elements: the multiplication overflows; must not wrap around.
        let mut b = GgufBuilder::default();
        b.key("a", ty::ARRAY).raw(&ty::F32.to_le_bytes()).raw(&u64::MAX.to_le_bytes());
        let f = write_temp(&b.build(3, 0));
        let err = GgufHeader::read(f.path()).expect_err("huge array");
        assert!(err.to_string().contains("cannot fit"), "{err}");

        // An array of strings whose element length lies beyond the file.
        let mut b = GgufBuilder::default();
        b.key("t", ty::ARRAY)
            .raw(&ty::STRING.to_le_bytes())
            .raw(&1u64.to_le_bytes())
            .raw(&(1u64 << 50).to_le_bytes());
        let f = write_temp(&b.build(3, 0));
        assert!(matches!(GgufHeader::read(f.path()), Err(GgufError::Corrupt { .. })));

        // Unknown value and element types.
        let mut b = GgufBuilder::default();
        b.key("u", 13).raw(&[0; 16]);
        let f = write_temp(&b.build(3, 0));
        let err = GgufHeader::read(f.path()).expect_err("unknown type");
        assert!(err.to_string().contains("unknown value type 13"), "{err}");
    }

    #[test]
    fn duplicate_keys_are_rejected() {
        let mut b = GgufBuilder::default();
        b.u32("k", 1).u32("k", 2);
        let f = write_temp(&b.build(3, 0));
        let err = GgufHeader::read(f.path()).expect_err("duplicate");
        assert!(err.to_string().contains("duplicate key `k`"), "{err}");
    }

    #[test]
    fn missing_file_is_io_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        let err = GgufHeader::read(dir.path().join("nope.gguf")).expect_err("missing");
        assert!(matches!(err, GgufError::Io { .. }), "{err}");
    }
}
