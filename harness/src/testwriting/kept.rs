//! Per-test scoring of a pytest suite, as TestGenEval-style benchmarks do it: the tests that
//! pass against the module are kept, the others dropped by name, and the kept tests are what
//! coverage and mutants are measured with.
//!
//! Before anything runs, the definitions by which the file shadows the module (a pasted
//! `def f`) are removed ([`testfile::remove_shadowing`]): a kept test always exercises the
//! module, never the file's own copy. A suite is *valid*, the strict notion, when it passed
//! as a whole at its first run, with nothing dropped and nothing shadowed.

use super::score::Subject;
use super::testfile;
use crate::sandbox::pytest::PytestOutcome;
use crate::sandbox::{Limits, PythonWorker};
use std::collections::BTreeSet;

/// Runs after the first, each after dropping what failed: a test can fail only beside another
/// (shared module state, a helper of the same name), so dropping one can break the next.
const RERUNS: usize = 3;
/// A failure's reason: at most this many lines of so many characters.
const REASON_LINES: usize = 4;
const REASON_LINE_CHARS: usize = 200;

/// A test dropped because it failed or errored against the module.
#[derive(Debug, Clone, PartialEq)]
pub struct TestFailure {
    /// `test_x` or `TestA::test_x`, as [`testfile::test_names`] spells it; [`WHOLE_FILE`] when the
    /// file did not run as a whole.
    pub test: String,
    /// The assertion or exception, a few lines at most; the first line names the exception.
    pub reason: String,
}

/// The `test` of a failure of the whole file: it does not parse or import, it timed out or
/// crashed, or it has no tests.
pub const WHOLE_FILE: &str = "*";

impl TestFailure {
    pub fn is_whole_file(&self) -> bool {
        self.test == WHOLE_FILE
    }

    /// The reason on one line: its first (the exception, with its message).
    pub fn headline(&self) -> &str {
        self.reason.lines().next().unwrap_or("")
    }

    /// The exception's name (`AssertionError`), when the reason starts with one.
    pub fn exception(&self) -> Option<&str> {
        let headline = self.headline();
        is_exception_line(headline).then(|| headline.split_once(':').map_or(headline, |(name, _)| name))
    }
}

/// What is left of a suite once every test that does not pass against the module is gone.
#[derive(Debug, Clone, PartialEq)]
pub struct KeptSuite {
    /// The tests of the suite as written (none when it does not parse).
    pub written: Vec<String>,
    pub kept: Vec<String>,
    /// The suite with shadowing definitions and dropped tests removed; empty when nothing is kept.
    pub source: String,
    /// Why each dropped test went, in the order found; a failure of the whole file last.
    pub failures: Vec<TestFailure>,
    /// Names whose definitions were removed because they shadowed the module.
    pub shadowing: Vec<String>,
    /// Strict: the whole suite passed at its first run, nothing dropped, nothing shadowed.
    pub valid: bool,
    /// The first run: the suite as written, shadowing removed, with coverage.
    pub first_run: PytestOutcome,
    /// The final, passing run of the kept tests, with coverage; `None` when nothing is kept.
    pub run: Option<PytestOutcome>,
    /// Wall time of every run, seconds.
    pub exec_s: f64,
}

impl KeptSuite {
    /// Whether any test is kept (the final run passed).
    pub fn any_kept(&self) -> bool {
        self.run.is_some()
    }

    /// Line and branch coverage of `module` by the kept tests, fractions; 0 when nothing is kept.
    pub fn coverage(&self, module: &str) -> (f64, f64) {
        self.run
            .as_ref()
            .and_then(|r| r.coverage.get(module))
            .map_or((0.0, 0.0), |c| (c.line_percent / 100.0, c.branch_percent / 100.0))
    }

    /// The statement lines of `module` the kept tests do not run, ascending. Empty when nothing
    /// is kept: there is no run to measure (every line is then uncovered).
    pub fn uncovered_lines(&self, module: &str) -> Vec<u32> {
        self.run
            .as_ref()
            .and_then(|r| r.coverage.get(module))
            .map(|c| c.missing_lines.clone())
            .unwrap_or_default()
    }

    /// The failure of the whole file, when it did not run as a whole.
    pub fn whole_file_failure(&self) -> Option<&TestFailure> {
        self.failures.iter().find(|f| f.is_whole_file())
    }

    /// The failure a verdict names: the whole file's, else the first test's.
    pub fn main_failure(&self) -> Option<&TestFailure> {
        self.whole_file_failure().or(self.failures.first())
    }

    /// One line for a verdict: `kept 5 of 7 tests; removed definitions shadowing the module: f;
    /// test_x: AssertionError: assert 1 == 2 (and 1 more)`.
    pub fn summary(&self) -> String {
        let mut parts = vec![format!("kept {} of {} tests", self.kept.len(), self.written.len())];
        if !self.shadowing.is_empty() {
            parts.push(format!("removed definitions shadowing the module: {}", self.shadowing.join(", ")));
        }
        if let Some(f) = self.main_failure() {
            let more = match self.failures.len() - 1 {
                0 => String::new(),
                n => format!(" (and {n} more)"),
            };
            let what = if f.is_whole_file() { "the file does not run" } else { f.test.as_str() };
            parts.push(format!("{what}: {}{more}", f.headline()));
        }
        parts.join("; ")
    }
}

/// Keep the tests of `suite` that pass against the subject's module: remove shadowing
/// definitions, run, drop the failing and erroring tests by name, and run again until everything
/// left passes (at most [`RERUNS`] times). Every run measures coverage of the module, so the
/// passing one gives the kept tests' coverage. A file that does not run as a whole keeps nothing.
pub fn keep_passing(worker: &mut PythonWorker, subject: &Subject, suite: &str, limits: &Limits) -> KeptSuite {
    let written = testfile::test_names(suite).unwrap_or_default();
    // A file that does not parse runs as it is: pytest then says why it does not run.
    let (mut source, shadowing) = testfile::remove_shadowing(suite, subject.source, subject.module)
        .unwrap_or_else(|_| (suite.to_string(), Vec::new()));
    let mut run_source = |source: &str| {
        worker.run_pytest(&subject.request(subject.source, source).coverage([subject.module]), limits)
    };
    let first_run = run_source(&source);
    let mut exec_s = first_run.exec_s;
    let mut outcome = first_run.clone();
    let mut failures = Vec::new();
    let mut reruns = 0;
    let run = loop {
        if outcome.passed() {
            break Some(outcome);
        }
        let failed = failing(&outcome);
        if failed.is_empty() || failed.iter().any(TestFailure::is_whole_file) {
            failures.push(whole_file(&outcome, failed));
            break None;
        }
        let names: Vec<String> = failed.iter().map(|f| f.test.clone()).collect();
        failures.extend(failed);
        if reruns == RERUNS {
            failures.push(TestFailure {
                test: WHOLE_FILE.into(),
                reason: format!("tests still fail after {RERUNS} reruns without the failing ones"),
            });
            break None;
        }
        let before = testfile::test_names(&source).unwrap_or_default();
        let next = testfile::drop_tests(&source, &names).ok();
        let left = next.as_deref().map(testfile::test_names).and_then(Result::ok);
        match (next, left) {
            (Some(_), Some(left)) if left.is_empty() => break None,
            (Some(next), Some(left)) if left.len() < before.len() => source = next,
            // A failing test the file does not define where pytest found it (a nested class, a
            // generated test): it cannot be dropped by name.
            _ => {
                failures.push(TestFailure {
                    test: WHOLE_FILE.into(),
                    reason: format!("cannot drop failing tests by name: {}", names.join(", ")),
                });
                break None;
            }
        }
        reruns += 1;
        outcome = run_source(&source);
        exec_s += outcome.exec_s;
    };
    let kept = match &run {
        Some(_) => testfile::test_names(&source).unwrap_or_default(),
        None => {
            source.clear();
            Vec::new()
        }
    };
    let valid = run.is_some() && reruns == 0 && shadowing.is_empty();
    KeptSuite { written, kept, source, failures, shadowing, valid, first_run, run, exec_s }
}

/// The failing and erroring tests of a run, one entry per test (a parametrized test fails once
/// per case), with the reason; a failure to collect the file is [`WHOLE_FILE`].
fn failing(outcome: &PytestOutcome) -> Vec<TestFailure> {
    let mut seen = BTreeSet::new();
    outcome
        .tests
        .iter()
        .filter(|t| t.outcome == "failed" || t.outcome == "error")
        .map(|t| TestFailure {
            test: testfile::test_of_nodeid(&t.nodeid).unwrap_or_else(|| WHOLE_FILE.into()),
            reason: reason(&t.message).unwrap_or_else(|| t.outcome.clone()),
        })
        .filter(|f| seen.insert(f.test.clone()))
        .collect()
}

/// The failure of a run that did not run as a whole: its collection error, or why it stopped
/// (time-out, crash, no tests).
fn whole_file(outcome: &PytestOutcome, failed: Vec<TestFailure>) -> TestFailure {
    let reason = failed
        .into_iter()
        .find(TestFailure::is_whole_file)
        .map_or_else(|| format!("{}: {}", outcome.status.as_str(), outcome.detail), |f| f.reason);
    TestFailure { test: WHOLE_FILE.into(), reason }
}

/// The assertion or exception in pytest's report of a failure: its `E` lines, the exception
/// first (`AssertionError: assert 2 == 3`, then pytest's explanation), a few lines at most.
/// `None` when the report has no text.
fn reason(message: &str) -> Option<String> {
    let lines: Vec<&str> = message.lines().map(str::trim_end).filter(|l| !l.trim().is_empty()).collect();
    let mut explained: Vec<String> = lines
        .iter()
        .filter_map(|l| l.strip_prefix('E'))
        .filter(|rest| rest.is_empty() || rest.starts_with(char::is_whitespace))
        .map(|rest| rest.trim().to_string())
        .filter(|l| !l.is_empty())
        .collect();
    // pytest's last line locates the failure: `test_m.py:5: AssertionError`.
    match lines.last().and_then(|l| raised_at(l)) {
        Some(name) => match explained.first_mut() {
            Some(first) if !first.starts_with(name) => *first = format!("{name}: {first}"),
            Some(_) => {}
            None => explained.push(name.to_string()),
        },
        // A collection error: put the exception line (after the source it points at) first.
        None => {
            if let Some(at) = explained.iter().rposition(|l| is_exception_line(l)) {
                let line = explained.remove(at);
                explained.insert(0, line);
            }
        }
    }
    if explained.is_empty() {
        explained.push(lines.last()?.trim().to_string());
    }
    let mut out: Vec<String> = explained.into_iter().take(REASON_LINES).map(|l| clip(&l)).collect();
    out.dedup();
    Some(out.join("\n"))
}

/// The exception of a location line `path:line: Name`.
fn raised_at(line: &str) -> Option<&str> {
    let (at, name) = line.trim().rsplit_once(": ")?;
    let (_, number) = at.rsplit_once(':')?;
    let dotted = !name.is_empty()
        && name.split('.').all(|p| !p.is_empty() && p.chars().all(|c| c.is_alphanumeric() || c == '_'));
    (dotted && !number.is_empty() && number.chars().all(|c| c.is_ascii_digit())).then_some(name)
}

/// `ValueError: bad`, `Failed: DID NOT RAISE ...`: a dotted name with a conventional exception
/// suffix, before a colon or alone.
fn is_exception_line(line: &str) -> bool {
    let name = line.split_once(':').map_or(line, |(name, _)| name);
    let dotted = !name.is_empty()
        && name.split('.').all(|p| !p.is_empty() && p.chars().all(|c| c.is_alphanumeric() || c == '_'));
    dotted
        && ["Error", "Exception", "Exit", "Failed", "Warning", "Interrupt"].iter().any(|s| name.ends_with(s))
}

fn clip(line: &str) -> String {
    match line.char_indices().nth(REASON_LINE_CHARS) {
        Some((at, _)) => format!("{}...", &line[..at]),
        None => line.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::reason;

    #[test]
    fn an_assertion_names_its_exception_then_pytests_explanation() {
        let message = "def test_x():\n>       assert f(1) == 3\nE       assert 2 == 3\n\
                       E        +  where 2 = f(1)\n\ntest_m.py:5: AssertionError";
        assert_eq!(reason(message).as_deref(), Some("AssertionError: assert 2 == 3\n+  where 2 = f(1)"));
    }

    #[test]
    fn an_exception_in_the_module_keeps_its_message() {
        let message =
            "    def f(x):\n>       raise ValueError('bad')\nE       ValueError: bad\n\nm.py:3: ValueError";
        assert_eq!(reason(message).as_deref(), Some("ValueError: bad"));
    }

    #[test]
    fn a_syntax_error_at_collection_puts_the_exception_first() {
        let message = "E     File \"/tmp/w/test_m.py\", line 3\nE       def test_x(:\nE                  ^\n\
                       E   SyntaxError: '(' was never closed";
        let got = reason(message).unwrap_or_default();
        assert!(got.starts_with("SyntaxError: '(' was never closed\n"), "{got}");
        assert_eq!(got.lines().count(), 4, "{got}");
    }

    #[test]
    fn long_reasons_are_cut() {
        let message =
            format!("E   {}\nE   b\nE   c\nE   d\nE   e\n\ntest_m.py:2: AssertionError", "a".repeat(300));
        let got = reason(&message).unwrap_or_default();
        assert_eq!(got.lines().count(), 4, "{got}");
        assert!(got.lines().all(|l| l.chars().count() <= 240), "{got}");
    }

    #[test]
    fn plain_text_is_its_last_line() {
        assert_eq!(
            reason("3 of 4 tests did not run (first: t)").as_deref(),
            Some("3 of 4 tests did not run (first: t)")
        );
        assert_eq!(reason(""), None);
    }
}
