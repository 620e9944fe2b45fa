//! Java 17: javac, then the JVM with a bounded heap (it reserves its heap up front, and the
//! sandbox limits address space). The function is a static method of `class Problem`.

use super::apart::{Apart, Case, Shape};
use super::source::{self, Syntax};
use super::{build_limits, fenced_code, run_limits, seeded, Toolchain};
use crate::sandbox::command::{Job, Step};
use crate::sandbox::Limits;
use evalrun_core::{Language, Task};

pub struct Java;

/// JVM start-up, added to the run's wall clock.
const STARTUP_S: f64 = 5.0;

/// The `import` lines of `code` and the rest.
fn split_imports(code: &str) -> (String, String) {
    let (imports, rest): (Vec<&str>, Vec<&str>) =
        code.lines().partition(|l| l.trim_start().starts_with("import ") && l.trim_end().ends_with(';'));
    let join = |lines: Vec<&str>| lines.iter().map(|l| format!("{l}\n")).collect::<String>();
    (join(imports), join(rest))
}

/// The body of the top-level class of `code` that defines `entry_point` (or of its first
/// class), without the braces; `None` when `code` declares no class.
fn class_body(code: &str, entry_point: &str) -> Option<String> {
    let blanked = source::blank(code, Syntax::C);
    let text = String::from_utf8_lossy(&blanked);
    let mut bodies = Vec::new();
    let mut from = 0;
    while let Some(found) = text[from..].find("class ") {
        let at = from + found;
        from = at + 6;
        let before_ok = at == 0 || !text.as_bytes()[at - 1].is_ascii_alphanumeric();
        let Some(open) = text[at..].find('{').map(|p| at + p) else { break };
        if !before_ok || text[at..open].contains(';') {
            continue;
        }
        let Some(close) = source::matching_brace(&blanked, open) else { break };
        bodies.push(code[open + 1..close].to_string());
        from = close + 1;
    }
    let defines = |b: &String| source::c_definition(b, Syntax::C, entry_point).is_some();
    bodies.iter().find(|b| defines(b)).or(bodies.first()).cloned()
}

impl Toolchain for Java {
    fn language(&self) -> Language {
        Language::Java
    }

    fn job(&self, task: &Task, completion: &str, limits: &Limits) -> Job {
        build_and_run(task, program(task, completion, &task.test), limits)
    }

    /// The answer's imports and the members of its class (a model wraps its method in a
    /// class of its own), less any `main`.
    fn extract(&self, answer: &str, entry_point: &str) -> String {
        let code = fenced_code(answer, &["java"], entry_point);
        let (imports, rest) = split_imports(&code);
        let rest: String = rest
            .lines()
            .filter(|l| !l.trim_start().starts_with("package "))
            .map(|l| format!("{l}\n"))
            .collect();
        let mut members = class_body(&rest, entry_point).unwrap_or(rest);
        while let Some(main) = source::c_definition(&members, Syntax::C, "main") {
            members = source::remove(&members, main);
        }
        let members = members.trim_matches('\n');
        format!("{imports}{members}\n")
    }

    fn completion_stops(&self) -> Vec<String> {
        vec!["\n    }\n".into()]
    }

    fn close_continuation(&self, generated: &str) -> String {
        format!("{generated}\n    }}\n")
    }

    fn failing_stub(&self) -> Option<&'static str> {
        Some("        throw new RuntimeException(\"stub\");\n    }\n")
    }

    fn apart(&self) -> Option<&dyn Apart> {
        Some(self)
    }
}

/// The prompt, the completion and `test` (which closes the class).
fn program(task: &Task, completion: &str, test: &str) -> String {
    let (imports, members) = split_imports(completion);
    if source::c_definition(&members, Syntax::C, &task.entry_point).is_some() {
        // Imports go before the class the members are put into.
        format!("{imports}{}", source::assemble(&task.prompt, &members, test, true))
    } else {
        source::assemble(&task.prompt, completion, test, false)
    }
}

fn build_and_run(task: &Task, program: String, limits: &Limits) -> Job {
    seeded(task)
        .file("Problem.java", program)
        .step(
            Step::new(
                "compile",
                ["javac", "-J-Xmx512m", "-encoding", "UTF-8", "-nowarn", "-d", ".", "Problem.java"],
            )
            .limits(build_limits(limits)),
        )
        .step(
            Step::new(
                "run",
                [
                    "java",
                    "-Xmx256m",
                    "-Xss16m",
                    "-XX:+UseSerialGC",
                    "-XX:TieredStopAtLevel=1",
                    "-cp",
                    ".",
                    "Problem",
                ],
            )
            .limits(run_limits(limits, STARTUP_S)),
        )
}

/// Writes values as JSON (`values.rs`): static methods of `Problem`.
const WIRE: &str = include_str!("wire/Wire.java");

/// The wire code and a `main` writing each of `values` (expressions), closing the class.
fn emitting_main(values: impl Iterator<Item = String>) -> String {
    let lines: String =
        values.enumerate().map(|(i, v)| format!("        evalrun_emit({i}, {v});\n")).collect();
    format!("\n{WIRE}\n    public static void main(String[] args) {{\n{lines}    }}\n}}\n")
}

impl Apart for Java {
    fn shapes(&self) -> &'static [Shape] {
        const FAILED: &str = ")) throw new AssertionError(\"test # failed\");";
        &[
            Shape { before: "if (!(", after: " == ", end: FAILED, tolerance: false },
            Shape { before: "if (!(", after: ".equals(", end: FAILED, tolerance: false },
            Shape {
                before: "if (!(Math.abs(",
                after: " - (",
                end: ") < #)) throw new AssertionError(\"test # failed\");",
                tolerance: true,
            },
        ]
    }

    fn frame_line(&self, line: &str, _entry_point: &str) -> bool {
        matches!(line, "public static void main(String[] args) {" | "}")
    }

    fn calls_job(&self, task: &Task, completion: &str, cases: &[Case], limits: &Limits) -> Job {
        let test = emitting_main(cases.iter().map(|c| c.call.clone()));
        build_and_run(task, program(task, completion, &test), limits)
    }

    fn expected_job(&self, task: &Task, cases: &[Case], limits: &Limits) -> Job {
        // The prompt's imports, class and `Pair`, without the function.
        let header = source::prompt_header(&task.prompt);
        let test = emitting_main(cases.iter().map(|c| format!("({})", c.expected)));
        build_and_run(task, format!("{header}{test}"), limits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extract_takes_the_class_members_without_main() {
        let answer = "```java\nimport java.util.*;\n\npublic class Solution {\n    public static long f(long x) {\n        return x + 1;\n    }\n\n    public static void main(String[] args) {\n        System.out.println(f(1));\n    }\n}\n```";
        let code = Java.extract(answer, "f");
        assert_eq!(
            code,
            "import java.util.*;\n    public static long f(long x) {\n        return x + 1;\n    }\n"
        );
    }
}
