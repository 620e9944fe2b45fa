//! The test-writing part of `evalrun tasks check`: a task's own suite must be valid on its
//! reference module (every test passes at once, no definition shadows the module) and kill every
//! mutant the task keeps.

use super::score::{score_suite, Subject};
use crate::sandbox::{Limits, PythonWorker};
use evalrun_core::{Task, TaskKind};

/// What the check found for one task; it passes when `problems` is empty.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskCheck {
    pub task_id: String,
    pub problems: Vec<String>,
    pub mutants: usize,
    /// The tests of its own suite.
    pub tests: usize,
    /// Coverage of the reference by the task's own suite, fractions.
    pub line_coverage: f64,
    pub branch_coverage: f64,
    pub exec_s: f64,
}

impl TaskCheck {
    pub fn passed(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Check one test-writing task. Tasks of other kinds are a problem of their own, not a panic.
pub fn check_task(worker: &mut PythonWorker, task: &Task, limits: &Limits) -> TaskCheck {
    let mut check = TaskCheck {
        task_id: task.id.clone(),
        problems: Vec::new(),
        mutants: task.mutants.len(),
        tests: 0,
        line_coverage: 0.0,
        branch_coverage: 0.0,
        exec_s: 0.0,
    };
    if task.kind != TaskKind::TestWriting {
        check.problems.push(format!("is a {} task, not a test-writing task", task.kind.as_str()));
        return check;
    }
    if task.mutants.is_empty() {
        check.problems.push("has no mutants".to_string());
    }
    let subject = Subject { module: &task.entry_point, source: &task.reference, mutants: &task.mutants };
    let score = score_suite(worker, &subject, &task.test, &limits.with_overrides(&task.limits));
    check.exec_s = score.exec_s;
    check.tests = score.kept.written.len();
    check.line_coverage = score.line_coverage;
    check.branch_coverage = score.branch_coverage;
    // Strict: every test of the task's own suite passes at once, and none tests a copy.
    if !score.valid() {
        let verdict = score.verdict();
        check.problems.push(format!(
            "its own suite does not pass on the reference ({}): {}",
            verdict.status.as_str(),
            verdict.detail
        ));
        return check;
    }
    for id in &score.survivors {
        if let Some(m) = task.mutants.iter().find(|m| &m.id == id) {
            check
                .problems
                .push(format!("mutant {} ({}, line {}) survives its own suite", m.id, m.operator, m.line));
        }
    }
    check
}
