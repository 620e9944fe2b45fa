//! JavaScript, run by Node.

use super::apart::{Apart, Case, Shape};
use super::source;
use super::values::Equality;
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
        run(task, source::assemble(&task.prompt, completion, &task.test, defines), limits)
    }

    fn extract(&self, answer: &str, entry_point: &str) -> String {
        let code = fenced_code(answer, &["javascript", "js", "node", "nodejs", "jsx"], entry_point);
        without_trailing_demo(code, entry_point)
    }

    fn completion_stops(&self) -> Vec<String> {
        ["\nfunction ", "\n/*", "\n//", "\nconsole.log"].map(String::from).to_vec()
    }

    fn failing_stub(&self) -> Option<&'static str> {
        Some("  throw new Error(\"stub\");\n}\n")
    }

    fn apart(&self) -> Option<&dyn Apart> {
        Some(self)
    }
}

fn run(task: &Task, program: String, limits: &Limits) -> Job {
    seeded(task)
        .file("main.js", program)
        .step(Step::new("run", ["node", "main.js"]).limits(run_limits(limits, STARTUP_S)))
}

/// Writes values as JSON (`values.rs`).
const WIRE: &str = include_str!("wire/wire.js");

/// A test function writing each of `values` (expressions) with the wire code.
fn emitting_test(entry_point: &str, values: impl Iterator<Item = String>) -> String {
    let lines: String = values.enumerate().map(|(i, v)| format!("  evalrun_emit({i}, {v});\n")).collect();
    format!("\nfunction test() {{\n{WIRE}  let candidate = {entry_point};\n{lines}}}\n\ntest();\n")
}

impl Apart for JavaScript {
    fn shapes(&self) -> &'static [Shape] {
        &[
            Shape { before: "assert.deepEqual(", after: ", ", end: ");", tolerance: false },
            Shape { before: "assert.ok(Math.abs(", after: " - (", end: ") < #);", tolerance: true },
        ]
    }

    fn frame_line(&self, line: &str, entry_point: &str) -> bool {
        matches!(line, "function test() {" | "const assert = require('node:assert');" | "}" | "test();")
            || line == format!("let candidate = {entry_point};")
    }

    fn calls_job(&self, task: &Task, completion: &str, cases: &[Case], limits: &Limits) -> Job {
        let defines = source::js_defines(completion, &task.entry_point);
        let test = emitting_test(&task.entry_point, cases.iter().map(|c| c.call.clone()));
        run(task, source::assemble(&task.prompt, completion, &test, defines), limits)
    }

    fn expected_job(&self, task: &Task, cases: &[Case], limits: &Limits) -> Job {
        // No solution here: `candidate` is never called.
        let test = emitting_test("undefined", cases.iter().map(|c| format!("({})", c.expected)));
        run(task, test, limits)
    }

    fn equality(&self) -> Equality {
        Equality::JsLoose
    }
}

/// Chat models follow the function with calls that print examples (`console.log(f(...))` at the
/// top level, often until the token limit cuts one in half, which would fail the whole program
/// with a syntax error). MultiPL-E stops base models at `\nconsole.log` for the same reason: cut
/// the code at the first such line after the entry point's definition.
fn without_trailing_demo(mut code: String, entry_point: &str) -> String {
    let after = code.find(entry_point).unwrap_or(0);
    if let Some(at) = code[after..].find("\nconsole.log") {
        code.truncate(after + at + 1);
    }
    code
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_calls_after_the_function_are_cut() {
        let answer = "```javascript\nfunction chunk(xs, n) {\n  console.log(n);\n  return [xs];\n}\n\n\
                      // Test cases\nconsole.log(chunk([1], 1));\nconsole.log(chunk\n```";
        let code = JavaScript.extract(answer, "chunk");
        assert!(code.contains("console.log(n);"), "a call inside the function stays: {code}");
        assert!(!code.contains("console.log(chunk"), "{code}");
        assert!(code.trim_end().ends_with("// Test cases"), "{code}");
    }

    #[test]
    fn code_without_examples_is_unchanged() {
        let answer = "```js\nconst add = (a, b) => a + b;\n```";
        assert_eq!(JavaScript.extract(answer, "add").trim(), "const add = (a, b) => a + b;");
    }
}
