//! Verdicts a solution in another language cannot forge. A translated test run in one program
//! with the solution is judged by the program's exit status and by assertions the solution can
//! redefine; each attack below passes that way. Checked apart (the solution's program only
//! writes its results; `harness/src/languages/apart.rs`), each fails with a reason, and an
//! honest solution still passes. Two kinds of result that do not fool the original check either
//! are kept as evidence: Node's `assert.deepEqual` is not fooled by `valueOf` or a `Proxy`, and
//! Rust's `assert_eq!` compares the declared type, whose `PartialEq` a solution cannot replace
//! (the orphan rule forbids implementing it for `Vec<i64>`).

use evalrun_core::{Language, Status, Task, Verdict};
use evalrun_harness::languages;
use evalrun_harness::sandbox::command::run_job;
use evalrun_harness::sandbox::Limits;

/// HumanEval/5, `intersperse`, which returns a list of integers, in `suite`.
fn intersperse(suite: &str) -> Task {
    let corpus = evalrun_tasks::Corpus::builtin_suites(&[suite.to_string()]).unwrap();
    corpus.suite(suite).unwrap().tasks.iter().find(|t| t.id.ends_with("/5")).unwrap().clone()
}

fn limits() -> Limits {
    Limits { timeout_s: 10.0, ..Limits::default() }
}

/// The verdict with the tests in the solution's program, as before they ran apart.
fn in_one_program(task: &Task, completion: &str) -> Verdict {
    let toolchain = languages::toolchain(task.language).unwrap();
    let job = toolchain.job(task, completion, &limits());
    let outcome = run_job(&job).expect("the sandbox runs the job");
    toolchain.verdict(task, &job, &outcome)
}

/// `honest` passes apart; each attack (what, completion, passes in one program, reason apart)
/// fails apart with its reason.
fn check_language(suite: &str, honest: &str, attacks: &[(&str, &str, bool, &str)]) {
    let task = intersperse(suite);
    let v = languages::judge(&task, honest, &limits());
    assert!(v.passed(), "{suite}: the honest solution: {v:?}");
    for (what, completion, passes_in_one_program, reason) in attacks {
        let one = in_one_program(&task, completion);
        assert_eq!(one.passed(), *passes_in_one_program, "{suite}, {what}, in one program: {one:?}");
        let v = languages::judge(&task, completion, &limits());
        assert_eq!(v.status, Status::Failed, "{suite}, {what}: {v:?}");
        assert!(v.detail.contains(reason), "{suite}, {what}: the reason should say `{reason}`: {v:?}");
    }
}

const EARLY_EXIT: &str = "ended without the result of test 1";
const WRONG: &str = "test 2: intersperse(std::vector<long>({5, 6, 3, 2}), 8) returned []";

#[test]
fn cpp() {
    check_language(
        "humaneval-cpp",
        "    std::vector<long> out;\n    for (size_t i = 0; i < numbers.size(); i++) {\n        if (i) out.push_back(delimeter);\n        out.push_back(numbers[i]);\n    }\n    return out;\n}\n",
        &[
            ("exit(0)", "    std::exit(0);\n}\n", true, EARLY_EXIT),
            ("an exit before main", "    return {};\n}\nstatic int evalrun_gone = (std::exit(0), 0);\n", true, EARLY_EXIT),
            ("assert defined away", "    return {};\n}\n#undef assert\n#define assert(x) ((void)0)\n", true, WRONG),
            (
                "an operator== for the declared type",
                "    return {};\n}\nbool operator==(const std::vector<long>&, const std::vector<long>&) { return true; }\n",
                true,
                WRONG,
            ),
        ],
    );
}

#[test]
fn java() {
    let wrong = "test 2: intersperse(new ArrayList<Long>(Arrays.asList(5l, 6l, 3l, 2l)), 8l) returned []";
    check_language(
        "humaneval-java",
        "        ArrayList<Long> out = new ArrayList<>();\n        for (int i = 0; i < numbers.size(); i++) {\n            if (i > 0) out.add(delimeter);\n            out.add(numbers.get(i));\n        }\n        return out;\n    }\n",
        &[
            ("System.exit(0)", "        System.exit(0);\n        return null;\n    }\n", true, EARLY_EXIT),
            (
                "a halt in a static initializer",
                "        return new ArrayList<Long>();\n    }\n    static { Runtime.getRuntime().halt(0); }\n",
                true,
                EARLY_EXIT,
            ),
            (
                "a subtype of the declared type whose equals is always true",
                "        return new ArrayList<Long>() { public boolean equals(Object o) { return true; } };\n    }\n",
                true,
                wrong,
            ),
        ],
    );
}

#[test]
fn javascript() {
    let wrong = "test 2: candidate([5, 6, 3, 2], 8) returned";
    check_language(
        "humaneval-js",
        "  const out = [];\n  numbers.forEach((n, i) => {\n    if (i) out.push(delimeter);\n    out.push(n);\n  });\n  return out;\n}\n",
        &[
            ("process.exit(0)", "  process.exit(0);\n}\n", true, EARLY_EXIT),
            (
                "assert.deepEqual replaced",
                "  const assert = require('node:assert');\n  assert.deepEqual = () => {};\n  assert.ok = () => {};\n  return [];\n}\n",
                true,
                wrong,
            ),
            ("an object with valueOf", "  return { valueOf() { return []; } };\n}\n", false, "not plain data"),
            ("a Proxy", "  return new Proxy([], { get: (t, k) => (k === 'length' ? 0 : t[k]) });\n}\n", false, wrong),
        ],
    );
}

#[test]
fn rust() {
    check_language(
        "humaneval-rs",
        "    let mut out = Vec::new();\n    for (i, n) in numbers.iter().enumerate() {\n        if i > 0 {\n            out.push(delimeter);\n        }\n        out.push(*n);\n    }\n    out\n}\n",
        &[
            ("process::exit(0)", "    std::process::exit(0)\n}\n", true, EARLY_EXIT),
            (
                "assert_eq! shadowed",
                "    vec![]\n}\nmacro_rules! assert_eq { ($($t:tt)*) => {}; }\n",
                true,
                "test 2: candidate(vec![5, 6, 3, 2], 8) returned []",
            ),
        ],
    );
}

/// SQL was never judged inside the query's process: sqlite3 prints rows and evalrun compares
/// them with the task's expected rows, which the query never sees. A query that prints rows of
/// its own or exits early fails.
#[test]
fn sql() {
    let corpus = evalrun_tasks::Corpus::builtin_suites(&["evalrun-core".to_string()]).unwrap();
    let task = corpus
        .suite("evalrun-core")
        .unwrap()
        .tasks
        .iter()
        .find(|t| t.language == Language::Sql)
        .unwrap()
        .clone();
    assert!(languages::judge(&task, &task.reference, &limits()).passed());
    for attack in [".print 1\nSELECT 1;\n", ".exit 0\n", ".bail off\nSELECT * FROM no_such_table;\n"] {
        let v = languages::judge(&task, attack, &limits());
        assert_ne!(v.status, Status::Passed, "{attack}: {v:?}");
    }
}
