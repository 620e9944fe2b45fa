//! `evalrun tasks check`, test-writing part: each test-writing task's own suite passes on its
//! reference and kills every mutant it keeps. (Code tasks are checked by the corpus check of
//! the multi-language work; this command reports how many it left out.)

use super::tasks_mutate::{pytest_limits, worker_count};
use anyhow::{Context, Result};
use evalrun_core::TaskKind;
use evalrun_harness::sandbox::WorkerCommand;
use evalrun_harness::testwriting::check_tasks;
use evalrun_tasks::Corpus;
use std::path::Path;
use std::process::ExitCode;

pub fn main(
    suite: Option<&str>,
    tasks_dir: Option<&Path>,
    workers: Option<usize>,
    timeout: f64,
) -> Result<ExitCode> {
    let limits = pytest_limits(timeout)?;
    let corpus = match tasks_dir {
        Some(dir) => Corpus::load_dir(dir)?,
        None => Corpus::builtin()?,
    };
    let tasks: Vec<_> = match suite {
        Some(name) => corpus.suite(name)?.tasks.clone(),
        None => corpus.suites.iter().flat_map(|s| s.tasks.clone()).collect(),
    };
    let command =
        WorkerCommand::current_exe().context("cannot locate the evalrun executable for sandbox workers")?;
    let checks = check_tasks(&tasks, &command, worker_count(workers)?, &limits)?;
    let mut failed = 0;
    for c in &checks {
        if c.passed() {
            println!(
                "ok   {:<32} {:>2} mutants killed, coverage {:.0}% lines, {:.0}% branches ({:.1} s)",
                c.task_id,
                c.mutants,
                c.line_coverage * 100.0,
                c.branch_coverage * 100.0,
                c.exec_s
            );
        } else {
            failed += 1;
            for p in &c.problems {
                println!("FAIL {:<32} {p}", c.task_id);
            }
        }
    }
    let skipped = tasks.iter().filter(|t| t.kind != TaskKind::TestWriting).count();
    println!(
        "{} test-writing tasks checked, {failed} failed; {skipped} code tasks not checked by this command",
        checks.len()
    );
    Ok(if failed == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
