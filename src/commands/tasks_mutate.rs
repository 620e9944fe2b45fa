//! `evalrun tasks mutate`: rebuild the test-writing suite from `tasks/testwriting/`.

use super::common::{sample_limits, worker_count};
use anyhow::{Context, Result};
use evalrun_harness::sandbox::WorkerCommand;
use evalrun_harness::testwriting::suite;
use std::path::{Path, PathBuf};

pub fn main(
    from: &Path,
    out: &Path,
    report: Option<PathBuf>,
    workers: Option<usize>,
    timeout: f64,
) -> Result<()> {
    let limits = sample_limits(timeout)?;
    let command =
        WorkerCommand::current_exe().context("cannot locate the evalrun executable for sandbox workers")?;
    let built = suite::build(from, &command, worker_count(workers)?, &limits)?;
    let jsonl = suite::suite_jsonl(&built)?;
    std::fs::write(out, jsonl).with_context(|| format!("writing {}", out.display()))?;
    let report = report.unwrap_or_else(|| from.join("MUTANTS.md"));
    let markdown = suite::report_markdown(&built);
    std::fs::write(&report, &markdown).with_context(|| format!("writing {}", report.display()))?;
    for b in &built {
        println!(
            "{:<32} {:>3} mutants in all, {:>2} selected, {:>2} dropped (survive its own suite), {:>2} kept",
            b.task.id,
            b.candidates,
            b.selected,
            b.dropped.len(),
            b.task.mutants.len()
        );
    }
    println!("wrote {} tasks to {} and the report to {}", built.len(), out.display(), report.display());
    Ok(())
}
