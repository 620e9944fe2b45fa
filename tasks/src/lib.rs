//! The evalrun task corpus: suites stored as JSON Lines under `tasks/suites/`, compiled into the
//! binary, and the loader that validates them (format: `tasks/README.md`); the importers that
//! produce suites from established benchmarks, the HumanEval translations, and the builder of
//! `evalrun-core` from its specification under `tasks/spec/`.

mod core_spec;
mod corpus;
mod error;
pub mod import;
mod select;
pub mod translate;
mod translated;

pub use core_spec::{build_evalrun_core, SqlExpectation, EVALRUN_CORE};
pub use corpus::{parse_suite, Corpus, Suite, FORMAT_VERSION};
pub use error::CorpusError;
pub use select::{parse_language, Selected, Selector, ALL_LANGUAGES};
pub use translated::{
    exclusions_tsv, parse_exclusions, translate_humaneval, translated_language, Exclusion, Translated,
    TRANSLATED_SUITES,
};
