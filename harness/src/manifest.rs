//! The run manifest (`manifest.json`): everything needed to reproduce a run.

use crate::prompt::PromptTemplate;
use crate::sandbox::{Limits, Protections};
use evalrun_core::SamplingParams;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::Path;

/// One model as it was used in the run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelManifest {
    pub id: String,
    pub file: String,
    pub size: u64,
    pub sha256: String,
    pub backend: String,
    /// Filled in when the model is first loaded.
    #[serde(default)]
    pub backend_version: Option<String>,
    /// The chat template stored in the model file and applied by the backend.
    #[serde(default)]
    pub chat_template: Option<String>,
    /// evalrun's prompt template used with this model (instruct or completion).
    #[serde(default)]
    pub prompt_template: Option<PromptTemplate>,
}

/// The machine the run executed on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Machine {
    pub os: String,
    pub arch: String,
    pub cpus: usize,
    pub cpu_model: String,
    pub memory_bytes: u64,
}

impl Machine {
    pub fn current() -> Self {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu_model = cpuinfo
            .lines()
            .find(|l| l.starts_with("model name"))
            .and_then(|l| l.split(':').nth(1))
            .map_or_else(|| "unknown".into(), |s| s.trim().to_string());
        let memory_bytes = std::fs::read_to_string("/proc/meminfo")
            .ok()
            .and_then(|m| {
                m.lines()
                    .next()
                    .and_then(|l| l.split_whitespace().nth(1))
                    .and_then(|kb| kb.parse::<u64>().ok())
            })
            .map_or(0, |kb| kb * 1024);
        Machine {
            os: std::env::consts::OS.into(),
            arch: std::env::consts::ARCH.into(),
            cpus: std::thread::available_parallelism().map_or(1, |n| n.get()),
            cpu_model,
            memory_bytes,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunManifest {
    pub evalrun_version: String,
    pub created_at: String,
    /// The command line that started the run (the first one, when resumed).
    pub command: Vec<String>,
    pub suite: String,
    pub corpus_version: String,
    /// Task ids in the run, in order.
    pub tasks: Vec<String>,
    pub samples_per_task: u32,
    pub sampling: SamplingParams,
    pub models: Vec<ModelManifest>,
    pub limits: Limits,
    /// The sandbox's isolation layers, asked for and in effect, and what is lost without the
    /// missing ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sandbox: Option<Protections>,
    pub machine: Machine,
}

impl RunManifest {
    /// What must be identical for `--resume` to continue a run; names the first difference.
    pub fn resume_mismatch(&self, earlier: &RunManifest) -> Option<String> {
        let model_keys = |m: &RunManifest| {
            m.models.iter().map(|x| (x.id.clone(), x.sha256.clone(), x.backend.clone())).collect::<Vec<_>>()
        };
        let checks: [(&str, bool); 6] = [
            ("suite", self.suite == earlier.suite),
            ("corpus_version", self.corpus_version == earlier.corpus_version),
            ("tasks (check --limit)", self.tasks == earlier.tasks),
            ("samples_per_task", self.samples_per_task == earlier.samples_per_task),
            ("sampling", self.sampling == earlier.sampling),
            ("models (ids, sha256, backends)", model_keys(self) == model_keys(earlier)),
        ];
        checks.iter().find(|(_, same)| !same).map(|(what, _)| what.to_string())
    }

    pub fn read(path: &Path) -> Result<Option<RunManifest>, String> {
        match std::fs::read_to_string(path) {
            Ok(text) => serde_json::from_str(&text).map(Some).map_err(|e| format!("{}: {e}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(format!("{}: {e}", path.display())),
        }
    }

    /// Write atomically (temp file + rename), so a crash never leaves half a manifest.
    pub fn write(&self, path: &Path) -> std::io::Result<()> {
        let dir = path.parent().unwrap_or(Path::new("."));
        let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
        // Buffered: serde writes a token at a time.
        let mut buffered = std::io::BufWriter::new(&mut tmp);
        serde_json::to_writer_pretty(&mut buffered, self)?;
        buffered.flush()?;
        drop(buffered);
        tmp.persist(path).map_err(|e| e.error)?;
        Ok(())
    }

    pub fn now() -> String {
        humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string()
    }
}
