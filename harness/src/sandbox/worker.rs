//! The worker process: a warm embedded Python interpreter that forks one child per sample.
//!
//! Runs as `evalrun __worker python`. It reads [`Request`]s from stdin and writes one
//! [`Response`] per request to stdout. The worker itself never executes sample code: only the
//! forked child does, after [`isolate_child`] has fenced it in.

use crate::sandbox::protocol::{Request, Response};
use crate::sandbox::Limits;
use evalrun_core::Status;
use pyo3::prelude::*;
use pyo3::types::PyModule;
use std::ffi::CString;
use std::io::{BufRead, Write};
use std::time::{Duration, Instant};

const DRIVER: &str = include_str!("driver.py");

/// Modules HumanEval-style tests commonly import; loading them once in the parent makes every
/// forked child start warm.
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

/// Entry point of `evalrun __worker python`. Returns when stdin closes.
pub fn main() -> Result<(), String> {
    // A worker must not outlive the harness that started it.
    #[cfg(target_os = "linux")]
    unsafe {
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
    }
    pyo3::prepare_freethreaded_python();
    Python::with_gil(|py| -> Result<(), String> {
        let driver = load_driver(py).map_err(|e| format!("cannot load the sample driver: {e}"))?;
        for name in WARM_IMPORTS {
            let _ = py.import(*name);
        }
        let stdin = std::io::stdin();
        let mut stdout = std::io::stdout().lock();
        for line in stdin.lock().lines() {
            let line = line.map_err(|e| format!("reading requests: {e}"))?;
            if line.trim().is_empty() {
                continue;
            }
            let response = match serde_json::from_str::<Request>(&line) {
                Ok(request) => run_sample(py, &driver, &request),
                Err(e) => return Err(format!("malformed request: {e}")),
            };
            let mut out = serde_json::to_string(&response).map_err(|e| e.to_string())?;
            out.push('\n');
            stdout.write_all(out.as_bytes()).and_then(|_| stdout.flush()).map_err(|e| e.to_string())?;
        }
        Ok(())
    })
}

fn load_driver(py: Python<'_>) -> PyResult<Py<PyModule>> {
    let code = CString::new(DRIVER).map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))?;
    Ok(PyModule::from_code(py, &code, c"evalrun_driver.py", c"evalrun_driver")?.unbind())
}

/// Fork a child for one sample, supervise it, and turn what happened into a response.
fn run_sample(py: Python<'_>, driver: &Py<PyModule>, request: &Request) -> Response {
    let started = Instant::now();
    let respond = |status, detail: String, exception: Option<String>| Response {
        id: request.id,
        status,
        detail,
        exception,
        exec_s: started.elapsed().as_secs_f64(),
    };
    let scratch = match tempfile::Builder::new().prefix("evalrun-sample-").tempdir() {
        Ok(dir) => dir,
        Err(e) => return respond(Status::Crashed, format!("sandbox: no scratch directory: {e}"), None),
    };
    let mut fds = [0i32; 2];
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return respond(Status::Crashed, "sandbox: pipe failed".into(), None);
    }
    let (read_fd, write_fd) = (fds[0], fds[1]);
    let scratch_path = CString::new(scratch.path().as_os_str().as_encoded_bytes()).unwrap_or_default();

    unsafe { pyo3::ffi::PyOS_BeforeFork() };
    let pid = unsafe { libc::fork() };
    if pid == 0 {
        // Child: never returns.
        unsafe {
            pyo3::ffi::PyOS_AfterFork_Child();
            libc::close(read_fd);
        }
        isolate_child(&scratch_path, &request.limits, write_fd);
        let ok = driver
            .bind(py)
            .getattr("run")
            .and_then(|run| run.call1((request.program.as_str(), write_fd)))
            .is_ok();
        unsafe { libc::_exit(if ok { 0 } else { 70 }) };
    }
    unsafe {
        pyo3::ffi::PyOS_AfterFork_Parent();
        libc::close(write_fd);
    }
    if pid < 0 {
        unsafe { libc::close(read_fd) };
        return respond(Status::Crashed, "sandbox: fork failed".into(), None);
    }

    let deadline = started + Duration::from_secs_f64(request.limits.timeout_s.max(0.001));
    let wait = wait_until(pid, deadline);
    // Whatever the sample left behind in its process group goes with it.
    unsafe { libc::kill(-pid, libc::SIGKILL) };
    let report = read_all(read_fd);
    unsafe { libc::close(read_fd) };
    drop(scratch);

    match wait {
        WaitOutcome::TimedOut => {
            respond(Status::TimedOut, format!("exceeded {} s", request.limits.timeout_s), None)
        }
        WaitOutcome::Exited(code) => match parse_report(&report) {
            Some((status, detail, exception)) => respond(status, detail, exception),
            None => respond(
                Status::Crashed,
                format!("exited with status {code} before reporting a verdict"),
                None,
            ),
        },
        WaitOutcome::Signaled(sig) => match parse_report(&report) {
            // Killed after it reported (e.g. by its own cleanup): the report stands.
            Some((status, detail, exception)) => respond(status, detail, exception),
            None => respond(Status::Crashed, format!("killed by signal {sig} ({})", signal_name(sig)), None),
        },
    }
}

/// Fence the forked child in before it runs any sample code. Runs in the child only.
fn isolate_child(scratch: &CString, limits: &Limits, keep_fd: i32) {
    unsafe {
        // Own process group, so the worker can kill everything the sample starts.
        libc::setpgid(0, 0);
        if libc::chdir(scratch.as_ptr()) != 0 {
            libc::_exit(71);
        }
        // Standard streams go nowhere: the sample cannot write into the worker's protocol.
        let devnull = libc::open(c"/dev/null".as_ptr(), libc::O_RDWR);
        if devnull < 0 {
            libc::_exit(72);
        }
        for fd in 0..3 {
            libc::dup2(devnull, fd);
        }
        if devnull > 2 {
            libc::close(devnull);
        }
        let set = |resource, value: u64| {
            let lim = libc::rlimit { rlim_cur: value, rlim_max: value };
            libc::setrlimit(resource, &lim);
        };
        set(libc::RLIMIT_AS, limits.memory_bytes);
        set(libc::RLIMIT_FSIZE, limits.file_size_bytes);
        set(libc::RLIMIT_NOFILE, limits.open_files.max(keep_fd as u64 + 1));
        set(libc::RLIMIT_CORE, 0);
        // CPU time backs up the wall clock for a sample that somehow escapes the deadline.
        set(libc::RLIMIT_CPU, limits.timeout_s.ceil() as u64 + 1);
    }
}

enum WaitOutcome {
    Exited(i32),
    Signaled(i32),
    TimedOut,
}

/// Wait for `pid` until `deadline`; on time-out, kill its group and reap it.
fn wait_until(pid: libc::pid_t, deadline: Instant) -> WaitOutcome {
    // pidfd lets poll() sleep until the child exits instead of spinning.
    let pidfd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) } as i32;
    loop {
        let mut status = 0;
        let reaped = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
        if reaped == pid {
            if pidfd >= 0 {
                unsafe { libc::close(pidfd) };
            }
            return if libc::WIFSIGNALED(status) {
                WaitOutcome::Signaled(libc::WTERMSIG(status))
            } else {
                WaitOutcome::Exited(libc::WEXITSTATUS(status))
            };
        }
        let now = Instant::now();
        if now >= deadline {
            unsafe {
                libc::kill(-pid, libc::SIGKILL);
                libc::kill(pid, libc::SIGKILL);
                libc::waitpid(pid, &mut status, 0);
                if pidfd >= 0 {
                    libc::close(pidfd);
                }
            }
            return WaitOutcome::TimedOut;
        }
        let left_ms = (deadline - now).as_millis().clamp(1, 100) as i32;
        if pidfd >= 0 {
            let mut pfd = libc::pollfd { fd: pidfd, events: libc::POLLIN, revents: 0 };
            unsafe { libc::poll(&mut pfd, 1, left_ms) };
        } else {
            std::thread::sleep(Duration::from_millis(1));
        }
    }
}

/// Read what the child wrote to its report pipe (non-blocking: the child is gone).
fn read_all(fd: i32) -> Vec<u8> {
    unsafe {
        let flags = libc::fcntl(fd, libc::F_GETFL);
        libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK);
    }
    let mut out = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        let n = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) };
        if n <= 0 || out.len() > 1 << 20 {
            break;
        }
        out.extend_from_slice(&buf[..n as usize]);
    }
    out
}

#[derive(serde::Deserialize)]
struct ChildReport {
    status: Status,
    detail: String,
    exception: Option<String>,
}

fn parse_report(bytes: &[u8]) -> Option<(Status, String, Option<String>)> {
    let report: ChildReport = serde_json::from_slice(bytes).ok()?;
    Some((report.status, report.detail, report.exception))
}

fn signal_name(sig: i32) -> &'static str {
    match sig {
        libc::SIGKILL => "SIGKILL, often the memory limit",
        libc::SIGSEGV => "SIGSEGV",
        libc::SIGXCPU => "SIGXCPU, CPU time limit",
        libc::SIGXFSZ => "SIGXFSZ, file size limit",
        libc::SIGABRT => "SIGABRT",
        libc::SIGTERM => "SIGTERM",
        _ => "signal",
    }
}
