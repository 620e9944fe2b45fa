//! The pytest fast path: per-test outcomes, counts, coverage, and the same isolation as any
//! sample.

mod common;

use evalrun_core::Status;
use evalrun_harness::sandbox::pytest::PytestRequest;
use evalrun_harness::sandbox::Limits;

use common::python_worker as worker;

const MODULE: &str = "def clamp(x, lo, hi):\n    if x < lo:\n        return lo\n    if x > hi:\n        return hi\n    return x\n";

fn limits() -> Limits {
    Limits { timeout_s: 20.0, ..Limits::default() }
}

#[test]
fn outcomes_counts_and_coverage() {
    let mut w = worker();
    let tests = "import pytest\nfrom clamp import clamp\n\n\
def test_low():\n    assert clamp(-5, 0, 10) == 0\n\n\
def test_mid():\n    assert clamp(5, 0, 10) == 5\n\n\
def test_wrong():\n    assert clamp(50, 0, 10) == 50\n\n\
@pytest.mark.skip(reason='later')\ndef test_skip():\n    pass\n";
    let request =
        PytestRequest::new().file("clamp.py", MODULE).file("test_clamp.py", tests).coverage(["clamp"]);
    let outcome = w.run_pytest(&request, &limits());
    assert_eq!(outcome.status, Status::Failed, "{outcome:#?}");
    assert_eq!(outcome.exit_code, Some(1));
    assert!(outcome.fast_path, "{outcome:#?}");
    assert_eq!(
        (outcome.count("passed"), outcome.count("failed"), outcome.count("skipped")),
        (2, 1, 1),
        "{outcome:#?}"
    );
    let wrong = outcome.tests.iter().find(|t| t.outcome == "failed").unwrap();
    assert_eq!(wrong.nodeid, "test_clamp.py::test_wrong");
    assert!(wrong.message.contains("assert 10 == 50"), "{wrong:#?}");
    let cov = &outcome.coverage["clamp"];
    assert_eq!((cov.statements, cov.missing_statements), (6, 0), "{cov:#?}");
    assert_eq!(cov.line_percent, 100.0);
    assert_eq!((cov.branches, cov.missing_branches), (4, 0), "{cov:#?}");

    // Fewer tests: less coverage, all passing.
    let request = PytestRequest::new()
        .file("clamp.py", MODULE)
        .file(
            "test_clamp.py",
            "from clamp import clamp\n\ndef test_mid():\n    assert clamp(5, 0, 10) == 5\n",
        )
        .coverage(["clamp"]);
    let outcome = w.run_pytest(&request, &limits());
    assert!(outcome.passed(), "{outcome:#?}");
    let cov = &outcome.coverage["clamp"];
    assert_eq!((cov.statements, cov.missing_statements), (6, 2), "{cov:#?}");
    assert_eq!(cov.missing_lines, [3, 5], "{cov:#?}");
    assert_eq!(cov.branch_percent, 50.0, "{cov:#?}");
}

#[test]
fn options_and_conftest_take_the_full_path() {
    let mut w = worker();
    let request = PytestRequest::new()
        .file("clamp.py", MODULE)
        .file("conftest.py", "import pytest\n\n@pytest.fixture\ndef hi():\n    return 10\n")
        .file("test_clamp.py", "from clamp import clamp\n\ndef test_hi(hi):\n    assert clamp(99, 0, hi) == hi\n\ndef test_other():\n    assert False\n")
        .args(["-k", "hi"]);
    let outcome = w.run_pytest(&request, &limits());
    assert!(outcome.passed(), "{outcome:#?}");
    assert!(!outcome.fast_path);
    assert_eq!(outcome.count("passed"), 1, "{outcome:#?}");
}

#[test]
fn collection_errors_and_empty_suites_fail() {
    let mut w = worker();
    let broken = PytestRequest::new().file("test_broken.py", "def test_x(:\n    pass\n");
    let outcome = w.run_pytest(&broken, &limits());
    assert_eq!(outcome.status, Status::Failed, "{outcome:#?}");
    assert_eq!(outcome.count("error"), 1, "{outcome:#?}");
    assert_eq!(outcome.exit_code, Some(2), "{outcome:#?}");
    assert_eq!(outcome.tests[0].nodeid, "test_broken.py", "{outcome:#?}");
    assert!(outcome.tests[0].message.contains("SyntaxError"), "{outcome:#?}");
    let empty = PytestRequest::new().file("helpers.py", "X = 1\n");
    let outcome = w.run_pytest(&empty, &limits());
    assert_eq!(outcome.status, Status::Failed, "{outcome:#?}");
    assert_eq!(outcome.exit_code, Some(5));
}

#[test]
fn a_module_named_like_one_pytest_imports_is_the_one_tested() {
    // pytest itself imports `shlex` and `fnmatch`: without care, `import shlex` in a test would
    // get the standard library's module from the runner's cache, and the copy under test would
    // show 0% coverage (found by gen-tests on shlex, issue 12).
    let module = "def split(s):\n    return ['evalrun', s]\n";
    let tests = "import shlex\nfrom fnmatch import fnmatch\n\n\
def test_own_copy():\n    assert shlex.split('x') == ['evalrun', 'x']\n\n\
def test_other():\n    assert fnmatch('a', 'b') == 'own'\n";
    let request = PytestRequest::new()
        .file("shlex.py", module)
        .file("fnmatch.py", "def fnmatch(a, b):\n    return 'own'\n")
        .file("test_shlex.py", tests)
        .coverage(["shlex", "fnmatch"]);
    let mut w = worker();
    for _ in 0..2 {
        // Twice: the first child must not leave the copy in the warm parent's cache either.
        let outcome = w.run_pytest(&request, &limits());
        assert!(outcome.passed(), "{outcome:#?}");
        assert_eq!(outcome.coverage["shlex"].line_percent, 100.0, "{outcome:#?}");
        assert_eq!(outcome.coverage["fnmatch"].line_percent, 100.0, "{outcome:#?}");
    }
    // And the runner still works with its own modules for a plain suite afterwards.
    let plain = PytestRequest::new().file("clamp.py", MODULE).file(
        "test_clamp.py",
        "from clamp import clamp\n\ndef test_mid():\n    assert clamp(5, 0, 10) == 5\n",
    );
    assert!(w.run_pytest(&plain, &limits()).passed());
}
