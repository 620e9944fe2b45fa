//! The `seccomp` layer: a seccomp-bpf filter, installed in every sandboxed process right before
//! sample code (or the program of a command step) runs, once the sandbox's own set-up (mounts,
//! namespaces, the change of user), which needs some of the calls it denies, is over.
//!
//! It denies, with `EPERM`, the system calls no sample needs and that widen the kernel's attack
//! surface: tracing and reading other processes (`ptrace`, `process_vm_readv`/`writev`), mounts
//! (old and new API), `pivot_root`, `chroot`, kernel modules, `kexec`, `bpf`,
//! `perf_event_open`, the kernel keyring, `userfaultfd`, `setns`, `io_uring`, swap, reboot,
//! setting the clock, `acct`, `quotactl`, `open_by_handle_at`, `syslog`, and `unshare` or `clone`
//! with `CLONE_NEWUSER` (new user namespaces, in which an unprivileged process would be root
//! again). Everything else is allowed: the filter is a deny list, so the toolchains keep working.
//! The sample sees a clean error, not a kill. `clone3`, whose flags sit in memory a filter cannot
//! read, fails with `ENOSYS`, so that the C library falls back to `clone`, whose flags it can
//! (what Docker's and systemd's filters do). Other architectures' system calls on the same
//! machine (32-bit `int 0x80` on x86-64) kill the process: the filter only knows the native
//! numbers.
//!
//! The filter is compiled once per process by `seccompiler` (Firecracker's), then installed
//! with one raw `seccomp(2)` call per program: async-signal-safe, as a vfork-style child needs.

use crate::sandbox::confine::{Failure, Stage};
use seccompiler::{
    BpfProgram, SeccompAction, SeccompCmpArgLen, SeccompCmpOp, SeccompCondition, SeccompFilter, SeccompRule,
    TargetArch,
};
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// Why the filter cannot be built on this system.
#[derive(Debug, Clone, thiserror::Error)]
pub enum SeccompError {
    #[error("seccomp: no filter for the {0} architecture")]
    Architecture(&'static str),
    #[error("seccomp: cannot compile the filter: {0}")]
    Compile(String),
}

/// The system calls denied outright (with `EPERM`), by name for documentation and tests.
pub const DENIED: &[(&str, libc::c_long)] = &[
    ("ptrace", libc::SYS_ptrace),
    ("process_vm_readv", libc::SYS_process_vm_readv),
    ("process_vm_writev", libc::SYS_process_vm_writev),
    ("mount", libc::SYS_mount),
    ("umount2", libc::SYS_umount2),
    ("pivot_root", libc::SYS_pivot_root),
    ("chroot", libc::SYS_chroot),
    ("open_tree", libc::SYS_open_tree),
    ("move_mount", libc::SYS_move_mount),
    ("fsopen", libc::SYS_fsopen),
    ("fsconfig", libc::SYS_fsconfig),
    ("fsmount", libc::SYS_fsmount),
    ("fspick", libc::SYS_fspick),
    ("mount_setattr", libc::SYS_mount_setattr),
    ("kexec_load", libc::SYS_kexec_load),
    ("kexec_file_load", libc::SYS_kexec_file_load),
    ("init_module", libc::SYS_init_module),
    ("finit_module", libc::SYS_finit_module),
    ("delete_module", libc::SYS_delete_module),
    ("bpf", libc::SYS_bpf),
    ("perf_event_open", libc::SYS_perf_event_open),
    ("keyctl", libc::SYS_keyctl),
    ("add_key", libc::SYS_add_key),
    ("request_key", libc::SYS_request_key),
    ("userfaultfd", libc::SYS_userfaultfd),
    ("setns", libc::SYS_setns),
    ("io_uring_setup", libc::SYS_io_uring_setup),
    ("io_uring_enter", libc::SYS_io_uring_enter),
    ("io_uring_register", libc::SYS_io_uring_register),
    ("swapon", libc::SYS_swapon),
    ("swapoff", libc::SYS_swapoff),
    ("reboot", libc::SYS_reboot),
    ("settimeofday", libc::SYS_settimeofday),
    ("clock_settime", libc::SYS_clock_settime),
    ("clock_adjtime", libc::SYS_clock_adjtime),
    ("acct", libc::SYS_acct),
    ("quotactl", libc::SYS_quotactl),
    ("open_by_handle_at", libc::SYS_open_by_handle_at),
    ("syslog", libc::SYS_syslog),
];

/// System calls denied (with `EPERM`) only when their first argument holds `CLONE_NEWUSER`.
pub const DENIED_WITH_NEWUSER: &[(&str, libc::c_long)] =
    &[("unshare", libc::SYS_unshare), ("clone", libc::SYS_clone)];

/// The compiled filters: the deny list, and `clone3` (`ENOSYS`).
pub struct Filters {
    programs: [BpfProgram; 2],
}

fn target_arch() -> Result<TargetArch, SeccompError> {
    match std::env::consts::ARCH {
        "x86_64" => Ok(TargetArch::x86_64),
        "aarch64" => Ok(TargetArch::aarch64),
        "riscv64" => Ok(TargetArch::riscv64),
        other => Err(SeccompError::Architecture(other)),
    }
}

fn build() -> Result<Filters, SeccompError> {
    let arch = target_arch()?;
    let compile = |e: seccompiler::BackendError| SeccompError::Compile(e.to_string());
    let mut rules: BTreeMap<i64, Vec<SeccompRule>> =
        DENIED.iter().map(|(_, nr)| (*nr as i64, Vec::new())).collect();
    let newuser = libc::CLONE_NEWUSER as u64;
    for (_, nr) in DENIED_WITH_NEWUSER {
        let condition =
            SeccompCondition::new(0, SeccompCmpArgLen::Qword, SeccompCmpOp::MaskedEq(newuser), newuser)
                .map_err(compile)?;
        rules.insert(*nr as i64, vec![SeccompRule::new(vec![condition]).map_err(compile)?]);
    }
    let deny =
        SeccompFilter::new(rules, SeccompAction::Allow, SeccompAction::Errno(libc::EPERM as u32), arch)
            .map_err(compile)?;
    let clone3 = SeccompFilter::new(
        BTreeMap::from([(libc::SYS_clone3 as i64, Vec::new())]),
        SeccompAction::Allow,
        SeccompAction::Errno(libc::ENOSYS as u32),
        arch,
    )
    .map_err(compile)?;
    Ok(Filters {
        programs: [
            BpfProgram::try_from(deny).map_err(compile)?,
            BpfProgram::try_from(clone3).map_err(compile)?,
        ],
    })
}

/// The filters of this process, compiled at the first call (before any fork: the child only
/// installs them).
pub fn filters() -> Result<&'static Filters, SeccompError> {
    static FILTERS: OnceLock<Result<Filters, SeccompError>> = OnceLock::new();
    FILTERS.get_or_init(build).as_ref().map_err(Clone::clone)
}

impl Filters {
    /// Install the filters on the calling thread (a sandboxed child). Needs
    /// `PR_SET_NO_NEW_PRIVS` set first (or `CAP_SYS_ADMIN`); inherited by every process it
    /// starts and kept across `execve`.
    ///
    /// # Safety
    /// Async-signal-safe: one system call per program on memory prepared beforehand.
    pub unsafe fn install(&self) -> Result<(), Failure> {
        for program in &self.programs {
            let prog = libc::sock_fprog {
                len: program.len() as libc::c_ushort,
                // seccompiler's `sock_filter` has the kernel's layout, as libc's does.
                filter: program.as_ptr() as *mut libc::sock_filter,
            };
            let rc = libc::syscall(
                libc::SYS_seccomp,
                libc::SECCOMP_SET_MODE_FILTER,
                0 as libc::c_ulong,
                &prog as *const libc::sock_fprog,
            );
            if rc != 0 {
                let errno = std::io::Error::last_os_error().raw_os_error().unwrap_or(0);
                return Err(Failure { stage: Stage::Seccomp, errno });
            }
        }
        Ok(())
    }
}

/// Whether the filter can be built and installed here: tried in a throwaway child, which also
/// checks that a denied call (`keyctl`) then fails with `EPERM` and an ordinary one works.
pub fn probe() -> bool {
    let Ok(filters) = filters() else { return false };
    unsafe {
        super::confine::true_in_child(|| {
            libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0
                && filters.install().is_ok()
                && libc::syscall(libc::SYS_keyctl, 0, -3i64, 0, 0, 0) == -1
                && *libc::__errno_location() == libc::EPERM
                && libc::getpid() > 0
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_filter_compiles_with_every_denied_call() {
        let filters = filters().expect("filter builds");
        // Each unconditionally denied call costs a few instructions; the argument checks more.
        assert!(filters.programs[0].len() > DENIED.len() * 3, "{}", filters.programs[0].len());
        let names: Vec<&str> = DENIED.iter().map(|(n, _)| *n).collect();
        for wanted in ["ptrace", "mount", "bpf", "io_uring_setup", "keyctl", "userfaultfd", "setns"] {
            assert!(names.contains(&wanted), "{wanted} is not denied");
        }
    }

    #[test]
    fn a_filtered_process_gets_eperm_and_clone3_gets_enosys() {
        let filters = filters().unwrap();
        unsafe {
            let pid = libc::fork();
            if pid == 0 {
                let errno = || *libc::__errno_location();
                let mut code = 0;
                if libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || filters.install().is_err() {
                    code |= 1;
                }
                if libc::unshare(libc::CLONE_NEWUSER) != -1 || errno() != libc::EPERM {
                    code |= 2;
                }
                if libc::syscall(libc::SYS_io_uring_setup, 1, [0u8; 120].as_mut_ptr()) != -1
                    || errno() != libc::EPERM
                {
                    code |= 4;
                }
                if libc::syscall(libc::SYS_clone3, std::ptr::null::<u8>(), 0) != -1 || errno() != libc::ENOSYS
                {
                    code |= 8;
                }
                // An ordinary fork still works (glibc's fork is `clone` without CLONE_NEWUSER).
                let child = libc::fork();
                if child == 0 {
                    libc::_exit(0);
                }
                let mut st = 0;
                if child < 0 || libc::waitpid(child, &mut st, 0) != child {
                    code |= 16;
                }
                libc::_exit(code);
            }
            let mut status = 0;
            libc::waitpid(pid, &mut status, 0);
            assert!(libc::WIFEXITED(status), "status {status}");
            assert_eq!(libc::WEXITSTATUS(status), 0, "failed checks (bit mask)");
        }
    }
}
