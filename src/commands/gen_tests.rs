//! `evalrun gen-tests FILE.py --model ID`: pytest tests for a developer's module, written by a
//! model in rounds with feedback, kept only where they pass against the module, ordered by the
//! item they test (docs/GEN_TESTS.md).

use super::common::{generation_threads, sample_limits, worker_count};
use crate::cli::GenTestsArgs;
use crate::gentests_progress::GenTestsProgress;
use anyhow::{bail, Context, Result};
use evalrun_backends::models::{sha256_of, ModelStore};
use evalrun_backends::slot_count;
use evalrun_backends::LoadOptions;
use evalrun_core::SamplingParams;
use evalrun_harness::manifest::{Machine, RunManifest};
use evalrun_harness::prompt::PromptTemplate;
use evalrun_harness::sandbox::{PythonWorker, WorkerCommand};
use evalrun_harness::testwriting::gentests::{generate_tests, GenTestsOptions, GenTestsReport, HeaderInfo};
use evalrun_harness::testwriting::mutate::diff_line;
use std::path::Path;
use std::process::ExitCode;

pub fn main(args: GenTestsArgs) -> Result<ExitCode> {
    let source = std::fs::read_to_string(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let module = args
        .file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .filter(|m| args.file.extension().is_some_and(|e| e == "py") && is_identifier(m))
        .with_context(|| format!("{} is not a Python module file (`name.py`)", args.file.display()))?;
    let out = args.out.clone().unwrap_or_else(|| args.file.with_file_name(format!("test_{module}.py")));
    if out.exists() && !args.force {
        bail!("{} exists; pass --force to overwrite it, or choose another --out", out.display());
    }
    if !(args.temperature >= 0.0 && args.temperature.is_finite()) {
        bail!("--temperature must be >= 0, got {}", args.temperature);
    }
    if args.max_tokens == 0 {
        bail!("--max-tokens must be at least 1");
    }
    if args.rounds == 0 {
        bail!("--rounds must be at least 1");
    }
    let limits = sample_limits(args.timeout)?;
    let workers = worker_count(args.workers)?;
    let progress = GenTestsProgress::start(args.progress, args.progress_interval, args.rounds)?;

    let store = ModelStore::from_env()?;
    let entry = store.catalog()?.get(&args.model)?.clone();
    let path = store.verify(&entry)?;
    // The slot count as `run` chooses it: --slots, else the knee recorded for this model here.
    let sha256 = match &entry.sha256 {
        Some(sha) => sha.clone(),
        None => sha256_of(&path).with_context(|| format!("hashing {}", path.display()))?,
    };
    let slots = slot_count::choose(
        store.root(),
        args.slots,
        &sha256,
        generation_threads(args.threads),
        &Machine::current().cpu_model,
    )?;
    let mut backend = evalrun_backends::load(
        &args.backend,
        &path,
        &LoadOptions {
            threads: args.threads,
            n_ctx: args.ctx,
            openai: None,
            slots: slots.slots,
            ..LoadOptions::default()
        },
    )
    .with_context(|| format!("loading {}", args.model))?;
    progress.say(&format!(
        "gen-tests: {} on {}, {} slot{} ({}), {workers} sandbox worker{}",
        args.model,
        backend.name(),
        backend.max_concurrency(),
        if backend.max_concurrency() == 1 { "" } else { "s" },
        slots.source,
        if workers == 1 { "" } else { "s" }
    ));
    let template = PromptTemplate::for_backend(backend.as_ref());
    let command =
        WorkerCommand::current_exe().context("cannot locate the evalrun executable for sandbox workers")?;
    let mut pool = (0..workers)
        .map(|_| PythonWorker::spawn(command.clone()))
        .collect::<Result<Vec<_>, _>>()
        .context("starting sandbox workers")?;
    let minimize = args.minimize;
    let opts = GenTestsOptions {
        module: module.clone(),
        source,
        sampling: SamplingParams {
            temperature: args.temperature,
            top_p: 0.95,
            seed: args.seed,
            max_tokens: args.max_tokens,
            ignore_eos: false,
        },
        // --minimize judges tests by the mutants they kill too.
        mutants: (args.mutate || minimize).then_some(args.mutants),
        rounds: args.rounds,
        minimize,
        limits,
    };
    let mut counted = progress.counting(backend.as_mut());
    let report = generate_tests(&mut counted, &template, &mut pool, &opts, &mut |step| progress.step(step))
        .with_context(|| format!("writing tests for {}", args.file.display()))?;
    progress.finish((!report.kept.is_empty()).then_some(report.kept.len()));
    if report.items.is_empty() {
        eprintln!("error: {} has no public function or class to test; nothing written", args.file.display());
        return Ok(ExitCode::from(1));
    }

    print_items(&report);
    for d in &report.dropped {
        println!(
            "dropped  {:<10} {} / {}: {}",
            d.when,
            d.item,
            d.test,
            d.reason.lines().next().unwrap_or("")
        );
    }
    let command_line = shell_words(std::env::args());
    let rerun = rerun_command(&args.file, &out);
    let date = RunManifest::now();
    let header = report.header(&HeaderInfo {
        model: &args.model,
        version: env!("CARGO_PKG_VERSION"),
        date: &date,
        command: &command_line,
        rerun: &rerun,
    });
    print!("{header}");
    if let Some(m) = &report.mutation {
        for c in &m.survivors {
            println!("survivor line {} ({}): {}", c.line, c.operator, diff_line(&opts.source, &c.source));
        }
    }
    if report.kept.is_empty() {
        eprintln!("error: no generated test passed against {}; nothing written", args.file.display());
        return Ok(ExitCode::from(1));
    }
    std::fs::write(&out, format!("{header}\n{}", report.tests))
        .with_context(|| format!("writing {}", out.display()))?;
    println!("wrote {} tests to {}", report.kept.len(), out.display());
    Ok(ExitCode::SUCCESS)
}

/// One line per item: its rounds, tests written and in the file, coverage and kills of its own
/// tests, and why its rounds ended.
fn print_items(report: &GenTestsReport) {
    println!(
        "{:<8} {:<28} {:>6} {:>7} {:>7} {:>9} {:>9}  stopped",
        "item", "name", "rounds", "written", "in file", "lines", "mutants"
    );
    for (item, in_file) in report.items.iter().zip(&report.in_file) {
        let last = item.rounds.last();
        let lines = last.map_or_else(|| "-".to_string(), |r| format!("{}/{}", r.covered, r.lines));
        let mutants = last
            .filter(|r| r.mutants > 0)
            .map_or_else(|| "-".to_string(), |r| format!("{}/{}", r.killed, r.mutants));
        println!(
            "{:<8} {:<28} {:>6} {:>7} {:>7} {:>9} {:>9}  {}",
            item.item.kind,
            item.item.name,
            item.rounds.len(),
            item.written,
            in_file,
            lines,
            mutants,
            item.stopped
        );
    }
}

/// The command that runs the tests: pytest puts the test file's directory on `sys.path`, which
/// finds the module when the file is beside it; elsewhere the module's directory is added.
fn rerun_command(module_file: &Path, out: &Path) -> String {
    let dir = |p: &Path| p.parent().map(|d| d.to_path_buf()).unwrap_or_default();
    let pytest = format!("python -m pytest {}", quote(&out.display().to_string()));
    let module_dir = dir(module_file);
    if dir(out) == module_dir {
        pytest
    } else {
        let shown = if module_dir.as_os_str().is_empty() {
            ".".to_string()
        } else {
            module_dir.display().to_string()
        };
        format!("PYTHONPATH={} {pytest}", quote(&shown))
    }
}

/// The command line as a shell would take it back.
fn shell_words(args: impl Iterator<Item = String>) -> String {
    let mut words: Vec<String> = args.map(|a| quote(&a)).collect();
    // The program as `evalrun`, not the path it was started from.
    if let Some(first) = words.first_mut() {
        *first = "evalrun".into();
    }
    words.join(" ")
}

fn quote(word: &str) -> String {
    let plain =
        !word.is_empty() && word.chars().all(|c| c.is_ascii_alphanumeric() || "-_./=:,@+%".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rerun_command_adds_the_module_directory_only_when_needed() {
        assert_eq!(
            rerun_command(Path::new("src/m.py"), Path::new("src/test_m.py")),
            "python -m pytest src/test_m.py"
        );
        assert_eq!(
            rerun_command(Path::new("src/m.py"), Path::new("tests/test_m.py")),
            "PYTHONPATH=src python -m pytest tests/test_m.py"
        );
        assert_eq!(
            rerun_command(Path::new("m.py"), Path::new("t/test m.py")),
            "PYTHONPATH=. python -m pytest 't/test m.py'"
        );
    }

    #[test]
    fn the_command_line_is_quoted_for_a_shell() {
        let args = ["/x/evalrun", "gen-tests", "my mod.py", "--model", "it's"].map(String::from);
        assert_eq!(shell_words(args.into_iter()), r"evalrun gen-tests 'my mod.py' --model 'it'\''s'");
    }
}
