//! Hostile samples for the deeper layers: the seccomp filter, the cgroup (memory and processes of
//! a sample together) and the bounded scratch directory of command jobs. Each attack is bounded
//! (a fixed number of processes, a fixed amount of memory, short deadlines) and, where the layer
//! is what stops it, shown to get through with that one layer removed, so the test shows the
//! layer works rather than something else. A layer this system lacks (`evalrun sandbox check`)
//! skips its tests with a note.

mod common;

use evalrun_core::Status;
use evalrun_harness::sandbox::command::{run_job_with, Job, Step};
use evalrun_harness::sandbox::{cgroup, confine, isolation, Layers, Limits, PythonWorker, WorkerCommand};

fn worker_with(layers: Layers) -> PythonWorker {
    let cmd = WorkerCommand {
        program: env!("CARGO_BIN_EXE_evalrun").into(),
        args: vec!["__worker".into(), "python".into()],
    };
    PythonWorker::spawn(cmd.with_layers(layers.intersect(*isolation::available()))).expect("worker starts")
}

fn all_but(layer: &str) -> Layers {
    Layers::parse(&format!("all,-{layer}")).unwrap()
}

fn limits(timeout_s: f64) -> Limits {
    Limits { timeout_s, ..Limits::default() }
}

/// Whether `layer` works here; if not, the test says so and is skipped.
fn have(layer: &str) -> bool {
    let ok = isolation::available().get(layer);
    if !ok {
        eprintln!("skipped: the {layer} layer is unavailable here ({})", isolation::loss(layer));
    }
    ok
}

const HONEST: &str = "def add(a, b):\n    return a + b\n\nassert add(2, 3) == 5\n";

/// Calls a sample never needs, through ctypes: each must fail with EPERM. The first four succeed
/// without the filter here (an unprivileged process may trace itself, make a user namespace, an
/// io_uring and read its keyring), so the sample tells the filter from the lack of privileges.
const DENIED_CALLS: &str = r#"
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
sc = libc.syscall
sc.restype = ctypes.c_long
CLONE_NEWUSER, SIGCHLD = 0x10000000, 17
params = ctypes.create_string_buffer(120)
attempts = {
    "ptrace(TRACEME)": lambda: sc(101, 0, 0, 0, 0),
    "unshare(CLONE_NEWUSER)": lambda: sc(272, CLONE_NEWUSER),
    "io_uring_setup": lambda: sc(425, 1, params),
    "keyctl(GET_KEYRING_ID)": lambda: sc(250, 0, ctypes.c_long(-3), 0),
    "mount": lambda: sc(165, b"none", b"/tmp", b"tmpfs", 0, None),
    "bpf": lambda: sc(321, 0, None, 0),
    "perf_event_open": lambda: sc(298, None, 0, -1, -1, 0),
    "userfaultfd": lambda: sc(323, 1),
    "setns": lambda: sc(308, 0, 0),
    "add_key": lambda: sc(248, b"user", b"k", b"v", 1, ctypes.c_long(-3)),
    "kexec_load": lambda: sc(246, 0, 0, None, 0),
    "init_module": lambda: sc(175, None, 0, b""),
    "pivot_root": lambda: sc(155, b"/tmp", b"/tmp"),
}
got = {}
for name, call in attempts.items():
    ctypes.set_errno(0)
    rc = call()
    got[name] = (rc, ctypes.get_errno())
# clone(CLONE_NEWUSER): a child that got through leaves at once.
ctypes.set_errno(0)
pid = sc(56, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0)
if pid == 0:
    os._exit(0)
if pid > 0:
    os.waitpid(pid, 0)
got["clone(CLONE_NEWUSER)"] = (pid, ctypes.get_errno())
wrong = {k: v for k, v in got.items() if v != (-1, 1)}
assert not wrong, f"not denied with EPERM: {wrong}"
"#;

/// What must keep working under the filter: threads, subprocesses (glibc falls back from
/// `clone3` to `clone`), an ordinary fork.
const ORDINARY: &str = r#"
import os, subprocess, threading
out = []
t = threading.Thread(target=lambda: out.append(1)); t.start(); t.join()
assert out == [1]
assert subprocess.run(["sh", "-c", "echo ok"], capture_output=True).stdout == b"ok\n"
pid = os.fork()
if pid == 0:
    os._exit(3)
assert os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 3
"#;

#[test]
fn seccomp_denies_what_samples_never_need_with_eperm() {
    if !have("seccomp") {
        return;
    }
    // The worker every run gets (all layers, or EVALRUN_SANDBOX_LAYERS).
    let mut w = common::python_worker();
    let v = w.run(DENIED_CALLS, &limits(10.0));
    assert!(v.passed(), "{v:?}");
    let v = w.run(ORDINARY, &limits(10.0));
    assert!(v.passed(), "ordinary calls broke under the filter: {v:?}");
    // The same sample and its check, apart, as task checks run.
    let v = w.run_checked("def f():\n    return 1\n", "assert f() == 1\n", &limits(10.0));
    assert!(v.passed(), "{v:?}");
    assert!(w.run(HONEST, &limits(5.0)).passed());

    // Without the filter the first calls get through: it is the filter that denies them.
    let mut w = worker_with(all_but("seccomp"));
    let v = w.run(DENIED_CALLS, &limits(10.0));
    assert_eq!(v.status, Status::Failed, "{v:?}");
    for call in ["ptrace(TRACEME)", "unshare(CLONE_NEWUSER)", "io_uring_setup", "keyctl(GET_KEYRING_ID)"] {
        assert!(v.detail.contains(call), "{call} was denied without the filter: {}", v.detail);
    }
}

#[test]
fn seccomp_holds_in_command_jobs_across_exec() {
    if !have("seccomp") {
        return;
    }
    let job = |layers| {
        let job = Job::new()
            .file("denied.py", DENIED_CALLS)
            .step(Step::new("denied", ["python3", "denied.py"]).limits(limits(20.0)));
        run_job_with(&job, layers).unwrap()
    };
    let outcome = job(Layers::ALL);
    let step = &outcome.steps[0];
    assert_eq!(step.exit_code, Some(0), "{}: {}", step.describe(), step.stderr_text());
    // util-linux's unshare(1), the usual way in, is refused too.
    let job2 = Job::new().step(Step::new("unshare", ["unshare", "--user", "true"]).limits(limits(10.0)));
    if let Some(s) =
        run_job_with(&job2, Layers::ALL).unwrap().steps.first().filter(|s| s.exec_error.is_none())
    {
        assert_ne!(s.exit_code, Some(0), "unshare --user got through");
        assert!(s.stderr_text().contains("Operation not permitted"), "{}", s.stderr_text());
    }
    let outcome = job(all_but("seccomp"));
    let step = &outcome.steps[0];
    assert_ne!(step.exit_code, Some(0));
    assert!(step.stderr_text().contains("unshare(CLONE_NEWUSER)"), "{}", step.stderr_text());
}

/// Four processes of 96 MiB each: each is far below the address-space limit of 256 MiB, all
/// together (384 MiB) are above it.
const FOUR_HOGS: &str = r#"
import os, time
pids = []
for _ in range(4):
    pid = os.fork()
    if pid == 0:
        block = b"x" * (96 << 20)
        time.sleep(1.5)
        os._exit(0)
    pids.append(pid)
codes = [os.waitstatus_to_exitcode(os.waitpid(p, 0)[1]) for p in pids]
assert codes == [0, 0, 0, 0], codes
"#;

#[test]
fn a_sample_and_its_children_share_one_memory_limit() {
    if !have("cgroup") {
        return;
    }
    let l = Limits { memory_bytes: 256 << 20, processes: 16, ..limits(15.0) };
    let mut w = worker_with(Layers::ALL);
    let worker_pid = w.pid();
    let v = w.run(FOUR_HOGS, &l);
    assert_ne!(v.status, Status::Passed, "{v:?}");
    assert!(v.detail.contains("out of memory"), "{v:?}");
    // The worker lives outside the group: it survives, and serves the next sample.
    assert_eq!(w.pid(), worker_pid, "the worker was restarted");
    assert!(w.run(HONEST, &limits(5.0)).passed());
    assert_eq!(w.pid(), worker_pid);

    // Without the cgroup the same sample passes: per process, it is within its limits.
    let mut w = worker_with(all_but("cgroup"));
    let v = w.run(FOUR_HOGS, &l);
    assert!(v.passed(), "{v:?}");
}

/// 40 processes at once.
const FORTY: &str = r#"
import os, time
pids = []
for _ in range(40):
    pid = os.fork()
    if pid == 0:
        time.sleep(2)
        os._exit(0)
    pids.append(pid)
"#;

#[test]
fn the_cgroup_caps_processes_even_for_root() {
    if !have("cgroup") || !confine::is_root() {
        return;
    }
    // Without the user layer, as root, the per-uid process limit does not apply to the sample.
    let l = Limits { processes: 16, ..limits(10.0) };
    let mut w = worker_with(all_but("user"));
    let v = w.run(FORTY, &l);
    assert_eq!(v.status, Status::Failed, "{v:?}");
    assert!(v.detail.contains("Resource temporarily unavailable"), "{v:?}");
    assert!(w.run(HONEST, &limits(5.0)).passed());
    let mut w = worker_with(Layers::parse("all,-user,-cgroup").unwrap());
    let v = w.run(FORTY, &l);
    assert!(v.passed(), "{v:?}");
}

#[test]
fn a_command_jobs_memory_is_bounded_in_total() {
    if !have("cgroup") {
        return;
    }
    let l = Limits { memory_bytes: 256 << 20, processes: 16, ..limits(15.0) };
    let job = Job::new().file("hogs.py", FOUR_HOGS).step(Step::new("hogs", ["python3", "hogs.py"]).limits(l));
    let outcome = run_job_with(&job, Layers::ALL).unwrap();
    let step = &outcome.steps[0];
    assert_ne!(step.exit_code, Some(0), "{}", step.describe());
    assert!(step.stderr_text().contains("-9"), "a hog should have died of SIGKILL: {}", step.stderr_text());
}

#[test]
fn worker_cgroups_are_removed_with_the_worker() {
    let Ok(support) = cgroup::support() else { return };
    if !isolation::available().cgroup {
        return;
    }
    let mut w = worker_with(Layers::ALL);
    assert!(w.run(HONEST, &limits(5.0)).passed());
    let pid = w.pid().unwrap();
    let groups = || -> Vec<std::path::PathBuf> {
        support
            .parents
            .iter()
            .flat_map(|p| std::fs::read_dir(p).into_iter().flatten().flatten())
            .map(|e| e.path())
            .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with(&format!("evalrun-{pid}-")))
            .collect()
    };
    assert_eq!(groups().len(), support.parents.len(), "{:?}", groups());
    drop(w);
    assert!(groups().is_empty(), "left behind: {:?}", groups());
}

#[test]
fn a_command_jobs_scratch_is_bounded_in_total() {
    if !isolation::available().mount || !confine::scratch_tmpfs_available() {
        eprintln!("skipped: {}", isolation::SCRATCH_LOSS);
        return;
    }
    // Five files of 10 MiB: each within the file-size limit, together past the 32 MiB scratch.
    let l = Limits { scratch_bytes: 32 << 20, file_size_bytes: 16 << 20, ..limits(10.0) };
    let script = "for i in 1 2 3 4 5; do head -c 10485760 /dev/zero > f$i || exit 7; done\n";
    let job = Job::new()
        .file("fill.sh", script)
        .step(Step::new("fill", ["sh", "fill.sh"]).limits(l.clone()))
        .step(Step::new("after", ["sh", "-c", "exit 0"]).limits(l.clone()));
    let outcome = run_job_with(&job, Layers::ALL).unwrap();
    let step = &outcome.steps[0];
    assert_eq!(step.exit_code, Some(7), "{}: {}", step.describe(), step.stderr_text());
    assert!(step.stderr_text().contains("No space left on device"), "{}", step.stderr_text());
    // Files written by one step are there for the next.
    let job = Job::new()
        .step(Step::new("write", ["sh", "-c", "echo kept > a"]).limits(l.clone()))
        .step(Step::new("read", ["cat", "a"]).limits(l.clone()));
    let outcome = run_job_with(&job, Layers::ALL).unwrap();
    assert_eq!(outcome.steps[1].stdout_text(), "kept\n", "{:?}", outcome.steps[1].describe());
    // On the host's disk (no mount layer) the same job fills 50 MiB.
    let outcome = run_job_with(
        &Job::new().file("fill.sh", script).step(Step::new("fill", ["sh", "fill.sh"]).limits(l)),
        all_but("mount"),
    )
    .unwrap();
    assert_eq!(outcome.steps[0].exit_code, Some(0), "{}", outcome.steps[0].stderr_text());
}
