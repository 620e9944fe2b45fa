//! `evalrun merge SHARD_DIR... --out DIR`: the shards of one run joined into one run directory,
//! which `report`, `compare` and `gate` take like any other.

use super::common;
use crate::cli::MergeArgs;
use anyhow::{Context, Result};
use evalrun_harness::merge;
use std::process::ExitCode;

pub fn main(args: MergeArgs) -> Result<ExitCode> {
    let merged = merge::merge(&args.dirs, &args.out, std::env::args().collect()).context("cannot merge")?;
    for s in &merged.manifest.shards {
        eprintln!(
            "shard {} from {}: {} samples, {} to {} on {} ({} cpus)",
            s.shard,
            s.dir,
            s.samples,
            s.started_at,
            s.finished_at.as_deref().unwrap_or("?"),
            s.machine.cpu_model,
            s.machine.cpus
        );
    }
    common::finish(&args.out, &evalrun_harness::score::summarize(&merged.records, &merged.manifest.suite))?;
    Ok(ExitCode::SUCCESS)
}
