//! `evalrun gen-tests FILE.py --model ID`: pytest tests for a developer's module, written by a
//! model, kept only where they pass against the module (docs/GEN_TESTS.md).

use super::common::sample_limits;
use crate::cli::GenTestsArgs;
use anyhow::{bail, Context, Result};
use evalrun_backends::models::ModelStore;
use evalrun_backends::LoadOptions;
use evalrun_core::SamplingParams;
use evalrun_harness::prompt::PromptTemplate;
use evalrun_harness::sandbox::{PythonWorker, WorkerCommand};
use evalrun_harness::testwriting::gentests::{generate_tests, GenTestsOptions};
use evalrun_harness::testwriting::mutate::diff_line;
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
    let limits = sample_limits(args.timeout)?;

    let store = ModelStore::from_env()?;
    let entry = store.catalog()?.get(&args.model)?.clone();
    let path = store.verify(&entry)?;
    let mut backend = evalrun_backends::load(
        &args.backend,
        &path,
        &LoadOptions { threads: args.threads, n_ctx: args.ctx, openai: None, slots: args.slots, ..LoadOptions::default() },
    )
    .with_context(|| format!("loading {}", args.model))?;
    let template = PromptTemplate::for_backend(backend.as_ref());
    let mut worker = PythonWorker::spawn(
        WorkerCommand::current_exe().context("cannot locate the evalrun executable for sandbox workers")?,
    )?;
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
        mutants: args.mutate.then_some(args.mutants),
        limits,
    };
    let report = generate_tests(backend.as_mut(), &template, &mut worker, &opts, &mut |step| {
        eprintln!("gen-tests: {step}")
    })
    .with_context(|| format!("writing tests for {}", args.file.display()))?;

    for item in &report.items {
        println!(
            "{:<8} {:<28} {:>2} tests written, {:>2} kept after their own run ({:.1} s)",
            item.item.kind, item.item.name, item.written, item.kept, item.generation_s
        );
    }
    for d in &report.dropped {
        println!("dropped  {} / {}: {}", d.item, d.test, d.reason);
    }
    let header = report.header(&args.model);
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

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_')
}
