//! A suite against a module's mutants, test by test: the suite runs once against each mutant,
//! and each test that fails or errors there kills it. gen-tests uses the outcomes for the
//! mutation score, for the survivors it shows the model, and for `--minimize`.

use super::parallel::map_on_workers;
use super::score::Subject;
use super::testfile;
use super::TestWritingError;
use crate::sandbox::{Limits, PythonWorker};
use evalrun_core::Mutant;
use std::collections::BTreeSet;

/// What one run of the suite against one mutant said.
#[derive(Debug, Clone, PartialEq)]
pub struct MutantOutcome {
    /// The suite did not pass on the mutant (a failing or erroring test, a time-out, a crash).
    pub killed: bool,
    /// The tests that failed or errored on it, as [`testfile::test_names`] spells them. Empty
    /// for a killed mutant when the run reported no test at fault (a time-out, a crash, a
    /// collection error): see [`MutantOutcome::unattributed`].
    pub killers: BTreeSet<String>,
    pub exec_s: f64,
}

impl MutantOutcome {
    /// Killed, but not by a test the run named.
    pub fn unattributed(&self) -> bool {
        self.killed && self.killers.is_empty()
    }
}

/// Run `suite` against each of `mutants` of `module`, spread over `workers`; outcomes in the
/// order of `mutants`.
pub fn run_against_mutants(
    workers: &mut [PythonWorker],
    module: &str,
    mutants: &[Mutant],
    suite: &str,
    limits: &Limits,
) -> Result<Vec<MutantOutcome>, TestWritingError> {
    let subject = Subject { module, source: "", mutants: &[] };
    let outcomes = map_on_workers(workers, mutants, |worker, mutant| {
        let run = worker.run_pytest(&subject.request(&mutant.source, suite), limits);
        let killers = run
            .tests
            .iter()
            .filter(|t| t.outcome == "failed" || t.outcome == "error")
            .filter_map(|t| testfile::test_of_nodeid(&t.nodeid))
            .collect();
        MutantOutcome { killed: !run.passed(), killers, exec_s: run.exec_s }
    })?;
    Ok(outcomes)
}
