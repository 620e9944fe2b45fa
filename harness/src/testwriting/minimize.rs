//! `gen-tests --minimize`: keep only the tests that add line coverage or kill a mutant that the
//! other kept tests miss.
//!
//! What a test contributes is measured on its own: it runs alone with coverage (the module's
//! lines it runs), and the runs of the whole suite against the mutants name the tests that
//! failed on each (the mutants it kills). The tests to keep are then a set cover of everything
//! the suite covers and kills, chosen greedily by largest new contribution: the file is ordered
//! by item whatever the order of choice, and the largest-first greedy keeps fewer tests than
//! taking them in file order (it is the classic ln(n) approximation). A last pass drops any
//! chosen test whose lines and kills the other chosen tests all have, so that every kept test
//! adds something of its own.

use super::mutant_runs::MutantOutcome;
use super::parallel::map_on_workers;
use super::score::Subject;
use super::TestWritingError;
use crate::sandbox::pytest::PytestRequest;
use crate::sandbox::{Limits, PythonWorker};
use std::cmp::Reverse;
use std::collections::BTreeSet;

/// Wall-clock limit of one test alone against a mutant that killed the suite without naming a
/// test (a time-out, a crash), seconds: a test slower than this on it is taken to kill it.
const ATTRIBUTION_TIMEOUT_S: f64 = 2.0;

/// What one test contributes, measured alone.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Contribution {
    pub test: String,
    /// It passes when run alone against the module.
    pub passes_alone: bool,
    /// Lines of the module it runs that some other test of the suite does not (a line every
    /// test runs is covered by whichever is kept).
    pub lines: BTreeSet<u32>,
    /// Indices of the mutants it kills.
    pub kills: BTreeSet<usize>,
}

/// Tests to keep and tests to drop, in the suite's order.
#[derive(Debug, Clone, PartialEq)]
pub struct Minimized {
    pub keep: Vec<String>,
    /// Each dropped test, and why.
    pub dropped: Vec<(String, String)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Element {
    Line(u32),
    Kill(usize),
}

fn elements(c: &Contribution) -> BTreeSet<Element> {
    if !c.passes_alone {
        return BTreeSet::new();
    }
    c.lines.iter().map(|&l| Element::Line(l)).chain(c.kills.iter().map(|&m| Element::Kill(m))).collect()
}

/// The tests of `tests` to keep (indices, ascending), as described in the module comment. A
/// suite whose tests all contribute the same keeps its first test that passes alone.
pub fn cover(contributions: &[Contribution]) -> Vec<usize> {
    let sets: Vec<BTreeSet<Element>> = contributions.iter().map(elements).collect();
    let mut left: BTreeSet<Element> = sets.iter().flatten().copied().collect();
    let mut chosen: Vec<usize> = Vec::new();
    while !left.is_empty() {
        let gain = |i: usize| sets[i].intersection(&left).count();
        // The most new elements; on a tie, the first in file order.
        let Some(best) =
            (0..sets.len()).filter(|i| !chosen.contains(i)).max_by_key(|&i| (gain(i), Reverse(i)))
        else {
            break;
        };
        if gain(best) == 0 {
            break;
        }
        for e in &sets[best] {
            left.remove(e);
        }
        chosen.push(best);
    }
    // A later choice can make an earlier one redundant.
    let mut kept = chosen.clone();
    for i in chosen {
        let others: BTreeSet<Element> =
            kept.iter().filter(|&&j| j != i).flat_map(|&j| sets[j].iter().copied()).collect();
        if sets[i].is_subset(&others) {
            kept.retain(|&j| j != i);
        }
    }
    if kept.is_empty() {
        kept.extend(contributions.iter().position(|c| c.passes_alone));
    }
    kept.sort_unstable();
    kept
}

/// Measure what each of `tests` (of `suite`, a file of tests for the subject's module)
/// contributes. `outcomes` are the suite's runs against the subject's mutants, in their order.
pub fn contributions(
    workers: &mut [PythonWorker],
    subject: &Subject,
    suite: &str,
    tests: &[String],
    outcomes: &[MutantOutcome],
    limits: &Limits,
) -> Result<Vec<Contribution>, TestWritingError> {
    let Subject { module, source, mutants } = *subject;
    let alone = |mutated: &str, test: &str| {
        PytestRequest::new()
            .file(format!("{module}.py"), mutated)
            .file(subject.test_file(), suite)
            .args([format!("{}::{test}", subject.test_file())])
    };
    // Each test alone against the module, with coverage: whether it passes, the lines it misses.
    let runs = map_on_workers(workers, tests, |worker, test| {
        let run = worker.run_pytest(&alone(source, test).coverage([module]), limits);
        let missing: Option<BTreeSet<u32>> =
            run.coverage.get(module).map(|c| c.missing_lines.iter().copied().collect());
        (run.passed(), missing)
    })?;
    let missed_by_some: BTreeSet<u32> = runs
        .iter()
        .filter(|(passed, _)| *passed)
        .filter_map(|(_, m)| m.as_ref())
        .flatten()
        .copied()
        .collect();
    let mut contributions: Vec<Contribution> = tests
        .iter()
        .zip(&runs)
        .map(|(test, (passed, missing))| Contribution {
            test: test.clone(),
            passes_alone: *passed,
            lines: match missing {
                Some(missing) if *passed => missed_by_some.difference(missing).copied().collect(),
                _ => BTreeSet::new(),
            },
            kills: BTreeSet::new(),
        })
        .collect();
    for (m, outcome) in outcomes.iter().enumerate() {
        for c in contributions.iter_mut().filter(|c| outcome.killers.contains(&c.test)) {
            c.kills.insert(m);
        }
    }
    // A mutant that stopped the whole run (a time-out, a crash) named no test: run each alone.
    let short = Limits { timeout_s: limits.timeout_s.min(ATTRIBUTION_TIMEOUT_S), ..limits.clone() };
    let jobs: Vec<(usize, usize)> = outcomes
        .iter()
        .enumerate()
        .filter(|(_, o)| o.unattributed())
        .flat_map(|(m, _)| (0..tests.len()).map(move |t| (m, t)))
        .filter(|&(m, _)| m < mutants.len())
        .collect();
    let killed = map_on_workers(workers, &jobs, |worker, &(m, t)| {
        !worker.run_pytest(&alone(&mutants[m].source, &tests[t]), &short).passed()
    })?;
    for (&(m, t), killed) in jobs.iter().zip(killed) {
        if killed {
            contributions[t].kills.insert(m);
        }
    }
    Ok(contributions)
}

/// The tests of `suite` to keep under `--minimize`, and those to drop with the reason.
pub fn minimize(
    workers: &mut [PythonWorker],
    subject: &Subject,
    suite: &str,
    tests: &[String],
    outcomes: &[MutantOutcome],
    limits: &Limits,
) -> Result<Minimized, TestWritingError> {
    let contributions = contributions(workers, subject, suite, tests, outcomes, limits)?;
    let keep = cover(&contributions);
    let mut minimized = Minimized { keep: Vec::new(), dropped: Vec::new() };
    for (i, c) in contributions.into_iter().enumerate() {
        if keep.contains(&i) {
            minimized.keep.push(c.test);
        } else if !c.passes_alone {
            minimized.dropped.push((c.test, "fails when run alone (it depends on other tests)".into()));
        } else {
            minimized.dropped.push((c.test, "adds no line or mutant kill that the kept tests miss".into()));
        }
    }
    Ok(minimized)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(test: &str, lines: &[u32], kills: &[usize]) -> Contribution {
        Contribution {
            test: test.into(),
            passes_alone: true,
            lines: lines.iter().copied().collect(),
            kills: kills.iter().copied().collect(),
        }
    }

    #[test]
    fn a_test_covered_by_the_others_goes() {
        let tests = [c("a", &[1, 2], &[]), c("b", &[3], &[]), c("c", &[1, 3], &[])];
        assert_eq!(cover(&tests), [0, 1]);
    }

    #[test]
    fn a_unique_kill_keeps_a_test_that_adds_no_line() {
        let tests = [c("a", &[1, 2, 3], &[0]), c("b", &[2], &[1]), c("c", &[1], &[0])];
        assert_eq!(cover(&tests), [0, 1]);
    }

    #[test]
    fn an_early_pick_made_redundant_by_later_ones_goes() {
        // Greedy takes `a` (4 new), then `b` and `c` for 5 and 6; together they have all of `a`.
        let tests = [c("a", &[1, 2, 3, 4], &[]), c("b", &[1, 2, 5], &[]), c("c", &[3, 4, 6], &[])];
        assert_eq!(cover(&tests), [1, 2]);
    }

    #[test]
    fn tests_that_all_do_the_same_keep_one_and_failing_alone_keeps_none() {
        let mut tests = [c("a", &[], &[]), c("b", &[], &[])];
        assert_eq!(cover(&tests), [0]);
        tests[0].passes_alone = false;
        assert_eq!(cover(&tests), [1]);
        tests[1].passes_alone = false;
        assert_eq!(cover(&tests), Vec::<usize>::new());
    }
}
