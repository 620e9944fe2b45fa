//! `evalrun tasks check`: every task's reference against its tests, in the sandbox; a summary
//! per suite and language; a non-zero exit on any failure.

use super::common::{sample_limits, worker_count};
use anyhow::{bail, Context, Result};
use evalrun_harness::corpus_check::{check_all, Finding, TaskFinding};
use evalrun_harness::sandbox::WorkerCommand;
use evalrun_tasks::{Corpus, Selector};
use std::collections::BTreeMap;
use std::process::ExitCode;

pub fn main(
    corpus: &Corpus,
    selector: &Selector,
    timeout: f64,
    workers: Option<usize>,
    verbose: bool,
) -> Result<ExitCode> {
    let limits = sample_limits(timeout)?;
    let tasks = corpus.select(selector)?.tasks;
    if tasks.is_empty() {
        bail!("the selection holds no tasks");
    }
    let workers = worker_count(workers)?;
    let worker =
        WorkerCommand::current_exe().context("cannot locate the evalrun executable for sandbox workers")?;
    eprintln!("checking {} tasks with {workers} workers", tasks.len());
    let report = |f: &TaskFinding| {
        if verbose || matches!(f.finding, Finding::Failed(_)) {
            println!("{:<8} {} ({:.1} s): {}", f.finding.label(), f.task.id, f.seconds, f.finding.detail());
        }
    };
    let findings = check_all(&tasks, workers, &worker, &limits, &report)?;

    // suite, language -> (passed, failed, skipped by reason)
    let mut table: BTreeMap<(String, String), (usize, usize, BTreeMap<String, usize>)> = BTreeMap::new();
    for f in &findings {
        let row = table.entry((f.task.suite.clone(), f.task.language.as_str().to_string())).or_default();
        match &f.finding {
            Finding::Passed(_) => row.0 += 1,
            Finding::Failed(_) => row.1 += 1,
            Finding::Skipped(why) => *row.2.entry(why.clone()).or_default() += 1,
        }
    }
    println!("\n{:<16} {:<11} {:>7} {:>7} {:>8}", "SUITE", "LANGUAGE", "PASSED", "FAILED", "SKIPPED");
    for ((suite, language), (passed, failed, skipped)) in &table {
        let skipped_n: usize = skipped.values().sum();
        println!("{suite:<16} {language:<11} {passed:>7} {failed:>7} {skipped_n:>8}");
        for (why, n) in skipped {
            println!("{:<29} skipped {n}: {why}", "");
        }
    }
    let failed: usize = table.values().map(|r| r.1).sum();
    if failed > 0 {
        eprintln!("\n{failed} of {} tasks FAILED their check", findings.len());
        return Ok(ExitCode::from(1));
    }
    eprintln!("\nall {} tasks checked: no failure", findings.len());
    Ok(ExitCode::SUCCESS)
}
