//! How many sequences a run decodes together when `--slots` is not given.
//!
//! Aggregate throughput grows with the slot count until the machine's compute is saturated;
//! past that knee more slots only lengthen every sequence. `evalrun bench batching` measures the
//! curve for a model file on this machine and records its knee in `$EVALRUN_HOME/slots.json`,
//! keyed by the model's sha256, the thread count and the CPU. A run takes the recorded knee, or
//! [`BUILTIN_SLOTS`] (the knee measured on the 2-core development machine, docs/PERFORMANCE.md)
//! when nothing was measured here.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The default when no measurement of this model exists on this machine.
pub const BUILTIN_SLOTS: usize = 16;

/// Where the recorded knees live, under `$EVALRUN_HOME`.
pub const FILE_NAME: &str = "slots.json";

/// A slot count and where it came from, for the manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlotChoice {
    pub slots: usize,
    /// `flag` (given with `--slots`), `measured` (recorded by `evalrun bench batching` on this
    /// machine) or `builtin`.
    pub source: String,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Recorded {
    /// Key: see [`key`].
    knees: BTreeMap<String, usize>,
}

#[derive(Debug, thiserror::Error)]
pub enum SlotCountError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{path}: not a slot record ({reason}); delete it or run `evalrun bench batching` again")]
    Corrupt { path: PathBuf, reason: String },
}

fn key(model_sha256: &str, threads: usize, cpu: &str) -> String {
    format!("{model_sha256}/{threads} threads/{cpu}")
}

fn read(path: &Path) -> Result<Recorded, SlotCountError> {
    match std::fs::read_to_string(path) {
        Ok(text) => serde_json::from_str(&text)
            .map_err(|e| SlotCountError::Corrupt { path: path.to_path_buf(), reason: e.to_string() }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Recorded::default()),
        Err(source) => Err(SlotCountError::Io { path: path.to_path_buf(), source }),
    }
}

/// The slot count for a run: `flag` when given (non-zero), else the knee recorded for this model,
/// thread count and CPU, else [`BUILTIN_SLOTS`].
pub fn choose(
    home: &Path,
    flag: usize,
    model_sha256: &str,
    threads: usize,
    cpu: &str,
) -> Result<SlotChoice, SlotCountError> {
    if flag > 0 {
        return Ok(SlotChoice { slots: flag, source: "flag".into() });
    }
    let recorded = read(&home.join(FILE_NAME))?;
    Ok(match recorded.knees.get(&key(model_sha256, threads, cpu)) {
        Some(&slots) if slots > 0 => SlotChoice { slots, source: "measured".into() },
        _ => SlotChoice { slots: BUILTIN_SLOTS, source: "builtin".into() },
    })
}

/// Record the knee measured for this model, thread count and CPU (replacing an earlier one).
pub fn record(
    home: &Path,
    model_sha256: &str,
    threads: usize,
    cpu: &str,
    slots: usize,
) -> Result<(), SlotCountError> {
    let path = home.join(FILE_NAME);
    let io = |source| SlotCountError::Io { path: path.clone(), source };
    let mut recorded = read(&path)?;
    recorded.knees.insert(key(model_sha256, threads, cpu), slots);
    std::fs::create_dir_all(home).map_err(io)?;
    let text = serde_json::to_string_pretty(&recorded).map_err(|e| io(e.into()))?;
    // Write then rename, so a reader never sees half a file.
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, text).map_err(io)?;
    std::fs::rename(&tmp, &path).map_err(io)
}

/// The knee of a throughput curve: the smallest slot count whose aggregate tokens/s is within
/// `tolerance` (a fraction, e.g. 0.05) of the best. `curve` holds (slots, tokens/s) pairs.
pub fn knee(curve: &[(usize, f64)], tolerance: f64) -> Option<usize> {
    let best = curve.iter().map(|&(_, t)| t).fold(f64::NAN, f64::max);
    if !best.is_finite() {
        return None;
    }
    let mut points: Vec<_> = curve.to_vec();
    points.sort_by_key(|&(s, _)| s);
    points.into_iter().find(|&(_, t)| t >= best * (1.0 - tolerance)).map(|(s, _)| s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flag_wins_then_a_recorded_knee_then_the_builtin() {
        let home = tempfile::tempdir().unwrap();
        let builtin = choose(home.path(), 0, "abc", 2, "cpu").unwrap();
        assert_eq!(builtin, SlotChoice { slots: BUILTIN_SLOTS, source: "builtin".into() });
        record(home.path(), "abc", 2, "cpu", 12).unwrap();
        assert_eq!(choose(home.path(), 0, "abc", 2, "cpu").unwrap().slots, 12);
        assert_eq!(choose(home.path(), 0, "abc", 4, "cpu").unwrap().source, "builtin");
        assert_eq!(
            choose(home.path(), 3, "abc", 2, "cpu").unwrap(),
            SlotChoice { slots: 3, source: "flag".into() }
        );
    }

    #[test]
    fn a_corrupt_record_names_the_file() {
        let home = tempfile::tempdir().unwrap();
        std::fs::write(home.path().join(FILE_NAME), "{not json").unwrap();
        let err = choose(home.path(), 0, "abc", 2, "cpu").unwrap_err().to_string();
        assert!(err.contains(FILE_NAME) && err.contains("bench batching"), "{err}");
    }

    #[test]
    fn the_knee_is_the_first_count_near_the_best() {
        let curve = [(1, 35.0), (2, 44.0), (4, 71.0), (8, 76.0), (16, 112.0), (32, 114.0)];
        assert_eq!(knee(&curve, 0.05), Some(16));
        assert_eq!(knee(&[(1, 40.0), (2, 39.0)], 0.05), Some(1));
        assert_eq!(knee(&[], 0.05), None);
    }
}
