//! Bad input gets a clear error naming what is wrong, never a panic.

mod common;

use common::*;
use std::process::Output;

fn fails(out: &Output, needles: &[&str]) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "stderr: {err}");
    assert!(!err.contains("panicked"), "{err}");
    for n in needles {
        assert!(err.contains(n), "missing {n:?} in: {err}");
    }
}

#[test]
fn truncated_model_is_named_with_both_sizes() {
    let home = tempfile::tempdir().unwrap();
    let models = home.path().join("models");
    std::fs::create_dir_all(&models).unwrap();
    let file = models.join("qwen2.5-coder-0.5b-instruct-q4_k_m.gguf");
    std::fs::write(&file, b"GGUF\x03\x00\x00\x00 only the start").unwrap();
    let out = evalrun()
        .env("EVALRUN_HOME", home.path())
        .args(["run", "--models", "qwen2.5-coder-0.5b-instruct-q4_k_m", "--limit", "1", "--out"])
        .arg(home.path().join("run"))
        .output()
        .unwrap();
    fails(&out, &["truncated", "491400064", &file.display().to_string()]);
    assert!(!home.path().join("run").join("results.jsonl").exists(), "nothing should run on a broken model");

    let list = evalrun().env("EVALRUN_HOME", home.path()).args(["models", "list"]).output().unwrap();
    assert!(String::from_utf8_lossy(&list.stdout).contains("truncated"));
    assert!(!list.status.success(), "a damaged model makes `models list` fail");
}

#[test]
fn unknown_model_and_suite_list_the_known_ones() {
    let out = evalrun().args(["run", "--models", "no-such-model", "--limit", "1"]).output().unwrap();
    fails(&out, &["no-such-model", "qwen2.5-coder-0.5b-instruct-q4_k_m"]);
    let home = tempfile::tempdir().unwrap();
    let out = evalrun()
        .args(["score", "--suite", "nope", "--samples-file", "/dev/null", "--out"])
        .arg(home.path())
        .output()
        .unwrap();
    fails(&out, &["unknown suite `nope`", "humaneval"]);
}

#[test]
fn bad_flags_are_rejected_before_any_work() {
    for (flag, value) in [
        ("--samples", "0"),
        ("--temperature", "-1"),
        ("--top-p", "0"),
        ("--max-tokens", "0"),
        ("--prompt-template", "nope"),
    ] {
        let out = evalrun()
            .args(["run", "--models", "qwen2.5-coder-0.5b-instruct-q4_k_m", &format!("{flag}={value}")])
            .output()
            .unwrap();
        fails(&out, &[flag]);
    }
    let out = evalrun().args(["run", "--samples", "many"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid value 'many'"));
}

#[test]
fn resume_of_a_different_run_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let samples = dir.path().join("s.jsonl");
    write_samples(&samples, &[("HumanEval/0".into(), "    return True\n".into())]);
    let out = dir.path().join("run");
    run_ok(evalrun().args(["score", "--limit", "1", "--samples-file"]).arg(&samples).arg("--out").arg(&out));
    let again = evalrun()
        .args(["score", "--limit", "2", "--resume", "--samples-file"])
        .arg(&samples)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    fails(&again, &["cannot resume", "tasks"]);
}
