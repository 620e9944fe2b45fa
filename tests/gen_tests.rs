//! What `evalrun gen-tests` does with the tests a model wrote, in the real sandbox: the file is
//! ordered by item, a test file's own copy of a module function is removed, the header says what
//! was measured, a feedback round shows what the kept tests left, and `--minimize` drops the
//! tests that add nothing. The tests are written by hand here, as a samples file holds answers
//! written elsewhere; the loop with a model is `gen_tests_model.rs`.

mod common;

use evalrun_core::Mutant;
use evalrun_core::Prompt;
use evalrun_harness::prompt::PromptTemplate;
use evalrun_harness::sandbox::pytest::PytestOutcome;
use evalrun_harness::sandbox::{Limits, PythonWorker};
use evalrun_harness::testwriting::feedback::{round_request, Feedback};
use evalrun_harness::testwriting::gentests::{
    build_file, DroppedTest, GenTestsOptions, GenTestsReport, HeaderInfo,
};
use evalrun_harness::testwriting::gentests_rounds::{ItemRound, ItemTests};
use evalrun_harness::testwriting::kept::keep_passing;
use evalrun_harness::testwriting::minimize::{contributions, minimize};
use evalrun_harness::testwriting::mutant_runs::run_against_mutants;
use evalrun_harness::testwriting::prompt::Target;
use evalrun_harness::testwriting::rounds::STOP_ROUNDS;
use evalrun_harness::testwriting::testfile::{public_api, ApiItem};
use evalrun_harness::testwriting::Subject;

use common::python_worker as worker;

fn limits() -> Limits {
    Limits { timeout_s: 20.0, ..Limits::default() }
}

const SHAPES: &str = "def clamp(x, lo, hi):
    if x < lo:
        return lo
    if x > hi:
        return hi
    return x


def sign(x):
    if x > 0:
        return 1
    if x < 0:
        return -1
    return 0
";

/// `test_clamp_wrong` fails against the module.
const CLAMP_TESTS: &str = "from shapes import clamp


def test_clamp_low():
    assert clamp(-1, 0, 10) == 0


def test_clamp_wrong():
    assert clamp(50, 0, 10) == 50


def test_clamp_high():
    assert clamp(50, 0, 10) == 10


def test_clamp_mid():
    assert clamp(5, 0, 10) == 5
";

/// Only `test_clamp_low` passes, and it runs only clamp's first branch.
const CLAMP_FIRST_TRY: &str = "from shapes import clamp


def test_clamp_low():
    assert clamp(-1, 0, 10) == 0


def test_clamp_wrong():
    assert clamp(50, 0, 10) == 50
";

/// A pasted copy of `sign` that only `test_sign_positive` would pass against.
const SIGN_TESTS: &str = "from shapes import sign


def sign(x):
    return 1


def test_sign_positive():
    assert sign(5) == 1


def test_sign_negative():
    assert sign(-5) == -1
";

fn options(module: &str, source: &str, mutants: bool, minimize: bool) -> GenTestsOptions {
    GenTestsOptions {
        module: module.into(),
        source: source.into(),
        sampling: Default::default(),
        mutants: mutants.then_some(0),
        rounds: 1,
        minimize,
        limits: limits(),
    }
}

fn mutant(module: &str, id: &str, line: u32, from: &str, to: &str) -> Mutant {
    assert!(module.contains(from), "{from}");
    Mutant { id: id.into(), operator: "by hand".into(), line, source: module.replacen(from, to, 1) }
}

/// The module's public functions and classes, in its order.
fn items(source: &str) -> Vec<ApiItem> {
    public_api(source).expect("the module parses")
}

/// An item's tests as one round leaves them when `answer` is the model's answer: kept as the
/// rounds keep it ([`keep_passing`]). Of [`ItemTests`], [`build_file`] reads the item, its kept
/// tests, what was written and dropped, the shadowing removed and the rounds; the rest is what
/// a next round would be shown.
fn after_one_round(worker: &mut PythonWorker, subject: &Subject, item: &ApiItem, answer: &str) -> ItemTests {
    let kept = keep_passing(worker, subject, answer, &limits());
    ItemTests {
        item: item.clone(),
        source: kept.source.clone(),
        kept: kept.kept.clone(),
        written: kept.written.len(),
        rounds: vec![ItemRound {
            round: 1,
            written: kept.written.len(),
            kept: kept.kept.len(),
            covered: 0,
            lines: 0,
            killed: 0,
            mutants: 0,
            improved: false,
            generated_tokens: 0,
            generation_s: 0.0,
        }],
        dropped: kept
            .failures
            .iter()
            .map(|f| DroppedTest {
                item: item.name.clone(),
                test: f.test.clone(),
                reason: f.reason.clone(),
                when: "round 1".into(),
            })
            .collect(),
        shadowing: kept.shadowing.clone(),
        answers: vec![answer.to_string()],
        generation_s: 0.0,
        stopped: STOP_ROUNDS.into(),
        lines: Default::default(),
        uncovered: Vec::new(),
        mutants: Vec::new(),
        survivors: Vec::new(),
        failures: kept.failures,
    }
}

/// The file from `answers` (one per item of the module, in its order), and the steps reported.
fn file_of(
    workers: &mut [PythonWorker],
    opts: &GenTestsOptions,
    answers: &[&str],
    mutants: &[Mutant],
) -> (GenTestsReport, Vec<String>) {
    let subject = Subject { module: &opts.module, source: &opts.source, mutants: &[] };
    let items = items(&opts.source);
    assert_eq!(items.len(), answers.len());
    let states: Vec<ItemTests> = items
        .iter()
        .zip(answers)
        .map(|(item, a)| after_one_round(&mut workers[0], &subject, item, a))
        .collect();
    let mut steps = Vec::new();
    let report =
        build_file(workers, opts, states, mutants, mutants.len(), &mut |s| steps.push(s.to_string()))
            .expect("the file is built");
    (report, steps)
}

fn header(report: &GenTestsReport, command: &str) -> String {
    report.header(&HeaderInfo {
        model: "m",
        version: "9.9",
        date: "2026-12-07T00:00:00Z",
        command,
        rerun: "python -m pytest test_shapes.py",
    })
}

/// `file` run against `source` in the sandbox.
fn run_file(module: &str, source: &str, file: &str) -> PytestOutcome {
    let subject = Subject { module, source, mutants: &[] };
    worker().run_pytest(&subject.request(source, file), &limits())
}

#[test]
fn the_file_is_ordered_by_item_without_copies_and_its_header_says_what_was_measured() {
    let mutants = [
        mutant(SHAPES, "hi", 5, "return hi", "return lo"),
        mutant(SHAPES, "neg", 13, "return -1", "return 1"),
        // `sign(0)` is never tested.
        mutant(SHAPES, "zero", 14, "return 0", "return 2"),
    ];
    let opts = options("shapes", SHAPES, true, false);
    let mut workers = vec![worker(), worker()];
    let (report, steps) = file_of(&mut workers, &opts, &[CLAMP_TESTS, SIGN_TESTS], &mutants);
    assert!(steps.iter().any(|s| s == "the file against 3 mutants of shapes"), "{steps:#?}");

    // Each item's own keeping: clamp's failing test dropped, sign's pasted copy removed.
    let clamp = &report.items[0];
    assert_eq!(clamp.kept, ["test_clamp_low", "test_clamp_high", "test_clamp_mid"], "{clamp:#?}");
    assert_eq!(clamp.failures.len(), 1, "{clamp:#?}");
    assert_eq!(clamp.failures[0].test, "test_clamp_wrong");
    assert_eq!(clamp.failures[0].exception(), Some("AssertionError"), "{clamp:#?}");
    assert_eq!(report.items[1].kept, ["test_sign_positive", "test_sign_negative"]);
    assert_eq!(report.shadowing, ["sign"]);

    // The file: clamp's tests under clamp's heading, then sign's, imports once at the top.
    let file = &report.tests;
    let at = |needle: &str| file.find(needle).unwrap_or_else(|| panic!("no {needle} in:\n{file}"));
    let order = [
        "from shapes import clamp\n",
        "from shapes import sign\n",
        "# Tests of function `clamp` (shapes.py, lines 1-6).",
        "def test_clamp_low",
        "def test_clamp_high",
        "def test_clamp_mid",
        "# Tests of function `sign` (shapes.py, lines 9-14).",
        "def test_sign_positive",
        "def test_sign_negative",
    ];
    for pair in order.windows(2) {
        assert!(at(pair[0]) < at(pair[1]), "{} before {} in:\n{file}", pair[0], pair[1]);
    }
    assert_eq!(file.matches("from shapes import").count(), 2, "{file}");
    assert!(!file.contains("def sign"), "{file}");
    assert!(!file.contains("test_clamp_wrong"), "{file}");
    assert_eq!(report.in_file, [3, 2]);
    assert_eq!(report.kept.len(), 5, "{report:#?}");
    assert_eq!(report.written, 6);
    // 11 of 12 statements: `sign(0)` is never tested.
    let line = report.coverage.map_or(0.0, |(line, _)| line);
    assert!((line - 11.0 / 12.0).abs() < 1e-9, "{report:#?}");
    let mutation = report.mutation.as_ref().expect("mutants were run");
    assert_eq!((mutation.killed, mutation.run, mutation.candidates), (2, 3, 3), "{mutation:#?}");
    assert_eq!(mutation.survivors.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(), ["zero"]);

    let header = header(&report, "evalrun gen-tests shapes.py --model m --rounds 1 --mutate");
    for needle in [
        "# Tests for shapes.py, written by m with `evalrun gen-tests`.\n",
        "# evalrun 9.9, 2026-12-07T00:00:00Z: evalrun gen-tests shapes.py --model m --rounds 1 --mutate\n",
        "# Run them: python -m pytest test_shapes.py\n",
        "# Measured: 1 round; 6 tests written, 5 kept (1 dropped for failing or erroring).\n",
        "# Removed the tests' own definitions of sign (the tests use the module's).\n",
        "# Coverage of shapes.py by these tests: 91.7% of lines, ",
        "# Mutation score: 66.7% (2 of 3 mutants killed; 3 mutants in all).\n",
    ] {
        assert!(header.contains(needle), "{needle} not in:\n{header}");
    }
    assert!(header.lines().all(|l| l.starts_with('#')), "{header}");

    // It passes as it is, header included, importing the module.
    let outcome = run_file("shapes", SHAPES, &format!("{header}\n{file}"));
    assert!(outcome.passed(), "{outcome:#?}");
    assert_eq!(outcome.count("passed"), 5);
}

#[test]
fn an_item_without_a_kept_test_gets_no_heading() {
    let opts = options("shapes", SHAPES, false, false);
    let clamp = "from shapes import clamp\n\n\ndef test_clamp_low():\n    assert clamp(-1, 0, 10) == 0\n";
    let (report, _) = file_of(&mut [worker()], &opts, &[clamp, "this is not python ("], &[]);
    assert_eq!(report.kept, ["test_clamp_low"]);
    assert_eq!(report.in_file, [1, 0]);
    assert!(report.tests.contains("# Tests of function `clamp`"), "{}", report.tests);
    assert!(!report.tests.contains("Tests of function `sign`"), "{}", report.tests);
    assert!(report.mutation.is_none());
    let header = header(&report, "evalrun gen-tests shapes.py --model m --rounds 1");
    for needle in [
        "# Measured: 1 round; 1 tests written, 1 kept (0 dropped for failing or erroring).\n",
        "# Mutation score: not measured (it needs --mutate and a kept test).\n",
    ] {
        assert!(header.contains(needle), "{needle} not in:\n{header}");
    }
}

#[test]
fn round_two_shows_the_failing_test_the_unrun_lines_and_a_surviving_mutant() {
    let subject = Subject { module: "shapes", source: SHAPES, mutants: &[] };
    let mut workers = vec![worker()];
    let kept = keep_passing(&mut workers[0], &subject, CLAMP_FIRST_TRY, &limits());
    assert_eq!(kept.kept, ["test_clamp_low"], "{kept:#?}");

    // As the rounds do for an item: the lines within it that its kept tests do not run, and the
    // mutants on its lines that they do not kill.
    let clamp = items(SHAPES).into_iter().find(|i| i.name == "clamp").expect("clamp is an item");
    let within = |line: u32| (clamp.line..=clamp.end_line).contains(&line);
    let uncovered: Vec<u32> = kept.uncovered_lines("shapes").into_iter().filter(|&l| within(l)).collect();
    assert_eq!(uncovered, [4, 5, 6], "{kept:#?}");
    let mutants =
        [mutant(SHAPES, "hi", 5, "return hi", "return lo"), mutant(SHAPES, "lo", 2, "x < lo", "x > lo")];
    let outcomes =
        run_against_mutants(&mut workers, "shapes", &mutants, &kept.source, &limits()).expect("runs");
    let survivors: Vec<&Mutant> =
        mutants.iter().zip(&outcomes).filter(|(m, o)| within(m.line) && !o.killed).map(|(m, _)| m).collect();
    assert_eq!(survivors.len(), 1, "{outcomes:#?}");

    let feedback = Feedback {
        module_source: SHAPES,
        passing: &kept.kept,
        failures: &kept.failures,
        uncovered: &uncovered,
        survivors: &survivors,
    };
    let target = Target { module: "shapes", code: &clamp.source, item: Some("clamp") };
    let request = round_request(&PromptTemplate::instruct_v1(), &target, &feedback, Default::default());
    let Prompt::Chat { messages, .. } = &request.prompt else { panic!("not a chat prompt") };
    let prompt = &messages[0].content;
    for needle in [
        "You are writing pytest tests for `clamp` from the Python module `shapes`",
        "This test passes and is kept; do not write it again:\ntest_clamp_low\n",
        "- test_clamp_wrong: AssertionError: assert 10 == 50",
        "   4 |     if x > hi:\n   5 |         return hi\n   6 |     return x\n",
        "- line 5 (by hand): -return hi / +return lo",
        "fixed versions of the failing tests",
        "Import it with `from shapes import clamp`",
    ] {
        assert!(prompt.contains(needle), "{needle} not in:\n{prompt}");
    }
    // Only clamp is shown, not the rest of the module.
    assert!(!prompt.contains("def sign"), "{prompt}");
}

const AGES: &str = "def double(x):
    return x * 2


def is_adult(age):
    return age >= 18
";

/// `test_double_again` adds nothing to `test_double`; `test_adult_18` runs no line that
/// `test_adult_30` does not, but only it tells `>= 18` from `> 18`.
const AGES_TESTS: &str = "from ages import double, is_adult


def test_double():
    assert double(3) == 6


def test_double_again():
    assert double(5) == 10


def test_adult_30():
    assert is_adult(30)


def test_adult_18():
    assert is_adult(18)
";

fn ages_mutants() -> [Mutant; 3] {
    [
        mutant(AGES, "plus", 2, "x * 2", "x + 2"),
        mutant(AGES, "gt", 6, "age >= 18", "age > 18"),
        mutant(AGES, "le", 6, "age >= 18", "age <= 18"),
    ]
}

#[test]
fn minimize_keeps_a_test_for_its_unique_kill_and_drops_the_redundant_one() {
    let mutants = ages_mutants();
    let tests: Vec<String> =
        ["test_double", "test_double_again", "test_adult_30", "test_adult_18"].map(String::from).to_vec();
    let mut workers = vec![worker(), worker()];
    let outcomes = run_against_mutants(&mut workers, "ages", &mutants, AGES_TESTS, &limits()).expect("runs");
    let killers: Vec<Vec<&str>> =
        outcomes.iter().map(|o| o.killers.iter().map(String::as_str).collect()).collect();
    assert_eq!(
        killers,
        [vec!["test_double", "test_double_again"], vec!["test_adult_18"], vec!["test_adult_30"]]
    );

    let subject = Subject { module: "ages", source: AGES, mutants: &mutants };
    let each =
        contributions(&mut workers, &subject, AGES_TESTS, &tests, &outcomes, &limits()).expect("measures");
    assert!(each.iter().all(|c| c.passes_alone), "{each:#?}");
    assert_eq!(each[0].lines, each[1].lines, "{each:#?}");
    assert!(!each[2].lines.is_empty() && each[2].lines == each[3].lines, "{each:#?}");

    let min = minimize(&mut workers, &subject, AGES_TESTS, &tests, &outcomes, &limits()).expect("runs");
    assert_eq!(min.keep, ["test_double", "test_adult_30", "test_adult_18"]);
    assert_eq!(min.dropped.len(), 1, "{min:#?}");
    assert_eq!(min.dropped[0].0, "test_double_again");
}

#[test]
fn the_minimized_file_drops_what_adds_nothing_and_still_passes() {
    let double = "from ages import double\n\n\ndef test_double():\n    assert double(3) == 6\n\n\n\
                  def test_double_again():\n    assert double(5) == 10\n";
    let is_adult = "from ages import is_adult\n\n\ndef test_adult_30():\n    assert is_adult(30)\n\n\n\
                    def test_adult_18():\n    assert is_adult(18)\n";
    let opts = options("ages", AGES, true, true);
    let mut workers = vec![worker(), worker()];
    let (report, steps) = file_of(&mut workers, &opts, &[double, is_adult], &ages_mutants());
    assert!(steps.iter().any(|s| s == "--minimize: 3 tests kept, 1 dropped"), "{steps:#?}");
    assert_eq!(report.minimized, Some(1), "{report:#?}");
    assert!(
        report
            .dropped
            .iter()
            .any(|d| d.item == "double" && d.test == "test_double_again" && d.when == "--minimize"),
        "{:#?}",
        report.dropped
    );
    assert_eq!(report.kept, ["test_double", "test_adult_30", "test_adult_18"]);
    assert_eq!(report.in_file, [1, 2]);
    assert!(!report.tests.contains("test_double_again"), "{}", report.tests);
    for heading in ["# Tests of function `double`", "# Tests of function `is_adult`"] {
        assert!(report.tests.contains(heading), "{heading} not in:\n{}", report.tests);
    }
    // Nothing lost: every line still run, every mutant still killed.
    assert_eq!(report.coverage.map(|(line, _)| line), Some(1.0), "{report:#?}");
    let mutation = report.mutation.as_ref().expect("mutants were run");
    assert_eq!((mutation.killed, mutation.run), (3, 3), "{mutation:#?}");
    let header = header(&report, "evalrun gen-tests ages.py --model m --rounds 1 --minimize");
    assert!(
        header.contains("# Measured: 1 round; 4 tests written, 3 kept (0 dropped for failing or erroring, 1 by --minimize).\n"),
        "{header}"
    );
    let outcome = run_file("ages", AGES, &report.tests);
    assert!(outcome.passed() && outcome.count("passed") == 3, "{outcome:#?}");
}
