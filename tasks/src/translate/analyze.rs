//! Running `analyze.py` with Python, which reads Python problems with its own `ast`.

use super::problem::{Analysis, Problem};
use crate::CorpusError;
use evalrun_core::Task;
use std::io::Write;
use std::process::{Command, Stdio};

const SCRIPT: &str = include_str!("analyze.py");

/// The interpreter: `$EVALRUN_PYTHON`, or `python3`.
fn python() -> String {
    std::env::var("EVALRUN_PYTHON").unwrap_or_else(|_| "python3".into())
}

/// Describe each Python task as a [`Problem`], or give the reason it cannot be translated, in
/// the order of `tasks`.
pub fn analyze(tasks: &[Task]) -> Result<Vec<(String, Result<Problem, String>)>, CorpusError> {
    let failed = |reason: String| CorpusError::Analyzer(reason);
    let mut input = String::new();
    for t in tasks {
        let row =
            serde_json::json!({"id": t.id, "prompt": t.prompt, "test": t.test, "entry_point": t.entry_point});
        input.push_str(&row.to_string());
        input.push('\n');
    }
    let mut child = Command::new(python())
        .args(["-c", SCRIPT])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| failed(format!("cannot start `{}`: {e}", python())))?;
    // Write from a thread: the analyzer answers line by line and could fill its stdout pipe.
    let mut stdin = child.stdin.take().ok_or_else(|| failed("no stdin".into()))?;
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child.wait_with_output().map_err(|e| failed(e.to_string()))?;
    let _ = writer.join();
    if !output.status.success() {
        return Err(failed(format!(
            "{} exited with {}: {}",
            python(),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let results: Vec<(String, Result<Problem, String>)> = text
        .lines()
        .map(|line| {
            let a: Analysis = serde_json::from_str(line).map_err(|e| failed(format!("{e}: {line:.200}")))?;
            let result = match (a.problem, a.excluded) {
                (Some(p), None) => Ok(p),
                (None, Some(reason)) => Err(reason),
                _ => return Err(failed(format!("neither problem nor reason for {}", a.id))),
            };
            Ok((a.id, result))
        })
        .collect::<Result<_, CorpusError>>()?;
    if results.len() != tasks.len() {
        return Err(failed(format!("{} answers for {} tasks", results.len(), tasks.len())));
    }
    Ok(results)
}
