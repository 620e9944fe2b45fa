//! `--shard I/N`, `--shard auto` and `--task-ids` on real runs: HumanEval samples files scored
//! in the sandbox, and the real 0.5B coder generating greedily. A run split into 3 shards and
//! merged must equal the unsharded run key for key, verdict for verdict, and `report`,
//! `compare` and `gate` must take the merged run like any other.

mod common;

use common::*;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

const MODEL: &str = "qwen2.5-coder-0.5b-instruct-q4_k_m";

/// Every variable `--shard auto` reads, removed from each command so the CI's own (GitLab sets
/// CI_NODE_INDEX in parallel jobs) cannot leak in.
const ENGINE_VARS: [&str; 8] = [
    "JOB_COMPLETION_INDEX",
    "EVALRUN_SHARD_COUNT",
    "SLURM_ARRAY_TASK_ID",
    "SLURM_ARRAY_TASK_MIN",
    "SLURM_ARRAY_TASK_MAX",
    "SLURM_ARRAY_TASK_COUNT",
    "CI_NODE_INDEX",
    "CI_NODE_TOTAL",
];

fn evalrun_clean() -> Command {
    let mut cmd = evalrun();
    for var in ENGINE_VARS {
        cmd.env_remove(var);
    }
    cmd
}

/// The shard of a key as docs/SCALE.md defines it, computed here independently of evalrun:
/// 1 + the first 8 bytes of SHA-256(model NUL backend NUL task NUL sample), big-endian, mod N.
fn owner(key: &Key, n: u64) -> u64 {
    let (model, backend, task, sample) = key;
    let digest = Sha256::digest(format!("{model}\0{backend}\0{task}\0{sample}").as_bytes());
    u64::from_be_bytes(digest[..8].try_into().unwrap()) % n + 1
}

type Key = (String, String, String, u64);

/// The result rows of a run by key: (passed, status, result).
fn verdicts(run: &Path) -> BTreeMap<Key, (bool, String, String)> {
    let mut rows = BTreeMap::new();
    for r in read_jsonl(&run.join("results.jsonl")) {
        let key = (
            r["model"].as_str().unwrap().to_string(),
            r["backend"].as_str().unwrap().to_string(),
            r["task_id"].as_str().unwrap().to_string(),
            r["sample"].as_u64().unwrap(),
        );
        let verdict =
            (r["passed"] == true, r["status"].as_str().unwrap().into(), r["result"].as_str().unwrap().into());
        assert!(rows.insert(key.clone(), verdict).is_none(), "{key:?} twice in {}", run.display());
    }
    rows
}

fn manifest(run: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(run.join("manifest.json")).unwrap()).unwrap()
}

/// A samples file named `name.jsonl` over the first `tasks` HumanEval tasks: canonical
/// solutions, every third one broken, and a second sample (broken) for every fourth task.
fn samples_file(dir: &Path, name: &str, tasks: usize) -> PathBuf {
    let mut rows = Vec::new();
    for (i, t) in humaneval().into_iter().take(tasks).enumerate() {
        let broken = "    return None\n".to_string();
        rows.push((t.id.clone(), if i % 3 == 1 { broken.clone() } else { t.reference.clone() }));
        if i % 4 == 0 {
            rows.push((t.id.clone(), broken));
        }
    }
    let path = dir.join(format!("{name}.jsonl"));
    write_samples(&path, &rows);
    path
}

fn score(samples: &Path, out: &Path, extra: &[&str]) -> Command {
    let mut cmd = evalrun_clean();
    cmd.args(["score", "--progress", "none", "--samples-file"])
        .arg(samples)
        .arg("--out")
        .arg(out)
        .args(extra);
    cmd
}

/// The merged run against the unsharded one: same keys, same verdicts, same pass@1; and the
/// merged manifest keeps each shard's provenance.
fn assert_merged_equals(whole: &Path, shards: &[PathBuf], merged: &Path) {
    let expected = verdicts(whole);
    let mut union = BTreeMap::new();
    for (i, shard) in shards.iter().enumerate() {
        let n = shards.len() as u64;
        let rows = verdicts(shard);
        assert!(!rows.is_empty(), "shard {} is empty: pick other tasks", i + 1);
        for (key, verdict) in rows {
            assert_eq!(owner(&key, n), i as u64 + 1, "{key:?} ran in shard {}", i + 1);
            assert!(union.insert(key.clone(), verdict).is_none(), "{key:?} ran in two shards");
        }
        let m = manifest(shard);
        assert_eq!(m["shard"]["index"], i + 1);
        assert_eq!(m["shard"]["count"], n);
        assert_eq!(m["shard"]["source"], "flag");
        assert!(m["finished_at"].is_string(), "{m}");
    }
    assert_eq!(union, expected, "the shards together differ from the unsharded run");
    assert_eq!(verdicts(merged), expected, "the merged run differs from the unsharded run");

    let m = manifest(merged);
    assert!(m.get("shard").is_none(), "a merged run is whole: {m}");
    let provenance = m["shards"].as_array().unwrap();
    assert_eq!(provenance.len(), shards.len());
    for (i, p) in provenance.iter().enumerate() {
        assert_eq!(p["shard"]["index"], i + 1);
        assert_eq!(p["dir"], shards[i].display().to_string());
        assert!(p["machine"]["cpu_model"].is_string() && p["machine"]["cpus"].as_u64() >= Some(1), "{p}");
        assert!(p["started_at"].as_str().is_some_and(|s| s.ends_with('Z')), "{p}");
        assert!(p["finished_at"].as_str() >= p["started_at"].as_str(), "{p}");
        assert_eq!(p["samples"], verdicts(&shards[i]).len());
    }
    let first_start = provenance.iter().filter_map(|p| p["started_at"].as_str()).min();
    assert_eq!(m["created_at"].as_str(), first_start);
    let pass_at_1 = |run: &Path| -> Value {
        let summary: Value =
            serde_json::from_str(&std::fs::read_to_string(run.join("summary.json")).unwrap()).unwrap();
        summary["models"][0]["pass_at_k"]["pass@1"].clone()
    };
    assert_eq!(pass_at_1(merged), pass_at_1(whole));
    for file in ["summary.csv", "summary.md"] {
        assert!(merged.join(file).is_file(), "{file} missing");
    }
}

/// report, compare and gate take the merged run as they take the unsharded one.
fn assert_reports_take(whole: &Path, merged: &Path, tmp: &Path) {
    let out = tmp.join("report");
    let report = evalrun_output(&["report"], &[whole, merged, Path::new("--out"), &out]);
    assert!(report.status.success(), "{}", text(&report.stderr));
    let board: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("leaderboard.json")).unwrap()).unwrap();
    let entries = board["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["pass_at_1"]["value"], entries[1]["pass_at_1"]["value"]);
    assert_eq!(entries[0]["samples"], entries[1]["samples"]);

    let compare = evalrun_output(&["compare"], &[whole, merged]);
    assert!(compare.status.success(), "{}", text(&compare.stderr));
    let gate = evalrun_output(&["gate", "--baseline"], &[whole, Path::new("--candidate"), merged]);
    assert_eq!(gate.status.code(), Some(0), "{}\n{}", text(&gate.stdout), text(&gate.stderr));
}

#[test]
fn score_in_three_shards_merges_into_the_unsharded_run() {
    let tmp = tempfile::tempdir().unwrap();
    let samples = samples_file(tmp.path(), "mixed", 40);
    let whole = tmp.path().join("whole");
    run_ok(&mut score(&samples, &whole, &[]));
    let shards: Vec<PathBuf> = (1..=3).map(|i| tmp.path().join(format!("shard{i}"))).collect();
    // Given out of order, as a CI's artifacts may come.
    for i in [2, 0, 1] {
        run_ok(&mut score(&samples, &shards[i], &["--shard", &format!("{}/3", i + 1)]));
    }
    let merged = tmp.path().join("merged");
    let mut merge = evalrun_clean();
    merge.arg("merge").args([&shards[2], &shards[0], &shards[1]]).arg("--out").arg(&merged);
    let out = run_ok(&mut merge);
    assert!(text(&out.stderr).contains("shard 1/3 from"), "{}", text(&out.stderr));
    assert_merged_equals(&whole, &shards, &merged);
    // Rows in plan order: tasks as the suite lists them, samples in order.
    let order: Vec<(String, u64)> = read_jsonl(&merged.join("results.jsonl"))
        .iter()
        .map(|r| (r["task_id"].as_str().unwrap().to_string(), r["sample"].as_u64().unwrap()))
        .collect();
    let ids: Vec<String> = humaneval().into_iter().map(|t| t.id).collect();
    let position = |(t, s): &(String, u64)| (ids.iter().position(|i| i == t).unwrap(), *s);
    assert!(order.windows(2).all(|w| position(&w[0]) < position(&w[1])), "{order:?}");
    assert_reports_take(&whole, &merged, tmp.path());
}

#[test]
fn the_split_does_not_depend_on_limit() {
    let tmp = tempfile::tempdir().unwrap();
    let samples = samples_file(tmp.path(), "limited", 30);
    let (all, limited) = (tmp.path().join("all"), tmp.path().join("limited"));
    run_ok(&mut score(&samples, &all, &["--shard", "2/3"]));
    run_ok(&mut score(&samples, &limited, &["--shard", "2/3", "--limit", "12"]));
    let within: Vec<String> = humaneval().into_iter().take(12).map(|t| t.id).collect();
    let expected: BTreeSet<Key> = verdicts(&all).into_keys().filter(|k| within.contains(&k.2)).collect();
    assert_eq!(verdicts(&limited).into_keys().collect::<BTreeSet<_>>(), expected);
}

/// What `--shard auto` made of the variables: the manifest's shard, and the keys it judged
/// equal those of the same shard given as I/N.
fn auto_shard(samples: &Path, tmp: &Path, name: &str, vars: &[(&str, &str)]) -> (Value, BTreeSet<Key>) {
    let out = tmp.join(name);
    let mut cmd = score(samples, &out, &["--shard", "auto"]);
    cmd.envs(vars.iter().copied());
    let output = run_ok(&mut cmd);
    let m = manifest(&out);
    let shard = m["shard"].clone();
    assert!(text(&output.stderr).contains(&format!("shard {}/{}", shard["index"], shard["count"])));
    let flagged = tmp.join(format!("{name}-flag"));
    run_ok(&mut score(samples, &flagged, &["--shard", &format!("{}/{}", shard["index"], shard["count"])]));
    let keys: BTreeSet<Key> = verdicts(&out).into_keys().collect();
    assert_eq!(keys, verdicts(&flagged).into_keys().collect::<BTreeSet<_>>());
    (shard, keys)
}

#[test]
fn shard_auto_reads_each_engine() {
    let tmp = tempfile::tempdir().unwrap();
    let samples = samples_file(tmp.path(), "auto", 20);
    let shard = |index: u64, count: u64, source: &str| serde_json::json!({"index": index, "count": count, "source": source});

    // Kubernetes Indexed Job: the index counts from 0; the count is passed in.
    let (k8s, _) = auto_shard(
        &samples,
        tmp.path(),
        "k8s",
        &[("JOB_COMPLETION_INDEX", "1"), ("EVALRUN_SHARD_COUNT", "3")],
    );
    assert_eq!(k8s, shard(2, 3, "kubernetes"));
    // Slurm array --array=10-12: ids from SLURM_ARRAY_TASK_MIN.
    let slurm_vars = [
        ("SLURM_ARRAY_TASK_ID", "12"),
        ("SLURM_ARRAY_TASK_MIN", "10"),
        ("SLURM_ARRAY_TASK_MAX", "12"),
        ("SLURM_ARRAY_TASK_COUNT", "3"),
    ];
    let (slurm, _) = auto_shard(&samples, tmp.path(), "slurm", &slurm_vars);
    assert_eq!(slurm, shard(3, 3, "slurm"));
    // GitLab `parallel: 3`: CI_NODE_INDEX counts from 1.
    let (gitlab, _) =
        auto_shard(&samples, tmp.path(), "gitlab", &[("CI_NODE_INDEX", "1"), ("CI_NODE_TOTAL", "3")]);
    assert_eq!(gitlab, shard(1, 3, "gitlab"));

    let refused = |vars: &[(&str, &str)], needles: &[&str]| {
        let out = tmp.path().join("refused");
        let mut cmd = score(&samples, &out, &["--shard", "auto"]);
        cmd.envs(vars.iter().copied());
        let output = cmd.output().unwrap();
        let err = text(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{err}");
        for n in needles {
            assert!(err.contains(n), "missing {n:?} in: {err}");
        }
        assert!(!out.join("results.jsonl").exists(), "nothing runs on a refused --shard");
    };
    refused(&[], &["no job engine", "JOB_COMPLETION_INDEX", "SLURM_ARRAY_TASK_ID", "--shard I/N"]);
    refused(&[("JOB_COMPLETION_INDEX", "0")], &["EVALRUN_SHARD_COUNT", "completions"]);
    refused(&[("JOB_COMPLETION_INDEX", "3"), ("EVALRUN_SHARD_COUNT", "3")], &["JOB_COMPLETION_INDEX=3"]);
    refused(&[("SLURM_ARRAY_TASK_ID", "3"), ("SLURM_ARRAY_TASK_COUNT", "3")], &["SLURM_ARRAY_TASK_MIN"]);
    refused(
        &[
            ("SLURM_ARRAY_TASK_ID", "4"),
            ("SLURM_ARRAY_TASK_MIN", "0"),
            ("SLURM_ARRAY_TASK_MAX", "4"),
            ("SLURM_ARRAY_TASK_COUNT", "3"),
        ],
        &["contiguous"],
    );
    refused(&[("JOB_COMPLETION_INDEX", "0"), ("CI_NODE_INDEX", "1")], &["several", "--shard I/N"]);

    let bad = score(&samples, &tmp.path().join("bad"), &["--shard", "0/3"]).output().unwrap();
    assert!(text(&bad.stderr).contains("I counts from 1 to N"), "{}", text(&bad.stderr));
}

#[test]
fn task_ids_select_tasks_by_glob() {
    let tmp = tempfile::tempdir().unwrap();
    let samples = samples_file(tmp.path(), "globbed", 40);
    let out = tmp.path().join("globbed");
    run_ok(&mut score(&samples, &out, &["--task-ids", "HumanEval/1*,HumanEval/2"]));
    let tasks: BTreeSet<String> = verdicts(&out).into_keys().map(|k| k.2).collect();
    let expected: BTreeSet<String> = ["HumanEval/1", "HumanEval/2"]
        .into_iter()
        .map(String::from)
        .chain((10..20).map(|i| format!("HumanEval/{i}")))
        .collect();
    assert_eq!(tasks, expected);
    // The manifest lists every task of the suite the globs select (1, 10-19, 100-163 and 2), the
    // samples file covering only the first 40 of them.
    let selected: Vec<String> = humaneval()
        .into_iter()
        .map(|t| t.id)
        .filter(|id| id.starts_with("HumanEval/1") || id == "HumanEval/2")
        .collect();
    assert_eq!(selected.len(), 76);
    assert_eq!(manifest(&out)["tasks"], serde_json::json!(selected));

    let typo = score(&samples, &tmp.path().join("typo"), &["--task-ids", "HumanEval/1,HumanEvl/*"])
        .output()
        .unwrap();
    let err = text(&typo.stderr);
    assert_eq!(typo.status.code(), Some(2), "{err}");
    assert!(err.contains("HumanEvl/*") && err.contains("match no task"), "{err}");
}

#[test]
fn run_in_three_shards_merges_into_the_unsharded_run() {
    let model = default_model_present();
    let tmp = tempfile::tempdir().unwrap();
    // One task per shard, the first of each in suite order, chosen with --task-ids.
    let mut chosen: BTreeMap<u64, String> = BTreeMap::new();
    for t in humaneval() {
        let shard = owner(&(MODEL.into(), "llamacpp".into(), t.id.clone(), 0), 3);
        chosen.entry(shard).or_insert(t.id);
        if chosen.len() == 3 {
            break;
        }
    }
    let ids = chosen.values().cloned().collect::<Vec<_>>().join(",");
    // Greedy, one sequence at a time and no shared prompt cells: a sample's tokens do not
    // depend on which others were decoded beside it.
    let run = |out: &Path, extra: &[&str]| {
        let mut cmd = evalrun_clean();
        cmd.args([
            "run",
            "--models",
            MODEL,
            "--backends",
            "llamacpp",
            "--task-ids",
            ids.as_str(),
            "--max-tokens",
            "320",
        ])
        .args(["--slots", "1", "--no-prompt-sharing", "--progress", "none", "--out"])
        .arg(out)
        .args(extra);
        run_ok(&mut cmd);
    };
    let whole = tmp.path().join("whole");
    run(&whole, &[]);
    let shards: Vec<PathBuf> = (1..=3).map(|i| tmp.path().join(format!("shard{i}"))).collect();
    for (i, dir) in shards.iter().enumerate() {
        run(dir, &["--shard", &format!("{}/3", i + 1)]);
    }
    drop(model);
    let merged = tmp.path().join("merged");
    run_ok(evalrun_clean().arg("merge").args(&shards).arg("--out").arg(&merged));
    assert_merged_equals(&whole, &shards, &merged);
    // The completions themselves match: greedy decoding of the same prompts.
    let completions = |run: &Path| -> BTreeMap<String, String> {
        read_jsonl(&run.join("samples.jsonl"))
            .iter()
            .map(|r| {
                (r["task_id"].as_str().unwrap().to_string(), r["completion"].as_str().unwrap().to_string())
            })
            .collect()
    };
    assert_eq!(completions(&merged), completions(&whole));
    let m = manifest(&merged);
    assert_eq!(m["models"][0]["backend_version"], manifest(&whole)["models"][0]["backend_version"]);
    assert!(m["models"][0]["prompt_template"]["name"].is_string(), "{m}");
    assert_reports_take(&whole, &merged, tmp.path());
}
