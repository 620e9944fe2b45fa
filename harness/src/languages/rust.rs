//! Rust, compiled by rustc (debug: integer overflow panics, as a test failure).

use super::apart::{Apart, Case, Shape};
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
        build_and_run(task, source::assemble(&task.prompt, completion, &task.test, defines), limits)
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

    fn apart(&self) -> Option<&dyn Apart> {
        Some(self)
    }
}

fn build_and_run(task: &Task, program: String, limits: &Limits) -> Job {
    seeded(task)
        .file("main.rs", program)
        .step(
            Step::new("compile", ["rustc", "--edition", "2021", "-A", "warnings", "-o", "main", "main.rs"])
                .limits(build_limits(limits)),
        )
        .step(Step::new("run", ["./main"]).limits(run_limits(limits, 0.0)))
}

/// Writes values as JSON (`values.rs`).
const WIRE: &str = include_str!("wire/wire.rs.in");

/// The wire code and a `main` writing each of `values` (expressions), as `ty` where given.
fn emitting_main(entry_point: &str, ty: Option<&str>, values: impl Iterator<Item = String>) -> String {
    let ty = ty.map(|t| format!("::<{t}>")).unwrap_or_default();
    let lines: String =
        values.enumerate().map(|(i, v)| format!("    evalrun_wire::emit{ty}({i}, {v});\n")).collect();
    format!("\n{WIRE}\nfn main() {{\n    let candidate = {entry_point};\n{lines}}}\n")
}

/// The return type in the prompt's signature: the expected values' own literals leave some
/// types to inference (`None`, an empty map).
fn return_type(prompt: &str, entry_point: &str) -> Option<String> {
    let signature = prompt.lines().rev().find(|l| l.contains(&format!("fn {entry_point}")))?;
    let (_, after) = signature.rsplit_once("->")?;
    Some(after.trim().trim_end_matches('{').trim().to_string()).filter(|t| !t.is_empty())
}

impl Apart for Rust {
    fn shapes(&self) -> &'static [Shape] {
        &[
            Shape { before: "assert_eq!(", after: ", ", end: ");", tolerance: false },
            Shape { before: "assert!((", after: " - (", end: ").abs() < #);", tolerance: true },
        ]
    }

    fn frame_line(&self, line: &str, entry_point: &str) -> bool {
        matches!(line, "fn main() {" | "}") || line == format!("let candidate = {entry_point};")
    }

    fn calls_job(&self, task: &Task, completion: &str, cases: &[Case], limits: &Limits) -> Job {
        let defines = source::rust_definition(completion, &task.entry_point, false).is_some();
        let test = emitting_main(&task.entry_point, None, cases.iter().map(|c| c.call.clone()));
        build_and_run(task, source::assemble(&task.prompt, completion, &test, defines), limits)
    }

    fn expected_job(&self, task: &Task, cases: &[Case], limits: &Limits) -> Job {
        // The prompt's `use` lines, without the function (`candidate` is a unit stand-in).
        let header = source::prompt_header(&task.prompt);
        let ty = return_type(&task.prompt, &task.entry_point);
        let test = emitting_main("()", ty.as_deref(), cases.iter().map(|c| format!("({})", c.expected)));
        build_and_run(task, format!("{header}{test}"), limits)
    }
}
