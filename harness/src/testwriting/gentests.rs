//! `evalrun gen-tests`: pytest tests for a developer's own module (docs/GEN_TESTS.md).
//!
//! 1. Rounds ([`super::gentests_rounds`]): the model is asked for tests of each public function
//!    and class; each answer is kept as the benchmark keeps a suite ([`keep_passing`]:
//!    definitions shadowing the module removed, tests that fail dropped by name); items whose
//!    tests leave failures, uncovered lines or surviving mutants are asked again with feedback.
//! 2. The file ([`build_file`], [`super::by_item`]): each item's kept tests under a comment
//!    line, in the module's order, kept again as a whole (tests can break each other once
//!    together).
//! 3. `--minimize` ([`super::minimize`]): only tests that add coverage or kill a mutant the
//!    others miss stay.
//! 4. What the header reports: coverage of the module by the file and, with mutants, its
//!    mutation score.

use super::by_item::{self, Assembled, Section};
use super::gentests_rounds::{run_rounds, ItemTests, RoundsInput};
use super::kept::{keep_passing, KeptSuite};
use super::minimize;
use super::mutant_runs::run_against_mutants;
use super::mutate;
use super::score::Subject;
use super::testfile;
use super::TestWritingError;
use crate::prompt::PromptTemplate;
use crate::sandbox::{Limits, PythonWorker, SandboxError};
use evalrun_core::{Backend, Mutant, SamplingParams};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// Times the file is assembled and kept again after tests that fail beside the others are
/// dropped, beyond one per item (a file that does not run at all loses one item a time).
const MERGE_ROUNDS: usize = 3;

/// The mutant runs of the whole file get at least this many times the wall time of its passing
/// run against the module: a slower run is a mutant that loops.
const MUTANT_TIME_FACTOR: f64 = 3.0;

#[derive(Debug, Clone)]
pub struct GenTestsOptions {
    /// The module's name (its file stem) and source.
    pub module: String,
    pub source: String,
    pub sampling: SamplingParams,
    /// Run at most this many mutants (0: all of them); `None`: no mutants.
    pub mutants: Option<usize>,
    /// Most rounds per item (1: no feedback).
    pub rounds: usize,
    /// Keep only tests that add coverage or kill a mutant the others miss (needs mutants).
    pub minimize: bool,
    /// Limits of each pytest run of one item's tests; the file's run gets its timeout per item.
    pub limits: Limits,
}

/// A test that was generated and dropped, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct DroppedTest {
    /// The item it was written for.
    pub item: String,
    /// The test (`test_x`, `TestA::test_x`), or `*` for a whole answer.
    pub test: String,
    /// The assertion or exception (a few lines), or why the answer was not usable.
    pub reason: String,
    /// `round 2`, `file` (once all items' tests were together), `--minimize`.
    pub when: String,
}

impl DroppedTest {
    /// Dropped for failing or erroring (not by `--minimize`, not a whole answer).
    pub fn failed(&self) -> bool {
        self.test != "*" && self.when != MINIMIZE
    }
}

const MINIMIZE: &str = "--minimize";

/// The mutation score of the kept tests.
#[derive(Debug, Clone)]
pub struct MutationSummary {
    /// Mutants the module has in all, and those run.
    pub candidates: usize,
    pub run: usize,
    pub killed: usize,
    /// Survivors: some may be equivalent to the module (there is no reference suite to tell).
    pub survivors: Vec<Mutant>,
}

impl MutationSummary {
    pub fn score(&self) -> f64 {
        if self.run == 0 {
            0.0
        } else {
            self.killed as f64 / self.run as f64
        }
    }
}

#[derive(Debug, Clone)]
pub struct GenTestsReport {
    pub module: String,
    /// Each item's rounds and tests, in the module's order.
    pub items: Vec<ItemTests>,
    /// How many tests of each item are in the file, in the order of `items`.
    pub in_file: Vec<usize>,
    /// The most rounds any item ran.
    pub rounds_run: usize,
    /// Tests in the model's answers, over all items and rounds.
    pub written: usize,
    /// The test file (without the summary header).
    pub tests: String,
    pub kept: Vec<String>,
    pub dropped: Vec<DroppedTest>,
    /// Tests `--minimize` dropped; `None` without it.
    pub minimized: Option<usize>,
    /// Names the answers defined that shadow the module's own (their definitions were removed).
    pub shadowing: Vec<String>,
    /// Line and branch coverage of the module by the kept tests, fractions.
    pub coverage: Option<(f64, f64)>,
    pub mutation: Option<MutationSummary>,
}

/// What the header says beyond the measurements.
#[derive(Debug, Clone, Copy)]
pub struct HeaderInfo<'a> {
    pub model: &'a str,
    /// evalrun's version.
    pub version: &'a str,
    /// When the tests were written (RFC 3339).
    pub date: &'a str,
    /// The gen-tests command that wrote them.
    pub command: &'a str,
    /// The command that runs them.
    pub rerun: &'a str,
}

impl GenTestsReport {
    fn new(module: &str) -> GenTestsReport {
        GenTestsReport {
            module: module.to_string(),
            items: Vec::new(),
            in_file: Vec::new(),
            rounds_run: 0,
            written: 0,
            tests: String::new(),
            kept: Vec::new(),
            dropped: Vec::new(),
            minimized: None,
            shadowing: Vec::new(),
            coverage: None,
            mutation: None,
        }
    }

    /// Tests dropped for failing or erroring against the module.
    pub fn failed(&self) -> usize {
        self.dropped.iter().filter(|d| d.failed()).count()
    }

    /// The summary written at the top of the test file, as comment lines: what was measured,
    /// when, by what, and how to run the tests again.
    pub fn header(&self, info: &HeaderInfo) -> String {
        let m = &self.module;
        let rounds = match self.rounds_run {
            1 => "1 round".to_string(),
            n => format!("{n} rounds (feedback after the first)"),
        };
        let mut lines = vec![
            format!("Tests for {m}.py, written by {} with `evalrun gen-tests`.", info.model),
            format!("evalrun {}, {}: {}", info.version, info.date, info.command),
            format!("Run them: {}", info.rerun),
            String::new(),
            format!("Grouped by the function or class of {m}.py they test, in the module's order. Every"),
            format!("test imports {m} and tests it, never a copy of it; every test passed against {m}.py"),
            "as it was then: they pin down its behaviour, bugs included.".into(),
            String::new(),
            format!(
                "Measured: {rounds}; {} tests written, {} kept ({} dropped for failing or erroring{}).",
                self.written,
                self.kept.len(),
                self.failed(),
                self.minimized.map_or_else(String::new, |n| format!(", {n} by --minimize"))
            ),
        ];
        if !self.shadowing.is_empty() {
            lines.push(format!(
                "Removed the tests' own definitions of {} (the tests use the module's).",
                self.shadowing.join(", ")
            ));
        }
        if let Some((line, branch)) = self.coverage {
            lines.push(format!(
                "Coverage of {m}.py by these tests: {:.1}% of lines, {:.1}% of branches.",
                line * 100.0,
                branch * 100.0
            ));
        }
        match &self.mutation {
            Some(s) => lines.push(format!(
                "Mutation score: {:.1}% ({} of {} mutants killed; {} mutants in all).",
                s.score() * 100.0,
                s.killed,
                s.run,
                s.candidates
            )),
            None => lines.push("Mutation score: not measured (it needs --mutate and a kept test).".into()),
        }
        lines.iter().map(|l| if l.is_empty() { "#\n".to_string() } else { format!("# {l}\n") }).collect()
    }
}

/// Rounds, file, `--minimize`, measurements. `workers` run the sandboxed pytest runs (at least
/// one; runs that can go in parallel are spread over all); `progress` hears of each step.
pub fn generate_tests(
    backend: &mut dyn Backend,
    template: &PromptTemplate,
    workers: &mut [PythonWorker],
    opts: &GenTestsOptions,
    progress: &mut dyn FnMut(&str),
) -> Result<GenTestsReport, TestWritingError> {
    let module = opts.module.as_str();
    let subject = Subject { module, source: &opts.source, mutants: &[] };
    let items = testfile::public_api(&opts.source)?;
    if items.is_empty() {
        return Ok(GenTestsReport::new(module));
    }
    let testable = {
        let worker = workers.first_mut().ok_or_else(|| SandboxError::Protocol("no sandbox worker".into()))?;
        testable_lines(worker, &subject, &opts.limits)?
    };
    let (mutants, candidates) = match opts.mutants {
        Some(limit) => {
            let found = mutate::mutants(&opts.source, limit, module)?;
            (as_mutants(&found.selected), found.candidates)
        }
        None => (Vec::new(), 0),
    };
    if !mutants.is_empty() {
        progress(&format!("{} mutants of {module} to run ({candidates} in all)", mutants.len()));
    }

    let input = RoundsInput {
        module,
        source: &opts.source,
        items: &items,
        mutants: &mutants,
        testable_lines: &testable,
        rounds: opts.rounds,
        sampling: &opts.sampling,
        limits: &opts.limits,
    };
    let states = run_rounds(backend, template, workers, &input, progress)?;
    build_file(workers, opts, states, &mutants, candidates, progress)
}

/// The file from each item's tests as the rounds left them (`states`, in the module's order):
/// each item's kept tests under its heading, kept again as a whole; with `opts.minimize`, only
/// the tests that add coverage or kill a mutant the others miss; then the file's coverage and,
/// when `opts.mutants` asks for them, its mutation score. `mutants` are the module's mutants the
/// rounds ran, of `candidates` in all.
pub fn build_file(
    workers: &mut [PythonWorker],
    opts: &GenTestsOptions,
    states: Vec<ItemTests>,
    mutants: &[Mutant],
    candidates: usize,
    progress: &mut dyn FnMut(&str),
) -> Result<GenTestsReport, TestWritingError> {
    let module = opts.module.as_str();
    let subject = Subject { module, source: &opts.source, mutants: &[] };
    let mut report = GenTestsReport::new(module);
    let items: Vec<testfile::ApiItem> = states.iter().map(|s| s.item.clone()).collect();
    report.rounds_run = states.iter().map(|s| s.rounds.len()).max().unwrap_or(0);
    report.written = states.iter().map(|s| s.written).sum();
    for state in &states {
        report.dropped.extend(state.dropped.iter().cloned());
        for name in &state.shadowing {
            if !report.shadowing.contains(name) {
                report.shadowing.push(name.clone());
            }
        }
    }
    let mut sections: Vec<Section> =
        states.iter().map(|s| Section::new(module, &s.item, s.source.clone())).collect();
    report.in_file = vec![0; states.len()];
    report.items = states;

    progress("the file: each item's kept tests under its heading, run together");
    let mut file =
        passing_file(workers, &subject, &mut sections, &items, &opts.limits, "file", &mut report.dropped)?;
    if let (true, Some(f)) = (opts.minimize, &file) {
        progress(&format!(
            "--minimize: each of {} tests alone with coverage, and the file against {} mutants",
            f.kept.kept.len(),
            mutants.len()
        ));
        let outcomes = run_against_mutants(
            workers,
            module,
            mutants,
            &f.kept.source,
            &mutant_limits(&opts.limits, &f.kept),
        )?;
        let subject = Subject { module, source: &opts.source, mutants };
        let minimized =
            minimize::minimize(workers, &subject, &f.kept.source, &f.kept.kept, &outcomes, &opts.limits)?;
        let mut by_section: BTreeMap<usize, Vec<String>> = BTreeMap::new();
        for (test, reason) in &minimized.dropped {
            let Some(s) = f.assembled.section_of(test) else { continue };
            by_section.entry(s).or_default().push(test.clone());
            report.dropped.push(DroppedTest {
                item: items[s].name.clone(),
                test: test.clone(),
                reason: reason.clone(),
                when: MINIMIZE.into(),
            });
        }
        for (s, tests) in by_section {
            sections[s].source = testfile::drop_tests(&sections[s].source, &tests)?;
        }
        report.minimized = Some(minimized.dropped.len());
        progress(&format!(
            "--minimize: {} tests kept, {} dropped",
            minimized.keep.len(),
            minimized.dropped.len()
        ));
    }
    if report.minimized.is_some() {
        file = passing_file(
            workers,
            &subject,
            &mut sections,
            &items,
            &opts.limits,
            MINIMIZE,
            &mut report.dropped,
        )?;
    }
    let Some(file) = file else { return Ok(report) };
    for (i, n) in report.in_file.iter_mut().enumerate() {
        *n = file.assembled.tests_of(i).count();
    }
    report.coverage = Some(file.kept.coverage(module));
    if opts.mutants.is_some() {
        progress(&format!("the file against {} mutants of {module}", mutants.len()));
        let outcomes = run_against_mutants(
            workers,
            module,
            mutants,
            &file.kept.source,
            &mutant_limits(&opts.limits, &file.kept),
        )?;
        let survivors: Vec<Mutant> =
            mutants.iter().zip(&outcomes).filter(|(_, o)| !o.killed).map(|(m, _)| m.clone()).collect();
        report.mutation = Some(MutationSummary {
            candidates,
            run: mutants.len(),
            killed: mutants.len() - survivors.len(),
            survivors,
        });
    }
    report.kept = file.kept.kept;
    report.tests = file.kept.source;
    Ok(report)
}

/// The mutants of the module, named as a task's are.
fn as_mutants(selected: &[mutate::Candidate]) -> Vec<Mutant> {
    selected
        .iter()
        .enumerate()
        .map(|(i, c)| Mutant {
            id: format!("m{:03}", i + 1),
            operator: c.operator.clone(),
            line: c.line,
            source: c.source.clone(),
        })
        .collect()
}

/// The module's statement lines that only tests run: those a run that imports the module and
/// tests nothing leaves unrun. A module that does not import in the sandbox is an error here,
/// before any generation.
fn testable_lines(
    worker: &mut PythonWorker,
    subject: &Subject,
    limits: &Limits,
) -> Result<BTreeSet<u32>, TestWritingError> {
    let probe = format!("import {}\n\n\ndef test_import():\n    pass\n", subject.module);
    let run = worker.run_pytest(&subject.request(subject.source, &probe).coverage([subject.module]), limits);
    if !run.passed() {
        return Err(TestWritingError::Source {
            path: PathBuf::from(format!("{}.py", subject.module)),
            reason: format!("does not import in the sandbox: {}", run.detail),
        });
    }
    Ok(run
        .coverage
        .get(subject.module)
        .map(|c| c.missing_lines.iter().copied().collect())
        .unwrap_or_default())
}

/// `limits` with the wall-clock (and CPU) limit times `factor`.
fn scaled(limits: &Limits, factor: f64) -> Limits {
    Limits {
        timeout_s: limits.timeout_s * factor,
        cpu_time_s: limits.cpu_time_s.map(|c| c * factor),
        ..limits.clone()
    }
}

/// Limits of the file's runs against mutants: the item limit, or a few times what the file
/// took against the module when that is more.
fn mutant_limits(limits: &Limits, kept: &KeptSuite) -> Limits {
    let took = kept.run.as_ref().map_or(0.0, |r| r.exec_s);
    scaled(limits, (MUTANT_TIME_FACTOR * took / limits.timeout_s).max(1.0))
}

/// The file and its passing run.
struct File {
    assembled: Assembled,
    kept: KeptSuite,
}

/// Assemble `sections` into the file and keep it as a whole. Tests that fail beside the others
/// are dropped from their section and the file is assembled again, so that every heading stays
/// above tests of its own; when the file does not run at all, the last item's tests are left out
/// until it does. `None` when no test is left.
fn passing_file(
    workers: &mut [PythonWorker],
    subject: &Subject,
    sections: &mut [Section],
    items: &[testfile::ApiItem],
    limits: &Limits,
    when: &str,
    dropped: &mut Vec<DroppedTest>,
) -> Result<Option<File>, TestWritingError> {
    let worker = workers.first_mut().ok_or_else(|| SandboxError::Protocol("no sandbox worker".into()))?;
    let mut note = |item: usize, test: &str, reason: &str| {
        dropped.push(DroppedTest {
            item: items.get(item).map_or_else(String::new, |i| i.name.clone()),
            test: test.to_string(),
            reason: reason.to_string(),
            when: when.to_string(),
        })
    };
    for _ in 0..sections.len() + MERGE_ROUNDS {
        let assembled = by_item::assemble(sections)?;
        for d in &assembled.dropped {
            note(d.index, "*", &d.reason);
        }
        // Later sections' clashing names are renamed: keep them so, names then match the file.
        for (section, source) in sections.iter_mut().zip(&assembled.sections) {
            section.source = source.clone();
        }
        if assembled.tests.is_empty() {
            return Ok(None);
        }
        let parts = sections.iter().filter(|s| !s.source.is_empty()).count().max(1);
        let kept = keep_passing(worker, subject, &assembled.source, &scaled(limits, parts as f64));
        if kept.any_kept() && kept.failures.is_empty() {
            return Ok(Some(File { assembled, kept }));
        }
        if let Some(whole) = kept.whole_file_failure() {
            let Some(last) = sections.iter().rposition(|s| !s.source.is_empty()) else { return Ok(None) };
            let reason = format!("the file does not run with these tests: {}", whole.headline());
            for test in assembled.tests_of(last) {
                note(last, test, &reason);
            }
            sections[last].source.clear();
            continue;
        }
        let mut by_section: BTreeMap<usize, Vec<String>> = BTreeMap::new();
        for f in &kept.failures {
            let Some(s) = assembled.section_of(&f.test) else { continue };
            note(s, &f.test, &f.reason);
            by_section.entry(s).or_default().push(f.test.clone());
        }
        if by_section.is_empty() {
            // Failures the file's tests do not name: what the keeping left is the file.
            return Ok(kept.any_kept().then_some(File { assembled, kept }));
        }
        for (s, tests) in by_section {
            sections[s].source = testfile::drop_tests(&sections[s].source, &tests)?;
        }
    }
    Ok(None)
}
