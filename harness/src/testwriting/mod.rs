//! Test-writing: the model is given a Python module and writes a pytest suite for it. A suite
//! is scored by whether it is valid (runs and passes against the module), the share of the
//! module's mutants it kills, and the line and branch coverage it reaches ([`score`]).
//!
//! - [`mutate`]: mutants by AST mutation operators (Python's own `ast`, in-process, parsing only);
//! - [`suite`]: the `evalrun-testwriting` suite built from `tasks/testwriting/`, equivalent
//!   mutants dropped (`evalrun tasks mutate`);
//! - [`check`]: the test-writing part of `evalrun tasks check` (`corpus_check`);
//! - [`prompt`]: the prompt and the extraction of the test file from an answer;
//! - [`gentests`]: `evalrun gen-tests`, tests for a developer's own module.
//!
//! Every test run goes through the sandbox's pytest path.

pub mod check;
pub mod gentests;
pub mod mutate;
mod parallel;
pub mod prompt;
mod python;
pub mod score;
pub mod suite;
pub mod testfile;

pub use check::{check_task, TaskCheck};
pub use parallel::map_with_workers;
pub use score::{score_suite, Subject, SuiteScore};

use crate::judge::Judgement;
use crate::sandbox::{Limits, PythonWorker, SandboxError};
use evalrun_core::Task;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum TestWritingError {
    #[error("Python helper `{function}` failed: {message}")]
    Python { function: String, message: String },
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{}: {reason}", path.display())]
    Source { path: PathBuf, reason: String },
    #[error(transparent)]
    Sandbox(#[from] SandboxError),
    #[error("generation failed: {0}")]
    Generation(String),
}

/// Judge a generated suite for a test-writing task: the verdict is passed when the suite is
/// valid; the metrics are those of [`SuiteScore::metrics`].
pub fn judge(worker: &mut PythonWorker, task: &Task, completion: &str, limits: &Limits) -> Judgement {
    let subject = Subject { module: &task.entry_point, source: &task.reference, mutants: &task.mutants };
    let score = score_suite(worker, &subject, completion, &limits.with_overrides(&task.limits));
    Judgement { verdict: score.verdict(), metrics: score.metrics() }
}
