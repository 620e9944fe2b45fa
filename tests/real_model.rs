//! End to end with the real 0.5B coder (fetched by scripts/test.sh): generation with llama.cpp,
//! extraction, sandboxed verdicts, reports, determinism of greedy runs, and `--resume` after the
//! run is killed with SIGKILL in the middle.

mod common;

use common::*;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const MODEL: &str = "qwen2.5-coder-0.5b-instruct-q4_k_m";
const TASKS: usize = 4;

/// One sequence at a time: a resumed run then decodes what is left exactly as the clean run did
/// (with several slots the batches it shares would differ, and with them the rounding).
fn run_cmd(out: &Path) -> Command {
    run_with_slots(out, 1)
}

fn run_with_slots(out: &Path, slots: usize) -> Command {
    let mut cmd = evalrun();
    cmd.args(["run", "--models", MODEL, "--suite", "humaneval", "--limit", &TASKS.to_string()])
        .args(["--max-tokens", "384", "--slots", &slots.to_string(), "--out"])
        .arg(out);
    cmd
}

fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path).map(|t| t.lines().map(String::from).collect()).unwrap_or_default()
}

/// task id -> (completion, passed, result)
fn outcomes(dir: &Path) -> BTreeMap<String, (String, bool, String)> {
    read_jsonl(&dir.join("results.jsonl"))
        .into_iter()
        .map(|r| {
            let id = r["task_id"].as_str().unwrap().to_string();
            (
                id,
                (
                    r["completion"].as_str().unwrap().into(),
                    r["passed"].as_bool().unwrap(),
                    r["result"].as_str().unwrap().into(),
                ),
            )
        })
        .collect()
}

#[test]
fn real_model_runs_end_to_end_deterministically_and_resumes_after_kill() {
    let model = default_model_present();
    let model_path = &model.path;
    let tmp = tempfile::tempdir().unwrap();

    // 1. A clean run.
    let clean = tmp.path().join("clean");
    run_ok(&mut run_cmd(&clean));
    let rows = read_jsonl(&clean.join("results.jsonl"));
    assert_eq!(rows.len(), TASKS);
    for r in &rows {
        let g = &r["generation"];
        assert!(g["prompt_tokens"].as_u64().unwrap() > 50, "{r}");
        assert!(g["generated_tokens"].as_u64().unwrap() > 0, "{r}");
        for field in ["ttft_s", "prompt_tokens_per_s", "gen_tokens_per_s", "total_s"] {
            assert!(g[field].as_f64().unwrap() > 0.0, "{field} in {r}");
        }
        assert!(g["peak_rss_bytes"].as_u64().unwrap() > 100 << 20, "{r}");
        assert!(r["raw"].as_str().is_some() && r["verdict"]["exec_s"].as_f64().is_some(), "{r}");
        assert_eq!(r["model"], MODEL);
        assert_eq!(r["backend"], "llamacpp");
    }
    // A real coder solves some of the first HumanEval tasks (it solves most of them).
    assert!(rows.iter().any(|r| r["passed"] == true), "no task passed: {rows:?}");

    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(clean.join("manifest.json")).unwrap()).unwrap();
    let m = &manifest["models"][0];
    assert_eq!(m["sha256"], "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32");
    assert_eq!(m["file"], model_path.display().to_string());
    assert!(m["backend_version"].as_str().unwrap().contains("llama-cpp-2"));
    assert!(m["chat_template"].as_str().unwrap().contains("<|im_start|>"));
    assert_eq!(m["prompt_template"]["name"], "evalplus-instruct-v2");
    assert_eq!(manifest["sampling"]["temperature"], 0.0);
    assert_eq!(manifest["sampling"]["seed"], 1234);
    assert!(manifest["corpus_version"].as_str().unwrap().starts_with("humaneval@2-"));
    assert_eq!(manifest["tasks"].as_array().unwrap().len(), TASKS);
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(clean.join("summary.json")).unwrap()).unwrap();
    let passed = rows.iter().filter(|r| r["passed"] == true).count() as f64;
    let pass1 = summary["models"][0]["pass_at_k"]["pass@1"].as_f64().unwrap();
    assert!((pass1 - passed / TASKS as f64).abs() < 1e-12);

    // 2. The same run, killed with SIGKILL once the first sample is journaled (execution waits
    // for generation, so it has no verdict yet), then resumed.
    let killed = tmp.path().join("killed");
    let mut child = run_cmd(&killed).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(1200);
    while lines(&killed.join("samples.jsonl")).is_empty() {
        assert!(Instant::now() < deadline, "no sample within 20 minutes");
        assert!(child.try_wait().unwrap().is_none(), "run ended before it could be killed");
        std::thread::sleep(Duration::from_millis(50));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let results_before = lines(&killed.join("results.jsonl"));
    let samples_before = lines(&killed.join("samples.jsonl"));
    assert!(samples_before.len() < TASKS, "the run finished before the kill");

    // Without --resume the directory is refused, so nothing is mixed up by mistake.
    let refused = run_cmd(&killed).output().unwrap();
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--resume"));

    run_ok(run_cmd(&killed).arg("--resume"));
    let results_after = lines(&killed.join("results.jsonl"));
    let samples_after = lines(&killed.join("samples.jsonl"));
    // Nothing that finished was redone or lost: the journals grew by appending only.
    assert_eq!(&results_after[..results_before.len()], &results_before[..]);
    assert_eq!(&samples_after[..samples_before.len()], &samples_before[..]);
    assert_eq!(results_after.len(), TASKS);
    assert_eq!(samples_after.len(), TASKS, "a finished generation was redone");

    // 3. Greedy decoding is deterministic: the interrupted run matches the clean one.
    assert_eq!(outcomes(&killed), outcomes(&clean));
}

#[test]
fn several_slots_give_the_same_completions_run_after_run() {
    let _model = default_model_present();
    let tmp = tempfile::tempdir().unwrap();
    let (first, second) = (tmp.path().join("first"), tmp.path().join("second"));
    run_ok(&mut run_with_slots(&first, 3));
    run_ok(&mut run_with_slots(&second, 3));
    assert_eq!(outcomes(&first).len(), TASKS);
    assert_eq!(outcomes(&first), outcomes(&second));
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(first.join("manifest.json")).unwrap()).unwrap();
    let m = &manifest["models"][0];
    assert_eq!(m["slots"], serde_json::json!({"slots": 3, "source": "flag"}));
    assert!(m["compute_features"].as_str().is_some_and(|f| f.contains("CPU")), "{m}");
    // Samples are journaled as they finish, each under its key: every task once.
    let mut ids: Vec<String> = read_jsonl(&first.join("samples.jsonl"))
        .iter()
        .map(|r| r["task_id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), TASKS);
}
