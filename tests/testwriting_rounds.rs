//! Feedback rounds of test-writing (`run --rounds K`) with the real 0.5B coder on one task:
//! every round journaled with its figures, the final suite judged as a single-shot sample is,
//! and a finished run resumed without generating anything.

mod common;

use common::*;
use std::path::Path;
use std::process::Command;

const MODEL: &str = "qwen2.5-coder-0.5b-instruct-q4_k_m";
const TASK: &str = "testwriting/lru_cache";

/// One task (the suite's first), 2 rounds, short answers, one sequence at a time.
fn rounds_cmd(out: &Path, rounds: u32) -> Command {
    let mut cmd = evalrun();
    cmd.args(["run", "--models", MODEL, "--suite", "evalrun-testwriting", "--limit", "1"])
        .args(["--rounds", &rounds.to_string(), "--max-tokens", "320", "--slots", "1", "--timeout", "10"])
        .arg("--out")
        .arg(out);
    cmd
}

fn text(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

#[test]
fn feedback_rounds_are_journaled_judged_and_resumed() {
    let _model = default_model_present();
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("rounds");
    run_ok(&mut rounds_cmd(&out, 2));

    let rounds = read_jsonl(&out.join("rounds.jsonl"));
    assert!(!rounds.is_empty(), "no round journaled");
    for (n, row) in rounds.iter().enumerate() {
        assert_eq!(row["round"], n as u64 + 1, "{row}");
        assert!(row["task_id"] == TASK && row["model"] == MODEL && row["sample"] == 0, "{row}");
        for figure in evalrun_core::summary::metric::TEST_WRITING {
            assert!(row["metrics"][figure].as_f64().is_some(), "{figure} missing in {row}");
        }
        assert!(row["generated_tokens"].as_u64().unwrap_or(0) > 0, "{row}");
        // Only the last round says why the rounds ended.
        assert_eq!(row["stopped"].is_string(), n + 1 == rounds.len(), "{row}");
    }
    let last = &rounds[rounds.len() - 1];
    // Two rounds ran, unless the first already covered everything and killed every mutant.
    assert!(rounds.len() == 2 || last["stopped"] == "complete", "{rounds:?}");
    if rounds.len() == 2 {
        // The second round's suite holds every test the first kept.
        let kept_before = rounds[0]["metrics"]["tests_kept"].as_f64().unwrap_or(0.0);
        assert!(last["metrics"]["tests_written"].as_f64().unwrap_or(0.0) >= kept_before, "{rounds:?}");
    }

    // The final suite went down the normal path: one sample, judged, with the last round's figures.
    let samples = read_jsonl(&out.join("samples.jsonl"));
    assert_eq!(samples.len(), 1, "{samples:?}");
    assert_eq!(samples[0]["completion"], last["completion"]);
    let results = read_jsonl(&out.join("results.jsonl"));
    assert_eq!(results.len(), 1, "{results:?}");
    assert_eq!(results[0]["completion"], last["completion"]);
    assert_eq!(results[0]["metrics"], last["metrics"], "results.jsonl and the last round disagree");
    assert_eq!(results[0]["passed"], last["metrics"]["valid"] == 1.0);
    // Its generation adds up the rounds.
    let tokens: u64 = rounds.iter().map(|r| r["generated_tokens"].as_u64().unwrap_or(0)).sum();
    assert_eq!(results[0]["generation"]["generated_tokens"], tokens);

    let manifest: serde_json::Value =
        serde_json::from_str(&text(&out.join("manifest.json"))).expect("manifest.json");
    assert_eq!(manifest["rounds"], 2);
    // --max-tokens wins over the task's own budget, and the manifest says what the task got.
    assert_eq!(manifest["token_budgets"][TASK], 320);

    // A finished run resumed regenerates nothing and rejudges nothing.
    let journals = ["samples.jsonl", "results.jsonl", "rounds.jsonl"].map(|f| text(&out.join(f)));
    let resumed = run_ok(rounds_cmd(&out, 2).arg("--resume"));
    let stderr = String::from_utf8_lossy(&resumed.stderr);
    assert!(!stderr.contains("loading"), "the model was loaded again:\n{stderr}");
    assert_eq!(["samples.jsonl", "results.jsonl", "rounds.jsonl"].map(|f| text(&out.join(f))), journals);

    // Resuming with other rounds would mix two runs: refused.
    let refused = rounds_cmd(&out, 3).arg("--resume").output().expect("evalrun starts");
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("--rounds"), "{stderr}");
}
