//! Running programs of any toolchain in the sandbox: a *job* is a set of files seeded into a
//! private scratch directory and a sequence of *steps* (say, compile then run), each a command
//! line with its own environment, standard input and [`Limits`].
//!
//! Every step runs behind the same layers as a Python sample ([`Layers`]): its own PID, network,
//! mount, IPC and UTS namespaces, the host file system read-only with homes hidden, a private
//! `/tmp` whose `/tmp/work` is the job's scratch directory (the working directory of every
//! step, kept from one step to the next), an unprivileged uid of its own, no new privileges,
//! and resource limits. Output is captured up to `limits.output_bytes` per stream; a step that
//! prints more is stopped (`output_limit_exceeded`).
//!
//! ```no_run
//! use evalrun_harness::sandbox::command::{run_job, Job, Step};
//! use evalrun_harness::sandbox::Limits;
//!
//! let job = Job::new()
//!     .file("main.cpp", "#include <cstdio>\nint main() { int a, b; std::scanf(\"%d %d\", &a, &b); std::printf(\"%d\\n\", a + b); }\n")
//!     .step(Step::new("compile", ["g++", "-O1", "-o", "main", "main.cpp"])
//!         .limits(Limits { timeout_s: 30.0, ..Limits::default() }))
//!     .step(Step::new("run", ["./main"]).stdin("2 3\n"));
//! let outcome = run_job(&job)?;
//! assert!(outcome.succeeded(&job));
//! assert_eq!(outcome.steps[1].stdout_text(), "5\n");
//! # Ok::<(), evalrun_harness::sandbox::SandboxError>(())
//! ```
//!
//! Steps run in order and the job stops after the first step that does not succeed (exit code
//! 0): its result is then the last one in [`JobOutcome::steps`].

use crate::sandbox::cgroup::{self, Cgroup};
use crate::sandbox::confine::{self, HostView, RawLimits, UID_BASE, WORKDIR};
use crate::sandbox::isolation::{Layers, Protections};
use crate::sandbox::launch::{self, Drain, Namespaces};
use crate::sandbox::seccomp;
use crate::sandbox::{Limits, SandboxError};
use libc::{c_char, c_int};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::ffi::CString;
use std::path::{Component, Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Files and steps to run in one private scratch directory.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Job {
    /// Files written into the scratch directory before the first step, by relative path
    /// (subdirectories are created; `..` and absolute paths are refused).
    pub files: BTreeMap<String, Vec<u8>>,
    pub steps: Vec<Step>,
}

impl Job {
    pub fn new() -> Job {
        Job::default()
    }

    /// Seed a file into the scratch directory.
    pub fn file(mut self, path: impl Into<String>, contents: impl Into<Vec<u8>>) -> Job {
        self.files.insert(path.into(), contents.into());
        self
    }

    /// Append a step.
    pub fn step(mut self, step: Step) -> Job {
        self.steps.push(step);
        self
    }
}

/// One command of a job.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Step {
    /// A label for reports (`compile`, `run`).
    pub name: String,
    /// The program and its arguments. A program without a `/` is looked up on `PATH`; one with
    /// a `/` is taken relative to the scratch directory (`./main`).
    pub argv: Vec<String>,
    /// Environment added to (or replacing entries of) the default one: `PATH` (evalrun's),
    /// `HOME` and `PWD` (the scratch directory), `TMPDIR=/tmp`, `LANG=C.UTF-8`, and the
    /// toolchain homes evalrun itself has (`RUSTUP_HOME`, `CARGO_HOME`, `JAVA_HOME`, ...).
    pub env: BTreeMap<String, String>,
    /// Standard input; `None` reads from `/dev/null`.
    pub stdin: Option<Vec<u8>>,
    pub limits: Limits,
}

impl Step {
    pub fn new<I, S>(name: impl Into<String>, argv: I) -> Step
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Step {
            name: name.into(),
            argv: argv.into_iter().map(Into::into).collect(),
            env: BTreeMap::new(),
            stdin: None,
            limits: Limits::default(),
        }
    }

    pub fn env(mut self, key: impl Into<String>, value: impl Into<String>) -> Step {
        self.env.insert(key.into(), value.into());
        self
    }

    pub fn stdin(mut self, input: impl Into<Vec<u8>>) -> Step {
        self.stdin = Some(input.into());
        self
    }

    pub fn limits(mut self, limits: Limits) -> Step {
        self.limits = limits;
        self
    }
}

/// What one step did.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct StepResult {
    pub name: String,
    /// Exit code, when it exited.
    pub exit_code: Option<i32>,
    /// The signal that killed it, when one did (`SIGKILL` at the deadline or the output cap).
    pub signal: Option<i32>,
    /// Killed at its wall-clock limit.
    pub timed_out: bool,
    /// Stopped because it printed more than `limits.output_bytes` on a stream.
    pub output_limit_exceeded: bool,
    pub wall_s: f64,
    /// Standard output, at most `limits.output_bytes` of it.
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub stdout_truncated: bool,
    pub stderr_truncated: bool,
    /// The program could not be started (not found, not executable): why.
    pub exec_error: Option<String>,
}

impl StepResult {
    /// It ran to the end and exited with 0.
    pub fn succeeded(&self) -> bool {
        self.exit_code == Some(0)
            && !self.timed_out
            && !self.output_limit_exceeded
            && self.exec_error.is_none()
    }

    pub fn stdout_text(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.stdout)
    }

    pub fn stderr_text(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.stderr)
    }

    /// One line on how it ended: `exit 0`, `exit 1`, `timed out after 3 s`, `killed by SIGSEGV`.
    pub fn describe(&self) -> String {
        if let Some(e) = &self.exec_error {
            return format!("{}: cannot start: {e}", self.name);
        }
        let how = if self.timed_out {
            format!("timed out after {:.1} s", self.wall_s)
        } else if self.output_limit_exceeded {
            "stopped: output limit exceeded".to_string()
        } else if let Some(sig) = self.signal {
            format!("killed by {}", launch::signal_name(sig))
        } else {
            format!("exit {}", self.exit_code.unwrap_or(-1))
        };
        format!("{}: {how}", self.name)
    }
}

/// The steps that ran, in order, and the isolation they ran under.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct JobOutcome {
    pub steps: Vec<StepResult>,
    /// The layers in effect.
    pub layers: Layers,
}

impl JobOutcome {
    /// Every step ran and succeeded.
    pub fn succeeded(&self, job: &Job) -> bool {
        self.steps.len() == job.steps.len() && self.steps.iter().all(StepResult::succeeded)
    }

    pub fn last(&self) -> Option<&StepResult> {
        self.steps.last()
    }
}

/// Run `job` behind every isolation layer this system allows (or those `EVALRUN_SANDBOX_LAYERS`
/// selects). `Err` means the sandbox itself failed (a bad file path, no scratch directory, a
/// failed set-up); whatever the steps do is in the [`JobOutcome`].
pub fn run_job(job: &Job) -> Result<JobOutcome, SandboxError> {
    run_job_with(job, Layers::from_env().map_err(SandboxError::Config)?)
}

/// [`run_job`] with the layers chosen by the caller (the benchmark measures each one's cost).
pub fn run_job_with(job: &Job, layers: Layers) -> Result<JobOutcome, SandboxError> {
    let protections = Protections::for_request(layers);
    protections.warn_once();
    let layers = protections.effective;
    let root = confine::is_root();
    // Unique among live sandboxes: a thread runs one job at a time, and thread ids are unique.
    let uid = (layers.user && root).then(|| UID_BASE + unsafe { libc::syscall(libc::SYS_gettid) } as u32);
    let scratch = Scratch::new(job, layers, uid)?;
    seed(&scratch.path(), &job.files, uid)?;
    let filters = if layers.seccomp { Some(seccomp::filters()?) } else { None };
    let cgroup = if layers.cgroup { Some(Cgroup::create()?) } else { None };
    let view = host_view();
    let mut results = Vec::with_capacity(job.steps.len());
    for step in &job.steps {
        let fence = StepFence { layers, uid, scratch: &scratch, view, filters, cgroup: cgroup.as_ref() };
        let result = run_step(step, &fence)?;
        if let Some(uid) = uid.filter(|_| !layers.pid) {
            confine::kill_user(uid);
        }
        let ok = result.succeeded();
        results.push(result);
        if !ok {
            break;
        }
    }
    Ok(JobOutcome { steps: results, layers })
}

/// A job's scratch directory: a detached tmpfs of the largest `scratch_bytes` among its steps
/// (with the mount layer, where the system allows one: bounded in total), or a directory on the
/// host's disk.
enum Scratch {
    Tmpfs { fd: std::os::fd::OwnedFd, path: CString },
    Disk { dir: tempfile::TempDir, path: CString },
}

impl Scratch {
    fn new(job: &Job, layers: Layers, uid: Option<u32>) -> Result<Scratch, SandboxError> {
        if layers.mount && confine::scratch_tmpfs_available() {
            let size = job.steps.iter().map(|s| s.limits.scratch_bytes).max().unwrap_or(0);
            let default = Limits::default().scratch_bytes;
            let fd = confine::detached_tmpfs(if size == 0 { default } else { size }, uid)
                .map_err(|e| SandboxError::io("creating the scratch tmpfs", e))?;
            let path = format!("/proc/self/fd/{}", std::os::fd::AsRawFd::as_raw_fd(&fd));
            return Ok(Scratch::Tmpfs { fd, path: c_path(Path::new(&path))? });
        }
        let dir = tempfile::Builder::new()
            .prefix("evalrun-job-")
            .tempdir()
            .map_err(|e| SandboxError::io("creating a scratch directory", e))?;
        let path = c_path(dir.path())?;
        if let Some(uid) = uid {
            std::os::unix::fs::lchown(dir.path(), Some(uid), Some(uid))
                .map_err(|e| SandboxError::io("handing the scratch directory to the sandbox user", e))?;
        }
        Ok(Scratch::Disk { dir, path })
    }

    /// Where this process reaches it.
    fn path(&self) -> PathBuf {
        match self {
            Scratch::Tmpfs { path, .. } => PathBuf::from(path.to_string_lossy().into_owned()),
            Scratch::Disk { dir, .. } => dir.path().to_path_buf(),
        }
    }

    fn c_path(&self) -> &CString {
        match self {
            Scratch::Tmpfs { path, .. } | Scratch::Disk { path, .. } => path,
        }
    }
}

/// What fences every step of a job in, prepared before its steps run.
struct StepFence<'a> {
    layers: Layers,
    uid: Option<u32>,
    scratch: &'a Scratch,
    view: &'a HostView,
    filters: Option<&'static seccomp::Filters>,
    cgroup: Option<&'a Cgroup>,
}

fn host_view() -> &'static HostView {
    static VIEW: OnceLock<HostView> = OnceLock::new();
    VIEW.get_or_init(|| HostView::for_host(&[]))
}

fn c_path(path: &Path) -> Result<CString, SandboxError> {
    CString::new(path.as_os_str().as_encoded_bytes())
        .map_err(|_| SandboxError::Config(format!("path {} holds a NUL byte", path.display())))
}

/// Write the job's files into the scratch directory (handed to the sandbox user already), owned by
/// the sandbox user.
fn seed(dir: &Path, files: &BTreeMap<String, Vec<u8>>, uid: Option<u32>) -> Result<(), SandboxError> {
    let chown = |path: &Path| -> Result<(), SandboxError> {
        if let Some(uid) = uid {
            std::os::unix::fs::lchown(path, Some(uid), Some(uid)).map_err(|e| {
                SandboxError::io(format!("handing {} to the sandbox user", path.display()), e)
            })?;
        }
        Ok(())
    };
    for (name, contents) in files {
        let rel = Path::new(name);
        let plain = rel.components().all(|c| matches!(c, Component::Normal(_)));
        if name.is_empty() || !plain {
            return Err(SandboxError::Config(format!(
                "job file `{name}`: must be a relative path without `..`"
            )));
        }
        let path = dir.join(rel);
        let mut created = dir.to_path_buf();
        for part in rel.parent().into_iter().flat_map(Path::components) {
            created.push(part);
            if !created.is_dir() {
                std::fs::create_dir(&created)
                    .map_err(|e| SandboxError::io(format!("creating {}", created.display()), e))?;
                chown(&created)?;
            }
        }
        std::fs::write(&path, contents)
            .map_err(|e| SandboxError::io(format!("writing job file `{name}`"), e))?;
        chown(&path)?;
    }
    Ok(())
}

/// The program to execute: a name without `/` looked up on the step's `PATH`.
fn resolve(program: &str, path_var: &str, scratch: &Path) -> Option<PathBuf> {
    if program.contains('/') {
        return Some(PathBuf::from(program));
    }
    std::env::split_paths(path_var).map(|d| d.join(program)).find(|p| {
        use std::os::unix::fs::PermissionsExt;
        let p = if p.is_relative() { scratch.join(p) } else { p.clone() };
        p.metadata().is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    })
}

/// The default environment of a step (see [`Step::env`]).
fn default_env(home: &str) -> BTreeMap<String, String> {
    let mut env = BTreeMap::new();
    let host = |k: &str| std::env::var(k).ok();
    env.insert("PATH".into(), host("PATH").unwrap_or_else(|| "/usr/local/bin:/usr/bin:/bin".into()));
    env.insert("HOME".into(), home.into());
    env.insert("PWD".into(), home.into());
    env.insert("TMPDIR".into(), "/tmp".into());
    env.insert("LANG".into(), "C.UTF-8".into());
    // HOME moves, so toolchains that find themselves through it are told where they are.
    let user_home = host("HOME").map(PathBuf::from);
    let in_home = |rel: &str| {
        user_home.as_ref().map(|h| h.join(rel)).filter(|p| p.is_dir()).map(|p| p.display().to_string())
    };
    let homes = [
        ("RUSTUP_HOME", host("RUSTUP_HOME").or_else(|| in_home(".rustup"))),
        ("CARGO_HOME", host("CARGO_HOME").or_else(|| in_home(".cargo"))),
        ("PYENV_ROOT", host("PYENV_ROOT").or_else(|| in_home(".pyenv"))),
        ("JAVA_HOME", host("JAVA_HOME")),
        ("NVM_DIR", host("NVM_DIR")),
    ];
    for (key, value) in homes {
        if let Some(value) = value {
            env.insert(key.into(), value);
        }
    }
    env
}

fn cstrings<'a>(items: impl Iterator<Item = Cow<'a, str>>, what: &str) -> Result<Vec<CString>, SandboxError> {
    items
        .map(|s| {
            CString::new(s.as_bytes())
                .map_err(|_| SandboxError::Config(format!("{what} `{s}` holds a NUL byte")))
        })
        .collect()
}

fn pointers(strings: &[CString]) -> Vec<*const c_char> {
    strings.iter().map(|s| s.as_ptr()).chain(std::iter::once(std::ptr::null())).collect()
}

/// Standard input as a descriptor: a sealed in-memory file holding `data`, or `/dev/null`.
fn stdin_fd(data: Option<&[u8]>) -> Result<c_int, SandboxError> {
    let err = |e| SandboxError::io("preparing standard input", e);
    unsafe {
        let Some(data) = data else {
            let fd = libc::open(c"/dev/null".as_ptr(), libc::O_RDONLY | libc::O_CLOEXEC);
            return if fd < 0 { Err(err(std::io::Error::last_os_error())) } else { Ok(fd) };
        };
        let fd = libc::memfd_create(c"evalrun-stdin".as_ptr(), libc::MFD_CLOEXEC);
        if fd < 0 {
            return Err(err(std::io::Error::last_os_error()));
        }
        let mut written = 0;
        while written < data.len() {
            let n = libc::write(fd, data[written..].as_ptr().cast(), data.len() - written);
            if n <= 0 {
                let e = std::io::Error::last_os_error();
                libc::close(fd);
                return Err(err(e));
            }
            written += n as usize;
        }
        libc::lseek(fd, 0, libc::SEEK_SET);
        Ok(fd)
    }
}

fn run_step(step: &Step, fence: &StepFence) -> Result<StepResult, SandboxError> {
    let StepFence { layers, uid, scratch: job_scratch, view, filters, cgroup } = *fence;
    let scratch = job_scratch.c_path();
    let started = Instant::now();
    let not_started = |why: String| StepResult {
        name: step.name.clone(),
        exit_code: None,
        signal: None,
        timed_out: false,
        output_limit_exceeded: false,
        wall_s: started.elapsed().as_secs_f64(),
        stdout: Vec::new(),
        stderr: Vec::new(),
        stdout_truncated: false,
        stderr_truncated: false,
        exec_error: Some(why),
    };
    if let Some(problem) = step.limits.invalid() {
        return Err(SandboxError::Config(format!("step `{}`: {problem}", step.name)));
    }
    let Some(program) = step.argv.first() else {
        return Err(SandboxError::Config(format!("step `{}` has an empty command line", step.name)));
    };
    let workdir = if layers.mount {
        WORKDIR.to_string_lossy().into_owned()
    } else {
        scratch.to_string_lossy().into_owned()
    };
    let mut env = default_env(&workdir);
    env.extend(step.env.clone());
    let path_var = env.get("PATH").cloned().unwrap_or_default();
    let host_scratch = job_scratch.path();
    let Some(exe) = resolve(program, &path_var, &host_scratch) else {
        return Ok(not_started(format!("`{program}` not found on PATH")));
    };
    let exe = c_path(&exe)?;
    let argv = cstrings(step.argv.iter().map(|a| Cow::Borrowed(a.as_str())), "argument")?;
    let envp = cstrings(env.iter().map(|(k, v)| Cow::Owned(format!("{k}={v}"))), "environment entry")?;
    let (argv_p, envp_p) = (pointers(&argv), pointers(&envp));
    let limits = RawLimits::new(&step.limits, 8, 0);
    let tmp_options = confine::tmp_options(&step.limits);
    let ns = Namespaces::new(layers.namespace_flags(), false);
    let tmpfs = match job_scratch {
        Scratch::Tmpfs { fd, .. } => Some(std::os::fd::AsRawFd::as_raw_fd(fd)),
        Scratch::Disk { .. } => None,
    };
    let cgroup_fds = match cgroup {
        Some(group) => {
            group.set_limits(step.limits.memory_bytes, step.limits.processes)?;
            group.procs_fds()
        }
        None => [-1; 2],
    };

    let stdin = stdin_fd(step.stdin.as_deref())?;
    let (out_r, out_w) = launch::pipe().map_err(|e| SandboxError::io("creating a pipe", e))?;
    let (err_r, err_w) = launch::pipe().map_err(|e| SandboxError::io("creating a pipe", e))?;
    let mut setup = |report: &mut c_int| -> Result<(), confine::Failure> {
        // Runs in the forked child of a possibly multi-threaded process: system calls on
        // prepared data only.
        unsafe {
            cgroup::enter(&cgroup_fds)?;
            if layers.mount {
                let tree = match tmpfs {
                    Some(fd) => confine::clone_scratch_fd(fd)?,
                    None => confine::clone_scratch(scratch)?,
                };
                view.apply()?;
                confine::private_dirs(&tmp_options, Some(tree), None, layers.pid)?;
                confine::chdir(WORKDIR)?;
            } else {
                confine::chdir(scratch)?;
            }
            if layers.ipc {
                confine::set_hostname()?;
            }
            // Descriptors first: the limit on open files could forbid moving them.
            confine::arrange_fds([stdin, out_w, err_w], &[(*report, true)])?;
            *report = 3;
            limits.apply()?;
            if layers.user {
                match uid {
                    Some(uid) => confine::become_user(uid).map(drop)?,
                    None => confine::drop_capabilities()?,
                }
            }
            confine::no_new_privileges()?;
            // Last: the set-up above needs calls the filter denies.
            match filters {
                Some(f) => f.install(),
                None => Ok(()),
            }
        }
    };
    let mut body = || -> c_int {
        unsafe {
            libc::execve(exe.as_ptr(), argv_p.as_ptr(), envp_p.as_ptr());
            let failure = confine::Failure {
                stage: confine::Stage::Exec,
                errno: std::io::Error::last_os_error().raw_os_error().unwrap_or(0),
            };
            let bytes = failure.to_bytes();
            // The report pipe sits on descriptor 3 now.
            libc::write(3, bytes.as_ptr().cast(), bytes.len());
            127
        }
    };
    let launched = unsafe { launch::launch(&ns, launch::Clone::Vfork, &mut setup, &mut body) };
    unsafe {
        libc::close(stdin);
        libc::close(out_w);
        libc::close(err_w);
    }
    let launched = match launched {
        Ok(l) => l,
        Err(e) => {
            unsafe {
                libc::close(out_r);
                libc::close(err_r);
            }
            return Err(SandboxError::io("forking a sandboxed process", e));
        }
    };
    let cap = usize::try_from(step.limits.output_bytes).unwrap_or(usize::MAX);
    let mut out = Drain::new(out_r, cap, false, true);
    let mut err = Drain::new(err_r, cap, false, true);
    let deadline = started + Duration::from_secs_f64(step.limits.timeout_s);
    let ended = launched.supervise(deadline, &mut [&mut out, &mut err]);
    if let Some(failure) = ended.setup {
        if failure.stage == confine::Stage::Exec {
            return Ok(not_started(format!(
                "cannot execute `{program}`: {}",
                std::io::Error::from_raw_os_error(failure.errno)
            )));
        }
        return Err(SandboxError::Setup { what: format!("step `{}`", step.name), failure });
    }
    Ok(StepResult {
        name: step.name.clone(),
        exit_code: ended.code,
        signal: ended.signal,
        timed_out: ended.timed_out,
        output_limit_exceeded: ended.output_exceeded && !ended.timed_out,
        wall_s: ended.wall.as_secs_f64(),
        stdout_truncated: out.truncated(),
        stderr_truncated: err.truncated(),
        stdout: std::mem::take(&mut out.data),
        stderr: std::mem::take(&mut err.data),
        exec_error: None,
    })
}
