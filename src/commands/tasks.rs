//! `evalrun tasks ...`

use crate::cli::TasksCommand;
use anyhow::Result;
use evalrun_tasks::Corpus;
use std::io::Write;

pub fn main(command: TasksCommand) -> Result<()> {
    match command {
        TasksCommand::List { suite, json } => match list(suite.as_deref(), json) {
            // `evalrun tasks list | head` is fine.
            Err(e)
                if e.downcast_ref::<std::io::Error>()
                    .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe) =>
            {
                Ok(())
            }
            other => other,
        },
        TasksCommand::Import { suite, from, out } => super::tasks_import::main(&suite, from, out),
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
