//! Building the `evalrun-testwriting` suite from its sources (`tasks/testwriting/`): for each
//! module listed in `tasks.toml`, the module, its own pytest suite, and mutants generated from
//! the module and filtered by that suite. A selected mutant that survives the task's own suite
//! is equivalent to the module or untested by it; it is dropped and reported
//! (`tasks/testwriting/MUTANTS.md`). `evalrun tasks mutate` runs this.

use super::mutate::{self, diff_line, Candidate};
use super::parallel::map_with_workers;
use super::score::{score_suite, Subject};
use super::TestWritingError;
use crate::sandbox::{Limits, WorkerCommand};
use evalrun_core::{Language, Mutant, Task, TaskKind};
use serde::Deserialize;
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// The suite's name (and file stem).
pub const SUITE: &str = "evalrun-testwriting";
/// Mutants selected per module before filtering.
pub const MUTANTS_PER_TASK: usize = 24;
/// The index of the sources directory.
pub const INDEX: &str = "tasks.toml";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Index {
    task: Vec<SourceEntry>,
}

/// One entry of `tasks.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceEntry {
    /// `<module>.py` and `test_<module>.py` lie beside `tasks.toml`.
    pub module: String,
    pub difficulty: Option<String>,
    pub category: Option<String>,
}

/// A task's sources as read from the directory.
#[derive(Debug, Clone)]
pub struct Source {
    pub entry: SourceEntry,
    pub module_source: String,
    pub test_source: String,
}

impl Source {
    pub fn task_id(&self) -> String {
        format!("testwriting/{}", self.entry.module)
    }
}

/// Read `tasks.toml` and the files it names.
pub fn read_sources(dir: &Path) -> Result<Vec<Source>, TestWritingError> {
    let read = |path: PathBuf| {
        std::fs::read_to_string(&path).map_err(|source| TestWritingError::Io { path: path.clone(), source })
    };
    let index_path = dir.join(INDEX);
    let index: Index = toml::from_str(&read(index_path.clone())?)
        .map_err(|e| TestWritingError::Source { path: index_path.clone(), reason: e.to_string() })?;
    let mut seen = std::collections::HashSet::new();
    index
        .task
        .into_iter()
        .map(|entry| {
            let m = &entry.module;
            let identifier = m.chars().next().is_some_and(|c| c.is_alphabetic() || c == '_')
                && m.chars().all(|c| c.is_alphanumeric() || c == '_');
            if !identifier || !seen.insert(m.clone()) {
                return Err(TestWritingError::Source {
                    path: index_path.clone(),
                    reason: format!("field `module`: `{m}` is not a unique Python module name"),
                });
            }
            let module_source = read(dir.join(format!("{m}.py")))?;
            let test_source = read(dir.join(format!("test_{m}.py")))?;
            Ok(Source { entry, module_source, test_source })
        })
        .collect()
}

/// A built task and what building it found.
#[derive(Debug, Clone)]
pub struct BuiltTask {
    pub task: Task,
    /// Mutants the module has in all.
    pub candidates: usize,
    pub selected: usize,
    /// Selected mutants that survived the task's own suite.
    pub dropped: Vec<Candidate>,
    pub line_coverage: f64,
    pub branch_coverage: f64,
}

/// The selected mutants of a module as [`Mutant`]s, with provisional ids `c01`, `c02`, ...
pub fn selected_mutants(source: &Source) -> Result<(usize, Vec<Candidate>), TestWritingError> {
    let found = mutate::mutants(&source.module_source, MUTANTS_PER_TASK, &source.entry.module)?;
    Ok((found.candidates, found.selected))
}

fn as_mutants(candidates: &[Candidate], prefix: char) -> Vec<Mutant> {
    candidates
        .iter()
        .enumerate()
        .map(|(i, c)| Mutant {
            id: format!("{prefix}{:02}", i + 1),
            operator: c.operator.clone(),
            line: c.line,
            source: c.source.clone(),
        })
        .collect()
}

/// Build every task of `dir`, running the sandbox work on `workers` workers.
pub fn build(
    dir: &Path,
    command: &WorkerCommand,
    workers: usize,
    limits: &Limits,
) -> Result<Vec<BuiltTask>, TestWritingError> {
    let sources = read_sources(dir)?;
    // Mutant generation is pure parsing, done here; the sandbox runs the suites.
    let selections = sources.iter().map(selected_mutants).collect::<Result<Vec<_>, _>>()?;
    let jobs: Vec<(&Source, &(usize, Vec<Candidate>))> = sources.iter().zip(&selections).collect();
    let results = map_with_workers(&jobs, workers, command, |worker, (source, (candidates, selected))| {
        let provisional = as_mutants(selected, 'c');
        let subject =
            Subject { module: &source.entry.module, source: &source.module_source, mutants: &provisional };
        let score = score_suite(worker, &subject, &source.test_source, limits);
        if !score.valid() {
            return Err(TestWritingError::Source {
                path: dir.join(format!("test_{}.py", source.entry.module)),
                reason: format!("does not pass on {}.py: {}", source.entry.module, score.reference.detail),
            });
        }
        let (kept, dropped): (Vec<_>, Vec<_>) =
            selected.iter().zip(&provisional).partition(|(_, m)| !score.survivors.contains(&m.id));
        let kept: Vec<Candidate> = kept.into_iter().map(|(c, _)| c.clone()).collect();
        let task = Task {
            id: source.task_id(),
            suite: SUITE.to_string(),
            language: Language::Python,
            kind: TaskKind::TestWriting,
            prompt: source.module_source.clone(),
            entry_point: source.entry.module.clone(),
            test: source.test_source.clone(),
            reference: source.module_source.clone(),
            difficulty: source.entry.difficulty.clone(),
            category: source.entry.category.clone(),
            mutants: as_mutants(&kept, 'm'),
            ..Task::default()
        };
        Ok(BuiltTask {
            task,
            candidates: *candidates,
            selected: selected.len(),
            dropped: dropped.into_iter().map(|(c, _)| c.clone()).collect(),
            line_coverage: score.line_coverage,
            branch_coverage: score.branch_coverage,
        })
    })?;
    results.into_iter().collect()
}

/// The suite file: one task per line.
pub fn suite_jsonl(built: &[BuiltTask]) -> Result<String, serde_json::Error> {
    let mut out = String::new();
    for b in built {
        out.push_str(&serde_json::to_string(&b.task)?);
        out.push('\n');
    }
    Ok(out)
}

/// `MUTANTS.md`: per task, the mutants found, selected, dropped (with the edit) and kept.
pub fn report_markdown(built: &[BuiltTask]) -> String {
    let mut out = String::from(
        "# Mutants of the test-writing tasks\n\n\
         Generated by `evalrun tasks mutate`; do not edit. For each module: the mutants the \
         operators produce, those selected, those dropped because they survive the task's own \
         suite (equivalent to the module, or a behaviour the suite does not pin down), and those \
         kept in the task. Coverage is of the module by its own suite.\n\n\
         | task | candidates | selected | dropped | kept | line cov. | branch cov. |\n\
         |---|---:|---:|---:|---:|---:|---:|\n",
    );
    let (mut selected, mut dropped, mut kept) = (0, 0, 0);
    for b in built {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {:.0}% | {:.0}% |",
            b.task.id,
            b.candidates,
            b.selected,
            b.dropped.len(),
            b.task.mutants.len(),
            b.line_coverage * 100.0,
            b.branch_coverage * 100.0
        );
        selected += b.selected;
        dropped += b.dropped.len();
        kept += b.task.mutants.len();
    }
    let _ = writeln!(out, "| **{} tasks** | | {selected} | {dropped} | {kept} | | |\n", built.len());
    out.push_str("## Dropped mutants\n\n");
    for b in built.iter().filter(|b| !b.dropped.is_empty()) {
        for c in &b.dropped {
            let _ = writeln!(
                out,
                "- `{}` line {} ({}): `{}`",
                b.task.id,
                c.line,
                c.operator,
                diff_line(&b.task.reference, &c.source).replace('`', "'")
            );
        }
    }
    out
}

/// Differences between shipped tasks and their sources: a task whose module or suite differs
/// from the files, or whose mutants are not among the module's selected mutants. Pure parsing,
/// no sandbox: it tells whether `evalrun tasks mutate` was run after the sources changed.
pub fn stale_tasks(dir: &Path, tasks: &[Task]) -> Result<Vec<String>, TestWritingError> {
    let mut problems = Vec::new();
    let sources = read_sources(dir)?;
    for source in &sources {
        let id = source.task_id();
        let Some(task) = tasks.iter().find(|t| t.id == id) else {
            problems.push(format!("{id}: in {INDEX} but not in the suite"));
            continue;
        };
        if task.reference != source.module_source || task.prompt != source.module_source {
            problems.push(format!("{id}: module differs from {}.py", source.entry.module));
        }
        if task.test != source.test_source {
            problems.push(format!("{id}: suite differs from test_{}.py", source.entry.module));
        }
        let (_, selected) = selected_mutants(source)?;
        for m in &task.mutants {
            if !selected.iter().any(|c| c.source == m.source && c.operator == m.operator && c.line == m.line)
            {
                problems.push(format!("{id}: mutant {} is not one the mutator selects", m.id));
            }
        }
    }
    for task in tasks {
        if !sources.iter().any(|s| s.task_id() == task.id) {
            problems.push(format!("{}: not in {INDEX}", task.id));
        }
    }
    Ok(problems)
}
