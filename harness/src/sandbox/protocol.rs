//! Messages between the harness and a worker: one JSON object per line.

use crate::sandbox::pytest::{PytestReport, PytestRequest};
use crate::sandbox::Limits;
use evalrun_core::Status;
use serde::{Deserialize, Serialize};

/// What a worker is asked to run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Job {
    /// Python source, run to the end: it passes when it raises nothing.
    Program { program: String },
    /// A solution and its check, each in an interpreter of its own (see [`CheckedProgram`]).
    Checked(CheckedProgram),
    /// A pytest run on files written into the scratch directory.
    Pytest(PytestRequest),
}

/// A solution judged by a check that runs apart from it: the solution's child runs `solution`
/// and serves calls to its functions; the worker's checker, a process forked from the warm
/// worker in which no sample code ever runs, runs `prelude` (where the check needs it) and then
/// `check`, in which every name the check takes from the solution is a proxy whose arguments and
/// results cross as plain data (`docs/SANDBOX.md`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckedProgram {
    pub solution: String,
    pub check: String,
    /// Trusted code the check's interpreter runs first: a task's prompt, whose helpers (HumanEval's
    /// `poly`, `encode_cyclic`) the check then uses in their original form, whatever the
    /// completion redefined.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub prelude: String,
    /// The function under test: always the solution's, even where `prelude` defines it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry_point: Option<String>,
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
