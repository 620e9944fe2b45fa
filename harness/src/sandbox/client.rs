//! The harness side of a worker: start it, send it samples, restart it when it dies.

use crate::sandbox::protocol::{CheckedProgram, Job, Request, Response};
use crate::sandbox::pytest::{PytestOutcome, PytestRequest};
use crate::sandbox::{Layers, Limits, SandboxError};
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

    /// The same worker with only `layers` of isolation (default: `EVALRUN_SANDBOX_LAYERS`, or all).
    pub fn with_layers(mut self, layers: Layers) -> Self {
        self.args.extend(["--layers".to_string(), layers.to_string()]);
        self
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
            // A killed worker cannot remove its samples' cgroup itself.
            crate::sandbox::cgroup::remove_owned_by(running.child.id());
        }
    }

    /// The worker process's id, while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.running.as_ref().map(|r| r.child.id())
    }

    /// Run one program under `limits`: it passes if it runs to the end without an exception.
    /// Always yields a verdict: if the worker dies or hangs, the sample is marked crashed and the
    /// worker is restarted for the next one.
    pub fn run(&mut self, program: &str, limits: &Limits) -> Verdict {
        self.verdict(Job::Program { program: program.to_string() }, limits)
    }

    /// Run `solution`, and `check` in an interpreter of its own that takes from the solution
    /// every name it does not define, as proxies (functions) or copies (plain data): a solution
    /// can neither swallow the check nor reach it. See [`CheckedProgram`].
    pub fn run_checked(&mut self, solution: &str, check: &str, limits: &Limits) -> Verdict {
        let program = CheckedProgram {
            solution: solution.to_string(),
            check: check.to_string(),
            prelude: String::new(),
            entry_point: None,
        };
        self.run_program_check(&program, limits)
    }

    /// Run a solution and its check apart (how task checks run).
    pub fn run_program_check(&mut self, program: &CheckedProgram, limits: &Limits) -> Verdict {
        self.verdict(Job::Checked(program.clone()), limits)
    }

    /// Run pytest on the request's files (see [`crate::sandbox::pytest`]). Like [`Self::run`],
    /// always yields an outcome.
    pub fn run_pytest(&mut self, request: &PytestRequest, limits: &Limits) -> PytestOutcome {
        let r = self.respond(Job::Pytest(request.clone()), limits);
        PytestOutcome::from_parts(r.status, r.detail, r.exec_s, r.pytest)
    }

    fn verdict(&mut self, job: Job, limits: &Limits) -> Verdict {
        let r = self.respond(job, limits);
        Verdict { status: r.status, detail: r.detail, exception: r.exception, exec_s: r.exec_s }
    }

    fn respond(&mut self, job: Job, limits: &Limits) -> Response {
        let started = Instant::now();
        match self.exchange(job, limits) {
            Ok(r) => r,
            Err(reason) => {
                self.stop();
                let restart =
                    self.start().err().map(|e| format!("; restart failed: {e}")).unwrap_or_default();
                Response {
                    id: self.next_id,
                    status: Status::Crashed,
                    detail: format!("sandbox worker failed: {reason}{restart}"),
                    exception: None,
                    exec_s: started.elapsed().as_secs_f64(),
                    pytest: None,
                }
            }
        }
    }

    fn exchange(&mut self, job: Job, limits: &Limits) -> Result<Response, String> {
        if self.running.is_none() {
            self.start().map_err(|e| e.to_string())?;
        }
        let running = self.running.as_mut().ok_or("worker not running")?;
        self.next_id += 1;
        let id = self.next_id;
        let request = Request { id, limits: limits.clone(), job };
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
