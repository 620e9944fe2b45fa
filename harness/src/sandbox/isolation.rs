//! The isolation layers around a sample: which are asked for, which this kernel allows, and what
//! is lost when one is missing.
//!
//! Every layer is on by default. `EVALRUN_SANDBOX_LAYERS` (or `evalrun __worker python --layers`)
//! selects a subset, e.g. `all`, `none`, `pid,net,mount` or `all,-net`: the benchmark uses it to
//! measure what each layer costs. A layer the kernel refuses is dropped with one warning that
//! says which protection is lost, and the run manifest records the layers in effect.

use crate::sandbox::confine;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::{Once, OnceLock};

/// A set of isolation layers. Resource limits, a process group of its own and a private
/// working directory apply to every sample whatever the layers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Layers {
    /// A PID namespace of its own: the sample is its PID 1, so every process it starts (one that
    /// calls `setsid` or double-forks included) dies with it; a fresh `/proc` shows only them.
    pub pid: bool,
    /// A network namespace of its own: no interface but a loopback that is down.
    pub net: bool,
    /// A mount namespace of its own: the host file system read-only, homes hidden (toolchains
    /// inside them re-exposed read-only), private `/tmp`, `/dev/shm` and scratch directory.
    pub mount: bool,
    /// IPC and UTS namespaces of its own: no System V or POSIX IPC objects shared with anyone.
    pub ipc: bool,
    /// An unprivileged user of its own (root runs it as a dedicated uid; otherwise a user
    /// namespace with no capabilities), and no way to gain privileges (`PR_SET_NO_NEW_PRIVS`).
    pub user: bool,
    /// A seccomp-bpf filter: the system calls samples never need fail with `EPERM`
    /// ([`crate::sandbox::seccomp`]). Absent from manifests written before it existed.
    #[serde(default)]
    pub seccomp: bool,
    /// A control group per worker and per command job: the memory and processes of a sample
    /// and of all it starts are bounded together ([`crate::sandbox::cgroup`]).
    #[serde(default)]
    pub cgroup: bool,
}

/// The names of the layers, in the order they are applied.
pub const LAYER_NAMES: [&str; 7] = ["user", "ipc", "mount", "pid", "net", "seccomp", "cgroup"];

/// The environment variable that selects layers (`all` when unset).
pub const LAYERS_ENV: &str = "EVALRUN_SANDBOX_LAYERS";

impl Layers {
    pub const ALL: Layers =
        Layers { pid: true, net: true, mount: true, ipc: true, user: true, seccomp: true, cgroup: true };
    pub const NONE: Layers = Layers {
        pid: false,
        net: false,
        mount: false,
        ipc: false,
        user: false,
        seccomp: false,
        cgroup: false,
    };

    fn slot(&mut self, name: &str) -> Option<&mut bool> {
        match name {
            "pid" => Some(&mut self.pid),
            "net" => Some(&mut self.net),
            "mount" => Some(&mut self.mount),
            "ipc" => Some(&mut self.ipc),
            "user" => Some(&mut self.user),
            "seccomp" => Some(&mut self.seccomp),
            "cgroup" => Some(&mut self.cgroup),
            _ => None,
        }
    }

    pub fn get(&self, name: &str) -> bool {
        let mut copy = *self;
        copy.slot(name).is_some_and(|v| *v)
    }

    /// Parse `all`, `none`, or a comma-separated list of layer names, where `-name` removes one
    /// (`all,-net`).
    pub fn parse(text: &str) -> Result<Layers, String> {
        let mut layers = Layers::NONE;
        for word in text.split(',').map(str::trim).filter(|w| !w.is_empty()) {
            match word {
                "all" => layers = Layers::ALL,
                "none" => layers = Layers::NONE,
                _ => {
                    let (on, name) = word.strip_prefix('-').map_or((true, word), |n| (false, n));
                    let slot = layers.slot(name).ok_or_else(|| {
                        format!(
                            "unknown sandbox layer `{name}` (known: all, none, {})",
                            LAYER_NAMES.join(", ")
                        )
                    })?;
                    *slot = on;
                }
            }
        }
        Ok(layers)
    }

    /// The layers `EVALRUN_SANDBOX_LAYERS` asks for (all when unset).
    pub fn from_env() -> Result<Layers, String> {
        match std::env::var(LAYERS_ENV) {
            Ok(text) => Layers::parse(&text).map_err(|e| format!("{LAYERS_ENV}: {e}")),
            Err(_) => Ok(Layers::ALL),
        }
    }

    pub fn intersect(self, other: Layers) -> Layers {
        Layers {
            pid: self.pid && other.pid,
            net: self.net && other.net,
            mount: self.mount && other.mount,
            ipc: self.ipc && other.ipc,
            user: self.user && other.user,
            seccomp: self.seccomp && other.seccomp,
            cgroup: self.cgroup && other.cgroup,
        }
    }

    /// The `CLONE_NEW*` flags of these layers (the user layer is a uid, not a namespace, when
    /// running as root).
    pub fn namespace_flags(&self) -> libc::c_int {
        let mut flags = 0;
        for (on, flag) in [
            (self.pid, libc::CLONE_NEWPID),
            (self.net, libc::CLONE_NEWNET),
            (self.mount, libc::CLONE_NEWNS),
            (self.ipc, libc::CLONE_NEWIPC | libc::CLONE_NEWUTS),
        ] {
            if on {
                flags |= flag;
            }
        }
        flags
    }

    pub fn names(&self) -> Vec<&'static str> {
        LAYER_NAMES.iter().copied().filter(|n| self.get(n)).collect()
    }
}

impl fmt::Display for Layers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = self.names();
        f.write_str(if names.is_empty() { "none".into() } else { names.join(",") }.as_str())
    }
}

/// What is lost without a layer.
pub fn loss(name: &str) -> &'static str {
    match name {
        "pid" => "processes a sample starts with setsid or a double fork may outlive it (unless the user layer reaps them), and /proc shows the host's processes",
        "net" => "samples can open network connections",
        "mount" => "samples can write wherever their user may, read the host's files (homes are not hidden) and see each other's /tmp",
        "ipc" => "samples share System V and POSIX IPC objects with the host and with later samples",
        "user" => "samples run as the user evalrun runs as (as root: they can read /etc/shadow and write anywhere)",
        "seccomp" => "samples can make every system call the kernel offers them (ptrace, bpf, io_uring, keyrings, new user namespaces...): more of the kernel is exposed to an exploit",
        "cgroup" => "a sample's total memory is bounded only by the address-space limit times the process limit, and its processes only by the per-uid process limit",
        _ => "unknown layer",
    }
}

/// What is lost where a command job's scratch directory cannot be a size-limited tmpfs.
pub const SCRATCH_LOSS: &str =
    "a command job's scratch directory lies on the host's disk, bounded per file (file_size_bytes) but not in total";

/// The layers in effect for a run, and why some asked for are not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Protections {
    pub requested: Layers,
    pub effective: Layers,
    /// Whether evalrun runs as root (the user layer then uses a dedicated uid per sandbox).
    pub root: bool,
    /// One line per layer asked for but unavailable: the protection lost.
    pub lost: Vec<String>,
}

impl Protections {
    pub fn for_request(requested: Layers) -> Protections {
        let available = available();
        let effective = requested.intersect(*available);
        let lost = LAYER_NAMES
            .iter()
            .filter(|n| requested.get(n) && !effective.get(n))
            .map(|n| format!("{n}: unavailable on this system, so {}", loss(n)))
            .chain(
                (effective.mount && !confine::scratch_tmpfs_available())
                    .then(|| format!("mount (scratch size): no detached tmpfs here, so {SCRATCH_LOSS}")),
            )
            .collect();
        Protections { requested, effective, root: confine::is_root(), lost }
    }

    /// Warn (once per process) about every protection lost.
    pub fn warn_once(&self) {
        static WARNED: Once = Once::new();
        if !self.lost.is_empty() {
            WARNED.call_once(|| {
                for line in &self.lost {
                    tracing::warn!("sandbox layer {line}");
                }
            });
        }
    }
}

/// The layers this kernel and this process allow, probed once per process in throwaway children.
pub fn available() -> &'static Layers {
    static AVAILABLE: OnceLock<Layers> = OnceLock::new();
    AVAILABLE.get_or_init(confine::probe)
}
