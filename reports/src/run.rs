//! A run directory as reports, `compare` and `gate` read it: its `results.jsonl` rows and, when
//! present, its `manifest.json` and the feedback rounds of its `rounds.jsonl`.

use crate::ReportError;
use evalrun_core::{RoundRecord, SampleRecord};
use evalrun_harness::manifest::RunManifest;
use serde::de::DeserializeOwned;
use std::path::{Path, PathBuf};

/// One run directory, loaded.
#[derive(Debug, Clone)]
pub struct Run {
    pub dir: PathBuf,
    /// Short unique name of the run among those loaded together (its directory name).
    pub label: String,
    /// `None` when the directory has no readable manifest (see `warnings`).
    pub manifest: Option<RunManifest>,
    /// Every row of `results.jsonl`, in file order.
    pub records: Vec<SampleRecord>,
    /// Every row of `rounds.jsonl`, in file order; empty for a run without feedback rounds.
    pub rounds: Vec<RoundRecord>,
    /// What was skipped while loading, for the user to see (a truncated last line, an unreadable
    /// manifest).
    pub warnings: Vec<String>,
}

impl Run {
    /// Loads `dir`. Errors name the file, and for a bad row its line and field.
    pub fn load(dir: &Path) -> Result<Run, ReportError> {
        let results = dir.join("results.jsonl");
        if !dir.is_dir() {
            return Err(ReportError::input(dir, "not a directory (expected a run directory)"));
        }
        let text = std::fs::read_to_string(&results).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                ReportError::input(
                    &results,
                    "missing: is this a run directory written by `evalrun run` or `evalrun score`?",
                )
            } else {
                ReportError::input(&results, e.to_string())
            }
        })?;
        let mut warnings = Vec::new();
        let records: Vec<SampleRecord> = read_journal(&results, &text, "result row", &mut warnings)?
            .into_iter()
            .map(|(_, record)| record)
            .collect();
        if records.is_empty() {
            return Err(ReportError::input(&results, "holds no result rows"));
        }
        let manifest_path = dir.join("manifest.json");
        let manifest = match RunManifest::read(&manifest_path) {
            Ok(manifest) => manifest,
            Err(e) => {
                warnings.push(format!("ignoring the manifest: {e}"));
                None
            }
        };
        if manifest.is_none() && warnings.iter().all(|w| !w.contains("manifest")) {
            warnings.push(format!(
                "{}: missing; model files, backend versions and the machine are not shown",
                manifest_path.display()
            ));
        }
        let rounds = crate::rounds::load(dir, &mut warnings)?;
        Ok(Run { dir: dir.to_path_buf(), label: label_of(dir), manifest, records, rounds, warnings })
    }

    /// Loads every directory in order and makes their labels unique.
    pub fn load_all(dirs: &[PathBuf]) -> Result<Vec<Run>, ReportError> {
        let mut runs = dirs.iter().map(|d| Run::load(d)).collect::<Result<Vec<_>, _>>()?;
        let names: Vec<String> = runs.iter().map(|r| r.label.clone()).collect();
        for (i, run) in runs.iter_mut().enumerate() {
            if names.iter().filter(|&n| *n == names[i]).count() > 1 {
                let nth = names[..i].iter().filter(|&n| *n == names[i]).count() + 1;
                run.label = format!("{}#{nth}", names[i]);
            }
        }
        Ok(runs)
    }

    /// The suite of the run: the manifest's, else the rows' distinct suites joined by `+`.
    pub fn suite(&self) -> String {
        if let Some(m) = &self.manifest {
            return m.suite.clone();
        }
        let mut suites: Vec<&str> =
            self.records.iter().map(|r| r.suite.as_str()).filter(|s| !s.is_empty()).collect();
        suites.sort_unstable();
        suites.dedup();
        suites.join("+")
    }
}

/// The rows of a journal (`results.jsonl`, `rounds.jsonl`) read from `path` as `text`, each
/// with its 1-based line number; `what` names a row in errors (`result row`).
pub(crate) fn read_journal<T: DeserializeOwned>(
    path: &Path,
    text: &str,
    what: &str,
    warnings: &mut Vec<String>,
) -> Result<Vec<(usize, T)>, ReportError> {
    let mut rows = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<T>(line) {
            Ok(row) => rows.push((i + 1, row)),
            // The journal is synced line by line, so only a run killed in the middle of a
            // write leaves an unterminated last line: what it held was never complete.
            Err(_) if i + 1 == lines.len() && !text.ends_with('\n') => warnings.push(format!(
                "{}:{}: skipped an unterminated last line (the run was interrupted while writing it)",
                path.display(),
                i + 1
            )),
            Err(e) => return Err(ReportError::input(path, format!("line {}: not a {what}: {e}", i + 1))),
        }
    }
    Ok(rows)
}

/// The directory's own name (`runs/q05` -> `q05`), or the path when it has none (`.`).
fn label_of(dir: &Path) -> String {
    let canonical = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    canonical
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| dir.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{record, write_run};
    use evalrun_core::Status;

    #[test]
    fn loads_rows_and_names_bad_lines() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = write_run(
            tmp.path(),
            "a",
            &[record("m", "T1", Status::Passed), record("m", "T2", Status::Failed)],
        );
        let run = Run::load(&dir).unwrap();
        assert_eq!(run.records.len(), 2);
        assert_eq!(run.label, "a");
        assert!(run.manifest.is_none());
        assert_eq!(run.warnings.len(), 1, "{:?}", run.warnings);

        // A row without `model` is an error naming the file, the line and the field.
        let results = dir.join("results.jsonl");
        let mut text = std::fs::read_to_string(&results).unwrap();
        text.push_str("{\"task_id\": \"T3\"}\n");
        std::fs::write(&results, &text).unwrap();
        let err = Run::load(&dir).unwrap_err().to_string();
        assert!(
            err.contains("results.jsonl") && err.contains("line 3") && err.contains("missing field"),
            "{err}"
        );

        // An unterminated last line is what a kill mid-write leaves: skipped with a warning.
        text.truncate(text.len() - "{\"task_id\": \"T3\"}\n".len());
        text.push_str("{\"task_id\": \"T3\", \"compl");
        std::fs::write(&results, &text).unwrap();
        let run = Run::load(&dir).unwrap();
        assert_eq!(run.records.len(), 2);
        assert!(run.warnings.iter().any(|w| w.contains(":3: skipped")), "{:?}", run.warnings);
    }

    #[test]
    fn loads_the_feedback_rounds() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = write_run(tmp.path(), "a", &[record("m", "T1", Status::Passed)]);
        assert!(Run::load(&dir).unwrap().rounds.is_empty());
        let rows = [
            crate::test_support::round("T1", 1, 1.0, 0.5, 0.5),
            crate::test_support::round("T1", 2, 2.0, 0.75, 0.5),
        ];
        let text: String = rows.iter().map(|r| serde_json::to_string(r).unwrap() + "\n").collect();
        // A torn last line, as in results.jsonl, is skipped with a warning.
        std::fs::write(dir.join("rounds.jsonl"), format!("{text}{{\"task_id\"")).unwrap();
        let run = Run::load(&dir).unwrap();
        assert_eq!(run.rounds, rows);
        assert!(run.warnings.iter().any(|w| w.contains("rounds.jsonl:3: skipped")), "{:?}", run.warnings);
        // Any other bad line is an error naming the file and the line.
        std::fs::write(dir.join("rounds.jsonl"), format!("{{\"round\": 1}}\n{text}")).unwrap();
        let err = Run::load(&dir).unwrap_err().to_string();
        assert!(err.contains("rounds.jsonl: line 1: not a round row"), "{err}");
    }

    #[test]
    fn refuses_what_is_not_a_run() {
        let tmp = tempfile::tempdir().unwrap();
        let err = Run::load(&tmp.path().join("nope")).unwrap_err().to_string();
        assert!(err.contains("nope") && err.contains("not a directory"), "{err}");
        let err = Run::load(tmp.path()).unwrap_err().to_string();
        assert!(err.contains("results.jsonl") && err.contains("missing"), "{err}");
        std::fs::write(tmp.path().join("results.jsonl"), "\n").unwrap();
        let err = Run::load(tmp.path()).unwrap_err().to_string();
        assert!(err.contains("no result rows"), "{err}");
        // A manifest that does not parse is reported, not fatal.
        let dir = write_run(tmp.path(), "b", &[record("m", "T1", Status::Passed)]);
        std::fs::write(dir.join("manifest.json"), "{\"suite\": 3}").unwrap();
        let run = Run::load(&dir).unwrap();
        assert!(run.warnings.iter().any(|w| w.contains("manifest.json")), "{:?}", run.warnings);
    }

    #[test]
    fn labels_are_unique() {
        let tmp = tempfile::tempdir().unwrap();
        let a = write_run(&tmp.path().join("x"), "run", &[record("m", "T1", Status::Passed)]);
        let b = write_run(&tmp.path().join("y"), "run", &[record("m", "T1", Status::Passed)]);
        let c = write_run(tmp.path(), "other", &[record("m", "T1", Status::Passed)]);
        let runs = Run::load_all(&[a, b, c]).unwrap();
        let labels: Vec<_> = runs.iter().map(|r| r.label.as_str()).collect();
        assert_eq!(labels, ["run#1", "run#2", "other"]);
    }
}
