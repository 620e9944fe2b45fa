//! `evalrun tasks ...`

use crate::cli::TasksCommand;
use anyhow::{bail, Context, Result};
use evalrun_tasks::{import, Corpus};
use std::io::Write;
use std::process::ExitCode;

pub fn main(command: TasksCommand) -> Result<ExitCode> {
    let done = |r: Result<()>| r.map(|()| ExitCode::SUCCESS);
    match command {
        TasksCommand::List { suite, json } => done(match list(suite.as_deref(), json) {
            // `evalrun tasks list | head` is fine.
            Err(e)
                if e.downcast_ref::<std::io::Error>()
                    .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe) =>
            {
                Ok(())
            }
            other => other,
        }),
        TasksCommand::Import { suite, from, out } => {
            let tasks = match suite.as_str() {
                "humaneval" => import::humaneval(&from)?,
                other => bail!("no importer for suite `{other}` (known: humaneval)"),
            };
            let mut text = String::new();
            for task in &tasks {
                text.push_str(&serde_json::to_string(task)?);
                text.push('\n');
            }
            std::fs::write(&out, text).with_context(|| format!("writing {}", out.display()))?;
            println!("imported {} tasks of {suite} into {}", tasks.len(), out.display());
            Ok(ExitCode::SUCCESS)
        }
        TasksCommand::Mutate { from, out, report, workers, timeout } => {
            super::tasks_mutate::main(&from, &out, report, workers, timeout).map(|()| ExitCode::SUCCESS)
        }
        TasksCommand::Check { suite, tasks_dir, workers, timeout } => {
            super::tasks_check::main(suite.as_deref(), tasks_dir.as_deref(), workers, timeout)
        }
    }
}

fn list(suite: Option<&str>, json: bool) -> Result<()> {
    let corpus = Corpus::builtin()?;
    let mut out = std::io::stdout().lock();
    for s in &corpus.suites {
        if suite.is_some_and(|name| name != s.name) {
            continue;
        }
        for t in &s.tasks {
            let difficulty = t.difficulty.as_deref().unwrap_or("-");
            if json {
                let row = serde_json::json!({
                    "id": t.id, "suite": t.suite, "language": t.language, "kind": t.kind, "difficulty": t.difficulty,
                });
                writeln!(out, "{row}")?;
            } else {
                writeln!(
                    out,
                    "{:<20} {:<12} {:<10} {:<6} {}",
                    t.id,
                    t.suite,
                    t.language.as_str(),
                    t.kind.as_str(),
                    difficulty
                )?;
            }
        }
    }
    Ok(())
}
