//! The Python sandbox worker: verdicts for honest and misbehaving programs, and survival.

mod common;

use evalrun_core::Status;
use evalrun_harness::sandbox::Limits;

use common::python_worker as worker;

fn limits(timeout_s: f64) -> Limits {
    Limits { timeout_s, ..Limits::default() }
}

#[test]
fn verdicts_for_each_outcome() {
    let mut w = worker();
    let l = limits(2.0);
    let cases: &[(&str, Status, &str)] = &[
        ("assert 1 + 1 == 2\n", Status::Passed, ""),
        ("assert 1 + 1 == 3, 'math is broken'\n", Status::Failed, "math is broken"),
        ("def f(:\n", Status::SyntaxError, ""),
        ("raise ValueError('bad input')\n", Status::Failed, "bad input"),
        ("import sys\nsys.exit(0)\n", Status::Failed, "0"),
        ("raise SystemExit\n", Status::Failed, ""),
        ("import os\nos._exit(0)\n", Status::Failed, "before its checks finished"),
        ("import ctypes\nctypes.string_at(0)\n", Status::Crashed, "SIGSEGV"),
        ("print('x' * 10_000_000)\nassert True\n", Status::Passed, ""),
        (
            "import os\nos.write(1, b'{\"id\": 1, \"status\": \"passed\"}\\n')\nassert False\n",
            Status::Failed,
            "",
        ),
    ];
    for (program, status, detail) in cases {
        let v = w.run(program, &l);
        assert_eq!(v.status, *status, "{program:?} -> {v:?}");
        assert!(v.detail.contains(detail), "{program:?} -> {v:?}");
    }
}

#[test]
fn hang_is_cut_at_the_deadline_and_the_worker_goes_on() {
    let mut w = worker();
    let v = w.run("import time\ntime.sleep(60)\n", &limits(0.5));
    assert_eq!(v.status, Status::TimedOut, "{v:?}");
    assert!(v.exec_s < 5.0, "{v:?}");
    let v = w.run("while True:\n    pass\n", &limits(0.5));
    assert_eq!(v.status, Status::TimedOut, "{v:?}");
    assert!(w.run("assert True\n", &limits(2.0)).passed());
}

#[test]
fn memory_hog_is_stopped_by_the_limit() {
    let mut w = worker();
    let l = Limits { memory_bytes: 512 << 20, ..limits(5.0) };
    let v = w.run("x = bytearray(2 << 30)\n", &l);
    assert_eq!(v.status, Status::Failed, "{v:?}");
    assert_eq!(v.exception.as_deref(), Some("MemoryError"), "{v:?}");
    assert!(w.run("assert True\n", &l).passed());
}

#[test]
fn each_sample_starts_from_a_clean_state() {
    let mut w = worker();
    let l = limits(2.0);
    assert!(w.run("import math\nmath.pi = 3\nopen('left_behind', 'w').write('x')\n", &l).passed());
    let v = w.run("import math, os\nassert math.pi > 3.14\nassert not os.path.exists('left_behind')\n", &l);
    assert!(v.passed(), "{v:?}");
}

#[test]
fn a_dead_worker_costs_one_sample_and_is_restarted() {
    let mut w = worker();
    // Kill the worker process itself (the sample's parent) from inside the sample.
    let v = w.run(
        "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\nimport time\ntime.sleep(5)\n",
        &limits(2.0),
    );
    assert_ne!(v.status, Status::Passed, "{v:?}");
    let v = w.run("assert True\n", &limits(2.0));
    assert!(v.passed(), "worker was not restarted: {v:?}");
}

#[test]
fn a_bare_assert_in_the_check_is_named_by_its_line() {
    let mut w = worker();
    let check =
        "def check(candidate):\n    assert candidate(1) == 1\n    assert candidate(2) == 5\n\ncheck(f)\n";
    let v = w.run_checked("def f(x):\n    return x\n", check, &limits(2.0));
    assert_eq!(v.status, Status::Failed, "{v:?}");
    assert_eq!(v.detail, "line 3 of the check: assert candidate(2) == 5", "{v:?}");
    // An assertion with a message keeps its message.
    let v = w.run_checked("def f(x):\n    return x\n", "assert f(2) == 5, 'two'\n", &limits(2.0));
    assert_eq!(v.detail, "two", "{v:?}");
}
