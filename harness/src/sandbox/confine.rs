//! Fencing a process in: namespaces, mounts, an unprivileged user, resource limits, file
//! descriptors.
//!
//! Most of this runs in a child between `fork` and `exec` (or the sample), often the child of a
//! multi-threaded process, where only async-signal-safe work is allowed: the functions make raw
//! system calls on data prepared beforehand ([`HostView`], [`RawLimits`], C strings), never
//! allocate, and report a failure as a [`Failure`] (the stage and its errno) that fits in a pipe
//! write.

use crate::sandbox::Limits;
use libc::{c_char, c_int, c_long, c_uint, c_void};
use std::ffi::{CStr, CString};
use std::path::{Path, PathBuf};

/// Dedicated uids start here: a sandbox run by root gets `UID_BASE + n`, where `n` is the thread
/// id of the process or thread that supervises it, unique among live sandboxes. The process
/// limit (`RLIMIT_NPROC`) counts per uid, so sandboxes never share it, and nothing else on the
/// machine owns files or processes under these ids.
pub const UID_BASE: u32 = 2_000_000_000;

/// The fallback when the dedicated range is not mapped (a container with a short uid map).
pub const NOBODY: u32 = 65534;

/// Where the sample's scratch directory is, inside the mount layer.
pub const WORKDIR: &CStr = c"/tmp/work";

/// Exit status of a child whose set-up failed (the failure itself travels on a pipe).
pub const SETUP_FAILED: c_int = 121;

/// What a child was doing when set-up failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum Stage {
    Fork = 1,
    Unshare,
    IdMap,
    Private,
    Clone,
    ReadOnly,
    Hide,
    Expose,
    Tmp,
    Work,
    Shm,
    Proc,
    Chdir,
    Chown,
    Rlimit,
    Groups,
    Gid,
    Uid,
    Caps,
    NoNewPrivs,
    Fds,
    Exec,
    Hostname,
    Seccomp,
    Cgroup,
}

const STAGES: [Stage; 25] = [
    Stage::Fork,
    Stage::Unshare,
    Stage::IdMap,
    Stage::Private,
    Stage::Clone,
    Stage::ReadOnly,
    Stage::Hide,
    Stage::Expose,
    Stage::Tmp,
    Stage::Work,
    Stage::Shm,
    Stage::Proc,
    Stage::Chdir,
    Stage::Chown,
    Stage::Rlimit,
    Stage::Groups,
    Stage::Gid,
    Stage::Uid,
    Stage::Caps,
    Stage::NoNewPrivs,
    Stage::Fds,
    Stage::Exec,
    Stage::Hostname,
    Stage::Seccomp,
    Stage::Cgroup,
];

impl Stage {
    pub fn what(self) -> &'static str {
        match self {
            Stage::Fork => "forking the sandboxed process",
            Stage::Unshare => "creating namespaces",
            Stage::IdMap => "mapping the user namespace",
            Stage::Private => "making mounts private",
            Stage::Clone => "cloning an exposed directory",
            Stage::ReadOnly => "making the host file system read-only",
            Stage::Hide => "hiding home directories",
            Stage::Expose => "exposing a toolchain directory",
            Stage::Tmp => "mounting a private /tmp",
            Stage::Work => "mounting the scratch directory",
            Stage::Shm => "mounting a private /dev/shm",
            Stage::Proc => "mounting /proc",
            Stage::Chdir => "entering the scratch directory",
            Stage::Chown => "handing the scratch directory to the sandbox user",
            Stage::Rlimit => "setting resource limits",
            Stage::Groups => "dropping supplementary groups",
            Stage::Gid => "switching group",
            Stage::Uid => "switching user",
            Stage::Caps => "dropping capabilities",
            Stage::NoNewPrivs => "forbidding new privileges",
            Stage::Fds => "arranging file descriptors",
            Stage::Exec => "executing the program",
            Stage::Hostname => "setting the host name",
            Stage::Seccomp => "installing the seccomp filter",
            Stage::Cgroup => "joining the sandbox's cgroup",
        }
    }
}

/// A set-up step that failed, with its errno.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failure {
    pub stage: Stage,
    pub errno: i32,
}

impl Failure {
    pub fn to_bytes(self) -> [u8; 8] {
        let mut out = [0u8; 8];
        out[..4].copy_from_slice(&(self.stage as u32).to_le_bytes());
        out[4..].copy_from_slice(&self.errno.to_le_bytes());
        out
    }

    pub fn from_bytes(bytes: &[u8]) -> Option<Failure> {
        let stage = u32::from_le_bytes(bytes.get(..4)?.try_into().ok()?);
        let errno = i32::from_le_bytes(bytes.get(4..8)?.try_into().ok()?);
        let stage = STAGES.iter().copied().find(|s| *s as u32 == stage)?;
        Some(Failure { stage, errno })
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.stage.what(), std::io::Error::from_raw_os_error(self.errno))
    }
}

fn errno() -> i32 {
    std::io::Error::last_os_error().raw_os_error().unwrap_or(0)
}

/// `Ok` when a system call's return value says it worked.
fn check(stage: Stage, rc: c_long) -> Result<c_long, Failure> {
    if rc < 0 {
        Err(Failure { stage, errno: errno() })
    } else {
        Ok(rc)
    }
}

pub fn is_root() -> bool {
    unsafe { libc::geteuid() == 0 }
}

// The new mount API (Linux 5.2 for open_tree/move_mount, 5.12 for mount_setattr).
const OPEN_TREE_CLONE: c_uint = 1;
const OPEN_TREE_CLOEXEC: c_uint = libc::O_CLOEXEC as c_uint;
const AT_RECURSIVE: c_uint = 0x8000;
const MOVE_MOUNT_F_EMPTY_PATH: c_uint = 0x4;
const MOUNT_ATTR_RDONLY: u64 = 0x1;
const MOUNT_ATTR_NOSUID: u64 = 0x2;

#[repr(C)]
struct MountAttr {
    attr_set: u64,
    attr_clr: u64,
    propagation: u64,
    userns_fd: u64,
}

/// Make every mount at and under `path` read-only and nosuid.
unsafe fn seal(stage: Stage, path: &CStr) -> Result<(), Failure> {
    let attr = MountAttr {
        attr_set: MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID,
        attr_clr: 0,
        propagation: 0,
        userns_fd: 0,
    };
    check(
        stage,
        libc::syscall(
            libc::SYS_mount_setattr,
            libc::AT_FDCWD,
            path.as_ptr(),
            AT_RECURSIVE,
            &attr as *const MountAttr,
            std::mem::size_of::<MountAttr>(),
        ),
    )
    .map(drop)
}

unsafe fn mount_fs(
    stage: Stage,
    fstype: &CStr,
    target: &CStr,
    flags: libc::c_ulong,
    data: Option<&CStr>,
) -> Result<(), Failure> {
    let data = data.map_or(std::ptr::null(), |d| d.as_ptr() as *const c_void);
    check(stage, libc::mount(fstype.as_ptr(), target.as_ptr(), fstype.as_ptr(), flags, data) as c_long)
        .map(drop)
}

/// A detached copy of the mount tree at `path`, to be attached elsewhere with [`attach`].
unsafe fn clone_tree(path: &CStr, recursive: bool) -> Result<c_int, Failure> {
    let flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | if recursive { AT_RECURSIVE } else { 0 };
    check(Stage::Clone, libc::syscall(libc::SYS_open_tree, libc::AT_FDCWD, path.as_ptr(), flags))
        .map(|fd| fd as c_int)
}

unsafe fn attach(stage: Stage, tree: c_int, target: &CStr) -> Result<(), Failure> {
    let rc = libc::syscall(
        libc::SYS_move_mount,
        tree,
        c"".as_ptr(),
        libc::AT_FDCWD,
        target.as_ptr(),
        MOVE_MOUNT_F_EMPTY_PATH,
    );
    libc::close(tree);
    check(stage, rc).map(drop)
}

unsafe fn mkdir(stage: Stage, path: &CStr, mode: libc::mode_t) -> Result<(), Failure> {
    if libc::mkdir(path.as_ptr(), mode) != 0 && errno() != libc::EEXIST {
        return Err(Failure { stage, errno: errno() });
    }
    Ok(())
}

/// What the sandbox sees of the host: everything read-only, homes replaced by empty
/// directories in which the toolchains that live there are visible again (read-only).
#[derive(Debug, Clone, Default)]
pub struct HostView {
    /// Directories replaced by an empty tmpfs: `/root`, `/home`, `$HOME`.
    pub hide: Vec<CString>,
    /// Directories inside hidden ones that stay visible (a pyenv Python, rustup toolchains),
    /// at most [`MAX_EXPOSED`].
    pub expose: Vec<Exposure>,
}

/// Most directories a [`HostView`] re-exposes (their trees are held on the stack).
pub const MAX_EXPOSED: usize = 32;

/// A directory made visible again inside a hidden one.
#[derive(Debug, Clone)]
pub struct Exposure {
    pub path: CString,
    /// The directories to create in the hiding tmpfs first, outermost first (the path itself last).
    pub dirs: Vec<CString>,
}

impl HostView {
    /// The view for this process: hide `/root`, `/home` and `$HOME`; expose `extra` (Python
    /// prefixes, say) and the usual toolchain locations (every `PATH` entry, rustup, pyenv, nvm,
    /// `EVALRUN_SANDBOX_EXPOSE`) where they lie inside a hidden directory.
    pub fn for_host(extra: &[PathBuf]) -> HostView {
        let home = std::env::var_os("HOME").map(PathBuf::from);
        let mut hide: Vec<PathBuf> = vec!["/root".into(), "/home".into()];
        hide.extend(home.clone().filter(|h| h.parent().is_some()));
        let mut hide: Vec<PathBuf> = hide.into_iter().filter(|p| p.is_dir()).collect();
        hide.sort();
        hide.dedup();
        // A hidden directory inside another hidden one is hidden already.
        let nested: Vec<PathBuf> =
            hide.iter().filter(|p| hide.iter().any(|q| q != *p && p.starts_with(q))).cloned().collect();
        hide.retain(|p| !nested.contains(p));

        let env_dir = |var: &str| std::env::var_os(var).map(PathBuf::from);
        let in_home = |rel: &str| home.as_ref().map(|h| h.join(rel));
        let mut wanted: Vec<PathBuf> = extra.to_vec();
        if let Some(path) = std::env::var_os("PATH") {
            wanted.extend(std::env::split_paths(&path));
        }
        wanted.extend(env_dir("RUSTUP_HOME").or_else(|| in_home(".rustup")));
        wanted.extend(env_dir("CARGO_HOME").or_else(|| in_home(".cargo")).map(|c| c.join("bin")));
        wanted.extend(env_dir("PYENV_ROOT").or_else(|| in_home(".pyenv")));
        wanted.extend(env_dir("NVM_DIR"));
        if let Some(more) = std::env::var_os("EVALRUN_SANDBOX_EXPOSE") {
            wanted.extend(std::env::split_paths(&more));
        }
        let mut expose: Vec<PathBuf> = Vec::new();
        for path in wanted {
            let Ok(path) = path.canonicalize() else { continue };
            // Only what a hidden directory would hide, and never a whole hidden directory.
            if path.is_dir() && hide.iter().any(|h| path.starts_with(h) && path != *h) {
                expose.push(path);
            }
        }
        expose.sort();
        expose.dedup();
        let inner: Vec<PathBuf> =
            expose.iter().filter(|p| expose.iter().any(|q| q != *p && p.starts_with(q))).cloned().collect();
        expose.retain(|p| !inner.contains(p));

        let c = |p: &Path| CString::new(p.as_os_str().as_encoded_bytes()).ok();
        let expose: Vec<Exposure> = expose
            .iter()
            .filter_map(|p| {
                let root = hide.iter().find(|h| p.starts_with(h))?;
                let dirs = p.ancestors().take_while(|a| a != root).collect::<Vec<_>>();
                let dirs = dirs.iter().rev().map(|d| c(d)).collect::<Option<Vec<_>>>()?;
                Some(Exposure { path: c(p)?, dirs })
            })
            .collect();
        if expose.len() > MAX_EXPOSED {
            tracing::warn!(
                "sandbox: only the first {MAX_EXPOSED} of {} toolchain directories are exposed",
                expose.len()
            );
        }
        let expose = expose.into_iter().take(MAX_EXPOSED).collect();
        HostView { hide: hide.iter().filter_map(|p| c(p)).collect(), expose }
    }

    /// Apply the view to the current mount namespace (which must be a new one).
    ///
    /// # Safety
    /// Async-signal-safe; changes the calling process's mount namespace.
    pub unsafe fn apply(&self) -> Result<(), Failure> {
        // Nothing done here may propagate back to the host.
        make_private()?;
        seal(Stage::ReadOnly, c"/")?;
        let mut trees = [-1 as c_int; MAX_EXPOSED];
        for (slot, e) in trees.iter_mut().zip(&self.expose) {
            *slot = clone_tree(&e.path, true)?;
        }
        for h in &self.hide {
            mount_fs(Stage::Hide, c"tmpfs", h, libc::MS_NOSUID | libc::MS_NODEV, Some(c"size=1m,mode=0755"))?;
        }
        for (tree, e) in trees.iter().zip(&self.expose) {
            for d in &e.dirs {
                mkdir(Stage::Expose, d, 0o755)?;
            }
            attach(Stage::Expose, *tree, &e.path)?;
        }
        for h in &self.hide {
            seal(Stage::Hide, h)?;
        }
        Ok(())
    }
}

/// Mount the private directories: a fresh tmpfs on `/tmp` holding the scratch directory
/// `/tmp/work` (a fresh directory owned by `owner`, or the host directory `scratch` cloned
/// beforehand with [`clone_scratch`]), a fresh `/dev/shm`, and with `proc` a `/proc` of the
/// current PID namespace.
///
/// # Safety
/// Async-signal-safe; changes the calling process's mount namespace.
pub unsafe fn private_dirs(
    tmp_options: &CStr,
    scratch: Option<c_int>,
    owner: Option<u32>,
    proc: bool,
) -> Result<(), Failure> {
    mount_fs(Stage::Tmp, c"tmpfs", c"/tmp", libc::MS_NOSUID | libc::MS_NODEV, Some(tmp_options))?;
    mkdir(Stage::Work, WORKDIR, 0o700)?;
    match scratch {
        Some(tree) => attach(Stage::Work, tree, WORKDIR)?,
        None => {
            if let Some(uid) = owner {
                check(Stage::Chown, libc::chown(WORKDIR.as_ptr(), uid, uid) as c_long)?;
            }
        }
    }
    let mut st: libc::stat = std::mem::zeroed();
    if libc::stat(c"/dev/shm".as_ptr(), &mut st) == 0 {
        mount_fs(
            Stage::Shm,
            c"tmpfs",
            c"/dev/shm",
            libc::MS_NOSUID | libc::MS_NODEV,
            Some(c"size=16m,mode=1777"),
        )?;
    }
    if proc {
        mount_fs(Stage::Proc, c"proc", c"/proc", libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC, None)?;
    }
    Ok(())
}

/// A detached copy of a host scratch directory, taken before [`HostView::apply`] hides `/tmp`.
///
/// # Safety
/// Async-signal-safe.
pub unsafe fn clone_scratch(dir: &CStr) -> Result<c_int, Failure> {
    clone_tree(dir, false)
}

/// Mount options of the private `/tmp`.
pub fn tmp_options(limits: &Limits) -> CString {
    let size = limits.scratch_bytes.max(1 << 20);
    CString::new(format!("size={size},mode=1777")).unwrap_or_else(|_| c"mode=1777".to_owned())
}

/// Resource limits as `setrlimit` arguments, prepared before the fork.
#[derive(Debug, Clone, Copy)]
pub struct RawLimits {
    values: [(libc::__rlimit_resource_t, u64); 6],
}

impl RawLimits {
    /// `extra_processes` raises the process limit by processes the sandbox user already has
    /// (when it is not a dedicated uid).
    pub fn new(limits: &Limits, open_fds_needed: u64, extra_processes: u64) -> RawLimits {
        RawLimits {
            values: [
                (libc::RLIMIT_AS, limits.memory_bytes),
                (libc::RLIMIT_FSIZE, limits.file_size_bytes),
                (libc::RLIMIT_NOFILE, limits.open_files.max(open_fds_needed)),
                (libc::RLIMIT_CORE, 0),
                (libc::RLIMIT_CPU, limits.cpu_seconds()),
                (libc::RLIMIT_NPROC, limits.processes.saturating_add(extra_processes)),
            ],
        }
    }

    /// # Safety
    /// Async-signal-safe.
    pub unsafe fn apply(&self) -> Result<(), Failure> {
        for (resource, value) in self.values {
            let lim = libc::rlimit { rlim_cur: value, rlim_max: value };
            check(Stage::Rlimit, libc::setrlimit(resource, &lim) as c_long)?;
        }
        Ok(())
    }
}

/// Become `uid` (and the group of the same number) with no supplementary groups: every
/// capability goes with root. Falls back to `nobody` where the dedicated range is not mapped.
/// Raw system calls: glibc's wrappers would ask every thread of a multi-threaded caller, whose
/// memory a vfork-style child shares, to change user too.
///
/// # Safety
/// Async-signal-safe.
pub unsafe fn become_user(uid: u32) -> Result<u32, Failure> {
    let call3 = |nr: c_long, a: u32| libc::syscall(nr, a, a, a);
    check(Stage::Groups, libc::syscall(libc::SYS_setgroups, 0usize, std::ptr::null::<libc::gid_t>()))?;
    let mut uid = uid;
    if call3(libc::SYS_setresgid, uid) != 0 {
        if errno() != libc::EINVAL {
            return Err(Failure { stage: Stage::Gid, errno: errno() });
        }
        uid = NOBODY;
        check(Stage::Gid, call3(libc::SYS_setresgid, uid))?;
    }
    check(Stage::Uid, call3(libc::SYS_setresuid, uid))?;
    Ok(uid)
}

/// Drop every capability (in a user namespace, where the uid cannot change).
///
/// # Safety
/// Async-signal-safe.
pub unsafe fn drop_capabilities() -> Result<(), Failure> {
    #[repr(C)]
    struct Header {
        version: u32,
        pid: c_int,
    }
    #[repr(C)]
    #[derive(Clone, Copy)]
    struct Data {
        effective: u32,
        permitted: u32,
        inheritable: u32,
    }
    const V3: u32 = 0x2008_0522;
    let header = Header { version: V3, pid: 0 };
    let data = [Data { effective: 0, permitted: 0, inheritable: 0 }; 2];
    check(Stage::Caps, libc::syscall(libc::SYS_capset, &header as *const Header, data.as_ptr()))?;
    Ok(())
}

/// # Safety
/// Async-signal-safe.
pub unsafe fn no_new_privileges() -> Result<(), Failure> {
    check(Stage::NoNewPrivs, libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) as c_long).map(drop)
}

/// Put `stdio` on 0, 1, 2 and `keep` on 3, 4, ... (each with its close-on-exec flag), and close
/// every other descriptor. Returns nothing; the new numbers are positional.
///
/// # Safety
/// Async-signal-safe; closes descriptors the caller may hold.
pub unsafe fn arrange_fds(stdio: [c_int; 3], keep: &[(c_int, bool)]) -> Result<(), Failure> {
    const HIGH: c_int = 256;
    const MAX_KEEP: usize = 4;
    if keep.len() > MAX_KEEP {
        return Err(Failure { stage: Stage::Fds, errno: libc::EINVAL });
    }
    // Move everything out of the way first, so no target number clobbers a source.
    let mut high = [-1; 3 + MAX_KEEP];
    for (i, fd) in stdio.iter().chain(keep.iter().map(|(fd, _)| fd)).enumerate() {
        high[i] = check(Stage::Fds, libc::fcntl(*fd, libc::F_DUPFD_CLOEXEC, HIGH) as c_long)? as c_int;
    }
    for (i, fd) in high.iter().take(3).enumerate() {
        check(Stage::Fds, libc::dup2(*fd, i as c_int) as c_long)?;
    }
    for (i, (_, cloexec)) in keep.iter().enumerate() {
        let flags = if *cloexec { libc::O_CLOEXEC } else { 0 };
        check(Stage::Fds, libc::dup3(high[3 + i], 3 + i as c_int, flags) as c_long)?;
    }
    close_from(3 + keep.len() as c_int);
    Ok(())
}

/// Close every descriptor from `first` up.
unsafe fn close_from(first: c_int) {
    if libc::syscall(libc::SYS_close_range, first as c_uint, c_uint::MAX, 0 as c_uint) != 0 {
        for fd in first..4096 {
            libc::close(fd);
        }
    }
}

/// A user namespace's identity maps, for running without root: the caller's uid and gid
/// become root inside, whose capabilities go before the sample runs.
#[derive(Debug, Clone)]
pub struct IdMap {
    uid_map: CString,
    gid_map: CString,
}

impl IdMap {
    pub fn for_current() -> IdMap {
        let (uid, gid) = unsafe { (libc::getuid(), libc::getgid()) };
        IdMap {
            uid_map: CString::new(format!("0 {uid} 1\n")).unwrap_or_default(),
            gid_map: CString::new(format!("0 {gid} 1\n")).unwrap_or_default(),
        }
    }

    /// # Safety
    /// Async-signal-safe; right after `unshare(CLONE_NEWUSER)`.
    pub unsafe fn write(&self) -> Result<(), Failure> {
        write_file(c"/proc/self/setgroups", c"deny")?;
        write_file(c"/proc/self/uid_map", &self.uid_map)?;
        write_file(c"/proc/self/gid_map", &self.gid_map)
    }
}

unsafe fn write_file(path: &CStr, text: &CStr) -> Result<(), Failure> {
    let fd =
        check(Stage::IdMap, libc::open(path.as_ptr(), libc::O_WRONLY | libc::O_CLOEXEC) as c_long)? as c_int;
    let bytes = text.to_bytes();
    let n = libc::write(fd, bytes.as_ptr() as *const c_void, bytes.len());
    let err = errno();
    libc::close(fd);
    if n != bytes.len() as isize {
        return Err(Failure { stage: Stage::IdMap, errno: err });
    }
    Ok(())
}

/// # Safety
/// Async-signal-safe.
pub unsafe fn set_hostname() -> Result<(), Failure> {
    let name = b"sandbox";
    check(Stage::Hostname, libc::sethostname(name.as_ptr() as *const c_char, name.len()) as c_long).map(drop)
}

/// # Safety
/// Async-signal-safe.
pub unsafe fn chdir(dir: &CStr) -> Result<(), Failure> {
    check(Stage::Chdir, libc::chdir(dir.as_ptr()) as c_long).map(drop)
}

/// # Safety
/// Async-signal-safe.
pub unsafe fn unshare(flags: c_int) -> Result<(), Failure> {
    if flags == 0 {
        return Ok(());
    }
    check(Stage::Unshare, libc::unshare(flags) as c_long).map(drop)
}

/// Kill every process of `uid` (a dedicated sandbox uid): what a sample left behind after
/// leaving its process group, where no PID namespace does it.
pub fn kill_user(uid: u32) {
    if uid < UID_BASE || !is_root() {
        return;
    }
    extern "C" fn reap(arg: *mut c_void) -> c_int {
        // SAFETY: raw system calls only; `arg` points at the uid on the waiting caller's stack.
        unsafe {
            let uid = *(arg as *const u32);
            // kill(-1) as that user reaches exactly that user's processes.
            if libc::syscall(libc::SYS_setresuid, uid, uid, uid) == 0 {
                libc::syscall(libc::SYS_kill, -1, libc::SIGKILL);
            }
            libc::syscall(libc::SYS_exit, 0);
        }
        0
    }
    let mut stack = vec![0u8; 64 << 10];
    let mut uid = uid;
    unsafe {
        let top = ((stack.as_mut_ptr() as usize + stack.len() - 64) & !15) as *mut c_void;
        let flags = libc::CLONE_VM | libc::CLONE_VFORK | libc::SIGCHLD;
        let pid = libc::clone(reap, top, flags, &mut uid as *mut u32 as *mut c_void);
        if pid > 0 {
            let mut status = 0;
            libc::waitpid(pid, &mut status, 0);
        }
    }
}

/// Make every mount of this mount namespace private, so that nothing mounted here propagates
/// back to the host.
unsafe fn make_private() -> Result<(), Failure> {
    check(
        Stage::Private,
        libc::mount(
            std::ptr::null(),
            c"/".as_ptr(),
            std::ptr::null(),
            libc::MS_REC | libc::MS_PRIVATE,
            std::ptr::null(),
        ) as c_long,
    )
    .map(drop)
}

/// Whether `test` returns true in a throwaway forked child (it runs there and ends with it):
/// how the probes try what would change this process for good.
///
/// # Safety
/// `test` runs in a forked child of a possibly multi-threaded process: it may only do what is
/// safe there (system calls, no allocation behind another thread's lock).
pub(crate) unsafe fn true_in_child(test: impl FnOnce() -> bool) -> bool {
    let pid = libc::fork();
    if pid == 0 {
        libc::_exit(if test() { 0 } else { 1 });
    }
    if pid < 0 {
        return false;
    }
    let mut status = 0;
    libc::waitpid(pid, &mut status, 0);
    libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0
}

/// Which layers work here: each is tried in a throwaway child.
pub fn probe() -> crate::sandbox::Layers {
    let root = is_root();
    let id_map = (!root).then(IdMap::for_current);
    let userns = if root { 0 } else { libc::CLONE_NEWUSER };
    let try_in_child = |test: &dyn Fn() -> Result<(), Failure>| -> bool {
        unsafe {
            true_in_child(|| {
                (|| {
                    unshare(userns)?;
                    if let Some(map) = &id_map {
                        map.write()?;
                    }
                    test()
                })()
                .is_ok()
            })
        }
    };
    let view = HostView::for_host(&[]);
    let tmp = c"size=1m,mode=1777".to_owned();
    crate::sandbox::Layers {
        pid: try_in_child(&|| unsafe { unshare(libc::CLONE_NEWPID) }),
        net: try_in_child(&|| unsafe { unshare(libc::CLONE_NEWNET) }),
        ipc: try_in_child(&|| unsafe { unshare(libc::CLONE_NEWIPC | libc::CLONE_NEWUTS) }),
        mount: try_in_child(&|| unsafe {
            unshare(libc::CLONE_NEWNS)?;
            view.apply()?;
            private_dirs(&tmp, None, None, false)
        }),
        user: if root {
            try_in_child(&|| unsafe {
                let me = libc::getpid() as u32;
                become_user(UID_BASE + me).map(drop)
            })
        } else {
            try_in_child(&|| unsafe { drop_capabilities() })
        },
        seccomp: crate::sandbox::seccomp::probe(),
        cgroup: crate::sandbox::cgroup::support().is_ok(),
    }
}

/// A tmpfs of `size` bytes that is mounted nowhere (`fsopen`, `fsconfig`, `fsmount`): a
/// command job's scratch directory, bounded in total. Its root directory is the returned
/// descriptor (files are written through `/proc/self/fd/N`); each step attaches a clone of it
/// at `/tmp/work` ([`clone_scratch_fd`]); it is freed when the descriptor and the last step's
/// mount namespace are gone, so a harness that is killed leaves nothing behind. `owner` gets
/// the root directory. Needs `CAP_SYS_ADMIN` (root).
pub fn detached_tmpfs(size: u64, owner: Option<u32>) -> std::io::Result<std::os::fd::OwnedFd> {
    use std::os::fd::FromRawFd;
    const FSOPEN_CLOEXEC: c_uint = 1;
    const FSCONFIG_SET_STRING: c_uint = 1;
    const FSCONFIG_CMD_CREATE: c_uint = 6;
    const FSMOUNT_CLOEXEC: c_uint = 1;
    const MOUNT_ATTR_NODEV: u64 = 0x4;
    let last = std::io::Error::last_os_error;
    unsafe {
        let fs = libc::syscall(libc::SYS_fsopen, c"tmpfs".as_ptr(), FSOPEN_CLOEXEC);
        if fs < 0 {
            return Err(last());
        }
        let fs = std::os::fd::OwnedFd::from_raw_fd(fs as c_int);
        let set = |key: &CStr, value: &str| -> std::io::Result<()> {
            let value = CString::new(value).map_err(|_| std::io::ErrorKind::InvalidInput)?;
            let rc = libc::syscall(
                libc::SYS_fsconfig,
                std::os::fd::AsRawFd::as_raw_fd(&fs),
                FSCONFIG_SET_STRING,
                key.as_ptr(),
                value.as_ptr(),
                0,
            );
            if rc < 0 {
                Err(last())
            } else {
                Ok(())
            }
        };
        set(c"size", &size.max(1 << 20).to_string())?;
        set(c"mode", "0700")?;
        if let Some(uid) = owner {
            set(c"uid", &uid.to_string())?;
            set(c"gid", &uid.to_string())?;
        }
        let fd = std::os::fd::AsRawFd::as_raw_fd(&fs);
        let null = std::ptr::null::<c_char>();
        if libc::syscall(libc::SYS_fsconfig, fd, FSCONFIG_CMD_CREATE, null, null, 0) < 0 {
            return Err(last());
        }
        let mnt = libc::syscall(
            libc::SYS_fsmount,
            fd,
            FSMOUNT_CLOEXEC,
            (MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV) as c_uint,
        );
        if mnt < 0 {
            return Err(last());
        }
        Ok(std::os::fd::OwnedFd::from_raw_fd(mnt as c_int))
    }
}

/// Whether a command job's scratch directory can be a [`detached_tmpfs`] here: one is made, and a
/// throwaway child in a mount namespace of its own attaches a clone of it (probed once).
pub fn scratch_tmpfs_available() -> bool {
    static AVAILABLE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *AVAILABLE.get_or_init(|| {
        let Ok(fs) = detached_tmpfs(1 << 20, None) else { return false };
        let fd = std::os::fd::AsRawFd::as_raw_fd(&fs);
        unsafe {
            true_in_child(|| {
                (|| {
                    unshare(libc::CLONE_NEWNS)?;
                    make_private()?;
                    let tree = clone_scratch_fd(fd)?;
                    attach(Stage::Work, tree, c"/tmp")
                })()
                .is_ok()
            })
        }
    })
}

/// A detached copy of the scratch tmpfs made by [`detached_tmpfs`], to attach at `/tmp/work`
/// with [`private_dirs`].
///
/// # Safety
/// Async-signal-safe.
pub unsafe fn clone_scratch_fd(fd: c_int) -> Result<c_int, Failure> {
    const AT_EMPTY_PATH: c_uint = 0x1000;
    check(
        Stage::Work,
        libc::syscall(
            libc::SYS_open_tree,
            fd,
            c"".as_ptr(),
            OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH,
        ),
    )
    .map(|fd| fd as c_int)
}
