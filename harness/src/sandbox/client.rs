//! The harness side of a worker: start it, send it samples, restart it when it dies.

use crate::sandbox::protocol::{Request, Response};
use crate::sandbox::{Limits, SandboxError};
use crossbeam_channel::{Receiver, RecvTimeoutError};
use evalrun_core::{Status, Verdict};
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

/// How to start a worker process.
#[derive(Debug, Clone)]
pub struct WorkerCommand {
    pub program: PathBuf,
    pub args: Vec<String>,
}

impl WorkerCommand {
    /// `<this executable> __worker python`: the evalrun binary is its own worker.
    pub fn current_exe() -> std::io::Result<Self> {
        Ok(WorkerCommand {
            program: std::env::current_exe()?,
            args: vec!["__worker".into(), "python".into()],
        })
    }
}

struct Running {
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<std::io::Result<String>>,
}

/// One worker process; not shared between threads (each executor thread owns one).
pub struct PythonWorker {
    command: WorkerCommand,
    running: Option<Running>,
    next_id: u64,
}

/// Extra time a worker gets beyond a sample's own limit before the harness declares it hung.
const WORKER_GRACE: Duration = Duration::from_secs(10);

impl PythonWorker {
    pub fn spawn(command: WorkerCommand) -> Result<Self, SandboxError> {
        let mut worker = PythonWorker { command, running: None, next_id: 0 };
        worker.start()?;
        Ok(worker)
    }

    fn start(&mut self) -> Result<(), SandboxError> {
        let spawn_err =
            |source| SandboxError::Spawn { command: self.command.program.display().to_string(), source };
        let mut child = Command::new(&self.command.program)
            .args(&self.command.args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(spawn_err)?;
        let stdin = child.stdin.take().ok_or_else(|| SandboxError::Protocol("no stdin".into()))?;
        let stdout = child.stdout.take().ok_or_else(|| SandboxError::Protocol("no stdout".into()))?;
        // A reader thread turns the worker's stdout into a channel, so waits can time out.
        let (tx, rx) = crossbeam_channel::unbounded();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let end = line.is_err();
                if tx.send(line).is_err() || end {
                    break;
                }
            }
        });
        self.running = Some(Running { child, stdin, lines: rx });
        Ok(())
    }

    fn stop(&mut self) {
        if let Some(mut running) = self.running.take() {
            let _ = running.child.kill();
            let _ = running.child.wait();
        }
    }

    /// Run one program under `limits`. Always yields a verdict: if the worker dies or hangs,
    /// the sample is marked crashed and the worker is restarted for the next one.
    pub fn run(&mut self, program: &str, limits: &Limits) -> Verdict {
        let started = Instant::now();
        match self.exchange(program, limits) {
            Ok(r) => Verdict { status: r.status, detail: r.detail, exception: r.exception, exec_s: r.exec_s },
            Err(reason) => {
                self.stop();
                let restart =
                    self.start().err().map(|e| format!("; restart failed: {e}")).unwrap_or_default();
                Verdict {
                    status: Status::Crashed,
                    detail: format!("sandbox worker failed: {reason}{restart}"),
                    exception: None,
                    exec_s: started.elapsed().as_secs_f64(),
                }
            }
        }
    }

    fn exchange(&mut self, program: &str, limits: &Limits) -> Result<Response, String> {
        if self.running.is_none() {
            self.start().map_err(|e| e.to_string())?;
        }
        let running = self.running.as_mut().ok_or("worker not running")?;
        self.next_id += 1;
        let id = self.next_id;
        let request = Request { id, program: program.to_string(), limits: limits.clone() };
        let mut line = serde_json::to_string(&request).map_err(|e| e.to_string())?;
        line.push('\n');
        running
            .stdin
            .write_all(line.as_bytes())
            .and_then(|_| running.stdin.flush())
            .map_err(|e| format!("cannot send the sample: {e}"))?;
        let patience = Duration::from_secs_f64(limits.timeout_s.max(0.0)) + WORKER_GRACE;
        match running.lines.recv_timeout(patience) {
            Ok(Ok(text)) => {
                let response: Response = serde_json::from_str(&text)
                    .map_err(|e| format!("unreadable response ({e}): {text:.200}"))?;
                if response.id != id {
                    return Err(format!("response {} for request {id}", response.id));
                }
                Ok(response)
            }
            Ok(Err(e)) => Err(format!("reading the worker: {e}")),
            Err(RecvTimeoutError::Timeout) => Err(format!("no answer within {patience:?}")),
            Err(RecvTimeoutError::Disconnected) => {
                let status = running.child.try_wait().ok().flatten();
                Err(format!("worker exited ({})", status.map_or("still running".into(), |s| s.to_string())))
            }
        }
    }
}

impl Drop for PythonWorker {
    fn drop(&mut self) {
        self.stop();
    }
}
