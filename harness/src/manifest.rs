//! The run manifest (`manifest.json`): everything needed to reproduce a run.

use crate::prompt::PromptTemplate;
use crate::sandbox::{Limits, Protections};
use crate::shard::Shard;
use evalrun_core::{SampleKey, SamplingParams};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

/// One model as it was used in the run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
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
    /// Sequences decoded together, and where that count came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slots: Option<evalrun_backends::slot_count::SlotChoice>,
    /// Whether sequences whose prompts open alike shared those KV cells (`--no-prompt-sharing`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt_sharing: Option<bool>,
    /// The backend's compute features on this machine (llama.cpp's system info, candle's SIMD
    /// paths, MLX's device): they decide the kernels, and so the rounding of greedy outputs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compute_features: Option<String>,
}

/// The machine the run executed on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Machine {
    pub os: String,
    pub arch: String,
    pub cpus: usize,
    pub cpu_model: String,
    pub memory_bytes: u64,
    /// The CPU's SIMD flags that decide which kernels run ([`cpu_flags`]); empty off Linux and in
    /// manifests written before they were recorded.
    #[serde(default)]
    pub cpu_flags: Vec<String>,
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
            cpu_flags: cpu_flags(&cpuinfo),
        }
    }
}

/// x86 flags (as /proc/cpuinfo names them) that select SIMD kernels in llama.cpp and candle.
const X86_FLAGS: [&str; 16] = [
    "avx",
    "avx2",
    "avx512f",
    "avx512bw",
    "avx512dq",
    "avx512vl",
    "avx512vbmi",
    "avx512_vnni",
    "avx512_bf16",
    "avx512_fp16",
    "avx_vnni",
    "fma",
    "f16c",
    "ssse3",
    "sse4_1",
    "sse4_2",
];
/// ARM features (as /proc/cpuinfo names them): NEON, dot product, half and bfloat16, int8
/// matrix multiply, scalable vectors and matrices.
const ARM_FLAGS: [&str; 10] =
    ["asimd", "asimddp", "asimdhp", "fphp", "i8mm", "bf16", "sve", "sve2", "sme", "sme2"];

/// The SIMD flags of the first CPU listed in `cpuinfo` (the text of /proc/cpuinfo) that decide
/// kernels, sorted; every AMX flag is kept. Linux spells SSE3 `pni`: it is recorded as `sse3`.
pub fn cpu_flags(cpuinfo: &str) -> Vec<String> {
    // x86 lists `flags`, ARM `Features`; all cores of a machine share them.
    let Some(line) = cpuinfo.lines().find(|l| {
        let key = l.split(':').next().unwrap_or("").trim();
        key == "flags" || key == "Features"
    }) else {
        return Vec::new();
    };
    let listed = line.split_once(':').map_or("", |(_, v)| v);
    let mut flags: Vec<String> = listed
        .split_whitespace()
        .filter_map(|flag| match flag {
            "pni" => Some("sse3"),
            f if X86_FLAGS.contains(&f) || ARM_FLAGS.contains(&f) || f.starts_with("amx") => Some(f),
            _ => None,
        })
        .map(str::to_string)
        .collect();
    flags.sort();
    flags.dedup();
    flags
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
    /// `max_tokens` is that of code tasks; test-writing tasks have their own (`token_budgets`).
    pub sampling: SamplingParams,
    /// The most tokens each test-writing task's answers could have, by task id: a budget scaled
    /// to its module, or `--max-tokens` when given. Absent in runs before budgets, whose
    /// test-writing tasks got `sampling.max_tokens`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub token_budgets: BTreeMap<String, u32>,
    /// Feedback rounds of test-writing samples (`--rounds`); 1, the single-shot benchmark, in
    /// runs before rounds.
    #[serde(default = "one_round")]
    pub rounds: u32,
    pub models: Vec<ModelManifest>,
    pub limits: Limits,
    /// The sandbox's isolation layers, asked for and in effect, and what is lost without the
    /// missing ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sandbox: Option<Protections>,
    /// How checks ran ([`crate::sandbox::CHECK_MODE`]); absent in runs whose checks ran in the
    /// solution's own interpreter or program.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check_mode: Option<String>,
    pub machine: Machine,
    /// The machine that executed the samples, where it is not the one that generated them (a
    /// `run --generate-only`, on a GPU machine say, resumed elsewhere).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub executed_on: Option<Machine>,
    /// The shard this run is (`--shard I/N`): only the sample keys that hash to it ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<Shard>,
    /// When the command ended (the last time, when resumed); absent in runs before it was
    /// recorded and in runs that were killed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<String>,
    /// `score` runs: each task's samples in the samples file (tasks without any are absent);
    /// empty for `run`, where every task has `samples_per_task`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub sample_counts: BTreeMap<String, u32>,
    /// A run merged from shards (`evalrun merge`): where and when each shard ran, by index.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shards: Vec<ShardProvenance>,
}

/// One shard of a merged run, as its own manifest recorded it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShardProvenance {
    pub shard: Shard,
    /// The shard's run directory, as given to `evalrun merge`.
    pub dir: String,
    pub machine: Machine,
    pub evalrun_version: String,
    pub command: Vec<String>,
    /// The shard's start (its `created_at`) and end (its `finished_at`, else the time its
    /// `results.jsonl` was last written).
    pub started_at: String,
    pub finished_at: Option<String>,
    /// Result rows the shard contributed.
    pub samples: usize,
}

impl RunManifest {
    /// Samples of `task_id` the run was to judge per model and backend.
    pub fn samples_of(&self, task_id: &str) -> u32 {
        if self.sample_counts.is_empty() {
            self.samples_per_task
        } else {
            self.sample_counts.get(task_id).copied().unwrap_or(0)
        }
    }

    /// Every sample key the whole run (all its shards) was to judge, in plan order: models and
    /// backends as listed, tasks as listed, samples in order.
    pub fn sample_keys(&self) -> Vec<SampleKey> {
        let mut keys = Vec::new();
        for model in &self.models {
            for task in &self.tasks {
                for sample in 0..self.samples_of(task) {
                    keys.push((model.id.clone(), model.backend.clone(), task.clone(), sample));
                }
            }
        }
        keys
    }

    /// What must be identical for `--resume` to continue a run; names the first difference.
    pub fn resume_mismatch(&self, earlier: &RunManifest) -> Option<String> {
        let model_keys = |m: &RunManifest| {
            m.models.iter().map(|x| (x.id.clone(), x.sha256.clone(), x.backend.clone())).collect::<Vec<_>>()
        };
        let shard = |m: &RunManifest| m.shard.map(|s| (s.index, s.count));
        let checks: [(&str, bool); 9] = [
            ("suite", self.suite == earlier.suite),
            ("corpus_version", self.corpus_version == earlier.corpus_version),
            ("tasks (check --limit, --task-ids)", self.tasks == earlier.tasks),
            ("samples_per_task", self.samples_per_task == earlier.samples_per_task),
            ("sampling", self.sampling == earlier.sampling),
            ("token budgets of test-writing tasks (check --max-tokens, --ctx)", self.same_budgets(earlier)),
            ("rounds (check --rounds)", self.rounds == earlier.rounds),
            ("models (ids, sha256, backends)", model_keys(self) == model_keys(earlier)),
            ("shard (check --shard)", shard(self) == shard(earlier)),
        ];
        checks.iter().find(|(_, same)| !same).map(|(what, _)| what.to_string())
    }

    /// The budget test-writing task `task_id` got: its own, else `sampling.max_tokens` (runs
    /// before budgets).
    pub fn token_budget(&self, task_id: &str) -> u32 {
        self.token_budgets.get(task_id).copied().unwrap_or(self.sampling.max_tokens)
    }

    /// Whether every test-writing task got the same budget in both runs; a run before budgets
    /// gave them `sampling.max_tokens`, which `--max-tokens` can give again.
    fn same_budgets(&self, earlier: &RunManifest) -> bool {
        self.token_budgets
            .keys()
            .chain(earlier.token_budgets.keys())
            .all(|id| self.token_budget(id) == earlier.token_budget(id))
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

fn one_round() -> u32 {
    1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest() -> RunManifest {
        RunManifest {
            evalrun_version: "0.1.0".into(),
            created_at: "2026-01-01T00:00:00Z".into(),
            command: vec!["evalrun".into(), "run".into()],
            suite: "evalrun-testwriting".into(),
            corpus_version: "1".into(),
            tasks: vec!["testwriting/a".into()],
            samples_per_task: 1,
            sampling: SamplingParams::default(),
            token_budgets: BTreeMap::from([("testwriting/a".to_string(), 1088)]),
            rounds: 3,
            models: Vec::new(),
            limits: Limits::default(),
            sandbox: None,
            check_mode: None,
            machine: Machine::current(),
            executed_on: None,
            shard: None,
            finished_at: None,
            sample_counts: BTreeMap::new(),
            shards: Vec::new(),
        }
    }

    #[test]
    fn manifests_before_budgets_and_rounds_still_read() {
        let mut old = serde_json::to_value(manifest()).unwrap();
        let fields = old.as_object_mut().unwrap();
        fields.remove("token_budgets");
        fields.remove("rounds");
        let old: RunManifest = serde_json::from_value(old).unwrap();
        assert_eq!((old.rounds, old.token_budgets.len()), (1, 0));
        assert_eq!(old.token_budget("testwriting/a"), 768);
        let back: RunManifest = serde_json::from_str(&serde_json::to_string(&manifest()).unwrap()).unwrap();
        assert_eq!(back, manifest());
    }

    #[test]
    fn resume_refuses_other_rounds_or_budgets() {
        let earlier = manifest();
        assert_eq!(manifest().resume_mismatch(&earlier), None);
        let other_rounds = RunManifest { rounds: 1, ..manifest() };
        assert!(other_rounds.resume_mismatch(&earlier).is_some_and(|w| w.contains("--rounds")));
        let other_budget =
            RunManifest { token_budgets: BTreeMap::from([("testwriting/a".into(), 2048)]), ..manifest() };
        assert!(other_budget.resume_mismatch(&earlier).is_some_and(|w| w.contains("budgets")));
        // A run from before budgets gave its test-writing tasks --max-tokens: the same resumes it.
        let before = RunManifest { token_budgets: BTreeMap::new(), ..manifest() };
        assert!(manifest().resume_mismatch(&before).is_some());
        let given =
            RunManifest { token_budgets: BTreeMap::from([("testwriting/a".into(), 768)]), ..manifest() };
        assert_eq!(given.resume_mismatch(&before), None);
    }

    #[test]
    fn resume_refuses_another_shard_but_not_another_source() {
        use crate::shard::ShardSource;
        let shard = |index, source| Some(Shard { index, count: 3, source });
        let earlier = RunManifest { shard: shard(2, ShardSource::Kubernetes), ..manifest() };
        let again = RunManifest { shard: shard(2, ShardSource::Flag), ..manifest() };
        assert_eq!(again.resume_mismatch(&earlier), None);
        let other = RunManifest { shard: shard(1, ShardSource::Kubernetes), ..manifest() };
        assert!(other.resume_mismatch(&earlier).is_some_and(|w| w.contains("--shard")));
        assert!(manifest().resume_mismatch(&earlier).is_some_and(|w| w.contains("--shard")));
    }

    #[test]
    fn sample_keys_follow_sample_counts_when_scored() {
        let model =
            |id: &str| ModelManifest { id: id.into(), backend: "replay".into(), ..ModelManifest::default() };
        let run = RunManifest {
            tasks: vec!["a".into(), "b".into()],
            samples_per_task: 2,
            models: vec![model("m")],
            ..manifest()
        };
        assert_eq!(run.sample_keys().len(), 4);
        let scored = RunManifest { sample_counts: BTreeMap::from([("b".to_string(), 1)]), ..run };
        assert_eq!(scored.sample_keys(), [("m".to_string(), "replay".to_string(), "b".to_string(), 0)]);
    }

    #[test]
    fn cpu_flags_keep_the_simd_ones_sorted() {
        let x86 = "processor\t: 0\nmodel name\t: AMD EPYC\nflags\t\t: fpu sse sse2 pni ssse3 fma sse4_1 \
                   sse4_2 avx f16c avx2 avx512f avx512dq avx512bw avx512vl avx512_bf16 avx512_vnni amx_tile \
                   amx_int8 sha_ni\nbugs\t\t: sysret_ss_attrs\n\nprocessor\t: 1\nflags\t\t: fpu avx\n";
        assert_eq!(
            cpu_flags(x86),
            [
                "amx_int8",
                "amx_tile",
                "avx",
                "avx2",
                "avx512_bf16",
                "avx512_vnni",
                "avx512bw",
                "avx512dq",
                "avx512f",
                "avx512vl",
                "f16c",
                "fma",
                "sse3",
                "sse4_1",
                "sse4_2",
                "ssse3"
            ]
        );
        let arm = "processor\t: 0\nFeatures\t: fp asimd evtstrm aes asimdhp asimddp sve i8mm bf16 paca\n";
        assert_eq!(cpu_flags(arm), ["asimd", "asimddp", "asimdhp", "bf16", "i8mm", "sve"]);
        assert!(cpu_flags("").is_empty());
        assert!(cpu_flags("model name\t: something\n").is_empty());
    }
}
