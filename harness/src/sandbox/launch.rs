//! Starting a sandboxed process and watching it to the end.
//!
//! [`launch`] forks a *keeper* in a process group of its own, which enters new namespaces and,
//! with a PID namespace, forks the sandboxed process as that namespace's PID 1 (when PID 1 dies
//! the kernel kills everything else in the namespace: nothing a sample starts outlives it). The
//! keeper waits for it and passes its exit status on, so the supervisor only ever waits for its
//! own child. [`Launched::supervise`] drains the process's pipes (keeping at most a cap of each),
//! enforces the wall-clock deadline by killing the keeper's group, and reaps it.

use crate::sandbox::confine::{self, Failure, Stage, SETUP_FAILED};
use libc::{c_int, c_void, pid_t};
use std::time::{Duration, Instant};

/// Namespaces the keeper enters before the sandboxed process starts.
pub struct Namespaces {
    /// `CLONE_NEW*` flags for `unshare`; with `CLONE_NEWPID` the process becomes PID 1.
    pub flags: c_int,
    /// Maps to write when `flags` holds `CLONE_NEWUSER`.
    pub id_map: Option<confine::IdMap>,
}

/// A started sandbox: its keeper's pid, and how to learn of its end and of set-up failures.
pub struct Launched {
    keeper: pid_t,
    pidfd: c_int,
    setup_errors: c_int,
    started: Instant,
}

/// How a sandboxed process ended.
#[derive(Debug, Clone, PartialEq)]
pub struct Ended {
    /// Exit code, when it exited.
    pub code: Option<i32>,
    /// Signal that killed it, when one did.
    pub signal: Option<i32>,
    /// Killed at the wall-clock deadline.
    pub timed_out: bool,
    /// Killed because a drained stream passed its cap.
    pub output_exceeded: bool,
    /// Set-up failed before the program or sample ran.
    pub setup: Option<Failure>,
    pub wall: Duration,
}

/// Start a sandbox. In the child, `setup` fences it in (it receives the descriptor set-up
/// failures are reported on, to keep open with close-on-exec, and updates it when it moves it),
/// then `body` runs and its return value is the exit code. Both run in a forked child: async-signal-safe code only, unless the
/// caller is single-threaded.
///
/// # Safety
/// Forks; the child runs `setup` and `body` and never returns.
pub unsafe fn launch(
    ns: &Namespaces,
    setup: &mut dyn FnMut(&mut c_int) -> Result<(), Failure>,
    body: &mut dyn FnMut() -> c_int,
) -> std::io::Result<Launched> {
    let mut fds = [0 as c_int; 2];
    if libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) != 0 {
        return Err(std::io::Error::last_os_error());
    }
    let (err_read, err_write) = (fds[0], fds[1]);
    let started = Instant::now();
    let keeper = libc::fork();
    if keeper < 0 {
        let e = std::io::Error::last_os_error();
        libc::close(err_read);
        libc::close(err_write);
        return Err(e);
    }
    if keeper == 0 {
        libc::close(err_read);
        keep(ns, err_write, setup, body);
    }
    libc::close(err_write);
    // Both sides set the group, so that it exists whichever runs first.
    libc::setpgid(keeper, keeper);
    let pidfd = libc::syscall(libc::SYS_pidfd_open, keeper, 0) as c_int;
    Ok(Launched { keeper, pidfd, setup_errors: err_read, started })
}

/// The keeper: enter the namespaces, then either become the sandboxed process or fork it as
/// PID 1 and wait for it. Never returns.
unsafe fn keep(
    ns: &Namespaces,
    err: c_int,
    setup: &mut dyn FnMut(&mut c_int) -> Result<(), Failure>,
    body: &mut dyn FnMut() -> c_int,
) -> ! {
    let fail = |f: Failure| -> ! {
        let bytes = f.to_bytes();
        libc::write(err, bytes.as_ptr() as *const c_void, bytes.len());
        libc::_exit(SETUP_FAILED)
    };
    libc::setpgid(0, 0);
    let limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    libc::setrlimit(libc::RLIMIT_CORE, &limit);
    if let Err(f) = confine::unshare(ns.flags) {
        fail(f)
    }
    if let Some(map) = ns.id_map.as_ref().filter(|_| ns.flags & libc::CLONE_NEWUSER != 0) {
        if let Err(f) = map.write() {
            fail(f)
        }
    }
    if ns.flags & libc::CLONE_NEWPID == 0 {
        run(err, setup, body, false)
    }
    let child = libc::fork();
    if child < 0 {
        fail(Failure { stage: Stage::Fork, errno: std::io::Error::last_os_error().raw_os_error().unwrap_or(0) })
    }
    if child == 0 {
        run(err, setup, body, true)
    }
    libc::close(err);
    let mut status = 0;
    loop {
        let r = libc::waitpid(child, &mut status, 0);
        if r == child {
            break;
        }
        if r < 0 && std::io::Error::last_os_error().raw_os_error() != Some(libc::EINTR) {
            libc::_exit(SETUP_FAILED);
        }
    }
    if libc::WIFSIGNALED(status) {
        // Die the same way, so the supervisor sees the signal.
        let sig = libc::WTERMSIG(status);
        libc::signal(sig, libc::SIG_DFL);
        libc::kill(libc::getpid(), sig);
        libc::_exit(128 + sig);
    }
    libc::_exit(libc::WEXITSTATUS(status))
}

unsafe fn run(
    err: c_int,
    setup: &mut dyn FnMut(&mut c_int) -> Result<(), Failure>,
    body: &mut dyn FnMut() -> c_int,
    pid1: bool,
) -> ! {
    let mut err = err;
    if let Err(f) = setup(&mut err) {
        let bytes = f.to_bytes();
        libc::write(err, bytes.as_ptr() as *const c_void, bytes.len());
        libc::_exit(SETUP_FAILED);
    }
    if pid1 {
        // Die with the keeper (set after any change of user, which clears it).
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0);
    }
    let code = body();
    libc::_exit(code)
}

/// A pipe the supervisor reads while the process runs, keeping at most `cap` bytes.
pub struct Drain {
    fd: c_int,
    cap: usize,
    /// Keep the last `cap` bytes instead of the first.
    keep_tail: bool,
    /// Stop the process when it writes more than `cap`.
    kill_on_overflow: bool,
    pub data: Vec<u8>,
    pub total: u64,
    open: bool,
}

impl Drain {
    /// Takes ownership of `fd` (closed when the drain is dropped).
    pub fn new(fd: c_int, cap: usize, keep_tail: bool, kill_on_overflow: bool) -> Drain {
        unsafe {
            let flags = libc::fcntl(fd, libc::F_GETFL);
            libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK);
        }
        Drain { fd, cap, keep_tail, kill_on_overflow, data: Vec::new(), total: 0, open: true }
    }

    pub fn truncated(&self) -> bool {
        self.total > self.data.len() as u64
    }

    fn overflowed(&self) -> bool {
        self.total > self.cap as u64
    }

    /// Read what is there now; false once the writer side is closed.
    fn read_available(&mut self) {
        let mut buf = [0u8; 65536];
        while self.open {
            let n = unsafe { libc::read(self.fd, buf.as_mut_ptr() as *mut c_void, buf.len()) };
            if n == 0 {
                self.open = false;
            } else if n < 0 {
                let e = std::io::Error::last_os_error().raw_os_error();
                if e != Some(libc::EINTR) {
                    if e != Some(libc::EAGAIN) {
                        self.open = false;
                    }
                    return;
                }
            } else {
                let chunk = &buf[..n as usize];
                self.total += chunk.len() as u64;
                if self.keep_tail {
                    self.data.extend_from_slice(chunk);
                    if self.data.len() > 2 * self.cap {
                        let excess = self.data.len() - self.cap;
                        self.data.drain(..excess);
                    }
                } else if self.data.len() < self.cap {
                    let room = self.cap - self.data.len();
                    self.data.extend_from_slice(&chunk[..chunk.len().min(room)]);
                }
            }
        }
    }

    fn finish(&mut self) {
        self.read_available();
        if self.keep_tail && self.data.len() > self.cap {
            let excess = self.data.len() - self.cap;
            self.data.drain(..excess);
        }
    }
}

impl Drop for Drain {
    fn drop(&mut self) {
        unsafe { libc::close(self.fd) };
    }
}

impl Launched {
    pub fn keeper(&self) -> pid_t {
        self.keeper
    }

    fn kill(&self) {
        unsafe {
            libc::kill(-self.keeper, libc::SIGKILL);
            libc::kill(self.keeper, libc::SIGKILL);
        }
    }

    /// Drain `drains` until the process ends or `deadline` passes (then kill it), reap it, and
    /// say how it ended.
    pub fn supervise(self, deadline: Instant, drains: &mut [&mut Drain]) -> Ended {
        let mut timed_out = false;
        let mut output_exceeded = false;
        let mut status = 0;
        loop {
            if unsafe { libc::waitpid(self.keeper, &mut status, libc::WNOHANG) } == self.keeper {
                break;
            }
            let now = Instant::now();
            if now >= deadline {
                timed_out = true;
                self.kill();
                unsafe { libc::waitpid(self.keeper, &mut status, 0) };
                break;
            }
            let mut pfds: Vec<libc::pollfd> = Vec::with_capacity(1 + drains.len());
            if self.pidfd >= 0 {
                pfds.push(libc::pollfd { fd: self.pidfd, events: libc::POLLIN, revents: 0 });
            }
            for d in drains.iter().filter(|d| d.open) {
                pfds.push(libc::pollfd { fd: d.fd, events: libc::POLLIN, revents: 0 });
            }
            // Without a pidfd, wake up now and then to look.
            let cap_ms = if self.pidfd >= 0 { 1000 } else { 5 };
            let wait_ms = (deadline - now).as_millis().clamp(1, cap_ms) as c_int;
            unsafe { libc::poll(pfds.as_mut_ptr(), pfds.len() as libc::nfds_t, wait_ms) };
            for d in drains.iter_mut() {
                d.read_available();
                if d.kill_on_overflow && d.overflowed() && !output_exceeded {
                    output_exceeded = true;
                    self.kill();
                }
            }
        }
        let wall = self.started.elapsed();
        for d in drains.iter_mut() {
            d.finish();
        }
        let mut report = [0u8; 8];
        let n = unsafe { libc::read(self.setup_errors, report.as_mut_ptr() as *mut c_void, report.len()) };
        let setup = if n == 8 { Failure::from_bytes(&report) } else { None };
        let (code, signal) = if libc::WIFSIGNALED(status) {
            (None, Some(libc::WTERMSIG(status)))
        } else {
            (Some(libc::WEXITSTATUS(status)), None)
        };
        Ended { code, signal, timed_out, output_exceeded, setup, wall }
    }
}

impl Drop for Launched {
    fn drop(&mut self) {
        unsafe {
            if self.pidfd >= 0 {
                libc::close(self.pidfd);
            }
            libc::close(self.setup_errors);
        }
    }
}

/// A pipe: (read end, write end), both close-on-exec.
pub fn pipe() -> std::io::Result<(c_int, c_int)> {
    let mut fds = [0 as c_int; 2];
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok((fds[0], fds[1]))
}

/// Name a signal for a human.
pub fn signal_name(sig: i32) -> &'static str {
    match sig {
        libc::SIGKILL => "SIGKILL",
        libc::SIGSEGV => "SIGSEGV",
        libc::SIGXCPU => "SIGXCPU (CPU time limit)",
        libc::SIGXFSZ => "SIGXFSZ (file size limit)",
        libc::SIGABRT => "SIGABRT",
        libc::SIGTERM => "SIGTERM",
        libc::SIGBUS => "SIGBUS",
        libc::SIGFPE => "SIGFPE",
        libc::SIGILL => "SIGILL",
        libc::SIGPIPE => "SIGPIPE",
        _ => "a signal",
    }
}
