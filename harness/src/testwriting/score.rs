//! Scoring a pytest suite written for a module, per test: the tests that pass against the
//! module are kept ([`keep_passing`]), and the kept tests' line and branch coverage of the
//! module and the share of its mutants they kill are measured. The strict notion stays beside
//! it: a suite is valid when it passed as a whole, nothing dropped, nothing shadowed. Every run
//! goes through the sandbox's pytest path.

use super::kept::{keep_passing, KeptSuite};
use crate::sandbox::pytest::{PytestOutcome, PytestRequest};
use crate::sandbox::{Limits, PythonWorker};
use evalrun_core::{Mutant, Status, Verdict};
use std::collections::BTreeMap;

/// The module a suite is written for.
#[derive(Debug, Clone, Copy)]
pub struct Subject<'a> {
    /// The name the tests import (`lru_cache` for `lru_cache.py`).
    pub module: &'a str,
    pub source: &'a str,
    pub mutants: &'a [Mutant],
}

impl Subject<'_> {
    /// The file the suite is written to: `test_<module>.py`.
    pub fn test_file(&self) -> String {
        format!("test_{}.py", self.module)
    }

    /// A pytest run of `suite` against `source` (the module or one of its mutants). Only the
    /// suite's file is collected, whatever the module is called.
    pub fn request(&self, source: &str, suite: &str) -> PytestRequest {
        PytestRequest::new()
            .file(format!("{}.py", self.module), source)
            .file(self.test_file(), suite)
            .args([self.test_file()])
    }
}

/// How a suite did.
#[derive(Debug, Clone, PartialEq)]
pub struct SuiteScore {
    /// The tests kept and dropped, the shadowing removed, the runs against the module.
    pub kept: KeptSuite,
    /// The suite's first run against the module, as written (shadowing removed): a copy of
    /// `kept.first_run`, whose detail says why a suite that is not valid is not.
    pub reference: PytestOutcome,
    /// Ids of the mutants the kept tests did not kill (all of them when nothing is kept:
    /// mutants are then not run).
    pub survivors: Vec<String>,
    pub mutants: usize,
    /// Coverage of the module by the kept tests, fractions in 0..=1; 0 when nothing is kept.
    pub line_coverage: f64,
    pub branch_coverage: f64,
    /// Wall time of every run, seconds.
    pub exec_s: f64,
}

impl SuiteScore {
    /// Strict: the suite passed as a whole against the module at once (at least one test, none
    /// failing), with no test dropped and no definition shadowing the module.
    pub fn valid(&self) -> bool {
        self.kept.valid
    }

    pub fn killed(&self) -> usize {
        self.mutants - self.survivors.len()
    }

    /// Killed / mutants, by the kept tests; 0 when nothing is kept; `None` without mutants.
    pub fn mutation_score(&self) -> Option<f64> {
        (self.mutants > 0).then(|| {
            if self.kept.any_kept() {
                self.killed() as f64 / self.mutants as f64
            } else {
                0.0
            }
        })
    }

    /// The metrics of a result row: `valid` (0 or 1, strict), `tests_written`, `tests_kept`, and
    /// of the kept tests `line_coverage`, `branch_coverage` and `mutation_score` (not there
    /// without mutants).
    pub fn metrics(&self) -> BTreeMap<String, f64> {
        let mut m = BTreeMap::new();
        m.insert("valid".to_string(), if self.valid() { 1.0 } else { 0.0 });
        m.insert("tests_written".to_string(), self.kept.written.len() as f64);
        m.insert("tests_kept".to_string(), self.kept.kept.len() as f64);
        if let Some(score) = self.mutation_score() {
            m.insert("mutation_score".to_string(), score);
        }
        m.insert("line_coverage".to_string(), self.line_coverage);
        m.insert("branch_coverage".to_string(), self.branch_coverage);
        m
    }

    /// Passed when the suite is valid. Otherwise failed, with what was kept and the first
    /// failure (`kept 5 of 7 tests; test_x: AssertionError: ...`); timed out or crashed when the
    /// whole file did that.
    pub fn verdict(&self) -> Verdict {
        if self.valid() {
            return Verdict {
                status: Status::Passed,
                detail: String::new(),
                exception: None,
                exec_s: self.exec_s,
            };
        }
        let status = match self.reference.status {
            Status::TimedOut | Status::Crashed if !self.kept.any_kept() => self.reference.status,
            _ => Status::Failed,
        };
        let exception = self.kept.main_failure().and_then(|f| f.exception()).map(str::to_string);
        Verdict { status, detail: self.kept.summary(), exception, exec_s: self.exec_s }
    }
}

/// Keep the tests of `suite` that pass against the subject ([`keep_passing`]) and score them
/// ([`score_kept`]).
pub fn score_suite(worker: &mut PythonWorker, subject: &Subject, suite: &str, limits: &Limits) -> SuiteScore {
    let kept = keep_passing(worker, subject, suite, limits);
    score_kept(worker, subject, kept, limits)
}

/// Run the kept tests against each of the subject's mutants (none when nothing is kept). A
/// mutant is killed when they do not pass on it (a failing or erroring test, a time-out, a crash).
pub fn score_kept(
    worker: &mut PythonWorker,
    subject: &Subject,
    kept: KeptSuite,
    limits: &Limits,
) -> SuiteScore {
    let mut exec_s = kept.exec_s;
    let mut survivors = Vec::new();
    for mutant in subject.mutants {
        if kept.any_kept() {
            let outcome = worker.run_pytest(&subject.request(&mutant.source, &kept.source), limits);
            exec_s += outcome.exec_s;
            if !outcome.passed() {
                continue;
            }
        }
        survivors.push(mutant.id.clone());
    }
    let (line_coverage, branch_coverage) = kept.coverage(subject.module);
    SuiteScore {
        reference: kept.first_run.clone(),
        kept,
        survivors,
        mutants: subject.mutants.len(),
        line_coverage,
        branch_coverage,
        exec_s,
    }
}
