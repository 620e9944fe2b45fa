//! `--history DIR` of `evalrun report` and `evalrun gate`: the runs' points and the gate's
//! verdicts appended to `DIR/history.jsonl`, and `history.html` drawn from it.

use anyhow::{Context, Result};
use evalrun_reports::gate::Gate;
use evalrun_reports::history::{self, page, History, Line};
use evalrun_reports::{Leaderboard, Run};
use std::path::{Path, PathBuf};

/// Before anything is written: the history reads (a bad line is an error naming it) and every
/// run can give points (each has a manifest with its start time).
pub fn check(dir: &Path, runs: &[Run]) -> Result<()> {
    History::read(dir)?;
    history::check_runs(runs).context("cannot add this run to the history")?;
    Ok(())
}

/// Appends the points of `board` (built from `runs`) to the history in `dir`, then writes
/// `history.html` from the whole history into `out`. Returns the files written.
pub fn record_and_draw(
    dir: &Path,
    board: Option<(&Leaderboard, &[Run])>,
    commit: Option<&str>,
    out: &Path,
) -> Result<Vec<PathBuf>> {
    if let Some((board, runs)) = board {
        let lines: Vec<Line> = history::points_of(board, runs, commit)?.into_iter().map(Line::Run).collect();
        let appended = history::append(dir, &lines)?;
        report_append(dir, &appended, "run");
    }
    let history = History::read(dir)?;
    for warning in &history.warnings {
        eprintln!("warning: {warning}");
    }
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let leaderboard = board.is_some();
    let written = page::write(&history, out, leaderboard)?;
    eprintln!(
        "history: {} points in {}; open {}",
        history.points.len(),
        history::file_of(dir).display(),
        out.join(page::FILE).display()
    );
    Ok(written)
}

/// Appends the gate's verdict on each candidate point to the history in `dir`.
pub fn record_gate(dir: &Path, gate: &Gate, baseline: &[Run], candidate: &[Run]) -> Result<()> {
    let lines: Vec<Line> =
        history::gate_records(gate, baseline, candidate)?.into_iter().map(Line::Gate).collect();
    let appended = history::append(dir, &lines)?;
    report_append(dir, &appended, "gate verdict");
    Ok(())
}

fn report_append(dir: &Path, appended: &history::Appended, what: &str) {
    for already in &appended.already {
        eprintln!("history: already recorded, not appended again: {already}");
    }
    eprintln!(
        "history: appended {} {what}{} to {}",
        appended.added,
        if appended.added == 1 { "" } else { "s" },
        history::file_of(dir).display()
    );
}
