//! `evalrun report RUN_DIR... --out DIR`: the leaderboard of one or more runs.

use crate::cli::ReportArgs;
use anyhow::{Context, Result};
use evalrun_backends::models::GgufHeader;
use evalrun_reports::{quantization, Leaderboard, Run};
use std::path::Path;
use std::process::ExitCode;

pub fn main(args: ReportArgs) -> Result<ExitCode> {
    if args.runs.is_empty() {
        // Only the history's page (clap requires --history without runs).
        if let Some(dir) = &args.history {
            super::history::record_and_draw(dir, None, None, &args.out)?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    let runs = load_runs(&args.runs)?;
    if let Some(dir) = &args.history {
        super::history::check(dir, &runs)?;
    }
    // Ids without a quantization suffix: ask the model file, when it is on this machine.
    let mut board = Leaderboard::build_with(&runs, &file_quantization);
    board.pages =
        evalrun_reports::drilldown::PAGES.iter().map(|(f, t)| (f.to_string(), t.to_string())).collect();
    if args.history.is_some() {
        board.pages.push(("history.html".into(), "history over time".into()));
    }
    std::fs::create_dir_all(&args.out).with_context(|| format!("cannot create {}", args.out.display()))?;
    let mut written = evalrun_reports::write_report(&board, &args.out)?;
    written.extend(drilldown(&board, &runs, &args.out)?);
    for g in &board.groups {
        let group = if board.groups.len() > 1 { format!("group {}: ", g.id) } else { String::new() };
        println!("{group}ranked on {} common tasks", g.common_tasks);
        for e in board.entries_of(g.id) {
            println!(
                "{:>3}. {:<50} pass@1 {:5.1}% [{:.1}, {:.1}] (own {} tasks: {:.1}%){}",
                e.rank,
                e.label,
                e.pass_at_1_common.value * 100.0,
                e.pass_at_1_common.low * 100.0,
                e.pass_at_1_common.high * 100.0,
                e.tasks,
                e.pass_at_1.value * 100.0,
                e.test_writing.as_ref().map(|t| format!("; test-writing {}", t.cell())).unwrap_or_default()
            );
        }
    }
    for e in &board.entries {
        if let Some(feedback) = &e.feedback {
            print!("{}", feedback.markdown(&e.label));
        }
    }
    eprintln!("wrote {} files; open {}", written.len(), args.out.join("index.html").display());
    if let Some(dir) = &args.history {
        super::history::record_and_draw(dir, Some((&board, &runs)), args.commit.as_deref(), &args.out)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Loads the run directories, printing what was skipped in them.
pub fn load_runs(dirs: &[std::path::PathBuf]) -> Result<Vec<Run>> {
    let runs = Run::load_all(dirs)?;
    for warning in runs.iter().flat_map(|r| &r.warnings) {
        eprintln!("warning: {warning}");
    }
    Ok(runs)
}

/// The quantization named by a GGUF file's `general.file_type`.
fn file_quantization(path: &Path) -> Option<String> {
    let code = GgufHeader::read(path).ok()?.file_type()?;
    quantization::from_file_type(code).map(str::to_string)
}

/// The drill-down pages beside the leaderboard (docs/FORMATS.md, "Drill-down pages"), with the
/// prompts of this evalrun's corpus.
fn drilldown(board: &Leaderboard, runs: &[Run], out: &Path) -> Result<Vec<std::path::PathBuf>> {
    let corpus = evalrun_tasks::Corpus::builtin().unwrap_or_else(|e| {
        eprintln!("warning: the drill-down shows no prompts: {e}");
        evalrun_tasks::Corpus::default()
    });
    let tasks: Vec<&evalrun_core::Task> = corpus.suites.iter().flat_map(|s| &s.tasks).collect();
    Ok(evalrun_reports::drilldown::write(board, runs, &tasks, out)?)
}
