//! JavaScript, run by Node.

use super::source;
use super::{fenced_code, run_limits, seeded, Toolchain};
use crate::sandbox::command::{Job, Step};
use crate::sandbox::Limits;
use evalrun_core::{Language, Task};

pub struct JavaScript;

/// Node's start-up, added to the run's wall clock.
const STARTUP_S: f64 = 2.0;

impl Toolchain for JavaScript {
    fn language(&self) -> Language {
        Language::Javascript
    }

    fn job(&self, task: &Task, completion: &str, limits: &Limits) -> Job {
        let defines = source::js_defines(completion, &task.entry_point);
        let program = source::assemble(&task.prompt, completion, &task.test, defines);
        seeded(task)
            .file("main.js", program)
            .step(Step::new("run", ["node", "main.js"]).limits(run_limits(limits, STARTUP_S)))
    }

    fn extract(&self, answer: &str, entry_point: &str) -> String {
        fenced_code(answer, &["javascript", "js", "node", "nodejs", "jsx"], entry_point)
    }

    fn completion_stops(&self) -> Vec<String> {
        ["\nfunction ", "\n/*", "\n//", "\nconsole.log"].map(String::from).to_vec()
    }

    fn failing_stub(&self) -> Option<&'static str> {
        Some("  throw new Error(\"stub\");\n}\n")
    }
}
