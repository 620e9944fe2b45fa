//! `evalrun compare RUN_A RUN_B`: per-task changes and speed and memory deltas.

use super::report::load_runs;
use crate::cli::CompareArgs;
use anyhow::Result;
use std::process::ExitCode;

pub fn main(args: CompareArgs) -> Result<ExitCode> {
    let runs = load_runs(&[args.a, args.b])?;
    let comparison = evalrun_reports::compare::compare(&runs[0], &runs[1], args.model.as_deref())?;
    print!("{comparison}");
    Ok(ExitCode::SUCCESS)
}
