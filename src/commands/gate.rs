//! `evalrun gate`: exit 0 when the candidate holds, 1 when it regressed, 2 on bad input (every
//! error reaches `main`, which exits 2).

use super::report::load_runs;
use crate::cli::GateArgs;
use anyhow::Result;
use evalrun_reports::gate::{evaluate, GateOptions};
use std::process::ExitCode;

pub fn main(args: GateArgs) -> Result<ExitCode> {
    let baseline = load_runs(&args.baseline)?;
    let candidate = load_runs(&args.candidate)?;
    if let Some(dir) = &args.history {
        super::history::check(dir, &candidate)?;
    }
    let options = GateOptions {
        max_drop_points: args.max_drop,
        max_slowdown_pct: args.max_slowdown,
        alpha: args.alpha,
    };
    let gate = evaluate(&baseline, &candidate, args.model.as_deref(), options)?;
    print!("{gate}");
    if let Some(dir) = &args.history {
        super::history::record_gate(dir, &gate, &baseline, &candidate)?;
    }
    Ok(if gate.regressed() { ExitCode::from(1) } else { ExitCode::SUCCESS })
}
