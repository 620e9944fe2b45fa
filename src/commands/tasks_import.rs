//! `evalrun tasks import SUITE`: (re)generate a suite file.

use anyhow::{bail, Context, Result};
use evalrun_core::Task;
use evalrun_tasks::{import, translated_language, Corpus, EVALRUN_CORE};
use std::path::{Path, PathBuf};

pub fn main(suite: &str, from: Option<PathBuf>, out: Option<PathBuf>) -> Result<()> {
    let out = out.unwrap_or_else(|| PathBuf::from(format!("tasks/suites/{suite}.jsonl")));
    let tasks = if suite == "humaneval" {
        let Some(from) = from else { bail!("importing humaneval needs --from HumanEval.jsonl.gz") };
        import::humaneval(&from)?
    } else if suite == EVALRUN_CORE {
        let spec = from.unwrap_or_else(|| PathBuf::from("tasks/spec/evalrun-core"));
        evalrun_tasks::build_evalrun_core(&spec)
            .with_context(|| format!("building {suite} from {}", spec.display()))?
    } else if translated_language(suite).is_some() {
        let source = match from {
            Some(path) => Corpus::load_file(&path)?,
            None => Corpus::builtin()?.suite("humaneval")?.tasks.clone(),
        };
        let translated = evalrun_tasks::translate_humaneval(suite, &source)?;
        let excluded = out.with_extension("excluded.tsv");
        write(&excluded, &evalrun_tasks::exclusions_tsv(suite, &translated))?;
        println!("{} problems not translated: listed in {}", translated.excluded.len(), excluded.display());
        translated.tasks
    } else {
        bail!("no importer for suite `{suite}` (known: humaneval, humaneval-js, humaneval-cpp, humaneval-rs, humaneval-java, {EVALRUN_CORE})")
    };
    write(&out, &jsonl(&tasks)?)?;
    println!("wrote {} tasks of {suite} to {}", tasks.len(), out.display());
    Ok(())
}

/// One task per line, as the corpus stores them.
pub fn jsonl(tasks: &[Task]) -> Result<String> {
    let mut text = String::new();
    for task in tasks {
        text.push_str(&serde_json::to_string(task)?);
        text.push('\n');
    }
    Ok(text)
}

fn write(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
}
