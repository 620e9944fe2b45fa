//! The one error type of the exporters.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// Writing a report file failed; `path` is the file that was being written.
    #[error("cannot write {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("cannot render the JSON report: {0}")]
    Json(#[from] serde_json::Error),
    #[error("cannot render the CSV report: {0}")]
    Csv(#[from] csv::Error),
}
