//! `evalrun gen-tests` end to end with the real 0.5B coder (fetched by scripts/test.sh): two
//! rounds on one small function, with mutants; the rounds are reported, and the file it writes
//! passes, says what was measured and tests the module, never a copy of it.

mod common;

use common::*;
use evalrun_harness::sandbox::pytest::PytestOutcome;
use evalrun_harness::sandbox::{Limits, PythonWorker, WorkerCommand};
use evalrun_harness::testwriting::Subject;

const MODEL: &str = "qwen2.5-coder-0.5b-instruct-q4_k_m";

/// Its examples help the small model write tests that pass, so that the file has some.
const MODULE: &str = "def clamp(x, lo, hi):
    \"\"\"x limited to the range lo..hi.

    >>> clamp(-5, 0, 10)
    0
    >>> clamp(15, 0, 10)
    10
    >>> clamp(5, 0, 10)
    5
    \"\"\"
    if x < lo:
        return lo
    if x > hi:
        return hi
    return x
";

/// `clamp` as no test passes against: whatever a test expects of it, calling it fails, and
/// `pytest.raises(Exception)` does not catch it.
const NOT_THE_MODULE: &str = "class NotTheModule(BaseException):
    pass


def clamp(x, lo, hi):
    raise NotTheModule(\"the test called clamp\")
";

fn run_file(source: &str, file: &str) -> PytestOutcome {
    let mut worker = PythonWorker::spawn(WorkerCommand {
        program: env!("CARGO_BIN_EXE_evalrun").into(),
        args: vec!["__worker".into(), "python".into()],
    })
    .expect("worker starts");
    let subject = Subject { module: "shapes", source, mutants: &[] };
    worker.run_pytest(&subject.request(source, file), &Limits { timeout_s: 20.0, ..Limits::default() })
}

#[test]
fn real_model_writes_tests_in_rounds_and_the_file_passes() {
    let _model = default_model_present();
    let tmp = tempfile::tempdir().unwrap();
    let module = tmp.path().join("shapes.py");
    std::fs::write(&module, MODULE).unwrap();
    let out = run_ok(evalrun().arg("gen-tests").arg(&module).args([
        "--model",
        MODEL,
        "--rounds",
        "2",
        "--max-tokens",
        "160",
        "--slots",
        "1",
        "--mutate",
        "--mutants",
        "0",
        "--workers",
        "2",
    ]));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);

    // Both rounds ran and were reported: `x <= lo` for `x < lo` is a mutant no test kills, so
    // round 1 never leaves clamp complete, and round 2 always comes.
    for needle in [
        ", 1 slot (flag), 2 sandbox workers\n",
        "gen-tests: 5 mutants of shapes to run (5 in all)\n",
        "gen-tests: round 1 of 2: asking for tests for 1 item, 1 at a time\n",
        "gen-tests: round 1: answer for function `clamp` (",
        "gen-tests: round 1 function `clamp`: ",
        "gen-tests: round 2 of 2: feedback for 1 item, 1 at a time\n",
        "gen-tests: round 2: answer for function `clamp` (",
        "gen-tests: round 2 function `clamp`: ",
    ] {
        assert!(stderr.contains(needle), "{needle} not in:\n{stderr}");
    }
    let kept: usize = stdout
        .lines()
        .find_map(|l| l.strip_prefix("wrote ")?.split_once(" tests to ")?.0.parse().ok())
        .unwrap_or_else(|| panic!("no `wrote N tests` in:\n{stdout}"));
    assert!(kept > 0, "{stdout}");
    // The item's line: 2 rounds, and the tests in the file.
    let row: Vec<&str> = stdout
        .lines()
        .find(|l| l.starts_with("function clamp "))
        .unwrap_or_else(|| panic!("no row for clamp in:\n{stdout}"))
        .split_whitespace()
        .collect();
    assert_eq!((row[2], row[4]), ("2", kept.to_string().as_str()), "{stdout}");

    let file = std::fs::read_to_string(tmp.path().join("test_shapes.py")).unwrap();
    let by = format!("# Tests for shapes.py, written by {MODEL} with `evalrun gen-tests`.\n");
    let version = format!("# evalrun {}, ", env!("CARGO_PKG_VERSION"));
    let kept_tests = format!(" tests written, {kept} kept (");
    for needle in [
        by.as_str(),
        version.as_str(),
        "# Run them: python -m pytest ",
        "# Measured: 2 rounds (feedback after the first); ",
        kept_tests.as_str(),
        "# Coverage of shapes.py by these tests: ",
        " mutants killed; 5 mutants in all).\n",
        "# Tests of function `clamp` (shapes.py, lines 1-15).\n",
    ] {
        assert!(file.contains(needle), "{needle} not in:\n{file}");
    }
    // It imports the module and tests it, never a copy of it.
    assert!(file.contains("from shapes import") || file.contains("import shapes"), "{file}");
    assert!(!file.contains("def clamp("), "{file}");

    let run = run_file(MODULE, &file);
    assert!(run.passed(), "{run:#?}\n{file}");
    assert!(run.count("passed") >= kept, "{run:#?}\n{file}");
    // Every test calls the module's clamp: with a clamp that only raises, none passes.
    let broken = run_file(NOT_THE_MODULE, &file);
    assert_eq!(broken.count("passed"), 0, "{broken:#?}\n{file}");
    assert_eq!(broken.count("failed"), run.count("passed"), "{broken:#?}\n{file}");
}

/// Without --slots, gen-tests decodes as many sequences together as `run` would: the knee
/// `bench batching` recorded for the model on this machine, else the built-in 16.
#[test]
fn without_slots_gen_tests_takes_the_recorded_or_builtin_slot_count() {
    let _model = default_model_present();
    let tmp = tempfile::tempdir().unwrap();
    let module = tmp.path().join("shapes.py");
    std::fs::write(&module, MODULE).unwrap();
    let out = evalrun_output(
        &["gen-tests", "--model", MODEL, "--rounds", "1", "--max-tokens", "16", "--out"],
        &[&tmp.path().join("test_shapes.py"), &module],
    );
    let stderr = text(&out.stderr);
    let header = stderr.lines().next().unwrap_or_default();
    assert!(header.contains(" slots (measured), ") || header.contains(", 16 slots (builtin), "), "{stderr}");
}
