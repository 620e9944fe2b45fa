//! Test-writing: the model is given a Python module and writes a pytest suite for it. A suite
//! is scored per test, as TestGenEval-style benchmarks do ([`kept`], [`score`]):
//!
//! - definitions in the test file that shadow a name the module exports (a pasted `def f`) are
//!   removed, so that no test exercises its own copy of the code;
//! - the tests that fail or error against the module are dropped by name, and the rest rerun
//!   until all pass: those are the *kept* tests;
//! - the kept tests' line and branch coverage of the module and the share of its mutants they
//!   kill are the suite's scores; `tests_written` and `tests_kept` go beside them;
//! - *valid* stays the strict notion: the whole suite passed at once, nothing dropped or removed.
//!
//! The modules:
//!
//! - [`kept`]: keeping the tests that pass ([`keep_passing`]), and why the others went;
//! - [`score`]: mutants and coverage of the kept tests, the metrics and verdict of a result row;
//! - [`testfile`]: test files as Python's `ast` sees them (tests, merging, dropping, shadowing);
//! - [`mutate`]: mutants by AST mutation operators (Python's own `ast`, in-process, parsing only);
//! - [`suite`]: the `evalrun-testwriting` suite built from `tasks/testwriting/`, equivalent
//!   mutants dropped (`evalrun tasks mutate`);
//! - [`check`]: the test-writing part of `evalrun tasks check` (`corpus_check`): a task's own
//!   suite must be valid and kill every mutant it keeps;
//! - [`prompt`]: the prompt and the extraction of the test file from an answer;
//! - [`gentests`]: `evalrun gen-tests`, tests for a developer's own module, kept the same way;
//!   its feedback rounds per item ([`gentests_rounds`]), the file ordered by item ([`by_item`]),
//!   `--minimize` ([`minimize`]), with [`answer`] and [`mutant_runs`] beside them.
//!
//! Every test run goes through the sandbox's pytest path.

pub mod answer;
pub mod budget;
pub mod by_item;
pub mod check;
pub mod failure_class;
pub mod feedback;
pub mod gentests;
pub mod gentests_rounds;
pub mod kept;
pub mod minimize;
pub mod mutant_runs;
pub mod mutate;
mod parallel;
pub mod prompt;
mod python;
pub mod rounds;
pub mod score;
pub mod suite;
pub mod testfile;

pub use check::{check_task, TaskCheck};
pub use kept::{keep_passing, KeptSuite, TestFailure};
pub use parallel::{map_on_workers, map_with_workers};
pub use score::{score_kept, score_suite, Subject, SuiteScore};

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
/// valid (strict), otherwise it says what was kept and why the rest went; the metrics are those
/// of [`SuiteScore::metrics`] (the kept tests' coverage and mutation score among them).
pub fn judge(worker: &mut PythonWorker, task: &Task, completion: &str, limits: &Limits) -> Judgement {
    let subject = Subject { module: &task.entry_point, source: &task.reference, mutants: &task.mutants };
    let score = score_suite(worker, &subject, completion, &limits.with_overrides(&task.limits));
    Judgement {
        verdict: score.verdict(),
        metrics: score.metrics(),
        failures: failure_class::count(&score.kept.failures),
    }
}
