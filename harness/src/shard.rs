//! Shards: one run split over machines (`--shard I/N`), each machine running the samples of its
//! shard. Every sample key (model, backend, task id, sample index) belongs to exactly one of N
//! shards, chosen from a SHA-256 of the key alone, so the split is the same on every machine,
//! in any order, and under any `--limit` or `--task-ids` (they drop keys, never move one).
//!
//! `--shard auto` takes I and N from the job engine's own variables ([`Shard::from_env`]).

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Kubernetes gives an Indexed Job's pods their index but not the Job's `completions`: the pod
/// spec passes it in this variable.
pub const SHARD_COUNT_VAR: &str = "EVALRUN_SHARD_COUNT";

/// Where a shard's I and N came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ShardSource {
    /// `--shard I/N`.
    Flag,
    /// `JOB_COMPLETION_INDEX` and [`SHARD_COUNT_VAR`].
    Kubernetes,
    /// `SLURM_ARRAY_TASK_ID`, `SLURM_ARRAY_TASK_MIN`, `SLURM_ARRAY_TASK_COUNT`.
    Slurm,
    /// `CI_NODE_INDEX`, `CI_NODE_TOTAL` (a job with `parallel: N`).
    Gitlab,
}

/// Shard `index` of `count`, as the manifest records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// From 1 to `count`, as Jest and Playwright count.
    pub index: u32,
    pub count: u32,
    pub source: ShardSource,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShardError {
    #[error("--shard {0:?}: expected I/N, shard I of N with I from 1 to N (e.g. 1/3), or `auto`")]
    Syntax(String),
    #[error("--shard {text}: there is no shard {index} of {count}: I counts from 1 to N")]
    OutOfRange { text: String, index: u64, count: u64 },
    #[error(
        "--shard auto: no job engine's variables are set. It reads a Kubernetes Indexed Job's \
         JOB_COMPLETION_INDEX (with EVALRUN_SHARD_COUNT set to the Job's completions), a Slurm job \
         array's SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_MIN and SLURM_ARRAY_TASK_COUNT, or GitLab's \
         CI_NODE_INDEX and CI_NODE_TOTAL (`parallel: N`); elsewhere pass --shard I/N"
    )]
    NoEngine,
    #[error("--shard auto: variables of several job engines are set ({0}): pass --shard I/N")]
    Ambiguous(String),
    #[error("--shard auto: {engine} sets {present} but not {missing}{hint}")]
    Missing { engine: &'static str, present: &'static str, missing: &'static str, hint: &'static str },
    #[error("--shard auto: {var}={value:?} is not a whole number")]
    NotANumber { var: &'static str, value: String },
    #[error("--shard auto: {0}")]
    Inconsistent(String),
}

impl Shard {
    /// `--shard`'s value: `I/N`, or `auto` (the job engine's variables, read through `env`).
    pub fn resolve(text: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<Shard, ShardError> {
        if text.trim() == "auto" {
            Shard::from_env(env)
        } else {
            Shard::parse(text)
        }
    }

    /// `I/N` with 1 <= I <= N.
    pub fn parse(text: &str) -> Result<Shard, ShardError> {
        let syntax = || ShardError::Syntax(text.to_string());
        let (i, n) = text.trim().split_once('/').ok_or_else(syntax)?;
        let index: u64 = i.trim().parse().map_err(|_| syntax())?;
        let count: u64 = n.trim().parse().map_err(|_| syntax())?;
        Shard::checked(index, count, ShardSource::Flag).ok_or(ShardError::OutOfRange {
            text: text.trim().to_string(),
            index,
            count,
        })
    }

    fn checked(index: u64, count: u64, source: ShardSource) -> Option<Shard> {
        let (index, count) = (u32::try_from(index).ok()?, u32::try_from(count).ok()?);
        (index >= 1 && index <= count).then_some(Shard { index, count, source })
    }

    /// The shard a job engine gives this process, from its variables (`env` looks one up; an
    /// empty value counts as unset). Refuses when none or several engines' variables are set.
    pub fn from_env(env: &dyn Fn(&str) -> Option<String>) -> Result<Shard, ShardError> {
        let get = |var: &str| env(var).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        let engines: Vec<&str> = [
            ("JOB_COMPLETION_INDEX", "Kubernetes"),
            ("SLURM_ARRAY_TASK_ID", "Slurm"),
            ("CI_NODE_INDEX", "GitLab"),
        ]
        .into_iter()
        .filter(|(var, _)| get(var).is_some())
        .map(|(var, _)| var)
        .collect();
        match engines.as_slice() {
            [] => Err(ShardError::NoEngine),
            ["JOB_COMPLETION_INDEX"] => kubernetes(&get),
            ["SLURM_ARRAY_TASK_ID"] => slurm(&get),
            ["CI_NODE_INDEX"] => gitlab(&get),
            several => Err(ShardError::Ambiguous(several.join(", "))),
        }
    }

    /// The shard (1..=`count`) that sample `sample` of `task_id` by `model` through `backend`
    /// belongs to: 1 + the first 8 bytes of SHA-256(model NUL backend NUL task_id NUL sample),
    /// read as a big-endian integer, modulo `count`.
    pub fn of_key(count: u32, model: &str, backend: &str, task_id: &str, sample: u32) -> u32 {
        let mut hash = Sha256::new();
        for part in [model, backend, task_id] {
            hash.update(part.as_bytes());
            hash.update([0u8]);
        }
        hash.update(sample.to_string().as_bytes());
        let digest = hash.finalize();
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        // The modulo's bias is below 2^-32 for any count that fits a u32.
        (u64::from_be_bytes(first) % u64::from(count.max(1))) as u32 + 1
    }

    /// Whether the key belongs to this shard.
    pub fn owns(&self, model: &str, backend: &str, task_id: &str, sample: u32) -> bool {
        Shard::of_key(self.count, model, backend, task_id, sample) == self.index
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

fn number(var: &'static str, value: &str) -> Result<u64, ShardError> {
    value.parse().map_err(|_| ShardError::NotANumber { var, value: value.to_string() })
}

/// An Indexed Job's pods get `JOB_COMPLETION_INDEX`, counted from 0.
fn kubernetes(get: &dyn Fn(&str) -> Option<String>) -> Result<Shard, ShardError> {
    let index = number("JOB_COMPLETION_INDEX", &get("JOB_COMPLETION_INDEX").unwrap_or_default())?;
    let count = get(SHARD_COUNT_VAR).ok_or(ShardError::Missing {
        engine: "Kubernetes",
        present: "JOB_COMPLETION_INDEX",
        missing: SHARD_COUNT_VAR,
        hint: ": set it in the pod's env to the Job's `completions`",
    })?;
    let count = number(SHARD_COUNT_VAR, &count)?;
    Shard::checked(index + 1, count, ShardSource::Kubernetes).ok_or_else(|| {
        ShardError::Inconsistent(format!(
            "JOB_COMPLETION_INDEX={index} is not below {SHARD_COUNT_VAR}={count}: set {SHARD_COUNT_VAR} \
             to the Job's `completions`"
        ))
    })
}

/// A job array's task ids run from `SLURM_ARRAY_TASK_MIN`, in steps of 1 for the count to cover
/// them (`--array=0-9` or `1-10`; not `0-18:2`).
fn slurm(get: &dyn Fn(&str) -> Option<String>) -> Result<Shard, ShardError> {
    let need = |missing: &'static str| {
        get(missing).ok_or(ShardError::Missing {
            engine: "Slurm",
            present: "SLURM_ARRAY_TASK_ID",
            missing,
            hint: " (a job array, sbatch --array, sets all three)",
        })
    };
    let id = number("SLURM_ARRAY_TASK_ID", &need("SLURM_ARRAY_TASK_ID")?)?;
    let min = number("SLURM_ARRAY_TASK_MIN", &need("SLURM_ARRAY_TASK_MIN")?)?;
    let count = number("SLURM_ARRAY_TASK_COUNT", &need("SLURM_ARRAY_TASK_COUNT")?)?;
    let not_contiguous = || {
        ShardError::Inconsistent(format!(
            "SLURM_ARRAY_TASK_ID={id} with SLURM_ARRAY_TASK_MIN={min} and SLURM_ARRAY_TASK_COUNT={count}: \
             the array's ids must be contiguous (--array=0-{} or 1-{count}, no step)",
            count.saturating_sub(1)
        ))
    };
    if let Some(max) = get("SLURM_ARRAY_TASK_MAX") {
        let max = number("SLURM_ARRAY_TASK_MAX", &max)?;
        if max.checked_sub(min).map(|d| d + 1) != Some(count) {
            return Err(not_contiguous());
        }
    }
    let offset = id.checked_sub(min).ok_or_else(not_contiguous)?;
    Shard::checked(offset + 1, count, ShardSource::Slurm).ok_or_else(not_contiguous)
}

/// GitLab's `parallel: N` numbers its jobs from 1.
fn gitlab(get: &dyn Fn(&str) -> Option<String>) -> Result<Shard, ShardError> {
    let index = number("CI_NODE_INDEX", &get("CI_NODE_INDEX").unwrap_or_default())?;
    let total = get("CI_NODE_TOTAL").ok_or(ShardError::Missing {
        engine: "GitLab",
        present: "CI_NODE_INDEX",
        missing: "CI_NODE_TOTAL",
        hint: " (a job with `parallel: N` sets both)",
    })?;
    let total = number("CI_NODE_TOTAL", &total)?;
    Shard::checked(index, total, ShardSource::Gitlab).ok_or_else(|| {
        ShardError::Inconsistent(format!("CI_NODE_INDEX={index} is not within 1..=CI_NODE_TOTAL={total}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> =
            pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |k| map.get(k).cloned()
    }

    fn flag(index: u32, count: u32) -> Shard {
        Shard { index, count, source: ShardSource::Flag }
    }

    #[test]
    fn parses_i_of_n_counting_from_one() {
        assert_eq!(Shard::parse("1/3"), Ok(flag(1, 3)));
        assert_eq!(Shard::parse(" 3 / 3 "), Ok(flag(3, 3)));
        assert_eq!(Shard::parse("1/1"), Ok(flag(1, 1)));
        for bad in ["0/3", "4/3", "1/0"] {
            let err = Shard::parse(bad).unwrap_err().to_string();
            assert!(err.contains("counts from 1 to N") && err.contains(bad), "{err}");
        }
        for bad in ["3", "a/3", "1/3/5", "-1/3", "", "1/99999999999"] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(flag(2, 5).to_string(), "2/5");
    }

    #[test]
    fn every_key_has_exactly_one_shard_and_the_split_is_even() {
        let n = 3;
        let mut sizes = [0usize; 3];
        for t in 0..164 {
            for s in 0..5 {
                let task = format!("HumanEval/{t}");
                let owners: Vec<u32> =
                    (1..=n).filter(|&i| flag(i, n).owns("qwen", "llamacpp", &task, s)).collect();
                assert_eq!(owners.len(), 1);
                sizes[owners[0] as usize - 1] += 1;
            }
        }
        // 820 keys: each shard within 10% of a third.
        assert!(sizes.iter().all(|&k| (246..=301).contains(&k)), "{sizes:?}");
    }

    #[test]
    fn the_hash_is_pinned() {
        // Shards made by one evalrun must merge with another's: the assignment never changes.
        let got: Vec<u32> =
            (0..8).map(|t| Shard::of_key(3, "qwen", "llamacpp", &format!("HumanEval/{t}"), 0)).collect();
        let mut hash = Sha256::new();
        hash.update(b"qwen\0llamacpp\0HumanEval/0\x000");
        let first = u64::from_be_bytes(hash.finalize()[..8].try_into().unwrap());
        assert_eq!(got[0], (first % 3) as u32 + 1);
        assert!(got.iter().all(|&i| (1..=3).contains(&i)));
        // Keys differing only in where a part ends hash apart (the NUL separators).
        assert_ne!(
            (0..32).map(|n| Shard::of_key(97, "ab", "c", "t", n)).collect::<Vec<_>>(),
            (0..32).map(|n| Shard::of_key(97, "a", "bc", "t", n)).collect::<Vec<_>>()
        );
    }

    #[test]
    fn auto_reads_each_engine() {
        let k8s = env(&[("JOB_COMPLETION_INDEX", "0"), (SHARD_COUNT_VAR, "3")]);
        assert_eq!(
            Shard::resolve("auto", &k8s),
            Ok(Shard { index: 1, count: 3, source: ShardSource::Kubernetes })
        );
        let slurm = env(&[
            ("SLURM_ARRAY_TASK_ID", "7"),
            ("SLURM_ARRAY_TASK_MIN", "5"),
            ("SLURM_ARRAY_TASK_MAX", "8"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
        ]);
        assert_eq!(Shard::from_env(&slurm), Ok(Shard { index: 3, count: 4, source: ShardSource::Slurm }));
        let gitlab = env(&[("CI_NODE_INDEX", "2"), ("CI_NODE_TOTAL", "2")]);
        assert_eq!(Shard::from_env(&gitlab), Ok(Shard { index: 2, count: 2, source: ShardSource::Gitlab }));
    }

    #[test]
    fn auto_refuses_what_it_cannot_read() {
        let err = |pairs: &[(&str, &str)]| Shard::from_env(&env(pairs)).unwrap_err().to_string();
        assert!(err(&[]).contains("no job engine"), "{}", err(&[]));
        assert!(err(&[("JOB_COMPLETION_INDEX", "")]).contains("no job engine"));
        assert!(err(&[("JOB_COMPLETION_INDEX", "1")]).contains(SHARD_COUNT_VAR));
        assert!(err(&[("JOB_COMPLETION_INDEX", "3"), (SHARD_COUNT_VAR, "3")]).contains("not below"));
        assert!(err(&[("JOB_COMPLETION_INDEX", "x"), (SHARD_COUNT_VAR, "3")]).contains("not a whole number"));
        assert!(err(&[("SLURM_ARRAY_TASK_ID", "1"), ("SLURM_ARRAY_TASK_COUNT", "2")])
            .contains("SLURM_ARRAY_TASK_MIN"));
        // --array=0-4:2 gives ids 0, 2, 4 and a count of 3.
        let stepped = [
            ("SLURM_ARRAY_TASK_ID", "4"),
            ("SLURM_ARRAY_TASK_MIN", "0"),
            ("SLURM_ARRAY_TASK_MAX", "4"),
            ("SLURM_ARRAY_TASK_COUNT", "3"),
        ];
        assert!(err(&stepped).contains("contiguous"), "{}", err(&stepped));
        assert!(err(&[("CI_NODE_INDEX", "1")]).contains("CI_NODE_TOTAL"));
        let both = err(&[("JOB_COMPLETION_INDEX", "0"), ("SLURM_ARRAY_TASK_ID", "0")]);
        assert!(both.contains("several") && both.contains("SLURM_ARRAY_TASK_ID"), "{both}");
    }
}
