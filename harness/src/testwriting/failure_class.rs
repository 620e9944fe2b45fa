//! Why generated tests fail against the module, in a few classes that say what would fix them:
//! a wrong expected value is the model's arithmetic, a `TypeError` a misread signature, a file
//! that does not parse an answer cut short. Reports count them per round (what feedback fixed)
//! and per sample (`failures` in `results.jsonl`).

use super::kept::TestFailure;
use std::collections::BTreeMap;

/// Built-in exceptions a test meets by misusing the module; any other name is the module's own
/// (raised on input the test took for valid) or a library's.
const BUILTIN: &[&str] = &[
    "TypeError",
    "ValueError",
    "KeyError",
    "IndexError",
    "AttributeError",
    "NameError",
    "UnboundLocalError",
    "ZeroDivisionError",
    "RuntimeError",
    "RecursionError",
    "StopIteration",
    "NotImplementedError",
    "OverflowError",
    "LookupError",
    "OSError",
    "FileNotFoundError",
    "UnicodeDecodeError",
    "UnicodeEncodeError",
    "ImportError",
    "ModuleNotFoundError",
    "SyntaxError",
    "Exception",
];

/// The class of one failure.
pub fn class_of(failure: &TestFailure) -> String {
    let headline = failure.headline();
    let name = failure.exception().map(|n| n.rsplit('.').next().unwrap_or(n));
    if failure.is_whole_file() {
        let class = match name {
            Some("SyntaxError" | "IndentationError") => "does not parse",
            Some("ImportError" | "ModuleNotFoundError") => "bad import",
            Some(name) => return format!("file: {name}"),
            None if headline.contains("reruns") => "fails again after the failing tests go",
            None if headline.starts_with("timed out") || headline.contains("timed out") => "timed out",
            None if headline.contains("no tests") => "no tests",
            None => "other",
        };
        return format!("file: {class}");
    }
    match name {
        Some("AssertionError") => "wrong expected value".into(),
        Some("Failed") if headline.contains("DID NOT RAISE") => "expected exception not raised".into(),
        Some(name) if BUILTIN.contains(&name) => name.into(),
        Some(_) => "the module's own exception".into(),
        None if headline.starts_with("assert") => "wrong expected value".into(),
        None if headline.contains("fixture") => "missing fixture".into(),
        None => "other".into(),
    }
}

/// Failures counted by class.
pub fn count(failures: &[TestFailure]) -> BTreeMap<String, u32> {
    let mut counts = BTreeMap::new();
    for failure in failures {
        *counts.entry(class_of(failure)).or_insert(0) += 1;
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testwriting::kept::WHOLE_FILE;

    fn failure(test: &str, reason: &str) -> TestFailure {
        TestFailure { test: test.into(), reason: reason.into() }
    }

    #[test]
    fn failures_fall_into_classes_that_say_what_would_fix_them() {
        let failures = [
            failure("test_a", "AssertionError: assert 2 == 3\n+  where 2 = f(1)"),
            failure("test_b", "Failed: DID NOT RAISE <class 'ValueError'>"),
            failure("test_c", "TypeError: f() takes 1 positional argument but 2 were given"),
            failure("T::test_d", "ini_parser.ParseError: line 1: key outside any section"),
            failure("test_e", "AssertionError: Expected 'a' to be retrieved"),
            failure("test_f", "fixture 'cache' not found"),
            failure(WHOLE_FILE, "SyntaxError: '(' was never closed"),
        ];
        let classes: Vec<String> = failures.iter().map(class_of).collect();
        assert_eq!(
            classes,
            [
                "wrong expected value",
                "expected exception not raised",
                "TypeError",
                "the module's own exception",
                "wrong expected value",
                "missing fixture",
                "file: does not parse"
            ]
        );
        let counts = count(&failures);
        assert_eq!(counts["wrong expected value"], 2);
        assert_eq!(counts.values().sum::<u32>(), 7);
        assert_eq!(class_of(&failure(WHOLE_FILE, "ImportError: cannot import name 'X'")), "file: bad import");
        assert_eq!(
            class_of(&failure(WHOLE_FILE, "tests still fail after 3 reruns without the failing ones")),
            "file: fails again after the failing tests go"
        );
    }
}
