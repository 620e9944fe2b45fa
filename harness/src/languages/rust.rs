//! Rust, compiled by rustc (debug: integer overflow panics, as a test failure).

use super::source;
use super::{build_limits, fenced_code, run_limits, seeded, Toolchain};
use crate::sandbox::command::{Job, Step};
use crate::sandbox::Limits;
use evalrun_core::{Language, Task};

pub struct Rust;

impl Toolchain for Rust {
    fn language(&self) -> Language {
        Language::Rust
    }

    fn job(&self, task: &Task, completion: &str, limits: &Limits) -> Job {
        let defines = source::rust_definition(completion, &task.entry_point, false).is_some();
        let program = source::assemble(&task.prompt, completion, &task.test, defines);
        seeded(task)
            .file("main.rs", program)
            .step(
                Step::new(
                    "compile",
                    ["rustc", "--edition", "2021", "-A", "warnings", "-o", "main", "main.rs"],
                )
                .limits(build_limits(limits)),
            )
            .step(Step::new("run", ["./main"]).limits(run_limits(limits, 0.0)))
    }

    fn extract(&self, answer: &str, entry_point: &str) -> String {
        let code = fenced_code(answer, &["rust", "rs"], entry_point);
        // The tests bring their own `main`.
        match source::rust_definition(&code, "main", true) {
            Some(main) => source::remove(&code, main),
            None => code,
        }
    }

    fn completion_stops(&self) -> Vec<String> {
        vec!["\n}".into()]
    }

    fn close_continuation(&self, generated: &str) -> String {
        format!("{generated}\n}}\n")
    }

    fn failing_stub(&self) -> Option<&'static str> {
        Some("    unimplemented!()\n}\n")
    }
}
