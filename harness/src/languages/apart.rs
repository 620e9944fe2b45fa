//! Checking a translated task apart from its solution.
//!
//! A translated test is a list of cases, `assert candidate(ARGS) == EXPECTED` in the target's
//! syntax. Run as one program with the solution, its verdict is the program's exit status, which
//! the solution controls (`exit(0)` before the first assertion), and its assertions go through
//! code the solution can redefine (`#define assert`, `macro_rules! assert_eq`, a global
//! `operator==`, an `equals` override in a subclass of the declared type, a patched
//! `assert.deepEqual`, an object with `valueOf`). So the test is split: the solution's program
//! only makes the calls and writes each result as data (JSON, by the language's `wire` code),
//! the expected values come from a second program that never holds the solution (built once
//! per task), and evalrun compares the two here ([`super::values`]). Whatever the solution's
//! process does, it can only write values, and it never holds the values it would have to
//! write.

use super::values::{self, Equality};
use super::{exit_verdict, Toolchain};
use crate::sandbox::command::{run_job, Job, JobOutcome};
use crate::sandbox::Limits;
use evalrun_core::{Status, Task, Verdict};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// One case of a translated test.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    /// The call, as the test writes it: `candidate(std::vector<long>({1, 2}), 3)`.
    pub call: String,
    /// The expected value's expression.
    pub expected: String,
    /// `abs(result - expected) < tolerance` instead of equality.
    pub tolerance: Option<f64>,
}

/// How a language's translated tests are written and its values written out.
pub trait Apart: Toolchain {
    /// The assertion shapes of its tests.
    fn shapes(&self) -> &'static [Shape];
    /// Lines of a test that are neither cases nor anything else than its frame (`int main() {`).
    fn frame_line(&self, line: &str, entry_point: &str) -> bool;
    /// The job that runs the solution and writes each case's result (`wire` code, then a frame
    /// per case, see [`FRAME`]).
    fn calls_job(&self, task: &Task, completion: &str, cases: &[Case], limits: &Limits) -> Job;
    /// The job that writes each case's expected value the same way, without the solution.
    fn expected_job(&self, task: &Task, cases: &[Case], limits: &Limits) -> Job;
    fn equality(&self) -> Equality {
        Equality::Strict
    }
}

/// An assertion: `before` CALL `after` EXPECTED `end`. Where `after` ends with `(`, the
/// expected expression runs to the matching `)`. In `end`, `#` stands for a number (the
/// tolerance, the first `#`, when `tolerance` is set).
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    pub before: &'static str,
    pub after: &'static str,
    pub end: &'static str,
    pub tolerance: bool,
}

/// What starts a result's line in a program's standard output: `\n\x01evalrun:<case>:<json>\n`.
pub(crate) const FRAME: &str = "\x01evalrun:";

/// The cases of `test`, or `None` when a line is neither a case nor part of the test's frame:
/// such a test (a suite of one's own) runs as one program with the solution.
pub(crate) fn split(apart: &dyn Apart, test: &str, entry_point: &str) -> Option<Vec<Case>> {
    let mut cases = Vec::new();
    for line in test.lines().map(str::trim) {
        if line.is_empty() || apart.frame_line(line, entry_point) {
            continue;
        }
        cases.push(apart.shapes().iter().find_map(|shape| case(shape, line, entry_point))?);
    }
    (!cases.is_empty()).then_some(cases)
}

fn case(shape: &Shape, line: &str, entry_point: &str) -> Option<Case> {
    let rest = line.strip_prefix(shape.before)?;
    let name = ["candidate", entry_point]
        .into_iter()
        .find(|n| rest.strip_prefix(n).is_some_and(|r| r.starts_with('(')))?;
    let call_end = closing(rest, name.len())?;
    let call = &rest[..=call_end];
    let rest = rest[call_end + 1..].strip_prefix(shape.after)?;
    let (expected, numbers) = if shape.after.ends_with('(') {
        let close = closing(&format!("({rest}"), 0)? - 1;
        (&rest[..close], numbers_of(&rest[close + 1..], shape.end)?)
    } else {
        let (start, numbers) = suffix(rest, shape.end)?;
        (&rest[..start], numbers)
    };
    let expected = expected.trim();
    if expected.is_empty() || !balanced(expected) {
        return None;
    }
    let tolerance = if shape.tolerance { Some(numbers.first()?.parse().ok()?) } else { None };
    Some(Case { call: call.to_string(), expected: expected.to_string(), tolerance })
}

/// The index of the `)` closing the `(` at `open` (strings and characters skipped).
fn closing(text: &str, open: usize) -> Option<usize> {
    let b = super::source::blank(text, super::source::Syntax::JavaScript);
    if b.get(open) != Some(&b'(') {
        return None;
    }
    let mut depth = 0i32;
    for (i, c) in b.iter().enumerate().skip(open) {
        match c {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => {
                depth -= 1;
                if depth == 0 {
                    return (*c == b')').then_some(i);
                }
            }
            _ => {}
        }
    }
    None
}

fn balanced(text: &str) -> bool {
    let mut depth = 0i32;
    for c in super::source::blank(text, super::source::Syntax::JavaScript) {
        match c {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth -= 1,
            _ => {}
        }
        if depth < 0 {
            return false;
        }
    }
    depth == 0
}

fn number_byte(c: u8) -> bool {
    c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'-' | b'+')
}

/// Where `pattern` (`#`: a number) matches the end of `text`: the start, and the numbers.
fn suffix(text: &str, pattern: &str) -> Option<(usize, Vec<String>)> {
    let (t, p) = (text.as_bytes(), pattern.as_bytes());
    let (mut i, mut j) = (t.len(), p.len());
    let mut numbers = Vec::new();
    while j > 0 {
        if p[j - 1] == b'#' {
            let end = i;
            while i > 0 && number_byte(t[i - 1]) {
                i -= 1;
            }
            if i == end {
                return None;
            }
            numbers.insert(0, text[i..end].to_string());
        } else {
            if i == 0 || t[i - 1] != p[j - 1] {
                return None;
            }
            i -= 1;
        }
        j -= 1;
    }
    Some((i, numbers))
}

/// The numbers of `text` when `pattern` matches all of it.
fn numbers_of(text: &str, pattern: &str) -> Option<Vec<String>> {
    suffix(text, pattern).and_then(|(start, numbers)| (start == 0).then_some(numbers))
}

/// The values a program wrote, by case (`None`: not written); an error for a malformed or
/// repeated frame.
pub(crate) fn read_frames(stdout: &[u8], cases: usize) -> Result<Vec<Option<Value>>, String> {
    let mut values = vec![None; cases];
    let marker = FRAME.as_bytes();
    let mut at = 0;
    while let Some(found) = stdout[at..].windows(marker.len()).position(|w| w == marker) {
        let start = at + found + marker.len();
        let end = stdout[start..].iter().position(|&c| c == b'\n').map_or(stdout.len(), |p| start + p);
        at = end;
        let line = &stdout[start..end];
        let colon = line.iter().position(|&c| c == b':').ok_or("a result without its case number")?;
        let index: usize = std::str::from_utf8(&line[..colon])
            .ok()
            .and_then(|n| n.parse().ok())
            .filter(|&n| n < cases)
            .ok_or("a result for a case the test does not have")?;
        let value: Value = serde_json::from_slice(&line[colon + 1..])
            .map_err(|e| format!("the result of test {} is not readable ({e})", index + 1))?;
        if values[index].replace(value).is_some() {
            return Err(format!("the result of test {} was written twice", index + 1));
        }
    }
    Ok(values)
}

type Expected = Arc<Result<Vec<Value>, String>>;

/// Expected values by task, computed once per process: they do not depend on the solution.
fn expected_values(apart: &dyn Apart, task: &Task, cases: &[Case], limits: &Limits) -> Expected {
    static CACHE: OnceLock<Mutex<HashMap<String, Expected>>> = OnceLock::new();
    let key = {
        let mut hash = Sha256::new();
        for part in [task.language.as_str(), &task.prompt, &task.test] {
            hash.update((part.len() as u64).to_le_bytes());
            hash.update(part.as_bytes());
        }
        hex::encode(hash.finalize())
    };
    let cache = CACHE.get_or_init(Default::default);
    if let Some(found) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return found.clone();
    }
    let job = apart.expected_job(task, cases, limits);
    let computed = match run_job(&job) {
        Err(e) => Err(e.to_string()),
        Ok(outcome) if !outcome.succeeded(&job) => Err(exit_verdict(&job, &outcome).detail),
        Ok(outcome) => {
            let stdout = outcome.last().map(|s| s.stdout.as_slice()).unwrap_or_default();
            read_frames(stdout, cases.len()).and_then(|values| {
                values
                    .into_iter()
                    .enumerate()
                    .map(|(i, v)| v.ok_or_else(|| format!("test {} has no expected value", i + 1)))
                    .collect()
            })
        }
    };
    let computed = Arc::new(computed);
    // A failure to build may be the machine's (a compiler killed at its deadline): not kept.
    if computed.is_ok() {
        cache.lock().unwrap_or_else(|e| e.into_inner()).insert(key, computed.clone());
    }
    computed
}

/// The verdict on `completion` with the test split into `cases`.
pub(crate) fn judge(
    apart: &dyn Apart,
    task: &Task,
    completion: &str,
    cases: &[Case],
    limits: &Limits,
) -> Verdict {
    let job = apart.calls_job(task, completion, cases, limits);
    match run_job(&job) {
        Ok(outcome) => verdict(apart, task, &job, &outcome, cases, limits),
        Err(e) => Verdict { status: Status::Crashed, detail: e.to_string(), ..Verdict::default() },
    }
}

fn verdict(
    apart: &dyn Apart,
    task: &Task,
    job: &Job,
    outcome: &JobOutcome,
    cases: &[Case],
    limits: &Limits,
) -> Verdict {
    let fail = |status, detail: String| Verdict { status, detail, ..Verdict::default() };
    // A build that fails, a call that throws or crashes, a deadline: as when the tests ran in it.
    if !outcome.succeeded(job) {
        return exit_verdict(job, outcome);
    }
    let stdout = outcome.last().map(|s| s.stdout.as_slice()).unwrap_or_default();
    let results = match read_frames(stdout, cases.len()) {
        Ok(results) => results,
        Err(e) => return fail(Status::Failed, e),
    };
    let expected = expected_values(apart, task, cases, limits);
    let expected = match expected.as_ref() {
        Ok(values) => values,
        Err(e) => return fail(Status::Crashed, format!("the task's expected values did not build: {e}")),
    };
    for (i, ((case, want), got)) in cases.iter().zip(expected).zip(&results).enumerate() {
        let Some(got) = got else {
            let written = results.iter().filter(|r| r.is_some()).count();
            return fail(
                Status::Failed,
                format!(
                    "the program ended without the result of test {} ({written} of {} written): an early exit",
                    i + 1,
                    cases.len()
                ),
            );
        };
        if let Some(kind) = values::unsupported(got) {
            return fail(Status::Failed, format!("test {}: the result is a `{kind}`, not plain data", i + 1));
        }
        let same = match case.tolerance {
            Some(tolerance) => values::within(apart.equality(), got, want, tolerance),
            None => values::equal(apart.equality(), got, want),
        };
        if !same {
            return fail(
                Status::Failed,
                format!(
                    "test {}: {} returned {}, expected {}",
                    i + 1,
                    short(&case.call),
                    show(got),
                    show(want)
                ),
            );
        }
    }
    Verdict { status: Status::Passed, ..Verdict::default() }
}

fn short(text: &str) -> String {
    super::head(text, 200)
}

fn show(value: &Value) -> String {
    short(&value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every built-in task of a language that checks apart splits, into one case per
    /// assertion: none falls back to running its tests with the solution.
    #[test]
    fn every_builtin_translated_test_splits() {
        let corpus = evalrun_tasks::Corpus::builtin().unwrap();
        let mut checked = 0;
        for task in corpus.suites.iter().flat_map(|s| &s.tasks) {
            let Some(apart) = super::super::toolchain(task.language).and_then(|t| t.apart()) else {
                continue;
            };
            let assertions = task
                .test
                .lines()
                .filter(|l| !apart.frame_line(l.trim(), &task.entry_point) && !l.trim().is_empty())
                .count();
            let cases = split(apart, &task.test, &task.entry_point)
                .unwrap_or_else(|| panic!("{} does not split:\n{}", task.id, task.test));
            assert_eq!(cases.len(), assertions, "{}", task.id);
            assert!(
                cases.iter().all(|c| c.call.contains('(') && !c.expected.is_empty()),
                "{}: {cases:?}",
                task.id
            );
            checked += 1;
        }
        assert!(checked >= 4 * (149 + 44), "only {checked} tasks");
    }

    #[test]
    fn cases_split_in_each_shape() {
        let cpp = super::super::toolchain(evalrun_core::Language::Cpp).unwrap().apart().unwrap();
        let test = "int main() {\n    assert(f(std::string(\")(\"), 1) == (std::vector<long>({1, 2})));\n    assert(std::abs(f(std::string(\"x\"), 2) - (0.5)) < 1e-06);\n}\n";
        let cases = split(cpp, test, "f").unwrap();
        assert_eq!(cases[0].call, "f(std::string(\")(\"), 1)");
        assert_eq!(cases[0].expected, "std::vector<long>({1, 2})");
        assert_eq!((cases[1].expected.as_str(), cases[1].tolerance), ("0.5", Some(1e-6)));
        // Anything else in the test: it does not split.
        assert!(split(cpp, "int main() {\n    assert(f(1) == (2) || true);\n}\n", "f").is_none());
        assert!(split(cpp, "int main() {\n    exit(0);\n}\n", "f").is_none());
    }

    #[test]
    fn suffixes_with_numbers() {
        assert_eq!(suffix("x) < 1e-6);", ") < #);"), Some((1, vec!["1e-6".to_string()])));
        let java = "5l)) throw new AssertionError(\"test 12 failed\");";
        assert_eq!(
            suffix(java, ")) throw new AssertionError(\"test # failed\");"),
            Some((2, vec!["12".into()]))
        );
        assert_eq!(suffix("x);", ") < #);"), None);
    }

    #[test]
    fn frames_are_read_by_case() {
        let out = b"noise\n\x01evalrun:1:[1,2]\nmore \x01evalrun:0:\"a\"\n";
        let values = read_frames(out, 3).unwrap();
        assert_eq!(values, vec![Some(Value::from("a")), Some(serde_json::json!([1, 2])), None]);
        assert!(read_frames(b"\x01evalrun:0:1\n\x01evalrun:0:1\n", 1).unwrap_err().contains("twice"));
        assert!(read_frames(b"\x01evalrun:5:1\n", 1).is_err());
        assert!(read_frames(b"\x01evalrun:0:[1,\n", 1).is_err());
    }
}
