//! `evalrun tasks check`: every task's own material must hold up. Each kind of task has its
//! check in a file of its own: [`code`] runs a code task's reference solution against its
//! tests; [`test_writing`] runs a test-writing task's own suite against its reference and its
//! mutants.

mod code;
mod test_writing;

use crate::judge::Judge;
use crate::sandbox::{Limits, SandboxError, WorkerCommand};
use evalrun_core::{Task, TaskKind};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

/// What checking one task found.
#[derive(Debug, Clone, PartialEq)]
pub enum Finding {
    /// The task's material holds: what was shown.
    Passed(String),
    /// Something does not hold: what.
    Failed(String),
    /// Nothing could be run (no reference solution, say), or only part: why.
    Skipped(String),
}

impl Finding {
    pub fn label(&self) -> &'static str {
        match self {
            Finding::Passed(_) => "passed",
            Finding::Failed(_) => "FAILED",
            Finding::Skipped(_) => "skipped",
        }
    }

    pub fn detail(&self) -> &str {
        match self {
            Finding::Passed(d) | Finding::Failed(d) | Finding::Skipped(d) => d,
        }
    }
}

/// The finding on one task.
#[derive(Debug, Clone)]
pub struct TaskFinding {
    pub task: Task,
    pub finding: Finding,
    pub seconds: f64,
}

/// Checks tasks; owns the sandbox workers it needs.
pub struct Checker {
    judge: Judge,
}

impl Checker {
    pub fn new(worker: WorkerCommand, limits: Limits) -> Result<Self, SandboxError> {
        Ok(Checker { judge: Judge::new(worker, limits)? })
    }

    pub fn check(&mut self, task: &Task) -> Finding {
        match task.kind {
            TaskKind::Code => code::check(&mut self.judge, task),
            TaskKind::TestWriting => test_writing::check(&mut self.judge, task),
        }
    }
}

/// Check every task with `workers` checkers in parallel; `on_finding` sees each finding as it
/// lands. Findings come back in the order of `tasks`.
pub fn check_all(
    tasks: &[Task],
    workers: usize,
    worker: &WorkerCommand,
    limits: &Limits,
    on_finding: &(dyn Fn(&TaskFinding) + Sync),
) -> Result<Vec<TaskFinding>, SandboxError> {
    let checkers = (0..workers.clamp(1, tasks.len().max(1)))
        .map(|_| Checker::new(worker.clone(), limits.clone()))
        .collect::<Result<Vec<_>, _>>()?;
    let next = AtomicUsize::new(0);
    let found: Mutex<Vec<Option<TaskFinding>>> = Mutex::new(vec![None; tasks.len()]);
    std::thread::scope(|scope| {
        for mut checker in checkers {
            let (next, found) = (&next, &found);
            scope.spawn(move || loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(task) = tasks.get(i) else { break };
                let started = Instant::now();
                let finding = checker.check(task);
                let result =
                    TaskFinding { task: task.clone(), finding, seconds: started.elapsed().as_secs_f64() };
                on_finding(&result);
                if let Ok(mut found) = found.lock() {
                    found[i] = Some(result);
                }
            });
        }
    });
    let found = found.into_inner().map_err(|_| SandboxError::Protocol("a checker thread panicked".into()))?;
    Ok(found.into_iter().flatten().collect())
}
