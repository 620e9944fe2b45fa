//! The `openai` backend at scale against a real `llama-server -np 4` (llama.cpp's own server,
//! built by scripts/build-peers.sh from the llama.cpp tree in PyPI's llama-cpp-python source
//! distribution), serving the shipped 0.5B coder on loopback:
//!
//! - evalrun keeps the server's 4 slots busy: the server's `/slots` is polled while the run
//!   generates, and at least 3 slots are seen processing at once, busy most of the time;
//! - the verdicts equal those of the native llamacpp backend on the same file, the same prompt
//!   and the same tasks, within noise (see [`MAX_VERDICT_DIFFERENCES`]).
//!
//! Without the binary the test says so and passes, unless `EVALRUN_REQUIRE_PEERS` is set
//! (scripts/test.sh builds the peers and sets it, so CI cannot skip it silently).

mod common;

use common::*;
use std::collections::BTreeMap;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const MODEL: &str = "qwen2.5-coder-0.5b-instruct-q4_k_m";
const SLOTS: usize = 4;
/// Eight short HumanEval tasks, four that the 0.5B passes and four it fails (greedy), so that
/// the verdicts compared are not all alike. None needs 320 tokens.
const TASKS: &str =
    "HumanEval/2,HumanEval/7,HumanEval/9,HumanEval/23,HumanEval/26,HumanEval/27,HumanEval/28,HumanEval/38";
const N_TASKS: usize = 8;
const MAX_TOKENS: &str = "320";
/// Verdicts that may differ between the server and the native backend. Both run llama.cpp's
/// kernels on the same file with greedy sampling and the same prompt, but they batch
/// differently: the server decodes its slots' tokens in one batch of its own making, evalrun's
/// scheduler in another, and a matrix product over a different batch rounds differently in the
/// last bits. Where the top two logits of a step are that close, greedy decoding parts there and
/// the answers (and, rarely, the verdicts) differ from then on (docs/PERFORMANCE.md,
/// "Determinism"). One task in eight is that noise; a systematic difference (another prompt,
/// another model, lost or cut answers) moves more.
const MAX_VERDICT_DIFFERENCES: usize = 1;

fn llama_server_binary() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/peers/build/bin/llama-server")
}

/// `llama-server -np 4` started for the test, killed when dropped.
struct LlamaServer {
    child: Child,
    root: String,
}

impl LlamaServer {
    fn start(binary: &Path, model: &Path, log: &Path) -> LlamaServer {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).to_string();
        let child = Command::new(binary)
            // Its shared libraries lie beside it.
            .env("LD_LIBRARY_PATH", binary.parent().unwrap())
            .arg("-m")
            .arg(model)
            .args(["--alias", MODEL, "--host", "127.0.0.1", "--port", &port.to_string()])
            // 4 slots of 1,024 tokens each: a HumanEval prompt (~130-250 tokens) and 320 more.
            .args(["-np", &SLOTS.to_string(), "-c", &(SLOTS * 1024).to_string()])
            .args(["-t", &threads, "-tb", &threads, "--metrics", "--slots", "--no-webui"])
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(log).unwrap())
            .spawn()
            .unwrap_or_else(|e| panic!("{} starts: {e}", binary.display()));
        let mut server = LlamaServer { child, root: format!("http://127.0.0.1:{port}") };
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            if let Some(status) = server.child.try_wait().unwrap() {
                panic!(
                    "llama-server exited ({status}):\n{}",
                    std::fs::read_to_string(log).unwrap_or_default()
                );
            }
            if get(&format!("{}/health", server.root)).is_some_and(|(status, _)| status == 200) {
                return server;
            }
            assert!(Instant::now() < deadline, "llama-server did not answer within 120 s");
            std::thread::sleep(Duration::from_millis(250));
        }
    }
}

impl Drop for LlamaServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// GET `url`: status and body, or None when the server does not answer.
fn get(url: &str) -> Option<(u16, String)> {
    let agent = ureq::AgentBuilder::new().timeout(Duration::from_secs(5)).build();
    match agent.get(url).call() {
        Ok(r) => Some((r.status(), r.into_string().ok()?)),
        Err(ureq::Error::Status(status, r)) => Some((status, r.into_string().unwrap_or_default())),
        Err(_) => None,
    }
}

/// Slots processing a request, from the server's `/slots`.
fn busy_slots(root: &str) -> Option<usize> {
    let (status, body) = get(&format!("{root}/slots"))?;
    let slots: serde_json::Value = serde_json::from_str(&body).ok().filter(|_| status == 200)?;
    Some(slots.as_array()?.iter().filter(|s| s["is_processing"] == true).count())
}

/// A gauge or counter of the server's Prometheus `/metrics`.
fn metric(root: &str, name: &str) -> Option<f64> {
    let (_, body) = get(&format!("{root}/metrics"))?;
    body.lines().find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.trim().parse().ok())
}

/// What polling `/slots` every 100 ms saw.
struct Occupancy {
    /// Busy-slot counts from the first poll that saw a busy slot to the last one.
    busy: Vec<usize>,
    peak: usize,
    /// Mean busy slots over those polls, divided by the slot count.
    share: f64,
}

fn poll_slots(root: String, stop: Arc<AtomicBool>) -> std::thread::JoinHandle<Occupancy> {
    std::thread::spawn(move || {
        let mut seen = Vec::new();
        while !stop.load(Ordering::Relaxed) {
            if let Some(n) = busy_slots(&root) {
                seen.push(n);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let first = seen.iter().position(|&n| n > 0).unwrap_or(seen.len());
        let last = seen.iter().rposition(|&n| n > 0).map_or(first, |l| l + 1);
        let busy = seen[first..last].to_vec();
        let share = busy.iter().sum::<usize>() as f64 / (busy.len().max(1) * SLOTS) as f64;
        Occupancy { peak: busy.iter().copied().max().unwrap_or(0), busy, share }
    })
}

/// `[1, 1, 4, 4, 4]` → `1x2 4x3`.
fn runs(busy: &[usize]) -> String {
    let mut out: Vec<(usize, usize)> = Vec::new();
    for &n in busy {
        match out.last_mut() {
            Some((m, count)) if *m == n => *count += 1,
            _ => out.push((n, 1)),
        }
    }
    out.iter().map(|(n, count)| format!("{n}x{count}")).collect::<Vec<_>>().join(" ")
}

/// task id → (passed, completion) of a run's results.
fn verdicts(dir: &Path) -> BTreeMap<String, (bool, String)> {
    read_jsonl(&dir.join("results.jsonl"))
        .into_iter()
        .map(|r| {
            let id = r["task_id"].as_str().unwrap().to_string();
            (id, (r["passed"].as_bool().unwrap(), r["completion"].as_str().unwrap().to_string()))
        })
        .collect()
}

fn template(dir: &Path) -> serde_json::Value {
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
    manifest["models"][0]["prompt_template"]["name"].clone()
}

#[test]
fn openai_backend_keeps_llama_server_slots_busy_and_matches_the_native_backend() {
    let binary = llama_server_binary();
    if !binary.is_file() {
        assert!(
            std::env::var_os("EVALRUN_REQUIRE_PEERS").is_none(),
            "EVALRUN_REQUIRE_PEERS is set but {} is missing: run scripts/build-peers.sh",
            binary.display()
        );
        eprintln!(
            "SKIPPED: {} is not built (bash scripts/build-peers.sh builds it); the openai backend was not \
             tested against llama-server -np {SLOTS}",
            binary.display()
        );
        return;
    }
    let model = default_model_present();
    let tmp = tempfile::tempdir().unwrap();
    let run_args =
        ["--suite", "humaneval", "--task-ids", TASKS, "--max-tokens", MAX_TOKENS, "--progress", "none"];

    // Through the server, 4 requests in flight, while /slots is polled.
    let served = tmp.path().join("served");
    let (occupancy, busy_per_decode, generation_s) = {
        let server = LlamaServer::start(&binary, &model.path, &tmp.path().join("llama-server.log"));
        let stop = Arc::new(AtomicBool::new(false));
        let poller = poll_slots(server.root.clone(), Arc::clone(&stop));
        let started = Instant::now();
        run_ok(
            evalrun()
                .args(["run", "--models", MODEL, "--backends", "openai", "--openai-base-url"])
                .arg(format!("{}/v1", server.root))
                .args(["--openai-concurrency", &SLOTS.to_string(), "--openai-retries", "0"])
                .args(run_args)
                .arg("--out")
                .arg(&served),
        );
        let generation_s = started.elapsed().as_secs_f64();
        stop.store(true, Ordering::Relaxed);
        let occupancy = poller.join().unwrap();
        // The server's own figure: the mean number of busy slots per llama_decode() call.
        let per_decode = metric(&server.root, "llamacpp:n_busy_slots_per_decode").expect("/metrics answers");
        (occupancy, per_decode, generation_s)
    };
    eprintln!(
        "llama-server -np {SLOTS}: {} polls of /slots while generating, peak {} busy, occupancy {:.1}% \
         (mean {:.2} of {SLOTS} slots busy); llamacpp:n_busy_slots_per_decode {busy_per_decode:.2}; \
         the run took {generation_s:.1} s\nbusy slots per poll, as busy x polls in a row: {}",
        occupancy.busy.len(),
        occupancy.peak,
        occupancy.share * 100.0,
        occupancy.share * SLOTS as f64,
        runs(&occupancy.busy)
    );
    // One request at a time would show 1 busy slot and 25%; evalrun keeps all four busy until
    // the last tasks finish one by one.
    assert!(occupancy.busy.len() >= 20, "too few polls to judge: {}", runs(&occupancy.busy));
    assert!(occupancy.peak >= 3, "at most {} slots busy at once: {}", occupancy.peak, runs(&occupancy.busy));
    assert!(
        occupancy.share >= 0.6,
        "slots busy {:.1}% of the time: {}",
        occupancy.share * 100.0,
        runs(&occupancy.busy)
    );
    // Prompt batches count as decode calls too, and the tail runs one sequence: lower than the
    // polled share, but one request at a time would give 1.
    assert!(busy_per_decode >= 2.0, "llamacpp:n_busy_slots_per_decode {busy_per_decode}");

    // The same tasks through the native backend, given the prompt the server got (chat
    // endpoints cannot prefill the answer) and as many slots.
    let native = tmp.path().join("native");
    run_ok(
        evalrun()
            .args(["run", "--models", MODEL, "--backends", "llamacpp", "--slots", &SLOTS.to_string()])
            .args(["--prompt-template", "evalplus-instruct-v2-no-prefill"])
            .args(run_args)
            .arg("--out")
            .arg(&native),
    );
    drop(model);
    assert_eq!(template(&served), "evalplus-instruct-v2-no-prefill");
    assert_eq!(template(&native), template(&served));

    let (served, native) = (verdicts(&served), verdicts(&native));
    assert_eq!(served.len(), N_TASKS, "{served:?}");
    assert_eq!(served.keys().collect::<Vec<_>>(), native.keys().collect::<Vec<_>>());
    let differing: Vec<&String> = served.keys().filter(|id| served[*id].0 != native[*id].0).collect();
    let same_text = served.keys().filter(|id| served[*id].1 == native[*id].1).count();
    let passed = |m: &BTreeMap<String, (bool, String)>| m.values().filter(|(p, _)| *p).count();
    eprintln!(
        "verdicts: server {}/{N_TASKS} passed, native {}/{N_TASKS}; differing {differing:?}; identical \
         completions {same_text}/{N_TASKS}",
        passed(&served),
        passed(&native)
    );
    assert!(differing.len() <= MAX_VERDICT_DIFFERENCES, "verdicts differ on {differing:?}");
    // The same model and prompt: most greedy answers are the same text, not merely the same
    // verdict (a few may part at a near-tie, as above).
    assert!(same_text * 2 >= N_TASKS, "only {same_text} of {N_TASKS} completions are the same text");
    // Mixed verdicts, so that agreeing on them says something.
    assert!((1..N_TASKS).contains(&passed(&native)), "native passed {} of {N_TASKS}", passed(&native));
}
