//! `evalrun report`, `compare` and `gate` on test-writing runs (issue 12), through the binary:
//! run directories written here with the result rows and feedback rounds that per-test scoring
//! and `--rounds` journal (no model runs), and every report checked for the figures of the kept
//! tests and for what the rounds bought.

mod common;

use common::*;
use evalrun_core::{RoundRecord, SampleRecord, Status, TaskKind, Verdict};
use serde_json::Value;
use std::path::{Path, PathBuf};

const MODEL: &str = "qwen2.5-coder-1.5b-instruct-q4_k_m";
const TASKS: usize = 16;

/// A test-writing row: `kept` of `kept + 2` tests kept, with the kept tests' figures.
fn row(task: usize, kept: f64, line: f64, mutation: f64) -> SampleRecord {
    let status = if kept > 0.0 { Status::Passed } else { Status::Failed };
    let verdict = Verdict { status, detail: String::new(), exception: None, exec_s: 1.5 };
    SampleRecord {
        task_id: format!("tw/{task}"),
        suite: "testwriting".into(),
        kind: TaskKind::TestWriting,
        completion: "def test_it():\n    assert True\n".into(),
        passed: verdict.passed(),
        result: verdict.human_eval_result(),
        model: MODEL.into(),
        backend: "llamacpp".into(),
        status,
        verdict,
        metrics: [
            ("valid", if kept > 0.0 { 1.0 } else { 0.0 }),
            ("tests_written", kept + 2.0),
            ("tests_kept", kept),
            ("line_coverage", line),
            ("branch_coverage", line / 2.0),
            ("mutation_score", mutation),
        ]
        .iter()
        .map(|&(k, v)| (k.to_string(), v))
        .collect(),
        ..SampleRecord::default()
    }
}

fn round(task: usize, n: u32, kept: f64, line: f64, mutation: f64, stopped: Option<&str>) -> RoundRecord {
    RoundRecord {
        task_id: format!("tw/{task}"),
        model: MODEL.into(),
        backend: "llamacpp".into(),
        round: n,
        completion: "def test_it():\n    assert True\n".into(),
        metrics: [("tests_kept", kept), ("line_coverage", line), ("mutation_score", mutation)]
            .iter()
            .map(|&(k, v)| (k.to_string(), v))
            .collect(),
        stopped: stopped.map(String::from),
        ..RoundRecord::default()
    }
}

fn write_jsonl<T: serde::Serialize>(path: &Path, rows: &[T]) {
    let text: String = rows.iter().map(|r| serde_json::to_string(r).unwrap() + "\n").collect();
    std::fs::write(path, text).unwrap();
}

/// A run of `TASKS` test-writing tasks, each with 3 kept tests, 60% line coverage and the mutation
/// score `mutation(i)`; with `rounds`, its `rounds.jsonl`.
fn write_run(dir: &Path, mutation: impl Fn(usize) -> f64, rounds: &[RoundRecord]) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let rows: Vec<SampleRecord> = (0..TASKS).map(|i| row(i, 3.0, 0.6, mutation(i))).collect();
    write_jsonl(&dir.join("results.jsonl"), &rows);
    if !rounds.is_empty() {
        write_jsonl(&dir.join("rounds.jsonl"), rounds);
    }
    dir.to_path_buf()
}

#[test]
fn report_shows_kept_tests_and_what_feedback_bought() {
    let tmp = tempfile::tempdir().unwrap();
    // Two rounds for every task: round 1 kept 1 test at 30% coverage; round 2 reached the final
    // figures on even tasks, while odd tasks stopped after round 1 (their final rows are the same
    // figures as round 2's for the sake of the check: carried forward).
    let mut rounds = Vec::new();
    for i in 0..TASKS {
        if i % 2 == 0 {
            rounds.push(round(i, 1, 1.0, 0.3, 0.2, None));
            rounds.push(round(i, 2, 3.0, 0.6, 0.5, Some("rounds")));
        } else {
            rounds.push(round(i, 1, 3.0, 0.6, 0.5, Some("no improvement")));
        }
    }
    let run = write_run(&tmp.path().join("tw3"), |_| 0.5, &rounds);
    let out_dir = tmp.path().join("report");
    let out = evalrun_output(&["report", "--out"], &[&out_dir, &run]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains("; test-writing 100.0% valid · kept 48/80 · lines 60% · mutants 50%"),
        "{stdout}"
    );
    assert!(stdout.contains(&format!("**What feedback bought: {MODEL}**: 16 samples;")), "{stdout}");
    assert!(stdout.contains("Loops ended: 8 no improvement, 8 rounds."), "{stdout}");
    // Round 1: (8 x 1 + 8 x 3) / 16 kept; round 2: 8 ran and improved, the rest carried.
    assert!(stdout.contains("| 1 | 16 | — | 2.0 | 45.0% | — | 35.0% |"), "{stdout}");
    assert!(stdout.contains("| 2 | 8 | 8 | 3.0 | 60.0% | — | 50.0% |"), "{stdout}");

    let board: Value =
        serde_json::from_str(&std::fs::read_to_string(out_dir.join("leaderboard.json")).unwrap()).unwrap();
    let e = &board["entries"][0];
    let tw = &e["test_writing"];
    assert_eq!((tw["tasks"].as_u64(), tw["pass_at_1"].as_f64()), (Some(16), Some(1.0)));
    assert_eq!((tw["tests_kept"].as_f64(), tw["tests_kept_total"].as_u64()), (Some(3.0), Some(48)));
    assert_eq!(tw["tests_written_total"].as_u64(), Some(80));
    assert_eq!(e["feedback"]["rounds"][1]["running"].as_u64(), Some(8));
    assert_eq!(e["task_outcomes"][0]["metrics"]["tests_kept"].as_f64(), Some(3.0));
    let md = std::fs::read_to_string(out_dir.join("leaderboard.md")).unwrap();
    assert!(md.contains("### What feedback bought"), "{md}");
    let html = std::fs::read_to_string(out_dir.join("index.html")).unwrap();
    assert!(html.contains("<h2>What feedback bought</h2>"), "{html}");
    let csv = std::fs::read_to_string(out_dir.join("leaderboard.csv")).unwrap();
    assert!(csv
        .lines()
        .next()
        .unwrap()
        .contains(",tests_written,tests_kept,tests_written_total,tests_kept_total,"));
}

#[test]
fn gate_and_compare_pair_the_kept_tests_figures() {
    let tmp = tempfile::tempdir().unwrap();
    let baseline = write_run(&tmp.path().join("base"), |_| 0.5, &[]);
    // Mutation score down 30 points on 12 of 16 tasks: real.
    let worse = write_run(&tmp.path().join("worse"), |i| if i < 12 { 0.2 } else { 0.5 }, &[]);
    // Down 50 points on one task: noise.
    let one = write_run(&tmp.path().join("one"), |i| if i == 5 { 0.0 } else { 0.5 }, &[]);

    let out = evalrun_output(&["gate", "--baseline"], &[&baseline, Path::new("--candidate"), &worse]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("pass@1     100.0% -> 100.0%"), "{stdout}");
    assert!(stdout.contains("  mutation   50.0% -> 27.5%  (-22.5 points; allowed drop 0.0)"), "{stdout}");
    assert!(stdout.contains("16 common tasks: 12 worse, 0 better, 4 unchanged"), "{stdout}");
    assert!(
        stdout.contains("exact Wilcoxon signed-rank test: p = 4.9e-4 < 0.05: the drop is real => REGRESSED"),
        "{stdout}"
    );
    assert!(stdout.lines().count() <= 30, "one screen:\n{stdout}");

    let out = evalrun_output(&["gate", "--baseline"], &[&baseline, Path::new("--candidate"), &one]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("p = 1.000 >= 0.05: the drop is within noise => holds"), "{stdout}");

    let out = evalrun_output(&["compare"], &[&baseline, &worse]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("  test-writing (16 tasks)"), "{stdout}");
    assert!(
        stdout.contains("  tests kept                              3.0          3.0         +0.0\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("  mutation score                        50.0%        27.5%    -22.5 pts\n"),
        "{stdout}"
    );
}
