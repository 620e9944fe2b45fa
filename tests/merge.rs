//! `evalrun merge` refuses, naming the problem and writing nothing, whatever is not the whole of
//! one run: manifests that disagree (model hash, seed, sampling, prompt template, corpus
//! version, shard count), overlapping shards, a missing shard, an incomplete one, a run that is
//! not a shard, an --out that holds a run. The shards are real `evalrun score` runs of a
//! HumanEval samples file; where a shard made with other settings is needed and `score` has no
//! flag for them (seed, sampling, template, corpus), a copy of a shard has that manifest field
//! changed, and a shard killed before its end is a copy with its last verdicts cut off.

mod common;

use common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;

struct Fixtures {
    dir: tempfile::TempDir,
    samples: PathBuf,
    /// Shards 1/3, 2/3, 3/3 of the samples file.
    shards: Vec<PathBuf>,
    /// The same file scored whole.
    whole: PathBuf,
}

fn score(samples: &Path, out: &Path, extra: &[&str]) {
    run_ok(
        evalrun()
            .args(["score", "--progress", "none", "--samples-file"])
            .arg(samples)
            .arg("--out")
            .arg(out)
            .args(extra),
    );
}

/// 30 HumanEval tasks, canonical except every fifth, which returns None.
fn write_file(path: &Path, broken: &dyn Fn(usize) -> bool) {
    let rows: Vec<(String, String)> = humaneval()
        .into_iter()
        .take(30)
        .enumerate()
        .map(|(i, t)| (t.id, if broken(i) { "    return None\n".into() } else { t.reference }))
        .collect();
    write_samples(path, &rows);
}

fn fixtures() -> &'static Fixtures {
    static FIXTURES: OnceLock<Fixtures> = OnceLock::new();
    FIXTURES.get_or_init(|| {
        // A static is never dropped, so this directory outlives the tests: under target/, not /tmp.
        let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
        let samples = dir.path().join("mixed.jsonl");
        write_file(&samples, &|i| i % 5 == 0);
        let shards: Vec<PathBuf> = (1..=3).map(|i| dir.path().join(format!("shard{i}"))).collect();
        for (i, shard) in shards.iter().enumerate() {
            score(&samples, shard, &["--shard", &format!("{}/3", i + 1)]);
        }
        let whole = dir.path().join("whole");
        score(&samples, &whole, &[]);
        Fixtures { dir, samples, shards, whole }
    })
}

/// A fresh directory under the fixtures' own.
fn fresh(name: &str) -> PathBuf {
    let dir = tempfile::Builder::new().prefix(name).tempdir_in(fixtures().dir.path()).unwrap();
    dir.keep()
}

/// A copy of a run directory.
fn copy(run: &Path, name: &str) -> PathBuf {
    let to = fresh(name);
    for entry in std::fs::read_dir(run).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
    to
}

/// A copy of `run` whose manifest has `change` applied.
fn with_manifest(run: &Path, name: &str, change: &dyn Fn(&mut Value)) -> PathBuf {
    let to = copy(run, name);
    let path = to.join("manifest.json");
    let mut manifest: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    change(&mut manifest);
    std::fs::write(&path, serde_json::to_string_pretty(&manifest).unwrap()).unwrap();
    to
}

fn merge(dirs: &[&Path]) -> (Output, PathBuf) {
    let out = fresh("merged");
    let output = evalrun().arg("merge").args(dirs).arg("--out").arg(&out).output().unwrap();
    (output, out)
}

/// The merge failed with exit status 2, said each of `needles`, and wrote nothing.
fn refused(dirs: &[&Path], needles: &[&str]) -> String {
    let (output, out) = merge(dirs);
    let err = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    for n in needles {
        assert!(err.contains(n), "missing {n:?} in: {err}");
    }
    let left: Vec<_> = std::fs::read_dir(&out).unwrap().collect();
    assert!(left.is_empty(), "a refused merge wrote {left:?}");
    err
}

fn shard(i: usize) -> &'static Path {
    &fixtures().shards[i - 1]
}

fn disp(p: &Path) -> String {
    p.display().to_string()
}

#[test]
fn the_fixture_shards_merge() {
    let (output, out) = merge(&[shard(1), shard(2), shard(3)]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(read_jsonl(&out.join("results.jsonl")).len(), 30);
    assert_eq!(read_jsonl(&fixtures().whole.join("results.jsonl")).len(), 30);
}

#[test]
fn refuses_another_model_hash() {
    // The same file name with one completion changed: another model, as far as a run can tell.
    let other_dir = fresh("other");
    let other = other_dir.join("mixed.jsonl");
    write_file(&other, &|i| i % 5 == 0 || i == 7);
    let changed = fresh("changed");
    score(&other, &changed, &["--shard", "2/3"]);
    let err = refused(
        &[shard(1), &changed, shard(3)],
        &["disagree on model hash", &disp(shard(1)), &disp(&changed)],
    );
    assert!(err.contains("mixed (replay)"), "{err}");
}

#[test]
fn refuses_another_shard_count() {
    let of_four = fresh("of-four");
    score(&fixtures().samples, &of_four, &["--shard", "2/4"]);
    refused(&[shard(1), &of_four, shard(3)], &["disagree on shard count", "has 3", "has 4"]);
}

#[test]
fn refuses_another_seed() {
    let seeded = with_manifest(shard(2), "seed", &|m| m["sampling"]["seed"] = 7.into());
    refused(&[shard(1), &seeded, shard(3)], &["disagree on seed", "has 1234", "has 7"]);
}

#[test]
fn refuses_other_sampling() {
    let hot = with_manifest(shard(3), "sampling", &|m| m["sampling"]["temperature"] = 0.8.into());
    refused(&[shard(1), shard(2), &hot], &["disagree on sampling", "temperature 0,", "temperature 0.8"]);
}

#[test]
fn refuses_another_prompt_template() {
    let template = |name: &str| {
        serde_json::to_value(evalrun_harness::prompt::PromptTemplate::builtin(name).unwrap()).unwrap()
    };
    let v2 = with_manifest(shard(1), "v2", &|m| {
        m["models"][0]["prompt_template"] = template("evalplus-instruct-v2")
    });
    let v1 = with_manifest(shard(2), "v1", &|m| {
        m["models"][0]["prompt_template"] = template("evalplus-instruct-v1")
    });
    refused(
        &[&v2, &v1, shard(3)],
        &["disagree on prompt template", "evalplus-instruct-v2", "evalplus-instruct-v1"],
    );
    // A shard that never loaded the model recorded no template: that is no disagreement.
    let (output, _) = merge(&[&v2, shard(2), shard(3)]);
    assert!(output.status.success(), "{}", text(&output.stderr));
}

#[test]
fn refuses_another_corpus_version() {
    let old = with_manifest(shard(2), "corpus", &|m| m["corpus_version"] = "0-old".into());
    refused(&[shard(1), &old, shard(3)], &["disagree on corpus version", "0-old"]);
}

#[test]
fn refuses_overlapping_shards() {
    let again = fresh("again");
    score(&fixtures().samples, &again, &["--shard", "2/3"]);
    refused(&[shard(1), shard(2), &again, shard(3)], &["shards overlap", "both shard 2/3", &disp(&again)]);

    // A shard holding a verdict of another (journals concatenated by hand, say).
    let mixed = copy(shard(2), "mixed");
    let foreign = std::fs::read_to_string(shard(3).join("results.jsonl")).unwrap();
    let foreign_row: Value = serde_json::from_str(foreign.lines().next().unwrap()).unwrap();
    let mut results = std::fs::read_to_string(mixed.join("results.jsonl")).unwrap();
    results.push_str(foreign.lines().next().unwrap());
    results.push('\n');
    std::fs::write(mixed.join("results.jsonl"), results).unwrap();
    let key = format!("{} #0 (mixed, replay)", foreign_row["task_id"].as_str().unwrap());
    refused(&[shard(1), &mixed, shard(3)], &["shards overlap", &key, "belongs to shard 3/3"]);
}

#[test]
fn refuses_a_missing_shard_naming_it() {
    let err = refused(&[shard(3), shard(1)], &["shard 2/3 is missing", &disp(shard(1)), &disp(shard(3))]);
    assert!(!err.contains("1/3 is missing"), "{err}");
    refused(&[shard(2)], &["shards 1/3, 3/3 are missing"]);
}

#[test]
fn refuses_an_incomplete_shard_naming_the_keys() {
    // Killed before its last two verdicts were journaled.
    let cut = copy(shard(1), "cut");
    let results = std::fs::read_to_string(cut.join("results.jsonl")).unwrap();
    let lines: Vec<&str> = results.lines().collect();
    assert!(lines.len() >= 3, "shard 1 is too small for this test");
    let (kept, lost) = lines.split_at(lines.len() - 2);
    std::fs::write(cut.join("results.jsonl"), kept.join("\n") + "\n").unwrap();
    let lost_keys: Vec<String> = lost
        .iter()
        .map(|l| {
            let row: Value = serde_json::from_str(l).unwrap();
            format!("{} #{} (mixed, replay)", row["task_id"].as_str().unwrap(), row["sample"])
        })
        .collect();
    let mut needles = vec![
        "shard 1/3".to_string(),
        disp(&cut),
        format!("is incomplete: 2 of its {} samples have no verdict", lines.len()),
        "--resume".to_string(),
    ];
    needles.extend(lost_keys);
    let needles: Vec<&str> = needles.iter().map(String::as_str).collect();
    refused(&[&cut, shard(2), shard(3)], &needles);
}

#[test]
fn refuses_a_run_that_is_not_a_shard() {
    refused(
        &[shard(1), &fixtures().whole, shard(3)],
        &["not a shard", &disp(&fixtures().whole), "--shard I/N"],
    );
    let empty = fresh("empty");
    refused(&[&empty], &["manifest.json", "missing"]);
}

#[test]
fn refuses_an_out_that_holds_a_run() {
    let output = evalrun()
        .arg("merge")
        .args([shard(1), shard(2), shard(3)])
        .arg("--out")
        .arg(&fixtures().whole)
        .output()
        .unwrap();
    let err = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert!(err.contains("already holds a run") && err.contains(&disp(&fixtures().whole)), "{err}");
    assert_eq!(read_jsonl(&fixtures().whole.join("results.jsonl")).len(), 30, "the run in --out was touched");
}
