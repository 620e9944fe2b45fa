use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    /// A line that is not a valid task; `reason` names the field (serde's message does).
    #[error("{file}:{line}: invalid task: {reason}")]
    InvalidTask { file: String, line: usize, reason: String },
    #[error("{file}:{line}: task `{id}` appears twice in the corpus")]
    DuplicateId { file: String, line: usize, id: String },
    #[error("{file}:{line}: field `{field}` {reason}")]
    BadField { file: String, line: usize, field: &'static str, reason: String },
    #[error("unknown suite `{0}` (known: {1})")]
    UnknownSuite(String, String),
    #[error("unknown language `{0}` (known: {1})")]
    UnknownLanguage(String, String),
    #[error("translation: the Python analyzer failed: {0}")]
    Analyzer(String),
    #[error("{file}: {reason}")]
    Spec { file: String, reason: String },
    #[error("cannot read {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
}
