//! Sandboxed execution of generated code.
//!
//! Generated code never runs in the evalrun process. A *worker* process (`evalrun __worker
//! python`) embeds the Python interpreter, warms it once, and forks a fresh child for every
//! sample: the child gets its own process group, a private scratch directory, resource limits,
//! and `/dev/null` for its standard streams; the worker supervises it with a wall-clock deadline
//! and kills the whole group afterwards. The harness talks to workers over a JSON-lines protocol
//! ([`protocol`]) and restarts a worker that dies, so a crash or hang costs only its sample.
//!
//! The layers that isolate the child (namespaces, an unprivileged user, a read-only file system)
//! are added in [`worker::isolate_child`]; nothing else has to change for them.

mod client;
pub mod limits;
pub mod protocol;
pub mod worker;

pub use client::{PythonWorker, WorkerCommand};
pub use limits::Limits;

#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("cannot start sandbox worker `{command}`: {source}")]
    Spawn { command: String, source: std::io::Error },
    #[error("sandbox worker protocol error: {0}")]
    Protocol(String),
}
