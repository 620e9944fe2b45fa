//! The evalrun task corpus: suites stored as JSON Lines under `tasks/suites/`, compiled into the
//! binary, and the loader that validates them (format: `tasks/README.md`).

mod corpus;
mod error;
pub mod import;

pub use corpus::{Corpus, Suite, FORMAT_VERSION};
pub use error::CorpusError;
