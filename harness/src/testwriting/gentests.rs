//! `evalrun gen-tests`: pytest tests for a developer's own module. The model is asked for tests
//! of each public function and class in turn; every answer is run in the sandbox against the
//! module, tests that fail or error are dropped (by test function), the rest are merged into
//! one file and run again until everything left passes. Coverage of the module and, on request,
//! the mutation score against mutants of the module complete the summary.

use super::mutate::{self, Candidate};
use super::prompt::{completion_from, target_request, Target};
use super::score::{score_suite, Subject};
use super::testfile::{self, ApiItem};
use super::TestWritingError;
use crate::prompt::PromptTemplate;
use crate::sandbox::pytest::PytestOutcome;
use crate::sandbox::{Limits, PythonWorker};
use evalrun_core::{Backend, BackendError, CollectSink, Generation, GenerationSink, Mutant, SamplingParams};
use std::collections::BTreeSet;

/// Rounds of run-and-drop on the merged file (tests can break each other, e.g. through a
/// shared helper of the same name).
const MERGE_ROUNDS: usize = 3;

#[derive(Debug, Clone)]
pub struct GenTestsOptions {
    /// The module's name (its file stem) and source.
    pub module: String,
    pub source: String,
    pub sampling: SamplingParams,
    /// Measure the mutation score against at most this many mutants (0: all of them).
    pub mutants: Option<usize>,
    pub limits: Limits,
}

/// A test that was generated and dropped, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct DroppedTest {
    /// The item it was written for.
    pub item: String,
    /// The test (`test_x`, `TestA::test_x`), or `*` for a whole answer.
    pub test: String,
    pub reason: String,
}

/// What was generated for one item.
#[derive(Debug, Clone)]
pub struct ItemOutcome {
    pub item: ApiItem,
    /// The model's raw answer.
    pub raw: String,
    /// Tests it wrote, and those kept after its own run.
    pub written: usize,
    pub kept: usize,
    pub generation_s: f64,
}

/// The mutation score of the kept tests.
#[derive(Debug, Clone)]
pub struct MutationSummary {
    /// Mutants the module has in all, and those run.
    pub candidates: usize,
    pub run: usize,
    pub killed: usize,
    /// Survivors: some may be equivalent to the module (there is no reference suite to tell).
    pub survivors: Vec<Candidate>,
}

#[derive(Debug, Clone)]
pub struct GenTestsReport {
    pub module: String,
    pub items: Vec<ItemOutcome>,
    /// The test file (without the summary header).
    pub tests: String,
    pub kept: Vec<String>,
    pub dropped: Vec<DroppedTest>,
    /// Line and branch coverage of the module by the kept tests, fractions.
    pub coverage: Option<(f64, f64)>,
    pub mutation: Option<MutationSummary>,
}

impl GenTestsReport {
    pub fn written(&self) -> usize {
        self.kept.len() + self.dropped.iter().filter(|d| d.test != "*").count()
    }

    /// The summary written at the top of the test file, as comment lines.
    pub fn header(&self, model: &str) -> String {
        let mut lines = vec![
            format!("Tests for {}.py, written by {model} with `evalrun gen-tests`.", self.module),
            "Only tests that pass against the module as it is were kept: they pin down its current".into(),
            "behaviour, bugs included.".into(),
            format!(
                "Kept {} of {} generated tests ({} dropped for failing or erroring{}).",
                self.kept.len(),
                self.written(),
                self.dropped.iter().filter(|d| d.test != "*").count(),
                match self.dropped.iter().filter(|d| d.test == "*").count() {
                    0 => String::new(),
                    n => format!("; {n} answers unusable as a whole"),
                }
            ),
        ];
        if let Some((line, branch)) = self.coverage {
            lines.push(format!(
                "Coverage of {}: {:.1}% of lines, {:.1}% of branches.",
                self.module,
                line * 100.0,
                branch * 100.0
            ));
        }
        if let Some(m) = &self.mutation {
            let pct = if m.run == 0 { 0.0 } else { 100.0 * m.killed as f64 / m.run as f64 };
            lines.push(format!(
                "Mutation score: {}/{} mutants killed ({pct:.1}%; {} mutants in all).",
                m.killed, m.run, m.candidates
            ));
        }
        lines.iter().map(|l| format!("# {l}\n")).collect()
    }
}

/// Tests of the given outcomes in a pytest run, by name, with pytest's message; a failure to
/// collect the file comes back as `*`.
fn failing(outcome: &PytestOutcome) -> Vec<(String, String)> {
    outcome
        .tests
        .iter()
        .filter(|t| t.outcome == "failed" || t.outcome == "error")
        .map(|t| {
            let reason = t.message.trim().lines().last().unwrap_or(&t.outcome).to_string();
            (testfile::test_of_nodeid(&t.nodeid).unwrap_or_else(|| "*".into()), reason)
        })
        .collect()
}

/// Why a run that reported no failing test still did not pass (time-out, crash, no tests).
fn whole_run_reason(outcome: &PytestOutcome) -> String {
    format!("{}: {}", outcome.status.as_str(), outcome.detail)
}

/// Collects the answers and says which item each one was for as it lands.
struct ProgressSink<'a, 'p> {
    names: &'a [ApiItem],
    results: CollectSink,
    progress: &'p mut dyn FnMut(&str),
}

impl GenerationSink for ProgressSink<'_, '_> {
    fn finished(&mut self, index: usize, result: Result<Generation, BackendError>) {
        if let Some(item) = self.names.get(index) {
            (self.progress)(&format!("answer for {} `{}` in", item.kind, item.name));
        }
        self.results.finished(index, result);
    }
}

/// Generate, run, filter, merge, measure. `progress` hears of each step.
pub fn generate_tests(
    backend: &mut dyn Backend,
    template: &PromptTemplate,
    worker: &mut PythonWorker,
    opts: &GenTestsOptions,
    progress: &mut dyn FnMut(&str),
) -> Result<GenTestsReport, TestWritingError> {
    let items = testfile::public_api(&opts.source)?;
    let subject = Subject { module: &opts.module, source: &opts.source, mutants: &[] };
    let mut report = GenTestsReport {
        module: opts.module.clone(),
        items: Vec::new(),
        tests: String::new(),
        kept: Vec::new(),
        dropped: Vec::new(),
        coverage: None,
        mutation: None,
    };
    let mut chunks = Vec::new();
    // Every item's tests are asked for at once: the backend decodes as many together as it has
    // slots, and each answer is checked once all are in.
    let requests: Vec<_> = items
        .iter()
        .map(|item| {
            let target = Target { module: &opts.module, code: &item.source, item: Some(&item.name) };
            target_request(template, &target, opts.sampling.clone())
        })
        .collect();
    progress(&format!(
        "asking for tests of {} public items, {} at a time",
        items.len(),
        backend.max_concurrency().min(items.len().max(1))
    ));
    let mut sink = ProgressSink { names: &items, results: CollectSink::default(), progress: &mut *progress };
    backend.generate_stream(&mut requests.into_iter(), &mut sink);
    let generations = sink.results.into_results();
    for (item, generation) in items.iter().zip(generations) {
        let generation = generation.map_err(|e| TestWritingError::Generation(e.to_string()))?;
        let code = completion_from(template, &generation.text, &opts.module);
        let mut outcome = ItemOutcome {
            item: item.clone(),
            raw: generation.text.clone(),
            written: 0,
            kept: 0,
            generation_s: generation.stats.total_s,
        };
        let drop_all = |reason: String| DroppedTest { item: item.name.clone(), test: "*".into(), reason };
        let (code, names) = match testfile::test_names(&code) {
            Ok(names) => (code, names),
            Err(e) => match complete_prefix(&code) {
                // An answer cut by the token limit: the tests before the cut still count.
                Some((prefix, names, line)) => {
                    report.dropped.push(drop_all(format!(
                        "does not parse ({e}): kept the tests before line {line}, where the answer breaks off"
                    )));
                    (prefix, names)
                }
                None => {
                    report.dropped.push(drop_all(format!("does not parse: {e}")));
                    report.items.push(outcome);
                    continue;
                }
            },
        };
        outcome.written = names.len();
        if names.is_empty() {
            report.dropped.push(drop_all("no tests in the answer".into()));
            report.items.push(outcome);
            continue;
        }
        let run = worker.run_pytest(&subject.request(&opts.source, &code), &opts.limits);
        let failed = failing(&run);
        if failed.iter().any(|(t, _)| t == "*") || (!run.passed() && failed.is_empty()) {
            // The file as a whole did not run: an import error, a time-out, a crash.
            let reason =
                failed.into_iter().find(|(t, _)| t == "*").map_or_else(|| whole_run_reason(&run), |f| f.1);
            for name in &names {
                report.dropped.push(DroppedTest {
                    item: item.name.clone(),
                    test: name.clone(),
                    reason: reason.clone(),
                });
            }
            report.items.push(outcome);
            continue;
        }
        let failed_names: BTreeSet<String> = failed.iter().map(|(t, _)| t.clone()).collect();
        for (test, reason) in dedup(failed) {
            report.dropped.push(DroppedTest { item: item.name.clone(), test, reason });
        }
        outcome.kept = names.iter().filter(|n| !failed_names.contains(*n)).count();
        if outcome.kept > 0 {
            let names: Vec<String> = failed_names.into_iter().collect();
            chunks.push((item.name.clone(), testfile::drop_tests(&code, &names)?));
        }
        report.items.push(outcome);
    }

    progress("merging and re-running the kept tests");
    let merged = testfile::merge(&chunks.iter().map(|(_, c)| c.clone()).collect::<Vec<_>>())?;
    let mut tests = merged.source;
    for d in merged.dropped {
        let item = chunks.get(d.index).map_or_else(String::new, |c| c.0.clone());
        report.dropped.push(DroppedTest { item, test: "*".into(), reason: d.reason });
    }
    let mut last = None;
    for _ in 0..MERGE_ROUNDS {
        if testfile::test_names(&tests)?.is_empty() {
            break;
        }
        let run = worker.run_pytest(
            &subject.request(&opts.source, &tests).coverage([opts.module.as_str()]),
            &opts.limits,
        );
        if run.passed() {
            last = Some(run);
            break;
        }
        let failed = failing(&run);
        if failed.is_empty() || failed.iter().any(|(t, _)| t == "*") {
            // Cannot tell which tests are at fault: give nothing rather than a broken file.
            let reason = failed.into_iter().next().map_or_else(|| whole_run_reason(&run), |f| f.1);
            for name in testfile::test_names(&tests)? {
                report.dropped.push(DroppedTest {
                    item: "(merged)".into(),
                    test: name,
                    reason: reason.clone(),
                });
            }
            tests = String::new();
            break;
        }
        let names: Vec<String> = dedup(failed.clone()).into_iter().map(|(t, _)| t).collect();
        for (test, reason) in dedup(failed) {
            report.dropped.push(DroppedTest { item: "(merged)".into(), test, reason });
        }
        tests = testfile::drop_tests(&tests, &names)?;
    }
    report.kept = if last.is_some() { testfile::test_names(&tests)? } else { Vec::new() };
    if let Some(run) = &last {
        report.coverage = run
            .coverage
            .get(&opts.module)
            .map(|c| (c.line_percent / 100.0, c.branch_percent / 100.0))
            .or(Some((0.0, 0.0)));
    } else {
        tests = String::new();
    }
    report.tests = tests;

    if let (Some(limit), true) = (opts.mutants, last.is_some()) {
        progress("running the kept tests against mutants of the module");
        let found = mutate::mutants(&opts.source, limit, &opts.module)?;
        let mutants: Vec<Mutant> = found
            .selected
            .iter()
            .enumerate()
            .map(|(i, c)| Mutant {
                id: format!("m{:03}", i + 1),
                operator: c.operator.clone(),
                line: c.line,
                source: c.source.clone(),
            })
            .collect();
        let subject = Subject { module: &opts.module, source: &opts.source, mutants: &mutants };
        let score = score_suite(worker, &subject, &report.tests, &opts.limits);
        let survivors = mutants
            .iter()
            .zip(&found.selected)
            .filter(|(m, _)| score.survivors.contains(&m.id))
            .map(|(_, c)| c.clone())
            .collect();
        report.mutation = Some(MutationSummary {
            candidates: found.candidates,
            run: mutants.len(),
            killed: score.killed(),
            survivors,
        });
    }
    Ok(report)
}

/// The longest prefix of `code` that ends before a top-level definition, parses, and holds tests:
/// `(prefix, its tests, the 1-based line where it stops)`. Tries the last cut points first.
fn complete_prefix(code: &str) -> Option<(String, Vec<String>, usize)> {
    let starts: Vec<(usize, usize)> = code
        .split_inclusive('\n')
        .scan(0, |offset, line| {
            let at = *offset;
            *offset += line.len();
            Some((at, line))
        })
        .enumerate()
        .filter(|(_, (_, line))| ["def ", "async def ", "class ", "@"].iter().any(|p| line.starts_with(p)))
        .map(|(n, (at, _))| (at, n + 1))
        .collect();
    // Each try is a parse in the embedded interpreter: a few, from the end, are enough.
    starts.into_iter().rev().filter(|&(at, _)| at > 0).take(8).find_map(|(at, line)| {
        let prefix = &code[..at];
        let names = testfile::test_names(prefix).ok().filter(|n| !n.is_empty())?;
        Some((prefix.to_string(), names, line))
    })
}

/// One entry per test (a parametrized test fails once per case).
fn dedup(failed: Vec<(String, String)>) -> Vec<(String, String)> {
    let mut seen = BTreeSet::new();
    failed.into_iter().filter(|(t, _)| seen.insert(t.clone())).collect()
}

#[cfg(test)]
mod tests {
    use super::complete_prefix;

    #[test]
    fn an_answer_cut_in_its_third_test_keeps_the_first_two() {
        let answer = "import pytest\nfrom m import f\n\ndef test_one():\n    assert f(1) == 1\n\n\
                      def test_two():\n    assert f(2) == 2\n\ndef test_three():\n    assert f(3) == (";
        let (prefix, names, line) = complete_prefix(answer).expect("a usable prefix");
        assert_eq!(names, ["test_one", "test_two"]);
        assert_eq!(line, 10);
        assert!(prefix.ends_with("assert f(2) == 2\n\n"), "{prefix}");
    }

    #[test]
    fn nothing_usable_is_none() {
        assert_eq!(complete_prefix("def test_one():\n    assert f(1) == (\n"), None);
    }
}
