//! Per-test scoring of a generated pytest suite, in the real sandbox: failing tests are dropped
//! and the rest kept, definitions that shadow the module are removed, a file that does not run
//! keeps nothing, and coverage and the mutation score are those of the kept tests.

mod common;

use evalrun_core::{Mutant, Status};
use evalrun_harness::sandbox::Limits;
use evalrun_harness::testwriting::{keep_passing, score_suite, Subject};

use common::python_worker as worker;

fn limits() -> Limits {
    Limits { timeout_s: 20.0, ..Limits::default() }
}

const MODULE: &str = "def clamp(x, lo, hi):\n    if x < lo:\n        return lo\n    if x > hi:\n        return hi\n    return x\n";

/// `return lo` (line 3) made `return hi`; `return hi` (line 5) made `return x`.
fn mutants() -> Vec<Mutant> {
    let mutant = |id: &str, line: u32, from: &str, to: &str| Mutant {
        id: id.into(),
        operator: "return-value".into(),
        line,
        source: MODULE.replacen(from, to, 1),
    };
    vec![mutant("m001", 3, "return lo", "return hi"), mutant("m002", 5, "return hi", "return x")]
}

fn subject<'a>(mutants: &'a [Mutant]) -> Subject<'a> {
    Subject { module: "clamp", source: MODULE, mutants }
}

#[test]
fn a_suite_with_one_failing_test_keeps_the_others() {
    let suite = "from clamp import clamp\n\n\
def test_low():\n    assert clamp(-5, 0, 10) == 0\n\n\
def test_mid():\n    assert clamp(5, 0, 10) == 5\n\n\
def test_wrong():\n    assert clamp(50, 0, 10) == 50\n";
    let mutants = mutants();
    let score = score_suite(&mut worker(), &subject(&mutants), suite, &limits());
    let m = score.metrics();
    assert_eq!(m["valid"], 0.0, "{score:#?}");
    assert_eq!((m["tests_written"], m["tests_kept"]), (3.0, 2.0), "{score:#?}");
    assert_eq!(score.kept.kept, ["test_low", "test_mid"]);
    assert!(!score.kept.source.contains("test_wrong"), "{}", score.kept.source);
    assert_eq!(score.kept.failures.len(), 1, "{score:#?}");
    assert_eq!(score.kept.failures[0].test, "test_wrong");
    assert!(score.kept.failures[0].reason.starts_with("AssertionError: assert 10 == 50"), "{score:#?}");
    // Coverage of the kept tests: `return hi` (line 5) is not run.
    assert!(m["line_coverage"] > 0.0 && m["line_coverage"] < 1.0, "{m:?}");
    assert_eq!(score.kept.uncovered_lines("clamp"), [5]);
    // The kept tests kill the mutant of `return lo` and miss that of `return hi`.
    assert_eq!(score.survivors, ["m002"]);
    assert_eq!(m["mutation_score"], 0.5);
    let verdict = score.verdict();
    assert_eq!(verdict.status, Status::Failed);
    assert!(verdict.detail.starts_with("kept 2 of 3 tests; test_wrong: AssertionError"), "{verdict:?}");
    assert_eq!(verdict.exception.as_deref(), Some("AssertionError"));
}

#[test]
fn a_suite_that_passes_whole_is_valid() {
    let suite = "import pytest\nfrom clamp import clamp\n\n\
@pytest.mark.parametrize('x, want', [(-5, 0), (5, 5), (50, 10)])\n\
def test_clamp(x, want):\n    assert clamp(x, 0, 10) == want\n";
    let mutants = mutants();
    let score = score_suite(&mut worker(), &subject(&mutants), suite, &limits());
    assert!(score.valid(), "{score:#?}");
    let m = score.metrics();
    assert_eq!((m["valid"], m["tests_written"], m["tests_kept"]), (1.0, 1.0, 1.0), "{m:?}");
    assert_eq!((m["line_coverage"], m["mutation_score"]), (1.0, 1.0), "{m:?}");
    assert_eq!(score.verdict().status, Status::Passed);
    assert_eq!(score.kept.source, suite);
}

#[test]
fn a_shadowing_copy_is_removed_and_the_test_that_relied_on_it_dropped() {
    // The pasted copy does not clamp from above; `test_copy` passes only against it.
    let suite = "from clamp import clamp\n\n\
def clamp(x, lo, hi):\n    return max(x, lo)\n\n\
def test_low():\n    assert clamp(-5, 0, 10) == 0\n\n\
def test_copy():\n    assert clamp(50, 0, 10) == 50\n";
    let kept = keep_passing(&mut worker(), &subject(&[]), suite, &limits());
    assert_eq!(kept.shadowing, ["clamp"], "{kept:#?}");
    assert!(!kept.valid);
    assert_eq!(kept.written, ["test_low", "test_copy"]);
    assert_eq!(kept.kept, ["test_low"], "{kept:#?}");
    assert!(!kept.source.contains("max(x, lo)"), "{}", kept.source);
    assert_eq!(kept.failures.iter().map(|f| f.test.as_str()).collect::<Vec<_>>(), ["test_copy"]);
    assert!(kept.summary().contains("shadowing the module: clamp"), "{}", kept.summary());
}

#[test]
fn a_copy_without_the_import_leaves_nothing_to_keep() {
    let suite = "def clamp(x, lo, hi):\n    return min(max(x, lo), hi)\n\n\
def test_low():\n    assert clamp(-5, 0, 10) == 0\n";
    let score = score_suite(&mut worker(), &subject(&mutants()), suite, &limits());
    let kept = &score.kept;
    assert_eq!(kept.shadowing, ["clamp"], "{kept:#?}");
    assert!(kept.kept.is_empty(), "{kept:#?}");
    assert!(kept.failures[0].reason.contains("NameError"), "{kept:#?}");
    assert_eq!(kept.source, "");
    let m = score.metrics();
    assert_eq!((m["tests_kept"], m["line_coverage"], m["mutation_score"]), (0.0, 0.0, 0.0), "{m:?}");
    assert_eq!(score.survivors.len(), 2);
}

#[test]
fn a_suite_that_does_not_parse_keeps_nothing() {
    let suite = "from clamp import clamp\n\ndef test_low(:\n    assert clamp(-5, 0, 10) == 0\n";
    let score = score_suite(&mut worker(), &subject(&mutants()), suite, &limits());
    let kept = &score.kept;
    assert!(kept.kept.is_empty() && kept.run.is_none(), "{kept:#?}");
    assert_eq!(kept.failures.len(), 1, "{kept:#?}");
    assert!(kept.failures[0].is_whole_file());
    assert!(kept.failures[0].headline().starts_with("SyntaxError"), "{kept:#?}");
    let verdict = score.verdict();
    assert_eq!(verdict.status, Status::Failed);
    assert!(
        verdict.detail.starts_with("kept 0 of 0 tests; the file does not run: SyntaxError"),
        "{verdict:?}"
    );
    assert_eq!(score.metrics()["mutation_score"], 0.0);
}

#[test]
fn a_suite_that_times_out_keeps_nothing_and_says_so() {
    let suite = "from clamp import clamp\n\n\
def test_low():\n    assert clamp(-5, 0, 10) == 0\n\n\
def test_forever():\n    while True:\n        pass\n";
    let limits = Limits { timeout_s: 3.0, ..Limits::default() };
    let score = score_suite(&mut worker(), &subject(&[]), suite, &limits);
    assert!(score.kept.kept.is_empty(), "{score:#?}");
    assert_eq!(score.verdict().status, Status::TimedOut, "{score:#?}");
}

#[test]
fn tests_that_fail_only_beside_a_dropped_one_go_too() {
    // `test_b` passes only after `test_a` ran; dropping `test_a` breaks it on the rerun.
    let suite = "from clamp import clamp\n\nSEEN = []\n\n\
def test_a():\n    SEEN.append(clamp(5, 0, 10))\n    assert False\n\n\
def test_b():\n    assert SEEN == [5]\n\n\
def test_c():\n    assert clamp(5, 0, 10) == 5\n";
    let kept = keep_passing(&mut worker(), &subject(&[]), suite, &limits());
    assert_eq!(kept.kept, ["test_c"], "{kept:#?}");
    let dropped: Vec<&str> = kept.failures.iter().map(|f| f.test.as_str()).collect();
    assert_eq!(dropped, ["test_a", "test_b"]);
    assert!(kept.run.as_ref().is_some_and(|r| r.passed()));
}
