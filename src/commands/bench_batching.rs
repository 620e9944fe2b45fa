//! `evalrun bench batching`: aggregate generation speed of the llama.cpp backend's scheduler at
//! several slot counts, side by side with llama.cpp's own `llama-batched-bench` in one sitting
//! (each round measures every slot count with evalrun, then with the peer, so a machine that
//! gets busier slows both alike), and the knee of the curve recorded as this machine's default
//! `--slots` for the model.
//!
//! Both sides decode the same shape: S sequences of exactly `--prompt-tokens` prompt tokens,
//! each generating exactly `--gen-tokens` (end of text ignored), with the same threads. evalrun's
//! aggregate speed is the scheduler's pure-generation steps (`StreamStats`), measured as the
//! peer's S_TG is: tokens sampled in steps that carry no prompt, over those steps' seconds.

use crate::cli::BenchBatchingArgs;
use anyhow::{bail, Context, Result};
use evalrun_backends::llamacpp::{LlamaCppBackend, StreamStats};
use evalrun_backends::models::{sha256_of, ModelStore};
use evalrun_backends::{slot_count, LoadOptions};
use evalrun_core::{generate_all, Backend, GenerationRequest, GenerationStats, Prompt, SamplingParams};
use evalrun_harness::manifest::Machine;
use evalrun_reports::charts::batching::{throughput_png, throughput_svg, ThroughputLine};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::{Deserialize, Serialize};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// Tokens of room per sequence beyond its prompt and generation, on both sides.
const CTX_MARGIN: u32 = 64;
/// The knee: the fewest slots whose aggregate speed is within this fraction of the best.
const KNEE_TOLERANCE: f64 = 0.05;
/// The leading word that keeps prompts apart takes up to a few tokens.
const MIN_PROMPT_TOKENS: u32 = 8;
/// The first generated token is sampled in the prefill step; the speed needs at least one more.
const MIN_GEN_TOKENS: u32 = 2;
/// The peer as scripts/build-peers.sh leaves it, relative to the repository (or to `target/`).
const PEER_DEFAULT: &str = "target/peers/build/bin/llama-batched-bench";
const PEER_NAME: &str = "llama-batched-bench";

/// Median and range of a handful of measurements.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
struct Summary {
    median: f64,
    min: f64,
    max: f64,
}

impl Summary {
    fn of(mut values: Vec<f64>) -> Option<Summary> {
        values.retain(|v| v.is_finite());
        values.sort_by(f64::total_cmp);
        let n = values.len();
        let median = match n {
            0 => return None,
            n if n % 2 == 1 => values[n / 2],
            n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
        };
        Some(Summary { median, min: values[0], max: values[n - 1] })
    }

    fn cell(s: Option<Summary>, decimals: usize) -> String {
        match s {
            Some(s) => format!("{:.d$} ({:.d$}–{:.d$})", s.median, s.min, s.max, d = decimals),
            None => "—".into(),
        }
    }
}

/// One stream of S requests through evalrun's scheduler.
#[derive(Debug, Serialize)]
struct EvalrunRun {
    repeat: usize,
    stream: StreamStats,
    /// Each sequence's own statistics, in request order.
    sequences: Vec<GenerationStats>,
}

/// `llama-batched-bench --output-format jsonl`'s line for one `-npl`.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct PeerLine {
    n_kv_max: i64,
    n_batch: i64,
    n_ubatch: i64,
    flash_attn: i64,
    is_pp_shared: i64,
    n_threads: i64,
    n_threads_batch: i64,
    pp: i64,
    tg: i64,
    pl: i64,
    n_kv: i64,
    t_pp: f64,
    speed_pp: f64,
    t_tg: f64,
    speed_tg: f64,
    t: f64,
    speed: f64,
}

#[derive(Debug, Serialize)]
struct PeerRun {
    repeat: usize,
    #[serde(flatten)]
    line: PeerLine,
}

/// Everything measured at one slot count, and what the table shows of it.
#[derive(Debug, Serialize)]
struct SlotPoint {
    slots: usize,
    load_s: f64,
    evalrun_gen_tokens_per_s: Option<Summary>,
    peer_gen_tokens_per_s: Option<Summary>,
    /// Of the per-round ratios evalrun / peer (both measured in the same round).
    ratio: Option<Summary>,
    per_sequence_gen_tokens_per_s: Option<Summary>,
    ttft_s: Option<Summary>,
    evalrun_prompt_tokens_per_s: Option<Summary>,
    peer_prompt_tokens_per_s: Option<Summary>,
    /// Sequences that generated other than `--gen-tokens` tokens (the measurement is then off).
    wrong_length_sequences: usize,
    /// The fewest sequences evalrun decoded at once in any round (S when the scheduler batches).
    min_peak_active: usize,
    /// Prompt tokens copied from another sequence instead of decoded (0: prompts are distinct).
    shared_prompt_tokens: u64,
    evalrun: Vec<EvalrunRun>,
    peer: Vec<PeerRun>,
}

#[derive(Debug, Serialize)]
struct ModelResult {
    id: String,
    file: String,
    sha256: String,
    evalrun_version: String,
    points: Vec<SlotPoint>,
    /// The knee of evalrun's curve (median aggregate speeds), and of the peer's.
    knee: Option<usize>,
    peer_knee: Option<usize>,
    /// Whether `knee` was recorded as this machine's default slot count for the model.
    recorded: bool,
}

/// The peer binary, and what it says about itself.
#[derive(Debug, Serialize)]
struct Peer {
    path: PathBuf,
    version: String,
    /// How its kernels were built (`GGML_NATIVE`, build type), from the CMake cache of the build
    /// it sits in; batched-bench prints no system info of its own.
    build_config: Option<String>,
    /// Arguments common to every run (the model, context and `-npl` come per run).
    args: Vec<String>,
    /// Unified KV cache off: what `llama-server -np N` (an explicit slot count) uses.
    kv_unified: bool,
}

impl Peer {
    /// `--peer`, else the default path when built, else none (evalrun is measured alone).
    fn find(flag: Option<&Path>) -> Result<Option<PathBuf>> {
        if let Some(path) = flag {
            if !path.is_file() {
                bail!(
                    "--peer {}: no such file (build llama.cpp's tools with `bash scripts/build-peers.sh`)",
                    path.display()
                );
            }
            return Ok(Some(path.to_path_buf()));
        }
        // From the repository root, or next to this binary (target/release/evalrun).
        let beside_exe = std::env::current_exe().ok().and_then(|exe| {
            exe.parent()?.parent().map(|target| target.join("peers/build/bin").join(PEER_NAME))
        });
        Ok([Some(PathBuf::from(PEER_DEFAULT)), beside_exe].into_iter().flatten().find(|p| p.is_file()))
    }

    fn new(path: PathBuf, threads: usize, batch: &Shape) -> Peer {
        let version = Command::new(&path)
            .arg("--version")
            .stdin(Stdio::null())
            .output()
            .ok()
            .and_then(|out| {
                let text =
                    String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
                text.lines()
                    .find(|l| l.starts_with("version:"))
                    .map(|l| l.trim_start_matches("version:").trim().to_string())
            })
            .unwrap_or_else(|| "unknown".into());
        // -no-kvu: one KV stream per sequence, what `llama-server -np N` runs (it unifies the
        // cache only when it picks the slot count itself). -ngl 99: every layer on the GPU where
        // the peer has one, as evalrun offloads them (a CPU build ignores it).
        let args = format!(
            "-b 2048 -ub 512 -npp {} -ntg {} -t {threads} -tb {threads} -ngl 99 -no-kvu --output-format jsonl",
            batch.prompt_tokens, batch.gen_tokens
        )
        .split_whitespace()
        .map(String::from)
        .collect();
        Peer { build_config: build_config(&path), path, version, args, kv_unified: false }
    }

    /// One `llama-batched-bench` run at `slots` sequences.
    fn run(&self, model: &Path, slots: usize, batch: &Shape) -> Result<PeerLine> {
        let ctx = slots as u64 * u64::from(batch.prompt_tokens + batch.gen_tokens + CTX_MARGIN);
        let mut cmd = Command::new(&self.path);
        cmd.arg("-m").arg(model).args(["-c", &ctx.to_string(), "-npl", &slots.to_string()]).args(&self.args);
        let out = cmd
            .stdin(Stdio::null())
            .output()
            .with_context(|| format!("starting the peer {}", self.path.display()))?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let tail = || {
            let lines: Vec<&str> = stderr.lines().chain(stdout.lines()).collect();
            lines[lines.len().saturating_sub(20)..].join("\n")
        };
        if !out.status.success() {
            bail!("the peer failed ({}) at {slots} slots: {:?}\n{}", out.status, cmd, tail());
        }
        // batched-bench silently skips a shape whose KV cells exceed its context: no line then.
        let line = stdout
            .lines()
            .chain(stderr.lines())
            .map(str::trim)
            .find(|l| l.starts_with('{') && l.contains("\"speed_tg\""))
            .with_context(|| format!("the peer printed no result at {slots} slots: {:?}\n{}", cmd, tail()))?;
        serde_json::from_str(line).with_context(|| format!("the peer's result line: {line}"))
    }
}

/// `KEY=VALUE` of the CMake options that decide the peer's kernels, from `bin/../CMakeCache.txt`.
fn build_config(peer: &Path) -> Option<String> {
    let cache = std::fs::read_to_string(peer.parent()?.parent()?.join("CMakeCache.txt")).ok()?;
    let keys = ["CMAKE_BUILD_TYPE", "GGML_NATIVE", "GGML_AVX2", "GGML_AVX512"];
    let found: Vec<String> = cache
        .lines()
        .filter_map(|l| {
            let (key, value) = l.split_once('=')?;
            let name = key.split(':').next()?;
            keys.contains(&name).then(|| format!("{name}={value}"))
        })
        .collect();
    (!found.is_empty()).then(|| found.join(", "))
}

/// Prompt and generation length of every sequence.
struct Shape {
    prompt_tokens: u32,
    gen_tokens: u32,
}

/// Capitalised words whose first tokens keep the prompts apart, as the peer's random-token prompts
/// are (the bench turns prompt sharing off as well, so that prompts past these, which share a
/// leading word, are still prefilled in full).
const LEADS: [&str; 80] = [
    "One",
    "Two",
    "Three",
    "Four",
    "Five",
    "Six",
    "Seven",
    "Eight",
    "Nine",
    "Ten",
    "Eleven",
    "Twelve",
    "Thirteen",
    "Fourteen",
    "Fifteen",
    "Sixteen",
    "Seventeen",
    "Eighteen",
    "Nineteen",
    "Twenty",
    "Thirty",
    "Forty",
    "Fifty",
    "Hundred",
    "Thousand",
    "Alpha",
    "Bravo",
    "Charlie",
    "Delta",
    "Echo",
    "Golf",
    "Hotel",
    "India",
    "Juliet",
    "Kilo",
    "Lima",
    "Mike",
    "November",
    "Oscar",
    "Papa",
    "Romeo",
    "Sierra",
    "Tango",
    "Victor",
    "Whiskey",
    "Yankee",
    "Red",
    "Blue",
    "Green",
    "Yellow",
    "Purple",
    "Orange",
    "Black",
    "White",
    "Brown",
    "Silver",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
    "January",
    "February",
    "March",
    "April",
    "June",
    "July",
    "August",
    "September",
    "October",
    "December",
    "North",
    "South",
    "East",
    "West",
    "Winter",
    "Summer",
    "Spring",
];

/// Common words, one token each after a space, that pad a prompt to its exact length.
const WORDS: [&str; 48] = [
    "the", "river", "of", "time", "and", "a", "small", "house", "near", "old", "city", "with", "many",
    "green", "trees", "under", "bright", "sky", "where", "people", "walk", "every", "day", "to", "work",
    "in", "quiet", "streets", "that", "lead", "past", "long", "rows", "shops", "open", "early", "close",
    "late", "at", "night", "when", "cold", "wind", "comes", "from", "hills", "over", "sea",
];

/// `n` distinct prompts of exactly `target` tokens each (as `tokenize` counts them): first, as
/// many as the leading words give that start with distinct tokens; past those (256 slots need
/// more), leading words again, each prompt's words in an order of its own.
fn build_prompts<T: PartialEq>(
    tokenize: &dyn Fn(&str) -> Result<Vec<T>>,
    n: usize,
    target: usize,
) -> Result<Vec<String>> {
    let mut prompts = Vec::with_capacity(n);
    let mut firsts: Vec<T> = Vec::with_capacity(n);
    for lead in LEADS {
        if prompts.len() == n {
            break;
        }
        let text = pad_to(tokenize, lead, prompts.len() as u64, target)?;
        let Some(first) = tokenize(&text)?.into_iter().next() else { continue };
        if !firsts.contains(&first) {
            firsts.push(first);
            prompts.push(text);
        }
    }
    // Bounded: a word order repeats only by chance, so a few tries per prompt are plenty.
    for attempt in 0..n * 4 {
        if prompts.len() == n {
            break;
        }
        let text = pad_to(tokenize, LEADS[attempt % LEADS.len()], (n + attempt) as u64, target)?;
        if !prompts.contains(&text) {
            prompts.push(text);
        }
    }
    if prompts.len() < n {
        bail!(
            "cannot build {n} distinct prompts of {target} tokens (built {}): lower --slots",
            prompts.len()
        );
    }
    Ok(prompts)
}

/// `lead` followed by words (a sequence that depends on `seed`) up to exactly `target` tokens.
fn pad_to<T>(
    tokenize: &dyn Fn(&str) -> Result<Vec<T>>,
    lead: &str,
    seed: u64,
    target: usize,
) -> Result<String> {
    let mut text = lead.to_string();
    let mut n = tokenize(&text)?.len();
    if n > target {
        bail!("--prompt-tokens {target} is shorter than the leading word {lead:?} ({n} tokens)");
    }
    let mut state = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15).wrapping_add(1);
    while n < target {
        // A linear congruential step: word order varies from prompt to prompt, reproducibly.
        state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        let start = (state >> 33) as usize % WORDS.len();
        // Each word adds one token after a space; try the others in the rare case one merges.
        let next = (0..WORDS.len())
            .map(|k| format!("{text} {}", WORDS[(start + k) % WORDS.len()]))
            .map(|candidate| tokenize(&candidate).map(|t| (t.len(), candidate)))
            .find(|r| r.as_ref().map_or(true, |(m, _)| *m > n && *m <= target))
            .transpose()?;
        let Some((m, candidate)) = next else {
            bail!("cannot pad the prompt {lead:?} to exactly {target} tokens");
        };
        (n, text) = (m, candidate);
    }
    Ok(text)
}

fn request(text: &str, gen_tokens: u32) -> GenerationRequest {
    GenerationRequest {
        prompt: Prompt::Completion(text.to_string()),
        stop: vec![],
        // ignore_eos: every sequence generates exactly gen_tokens, as batched-bench's do.
        sampling: SamplingParams {
            temperature: 0.0,
            max_tokens: gen_tokens,
            ignore_eos: true,
            ..Default::default()
        },
    }
}

/// `/proc/loadavg`'s one-minute load, to tell a quiet machine from a busy one.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "unknown".into())
}

pub fn main(args: BenchBatchingArgs) -> Result<()> {
    let mut slots = args.slots.clone();
    slots.sort_unstable();
    slots.dedup();
    if slots.is_empty() || slots[0] == 0 {
        bail!("--slots must list slot counts of at least 1, e.g. 1,2,4,8,16");
    }
    if args.repeat == 0 {
        bail!("--repeat must be at least 1");
    }
    if args.prompt_tokens < MIN_PROMPT_TOKENS || args.gen_tokens < MIN_GEN_TOKENS {
        bail!(
            "--prompt-tokens must be at least {MIN_PROMPT_TOKENS} and --gen-tokens at least {MIN_GEN_TOKENS}"
        );
    }
    let shape = Shape { prompt_tokens: args.prompt_tokens, gen_tokens: args.gen_tokens };
    let threads = super::common::generation_threads(args.threads);
    let record = !args.no_record;
    let store = ModelStore::from_env()?;
    let catalog = store.catalog()?;
    let ids: Vec<String> = match &args.models {
        Some(list) => list.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect(),
        None => vec![catalog.default_id().to_string()],
    };
    if ids.is_empty() {
        bail!("--models names no model");
    }
    // Every model is checked before anything is measured.
    let mut models = Vec::new();
    for id in &ids {
        let entry = super::models::resolve_model(&catalog, id)?;
        if entry.backend != "llamacpp" {
            bail!("{id} is a {} model; this bench measures the llama.cpp backend", entry.backend);
        }
        let path = store.verify(&entry).with_context(|| format!("model {id}"))?;
        let sha256 = match &entry.sha256 {
            Some(sha) => sha.clone(),
            None => sha256_of(&path).with_context(|| format!("hashing {}", path.display()))?,
        };
        models.push((id.clone(), path, sha256));
    }
    let peer = match Peer::find(args.peer.as_deref())? {
        Some(path) => Some(Peer::new(path, threads, &shape)),
        None => {
            eprintln!(
                "bench: no {PEER_NAME} at {PEER_DEFAULT}: measuring evalrun alone \
                 (build the peer with `bash scripts/build-peers.sh`, or pass --peer)"
            );
            None
        }
    };
    std::fs::create_dir_all(&args.out).with_context(|| format!("creating {}", args.out.display()))?;
    let machine = Machine::current();
    let load_before = load_average();

    let bar = progress_bar((models.len() * args.repeat * slots.len()) as u64);
    let mut results = Vec::new();
    for (id, path, sha256) in &models {
        results.push(bench_model(
            id,
            path,
            sha256,
            &slots,
            &shape,
            threads,
            args.repeat,
            peer.as_ref(),
            &bar,
        )?);
    }
    bar.finish_and_clear();

    for result in &mut results {
        if let (true, Some(knee)) = (record, result.knee) {
            slot_count::record(store.root(), &result.sha256, threads, &machine.cpu_model, knee)
                .with_context(|| format!("recording the knee of {}", result.id))?;
            result.recorded = true;
            eprintln!(
                "bench: recorded {knee} slots for {} ({threads} threads, {}) in {}: runs without --slots use it",
                result.id,
                machine.cpu_model,
                store.root().join(slot_count::FILE_NAME).display()
            );
        }
    }
    let load_after = load_average();
    let features = evalrun_backends::compute_features::compute_features("llamacpp");
    let setting = Setting {
        shape: &shape,
        threads,
        repeat: args.repeat,
        machine: &machine,
        features: features.as_deref(),
    };
    let markdown = report(&results, peer.as_ref(), &setting, &load_before, &load_after);
    print!("{markdown}");
    let out = &args.out;
    let write = |name: &str, bytes: &[u8]| {
        let path = out.join(name);
        std::fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))
    };
    write("batching.md", markdown.as_bytes())?;
    let json = serde_json::json!({
        "prompt_tokens": shape.prompt_tokens,
        "gen_tokens": shape.gen_tokens,
        "threads": threads,
        "repeat": args.repeat,
        "slots": slots,
        "knee_tolerance": KNEE_TOLERANCE,
        "machine": machine,
        "evalrun_compute_features": features,
        "peer": peer,
        "load_average_before": load_before,
        "load_average_after": load_after,
        "models": results,
    });
    write("batching.json", (serde_json::to_string_pretty(&json)? + "\n").as_bytes())?;
    let lines = chart_lines(&results);
    let chart_title = format!(
        "Aggregate generation speed ({} + {} tokens per sequence, {threads} threads)",
        shape.prompt_tokens, shape.gen_tokens
    );
    write("batching.svg", throughput_svg(&chart_title, &lines)?.as_bytes())?;
    write("batching.png", &throughput_png(&chart_title, &lines)?)?;
    eprintln!("bench: wrote batching.md, batching.json, batching.svg and batching.png in {}", out.display());
    Ok(())
}

fn progress_bar(total: u64) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template(
            "batching {bar:30.cyan/blue} {pos}/{len} {msg} [{elapsed_precise}<{eta_precise}]",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    bar
}

/// A line of progress: on the bar when stderr is a terminal, else printed.
fn say(bar: &ProgressBar, line: String) {
    if std::io::stderr().is_terminal() {
        bar.println(line);
    } else {
        eprintln!("{line}");
    }
}

/// One model: a backend per slot count, loaded once, then the rounds.
#[allow(clippy::too_many_arguments)]
fn bench_model(
    id: &str,
    path: &Path,
    sha256: &str,
    slots: &[usize],
    shape: &Shape,
    threads: usize,
    repeat: usize,
    peer: Option<&Peer>,
    bar: &ProgressBar,
) -> Result<ModelResult> {
    let opts = |s: usize| LoadOptions {
        threads,
        n_ctx: shape.prompt_tokens + shape.gen_tokens + CTX_MARGIN,
        openai: None,
        slots: s,
        // Every prompt differs, as in llama-batched-bench: nothing to share.
        prompt_sharing: false,
    };
    let mut loaded = Vec::new();
    for &s in slots {
        say(bar, format!("bench: loading {id} with {s} slots"));
        let start = Instant::now();
        let mut backend = LlamaCppBackend::load(path, &opts(s))
            .with_context(|| format!("loading {} with {s} slots", path.display()))?;
        let load_s = start.elapsed().as_secs_f64();
        // One unrecorded stream: first-call allocations and page faults.
        let warm = generate_all(&mut backend, &[request("Warm up", MIN_GEN_TOKENS)]);
        if let Some(Err(e)) = warm.into_iter().next() {
            bail!("{id}: the warm-up generation at {s} slots failed: {e}");
        }
        loaded.push((s, backend, load_s));
    }
    let max_slots = slots.iter().copied().max().unwrap_or(1);
    let prompts = {
        let backend = &loaded[0].1;
        let tokenize = |text: &str| -> Result<Vec<_>> {
            // Counted as the scheduler counts: the rendered prompt, special tokens parsed.
            let rendered = backend.render_prompt(&request(text, 1))?;
            let vocab = backend.model().vocab();
            let mut tokens = vocab.tokenize(rendered.as_bytes(), true, true);
            if tokens.len() >= 2 && tokens[0] == vocab.bos() && tokens[1] == vocab.bos() {
                tokens.remove(0);
            }
            Ok(tokens)
        };
        build_prompts(&tokenize, max_slots, shape.prompt_tokens as usize)
            .with_context(|| format!("{id}: prompts"))?
    };
    let mut evalrun_runs: Vec<Vec<EvalrunRun>> = slots.iter().map(|_| Vec::new()).collect();
    let mut peer_runs: Vec<Vec<PeerRun>> = slots.iter().map(|_| Vec::new()).collect();
    for round in 0..repeat {
        for (i, (s, backend, _)) in loaded.iter_mut().enumerate() {
            let s = *s;
            bar.set_message(format!("{id}: round {}, {s} slots, evalrun", round + 1));
            let requests: Vec<_> = prompts[..s].iter().map(|p| request(p, shape.gen_tokens)).collect();
            let sequences = generate_all(backend, &requests)
                .into_iter()
                .enumerate()
                .map(|(k, r)| {
                    r.map(|g| g.stats).with_context(|| format!("{id}: sequence {k} of {s} slots failed"))
                })
                .collect::<Result<Vec<_>>>()?;
            let stream = backend.stream_stats().clone();
            let mut line = format!(
                "{id} round {} at {s} slots: evalrun {:.1} tok/s ({:.1}% of it on the host, {:.1} \
                 sequences a generation step)",
                round + 1,
                stream.gen_tokens_per_s(),
                100.0 * stream.gen_host_share(),
                stream.mean_gen_batch()
            );
            evalrun_runs[i].push(EvalrunRun { repeat: round, stream, sequences });
            if let Some(peer) = peer {
                bar.set_message(format!("{id}: round {}, {s} slots, {PEER_NAME}", round + 1));
                let result = peer.run(path, s, shape).with_context(|| format!("{id}: {PEER_NAME}"))?;
                line += &format!(", peer {:.1} tok/s", result.speed_tg);
                peer_runs[i].push(PeerRun { repeat: round, line: result });
            }
            bar.inc(1);
            if !std::io::stderr().is_terminal() {
                eprintln!("bench: {line}");
            }
        }
    }
    let evalrun_version = loaded[0].1.version();
    let points: Vec<SlotPoint> = loaded
        .iter()
        .zip(evalrun_runs)
        .zip(peer_runs)
        .map(|((&(s, _, load_s), evalrun), peer)| summarize(s, load_s, shape, evalrun, peer))
        .collect();
    let curve = |f: fn(&SlotPoint) -> Option<Summary>| -> Vec<(usize, f64)> {
        points.iter().filter_map(|p| f(p).map(|x| (p.slots, x.median))).collect()
    };
    let knee = slot_count::knee(&curve(|p| p.evalrun_gen_tokens_per_s), KNEE_TOLERANCE);
    let peer_knee = slot_count::knee(&curve(|p| p.peer_gen_tokens_per_s), KNEE_TOLERANCE);
    Ok(ModelResult {
        id: id.to_string(),
        file: path.display().to_string(),
        sha256: sha256.to_string(),
        evalrun_version,
        points,
        knee,
        peer_knee,
        recorded: false,
    })
}

fn summarize(
    slots: usize,
    load_s: f64,
    shape: &Shape,
    evalrun: Vec<EvalrunRun>,
    peer: Vec<PeerRun>,
) -> SlotPoint {
    let all_sequences = || evalrun.iter().flat_map(|r| &r.sequences);
    // Ratios within a round: both sides saw the same moment of the machine.
    let ratios = evalrun
        .iter()
        .filter_map(|e| {
            let p = peer.iter().find(|p| p.repeat == e.repeat)?;
            (p.line.speed_tg > 0.0).then(|| e.stream.gen_tokens_per_s() / p.line.speed_tg)
        })
        .collect();
    SlotPoint {
        slots,
        load_s,
        evalrun_gen_tokens_per_s: Summary::of(evalrun.iter().map(|r| r.stream.gen_tokens_per_s()).collect()),
        peer_gen_tokens_per_s: Summary::of(peer.iter().map(|p| p.line.speed_tg).collect()),
        ratio: Summary::of(ratios),
        per_sequence_gen_tokens_per_s: Summary::of(all_sequences().map(|s| s.gen_tokens_per_s).collect()),
        ttft_s: Summary::of(all_sequences().map(|s| s.ttft_s).collect()),
        evalrun_prompt_tokens_per_s: Summary::of(
            evalrun.iter().map(|r| r.stream.prompt_tokens_per_s()).collect(),
        ),
        peer_prompt_tokens_per_s: Summary::of(peer.iter().map(|p| p.line.speed_pp).collect()),
        wrong_length_sequences: all_sequences().filter(|s| s.generated_tokens != shape.gen_tokens).count(),
        min_peak_active: evalrun.iter().map(|r| r.stream.peak_active).min().unwrap_or(0),
        shared_prompt_tokens: evalrun.iter().map(|r| r.stream.shared_prompt_tokens).sum(),
        evalrun,
        peer,
    }
}

/// What every model of the bench shared, for the report's preamble.
struct Setting<'a> {
    shape: &'a Shape,
    threads: usize,
    repeat: usize,
    machine: &'a Machine,
    /// evalrun's llama.cpp system info (the kernels it picked).
    features: Option<&'a str>,
}

fn report(
    results: &[ModelResult],
    peer: Option<&Peer>,
    setting: &Setting,
    load_before: &str,
    load_after: &str,
) -> String {
    let Setting { shape, threads, repeat, machine, features } = *setting;
    let mut md = String::from("# Batching: aggregate generation speed by slot count\n\n");
    let versus = match peer {
        Some(p) => format!(
            "against `{PEER_NAME}` {} (`{}`; unified KV cache off, as `llama-server -np N` runs)",
            p.version,
            p.path.display()
        ),
        None => {
            "alone: no peer was found (build it with `bash scripts/build-peers.sh`, or pass `--peer`)".into()
        }
    };
    md += &format!(
        "evalrun {versus}. Every sequence: {} prompt tokens, {} generated tokens (end of text ignored); \
         {threads} threads; {repeat} round(s), medians with min–max. {} ({} cpus, flags: {}); load \
         average {load_before} before, {load_after} after.\n",
        shape.prompt_tokens,
        shape.gen_tokens,
        machine.cpu_model,
        machine.cpus,
        if machine.cpu_flags.is_empty() { "unknown".into() } else { machine.cpu_flags.join(" ") },
    );
    let peer_build = peer.map_or(String::new(), |p| {
        format!(
            "; the peer was built with {}",
            p.build_config.as_deref().unwrap_or("an unknown configuration")
        )
    });
    md +=
        &format!("\nKernels: evalrun's llama.cpp reports `{}`{peer_build}.\n", features.unwrap_or("nothing"));
    let peer_col = if peer.is_some() { "peer S_TG" } else { "peer S_TG (none)" };
    for r in results {
        md += &format!("\n## {}\n\n", r.id);
        md += &format!(
            "| slots | evalrun aggregate gen tok/s | {peer_col} | evalrun / peer | per-sequence gen tok/s | TTFT s | prompt tok/s: evalrun, peer S_PP |\n"
        );
        md += "|---|---|---|---|---|---|---|\n";
        for p in &r.points {
            md += &format!(
                "| {} | {} | {} | {} | {} | {} | {}, {} |\n",
                p.slots,
                Summary::cell(p.evalrun_gen_tokens_per_s, 1),
                Summary::cell(p.peer_gen_tokens_per_s, 1),
                Summary::cell(p.ratio, 2),
                Summary::cell(p.per_sequence_gen_tokens_per_s, 1),
                Summary::cell(p.ttft_s, 2),
                p.evalrun_prompt_tokens_per_s.map_or("—".into(), |s| format!("{:.0}", s.median)),
                p.peer_prompt_tokens_per_s.map_or("—".into(), |s| format!("{:.0}", s.median)),
            );
        }
        md += "\n";
        let knee = |k: Option<usize>| k.map_or_else(|| "none".to_string(), |k| k.to_string());
        md += &format!(
            "Knee (fewest slots within {:.0}% of the best aggregate speed): evalrun {}, peer {}.",
            KNEE_TOLERANCE * 100.0,
            knee(r.knee),
            knee(r.peer_knee)
        );
        match (r.recorded, r.knee) {
            (true, Some(k)) => {
                md += &format!(
                    " Recorded: runs of {} with {threads} threads on this CPU default to `--slots {k}`.\n",
                    r.id
                )
            }
            _ => md += " Not recorded.\n",
        }
        for p in &r.points {
            if p.wrong_length_sequences > 0 {
                md += &format!(
                    "\nWarning: at {} slots, {} sequence(s) did not generate exactly {} tokens.\n",
                    p.slots, p.wrong_length_sequences, shape.gen_tokens
                );
            }
            if p.min_peak_active < p.slots {
                md += &format!(
                    "\nWarning: at {} slots, evalrun decoded at most {} sequence(s) at once in some round.\n",
                    p.slots, p.min_peak_active
                );
            }
            if p.shared_prompt_tokens > 0 {
                md += &format!(
                    "\nWarning: at {} slots, {} prompt tokens were shared, not decoded.\n",
                    p.slots, p.shared_prompt_tokens
                );
            }
        }
    }
    md
}

fn chart_lines(results: &[ModelResult]) -> Vec<ThroughputLine> {
    let mut lines = Vec::new();
    for (i, r) in results.iter().enumerate() {
        let curve = |f: fn(&SlotPoint) -> Option<Summary>| -> Vec<(usize, f64)> {
            r.points.iter().filter_map(|p| f(p).map(|s| (p.slots, s.median))).collect()
        };
        lines.push(ThroughputLine {
            label: format!("{} · evalrun", r.id),
            points: curve(|p| p.evalrun_gen_tokens_per_s),
            color_index: i,
            dashed: false,
        });
        let peer = curve(|p| p.peer_gen_tokens_per_s);
        if !peer.is_empty() {
            lines.push(ThroughputLine {
                label: format!("{} · {PEER_NAME}", r.id),
                points: peer,
                color_index: i,
                dashed: true,
            });
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stand-in tokenizer: one token per word, a word's first letter as its id.
    fn words(text: &str) -> Result<Vec<char>> {
        Ok(text.split_whitespace().filter_map(|w| w.chars().next()).collect())
    }

    #[test]
    fn prompts_have_the_exact_length_and_distinct_first_tokens() {
        let prompts = build_prompts(&words, 8, 20).unwrap();
        assert_eq!(prompts.len(), 8);
        for p in &prompts {
            assert_eq!(words(p).unwrap().len(), 20, "{p}");
        }
        let firsts: Vec<char> = prompts.iter().map(|p| words(p).unwrap()[0]).collect();
        let mut unique = firsts.clone();
        unique.dedup();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), firsts.len(), "{firsts:?}");
        assert_ne!(prompts[0].split_once(' ').unwrap().1, prompts[1].split_once(' ').unwrap().1);
    }

    #[test]
    fn past_the_distinct_first_tokens_prompts_still_differ() {
        // First letters limit the stand-in to about twenty distinct first tokens; 256 slots (the
        // most a context takes) need 256 prompts.
        let prompts = build_prompts(&words, 256, 20).unwrap();
        assert_eq!(prompts.len(), 256);
        let mut unique = prompts.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 256);
        assert!(prompts.iter().all(|p| words(p).unwrap().len() == 20));
    }

    #[test]
    fn too_many_prompts_or_too_few_tokens_are_errors() {
        // One token leaves room for the leading word alone: 80 prompts at most.
        let err = build_prompts(&words, 200, 1).unwrap_err().to_string();
        assert!(err.contains("lower --slots"), "{err}");
        assert!(pad_to(&|t: &str| Ok(vec![0; t.len()]), "Seventeen", 0, 3).is_err());
    }

    #[test]
    fn summaries_and_peer_lines() {
        let s = Summary::of(vec![3.0, 1.0, 2.0, f64::NAN]).unwrap();
        assert_eq!((s.median, s.min, s.max), (2.0, 1.0, 3.0));
        assert_eq!(Summary::of(vec![]), None);
        assert_eq!(Summary::cell(None, 1), "—");
        let line = r#"{"n_kv_max": 5376, "n_batch": 2048, "n_ubatch": 512, "flash_attn": -1, "is_pp_shared": 0, "n_gpu_layers": -1, "n_threads": 2, "n_threads_batch": 2, "pp": 200, "tg": 128, "pl": 16, "n_kv": 5248, "t_pp": 20.1, "speed_pp": 159.2, "t_tg": 18.3, "speed_tg": 111.9, "t": 38.4, "speed": 219.3}"#;
        let parsed: PeerLine = serde_json::from_str(line).unwrap();
        assert_eq!((parsed.pl, parsed.speed_tg), (16, 111.9));
    }
}
