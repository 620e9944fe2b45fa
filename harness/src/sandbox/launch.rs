//! Starting a sandboxed process and watching it to the end.
//!
//! [`launch`] clones the process straight into its new namespaces (with a PID namespace it is
//! that namespace's PID 1: when it dies the kernel kills everything else in the namespace, so
//! nothing a sample starts outlives it) and into a process group of its own. Python samples are
//! cloned like a `fork` (the child runs the warm interpreter); programs are cloned like a
//! `vfork` (the child shares the parent's memory until it executes the program, so starting one
//! costs nothing however large the caller is). [`Launched::supervise`] drains the process's
//! pipes (keeping at most a cap of each), enforces the wall-clock deadline by killing it and its
//! group, and reaps it.

use crate::sandbox::confine::{self, Failure, SETUP_FAILED};
use libc::{c_int, c_void, pid_t};
use std::time::{Duration, Instant};

/// Namespaces the sandboxed process is created in, and the cgroup.
pub struct Namespaces {
    /// `CLONE_NEW*` flags; with `CLONE_NEWPID` the process becomes PID 1.
    pub flags: c_int,
    /// Maps to write when `flags` holds `CLONE_NEWUSER`.
    pub id_map: Option<confine::IdMap>,
    /// A cgroup v2 directory to create a [`Clone::Fork`] child in (-1: the caller's own); see
    /// [`clone_into_cgroup`].
    pub cgroup: c_int,
}

impl Namespaces {
    /// `flags`, plus a user namespace where they need one: when not running as root (and not
    /// inside one of evalrun's already), creating namespaces takes one.
    pub fn new(flags: c_int, in_user_namespace: bool) -> Namespaces {
        let userns = !confine::is_root() && !in_user_namespace && flags != 0;
        if userns {
            Namespaces {
                flags: flags | libc::CLONE_NEWUSER,
                id_map: Some(confine::IdMap::for_current()),
                cgroup: -1,
            }
        } else {
            Namespaces { flags, id_map: None, cgroup: -1 }
        }
    }

    /// The same, with a [`Clone::Fork`] child created in the cgroup v2 directory `dir`.
    pub fn in_cgroup(self, dir: c_int) -> Namespaces {
        Namespaces { cgroup: dir, ..self }
    }
}

/// The kernel's `struct clone_args` (`CLONE_ARGS_SIZE_VER2`: with `cgroup`).
#[repr(C)]
#[derive(Default)]
struct CloneArgs {
    flags: u64,
    pidfd: u64,
    child_tid: u64,
    parent_tid: u64,
    exit_signal: u64,
    stack: u64,
    stack_size: u64,
    tls: u64,
    set_tid: u64,
    set_tid_size: u64,
    cgroup: u64,
}

const CLONE_INTO_CGROUP: u64 = 0x2_0000_0000;

/// `clone3` like a `fork`, with `flags` (`CLONE_NEW*`), the child created straight in the cgroup
/// v2 directory `dir` (Linux 5.7): no migration afterwards, which takes the kernel's cgroup-wide
/// lock at every sample (about a third of the cgroup layer's cost, docs/PERFORMANCE.md). Returns
/// the pid in the parent, 0 in the child, -1 on failure (`errno` set).
///
/// # Safety
/// As [`Clone::Fork`]: the child is a copy of the caller.
pub unsafe fn clone_into_cgroup(flags: c_int, dir: c_int) -> pid_t {
    let args = CloneArgs {
        flags: u64::from(flags as u32) | CLONE_INTO_CGROUP,
        exit_signal: libc::SIGCHLD as u64,
        cgroup: dir as u64,
        ..CloneArgs::default()
    };
    libc::syscall(libc::SYS_clone3, &args as *const CloneArgs, std::mem::size_of::<CloneArgs>()) as pid_t
}

/// How the child is created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clone {
    /// A copy of the caller (the caller must be single-threaded: the child goes on running
    /// its code, Python included).
    Fork,
    /// Sharing the caller's memory until `body` executes a program, on a stack of its own; the
    /// caller waits meanwhile. `setup` and `body` must only make system calls (the caller may
    /// be multi-threaded).
    Vfork,
}

/// A started sandbox: its pid, and how to learn of its end and of set-up failures.
pub struct Launched {
    pid: pid_t,
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

struct Child<'a> {
    ns: &'a Namespaces,
    err: c_int,
    setup: &'a mut dyn FnMut(&mut c_int) -> Result<(), Failure>,
    body: &'a mut dyn FnMut() -> c_int,
}

const VFORK_STACK: usize = 256 << 10;

/// Start a sandbox. In the child, `setup` fences it in (it receives the descriptor set-up
/// failures are reported on, to keep open with close-on-exec, and updates it when it moves it),
/// then `body` runs and its return value is the exit code.
///
/// # Safety
/// Clones the calling process; see [`Clone`] for what the child may do.
pub unsafe fn launch(
    ns: &Namespaces,
    how: Clone,
    setup: &mut dyn FnMut(&mut c_int) -> Result<(), Failure>,
    body: &mut dyn FnMut() -> c_int,
) -> std::io::Result<Launched> {
    let (err_read, err_write) = pipe()?;
    let started = Instant::now();
    let mut child = Child { ns, err: err_write, setup, body };
    let pid = match how {
        Clone::Fork => {
            let pid = if ns.cgroup >= 0 {
                clone_into_cgroup(ns.flags, ns.cgroup)
            } else {
                libc::syscall(
                    libc::SYS_clone,
                    (ns.flags | libc::SIGCHLD) as libc::c_ulong,
                    0usize,
                    0usize,
                    0usize,
                    0usize,
                ) as pid_t
            };
            if pid == 0 {
                child_main(&mut child);
            }
            pid
        }
        Clone::Vfork => {
            let mut stack = vec![0u8; VFORK_STACK];
            let top = stack.as_mut_ptr().add(VFORK_STACK - 64);
            let top = (top as usize & !15) as *mut c_void;
            let flags = ns.flags | libc::CLONE_VM | libc::CLONE_VFORK | libc::SIGCHLD;
            let pid = libc::clone(vfork_entry, top, flags, &mut child as *mut Child as *mut c_void);
            drop(stack);
            pid
        }
    };
    libc::close(err_write);
    if pid < 0 {
        let e = std::io::Error::last_os_error();
        libc::close(err_read);
        return Err(e);
    }
    // Both sides set the group, so that it exists whichever runs first.
    libc::setpgid(pid, pid);
    let pidfd = libc::syscall(libc::SYS_pidfd_open, pid, 0) as c_int;
    Ok(Launched { pid, pidfd, setup_errors: err_read, started })
}

extern "C" fn vfork_entry(arg: *mut c_void) -> c_int {
    // SAFETY: `arg` is the `Child` on the suspended caller's stack.
    unsafe { child_main(&mut *(arg as *mut Child)) }
}

/// The child: its own group, user namespace maps, set-up, then the body. Never returns.
unsafe fn child_main(child: &mut Child) -> ! {
    let fail = |err: c_int, f: Failure| -> ! {
        let bytes = f.to_bytes();
        libc::write(err, bytes.as_ptr() as *const c_void, bytes.len());
        libc::_exit(SETUP_FAILED)
    };
    libc::setpgid(0, 0);
    if let Some(map) = child.ns.id_map.as_ref().filter(|_| child.ns.flags & libc::CLONE_NEWUSER != 0) {
        if let Err(f) = map.write() {
            fail(child.err, f)
        }
    }
    let mut err = child.err;
    if let Err(f) = (child.setup)(&mut err) {
        fail(err, f)
    }
    // Die with the supervisor (set after any change of user, which clears it).
    libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0);
    let code = (child.body)();
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
    pub fn pid(&self) -> pid_t {
        self.pid
    }

    /// Kill it and its process group.
    pub fn kill(&self) {
        unsafe {
            libc::kill(-self.pid, libc::SIGKILL);
            libc::kill(self.pid, libc::SIGKILL);
        }
    }

    /// Whether it has exited (read from its pidfd: whoever reaped it).
    pub fn has_exited(&self) -> bool {
        if self.pidfd < 0 {
            return unsafe { libc::kill(self.pid, 0) } != 0;
        }
        let mut pfd = libc::pollfd { fd: self.pidfd, events: libc::POLLIN, revents: 0 };
        unsafe { libc::poll(&mut pfd, 1, 0) == 1 }
    }

    /// Kill it (unless it has exited: its pid may belong to another process once reaped),
    /// reap it and say how it ended.
    pub fn stop(&self) -> Ended {
        if !self.has_exited() {
            self.kill();
        }
        let mut status = 0;
        if unsafe { libc::waitpid(self.pid, &mut status, 0) } != self.pid {
            // Reaped elsewhere (by a sweep for orphans): how it ended is lost.
            return Ended { signal: Some(libc::SIGKILL), code: None, ..self.ended(0, false, false) };
        }
        self.ended(status, false, false)
    }

    /// Drain `drains` until the process ends or `deadline` passes (then kill it), reap it, and
    /// say how it ended.
    pub fn supervise(self, deadline: Instant, drains: &mut [&mut Drain]) -> Ended {
        let mut timed_out = false;
        let mut output_exceeded = false;
        let mut status = 0;
        loop {
            if unsafe { libc::waitpid(self.pid, &mut status, libc::WNOHANG) } == self.pid {
                break;
            }
            let now = Instant::now();
            if now >= deadline {
                timed_out = true;
                self.kill();
                unsafe { libc::waitpid(self.pid, &mut status, 0) };
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
        for d in drains.iter_mut() {
            d.finish();
        }
        self.ended(status, timed_out, output_exceeded)
    }

    /// Kill the process and its group now, without waiting for it to go (the caller reaps it
    /// later: a process that leads a PID or mount namespace takes a while to tear down). Returns
    /// the set-up failure it reported, if any (a process that failed at set-up has exited).
    pub fn kill_now(self) -> Option<Failure> {
        self.kill();
        let mut report = [0u8; 8];
        let n = unsafe {
            let flags = libc::fcntl(self.setup_errors, libc::F_GETFL);
            libc::fcntl(self.setup_errors, libc::F_SETFL, flags | libc::O_NONBLOCK);
            libc::read(self.setup_errors, report.as_mut_ptr() as *mut c_void, report.len())
        };
        if n == 8 {
            Failure::from_bytes(&report)
        } else {
            None
        }
    }

    fn ended(&self, status: c_int, timed_out: bool, output_exceeded: bool) -> Ended {
        let wall = self.started.elapsed();
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
