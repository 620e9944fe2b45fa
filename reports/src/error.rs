//! The one error type of the exporters.

use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// Writing a report file failed; `path` is the file that was being written.
    #[error("cannot write {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("cannot render the JSON report: {0}")]
    Json(#[from] serde_json::Error),
    #[error("cannot render the CSV report: {0}")]
    Csv(#[from] csv::Error),
    /// A run directory, or one of its files, is not what a report can read.
    #[error("{path}: {message}")]
    Input { path: PathBuf, message: String },
    /// Drawing a chart failed (`chart` is its file stem).
    #[error("cannot draw the {chart} chart: {message}")]
    Chart { chart: &'static str, message: String },
}

impl ReportError {
    pub(crate) fn input(path: &Path, message: impl Into<String>) -> Self {
        ReportError::Input { path: path.to_path_buf(), message: message.into() }
    }
}
