//! Messages between the harness and a worker: one JSON object per line.

use crate::sandbox::pytest::{PytestReport, PytestRequest};
use crate::sandbox::Limits;
use evalrun_core::Status;
use serde::{Deserialize, Serialize};

/// What a worker is asked to run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Job {
    /// Python source. With `check`, `program` (the solution) runs first and `check` (the tests)
    /// after it, compiled separately, with the builtins, trace hooks and the modules the check
    /// names restored in between.
    Program {
        program: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        check: Option<String>,
    },
    /// A pytest run on files written into the scratch directory.
    Pytest(PytestRequest),
}

/// Harness -> worker.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Request {
    pub id: u64,
    pub limits: Limits,
    pub job: Job,
}

/// Worker -> harness: what happened.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Response {
    pub id: u64,
    pub status: Status,
    pub detail: String,
    #[serde(default)]
    pub exception: Option<String>,
    pub exec_s: f64,
    /// For pytest jobs that reached pytest: its results.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pytest: Option<PytestReport>,
}
