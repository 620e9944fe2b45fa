//! The leaderboard: one entry per model of every run given (a model run twice, on two backends
//! or two machines, is two entries), with everything the reports show, computed from the runs'
//! `results.jsonl` rows (not from `summary.json`, which older runs may lack or have without
//! breakdowns). Entries are ranked within groups, on the tasks every member ran ([`grouping`]).
//! Its JSON form is `leaderboard.json`, documented in `docs/FORMATS.md`.

mod grouping;

pub use grouping::{task_set_hash, Group, MIN_COMMON_SHARE};

use crate::quantization;
pub use crate::rounds::{FeedbackRounds, RoundFigures};
use crate::run::Run;
use crate::stats::{mean_interval, wilson_interval, Distribution, Z_95};
pub use crate::test_writing::TestWriting;
use evalrun_core::{SampleRecord, SamplingParams, Status, TaskKind};
use evalrun_harness::manifest::Machine;
use evalrun_harness::score::summarize;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::path::{Component, Path};

/// `schema` of `leaderboard.json`.
pub const SCHEMA: &str = "evalrun-leaderboard";
/// `schema_version` of `leaderboard.json`: bumped when a field changes meaning or goes away
/// (adding a field does not bump it). 2: ranks within groups on common tasks; model files and
/// run directories named without the reporting machine's paths.
pub const SCHEMA_VERSION: u32 = 2;
/// Confidence level of every interval in the leaderboard.
pub const CONFIDENCE: f64 = 0.95;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Leaderboard {
    pub schema: String,
    pub schema_version: u32,
    /// The evalrun that built the leaderboard.
    pub evalrun_version: String,
    /// Confidence level of the intervals.
    pub confidence: f64,
    pub runs: Vec<RunInfo>,
    /// [`MIN_COMMON_SHARE`]: the rule that decided the groups.
    pub min_common_share: f64,
    /// Entries ranked together on the tasks they all ran; most common tasks first.
    pub groups: Vec<Group>,
    /// Group by group (in the order of `groups`), best first within each: by pass@1 on the
    /// group's common tasks, then generation speed.
    pub entries: Vec<Entry>,
    /// Other pages of the report that the main page links to, as (file, title): the drill-down
    /// and, with `--history`, the history. Presentation only, not part of `leaderboard.json`.
    #[serde(skip)]
    pub pages: Vec<(String, String)>,
}

/// Where a run came from, from its manifest (absent fields: the run had no manifest).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunInfo {
    pub label: String,
    /// The directory as given when that is a relative path inside the working directory, else
    /// its name: no path of the reporting machine.
    pub dir: String,
    pub suite: String,
    pub corpus_version: Option<String>,
    pub created_at: Option<String>,
    pub evalrun_version: Option<String>,
    pub sampling: Option<SamplingParams>,
    pub machine: Option<Machine>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// Rank within its group: 1 for the best pass@1 on the group's common tasks; equal values
    /// share a rank.
    pub rank: usize,
    /// `id` of its group.
    pub group: usize,
    /// Unique name of the entry in this leaderboard: the model id, with the backend and the run
    /// added only when needed to tell entries apart.
    pub label: String,
    /// Label of the run the entry comes from.
    pub run: String,
    pub model: String,
    pub backend: String,
    pub backend_version: Option<String>,
    pub quantization: Option<String>,
    /// The model file's name (no directory), from the manifest.
    pub model_file: Option<String>,
    pub model_sha256: Option<String>,
    pub suite: String,
    /// The distinct tasks the entry ran.
    pub tasks: usize,
    /// [`task_set_hash`] of the ids of those tasks.
    pub task_set: String,
    /// The smallest number of samples of a task.
    pub samples_per_task: u32,
    pub samples: usize,
    pub passed: usize,
    /// pass@1 over the entry's own tasks.
    pub pass_at_1: Interval,
    /// pass@1 over its group's common tasks: what it is ranked by.
    pub pass_at_1_common: Interval,
    /// Unbiased pass@k for every k up to `samples_per_task`, keyed `pass@k`.
    pub pass_at_k: BTreeMap<String, f64>,
    pub statuses: BTreeMap<String, usize>,
    /// pass@1 over the code-writing tasks of each language.
    pub languages: BTreeMap<String, Score>,
    /// Scores of the test-writing tasks, when the run has any.
    pub test_writing: Option<TestWriting>,
    /// The test-writing figures after each feedback round, when the run journaled rounds
    /// (`--rounds K`, `rounds.jsonl`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feedback: Option<FeedbackRounds>,
    pub speed: Speed,
    /// The largest peak resident memory of a generation.
    pub peak_rss_bytes: Option<u64>,
    pub mean_exec_s: f64,
    /// On its group's quality/speed frontier: no other entry of the group is at least as good in
    /// pass@1 on the common tasks and at least as fast in median generation tokens/s, and better
    /// in one. Entries without speed measurements are never on it.
    pub pareto: bool,
    /// One per task, in order of first appearance.
    pub task_outcomes: Vec<TaskOutcome>,
}

/// An estimate with its interval at the leaderboard's confidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    pub value: f64,
    pub low: f64,
    pub high: f64,
    /// `wilson` (one sample per task: Wilson score interval on tasks passed) or
    /// `task-bootstrap` (several samples per task: percentile bootstrap over tasks).
    pub method: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Score {
    pub tasks: usize,
    pub samples: usize,
    pub pass_at_1: f64,
}

/// Per-sample measurements of the generations, summarised (absent for replayed samples).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Speed {
    pub gen_tokens_per_s: Option<Distribution>,
    pub prompt_tokens_per_s: Option<Distribution>,
    pub ttft_s: Option<Distribution>,
    /// From the request to the last token (`total_s`).
    pub latency_s: Option<Distribution>,
    pub generated_tokens: Option<Distribution>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskOutcome {
    pub task_id: String,
    pub language: String,
    pub kind: String,
    pub samples: u32,
    pub passed: u32,
    /// `passed` when every sample passed, else the status of the first sample that did not.
    pub status: String,
    /// Why the first sample that did not pass failed (empty when all passed).
    pub detail: String,
    /// Execution time of the task's samples, seconds.
    pub exec_s: f64,
    /// Generation time of the task's samples, seconds (absent for replayed samples).
    pub generation_s: Option<f64>,
    /// Means over the task's samples of each of their metrics (test-writing: the names of
    /// [`evalrun_core::summary::metric`]), each over the samples that have it.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub metrics: BTreeMap<String, f64>,
}

impl TaskOutcome {
    /// The task's pass rate.
    pub fn rate(&self) -> f64 {
        f64::from(self.passed) / f64::from(self.samples.max(1))
    }
}

impl Entry {
    /// Median generation tokens/s, the speed the leaderboard ranks and plots.
    pub fn gen_tokens_per_s(&self) -> Option<f64> {
        self.speed.gen_tokens_per_s.as_ref().map(|d| d.median)
    }

    /// The outcome of one task.
    pub fn task(&self, task_id: &str) -> Option<&TaskOutcome> {
        self.task_outcomes.iter().find(|t| t.task_id == task_id)
    }
}

impl Leaderboard {
    /// The leaderboard of `runs` (each loaded with [`Run::load`]).
    pub fn build(runs: &[Run]) -> Leaderboard {
        Leaderboard::build_with(runs, &|_| None)
    }

    /// [`build`](Leaderboard::build), asking `file_quantization` for the quantization of a model
    /// whose id and file name do not say it, with the model file's path from the manifest (the
    /// path is used, never written).
    pub fn build_with(runs: &[Run], file_quantization: &dyn Fn(&Path) -> Option<String>) -> Leaderboard {
        let mut entries: Vec<Entry> =
            runs.iter().flat_map(|run| entries_of_run(run, file_quantization)).collect();
        label_entries(&mut entries);
        let groups = grouping::rank_in_groups(&mut entries);
        Leaderboard {
            schema: SCHEMA.to_string(),
            schema_version: SCHEMA_VERSION,
            evalrun_version: evalrun_core::EVALRUN_VERSION.to_string(),
            confidence: CONFIDENCE,
            runs: runs.iter().map(run_info).collect(),
            min_common_share: MIN_COMMON_SHARE,
            groups,
            entries,
            pages: Vec::new(),
        }
    }

    /// The group of id `id`.
    pub fn group(&self, id: usize) -> Option<&Group> {
        self.groups.iter().find(|g| g.id == id)
    }

    /// The entries of group `id`, best first.
    pub fn entries_of(&self, id: usize) -> impl Iterator<Item = &Entry> {
        self.entries.iter().filter(move |e| e.group == id)
    }

    /// Every language any entry has code tasks in, sorted.
    pub fn languages(&self) -> Vec<String> {
        let mut languages: Vec<String> =
            self.entries.iter().flat_map(|e| e.languages.keys().cloned()).collect();
        languages.sort();
        languages.dedup();
        languages
    }

    /// The largest `k` above 1 of any entry's pass@k.
    pub fn largest_k(&self) -> Option<u32> {
        self.entries.iter().map(|e| e.samples_per_task).max().filter(|&k| k > 1)
    }

    pub fn has_test_writing(&self) -> bool {
        self.entries.iter().any(|e| e.test_writing.is_some())
    }

    /// Whether any entry journaled feedback rounds.
    pub fn has_feedback(&self) -> bool {
        self.entries.iter().any(|e| e.feedback.is_some())
    }
}

fn run_info(run: &Run) -> RunInfo {
    let m = run.manifest.as_ref();
    RunInfo {
        label: run.label.clone(),
        dir: portable_dir(&run.dir, &run.label),
        suite: run.suite(),
        corpus_version: m.map(|m| m.corpus_version.clone()),
        created_at: m.map(|m| m.created_at.clone()),
        evalrun_version: m.map(|m| m.evalrun_version.clone()),
        sampling: m.map(|m| m.sampling.clone()),
        machine: m.map(|m| m.machine.clone()),
    }
}

/// `dir` as a report may name it: a relative path that stays inside the working directory as
/// given, anything else (absolute, or climbing out with `..`) by its last component, else by
/// `label`.
fn portable_dir(dir: &Path, label: &str) -> String {
    let inside = dir.components().all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
    if inside {
        return dir.display().to_string();
    }
    match dir.file_name() {
        Some(name) => name.to_string_lossy().into_owned(),
        None => label.to_string(),
    }
}

/// `text` with every absolute path in it (a `/` that opens a word, as in
/// "model `/root/.cache/m.gguf`", a server's description of its model) cut to its last
/// component; URLs are words that open with their scheme and are kept.
fn without_paths(text: &str) -> String {
    const OPENS: &[char] = &[' ', '`', '(', '[', '"', '\'', '='];
    const ENDS: &[char] = &['`', ')', ']', '"', '\'', ','];
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('/') {
        let opens = rest[..i].chars().next_back().is_none_or(|c| OPENS.contains(&c));
        let end =
            rest[i..].find(|c: char| c.is_whitespace() || ENDS.contains(&c)).map_or(rest.len(), |n| i + n);
        let word = &rest[i..end];
        out.push_str(&rest[..i]);
        if opens && word.matches('/').count() > 1 {
            out.push_str(word.rsplit('/').find(|part| !part.is_empty()).unwrap_or(""));
        } else {
            out.push_str(word);
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// The file name of a manifest's model `file` (a path on the machine that ran it, `/` or `\`
/// separated; empty for a server's model).
fn file_name(file: &str) -> Option<String> {
    file.rsplit(['/', '\\']).next().filter(|name| !name.is_empty()).map(str::to_string)
}

fn entries_of_run(run: &Run, file_quantization: &dyn Fn(&Path) -> Option<String>) -> Vec<Entry> {
    let suite = run.suite();
    summarize(&run.records, &suite)
        .models
        .into_iter()
        .map(|summary| {
            let records: Vec<&SampleRecord> = run
                .records
                .iter()
                .filter(|r| r.model == summary.model && r.backend == summary.backend)
                .collect();
            let file = run.manifest.as_ref().and_then(|m| {
                m.models.iter().find(|f| f.id == summary.model && f.backend == summary.backend)
            });
            let task_outcomes = task_outcomes(&records);
            let model_file = file.and_then(|f| file_name(&f.file));
            let pass_at_1 = pass_at_1_interval(&task_outcomes, summary.pass_at_k.get("pass@1").copied());
            Entry {
                rank: 0,
                group: 0,
                label: String::new(),
                run: run.label.clone(),
                quantization: quantization::from_model_id(&summary.model)
                    .or_else(|| model_file.as_deref().and_then(quantization::from_model_id))
                    .or_else(|| {
                        file.filter(|f| !f.file.is_empty())
                            .and_then(|f| file_quantization(Path::new(&f.file)))
                    }),
                backend_version: file.and_then(|f| f.backend_version.as_deref().map(without_paths)),
                model_file,
                model_sha256: file.map(|f| f.sha256.clone()),
                task_set: task_set_hash(task_outcomes.iter().map(|t| t.task_id.as_str())),
                pass_at_1_common: pass_at_1.clone(),
                pass_at_1,
                languages: language_scores(&task_outcomes),
                test_writing: TestWriting::of(&records, &task_outcomes),
                feedback: FeedbackRounds::of(
                    run.rounds.iter().filter(|r| r.model == summary.model && r.backend == summary.backend),
                ),
                speed: speed(&records),
                model: summary.model,
                backend: summary.backend,
                suite: summary.suite,
                tasks: summary.tasks,
                samples_per_task: summary.samples_per_task,
                samples: summary.samples,
                passed: summary.passed,
                pass_at_k: summary.pass_at_k,
                statuses: summary.statuses,
                peak_rss_bytes: summary.peak_rss_bytes,
                mean_exec_s: summary.mean_exec_s,
                pareto: false,
                task_outcomes,
            }
        })
        .collect()
}

pub(crate) fn task_outcomes(records: &[&SampleRecord]) -> Vec<TaskOutcome> {
    let mut outcomes: Vec<TaskOutcome> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    // Per task, the sum and count of each metric.
    let mut sums: Vec<BTreeMap<&str, (f64, u32)>> = Vec::new();
    for r in records {
        let i = *index.entry(&r.task_id).or_insert_with(|| {
            outcomes.push(TaskOutcome {
                task_id: r.task_id.clone(),
                language: r.language.as_str().to_string(),
                kind: r.kind.as_str().to_string(),
                samples: 0,
                passed: 0,
                status: Status::Passed.as_str().to_string(),
                detail: String::new(),
                exec_s: 0.0,
                generation_s: None,
                metrics: BTreeMap::new(),
            });
            sums.push(BTreeMap::new());
            outcomes.len() - 1
        });
        for (name, &value) in r.metrics.iter().filter(|(_, v)| v.is_finite()) {
            let sum = sums[i].entry(name).or_insert((0.0, 0));
            sum.0 += value;
            sum.1 += 1;
        }
        let t = &mut outcomes[i];
        t.samples += 1;
        if r.passed {
            t.passed += 1;
        } else if t.samples - t.passed == 1 {
            t.status = r.status.as_str().to_string();
            t.detail = match (&r.verdict.exception, r.verdict.detail.as_str()) {
                (Some(e), "") => e.clone(),
                (Some(e), d) if !d.starts_with(e.as_str()) => format!("{e}: {d}"),
                (_, d) => d.to_string(),
            };
        }
        t.exec_s += r.verdict.exec_s;
        if let Some(g) = &r.generation {
            *t.generation_s.get_or_insert(0.0) += g.total_s;
        }
    }
    for (t, sums) in outcomes.iter_mut().zip(sums) {
        t.metrics = sums.into_iter().map(|(name, (sum, n))| (name.to_string(), sum / f64::from(n))).collect();
    }
    // Rows are journaled as verdicts finish, out of order: list tasks as a person numbers them.
    outcomes.sort_by(|a, b| natural_cmp(&a.task_id, &b.task_id));
    outcomes
}

/// Orders ids with their digit runs compared as numbers: `HumanEval/2` before `HumanEval/10`.
pub(crate) fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    fn parts(s: &str) -> Vec<(bool, &str)> {
        let mut out = Vec::new();
        let mut start = 0;
        for (i, c) in s.char_indices() {
            if i > start && c.is_ascii_digit() != s[start..].starts_with(|d: char| d.is_ascii_digit()) {
                out.push((s[start..].starts_with(|d: char| d.is_ascii_digit()), &s[start..i]));
                start = i;
            }
        }
        out.push((s[start..].starts_with(|d: char| d.is_ascii_digit()), &s[start..]));
        out
    }
    let (pa, pb) = (parts(a), parts(b));
    for ((da, xa), (db, xb)) in pa.iter().zip(&pb) {
        let order = if *da && *db {
            let (ta, tb) = (xa.trim_start_matches('0'), xb.trim_start_matches('0'));
            ta.len().cmp(&tb.len()).then_with(|| ta.cmp(tb))
        } else {
            xa.cmp(xb)
        };
        if order.is_ne() {
            return order;
        }
    }
    pa.len().cmp(&pb.len()).then_with(|| a.cmp(b))
}

/// pass@1 (the harness's value, the mean of per-task pass rates) and its interval.
fn pass_at_1_interval(tasks: &[TaskOutcome], value: Option<f64>) -> Interval {
    let rates: Vec<f64> = tasks.iter().map(TaskOutcome::rate).collect();
    let value = value.unwrap_or_else(|| rates.iter().sum::<f64>() / rates.len().max(1) as f64);
    let (method, bounds) = if tasks.iter().all(|t| t.samples == 1) {
        let passed = tasks.iter().filter(|t| t.passed == 1).count() as u64;
        ("wilson", wilson_interval(passed, tasks.len() as u64, Z_95))
    } else {
        ("task-bootstrap", mean_interval(&rates, CONFIDENCE))
    };
    let (low, high) = bounds.unwrap_or((value, value));
    Interval { value, low, high, method: method.to_string() }
}

fn language_scores(tasks: &[TaskOutcome]) -> BTreeMap<String, Score> {
    let mut groups: BTreeMap<String, Vec<&TaskOutcome>> = BTreeMap::new();
    for t in tasks.iter().filter(|t| t.kind == TaskKind::Code.as_str()) {
        groups.entry(t.language.clone()).or_default().push(t);
    }
    groups.into_iter().map(|(language, tasks)| (language, score(&tasks))).collect()
}

fn score(tasks: &[&TaskOutcome]) -> Score {
    Score {
        tasks: tasks.len(),
        samples: tasks.iter().map(|t| t.samples as usize).sum(),
        pass_at_1: tasks.iter().map(|t| t.rate()).sum::<f64>() / tasks.len().max(1) as f64,
    }
}

fn speed(records: &[&SampleRecord]) -> Speed {
    let of = |f: fn(&evalrun_core::GenerationStats) -> f64| {
        Distribution::of(records.iter().filter_map(|r| r.generation.as_ref()).map(f))
    };
    Speed {
        gen_tokens_per_s: of(|g| g.gen_tokens_per_s),
        prompt_tokens_per_s: of(|g| g.prompt_tokens_per_s),
        ttft_s: of(|g| g.ttft_s),
        latency_s: of(|g| g.total_s),
        generated_tokens: of(|g| f64::from(g.generated_tokens)),
    }
}

/// Gives each entry the shortest label that tells it apart: the model id, then with the backend,
/// then with the run.
fn label_entries(entries: &mut [Entry]) {
    let count = |f: &dyn Fn(&Entry) -> String, entries: &[Entry], e: &Entry| {
        entries.iter().filter(|x| f(x) == f(e)).count()
    };
    let labels: Vec<String> = entries
        .iter()
        .map(|e| {
            if count(&|x| x.model.clone(), entries, e) == 1 {
                e.model.clone()
            } else if count(&|x| format!("{}\0{}", x.model, x.backend), entries, e) == 1 {
                format!("{} ({})", e.model, e.backend)
            } else {
                format!("{} ({}, {})", e.model, e.backend, e.run)
            }
        })
        .collect();
    for (e, label) in entries.iter_mut().zip(labels) {
        e.label = label;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{generated, record, write_run};
    use evalrun_core::Language;

    fn board(runs: &[std::path::PathBuf]) -> Leaderboard {
        Leaderboard::build(&Run::load_all(runs).unwrap())
    }

    #[test]
    fn entries_from_rows() {
        let tmp = tempfile::tempdir().unwrap();
        let mut rows = vec![
            generated(record("fast-q4_k_m", "T1", Status::Passed), 50.0, 1.0),
            generated(record("fast-q4_k_m", "T2", Status::Failed), 40.0, 2.0),
            generated(record("fast-q4_k_m", "T3", Status::Failed), 60.0, 3.0),
            record("slow", "T1", Status::Passed),
            record("slow", "T2", Status::Passed),
            record("slow", "T3", Status::TimedOut),
        ];
        rows[1].language = Language::Javascript;
        rows[4].language = Language::Javascript;
        rows[5].kind = TaskKind::TestWriting;
        rows[5].metrics = [("mutation_score".to_string(), 0.5)].into_iter().collect();
        let b = board(&[write_run(tmp.path(), "r", &rows)]);
        assert_eq!((b.schema.as_str(), b.schema_version), ("evalrun-leaderboard", 2));
        assert_eq!(b.entries.len(), 2);

        let slow = &b.entries[0];
        assert_eq!((slow.label.as_str(), slow.rank, slow.tasks, slow.passed), ("slow", 1, 3, 2));
        assert!((slow.pass_at_1.value - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(slow.pass_at_1.method, "wilson");
        assert_eq!((slow.pass_at_1.low, slow.pass_at_1.high), wilson_interval(2, 3, Z_95).unwrap());
        assert_eq!(slow.languages["python"], Score { tasks: 1, samples: 1, pass_at_1: 1.0 });
        assert_eq!(slow.languages["javascript"], Score { tasks: 1, samples: 1, pass_at_1: 1.0 });
        let tw = slow.test_writing.as_ref().unwrap();
        assert_eq!((tw.tasks, tw.pass_at_1, tw.mutation_score, tw.line_coverage), (1, 0.0, Some(0.5), None));
        assert_eq!(slow.speed, Speed::default());
        assert!(!slow.pareto, "no speed, no frontier");
        assert_eq!(slow.task("T3").unwrap().status, "timed_out");

        let fast = &b.entries[1];
        assert_eq!((fast.rank, fast.quantization.as_deref()), (2, Some("Q4_K_M")));
        assert_eq!(fast.gen_tokens_per_s(), Some(50.0));
        assert_eq!(fast.speed.latency_s.as_ref().unwrap().max, 3.0);
        assert!(fast.pareto);
        assert_eq!(fast.languages["javascript"].pass_at_1, 0.0);
        assert_eq!(fast.languages["python"].pass_at_1, 0.5);
        assert!(fast.test_writing.is_none());
        assert_eq!(b.languages(), ["javascript", "python"]);
        assert_eq!(b.largest_k(), None);
    }

    #[test]
    fn task_ids_in_natural_order() {
        let mut ids = ["HumanEval/10", "HumanEval/2", "a", "HumanEval/02x", "HumanEval/1", "b7", "b07", "b"];
        ids.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(
            ids,
            ["HumanEval/1", "HumanEval/2", "HumanEval/02x", "HumanEval/10", "a", "b", "b07", "b7"]
        );
    }

    #[test]
    fn several_samples_use_the_task_bootstrap() {
        let tmp = tempfile::tempdir().unwrap();
        let mut rows = Vec::new();
        for t in 0..20 {
            for s in 0..4 {
                let mut r = record(
                    "m",
                    &format!("T{t}"),
                    if (t + s) % 3 == 0 { Status::Passed } else { Status::Failed },
                );
                r.sample = s;
                rows.push(r);
            }
        }
        let b = board(&[write_run(tmp.path(), "r", &rows)]);
        let e = &b.entries[0];
        assert_eq!((e.samples_per_task, e.samples), (4, 80));
        assert_eq!(e.pass_at_1.method, "task-bootstrap");
        let rates: Vec<f64> = e.task_outcomes.iter().map(TaskOutcome::rate).collect();
        assert_eq!((e.pass_at_1.low, e.pass_at_1.high), mean_interval(&rates, 0.95).unwrap());
        assert!(e.pass_at_1.low < e.pass_at_1.value && e.pass_at_1.value < e.pass_at_1.high);
        assert_eq!(e.pass_at_k.len(), 4);
        assert_eq!(b.largest_k(), Some(4));
    }

    #[test]
    fn pareto_labels_and_ranks_across_runs() {
        let tmp = tempfile::tempdir().unwrap();
        let run = |name: &str, speed: f64, pass: bool| {
            let rows = vec![
                generated(record("m", "T1", Status::Passed), speed, 1.0),
                generated(record("m", "T2", if pass { Status::Passed } else { Status::Failed }), speed, 1.0),
            ];
            write_run(tmp.path(), name, &rows)
        };
        // a: best and slow; b: worse and faster; c: worse and slower than b (dominated).
        let b = board(&[run("a", 10.0, true), run("b", 30.0, false), run("c", 20.0, false)]);
        let by_run = |r: &str| b.entries.iter().find(|e| e.run == r).unwrap();
        assert!(by_run("a").pareto && by_run("b").pareto && !by_run("c").pareto);
        assert_eq!(by_run("a").label, "m (llamacpp, a)");
        // Equal pass@1 share a rank; the faster comes first.
        let ranks: Vec<_> = b.entries.iter().map(|e| (e.run.as_str(), e.rank)).collect();
        assert_eq!(ranks, [("a", 1), ("b", 2), ("c", 2)]);
    }

    #[test]
    fn ranked_within_groups_on_common_tasks() {
        let tmp = tempfile::tempdir().unwrap();
        let run = |name: &str, model: &str, tasks: &[(&str, bool)]| {
            let rows: Vec<SampleRecord> = tasks
                .iter()
                .map(|&(t, pass)| record(model, t, if pass { Status::Passed } else { Status::Failed }))
                .collect();
            write_run(tmp.path(), name, &rows)
        };
        // `wide` solves 3 of its 5 tasks, `narrow` 3 of its 4 (it lacks T5, which `wide` fails):
        // on their 4 common tasks `wide` solves 3 too, so they tie. `other` ran other tasks.
        let wide =
            run("wide", "w", &[("T1", true), ("T2", true), ("T3", false), ("T4", true), ("T5", false)]);
        let narrow = run("narrow", "n", &[("T1", true), ("T2", false), ("T3", true), ("T4", true)]);
        let other = run("other", "o", &[("U1", true), ("U2", true)]);
        let b = board(&[other, narrow, wide]);
        assert_eq!(b.min_common_share, MIN_COMMON_SHARE);
        assert_eq!(b.groups.len(), 2);
        let g = &b.groups[0];
        assert_eq!((g.id, g.common_tasks), (1, 4));
        assert_eq!(g.task_set, task_set_hash(["T1", "T2", "T3", "T4"]));
        assert_eq!(g.entries, ["n", "w"], "a tie, ordered by label");
        assert_eq!(b.groups[1].common_tasks, 2);
        assert_eq!(b.groups[1].entries, ["o"]);

        let by = |m: &str| b.entries.iter().find(|e| e.model == m).unwrap();
        let (w, n, o) = (by("w"), by("n"), by("o"));
        assert_eq!((w.group, w.rank, n.group, n.rank, o.group, o.rank), (1, 1, 1, 1, 2, 1));
        assert_eq!((w.tasks, w.pass_at_1.value), (5, 0.6));
        assert_eq!(w.pass_at_1_common.value, 0.75);
        assert_eq!((w.pass_at_1_common.low, w.pass_at_1_common.high), wilson_interval(3, 4, Z_95).unwrap());
        assert_eq!(w.task_set, task_set_hash(["T1", "T2", "T3", "T4", "T5"]));
        // Whose own tasks are the common ones, its two figures are one.
        assert_eq!(n.pass_at_1_common, n.pass_at_1);
        assert_eq!(n.task_set, g.task_set);
        // Entries come group by group.
        let groups: Vec<usize> = b.entries.iter().map(|e| e.group).collect();
        assert_eq!(groups, [1, 1, 2]);
        assert_eq!(b.entries_of(2).map(|e| e.model.as_str()).collect::<Vec<_>>(), ["o"]);
    }

    #[test]
    fn no_paths_of_the_machine() {
        use std::path::PathBuf;
        assert_eq!(portable_dir(&PathBuf::from("runs/q05"), "q05"), "runs/q05");
        assert_eq!(portable_dir(&PathBuf::from("./q05"), "q05"), "./q05");
        assert_eq!(portable_dir(&PathBuf::from("/home/me/runs/q05"), "q05"), "q05");
        assert_eq!(portable_dir(&PathBuf::from("../../home/me/q05"), "q05"), "q05");
        assert_eq!(portable_dir(&PathBuf::from("/"), "root"), "root");
        assert_eq!(
            file_name("/home/me/.cache/evalrun/models/m-q4_k_m.gguf").as_deref(),
            Some("m-q4_k_m.gguf")
        );
        assert_eq!(file_name("C:\\models\\m.gguf").as_deref(), Some("m.gguf"));
        assert_eq!(file_name(""), None);
        assert_eq!(
            without_paths(
                "openai OpenAI-compatible API at http://127.0.0.1:8766/v1 (model \
                 `/root/.cache/evalrun/models/q-q4_k_m.gguf`, chat endpoint, server `llama.cpp`, ureq 2)"
            ),
            "openai OpenAI-compatible API at http://127.0.0.1:8766/v1 (model `q-q4_k_m.gguf`, chat \
             endpoint, server `llama.cpp`, ureq 2)"
        );
        assert_eq!(without_paths("/srv/m.gguf and a/b/c, /x"), "m.gguf and a/b/c, /x");
        assert_eq!(
            without_paths("llama-cpp-2 0.1.160 (cpu, 2 threads)"),
            "llama-cpp-2 0.1.160 (cpu, 2 threads)"
        );
    }
}
