//! Judging a sample: from a task and a completion to a verdict (and, for kinds that score more
//! than pass/fail, named metrics), whatever the task's language and kind. Each executor thread
//! owns one [`Judge`], and with it its sandbox workers.

use crate::languages;
use crate::sandbox::protocol::CheckedProgram;
use crate::sandbox::{Limits, PythonWorker, SandboxError, WorkerCommand};
use evalrun_core::{Language, Status, Task, TaskKind, Verdict};
use std::collections::BTreeMap;

/// The verdict on one sample and its scores beyond pass/fail.
#[derive(Debug, Clone, PartialEq)]
pub struct Judgement {
    pub verdict: Verdict,
    /// See [`evalrun_core::SampleRecord::metrics`].
    pub metrics: BTreeMap<String, f64>,
    /// See [`evalrun_core::SampleRecord::failures`].
    pub failures: BTreeMap<String, u32>,
}

impl From<Verdict> for Judgement {
    fn from(verdict: Verdict) -> Self {
        Judgement { verdict, metrics: BTreeMap::new(), failures: BTreeMap::new() }
    }
}

pub struct Judge {
    python: PythonWorker,
    limits: Limits,
}

impl Judge {
    pub fn new(worker: WorkerCommand, limits: Limits) -> Result<Self, SandboxError> {
        Ok(Judge { python: PythonWorker::spawn(worker)?, limits })
    }

    /// The Python worker and the default limits, for checks that drive it directly.
    pub(crate) fn python(&mut self) -> (&mut PythonWorker, &Limits) {
        (&mut self.python, &self.limits)
    }

    pub fn judge(&mut self, task: &Task, completion: &str) -> Judgement {
        match (task.kind, task.language) {
            (TaskKind::Code, Language::Python) => {
                let (solution, check) = task.check_program_parts(completion);
                let program = CheckedProgram {
                    solution,
                    check,
                    prelude: task.prompt.clone(),
                    entry_point: Some(task.entry_point.clone()),
                };
                self.python.run_program_check(&program, &self.limits.with_overrides(&task.limits)).into()
            }
            (TaskKind::TestWriting, Language::Python) => {
                crate::testwriting::judge(&mut self.python, task, completion, &self.limits)
            }
            (TaskKind::Code, _) => {
                languages::judge(task, completion, &self.limits.with_overrides(&task.limits)).into()
            }
            (kind, language) => Verdict {
                status: Status::Failed,
                detail: format!(
                    "this build of evalrun cannot judge {} tasks in {}",
                    kind.as_str(),
                    language.as_str()
                ),
                ..Verdict::default()
            }
            .into(),
        }
    }
}
