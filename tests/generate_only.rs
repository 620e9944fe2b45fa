//! `run --generate-only` journals samples and executes none (for a GPU machine, where untrusted
//! code should not run); the same command with `--resume` executes exactly what was generated.

mod common;

use common::*;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

const MODEL: &str = "qwen2.5-coder-0.5b-instruct-q4_k_m";

fn run_cmd(out: &Path, extra: &[&str]) -> Command {
    let mut cmd = evalrun();
    cmd.args(["run", "--models", MODEL, "--suite", "humaneval", "--limit", "3", "--max-tokens", "128"])
        .args(["--slots", "1", "--progress", "none"])
        .args(extra)
        .arg("--out")
        .arg(out);
    cmd
}

fn manifest(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap()
}

#[test]
fn generated_samples_are_executed_by_a_later_resume() {
    let _model = default_model_present();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");

    let generated = run_ok(&mut run_cmd(&dir, &["--generate-only"]));
    let stderr = text(&generated.stderr);
    assert!(stderr.contains("generated 3 samples") && stderr.contains("executed none"), "{stderr}");
    let samples = read_jsonl(&dir.join("samples.jsonl"));
    assert_eq!(samples.len(), 3);
    let results = dir.join("results.jsonl");
    assert!(!results.exists() || std::fs::read_to_string(&results).unwrap().is_empty(), "nothing executed");
    assert!(!dir.join("summary.json").exists(), "nothing scored");
    let m = manifest(&dir);
    assert!(m.get("sandbox").is_none(), "no sandbox ran: {m}");
    assert!(m["models"][0]["backend_version"].is_string(), "the generating backend is recorded: {m}");

    let executed = run_ok(&mut run_cmd(&dir, &["--resume"]));
    let results = read_jsonl(&results);
    assert_eq!(results.len(), 3, "{}", text(&executed.stderr));
    // What executed is what was generated, untouched: nothing was generated again.
    let completion_of = |rows: &[serde_json::Value]| -> BTreeMap<String, String> {
        rows.iter()
            .map(|r| {
                (r["task_id"].as_str().unwrap().to_string(), r["completion"].as_str().unwrap().to_string())
            })
            .collect()
    };
    assert_eq!(completion_of(&results), completion_of(&samples));
    assert_eq!(read_jsonl(&dir.join("samples.jsonl")).len(), 3);
    assert!(results.iter().all(|r| r["status"].is_string() && r["passed"].is_boolean()));
    let m = manifest(&dir);
    assert!(m["sandbox"].is_object(), "the executing sandbox is recorded: {m}");
    // The same machine generated and executed: no second machine recorded.
    assert!(m.get("executed_on").is_none(), "{m}");
    assert!(dir.join("summary.json").exists());
}

#[test]
fn feedback_rounds_cannot_be_generated_without_executing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = evalrun()
        .args(["run", "--models", MODEL, "--suite", "evalrun-testwriting", "--limit", "1", "--rounds", "2"])
        .args(["--generate-only", "--out"])
        .arg(tmp.path().join("run"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(stderr.contains("--generate-only cannot take --rounds above 1"), "{stderr}");
}
