//! Messages between the harness and a worker: one JSON object per line.

use crate::sandbox::Limits;
use evalrun_core::Status;
use serde::{Deserialize, Serialize};

/// Harness -> worker: run this program.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Request {
    pub id: u64,
    pub program: String,
    pub limits: Limits,
}

/// Worker -> harness: what happened.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Response {
    pub id: u64,
    pub status: Status,
    pub detail: String,
    #[serde(default)]
    pub exception: Option<String>,
    pub exec_s: f64,
}
