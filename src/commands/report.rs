//! `evalrun report RUN_DIR... --out DIR`: the leaderboard of one or more runs.

use crate::cli::ReportArgs;
use anyhow::{Context, Result};
use evalrun_backends::models::GgufHeader;
use evalrun_reports::{quantization, Leaderboard, Run};
use std::path::Path;
use std::process::ExitCode;

pub fn main(args: ReportArgs) -> Result<ExitCode> {
    let runs = load_runs(&args.runs)?;
    let mut board = Leaderboard::build(&runs);
    // Ids without a quantization suffix: ask the model file, when it is on this machine.
    for entry in board.entries.iter_mut().filter(|e| e.quantization.is_none()) {
        entry.quantization = entry.model_file.as_deref().and_then(file_quantization);
    }
    std::fs::create_dir_all(&args.out).with_context(|| format!("cannot create {}", args.out.display()))?;
    let written = evalrun_reports::write_report(&board, &args.out)?;
    for e in &board.entries {
        println!(
            "{:>3}. {:<50} pass@1 {:5.1}% [{:.1}, {:.1}]{}",
            e.rank,
            e.label,
            e.pass_at_1.value * 100.0,
            e.pass_at_1.low * 100.0,
            e.pass_at_1.high * 100.0,
            e.test_writing.as_ref().map(|t| format!("; test-writing {}", t.cell())).unwrap_or_default()
        );
    }
    for e in &board.entries {
        if let Some(feedback) = &e.feedback {
            print!("{}", feedback.markdown(&e.label));
        }
    }
    eprintln!("wrote {} files; open {}", written.len(), args.out.join("index.html").display());
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
fn file_quantization(path: &str) -> Option<String> {
    let path = Path::new(path);
    let code = GgufHeader::read(path).ok()?.file_type()?;
    quantization::from_file_type(code).map(str::to_string)
}
