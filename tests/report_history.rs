//! `evalrun report --history DIR` and `evalrun gate --history DIR` on real runs: three
//! `evalrun score` runs of one "model" (a HumanEval samples file of the same name, with more
//! solutions broken each time, judged in the sandbox), added as a CI job on `main` adds them:
//! run, gate against the previous run, report with the history. Checked: the points and verdicts
//! in `history.jsonl` against the runs' own files, that adding a run or a verdict again adds
//! nothing, that a malformed line is named and loses nothing, and the page: one row and one
//! point per run, the failed gate marked.

mod common;

use common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Tasks of every run.
const TASKS: usize = 20;
/// The samples files' stem: the model id of every run, so the runs form one series.
const MODEL: &str = "ci-model";

struct Fixture {
    dir: tempfile::TempDir,
    /// In the order they were made: every task solved; tasks 3 and 11 broken (a drop 20 tasks
    /// cannot tell from noise: the gate holds); every other task broken (the gate fails).
    runs: Vec<PathBuf>,
    /// The gates' exit codes: second against first, third against second.
    gate_codes: Vec<i32>,
    history: PathBuf,
    /// The report of the last run.
    out: PathBuf,
}

fn score(dir: &Path, name: &str, broken: &dyn Fn(usize) -> bool) -> PathBuf {
    let tasks = humaneval();
    let rows: Vec<(String, String)> = tasks[..TASKS]
        .iter()
        .enumerate()
        .map(|(i, t)| {
            (t.id.clone(), if broken(i) { "    return None\n".into() } else { t.reference.clone() })
        })
        .collect();
    let samples_dir = dir.join(format!("{name}-samples"));
    std::fs::create_dir_all(&samples_dir).unwrap();
    let samples = samples_dir.join(format!("{MODEL}.jsonl"));
    write_samples(&samples, &rows);
    let out = dir.join(name);
    run_ok(evalrun().args(["score", "--samples-file"]).arg(&samples).arg("--out").arg(&out));
    out
}

fn report_with_history(run: &Path, history: &Path, out: &Path, commit: &str) -> std::process::Output {
    evalrun_output(&["report", "--commit", commit, "--history"], &[history, Path::new("--out"), out, run])
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let history = dir.path().join("history");
        let out = dir.path().join("report");
        let breaks: [(&str, &dyn Fn(usize) -> bool); 3] =
            [("main-1", &|_| false), ("main-2", &|i| i == 3 || i == 11), ("main-3", &|i| i % 2 == 0)];
        let mut runs: Vec<PathBuf> = Vec::new();
        let mut gate_codes = Vec::new();
        for (n, (name, broken)) in breaks.into_iter().enumerate() {
            if n > 0 {
                // Runs of a CI job start at different times; manifests count whole seconds.
                std::thread::sleep(std::time::Duration::from_millis(1100));
            }
            let run = score(dir.path(), name, broken);
            if let Some(previous) = runs.last() {
                let gate = evalrun_output(
                    &["gate", "--history"],
                    &[&history, Path::new("--baseline"), previous, Path::new("--candidate"), &run],
                );
                gate_codes.push(gate.status.code().unwrap_or(-1));
                assert!(
                    text(&gate.stderr).contains("history: appended 1 gate verdict"),
                    "{}\n{}",
                    text(&gate.stdout),
                    text(&gate.stderr)
                );
            }
            let output = report_with_history(&run, &history, &out, &format!("commit{n}"));
            assert!(output.status.success(), "{}\n{}", text(&output.stdout), text(&output.stderr));
            runs.push(run);
        }
        Fixture { dir, runs, gate_codes, history, out }
    })
}

fn history_lines(f: &Fixture) -> Vec<Value> {
    read_jsonl(&f.history.join("history.jsonl"))
}

fn manifest(run: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(run.join("manifest.json")).unwrap()).unwrap()
}

#[test]
fn each_run_is_a_point_with_the_figures_of_its_rows() {
    let f = fixture();
    assert_eq!(f.gate_codes, [0, 1], "the second run holds, the third regresses");
    let lines = history_lines(f);
    let points: Vec<&Value> = lines.iter().filter(|l| l["record"] == "run").collect();
    assert_eq!(points.len(), 3, "{lines:#?}");
    for (n, (p, run)) in points.iter().zip(&f.runs).enumerate() {
        let m = manifest(run);
        assert_eq!(p["schema"], 1);
        assert_eq!(p["started_at"], m["created_at"]);
        assert_eq!(p["finished_at"], m["finished_at"]);
        assert_eq!(p["model"], MODEL);
        assert_eq!(p["backend"], "replay");
        assert_eq!(p["model_sha256"], m["models"][0]["sha256"]);
        assert_eq!(p["model_file"], format!("{MODEL}.jsonl"));
        assert_eq!(p["shard"], Value::Null);
        assert_eq!(p["commit"], format!("commit{n}"));
        assert_eq!(p["run"], run.file_name().unwrap().to_str().unwrap());
        assert_eq!(p["tasks"], TASKS);
        // The figures of the run's result rows.
        let rows = read_jsonl(&run.join("results.jsonl"));
        assert_eq!(rows.len(), TASKS);
        let passed = rows.iter().filter(|r| r["passed"] == true).count();
        assert_eq!(p["pass_at_1"]["value"].as_f64().unwrap(), passed as f64 / TASKS as f64);
        let (low, high) = (p["pass_at_1"]["low"].as_f64().unwrap(), p["pass_at_1"]["high"].as_f64().unwrap());
        assert!(low <= passed as f64 / TASKS as f64 && passed as f64 / TASKS as f64 <= high && low < high);
        assert_eq!(p["pass_at_1"]["method"], "wilson");
        // Replayed samples are not timed.
        assert_eq!(p["gen_tokens_per_s"], Value::Null);
        // The task set as docs/FORMATS.md defines it: sha256 of the sorted ids, a newline each.
        let mut ids: Vec<String> = rows.iter().map(|r| r["task_id"].as_str().unwrap().to_string()).collect();
        ids.sort();
        let listing: String = ids.iter().map(|id| format!("{id}\n")).collect();
        use sha2::Digest;
        assert_eq!(p["task_set"], hex::encode(sha2::Sha256::digest(listing.as_bytes())));
    }
    let passed: Vec<f64> = points.iter().map(|p| p["pass_at_1"]["value"].as_f64().unwrap()).collect();
    assert_eq!(passed, [1.0, 0.9, 0.5]);
    // The last report's leaderboard names the same task set.
    let board: Value =
        serde_json::from_str(&std::fs::read_to_string(f.out.join("leaderboard.json")).unwrap()).unwrap();
    assert_eq!(board["entries"][0]["task_set"], points[2]["task_set"]);
}

#[test]
fn gate_verdicts_name_their_candidate_point() {
    let f = fixture();
    let lines = history_lines(f);
    let points: Vec<&Value> = lines.iter().filter(|l| l["record"] == "run").collect();
    let gates: Vec<&Value> = lines.iter().filter(|l| l["record"] == "gate").collect();
    assert_eq!(gates.len(), 2);
    for (g, (candidate, baseline, verdict)) in gates.iter().zip([(1, 0, "held"), (2, 1, "regressed")]) {
        for field in ["started_at", "model", "backend", "model_sha256", "shard"] {
            assert_eq!(g[field], points[candidate][field], "{field}");
        }
        assert_eq!(g["verdict"], verdict);
        assert_eq!(g["baseline"][0]["run"], points[baseline]["run"]);
        assert_eq!(g["baseline"][0]["started_at"], points[baseline]["started_at"]);
        assert_eq!(g["baseline_model"], format!("{MODEL} (replay)"));
        assert_eq!(g["max_drop"], 0.0);
    }
    let summary = gates[1]["summary"].as_str().unwrap();
    assert!(summary.starts_with("pass@1 90.0% -> 50.0% (-40.0 points on 20 common tasks"), "{summary}");
    assert!(summary.ends_with("regressed: pass@1"), "{summary}");
}

#[test]
fn adding_a_run_or_a_verdict_again_adds_nothing() {
    let f = fixture();
    let file = f.history.join("history.jsonl");
    let before = std::fs::read(&file).unwrap();
    let out = f.dir.path().join("again");
    let output = report_with_history(&f.runs[1], &f.history, &out, "other");
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(
        text(&output.stderr).contains("already recorded, not appended again"),
        "{}",
        text(&output.stderr)
    );
    let gate = evalrun_output(
        &["gate", "--history"],
        &[&f.history, Path::new("--baseline"), &f.runs[1], Path::new("--candidate"), &f.runs[2]],
    );
    assert_eq!(gate.status.code(), Some(1));
    assert!(text(&gate.stderr).contains("appended 0 gate verdicts"), "{}", text(&gate.stderr));
    assert_eq!(std::fs::read(&file).unwrap(), before);
    // The page of that report still has the three runs.
    let page = std::fs::read_to_string(out.join("history.html")).unwrap();
    assert_eq!(page.matches("<tr class=\"point\"").count(), 3);
}

#[test]
fn a_malformed_line_is_named_and_nothing_is_lost() {
    let f = fixture();
    // A copy of the history, with a line cut short in the middle.
    let dir = f.dir.path().join("broken-history");
    std::fs::create_dir_all(&dir).unwrap();
    let good = std::fs::read_to_string(f.history.join("history.jsonl")).unwrap();
    let lines: Vec<&str> = good.lines().collect();
    let broken = format!("{}\n{}\n{}\n", lines[0], &lines[1][..lines[1].len() / 2], lines[2..].join("\n"));
    let file = dir.join("history.jsonl");
    std::fs::write(&file, &broken).unwrap();
    let out = f.dir.path().join("broken-report");
    for output in [
        report_with_history(&f.runs[0], &dir, &out, "x"),
        evalrun_output(
            &["gate", "--history"],
            &[&dir, Path::new("--baseline"), &f.runs[0], Path::new("--candidate"), &f.runs[1]],
        ),
        evalrun_output(&["report", "--history"], &[&dir, Path::new("--out"), &out]),
    ] {
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(&format!("{}: line 2: not JSON", file.display())), "{stderr}");
        assert!(stderr.contains("nothing was written"), "{stderr}");
        assert_eq!(std::fs::read_to_string(&file).unwrap(), broken, "the file is untouched");
    }
    assert!(!out.join("history.html").exists());
}

#[test]
fn the_page_has_one_point_per_run_and_marks_the_failed_gate() {
    let f = fixture();
    let page = std::fs::read_to_string(f.out.join("history.html")).unwrap();
    let rows: Vec<&str> = page.split("<tr class=\"point\" ").skip(1).collect();
    assert_eq!(rows.len(), 3);
    let head = |row: &str| row.split('>').next().unwrap().to_string();
    assert_eq!(head(rows[0]), "data-position=\"1\" data-gate=\"none\"");
    assert_eq!(head(rows[1]), "data-position=\"2\" data-gate=\"held\"");
    assert_eq!(head(rows[2]), "data-position=\"3\" data-gate=\"failed\"");
    assert!(rows[2].contains("regressed vs main-2: pass@1 90.0% -&gt; 50.0%"), "{}", rows[2]);
    assert!(rows[0].contains("commit0") && rows[2].contains("50.0%"));
    assert!(page.contains("only when they ran the same tasks"));
    assert!(page.contains("<a href=\"index.html\">"));
    // And the leaderboard links to it, beside the drill-down.
    let index = std::fs::read_to_string(f.out.join("index.html")).unwrap();
    assert!(index.contains("<a href=\"history.html\">history over time</a>"), "{index}");
    // The pass@1 chart, inline: a triangle for the failed point and one in the legend; no speed
    // chart, since replayed samples are not timed.
    let chart = std::fs::read_to_string(f.out.join("charts/history-pass-at-1.svg")).unwrap();
    assert!(page.contains(chart.trim_end()), "the chart is inline");
    assert_eq!(chart.matches("<polygon").count(), 2);
    for n in 1..=3 {
        assert!(
            chart.contains(&format!("\n#{n}\n")) || chart.contains(&format!(">#{n}<")),
            "run #{n} on the axis"
        );
    }
    assert!(chart.contains("ci-model (replay)"));
    assert!(!f.out.join("charts/history-speed.svg").exists());
    assert!(page.contains("No speed chart"));

    // The page alone, from the history without a run.
    let alone = f.dir.path().join("alone");
    run_ok(evalrun().args(["report", "--history"]).arg(&f.history).arg("--out").arg(&alone));
    let page = std::fs::read_to_string(alone.join("history.html")).unwrap();
    assert_eq!(page.matches("<tr class=\"point\"").count(), 3);
    assert!(!page.contains("index.html") && !alone.join("index.html").exists());
}

#[test]
fn a_run_without_a_manifest_cannot_join_the_history() {
    let f = fixture();
    let tmp = tempfile::tempdir().unwrap();
    let run = tmp.path().join("bare");
    std::fs::create_dir_all(&run).unwrap();
    std::fs::copy(f.runs[0].join("results.jsonl"), run.join("results.jsonl")).unwrap();
    let history = tmp.path().join("history");
    let output = report_with_history(&run, &history, &tmp.path().join("out"), "x");
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("bare") && stderr.contains("manifest.json"), "{stderr}");
    assert!(!history.join("history.jsonl").exists());
}
