//! History: an append-only series of runs, as a CI job on `main` produces them, drawn over time
//! (`evalrun report --history DIR`, `history.html`).
//!
//! `DIR/history.jsonl` holds one JSON object per line, of two kinds (`record`):
//!
//! - `run`: a [`Point`], one per `(run, model, backend)` that `report --history` was given: when
//!   the run started, which model file, which tasks, pass@1 with its interval, generation speed
//!   with its interval.
//! - `gate`: a [`GateRecord`], the verdict of `gate --history` on one candidate point.
//!
//! Lines are only ever appended, one `write` per batch. A point is identified by its [`Key`]
//! (the run's start time from its manifest, model, backend, model sha256, shard): appending a
//! point whose key is already there adds nothing, so the same run can be reported twice. A gate
//! verdict is identified by its point, its baseline and its options likewise. A line that is
//! not a record stops reading with an error naming the file and the line; nothing is written
//! then, so nothing is lost.
//!
//! The format is documented in `docs/FORMATS.md`, "History".

pub mod page;

use crate::gate::{Gate, SpeedCheck};
use crate::leaderboard::{Interval, Leaderboard};
use crate::run::Run;
use crate::stats::{median, median_interval, sorted_finite};
use crate::ReportError;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// The series' file in a history directory.
pub const FILE: &str = "history.jsonl";
/// `schema` of every line this evalrun writes; lines of a later schema are refused.
pub const SCHEMA: u32 = 1;
/// Confidence level of the intervals of new points.
pub const CONFIDENCE: f64 = 0.95;

/// What identifies a point: one model on one backend in one run.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Key {
    /// The run's start (its manifest's `created_at`, RFC 3339 UTC).
    pub started_at: String,
    pub model: String,
    pub backend: String,
    /// The model file's sha256 from the manifest (null: none recorded, a server's model).
    pub model_sha256: Option<String>,
    /// `I/N` when the run is one shard of a larger run.
    pub shard: Option<String>,
}

/// One `(run, model, backend)` of the series: a `record: "run"` line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Point {
    pub schema: u32,
    #[serde(flatten)]
    pub key: Key,
    /// When the run ended (its manifest's `finished_at`), when recorded.
    #[serde(default)]
    pub finished_at: Option<String>,
    /// When the point was appended.
    pub added_at: String,
    /// The commit evaluated, as given to `report --commit`.
    #[serde(default)]
    pub commit: Option<String>,
    /// The run directory's name.
    pub run: String,
    pub suite: String,
    /// The model file's name (no directory).
    #[serde(default)]
    pub model_file: Option<String>,
    #[serde(default)]
    pub backend_version: Option<String>,
    /// Distinct tasks the model ran in the run, and the sha256 of their ids (the leaderboard's
    /// `task_set`): points are comparable only within one task set.
    pub tasks: usize,
    pub task_set: String,
    pub samples: usize,
    pub samples_per_task: u32,
    /// pass@1 over the point's tasks, with its 95% interval (as `leaderboard.json`'s).
    pub pass_at_1: Interval,
    /// Median generation tokens/s over the samples with its 95% bootstrap interval; null for
    /// replayed samples.
    #[serde(default)]
    pub gen_tokens_per_s: Option<SpeedPoint>,
    /// `CPU model (N CPUs)` of the machine that ran it: speeds compare within one machine.
    #[serde(default)]
    pub machine: Option<String>,
    #[serde(default)]
    pub evalrun_version: Option<String>,
}

/// A run's generation speed: the median over its samples and the percentile bootstrap interval
/// of that median (samples resampled, fixed seed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpeedPoint {
    pub median: f64,
    pub low: f64,
    pub high: f64,
    /// Timed samples.
    pub n: usize,
}

/// `held` or `regressed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Held,
    Regressed,
}

/// A baseline run that a gate compared against.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct BaselineRun {
    /// The run directory's name.
    pub run: String,
    /// Its start, when it has a manifest.
    #[serde(default)]
    pub started_at: Option<String>,
}

/// The verdict of `evalrun gate --history` on one candidate point: a `record: "gate"` line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GateRecord {
    pub schema: u32,
    /// The candidate point it judged.
    #[serde(flatten)]
    pub key: Key,
    /// When the gate ran.
    pub judged_at: String,
    pub verdict: Verdict,
    /// The baseline runs (pooled when several).
    pub baseline: Vec<BaselineRun>,
    /// The baseline's model as the gate paired it: `model (backend)`.
    pub baseline_model: String,
    /// The gate's options.
    pub max_drop: f64,
    #[serde(default)]
    pub max_slowdown: Option<f64>,
    pub alpha: f64,
    /// What the gate found, in one line: pass@1 before and after, the test, speed, what regressed.
    pub summary: String,
}

/// A line of `history.jsonl`. (A point is larger than a verdict; a history holds a few lines per
/// run, so the variants are not boxed.)
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "record", rename_all = "lowercase")]
pub enum Line {
    Run(Point),
    Gate(GateRecord),
}

impl Line {
    /// What makes two lines the same record: appending a line whose identity is already in the
    /// file adds nothing.
    fn identity(&self) -> String {
        match self {
            Line::Run(p) => format!("run {}", json(&p.key)),
            Line::Gate(g) => format!(
                "gate {} {} {} {:?} {}",
                json(&g.key),
                json(&g.baseline),
                g.max_drop,
                g.max_slowdown,
                g.alpha
            ),
        }
    }

    fn schema(&self) -> u32 {
        match self {
            Line::Run(p) => p.schema,
            Line::Gate(g) => g.schema,
        }
    }
}

/// `value` as compact JSON, for identities (plain data of strings: serialising cannot fail).
fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// The series as read from a history directory, in file order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct History {
    pub path: PathBuf,
    pub points: Vec<Point>,
    pub gates: Vec<GateRecord>,
    /// Lines that repeat a record already read (a file concatenated by hand): ignored.
    pub warnings: Vec<String>,
}

/// What an append did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Appended {
    /// Lines written.
    pub added: usize,
    /// Records that were already there, described, with the line that holds them.
    pub already: Vec<String>,
}

/// The file of history directory `dir`.
pub fn file_of(dir: &Path) -> PathBuf {
    dir.join(FILE)
}

impl History {
    /// Reads `dir/history.jsonl`; an empty history when the file does not exist yet. Any line
    /// that is not a valid record is an error naming the file and the line.
    pub fn read(dir: &Path) -> Result<History, ReportError> {
        let path = file_of(dir);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(ReportError::input(&path, e.to_string())),
        };
        let mut history = History { path: path.clone(), ..History::default() };
        let mut seen: HashSet<String> = HashSet::new();
        for (n, line) in parse(&path, &text)? {
            if !seen.insert(line.identity()) {
                history
                    .warnings
                    .push(format!("{}:{n}: repeats a record of an earlier line; ignored", path.display()));
                continue;
            }
            match line {
                Line::Run(p) => history.points.push(p),
                Line::Gate(g) => history.gates.push(g),
            }
        }
        Ok(history)
    }

    /// The gate verdicts on the point of `key`, in file order.
    pub fn gates_of<'a>(&'a self, key: &'a Key) -> impl Iterator<Item = &'a GateRecord> + 'a {
        self.gates.iter().filter(move |g| &g.key == key)
    }

    /// Gate verdicts whose point is not (yet) in the series.
    pub fn orphan_gates(&self) -> Vec<&GateRecord> {
        let keys: HashSet<&Key> = self.points.iter().map(|p| &p.key).collect();
        self.gates.iter().filter(|g| !keys.contains(&g.key)).collect()
    }
}

/// Whether, and how, `gate` judged a point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GateState {
    NotGated,
    /// Every verdict on it held.
    Held,
    /// At least one verdict on it regressed.
    Failed,
}

impl GateState {
    pub fn as_str(self) -> &'static str {
        match self {
            GateState::NotGated => "not gated",
            GateState::Held => "held",
            GateState::Failed => "failed",
        }
    }
}

/// A point as drawn: where it stands on the time axis, its series and its gate.
#[derive(Debug, Clone)]
pub struct Placed<'a> {
    /// 1-based: the run's place among the history's distinct start times, earliest first.
    pub position: usize,
    /// Index into [`Timeline::series`].
    pub series: usize,
    pub point: &'a Point,
    pub gate: GateState,
    pub gates: Vec<&'a GateRecord>,
}

/// The history laid out for the charts and the table.
#[derive(Debug, Clone)]
pub struct Timeline<'a> {
    /// Every point, by start time (file order among equal times).
    pub points: Vec<Placed<'a>>,
    /// Distinct start times: the number of places on the time axis.
    pub positions: usize,
    /// `(model, backend)` of each series, in order of first appearance in time.
    pub series: Vec<(String, String)>,
}

impl<'a> Timeline<'a> {
    pub fn of(history: &'a History) -> Timeline<'a> {
        let time = |p: &Point| timestamp(&p.key.started_at).unwrap_or(SystemTime::UNIX_EPOCH);
        let mut order: Vec<&Point> = history.points.iter().collect();
        // A stable sort: points of one time keep their file order.
        order.sort_by_key(|p| time(p));
        let mut series: Vec<(String, String)> = Vec::new();
        let mut points = Vec::new();
        let mut last: Option<SystemTime> = None;
        let mut position = 0;
        for p in order {
            if last != Some(time(p)) {
                position += 1;
                last = Some(time(p));
            }
            let id = (p.key.model.clone(), p.key.backend.clone());
            let series_index = match series.iter().position(|s| *s == id) {
                Some(i) => i,
                None => {
                    series.push(id);
                    series.len() - 1
                }
            };
            let gates: Vec<&GateRecord> = history.gates_of(&p.key).collect();
            let gate = if gates.is_empty() {
                GateState::NotGated
            } else if gates.iter().any(|g| g.verdict == Verdict::Regressed) {
                GateState::Failed
            } else {
                GateState::Held
            };
            points.push(Placed { position, series: series_index, point: p, gate, gates });
        }
        Timeline { points, positions: position, series }
    }

    /// The points of series `s`, in time order.
    pub fn series_points(&self, s: usize) -> impl Iterator<Item = &Placed<'a>> {
        self.points.iter().filter(move |p| p.series == s)
    }

    /// Pairs of consecutive points of one series that a line joins: only points of one task
    /// set are comparable.
    pub fn segments(&self) -> Vec<(&Placed<'a>, &Placed<'a>)> {
        let mut segments = Vec::new();
        for s in 0..self.series.len() {
            let points: Vec<&Placed<'a>> = self.series_points(s).collect();
            for pair in points.windows(2) {
                if pair[0].point.task_set == pair[1].point.task_set {
                    segments.push((pair[0], pair[1]));
                }
            }
        }
        segments
    }

    /// Whether any point has generation measurements.
    pub fn has_speed(&self) -> bool {
        self.points.iter().any(|p| p.point.gen_tokens_per_s.is_some())
    }
}

/// Every line of `text` (the file `path`) with its 1-based number, validated.
fn parse(path: &Path, text: &str) -> Result<Vec<(usize, Line)>, ReportError> {
    let mut lines = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        if raw.trim().is_empty() {
            continue;
        }
        let bad = |message: String| {
            ReportError::input(
                path,
                format!(
                    "line {n}: {message}; nothing was written: fix or delete that line (every other \
                     line is kept as it is)"
                ),
            )
        };
        // The schema first, so that a later evalrun's lines are named as such.
        let value: serde_json::Value =
            serde_json::from_str(raw).map_err(|e| bad(format!("not JSON: {e}")))?;
        if let Some(schema) = value.get("schema").and_then(serde_json::Value::as_u64) {
            if schema > u64::from(SCHEMA) {
                return Err(bad(format!(
                    "written by a later evalrun (schema {schema}; this one reads {SCHEMA})"
                )));
            }
        }
        let line: Line =
            serde_json::from_value(value).map_err(|e| bad(format!("not a history record: {e}")))?;
        validate(&line).map_err(bad)?;
        lines.push((n, line));
    }
    Ok(lines)
}

/// What serde cannot check: the schema, the dates, the figures' ranges.
fn validate(line: &Line) -> Result<(), String> {
    if line.schema() != SCHEMA {
        return Err(format!("schema {} (this evalrun reads {SCHEMA})", line.schema()));
    }
    let key = match line {
        Line::Run(p) => &p.key,
        Line::Gate(g) => &g.key,
    };
    timestamp(&key.started_at)?;
    if key.model.is_empty() || key.backend.is_empty() {
        return Err("empty `model` or `backend`".into());
    }
    if let Line::Run(p) = line {
        let i = &p.pass_at_1;
        let fraction = |v: f64| (0.0..=1.0).contains(&v);
        if !(fraction(i.value)
            && fraction(i.low)
            && fraction(i.high)
            && i.low <= i.value
            && i.value <= i.high)
        {
            return Err(format!(
                "`pass_at_1` must be fractions with low <= value <= high, got {} [{}, {}]",
                i.value, i.low, i.high
            ));
        }
        if let Some(s) = &p.gen_tokens_per_s {
            if !(s.median.is_finite() && s.low <= s.median && s.median <= s.high && s.low >= 0.0) {
                return Err(format!(
                    "`gen_tokens_per_s` must have 0 <= low <= median <= high, got {} [{}, {}]",
                    s.median, s.low, s.high
                ));
            }
        }
        if p.task_set.is_empty() {
            return Err("empty `task_set`".into());
        }
    }
    Ok(())
}

/// `text` as a time: RFC 3339 in UTC, as manifests write it (`2026-01-02T03:04:05Z`).
pub fn timestamp(text: &str) -> Result<SystemTime, String> {
    humantime::parse_rfc3339_weak(text)
        .map_err(|e| format!("`started_at` {text:?} is not an RFC 3339 UTC time ({e})"))
}

/// Appends the `lines` whose identity `dir/history.jsonl` does not hold yet (creating `dir` and
/// the file when missing), in one write. Reads and validates the whole file first: a bad line
/// there is an error, and nothing is written.
pub fn append(dir: &Path, lines: &[Line]) -> Result<Appended, ReportError> {
    let path = file_of(dir);
    std::fs::create_dir_all(dir).map_err(|source| ReportError::Io { path: dir.to_path_buf(), source })?;
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(ReportError::input(&path, e.to_string())),
    };
    let existing = parse(&path, &text)?;
    let mut seen: std::collections::HashMap<String, usize> =
        existing.iter().map(|(n, l)| (l.identity(), *n)).collect();
    let mut out = String::new();
    let mut appended = Appended::default();
    for line in lines {
        validate(line).map_err(|e| ReportError::input(&path, format!("refusing to append a record: {e}")))?;
        let identity = line.identity();
        if let Some(n) = seen.get(&identity) {
            appended.already.push(format!("{} (line {n})", describe(line)));
            continue;
        }
        out.push_str(&serde_json::to_string(line)?);
        out.push('\n');
        appended.added += 1;
        seen.insert(identity, 0);
    }
    if out.is_empty() {
        return Ok(appended);
    }
    // A last line without its newline (a hand edit) must not run into ours.
    if !text.is_empty() && !text.ends_with('\n') {
        out.insert(0, '\n');
    }
    let io = |source| ReportError::Io { path: path.clone(), source };
    let mut file = std::fs::OpenOptions::new().create(true).append(true).open(&path).map_err(io)?;
    file.write_all(out.as_bytes()).map_err(io)?;
    file.sync_all().map_err(io)?;
    Ok(appended)
}

/// `model (backend) of the run started at T` for messages.
fn describe(line: &Line) -> String {
    match line {
        Line::Run(p) => {
            format!("{} ({}) of the run started {}", p.key.model, p.key.backend, p.key.started_at)
        }
        Line::Gate(g) => format!(
            "the gate verdict on {} ({}) of the run started {}",
            g.key.model, g.key.backend, g.key.started_at
        ),
    }
}

/// The `created_at` of a run's manifest: a point's time. A run without a manifest has none.
fn started_at(run: &Run) -> Result<&str, ReportError> {
    let manifest = run.manifest.as_ref().ok_or_else(|| {
        ReportError::input(
            &run.dir,
            "has no readable manifest.json: a history point needs the run's start time (`created_at`)",
        )
    })?;
    timestamp(&manifest.created_at).map_err(|e| ReportError::input(&run.dir.join("manifest.json"), e))?;
    Ok(&manifest.created_at)
}

/// Checks that every run can give history points (each has a manifest with its start time).
pub fn check_runs(runs: &[Run]) -> Result<(), ReportError> {
    runs.iter().try_for_each(|r| started_at(r).map(|_| ()))
}

/// The key of `model (backend)` in `run`.
fn key_of(run: &Run, model: &str, backend: &str) -> Result<Key, ReportError> {
    let started_at = started_at(run)?.to_string();
    let manifest = run.manifest.as_ref();
    let model_sha256 = manifest
        .and_then(|m| m.models.iter().find(|f| f.id == model && f.backend == backend))
        .map(|f| f.sha256.clone())
        .filter(|s| !s.is_empty());
    let shard = manifest.and_then(|m| m.shard).map(|s| format!("{}/{}", s.index, s.count));
    Ok(Key { started_at, model: model.to_string(), backend: backend.to_string(), model_sha256, shard })
}

/// The points of `board`'s entries (one per run, model and backend), `runs` being the runs it
/// was built from. `commit` is recorded in each.
pub fn points_of(board: &Leaderboard, runs: &[Run], commit: Option<&str>) -> Result<Vec<Point>, ReportError> {
    let added_at = evalrun_harness::manifest::RunManifest::now();
    board
        .entries
        .iter()
        .map(|e| {
            let run = runs.iter().find(|r| r.label == e.run).ok_or_else(|| {
                ReportError::input(Path::new(&e.run), "an entry of a run that was not loaded")
            })?;
            let key = key_of(run, &e.model, &e.backend)?;
            let speeds: Vec<f64> = run
                .records
                .iter()
                .filter(|r| r.model == e.model && r.backend == e.backend)
                .filter_map(|r| r.generation.as_ref().map(|g| g.gen_tokens_per_s))
                .collect();
            let sorted = sorted_finite(speeds.iter().copied());
            let gen_tokens_per_s = median(&sorted).and_then(|m| {
                let (low, high) = median_interval(&sorted, CONFIDENCE)?;
                Some(SpeedPoint { median: m, low: low.min(m), high: high.max(m), n: sorted.len() })
            });
            let manifest = run.manifest.as_ref();
            Ok(Point {
                schema: SCHEMA,
                key,
                finished_at: manifest.and_then(|m| m.finished_at.clone()),
                added_at: added_at.clone(),
                commit: commit.map(str::to_string),
                run: run.label.clone(),
                suite: e.suite.clone(),
                model_file: e.model_file.clone(),
                backend_version: e.backend_version.clone(),
                tasks: e.tasks,
                task_set: e.task_set.clone(),
                samples: e.samples,
                samples_per_task: e.samples_per_task,
                pass_at_1: e.pass_at_1.clone(),
                gen_tokens_per_s,
                machine: manifest.map(|m| format!("{} ({} CPUs)", m.machine.cpu_model, m.machine.cpus)),
                evalrun_version: manifest.map(|m| m.evalrun_version.clone()),
            })
        })
        .collect()
}

/// The gate's verdict on each candidate point it judged: one record per pair of models and
/// candidate run.
pub fn gate_records(
    gate: &Gate,
    baseline: &[Run],
    candidate: &[Run],
) -> Result<Vec<GateRecord>, ReportError> {
    let judged_at = evalrun_harness::manifest::RunManifest::now();
    let mut records = Vec::new();
    for pair in &gate.pairs {
        let regressed = pair.pass.regressed
            || pair.test_writing.iter().any(|f| f.regressed)
            || matches!(pair.speed, SpeedCheck::Measured { regressed: true, .. });
        let baseline_runs: Vec<BaselineRun> = baseline
            .iter()
            .filter(|r| pair.baseline_runs.contains(&r.label))
            .map(|r| BaselineRun {
                run: r.label.clone(),
                started_at: r.manifest.as_ref().map(|m| m.created_at.clone()),
            })
            .collect();
        for run in candidate.iter().filter(|r| pair.candidate_runs.contains(&r.label)) {
            // The pair names its model `model (backend)`; find which of the run's it is.
            let Some(r) =
                run.records.iter().find(|r| format!("{} ({})", r.model, r.backend) == pair.candidate)
            else {
                continue;
            };
            records.push(GateRecord {
                schema: SCHEMA,
                key: key_of(run, &r.model, &r.backend)?,
                judged_at: judged_at.clone(),
                verdict: if regressed { Verdict::Regressed } else { Verdict::Held },
                baseline: baseline_runs.clone(),
                baseline_model: pair.baseline.clone(),
                max_drop: gate.options.max_drop_points,
                max_slowdown: gate.options.max_slowdown_pct,
                alpha: gate.options.alpha,
                summary: summary(pair),
            });
        }
    }
    Ok(records)
}

/// `pass@1 60.0% -> 50.0% (-10.0 points, p = 0.021); speed x0.97 [0.93, 1.01]; regressed: pass@1`.
fn summary(pair: &crate::gate::PairVerdict) -> String {
    let p = &pair.pass;
    let mut text = format!(
        "pass@1 {:.1}% -> {:.1}% ({:+.1} points on {} common tasks, p = {:.3})",
        p.baseline * 100.0,
        p.candidate * 100.0,
        (p.candidate - p.baseline) * 100.0,
        pair.tasks,
        p.test.p_value
    );
    if let SpeedCheck::Measured { ratio, .. } = &pair.speed {
        text.push_str(&format!("; speed x{:.2} [{:.2}, {:.2}]", ratio.ratio, ratio.low, ratio.high));
    }
    let mut what: Vec<String> = Vec::new();
    if p.regressed {
        what.push("pass@1".into());
    }
    what.extend(pair.test_writing.iter().filter(|f| f.regressed).map(|f| f.name.to_string()));
    if matches!(pair.speed, SpeedCheck::Measured { regressed: true, .. }) {
        what.push("speed".into());
    }
    if !what.is_empty() {
        text.push_str(&format!("; regressed: {}", what.join(", ")));
    }
    text
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn point(started_at: &str, model: &str, value: f64, task_set: &str) -> Point {
        Point {
            schema: SCHEMA,
            key: Key {
                started_at: started_at.to_string(),
                model: model.to_string(),
                backend: "llamacpp".to_string(),
                model_sha256: Some("ab".repeat(32)),
                shard: None,
            },
            finished_at: None,
            added_at: "2026-01-01T00:00:00Z".to_string(),
            commit: Some("0123456789abcdef".to_string()),
            run: "run".to_string(),
            suite: "humaneval".to_string(),
            model_file: Some("m.gguf".to_string()),
            backend_version: None,
            tasks: 20,
            task_set: task_set.to_string(),
            samples: 20,
            samples_per_task: 1,
            pass_at_1: Interval {
                value,
                low: value * 0.8,
                high: (value * 1.1).min(1.0),
                method: "wilson".into(),
            },
            gen_tokens_per_s: Some(SpeedPoint { median: 40.0, low: 38.0, high: 41.0, n: 20 }),
            machine: Some("Some CPU (2 CPUs)".to_string()),
            evalrun_version: Some("0.1.0".to_string()),
        }
    }

    pub(crate) fn gate(p: &Point, verdict: Verdict) -> GateRecord {
        GateRecord {
            schema: SCHEMA,
            key: p.key.clone(),
            judged_at: "2026-01-01T00:00:00Z".to_string(),
            verdict,
            baseline: vec![BaselineRun {
                run: "base".into(),
                started_at: Some("2025-12-31T00:00:00Z".into()),
            }],
            baseline_model: "m (llamacpp)".into(),
            max_drop: 0.0,
            max_slowdown: None,
            alpha: 0.05,
            summary: "pass@1 60.0% -> 50.0%".into(),
        }
    }

    #[test]
    fn lines_round_trip_with_their_record_tag() {
        let p = point("2026-01-02T03:04:05Z", "m", 0.5, "aa");
        let line = Line::Run(p.clone());
        let json = serde_json::to_string(&line).unwrap();
        assert!(
            json.starts_with("{\"record\":\"run\",\"schema\":1,\"started_at\":\"2026-01-02T03:04:05Z\""),
            "{json}"
        );
        assert_eq!(serde_json::from_str::<Line>(&json).unwrap(), line);
        let g = Line::Gate(gate(&p, Verdict::Regressed));
        let json = serde_json::to_string(&g).unwrap();
        assert!(json.contains("\"record\":\"gate\"") && json.contains("\"verdict\":\"regressed\""), "{json}");
        assert_eq!(serde_json::from_str::<Line>(&json).unwrap(), g);
    }

    #[test]
    fn appending_twice_adds_nothing_the_second_time() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("hist");
        let a = point("2026-01-02T03:04:05Z", "m", 0.5, "aa");
        let b = point("2026-01-03T03:04:05Z", "m", 0.6, "aa");
        let lines = [Line::Run(a.clone()), Line::Run(b.clone())];
        assert_eq!(append(&dir, &lines).unwrap().added, 2);
        let before = std::fs::read_to_string(file_of(&dir)).unwrap();
        let again = append(&dir, &lines).unwrap();
        assert_eq!(again.added, 0);
        assert_eq!(again.already.len(), 2);
        assert!(again.already[1].contains("(line 2)"), "{:?}", again.already);
        assert_eq!(std::fs::read_to_string(file_of(&dir)).unwrap(), before);

        // The same run appended later, with other figures or another commit: still the same
        // point (its key), so nothing is added.
        let mut later = a.clone();
        later.pass_at_1.value = 0.55;
        later.commit = None;
        later.added_at = "2027-01-01T00:00:00Z".into();
        assert_eq!(append(&dir, &[Line::Run(later)]).unwrap().added, 0);
        // Another shard, model file or backend is another point.
        let mut shard = a.clone();
        shard.key.shard = Some("1/2".into());
        let mut file = a.clone();
        file.key.model_sha256 = Some("cd".repeat(32));
        let mut backend = a.clone();
        backend.key.backend = "candle".into();
        let lines = [Line::Run(shard), Line::Run(file), Line::Run(backend.clone()), Line::Run(backend)];
        assert_eq!(append(&dir, &lines).unwrap().added, 3, "a duplicate within one batch counts once");

        // Gates: the same verdict twice is one; against another baseline it is another.
        let g = gate(&a, Verdict::Regressed);
        assert_eq!(append(&dir, &[Line::Gate(g.clone()), Line::Gate(g.clone())]).unwrap().added, 1);
        let mut other = g.clone();
        other.baseline[0].run = "base2".into();
        assert_eq!(append(&dir, &[Line::Gate(other)]).unwrap().added, 1);

        let history = History::read(&dir).unwrap();
        assert_eq!(history.points.len(), 5);
        assert_eq!(history.gates.len(), 2);
        assert_eq!(history.gates_of(&a.key).count(), 2);
        assert_eq!(history.gates_of(&b.key).count(), 0);
        assert!(history.orphan_gates().is_empty());
        assert!(history.warnings.is_empty());
    }

    #[test]
    fn a_malformed_line_is_named_and_nothing_is_lost() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        let a = point("2026-01-02T03:04:05Z", "m", 0.5, "aa");
        append(dir, &[Line::Run(a.clone())]).unwrap();
        let good = std::fs::read_to_string(file_of(dir)).unwrap();
        let cases = [
            ("{\"record\": \"run\", \"schema\": 1", "not JSON"),
            ("{\"record\": \"nope\", \"schema\": 1}", "unknown variant `nope`"),
            ("{\"record\": \"run\", \"schema\": 1, \"model\": \"m\"}", "missing field"),
            ("{\"record\": \"run\", \"schema\": 7}", "later evalrun (schema 7"),
        ];
        for (bad, says) in cases {
            let text = format!("{good}{bad}\n{good}");
            std::fs::write(file_of(dir), &text).unwrap();
            let err = History::read(dir).unwrap_err().to_string();
            assert!(err.contains("history.jsonl: line 2: ") && err.contains(says), "{bad}: {err}");
            let err = append(dir, &[Line::Run(point("2026-02-02T03:04:05Z", "m", 0.5, "aa"))])
                .unwrap_err()
                .to_string();
            assert!(err.contains("line 2") && err.contains("nothing was written"), "{err}");
            assert_eq!(std::fs::read_to_string(file_of(dir)).unwrap(), text, "the file is untouched");
        }
        // Values serde accepts but a history cannot: a bad date, an interval that excludes its value.
        let mut date = serde_json::to_value(Line::Run(a.clone())).unwrap();
        date["started_at"] = "yesterday".into();
        let mut interval = serde_json::to_value(Line::Run(a.clone())).unwrap();
        interval["pass_at_1"]["low"] = 0.9.into();
        for (bad, says) in [(date, "RFC 3339"), (interval, "low <= value <= high")] {
            std::fs::write(file_of(dir), format!("{good}{bad}\n")).unwrap();
            let err = History::read(dir).unwrap_err().to_string();
            assert!(err.contains("line 2") && err.contains(says), "{err}");
        }
    }

    #[test]
    fn a_last_line_without_its_newline_is_kept_apart() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        let a = point("2026-01-02T03:04:05Z", "m", 0.5, "aa");
        let text = serde_json::to_string(&Line::Run(a)).unwrap();
        std::fs::write(file_of(dir), &text).unwrap();
        let b = point("2026-01-03T03:04:05Z", "m", 0.5, "aa");
        assert_eq!(append(dir, &[Line::Run(b)]).unwrap().added, 1);
        assert_eq!(History::read(dir).unwrap().points.len(), 2);
        // A file with a record repeated by hand reads, once, with a warning.
        let doubled = std::fs::read_to_string(file_of(dir)).unwrap().repeat(2);
        std::fs::write(file_of(dir), doubled).unwrap();
        let history = History::read(dir).unwrap();
        assert_eq!(history.points.len(), 2);
        assert_eq!(history.warnings.len(), 2, "{:?}", history.warnings);
        assert!(history.warnings[0].contains(":3: repeats"), "{:?}", history.warnings);
    }

    #[test]
    fn the_timeline_orders_by_time_and_joins_only_one_task_set() {
        // File order is not time order; two models share the second run.
        let mut history = History {
            points: vec![
                point("2026-01-03T00:00:00Z", "a", 0.6, "set1"),
                point("2026-01-01T00:00:00Z", "a", 0.5, "set1"),
                point("2026-01-03T00:00:00Z", "b", 0.4, "set1"),
                point("2026-01-05T00:00:00Z", "a", 0.7, "set2"),
                point("2026-01-06T00:00:00Z", "a", 0.7, "set2"),
            ],
            ..History::default()
        };
        history.gates = vec![
            gate(&history.points[0], Verdict::Held),
            gate(&history.points[0], Verdict::Regressed),
            gate(&history.points[3], Verdict::Held),
        ];
        let t = Timeline::of(&history);
        assert_eq!(t.positions, 4);
        let placed: Vec<(usize, &str, GateState)> =
            t.points.iter().map(|p| (p.position, p.point.key.model.as_str(), p.gate)).collect();
        assert_eq!(
            placed,
            [
                (1, "a", GateState::NotGated),
                (2, "a", GateState::Failed),
                (2, "b", GateState::NotGated),
                (3, "a", GateState::Held),
                (4, "a", GateState::NotGated),
            ]
        );
        assert_eq!(t.series, [("a".to_string(), "llamacpp".to_string()), ("b".into(), "llamacpp".into())]);
        // a: 1-2 joined (set1), 2-3 not (set1 then set2), 3-4 joined (set2).
        let joined: Vec<(usize, usize)> =
            t.segments().iter().map(|(x, y)| (x.position, y.position)).collect();
        assert_eq!(joined, [(1, 2), (3, 4)]);
    }

    #[test]
    fn points_come_from_runs_with_manifests() {
        use crate::test_support::{generated, record, write_run};
        use evalrun_core::Status;
        let tmp = tempfile::tempdir().unwrap();
        let rows: Vec<_> = (0..4)
            .map(|i| {
                let status = if i < 3 { Status::Passed } else { Status::Failed };
                generated(record("m", &format!("HumanEval/{i}"), status), 30.0 + f64::from(i), 1.0)
            })
            .collect();
        let dir = write_run(tmp.path(), "r1", &rows);
        let runs = Run::load_all(std::slice::from_ref(&dir)).unwrap();
        let board = Leaderboard::build(&runs);
        let err = points_of(&board, &runs, None).unwrap_err().to_string();
        assert!(err.contains("r1") && err.contains("manifest.json"), "{err}");
        assert!(check_runs(&runs).is_err());

        let manifest = serde_json::json!({
            "evalrun_version": "0.1.0", "created_at": "2026-03-04T05:06:07Z", "command": ["evalrun"],
            "suite": "humaneval", "corpus_version": "1", "tasks": [], "samples_per_task": 1,
            "sampling": {"temperature": 0.0, "top_p": 1.0, "seed": 0, "max_tokens": 768},
            "models": [{"id": "m", "file": "/home/x/m.gguf", "size": 1, "sha256": "ff", "backend": "llamacpp"}],
            "limits": {"timeout_s": 3.0, "memory_bytes": 1, "file_size_bytes": 1, "open_files": 1}, "machine": {"os": "linux", "arch": "x86_64", "cpus": 2, "cpu_model": "CPU X",
            "memory_bytes": 1}, "shard": {"index": 2, "count": 3, "source": "flag"}
        });
        std::fs::write(dir.join("manifest.json"), manifest.to_string()).unwrap();
        let runs = Run::load_all(&[dir]).unwrap();
        assert!(runs[0].manifest.is_some(), "{:?}", runs[0].warnings);
        let board = Leaderboard::build(&runs);
        let points = points_of(&board, &runs, Some("abc123")).unwrap();
        assert_eq!(points.len(), 1);
        let p = &points[0];
        assert_eq!(p.key.started_at, "2026-03-04T05:06:07Z");
        assert_eq!(p.key.model_sha256.as_deref(), Some("ff"));
        assert_eq!(p.key.shard.as_deref(), Some("2/3"));
        assert_eq!(p.commit.as_deref(), Some("abc123"));
        assert_eq!(p.model_file.as_deref(), Some("m.gguf"));
        assert_eq!(p.tasks, 4);
        assert_eq!(p.pass_at_1.value, 0.75);
        assert_eq!(p.task_set, board.entries[0].task_set);
        let s = p.gen_tokens_per_s.as_ref().unwrap();
        assert_eq!((s.median, s.n), (31.5, 4));
        assert!(s.low <= 31.5 && 31.5 <= s.high && s.low >= 30.0 && s.high <= 33.0, "{s:?}");
        assert_eq!(p.machine.as_deref(), Some("CPU X (2 CPUs)"));
    }
}
