//! The `cgroup` layer: a control group per Python worker (its samples, not the warm parent nor the
//! checker) and per command job, with a memory limit and a process limit, so that what a sample
//! and everything it starts use together is bounded, whatever the number of its processes.
//!
//! The limits are the sample's own: `memory.max` is [`Limits::memory_bytes`] (the per-process
//! address-space limit becomes a limit on the total of resident memory, page cache and the
//! private tmpfs of all its processes, with no swap to escape to) and `pids.max` is
//! [`Limits::processes`]. Past the memory limit the kernel's OOM killer kills a process of the
//! group (the biggest: a sample's), never the worker, which lives outside it.
//!
//! cgroup v2 is used where the cgroup evalrun runs in can have children with the `memory` and
//! `pids` controllers (the real root, or a delegated cgroup, e.g. systemd's `Delegate=yes`); on
//! a hybrid system whose v2 hierarchy lacks them, the v1 `memory` and `pids` hierarchies are used
//! where writable. Elsewhere the layer is unavailable and `evalrun sandbox check` says what is
//! lost. Groups are named `evalrun-<pid>-<n>` and removed when their owner ends (a sweep removes
//! those of owners killed before they could).
//!
//! A Python sample's child is created in its group by `clone3` (`CLONE_INTO_CGROUP`, cgroup v2,
//! Linux 5.7: no migration, which takes the kernel's cgroup-wide lock); elsewhere a sandboxed
//! child joins its group by writing `0` to a `cgroup.procs` descriptor opened beforehand
//! ([`enter`]): async-signal-safe, and possible after the child's mount namespace has made `/sys`
//! read-only.
//!
//! [`Limits::memory_bytes`]: crate::sandbox::Limits::memory_bytes
//! [`Limits::processes`]: crate::sandbox::Limits::processes

use crate::sandbox::confine::{Failure, Stage};
use libc::c_int;
use std::cell::Cell;
use std::ffi::CString;
use std::fs::{File, OpenOptions};
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Once, OnceLock};

#[derive(Debug, thiserror::Error)]
pub enum CgroupError {
    #[error("cgroup: unavailable: {0}")]
    Unavailable(String),
    #[error("cgroup: {what}: {source}")]
    Io { what: String, source: std::io::Error },
}

fn io_err(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> CgroupError {
    let what = what.into();
    move |source| CgroupError::Io { what, source }
}

/// Which cgroup interface is in use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    /// The unified hierarchy: one group with both controllers.
    V2,
    /// The v1 `memory` and `pids` hierarchies: a group in each.
    V1,
}

/// Where this process may create groups.
#[derive(Debug, Clone)]
pub struct Support {
    pub version: Version,
    /// v2: the parent of the groups; v1: the parents in the `memory` and `pids` hierarchies.
    pub parents: Vec<PathBuf>,
}

impl std::fmt::Display for Support {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let v = match self.version {
            Version::V2 => "cgroup v2",
            Version::V1 => "cgroup v1 (memory, pids)",
        };
        let dirs: Vec<String> = self.parents.iter().map(|p| p.display().to_string()).collect();
        write!(f, "{v} under {}", dirs.join(", "))
    }
}

/// What this system allows, probed once per process (creating and removing a group).
pub fn support() -> Result<&'static Support, &'static str> {
    static SUPPORT: OnceLock<Result<Support, String>> = OnceLock::new();
    SUPPORT.get_or_init(detect).as_ref().map_err(String::as_str)
}

/// Lines of `/proc/self/cgroup`: (controllers, path).
fn own_cgroups() -> Vec<(String, String)> {
    std::fs::read_to_string("/proc/self/cgroup")
        .unwrap_or_default()
        .lines()
        .filter_map(|l| {
            let mut parts = l.splitn(3, ':');
            let (_, controllers, path) = (parts.next()?, parts.next()?, parts.next()?);
            Some((controllers.to_string(), path.to_string()))
        })
        .collect()
}

/// Mounts of cgroup file systems: (mount root, mount point, type, super options).
fn cgroup_mounts() -> Vec<(String, PathBuf, String, String)> {
    std::fs::read_to_string("/proc/self/mountinfo")
        .unwrap_or_default()
        .lines()
        .filter_map(|l| {
            let (left, right) = l.split_once(" - ")?;
            let fields: Vec<&str> = left.split(' ').collect();
            let right: Vec<&str> = right.split(' ').collect();
            let (fstype, options) = (*right.first()?, *right.get(2)?);
            (fstype == "cgroup" || fstype == "cgroup2").then(|| {
                (
                    fields.get(3).copied().unwrap_or("/").to_string(),
                    PathBuf::from(fields.get(4).copied().unwrap_or("")),
                    fstype.to_string(),
                    options.to_string(),
                )
            })
        })
        .collect()
}

/// The directory of a cgroup `path` in the hierarchy mounted at `point` (whose root is `root`).
fn in_mount(root: &str, point: &Path, path: &str) -> PathBuf {
    let rel = if root == "/" { path } else { path.strip_prefix(root).unwrap_or(path) };
    match rel.trim_matches('/') {
        "" => point.to_path_buf(),
        rel => point.join(rel),
    }
}

fn detect() -> Result<Support, String> {
    let own = own_cgroups();
    let mounts = cgroup_mounts();
    let mut why = Vec::new();
    // v2: our own cgroup, with both controllers delegated to its children.
    match (own.iter().find(|(c, _)| c.is_empty()), mounts.iter().find(|m| m.2 == "cgroup2")) {
        (Some((_, path)), Some((root, point, _, _))) => {
            let dir = in_mount(root, point, path);
            match try_v2(&dir) {
                Ok(()) => return Ok(Support { version: Version::V2, parents: vec![dir] }),
                Err(e) => why.push(format!("v2 at {}: {e}", dir.display())),
            }
        }
        _ => why.push("no cgroup v2 hierarchy".into()),
    }
    // v1: the memory and pids hierarchies.
    let mut parents = Vec::new();
    for controller in ["memory", "pids"] {
        let path = own.iter().find(|(c, _)| c.split(',').any(|x| x == controller)).map(|(_, p)| p);
        let mount = mounts.iter().find(|m| m.2 == "cgroup" && m.3.split(',').any(|o| o == controller));
        match (path, mount) {
            (Some(path), Some((root, point, _, _))) => parents.push(in_mount(root, point, path)),
            _ => {
                why.push(format!("no cgroup v1 {controller} hierarchy"));
                return Err(why.join("; "));
            }
        }
    }
    let support = Support { version: Version::V1, parents };
    match try_group(&support) {
        Ok(()) => Ok(support),
        Err(e) => {
            why.push(format!("v1: {e}"));
            Err(why.join("; "))
        }
    }
}

/// Make a group, set its limits and have a throwaway child join it, as a sandbox does.
fn try_group(support: &Support) -> Result<(), String> {
    let group = Cgroup::create_in(support).map_err(|e| e.to_string())?;
    group.set_limits(1 << 30, 64).map_err(|e| e.to_string())?;
    let fds = group.procs_fds();
    let joined = unsafe {
        let pid = libc::fork();
        if pid == 0 {
            libc::_exit(if enter(&fds).is_ok() { 0 } else { 1 });
        }
        let mut status = 0;
        pid > 0
            && libc::waitpid(pid, &mut status, 0) == pid
            && libc::WIFEXITED(status)
            && libc::WEXITSTATUS(status) == 0
    };
    if joined {
        Ok(())
    } else {
        Err("a child cannot join a group".into())
    }
}

fn try_v2(dir: &Path) -> Result<(), String> {
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap_or_default();
    let has = |text: &str, c: &str| text.split_whitespace().any(|w| w == c);
    let available = read("cgroup.controllers");
    if !has(&available, "memory") || !has(&available, "pids") {
        return Err(format!("controllers `{}` lack memory or pids", available.trim()));
    }
    let enabled = read("cgroup.subtree_control");
    if !has(&enabled, "memory") || !has(&enabled, "pids") {
        // Possible where no process lives in `dir` itself (or it is the root).
        std::fs::write(dir.join("cgroup.subtree_control"), "+memory +pids")
            .map_err(|e| format!("cannot enable memory and pids for its children: {e}"))?;
    }
    try_group(&Support { version: Version::V2, parents: vec![dir.to_path_buf()] })
}

/// One created group (in each hierarchy, for v1), removed on drop.
pub struct Cgroup {
    version: Version,
    parts: Vec<Part>,
    /// v2: the group's directory, where `clone3` can create children straight in the group
    /// ([`Cgroup::spawn_dir`]); `None` where it cannot.
    spawn_dir: Option<OwnedFd>,
    /// The limits last written (0: none yet).
    written: Cell<(u64, u64)>,
}

/// A group in one hierarchy. Files are opened at creation, so that they stay writable after the
/// owner enters a mount namespace that makes `/sys` read-only.
struct Part {
    /// The parent directory (for `unlinkat`) and the group's name.
    parent: OwnedFd,
    name: CString,
    procs: File,
    /// Limit files: v2 `memory.max`, `memory.swap.max`, `pids.max`; v1 `memory.limit_in_bytes`,
    /// `memory.memsw.limit_in_bytes` or `pids.max`, by name.
    files: Vec<(&'static str, File)>,
    /// v2 `memory.events`, v1 `memory.oom_control`: where OOM kills are counted.
    events: Option<File>,
    kill: Option<File>,
}

/// Open the files of the group just created at `dir` (the `index`th hierarchy).
fn open_part(
    version: Version,
    index: usize,
    parent: &Path,
    dir: &Path,
    name: &str,
) -> Result<Part, CgroupError> {
    let open = |file: &str, write: bool| OpenOptions::new().read(true).write(write).open(dir.join(file));
    let what = |file: &str| format!("opening {}/{file}", dir.display());
    let names: &[&'static str] = match (version, index) {
        (Version::V2, _) => &["memory.max", "memory.swap.max", "pids.max"],
        (Version::V1, 0) => &["memory.limit_in_bytes", "memory.memsw.limit_in_bytes"],
        (Version::V1, _) => &["pids.max"],
    };
    let mut files = Vec::new();
    for file in names {
        match open(file, true) {
            Ok(f) => files.push((*file, f)),
            // Swap accounting may be off: there is no swap to limit then.
            Err(_) if file.contains("swap") || file.contains("memsw") => {}
            Err(e) => return Err(io_err(what(file))(e)),
        }
    }
    let events = match (version, index) {
        (Version::V2, _) => open("memory.events", false).ok(),
        (Version::V1, 0) => open("memory.oom_control", false).ok(),
        _ => None,
    };
    Ok(Part {
        parent: File::open(parent).map_err(io_err(format!("opening {}", parent.display())))?.into(),
        name: CString::new(name).map_err(|_| CgroupError::Unavailable(format!("bad group name {name}")))?,
        procs: open("cgroup.procs", true).map_err(io_err(what("cgroup.procs")))?,
        files,
        events,
        kill: open("cgroup.kill", true).ok(),
    })
}

static SEQUENCE: AtomicU64 = AtomicU64::new(0);

impl Cgroup {
    /// A new group where [`support`] says groups can be made.
    pub fn create() -> Result<Cgroup, CgroupError> {
        let support = support().map_err(|e| CgroupError::Unavailable(e.to_string()))?;
        Cgroup::create_in(support)
    }

    fn create_in(support: &Support) -> Result<Cgroup, CgroupError> {
        static SWEEP: Once = Once::new();
        SWEEP.call_once(|| support.parents.iter().for_each(|p| sweep(p)));
        let name = format!("evalrun-{}-{}", std::process::id(), SEQUENCE.fetch_add(1, Ordering::Relaxed));
        let mut parts = Vec::new();
        for (i, parent) in support.parents.iter().enumerate() {
            let dir = parent.join(&name);
            std::fs::create_dir(&dir).map_err(io_err(format!("creating {}", dir.display())))?;
            match open_part(support.version, i, parent, &dir, &name) {
                Ok(part) => parts.push(part),
                Err(e) => {
                    let _ = std::fs::remove_dir(&dir);
                    // The parts made already are removed by the drop.
                    drop(Cgroup {
                        version: support.version,
                        parts,
                        spawn_dir: None,
                        written: Cell::new((0, 0)),
                    });
                    return Err(e);
                }
            }
        }
        let spawn_dir = match support.version {
            Version::V2 => support.parents.first().and_then(|p| spawn_dir(&p.join(&name))),
            Version::V1 => None,
        };
        let group = Cgroup { version: support.version, parts, spawn_dir, written: Cell::new((0, 0)) };
        if group.version == Version::V2 {
            group.write("memory.swap.max", "0")?;
        }
        Ok(group)
    }

    fn write(&self, file: &str, value: &str) -> Result<(), CgroupError> {
        for part in &self.parts {
            if let Some((_, f)) = part.files.iter().find(|(n, _)| *n == file) {
                f.write_all_at(value.as_bytes(), 0).map_err(io_err(format!("writing {value} to {file}")))?;
            }
        }
        Ok(())
    }

    /// Set the memory limit (bytes, all processes together, no swap) and the process limit;
    /// only what changed is written.
    pub fn set_limits(&self, memory_bytes: u64, processes: u64) -> Result<(), CgroupError> {
        let (memory, pids) = self.written.get();
        if memory != memory_bytes {
            let value = memory_bytes.to_string();
            match self.version {
                Version::V2 => self.write("memory.max", &value)?,
                Version::V1 => {
                    // The limit with swap may never be below the limit without: raising takes
                    // the other order.
                    let order = ["memory.limit_in_bytes", "memory.memsw.limit_in_bytes"];
                    if self.write(order[0], &value).and_then(|()| self.write(order[1], &value)).is_err() {
                        self.write(order[1], &value)?;
                        self.write(order[0], &value)?;
                    }
                }
            }
        }
        if pids != processes {
            self.write("pids.max", &processes.to_string())?;
        }
        self.written.set((memory_bytes, processes));
        Ok(())
    }

    /// The group's directory, to create children in with `clone3`
    /// ([`crate::sandbox::launch::clone_into_cgroup`]), where the kernel can (cgroup v2, Linux
    /// 5.7); otherwise children [`enter`] the group.
    pub fn spawn_dir(&self) -> Option<c_int> {
        self.spawn_dir.as_ref().map(AsRawFd::as_raw_fd)
    }

    /// The `cgroup.procs` descriptors a child writes to join the group ([`enter`]); -1 for none.
    pub fn procs_fds(&self) -> [c_int; 2] {
        let mut fds = [-1; 2];
        for (slot, part) in fds.iter_mut().zip(&self.parts) {
            *slot = part.procs.as_raw_fd();
        }
        fds
    }

    /// How many processes of the group the OOM killer has killed so far.
    pub fn oom_kills(&self) -> u64 {
        let Some(file) = self.parts.iter().find_map(|p| p.events.as_ref()) else { return 0 };
        let mut buf = [0u8; 512];
        let n = file.read_at(&mut buf, 0).unwrap_or(0);
        String::from_utf8_lossy(&buf[..n])
            .lines()
            .find_map(|l| l.strip_prefix("oom_kill ")?.trim().parse().ok())
            .unwrap_or(0)
    }

    /// The processes in the group now.
    fn members(&self) -> Vec<libc::pid_t> {
        let mut pids = Vec::new();
        for part in &self.parts {
            let mut buf = vec![0u8; 64 << 10];
            let n = part.procs.read_at(&mut buf, 0).unwrap_or(0);
            pids.extend(
                String::from_utf8_lossy(&buf[..n])
                    .lines()
                    .filter_map(|l| l.trim().parse::<libc::pid_t>().ok()),
            );
        }
        pids
    }
}

impl Drop for Cgroup {
    fn drop(&mut self) {
        // Whatever is left (nothing, normally: a sample's PID namespace died with it) is killed,
        // then the group is removed; a member that is still exiting keeps it busy a moment.
        for part in &self.parts {
            if let Some(kill) = &part.kill {
                let _ = kill.write_all_at(b"1", 0);
            }
        }
        for pid in self.members() {
            unsafe { libc::kill(pid, libc::SIGKILL) };
        }
        for part in &self.parts {
            for attempt in 0..200 {
                let rc = unsafe {
                    libc::unlinkat(part.parent.as_raw_fd(), part.name.as_ptr(), libc::AT_REMOVEDIR)
                };
                let busy = std::io::Error::last_os_error().raw_os_error() == Some(libc::EBUSY);
                if rc == 0 || !busy {
                    break;
                }
                if attempt % 20 == 19 {
                    for pid in self.members() {
                        unsafe { libc::kill(pid, libc::SIGKILL) };
                    }
                }
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
        }
    }
}

/// The directory `dir` of a new v2 group opened for `clone3`, if creating a child in it works
/// here (probed once per process, with a child that exits at once).
fn spawn_dir(dir: &Path) -> Option<OwnedFd> {
    static WORKS: OnceLock<bool> = OnceLock::new();
    let fd: OwnedFd = File::open(dir).ok()?.into();
    let works = *WORKS.get_or_init(|| unsafe {
        let pid = crate::sandbox::launch::clone_into_cgroup(0, fd.as_raw_fd());
        if pid == 0 {
            libc::_exit(0);
        }
        let mut status = 0;
        pid > 0
            && libc::waitpid(pid, &mut status, 0) == pid
            && libc::WIFEXITED(status)
            && libc::WEXITSTATUS(status) == 0
    });
    works.then_some(fd)
}

/// Remove the groups a process that has ended (a worker the harness killed) left behind, waiting
/// a moment for its last processes to go.
pub fn remove_owned_by(pid: u32) {
    let Ok(support) = support() else { return };
    let prefix = format!("evalrun-{pid}-");
    for parent in &support.parents {
        let Ok(entries) = std::fs::read_dir(parent) else { continue };
        for entry in entries.flatten() {
            if !entry.file_name().to_string_lossy().starts_with(&prefix) {
                continue;
            }
            for _ in 0..40 {
                match std::fs::remove_dir(entry.path()) {
                    Err(e) if e.raw_os_error() == Some(libc::EBUSY) => {
                        std::thread::sleep(std::time::Duration::from_millis(5))
                    }
                    _ => break,
                }
            }
        }
    }
}

/// Remove the groups of owners that are gone (killed before they could remove them).
fn sweep(parent: &Path) {
    let Ok(entries) = std::fs::read_dir(parent) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name.strip_prefix("evalrun-").and_then(|r| r.split('-').next()?.parse::<i32>().ok())
        else {
            continue;
        };
        let gone = unsafe { libc::kill(pid, 0) } != 0
            && std::io::Error::last_os_error().raw_os_error() == Some(libc::ESRCH);
        if gone {
            let _ = std::fs::remove_dir(entry.path());
        }
    }
}

/// Join the groups whose `cgroup.procs` descriptors are `fds` (-1: none): in a sandboxed child,
/// before it changes user.
///
/// # Safety
/// Async-signal-safe.
pub unsafe fn enter(fds: &[c_int; 2]) -> Result<(), Failure> {
    for fd in fds.iter().copied().filter(|fd| *fd >= 0) {
        if libc::pwrite(fd, b"0".as_ptr().cast(), 1, 0) != 1 {
            let errno = std::io::Error::last_os_error().raw_os_error().unwrap_or(0);
            return Err(Failure { stage: Stage::Cgroup, errno });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kernel() -> String {
        std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default().trim().to_string()
    }

    #[test]
    fn mount_paths_map_cgroup_paths() {
        assert_eq!(in_mount("/", Path::new("/sys/fs/cgroup"), "/a/b"), PathBuf::from("/sys/fs/cgroup/a/b"));
        assert_eq!(
            in_mount("/a", Path::new("/sys/fs/cgroup/memory"), "/a/b"),
            PathBuf::from("/sys/fs/cgroup/memory/b")
        );
    }

    #[test]
    fn a_group_is_created_limited_and_removed() {
        let Ok(support) = support() else { return };
        let group = Cgroup::create().unwrap();
        group.set_limits(300 << 20, 7).unwrap();
        let dirs: Vec<PathBuf> =
            support.parents.iter().map(|p| p.join(group.parts[0].name.to_str().unwrap())).collect();
        for d in &dirs {
            assert!(d.is_dir(), "{}", d.display());
        }
        let memory = match support.version {
            Version::V2 => dirs[0].join("memory.max"),
            Version::V1 => dirs[0].join("memory.limit_in_bytes"),
        };
        assert_eq!(std::fs::read_to_string(memory).unwrap().trim(), (300u64 << 20).to_string());
        let pids = dirs.last().unwrap().join("pids.max");
        assert_eq!(std::fs::read_to_string(pids).unwrap().trim(), "7");
        // Raising the limit works too (v1: the other order).
        group.set_limits(600 << 20, 7).unwrap();
        // A child created in the group (v2) is a member from its first instruction.
        if let Some(dir) = group.spawn_dir() {
            let pid = unsafe { crate::sandbox::launch::clone_into_cgroup(0, dir) };
            if pid == 0 {
                unsafe {
                    libc::pause();
                    libc::_exit(0)
                }
            }
            assert!(pid > 0, "{}", std::io::Error::last_os_error());
            let members = group.members();
            unsafe {
                libc::kill(pid, libc::SIGKILL);
                libc::waitpid(pid, std::ptr::null_mut(), 0);
            }
            assert_eq!(members, [pid]);
        } else {
            let release = kernel();
            let mut parts =
                release.split(|c: char| !c.is_ascii_digit()).filter_map(|p| p.parse::<u32>().ok());
            let version = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
            assert!(
                support.version == Version::V1 || version < (5, 7),
                "cgroup v2 on Linux {release}: clone3 should create children in the group"
            );
        }
        drop(group);
        for d in &dirs {
            assert!(!d.exists(), "{} was not removed", d.display());
        }
    }
}
