//! `evalrun report` ranks like with like, on real `evalrun score` runs of different task sets:
//! the first 30 HumanEval tasks, 29 of them (one lost), the first 10, and 5 tasks of another
//! suite. Runs that share at least half of each one's tasks are ranked together on the tasks
//! they all ran; the others get groups of their own. Every figure is checked against the runs'
//! result rows, and no file the report writes may name a path of the machine that made it.

mod common;

use common::*;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// `evalrun score` of `rows` (task id, completion) as run `name` under `dir`, with `args`.
fn score(dir: &Path, name: &str, rows: &[(String, String)], args: &[&str]) -> PathBuf {
    let samples = dir.join(format!("{name}.jsonl"));
    write_samples(&samples, rows);
    let out = dir.join(name);
    run_ok(evalrun().args(["score", "--samples-file"]).arg(&samples).args(args).arg("--out").arg(&out));
    out
}

/// Task id -> passed, from a run's result rows (one sample per task).
fn outcomes(run: &Path) -> BTreeMap<String, bool> {
    read_jsonl(&run.join("results.jsonl"))
        .iter()
        .map(|r| (r["task_id"].as_str().unwrap().to_string(), r["passed"] == true))
        .collect()
}

/// The sha256 of ids as docs/FORMATS.md defines a task set: sorted bytewise, one per line.
fn task_set(ids: &BTreeSet<String>) -> String {
    let text: String = ids.iter().map(|id| format!("{id}\n")).collect();
    hex::encode(Sha256::digest(text.as_bytes()))
}

#[test]
fn entries_are_ranked_on_the_tasks_they_share() {
    let tmp = tempfile::tempdir().unwrap();
    let humaneval = humaneval();
    let humaneval_rows = |n: usize, broken: &dyn Fn(usize) -> bool| -> Vec<(String, String)> {
        humaneval[..n]
            .iter()
            .enumerate()
            .map(|(i, t)| {
                (t.id.clone(), if broken(i) { "    return None\n".into() } else { t.reference.clone() })
            })
            .collect()
    };
    let wide = score(tmp.path(), "wide", &humaneval_rows(30, &|i| i % 3 == 0), &[]);
    let lost = score(tmp.path(), "lost", &humaneval_rows(29, &|i| i % 2 == 0), &[]);
    let first = score(tmp.path(), "first", &humaneval_rows(10, &|_| false), &[]);
    let core_tasks: Vec<(String, String)> = evalrun_tasks::Corpus::builtin()
        .unwrap()
        .suite("evalrun-core")
        .unwrap()
        .tasks
        .iter()
        .filter(|t| t.language == evalrun_core::Language::Python)
        .take(5)
        .map(|t| (t.id.clone(), t.reference.clone()))
        .collect();
    assert_eq!(core_tasks.len(), 5);
    let core = score(tmp.path(), "core", &core_tasks, &["--suite", "evalrun-core"]);

    let out = tmp.path().join("report");
    let output = evalrun_output(&["report"], &[&first, &core, &lost, &wide, Path::new("--out"), &out]);
    let stdout = text(&output.stdout);
    assert!(output.status.success(), "{stdout}{}", text(&output.stderr));
    assert!(stdout.starts_with("group 1: ranked on 29 common tasks\n  1. wide "), "{stdout}");

    let board: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("leaderboard.json")).unwrap()).unwrap();
    assert_eq!(board["schema_version"], 2);
    assert_eq!(board["min_common_share"], 0.5);

    // The groups: wide and lost share 29 tasks (all of lost's, 29 of wide's 30); first's 10
    // are a third of theirs, and core's tasks are another suite's.
    let (w, l, f, c) = (outcomes(&wide), outcomes(&lost), outcomes(&first), outcomes(&core));
    let ids = |o: &BTreeMap<String, bool>| o.keys().cloned().collect::<BTreeSet<String>>();
    let common: BTreeSet<String> = ids(&w).intersection(&ids(&l)).cloned().collect();
    assert_eq!(common.len(), 29);
    let groups = board["groups"].as_array().unwrap();
    let summary: Vec<(u64, u64, Vec<&str>)> = groups
        .iter()
        .map(|g| {
            let entries = g["entries"].as_array().unwrap().iter().map(|e| e.as_str().unwrap()).collect();
            (g["id"].as_u64().unwrap(), g["common_tasks"].as_u64().unwrap(), entries)
        })
        .collect();
    assert_eq!(
        summary,
        [(1, 29, vec!["wide", "lost"]), (2, 10, vec!["first"]), (3, 5, vec!["core"])],
        "{board:#}"
    );
    assert_eq!(groups[0]["task_set"], task_set(&common));
    assert_eq!(groups[1]["task_set"], task_set(&ids(&f)));
    assert_eq!(groups[2]["task_set"], task_set(&ids(&c)));

    // Each entry: its own tasks, its pass@1 on them and on its group's common tasks.
    let entries = board["entries"].as_array().unwrap();
    let order: Vec<(&str, u64, u64)> = entries
        .iter()
        .map(|e| (e["model"].as_str().unwrap(), e["group"].as_u64().unwrap(), e["rank"].as_u64().unwrap()))
        .collect();
    assert_eq!(order, [("wide", 1, 1), ("lost", 1, 2), ("first", 2, 1), ("core", 3, 1)]);
    for (e, (outcomes, common)) in
        entries.iter().zip([(&w, &common), (&l, &common), (&f, &ids(&f)), (&c, &ids(&c))])
    {
        let passed = outcomes.values().filter(|&&p| p).count();
        let passed_common = outcomes.iter().filter(|(id, &p)| p && common.contains(*id)).count();
        assert_eq!(e["tasks"].as_u64().unwrap() as usize, outcomes.len(), "{e}");
        assert_eq!(e["task_set"], task_set(&ids(outcomes)), "{e}");
        assert_eq!(e["pass_at_1"]["value"].as_f64().unwrap(), passed as f64 / outcomes.len() as f64, "{e}");
        let p = &e["pass_at_1_common"];
        let value = passed_common as f64 / common.len() as f64;
        assert!((p["value"].as_f64().unwrap() - value).abs() < 1e-12, "{e}");
        assert_eq!(p["method"], "wilson");
        let (low, high) = evalrun_reports::stats::wilson_interval(
            passed_common as u64,
            common.len() as u64,
            evalrun_reports::stats::Z_95,
        )
        .unwrap();
        assert_eq!((p["low"].as_f64().unwrap(), p["high"].as_f64().unwrap()), (low, high), "{e}");
    }
    // wide: 20 of its 30, and 19 of the 29 common tasks (it fails HumanEval/0, 3, ..., 27).
    assert_eq!(entries[0]["passed"], 20);
    assert!((entries[0]["pass_at_1_common"]["value"].as_f64().unwrap() - 19.0 / 29.0).abs() < 1e-12);

    // The other formats say the same.
    let md = std::fs::read_to_string(out.join("leaderboard.md")).unwrap();
    for (id, n) in [(1, 29), (2, 10), (3, 5)] {
        assert!(md.contains(&format!("### Group {id}: ranked on {n} common tasks (task set `")), "{md}");
    }
    assert!(md.contains("| 1 | wide | replay | — | 65.5% ("), "{md}");
    assert!(md.contains("| 66.7% (30 tasks) |"), "{md}");
    let html = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert_eq!(html.matches("<tr class=\"group-head\">").count(), 3 * 2, "leaderboard and languages tables");
    assert!(html.contains("Group 1 · ranked on 29 common tasks · 2 entries · task set"), "{html}");
    let mut csv = ::csv::Reader::from_path(out.join("leaderboard.csv")).unwrap();
    let header: Vec<String> = csv.headers().unwrap().iter().map(String::from).collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<Vec<String>> =
        csv.records().map(|r| r.unwrap().iter().map(String::from).collect()).collect();
    let groups_in_csv: Vec<(&str, &str, &str)> = rows
        .iter()
        .map(|r| (r[col("label")].as_str(), r[col("group")].as_str(), r[col("common_tasks")].as_str()))
        .collect();
    assert_eq!(
        groups_in_csv,
        [("wide", "1", "29"), ("lost", "1", "29"), ("first", "2", "10"), ("core", "3", "5")]
    );
    // The charts follow the grouping.
    for chart in ["pass-at-1", "latency", "languages"] {
        let svg = std::fs::read_to_string(out.join(format!("charts/{chart}.svg"))).unwrap();
        for heading in ["Group 1 · ranked on 29 common tasks", "Group 3 · ranked on 5 common tasks"] {
            assert!(svg.contains(heading), "{chart}: {heading}");
        }
    }

    // Nothing written names where the runs, their samples files or the report lay: the model
    // file is named by its file name and sha256, a run by its directory's name.
    let wide_file = &entries[0];
    assert_eq!(wide_file["model_file"], "wide.jsonl");
    let sha = hex::encode(Sha256::digest(std::fs::read(tmp.path().join("wide.jsonl")).unwrap()));
    assert_eq!(wide_file["model_sha256"], sha);
    let dirs: Vec<&str> =
        board["runs"].as_array().unwrap().iter().map(|r| r["dir"].as_str().unwrap()).collect();
    assert_eq!(dirs, ["first", "core", "lost", "wide"]);
    let root = tmp.path().to_str().unwrap();
    let mut files = vec![];
    let mut pending = vec![out.clone()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                files.push(path);
            }
        }
    }
    assert!(files.len() >= 13, "{files:?}");
    // The temporary directory's own name is enough to find it, even escaped or cut short.
    let name = tmp.path().file_name().unwrap().to_str().unwrap();
    for file in &files {
        let bytes = std::fs::read(file).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains(root) && !text.contains(name), "{} names {root}", file.display());
    }
}
