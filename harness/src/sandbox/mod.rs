//! Sandboxed execution of generated code (guarantees and their limits: `docs/SANDBOX.md`).
//!
//! Generated code never runs in the evalrun process. Python samples go to *workers*
//! (`evalrun __worker python`), processes that embed the interpreter, warm it once, and fork a
//! fresh child per sample; programs of other toolchains run as [`command`] jobs. Both are fenced
//! in by the same [`Layers`] ([`confine`] does the system calls, [`launch`] the forking and
//! supervision): PID, network, mount and IPC namespaces, a read-only host with homes hidden, a
//! private scratch directory, an unprivileged uid of their own, a [`seccomp`] filter, a
//! [`cgroup`] bounding their memory and processes together, resource [`Limits`], a wall-clock
//! deadline after which everything they started is killed. The harness talks to workers over a
//! JSON-lines protocol ([`protocol`]) and restarts a worker that dies, so a crash or hang costs
//! only its sample.

pub mod cgroup;
mod client;
pub mod command;
pub mod confine;
pub mod isolation;
pub mod launch;
pub mod limits;
pub mod protocol;
pub mod pytest;
pub mod seccomp;
#[cfg(feature = "python")]
pub mod worker;

pub use client::{PythonWorker, WorkerCommand};

/// How checks run, as run manifests record it: `isolated`, a check never shares an interpreter
/// or a program with the solution it judges (Python: the worker's checker process, calling the
/// solution's child through proxies; other languages: the solution's program writes its results
/// as data, compared by evalrun with values computed without it). `docs/SANDBOX.md`.
pub const CHECK_MODE: &str = "isolated";

/// Whether this build embeds Python (the `python` feature): without it there is no Python
/// worker and no test-writing helper, and evalrun can only generate.
pub const PYTHON_BUILT_IN: bool = cfg!(feature = "python");

/// What a build without Python says when asked to execute.
pub const NO_PYTHON: &str = "this evalrun was built without Python (--no-default-features, as \
scripts/package-dynamic.sh builds it for GPU machines): it only generates. Run `evalrun run \
--generate-only` here, then the same command with --resume where the full build and its sandbox live";
pub use isolation::{Layers, Protections};
pub use limits::Limits;

#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("cannot start sandbox worker `{command}`: {source}")]
    Spawn { command: String, source: std::io::Error },
    #[error("sandbox worker protocol error: {0}")]
    Protocol(String),
    #[error("sandbox: {0}")]
    Config(String),
    #[error("sandbox: {what}: {source}")]
    Io { what: String, source: std::io::Error },
    #[error("sandbox set-up failed for {what} while {failure}")]
    Setup { what: String, failure: confine::Failure },
    #[error(transparent)]
    Seccomp(#[from] seccomp::SeccompError),
    #[error(transparent)]
    Cgroup(#[from] cgroup::CgroupError),
}

impl SandboxError {
    pub(crate) fn io(what: impl Into<String>, source: std::io::Error) -> SandboxError {
        SandboxError::Io { what: what.into(), source }
    }
}
