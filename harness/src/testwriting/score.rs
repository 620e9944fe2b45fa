//! Scoring a pytest suite written for a module: is it valid (runs and passes against the
//! module), which of the module's mutants does it kill, and what line and branch coverage of the
//! module does it reach. Every run goes through the sandbox's pytest path.

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
    /// The run against the module itself, with coverage.
    pub reference: PytestOutcome,
    /// Ids of the mutants the suite did not kill (all of them when the suite is not valid:
    /// mutants are then not run).
    pub survivors: Vec<String>,
    pub mutants: usize,
    /// Fractions in 0..=1; 0 when the suite is not valid.
    pub line_coverage: f64,
    pub branch_coverage: f64,
    /// Wall time of every run, seconds.
    pub exec_s: f64,
}

impl SuiteScore {
    /// Runs and passes against the module (at least one test, none failing).
    pub fn valid(&self) -> bool {
        self.reference.passed()
    }

    pub fn killed(&self) -> usize {
        self.mutants - self.survivors.len()
    }

    /// Killed / mutants; 0 for a suite that is not valid; `None` without mutants.
    pub fn mutation_score(&self) -> Option<f64> {
        (self.mutants > 0)
            .then(|| if self.valid() { self.killed() as f64 / self.mutants as f64 } else { 0.0 })
    }

    /// The metrics of a result row: `valid` (0 or 1), `mutation_score`, `line_coverage`,
    /// `branch_coverage`.
    pub fn metrics(&self) -> BTreeMap<String, f64> {
        let mut m = BTreeMap::new();
        m.insert("valid".to_string(), if self.valid() { 1.0 } else { 0.0 });
        if let Some(score) = self.mutation_score() {
            m.insert("mutation_score".to_string(), score);
        }
        m.insert("line_coverage".to_string(), self.line_coverage);
        m.insert("branch_coverage".to_string(), self.branch_coverage);
        m
    }

    /// Passed when the suite is valid; otherwise the reference run's status and reason.
    pub fn verdict(&self) -> Verdict {
        let status = match self.reference.status {
            Status::Passed => Status::Passed,
            Status::TimedOut | Status::Crashed => self.reference.status,
            _ => Status::Failed,
        };
        let detail = if self.valid() { String::new() } else { self.reference.detail.clone() };
        Verdict { status, detail, exception: None, exec_s: self.exec_s }
    }
}

/// Run `suite` against the subject and, if it is valid there, against each mutant. A mutant is
/// killed when the suite does not pass on it (a failing or erroring test, a time-out, a crash).
pub fn score_suite(worker: &mut PythonWorker, subject: &Subject, suite: &str, limits: &Limits) -> SuiteScore {
    let reference =
        worker.run_pytest(&subject.request(subject.source, suite).coverage([subject.module]), limits);
    let mut exec_s = reference.exec_s;
    let all: Vec<String> = subject.mutants.iter().map(|m| m.id.clone()).collect();
    if !reference.passed() {
        return SuiteScore {
            reference,
            survivors: all,
            mutants: subject.mutants.len(),
            line_coverage: 0.0,
            branch_coverage: 0.0,
            exec_s,
        };
    }
    let (line_coverage, branch_coverage) = reference
        .coverage
        .get(subject.module)
        .map_or((0.0, 0.0), |c| (c.line_percent / 100.0, c.branch_percent / 100.0));
    let mut survivors = Vec::new();
    for mutant in subject.mutants {
        let outcome = worker.run_pytest(&subject.request(&mutant.source, suite), limits);
        exec_s += outcome.exec_s;
        if outcome.passed() {
            survivors.push(mutant.id.clone());
        }
    }
    SuiteScore {
        reference,
        survivors,
        mutants: subject.mutants.len(),
        line_coverage,
        branch_coverage,
        exec_s,
    }
}
