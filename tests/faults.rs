//! The fault campaign, bounded for CI (docs/RELIABILITY.md, "Fault campaign"; the campaign of
//! 20 random kills is scripts/faults.sh):
//!
//! - `kill -9` of a real-model run at chosen moments (a generation in flight, a batch half
//!   executed) and torn last lines in both journals, as a kill mid-write or a power loss leaves
//!   them: after `--resume` the results equal an uninterrupted greedy run, key for key;
//! - a full disk (a tiny tmpfs), a read-only output directory and an output directory removed
//!   mid-run, with `evalrun score`: a clear error naming the file, no corrupt journal line, and
//!   `--resume` finishing once the disk is writable again;
//! - server faults for the `openai` backend, through a fault-injecting proxy (tests/faults/
//!   proxy.rs) in front of a real llama-server: connection refused, 500, 429 with `Retry-After`,
//!   a stream cut mid-event, malformed SSE, a server that stalls past the timeout. Each ends in
//!   a retried success or a clear per-sample error; the run goes on and loses no sample.

mod common;
#[path = "faults/proxy.rs"]
mod proxy;

use common::*;
use evalrun_backends::openai::{OpenAiBackend, OpenAiConfig, RetryPolicy};
use evalrun_core::{Backend, ChatMessage, GenerationRequest, Prompt, SamplingParams};
use proxy::{Fault, FaultProxy};
use std::collections::BTreeMap;
use std::io::Write;
use std::net::TcpListener;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const MODEL: &str = "qwen2.5-coder-0.5b-instruct-q4_k_m";

// ---------------------------------------------------------------------------------------------
// Journals

/// The whole lines of a journal (a torn last line left out).
fn whole_lines(path: &Path) -> Vec<String> {
    let text = std::fs::read(path).unwrap_or_default();
    let end = text.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    String::from_utf8_lossy(&text[..end]).lines().map(String::from).collect()
}

/// Every line of a finished journal parses and ends with a newline.
fn assert_clean_journal(path: &Path) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(text.is_empty() || text.ends_with('\n'), "{} ends in a torn line", path.display());
    text.lines()
        .enumerate()
        .map(|(i, l)| {
            serde_json::from_str(l).unwrap_or_else(|e| panic!("{}:{}: {e}: {l}", path.display(), i + 1))
        })
        .collect()
}

/// Result rows by key (model, backend, task, sample): what a verdict is, not how long it took.
fn verdicts(dir: &Path) -> BTreeMap<(String, String, String, u64), serde_json::Value> {
    let rows = assert_clean_journal(&dir.join("results.jsonl"));
    let n = rows.len();
    let map: BTreeMap<_, _> = rows
        .into_iter()
        .map(|r| {
            let key = (
                r["model"].as_str().unwrap().to_string(),
                r["backend"].as_str().unwrap().to_string(),
                r["task_id"].as_str().unwrap().to_string(),
                r["sample"].as_u64().unwrap(),
            );
            let value = serde_json::json!({
                "completion": r["completion"], "raw": r["raw"], "passed": r["passed"],
                "result": r["result"], "status": r["status"],
            });
            (key, value)
        })
        .collect();
    assert_eq!(map.len(), n, "a key is journaled twice in {}", dir.display());
    map
}

// ---------------------------------------------------------------------------------------------
// kill -9 and torn lines, with the real model

/// Three short HumanEval tasks, 64 tokens each, one sequence at a time (a resumed run then
/// decodes what is left exactly as the clean run did), one sandbox worker (a batch executes
/// one sample after another, so a kill can land in its middle).
const KILL_TASKS: &str = "HumanEval/2,HumanEval/7,HumanEval/23";
const N_KILL: usize = 3;

fn model_run(out: &Path) -> Command {
    let mut cmd = evalrun();
    cmd.args(["run", "--models", MODEL, "--suite", "humaneval", "--task-ids", KILL_TASKS])
        .args(["--max-tokens", "64", "--slots", "1", "--workers", "1", "--progress", "none", "--out"])
        .arg(out);
    cmd
}

/// Start `cmd`, wait until `ready` holds for `dir`, then SIGKILL it. Panics if it ends first.
fn kill_when(cmd: &mut Command, dir: &Path, what: &str, ready: impl Fn(&Path) -> bool) {
    let mut child = cmd.stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(300);
    while !ready(dir) {
        if let Some(status) = child.try_wait().unwrap() {
            let mut err = String::new();
            std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
            panic!("the run ended ({status}) before {what}:\n{err}");
        }
        assert!(Instant::now() < deadline, "no {what} within 5 minutes");
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
}

/// Append the first half of `line` (a record the journal does not hold yet) and `tail`, as a
/// kill in the middle of a write or a power loss leaves a journal.
fn tear(path: &Path, line: &str, tail: &[u8]) {
    let mut f = std::fs::OpenOptions::new().append(true).open(path).unwrap();
    f.write_all(&line.as_bytes()[..line.len() / 2]).unwrap();
    f.write_all(tail).unwrap();
}

/// The first line of `reference` whose task the journal at `path` does not hold.
fn missing_line(reference: &Path, path: &Path) -> String {
    let held: Vec<serde_json::Value> =
        whole_lines(path).iter().map(|l| serde_json::from_str(l).unwrap()).collect();
    whole_lines(reference)
        .into_iter()
        .find(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            !held.iter().any(|h| h["task_id"] == v["task_id"])
        })
        .expect("a record the journal lacks")
}

#[test]
fn kill_9_at_chosen_moments_and_torn_lines_then_resume_equals_an_uninterrupted_run() {
    let _model = default_model_present();
    let tmp = tempfile::tempdir().unwrap();
    let clean = tmp.path().join("clean");
    run_ok(&mut model_run(&clean));
    let reference = verdicts(&clean);
    assert_eq!(reference.len(), N_KILL);

    let dir = tmp.path().join("killed");
    let (samples, results) = (dir.join("samples.jsonl"), dir.join("results.jsonl"));
    let mut before = Vec::new(); // the journals' whole lines at each kill

    // 1. A generation in flight: the first sample is journaled, the second is being decoded.
    kill_when(&mut model_run(&dir), &dir, "a first sample", |d| {
        !whole_lines(&d.join("samples.jsonl")).is_empty()
    });
    assert!(whole_lines(&samples).len() < N_KILL && whole_lines(&results).is_empty());
    before.push((whole_lines(&samples), whole_lines(&results)));
    // A kill in the middle of writing the next sample: half its line, no newline.
    tear(&samples, &missing_line(&clean.join("samples.jsonl"), &samples), b"");

    // 2. A batch half executed: some verdicts journaled, not all.
    kill_when(model_run(&dir).arg("--resume"), &dir, "a first verdict", |d| {
        !whole_lines(&d.join("results.jsonl")).is_empty()
    });
    let judged = whole_lines(&results).len();
    assert!(judged < N_KILL, "the kill came after the last verdict ({judged})");
    before.push((whole_lines(&samples), whole_lines(&results)));
    // A power loss in the middle of writing the next verdict: half its line, then the zeros a
    // file system leaves where the data never reached the disk.
    tear(&results, &missing_line(&clean.join("results.jsonl"), &results), &[0; 300]);

    // 3. Resumed to the end.
    let out = run_ok(model_run(&dir).arg("--resume"));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("torn last record"), "the torn line was not noticed:\n{stderr}");
    assert_clean_journal(&samples);
    let after = (whole_lines(&samples), whole_lines(&results));
    assert_eq!(after.0.len(), N_KILL, "a finished generation was redone or lost");
    // Append only: whatever a kill left journaled is still there, unchanged.
    for (s, r) in &before {
        assert_eq!(&after.0[..s.len()], &s[..]);
        assert_eq!(&after.1[..r.len()], &r[..]);
    }
    assert_eq!(verdicts(&dir), reference, "the resumed run differs from the uninterrupted one");
}

// ---------------------------------------------------------------------------------------------
// Full disk, read-only and removed output directories, with `evalrun score`

/// The canonical solutions of the first `n` HumanEval tasks, as a samples file.
fn canonical_samples(dir: &Path, n: usize) -> PathBuf {
    let path = dir.join("samples.jsonl");
    let rows: Vec<_> = humaneval().into_iter().take(n).map(|t| (t.id, t.reference)).collect();
    write_samples(&path, &rows);
    path
}

fn score(samples: &Path, out: &Path) -> Command {
    let mut cmd = evalrun();
    cmd.args(["score", "--suite", "humaneval", "--workers", "1", "--progress", "none", "--samples-file"])
        .arg(samples)
        .arg("--out")
        .arg(out);
    cmd
}

/// A tmpfs mounted for the test, unmounted when dropped.
struct Tmpfs(PathBuf);

impl Tmpfs {
    /// None (and why) when the system does not let this process mount one.
    fn mount(at: &Path, options: &str) -> Result<Tmpfs, String> {
        std::fs::create_dir_all(at).unwrap();
        let out = Command::new("mount").args(["-t", "tmpfs", "-o", options, "tmpfs"]).arg(at).output();
        match out {
            Ok(o) if o.status.success() => Ok(Tmpfs(at.to_path_buf())),
            Ok(o) => Err(text(&o.stderr).trim().to_string()),
            Err(e) => Err(format!("mount: {e}")),
        }
    }

    fn remount(&self, options: &str) {
        let o =
            Command::new("mount").args(["-o", &format!("remount,{options}")]).arg(&self.0).output().unwrap();
        assert!(o.status.success(), "remount {options}: {}", text(&o.stderr));
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

fn failed(out: &Output) -> String {
    assert_eq!(out.status.code(), Some(2), "stdout:\n{}\nstderr:\n{}", text(&out.stdout), text(&out.stderr));
    text(&out.stderr)
}

#[test]
fn a_full_disk_then_a_read_only_one_then_space_freed_and_resume_finishes() {
    let tmp = tempfile::tempdir().unwrap();
    let samples = canonical_samples(tmp.path(), 60);
    let reference_dir = tmp.path().join("reference");
    run_ok(&mut score(&samples, &reference_dir));
    let reference = verdicts(&reference_dir);
    assert_eq!(reference.len(), 60);

    // 20 KiB: the manifest fits, about half the verdicts do.
    let disk = match Tmpfs::mount(&tmp.path().join("disk"), "size=20k") {
        Ok(disk) => disk,
        Err(why) => {
            eprintln!("skipped: this system refuses to mount a tmpfs ({why}); the full disk needs one");
            return;
        }
    };
    let out = disk.0.join("run");
    let results = out.join("results.jsonl");
    let stderr = failed(&score(&samples, &out).output().unwrap());
    assert!(
        stderr.contains(&format!("{}: No space left on device", results.display())),
        "the error does not name the journal:\n{stderr}"
    );
    assert_eq!(stderr.matches("No space left").count(), 1, "said twice:\n{stderr}");
    // The verdicts that fit are whole lines, and none is half written.
    let kept = whole_lines(&results);
    assert_eq!(assert_clean_journal(&results).len(), kept.len());
    assert!(!kept.is_empty() && kept.len() < 60, "{} verdicts fit", kept.len());

    // A read-only output directory: refused, naming the journal, nothing changed.
    disk.remount("ro");
    let stderr = failed(score(&samples, &out).arg("--resume").output().as_ref().unwrap());
    assert!(stderr.contains(&results.display().to_string()) && stderr.contains("Read-only"), "{stderr}");
    let stderr = failed(&score(&samples, &disk.0.join("new")).output().unwrap());
    assert!(
        stderr.contains(&disk.0.join("new").display().to_string()) && stderr.contains("Read-only"),
        "{stderr}"
    );
    assert_eq!(whole_lines(&results), kept);

    // Space freed: the resumed run finishes, judging only what was missing.
    disk.remount("rw,size=4m");
    run_ok(score(&samples, &out).arg("--resume"));
    assert_eq!(verdicts(&out), reference);
    assert_eq!(whole_lines(&results)[..kept.len()], kept[..]);
}

#[test]
fn an_output_directory_removed_mid_run_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let samples = canonical_samples(tmp.path(), 60);
    let out = tmp.path().join("run");
    let mut child = score(&samples, &out).stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    while whole_lines(&out.join("results.jsonl")).is_empty() {
        assert!(child.try_wait().unwrap().is_none(), "the run ended before its directory was removed");
        assert!(Instant::now() < deadline, "no verdict within 2 minutes");
        std::thread::sleep(Duration::from_millis(5));
    }
    std::fs::remove_dir_all(&out).unwrap();
    let output = child.wait_with_output().unwrap();
    let stderr = failed(&output);
    assert!(
        stderr.contains(&format!(
            "{}: the file was deleted while the run was writing it",
            out.join("results.jsonl").display()
        )),
        "{stderr}"
    );
    assert!(!out.exists(), "the run wrote into a directory of its own making");
}

// ---------------------------------------------------------------------------------------------
// Server faults for the `openai` backend

/// `llama-server` (built by scripts/build-peers.sh) serving the default model, killed when
/// dropped; None when it is not built (and EVALRUN_REQUIRE_PEERS is not set).
struct LlamaServer {
    child: Child,
    addr: String,
}

impl LlamaServer {
    fn start(model: &Path, log: &Path) -> Option<LlamaServer> {
        let binary = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/peers/build/bin/llama-server");
        if !binary.exists() {
            assert!(
                std::env::var_os("EVALRUN_REQUIRE_PEERS").is_none(),
                "EVALRUN_REQUIRE_PEERS is set but {} is missing: run scripts/build-peers.sh",
                binary.display()
            );
            eprintln!("skipped: {} is not built (scripts/build-peers.sh)", binary.display());
            return None;
        }
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).to_string();
        let child = Command::new(&binary)
            .env("LD_LIBRARY_PATH", binary.parent().unwrap())
            .arg("-m")
            .arg(model)
            .args(["--alias", MODEL, "--host", "127.0.0.1", "--port", &port.to_string()])
            .args(["-np", "1", "-c", "2048", "-t", &threads, "-tb", &threads, "--no-webui"])
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(log).unwrap())
            .spawn()
            .unwrap();
        let mut server = LlamaServer { child, addr: format!("127.0.0.1:{port}") };
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            if let Some(status) = server.child.try_wait().unwrap() {
                panic!(
                    "llama-server exited ({status}):\n{}",
                    std::fs::read_to_string(log).unwrap_or_default()
                );
            }
            let health =
                ureq::get(&format!("http://{}/health", server.addr)).timeout(Duration::from_secs(5)).call();
            if health.is_ok_and(|r| r.status() == 200) {
                return Some(server);
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

fn config(url: &str) -> OpenAiConfig {
    let mut config = OpenAiConfig::new(url, MODEL);
    config.concurrency = 1;
    config.retry = RetryPolicy {
        max_retries: 2,
        initial_backoff: Duration::from_millis(100),
        max_backoff: Duration::from_secs(3),
    };
    // Well above a token's time on a busy 2-core machine, well below the stalls.
    config.read_timeout = Duration::from_secs(8);
    config
}

fn ask(backend: &mut OpenAiBackend) -> Result<String, String> {
    let request = GenerationRequest {
        prompt: Prompt::Chat {
            messages: vec![ChatMessage::new("user", "Write a Python function that returns the square of x.")],
            assistant_prefix: String::new(),
        },
        stop: Vec::new(),
        sampling: SamplingParams { max_tokens: 8, ..SamplingParams::default() },
    };
    backend.generate(&request, &mut |_| ControlFlow::Continue(())).map(|g| g.text).map_err(|e| e.to_string())
}

/// Each fault, one request at a time, through the backend itself: what it ends in, how many
/// requests it took and how long.
#[test]
fn server_faults_end_in_a_retried_success_or_a_clear_error() {
    let model = default_model_present();
    let tmp = tempfile::tempdir().unwrap();
    let Some(server) = LlamaServer::start(&model.path, &tmp.path().join("server.log")) else { return };

    // Connection refused: nothing listens on the port for 1.5 s, then the proxy does.
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let started = Instant::now();
    let proxy = FaultProxy::start(&server.addr, port, Some(Duration::from_millis(1500)));
    let mut late = config(&proxy.url());
    late.retry.max_retries = 6;
    OpenAiBackend::connect(late).expect("connect retries until the server listens");
    assert!(started.elapsed() >= Duration::from_millis(1500));
    let mut backend = OpenAiBackend::connect(config(&proxy.url())).unwrap();
    // ... and for good: a clear error naming the server, after the retries, in bounded time.
    let nowhere = format!(
        "http://127.0.0.1:{}/v1",
        TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
    );
    let started = Instant::now();
    let err = OpenAiBackend::connect(config(&nowhere)).err().unwrap().to_string();
    assert!(err.contains(&nowhere) && err.contains("gave up after 3 attempts"), "{err}");
    assert!(err.to_lowercase().contains("refused"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(5));

    let clean = ask(&mut backend).unwrap();
    assert!(!clean.is_empty());
    let stall = Duration::from_secs(12); // past the 8 s timeout
                                         // (name, the faults met, what it ends in: Ok, or an error containing this, requests made)
    type Case = (&'static str, Vec<Fault>, Result<(), &'static str>, usize);
    let cases: Vec<Case> = vec![
        ("500", vec![Fault::Status(500, None)], Ok(()), 2),
        ("500 for good", vec![Fault::Status(500, None); 3], Err("HTTP 500"), 3),
        ("429 Retry-After", vec![Fault::Status(429, Some(1))], Ok(()), 2),
        (
            "stream cut mid-event",
            vec![Fault::CutMidEvent],
            Err("the stream broke off in the middle of an event"),
            1,
        ),
        ("malformed SSE", vec![Fault::Malformed], Err("malformed stream chunk"), 1),
        ("stall before answering", vec![Fault::Stall(stall)], Ok(()), 2),
        ("stall mid-stream", vec![Fault::StallMidStream(stall)], Err("reading the stream"), 1),
    ];
    for (name, faults, expected, requests) in cases {
        proxy.met.lock().unwrap().clear();
        proxy.script(&faults);
        let started = Instant::now();
        let got = ask(&mut backend);
        let took = started.elapsed();
        eprintln!("{name}: {:?} in {took:?}: {got:?}", proxy.met.lock().unwrap());
        assert_eq!(proxy.posts(), requests, "{name}: requests made");
        match (expected, &got) {
            (Ok(()), Ok(text)) => assert_eq!(text, &clean, "{name}: a retried answer differs"),
            (Err(needle), Err(e)) => {
                assert!(e.contains(&proxy.url()) && e.contains(needle), "{name}: unclear error: {e}")
            }
            _ => panic!("{name}: expected {expected:?}, got {got:?}"),
        }
        // Retry-After is honoured (the backoff alone would be 0.1 s); nothing waits for the
        // stalled server longer than the timeout and the retries' backoff.
        if name == "429 Retry-After" {
            assert!(took >= Duration::from_secs(1), "{name}: retried after {took:?}");
        }
        assert!(took < Duration::from_secs(40), "{name}: took {took:?}");
    }
}

/// A whole `evalrun run` through the proxy, one fault per request: every sample gets a row,
/// the retried ones their answer, the others an error naming the server, and the run goes on.
#[test]
fn a_run_through_server_faults_goes_on_and_loses_no_sample() {
    let model = default_model_present();
    let tmp = tempfile::tempdir().unwrap();
    let Some(server) = LlamaServer::start(&model.path, &tmp.path().join("server.log")) else { return };
    let proxy = FaultProxy::start(&server.addr, 0, None);
    let stall = Duration::from_secs(20);
    // One request at a time: each sample meets its faults in turn (in whatever order the run
    // asks for them).
    // (The library test above meets every fault class; this one, four, over a whole run.)
    proxy.script(&[
        Fault::Status(429, Some(1)),
        Fault::Pass,        // retried
        Fault::CutMidEvent, // an error
        Fault::Malformed,   // an error
        Fault::Stall(stall),
        Fault::Pass, // retried
    ]);
    let tasks = "HumanEval/2,HumanEval/7,HumanEval/23,HumanEval/28";
    let out = tmp.path().join("run");
    let started = Instant::now();
    run_ok(
        evalrun()
            .args([
                "run",
                "--models",
                MODEL,
                "--backends",
                "openai",
                "--suite",
                "humaneval",
                "--task-ids",
                tasks,
            ])
            .args(["--openai-base-url", &proxy.url(), "--openai-concurrency", "1", "--openai-retries", "2"])
            .args(["--openai-timeout", "15", "--max-tokens", "24", "--progress", "none", "--out"])
            .arg(&out),
    );
    assert!(started.elapsed() < Duration::from_secs(180), "took {:?}", started.elapsed());
    let rows = assert_clean_journal(&out.join("results.jsonl"));
    let details: Vec<String> =
        rows.iter().map(|r| r["verdict"]["detail"].as_str().unwrap_or_default().to_string()).collect();
    assert_eq!(proxy.posts(), 6, "{:?}\n{details:#?}", proxy.met.lock().unwrap());
    assert_eq!(rows.len(), 4, "a sample was lost");
    let mut errors: Vec<&str> = Vec::new();
    for (row, detail) in rows.iter().zip(&details) {
        if detail.contains("generation failed") {
            assert!(detail.contains(&proxy.url()), "the error does not name the server: {row}");
            assert_eq!(row["status"], "failed", "{row}");
            let kind = ["broke off in the middle of an event", "malformed stream chunk"]
                .into_iter()
                .find(|k| detail.contains(k))
                .unwrap_or_else(|| panic!("unclear error: {detail}"));
            errors.push(kind);
        } else {
            assert!(row["generation"]["generated_tokens"].as_u64().unwrap() > 0, "{row}");
        }
    }
    errors.sort();
    assert_eq!(errors, ["broke off in the middle of an event", "malformed stream chunk"], "{details:#?}");
}
