//! `evalrun tasks ...`: list, check and import the corpus.

use super::common::load_corpus;
use crate::cli::TasksCommand;
use anyhow::Result;
use evalrun_tasks::{Corpus, Selector};
use std::io::Write;
use std::process::ExitCode;

pub fn main(command: TasksCommand) -> Result<ExitCode> {
    match command {
        TasksCommand::List { suite, language, json, tasks_dir } => {
            let selector = Selector::parse(&suite, language.as_deref(), None)?;
            let corpus = load_corpus(tasks_dir.as_deref(), &selector)?;
            match list(&corpus, &selector, json) {
                // `evalrun tasks list | head` is fine.
                Err(e)
                    if e.downcast_ref::<std::io::Error>()
                        .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe) =>
                {
                    Ok(ExitCode::SUCCESS)
                }
                other => other.map(|()| ExitCode::SUCCESS),
            }
        }
        TasksCommand::Check { suite, language, limit, timeout, workers, verbose, tasks_dir } => {
            let selector = Selector::parse(&suite, language.as_deref(), limit)?;
            let corpus = load_corpus(tasks_dir.as_deref(), &selector)?;
            super::tasks_check::main(&corpus, &selector, timeout, workers, verbose)
        }
        TasksCommand::Import { suite, from, out } => {
            super::tasks_import::main(&suite, from, out).map(|()| ExitCode::SUCCESS)
        }
        TasksCommand::Mutate { from, out, report, workers, timeout } => {
            super::tasks_mutate::main(&from, &out, report, workers, timeout).map(|()| ExitCode::SUCCESS)
        }
    }
}

fn list(corpus: &Corpus, selector: &Selector, json: bool) -> Result<()> {
    let selected = corpus.select(selector)?;
    let mut out = std::io::stdout().lock();
    if !json {
        writeln!(
            out,
            "{:<40} {:<15} {:<10} {:<12} {:<10} {:<16} ORIGIN",
            "ID", "SUITE", "LANGUAGE", "KIND", "DIFFICULTY", "CATEGORY"
        )?;
    }
    for t in &selected.tasks {
        if json {
            let row = serde_json::json!({
                "id": t.id, "suite": t.suite, "language": t.language, "kind": t.kind,
                "difficulty": t.difficulty, "category": t.category, "origin": t.origin,
            });
            writeln!(out, "{row}")?;
        } else {
            let dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
            writeln!(
                out,
                "{:<40} {:<15} {:<10} {:<12} {:<10} {:<16} {}",
                t.id,
                t.suite,
                t.language.as_str(),
                t.kind.as_str(),
                dash(&t.difficulty),
                dash(&t.category),
                dash(&t.origin)
            )?;
        }
    }
    // The problems a translation left out, so that nothing is silently missing.
    for suite in &corpus.suites {
        let wanted = selector.suites.is_empty() || selector.suites.contains(&suite.name);
        let language = suite.tasks.first().map(|t| t.language);
        let language_ok =
            selector.languages.is_empty() || language.is_some_and(|l| selector.languages.contains(&l));
        if !wanted || !language_ok || suite.excluded.is_empty() {
            continue;
        }
        if !json {
            writeln!(
                out,
                "\n{} problems left out of {} (not translatable faithfully):",
                suite.excluded.len(),
                suite.name
            )?;
        }
        for e in &suite.excluded {
            if json {
                let row = serde_json::json!({"suite": suite.name, "language": language, "origin": e.origin, "excluded": e.reason});
                writeln!(out, "{row}")?;
            } else {
                writeln!(out, "{:<16} {:<15} excluded: {}", e.origin, suite.name, e.reason)?;
            }
        }
    }
    Ok(())
}
