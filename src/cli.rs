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
    /// Measure backends side by side.
    Bench {
        #[command(subcommand)]
        command: BenchCommand,
    },
    /// Internal: a sandbox worker process (started by evalrun itself).
    #[command(name = "__worker", hide = true)]
    Worker { language: String },
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
}

#[derive(Subcommand)]
pub enum BenchCommand {
    /// Generation and prompt speed of backends on one model file: same prompts, same token
    /// limit, greedy, rounds interleaved; medians and ranges, ratios to the first backend.
    Backends(BenchBackendsArgs),
}

#[derive(Args)]
pub struct BenchBackendsArgs {
    /// Model id.
    #[arg(long, default_value = "qwen2.5-coder-0.5b-instruct-q4_k_m")]
    pub model: String,
    /// Backends, comma separated; ratios are relative to the first.
    #[arg(long, default_value = "llamacpp,candle")]
    pub backends: String,
    /// How many HumanEval tasks (the first ones) serve as prompts.
    #[arg(long, default_value_t = 4)]
    pub prompts: usize,
    /// Rounds; each round runs every backend once on every prompt.
    #[arg(long, default_value_t = 3)]
    pub repeats: usize,
    /// Most tokens generated per run.
    #[arg(long, default_value_t = 128)]
    pub max_tokens: u32,
    /// Generation threads (default: number of cores).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Context window in tokens.
    #[arg(long, default_value_t = 4096)]
    pub ctx: u32,
    /// Also write every measurement to this JSON file.
    #[arg(long)]
    pub json: Option<PathBuf>,
}
