//! `evalrun merge`: the run directories of the shards of one run (`--shard I/N`) joined into one
//! run directory, as an unsharded run would have written it: `results.jsonl`, `samples.jsonl`
//! and `rounds.jsonl` (where the shards have them) in plan order, and a manifest that keeps
//! each shard's machine, start and end (`shards`).
//!
//! Nothing is written unless the shards are the whole of one run: their manifests agree on
//! what decides the samples, every shard from 1 to N is there once, each holds only its own
//! keys, and each has a verdict for every key it owns.

use crate::journal::{self, Journal, JournalError};
use crate::manifest::{RunManifest, ShardProvenance};
use crate::pipeline::{GeneratedSample, RESULTS_FILE, SAMPLES_FILE};
use crate::shard::Shard;
use crate::testwriting::rounds::ROUNDS_FILE;
use evalrun_core::{RoundRecord, SampleKey, SampleRecord};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Keys named in full by an error; the rest are counted.
const KEYS_NAMED: usize = 20;

#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    #[error("{path}: {reason}")]
    Read { path: PathBuf, reason: String },
    #[error("{dir}: not a shard: its manifest has no `shard` (merge joins runs made with --shard I/N)")]
    NotAShard { dir: PathBuf },
    #[error("the shards' manifests disagree on {what}: {first} has {a}, {other} has {b}")]
    Disagree { what: &'static str, first: PathBuf, a: String, other: PathBuf, b: String },
    #[error("shards overlap: {a} and {b} are both shard {shard}")]
    SameShard { shard: String, a: PathBuf, b: PathBuf },
    #[error("shards overlap: {dir}, shard {shard}, holds {key}, which belongs to shard {owner}")]
    Foreign { dir: PathBuf, shard: String, key: String, owner: String },
    #[error("{path} holds {key} twice")]
    Duplicate { path: PathBuf, key: String },
    #[error(
        "{path} holds {key}, which is not a sample of the run (its manifest's models, tasks and samples)"
    )]
    Outside { path: PathBuf, key: String },
    #[error("{} missing (the directories given hold {given})", missing_phrase(.missing))]
    Missing { missing: Vec<String>, given: String },
    #[error("{}", incomplete_text(.0))]
    Incomplete(Vec<Incomplete>),
    #[error("{dir}: {reason}")]
    Out { dir: PathBuf, reason: String },
    #[error(transparent)]
    Journal(#[from] JournalError),
    #[error("writing {path}: {source}")]
    Write { path: PathBuf, source: std::io::Error },
}

/// A shard without a verdict for some of its keys.
#[derive(Debug)]
pub struct Incomplete {
    pub shard: String,
    pub dir: PathBuf,
    pub expected: usize,
    /// The keys without a verdict, named as errors name them.
    pub missing: Vec<String>,
}

fn missing_phrase(missing: &[String]) -> String {
    match missing {
        [one] => format!("shard {one} is"),
        many => format!("shards {} are", many.join(", ")),
    }
}

fn incomplete_text(shards: &[Incomplete]) -> String {
    let mut text = String::new();
    for (i, s) in shards.iter().enumerate() {
        if i > 0 {
            text.push('\n');
        }
        let named: Vec<&str> = s.missing.iter().take(KEYS_NAMED).map(String::as_str).collect();
        let _ = write!(
            text,
            "shard {} ({}) is incomplete: {} of its {} samples have no verdict: {}",
            s.shard,
            s.dir.display(),
            s.missing.len(),
            s.expected,
            named.join(", ")
        );
        if s.missing.len() > KEYS_NAMED {
            let _ = write!(text, " and {} more", s.missing.len() - KEYS_NAMED);
        }
        let _ = write!(text, "; finish it with --resume --out {}", s.dir.display());
    }
    text
}

/// A key as errors name it: `HumanEval/3 #0 (model, backend)`.
pub fn key_name(key: &SampleKey) -> String {
    let (model, backend, task, sample) = key;
    format!("{task} #{sample} ({model}, {backend})")
}

/// The merged run, written.
pub struct Merged {
    pub manifest: RunManifest,
    pub records: Vec<SampleRecord>,
}

/// One shard's run directory, read.
struct ShardRun {
    dir: PathBuf,
    manifest: RunManifest,
    shard: Shard,
    results: Vec<SampleRecord>,
    samples: Vec<GeneratedSample>,
    rounds: Vec<RoundRecord>,
    finished_at: Option<String>,
}

impl ShardRun {
    fn read(dir: &Path) -> Result<ShardRun, MergeError> {
        if !dir.is_dir() {
            return Err(MergeError::Read { path: dir.to_path_buf(), reason: "not a directory".into() });
        }
        let manifest_path = dir.join("manifest.json");
        let manifest = RunManifest::read(&manifest_path)
            .map_err(|reason| MergeError::Read { path: manifest_path.clone(), reason })?
            .ok_or_else(|| MergeError::Read {
                path: manifest_path.clone(),
                reason: "missing: is this a run directory written with --shard?".into(),
            })?;
        let shard = manifest.shard.ok_or_else(|| MergeError::NotAShard { dir: dir.to_path_buf() })?;
        let results_path = dir.join(RESULTS_FILE);
        if !results_path.is_file() {
            return Err(MergeError::Read {
                path: results_path,
                reason: "missing: the shard has not judged anything yet".into(),
            });
        }
        let results = journal::read_all(&results_path)?;
        // The end: when the command finished, else when its last verdict was written.
        let finished_at = manifest.finished_at.clone().or_else(|| {
            let written = std::fs::metadata(&results_path).and_then(|m| m.modified()).ok()?;
            Some(humantime::format_rfc3339_seconds(written).to_string())
        });
        Ok(ShardRun {
            dir: dir.to_path_buf(),
            samples: read_if_present(&dir.join(SAMPLES_FILE))?,
            rounds: read_if_present(&dir.join(ROUNDS_FILE))?,
            manifest,
            shard,
            results,
            finished_at,
        })
    }
}

fn read_if_present<T: DeserializeOwned>(path: &Path) -> Result<Vec<T>, MergeError> {
    if path.is_file() {
        Ok(journal::read_all(path)?)
    } else {
        Ok(Vec::new())
    }
}

/// A manifest field as text, to compare and show.
type Field = fn(&RunManifest) -> String;

/// What shards must agree on, each as text to compare and show: the manifest's fields that
/// decide which samples exist and what they come out as.
const AGREEMENT: [(&str, Field); 8] = [
    ("shard count", |m| m.shard.map_or_else(String::new, |s| s.count.to_string())),
    ("model hash (models: id, backend, sha256)", |m| {
        m.models
            .iter()
            .map(|x| format!("{} ({}) {}", x.id, x.backend, x.sha256))
            .collect::<Vec<_>>()
            .join(", ")
    }),
    ("seed", |m| m.sampling.seed.to_string()),
    ("sampling (temperature, top_p, max_tokens, samples per task, rounds, token budgets)", |m| {
        let s = &m.sampling;
        format!(
            "temperature {}, top_p {}, max_tokens {}{}, {} samples per task, {} rounds, token budgets {:?}",
            s.temperature,
            s.top_p,
            s.max_tokens,
            if s.ignore_eos { " (ignore_eos)" } else { "" },
            m.samples_per_task,
            m.rounds,
            m.token_budgets
        )
    }),
    ("prompt template", |m| {
        // Recorded when a model is loaded: a shard that loaded none has nothing to compare.
        m.models
            .iter()
            .map(|x| x.prompt_template.as_ref().map_or_else(|| "?".into(), |t| t.name.clone()))
            .collect::<Vec<_>>()
            .join(", ")
    }),
    ("corpus version", |m| m.corpus_version.clone()),
    ("task selection (--suite, --language, --limit, --task-ids; samples per task of a samples file)", |m| {
        format!("suite {}: {} tasks: {} {:?}", m.suite, m.tasks.len(), m.tasks.join(","), m.sample_counts)
    }),
    ("sandbox limits (--timeout, --memory, ...)", |m| serde_json::to_string(&m.limits).unwrap_or_default()),
];

/// Whether two prompt-template texts (as [`AGREEMENT`] spells them) agree: `?` (not loaded)
/// agrees with anything.
fn templates_agree(a: &str, b: &str) -> bool {
    let (a, b): (Vec<&str>, Vec<&str>) = (a.split(", ").collect(), b.split(", ").collect());
    a.len() == b.len() && a.iter().zip(&b).all(|(x, y)| x == y || *x == "?" || *y == "?")
}

/// Values shown whole when short, else around their first difference.
fn excerpts(a: &str, b: &str) -> (String, String) {
    const BEFORE: usize = 40;
    const AFTER: usize = 80;
    if a.len().max(b.len()) <= 2 * (BEFORE + AFTER) {
        return (a.to_string(), b.to_string());
    }
    let at = a
        .char_indices()
        .zip(b.chars())
        .find(|((_, x), y)| x != y)
        .map_or(a.len().min(b.len()), |((i, _), _)| i);
    let cut = |s: &str| {
        let start = s.char_indices().map(|(i, _)| i).rfind(|&i| i + BEFORE <= at).unwrap_or(0);
        let end = s.char_indices().map(|(i, _)| i).find(|&i| i >= at + AFTER).unwrap_or(s.len());
        format!(
            "{}{}{}",
            if start > 0 { "..." } else { "" },
            &s[start..end],
            if end < s.len() { "..." } else { "" }
        )
    };
    (cut(a), cut(b))
}

/// Join the shard runs in `dirs` into `out`. `command` is recorded as the merged run's command
/// line. Refuses, writing nothing, unless the shards are the whole of one run.
pub fn merge(dirs: &[PathBuf], out: &Path, command: Vec<String>) -> Result<Merged, MergeError> {
    for name in ["manifest.json", RESULTS_FILE, SAMPLES_FILE, ROUNDS_FILE] {
        if out.join(name).exists() {
            return Err(MergeError::Out {
                dir: out.to_path_buf(),
                reason: format!("already holds a run ({name}): choose another --out"),
            });
        }
    }
    let mut shards = dirs.iter().map(|d| ShardRun::read(d)).collect::<Result<Vec<_>, _>>()?;
    let Some(first) = shards.first() else {
        return Err(MergeError::Read {
            path: out.to_path_buf(),
            reason: "no shard directories given".into(),
        });
    };
    for other in &shards[1..] {
        for (what, value) in AGREEMENT {
            let (a, b) = (value(&first.manifest), value(&other.manifest));
            let agree = if what == "prompt template" { templates_agree(&a, &b) } else { a == b };
            if !agree {
                let (a, b) = excerpts(&a, &b);
                return Err(MergeError::Disagree {
                    what,
                    first: first.dir.clone(),
                    a,
                    other: other.dir.clone(),
                    b,
                });
            }
        }
    }

    shards.sort_by_key(|s| s.shard.index);
    for pair in shards.windows(2) {
        if pair[0].shard.index == pair[1].shard.index {
            return Err(MergeError::SameShard {
                shard: pair[0].shard.to_string(),
                a: pair[0].dir.clone(),
                b: pair[1].dir.clone(),
            });
        }
    }
    let count = shards[0].shard.count;
    // Plan order: where each key of the whole run comes.
    let all_keys = shards[0].manifest.sample_keys();
    let order: HashMap<&SampleKey, usize> = all_keys.iter().enumerate().map(|(i, k)| (k, i)).collect();
    for s in &shards {
        let path = s.dir.join(RESULTS_FILE);
        let mut seen = HashSet::new();
        for row in &s.results {
            let key = row.key();
            if !order.contains_key(&key) {
                return Err(MergeError::Outside { path, key: key_name(&key) });
            }
            let owner = Shard::of_key(count, &key.0, &key.1, &key.2, key.3);
            if owner != s.shard.index {
                return Err(MergeError::Foreign {
                    dir: s.dir.clone(),
                    shard: s.shard.to_string(),
                    key: key_name(&key),
                    owner: format!("{owner}/{count}"),
                });
            }
            if !seen.insert(key.clone()) {
                return Err(MergeError::Duplicate { path, key: key_name(&key) });
            }
        }
    }
    let present: HashSet<u32> = shards.iter().map(|s| s.shard.index).collect();
    let missing: Vec<String> =
        (1..=count).filter(|i| !present.contains(i)).map(|i| format!("{i}/{count}")).collect();
    if !missing.is_empty() {
        let given = shards.iter().map(|s| format!("{} ({})", s.shard, s.dir.display())).collect::<Vec<_>>();
        return Err(MergeError::Missing { missing, given: given.join(", ") });
    }
    let incomplete: Vec<Incomplete> = shards
        .iter()
        .filter_map(|s| {
            let judged: HashSet<SampleKey> = s.results.iter().map(SampleRecord::key).collect();
            let owned: Vec<&SampleKey> = all_keys
                .iter()
                .filter(|k| Shard::of_key(count, &k.0, &k.1, &k.2, k.3) == s.shard.index)
                .collect();
            let missing: Vec<String> =
                owned.iter().filter(|k| !judged.contains(**k)).map(|k| key_name(k)).collect();
            (!missing.is_empty()).then(|| Incomplete {
                shard: s.shard.to_string(),
                dir: s.dir.clone(),
                expected: owned.len(),
                missing,
            })
        })
        .collect();
    if !incomplete.is_empty() {
        return Err(MergeError::Incomplete(incomplete));
    }

    let manifest = merged_manifest(&shards, command);
    let position = |key: &SampleKey| order.get(key).copied().unwrap_or(usize::MAX);
    let mut records: Vec<SampleRecord> = shards.iter().flat_map(|s| s.results.iter().cloned()).collect();
    records.sort_by_key(|r| position(&r.key()));
    let mut samples: Vec<GeneratedSample> = shards.iter().flat_map(|s| s.samples.iter().cloned()).collect();
    samples.sort_by_key(|g| position(&(g.model.clone(), g.backend.clone(), g.task_id.clone(), g.sample)));
    let mut rounds: Vec<RoundRecord> = shards.iter().flat_map(|s| s.rounds.iter().cloned()).collect();
    rounds.sort_by_key(|r| (position(&r.key()), r.round));

    std::fs::create_dir_all(out).map_err(|source| MergeError::Write { path: out.to_path_buf(), source })?;
    write_journal(&out.join(RESULTS_FILE), &records)?;
    if shards.iter().any(|s| s.dir.join(SAMPLES_FILE).is_file()) {
        write_journal(&out.join(SAMPLES_FILE), &samples)?;
    }
    if !rounds.is_empty() {
        write_journal(&out.join(ROUNDS_FILE), &rounds)?;
    }
    // Last: a directory with a manifest is a finished merge.
    let path = out.join("manifest.json");
    manifest.write(&path).map_err(|source| MergeError::Write { path, source })?;
    Ok(Merged { manifest, records })
}

fn write_journal<T: Serialize + DeserializeOwned>(path: &Path, rows: &[T]) -> Result<(), MergeError> {
    let (mut journal, _) = Journal::<T>::open(path, false)?;
    journal.append_all(rows)?;
    Ok(())
}

/// Shard 1's manifest as the run's, less its `shard`, with every shard's provenance, the first
/// start and the last end, and for each model what the shards that loaded it recorded.
fn merged_manifest(shards: &[ShardRun], command: Vec<String>) -> RunManifest {
    let mut merged = shards[0].manifest.clone();
    merged.shard = None;
    merged.command = command;
    merged.shards = shards
        .iter()
        .map(|s| ShardProvenance {
            shard: s.shard,
            dir: s.dir.display().to_string(),
            machine: s.manifest.machine.clone(),
            evalrun_version: s.manifest.evalrun_version.clone(),
            command: s.manifest.command.clone(),
            started_at: s.manifest.created_at.clone(),
            finished_at: s.finished_at.clone(),
            samples: s.results.len(),
        })
        .collect();
    // RFC 3339 UTC times of one precision sort as text.
    if let Some(start) = shards.iter().map(|s| &s.manifest.created_at).min() {
        merged.created_at = start.clone();
    }
    merged.finished_at = shards.iter().filter_map(|s| s.finished_at.clone()).max();
    // Models are listed alike in every shard (checked); a shard that had nothing of a model to
    // generate never loaded it, so take what the others recorded.
    for (i, model) in merged.models.iter_mut().enumerate() {
        for other in shards.iter().filter_map(|s| s.manifest.models.get(i)) {
            model.backend_version = model.backend_version.take().or_else(|| other.backend_version.clone());
            model.chat_template = model.chat_template.take().or_else(|| other.chat_template.clone());
            model.prompt_template = model.prompt_template.take().or_else(|| other.prompt_template.clone());
            model.slots = model.slots.take().or_else(|| other.slots.clone());
            model.prompt_sharing = model.prompt_sharing.or(other.prompt_sharing);
            model.compute_features = model.compute_features.take().or_else(|| other.compute_features.clone());
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_show_the_first_difference() {
        let a = format!("{}X{}", "a".repeat(200), "b".repeat(200));
        let b = format!("{}Y{}", "a".repeat(200), "b".repeat(200));
        let (x, y) = excerpts(&a, &b);
        assert!(x.starts_with("...") && x.ends_with("...") && x.contains("aX") && x.len() < 140, "{x}");
        assert!(y.contains("aY"), "{y}");
        assert_eq!(excerpts("1", "2"), ("1".to_string(), "2".to_string()));
        assert_eq!(excerpts("ab", "abc"), ("ab".to_string(), "abc".to_string()));
    }

    #[test]
    fn an_unloaded_model_agrees_with_any_template() {
        assert!(templates_agree("a, ?", "a, b"));
        assert!(!templates_agree("a, c", "a, b"));
        assert!(!templates_agree("a", "a, b"));
    }

    #[test]
    fn keys_are_named_readably() {
        let key = ("qwen".to_string(), "llamacpp".to_string(), "HumanEval/3".to_string(), 2);
        assert_eq!(key_name(&key), "HumanEval/3 #2 (qwen, llamacpp)");
    }
}
