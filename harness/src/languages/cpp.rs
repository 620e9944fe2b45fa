//! C++17, compiled by g++.

use super::apart::{Apart, Case, Shape};
use super::source::{self, Syntax};
use super::{build_limits, fenced_code, run_limits, seeded, Toolchain};
use crate::sandbox::command::{Job, Step};
use crate::sandbox::Limits;
use evalrun_core::{Language, Task};

pub struct Cpp;

impl Toolchain for Cpp {
    fn language(&self) -> Language {
        Language::Cpp
    }

    fn job(&self, task: &Task, completion: &str, limits: &Limits) -> Job {
        let defines = source::c_definition(completion, Syntax::C, &task.entry_point).is_some();
        build_and_run(task, source::assemble(&task.prompt, completion, &task.test, defines), limits)
    }

    fn extract(&self, answer: &str, entry_point: &str) -> String {
        let code = fenced_code(answer, &["cpp", "c++", "cc", "cxx", "c", "hpp", "h"], entry_point);
        // The tests bring their own `main`.
        match source::c_definition(&code, Syntax::C, "main") {
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
        Some("    std::exit(1);\n}\n")
    }

    fn apart(&self) -> Option<&dyn Apart> {
        Some(self)
    }
}

fn build_and_run(task: &Task, program: String, limits: &Limits) -> Job {
    seeded(task)
        .file("main.cpp", program)
        .step(
            Step::new("compile", ["g++", "-std=c++17", "-O0", "-o", "main", "main.cpp"])
                .limits(build_limits(limits)),
        )
        .step(Step::new("run", ["./main"]).limits(run_limits(limits, 0.0)))
}

/// Writes values as JSON (`values.rs`).
const WIRE: &str = include_str!("wire/wire.hpp");

/// `main`, writing each of `values` (expressions) with the wire code.
fn emitting_main(values: impl Iterator<Item = String>) -> String {
    let lines: String =
        values.enumerate().map(|(i, v)| format!("    evalrun_wire::emit({i}, {v});\n")).collect();
    format!("\n{WIRE}\nint main() {{\n{lines}}}\n")
}

impl Apart for Cpp {
    fn shapes(&self) -> &'static [Shape] {
        &[
            Shape { before: "assert(", after: " == (", end: ");", tolerance: false },
            Shape { before: "assert(std::abs(", after: " - (", end: ") < #);", tolerance: true },
        ]
    }

    fn frame_line(&self, line: &str, _entry_point: &str) -> bool {
        matches!(line, "int main() {" | "}")
    }

    fn calls_job(&self, task: &Task, completion: &str, cases: &[Case], limits: &Limits) -> Job {
        let defines = source::c_definition(completion, Syntax::C, &task.entry_point).is_some();
        let test = emitting_main(cases.iter().map(|c| c.call.clone()));
        build_and_run(task, source::assemble(&task.prompt, completion, &test, defines), limits)
    }

    fn expected_job(&self, task: &Task, cases: &[Case], limits: &Limits) -> Job {
        build_and_run(task, emitting_main(cases.iter().map(|c| format!("({})", c.expected))), limits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_demo_main_cut_by_the_token_limit_is_dropped_whole() {
        let answer = "```cpp\n#include <vector>\nlong twice(long x) {\n    return 2 * x;\n}\n\n\
                      int main() {\n    assert(twice(2) == 4);\n    assert(twice(3";
        let code = Cpp.extract(answer, "twice");
        assert!(code.contains("return 2 * x;"), "{code}");
        assert!(!code.contains("main"), "{code}");
    }
}
