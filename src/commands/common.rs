//! What `run` and `score` share: the corpus, the plan, the output directory, the manifest and
//! the reports at the end.

use crate::cli::ExecArgs;
use anyhow::{bail, Context, Result};
use evalrun_core::{RunSummary, SamplingParams, Task};
use evalrun_harness::manifest::{Machine, ModelManifest, RunManifest};
use evalrun_harness::pipeline::Plan;
use evalrun_harness::sandbox::{Layers, Limits, Protections, WorkerCommand};
use evalrun_harness::shard::Shard;
use evalrun_harness::task_ids::TaskIds;
use evalrun_harness::testwriting::budget::TokenBudgets;
use evalrun_tasks::{Corpus, Selector};
use std::path::{Path, PathBuf};

/// The selected tasks and the corpus version they come from.
pub struct Selection {
    pub tasks: Vec<Task>,
    pub corpus_version: String,
}

pub fn select_tasks(args: &ExecArgs) -> Result<Selection> {
    let selector = Selector::parse(&args.suite, args.language.as_deref(), args.limit)?;
    let corpus = load_corpus(args.tasks_dir.as_deref(), &selector)?;
    let mut selected = corpus.select(&selector)?;
    if selected.tasks.is_empty() {
        bail!(
            "--suite {} selects no tasks{}",
            args.suite,
            args.language.as_deref().map(|l| format!(" in {l}")).unwrap_or_default()
        );
    }
    if let Some(globs) = &args.task_ids {
        let ids = TaskIds::parse(globs)?;
        let chosen: std::collections::HashSet<String> = ids
            .filter(selected.tasks.iter().map(|t| t.id.as_str()))?
            .into_iter()
            .map(str::to_string)
            .collect();
        selected.tasks.retain(|t| chosen.contains(&t.id));
    }
    Ok(Selection { tasks: selected.tasks, corpus_version: selected.corpus_version })
}

/// `--shard`: `I/N`, or `auto` from the job engine's variables; `None` runs every sample.
pub fn shard(args: &ExecArgs) -> Result<Option<Shard>> {
    let Some(text) = &args.shard else { return Ok(None) };
    let shard = Shard::resolve(text, &|var| std::env::var(var).ok())?;
    if text.trim() == "auto" {
        eprintln!("shard {shard} (from {:?})", shard.source);
    }
    Ok(Some(shard))
}

/// The suites of `--tasks-dir`, or the built-in suites `selector` names (every one when it names
/// none).
pub fn load_corpus(tasks_dir: Option<&Path>, selector: &Selector) -> Result<Corpus> {
    Ok(match tasks_dir {
        Some(dir) => Corpus::load_dir(dir)?,
        None => Corpus::builtin_suites(&selector.suites)?,
    })
}

/// Limits of one sample (`--timeout`, the rest defaults), with `--timeout` validated.
pub fn sample_limits(timeout: f64) -> Result<Limits> {
    if !(timeout > 0.0 && timeout.is_finite()) {
        bail!("--timeout must be a positive number of seconds, got {timeout}");
    }
    Ok(Limits { timeout_s: timeout, ..Limits::default() })
}

/// `--workers`, or the number of cores.
pub fn worker_count(workers: Option<usize>) -> Result<usize> {
    let n = workers.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    if n == 0 {
        bail!("--workers must be at least 1");
    }
    Ok(n)
}

pub fn plan(args: &ExecArgs, tasks: Vec<Task>, samples: u32, sampling: SamplingParams) -> Result<Plan> {
    // Checked here, before the output directory is made.
    if !(args.progress_interval > 0.0 && args.progress_interval.is_finite()) {
        bail!("--progress-interval must be a positive number of seconds, got {}", args.progress_interval);
    }
    let limits = limits(args)?;
    let workers = worker_count(args.workers)?;
    // Workers get the layers in effect, which spares each of them probing the system again.
    let layers = protections(args)?.effective;
    Ok(Plan {
        tasks,
        samples,
        sampling,
        limits,
        workers,
        worker: WorkerCommand::current_exe()
            .context("cannot locate the evalrun executable for sandbox workers")?
            .with_layers(layers),
        // `run` sets these from its own flags; scoring generates nothing.
        budgets: TokenBudgets::default(),
        rounds: 1,
        prompt_template: None,
        shard: shard(args)?,
        execute: true,
    })
}

/// The run's sandbox limits: defaults, then the command line.
fn limits(args: &ExecArgs) -> Result<Limits> {
    let s = &args.sandbox;
    let d = sample_limits(args.timeout)?;
    let limits = Limits {
        timeout_s: d.timeout_s,
        cpu_time_s: s.cpu_time,
        memory_bytes: s.memory.unwrap_or(d.memory_bytes),
        file_size_bytes: s.file_size.unwrap_or(d.file_size_bytes),
        open_files: s.open_files.unwrap_or(d.open_files),
        processes: s.processes.unwrap_or(d.processes),
        output_bytes: s.output_cap.unwrap_or(d.output_bytes),
        scratch_bytes: s.scratch_size.unwrap_or(d.scratch_bytes),
    };
    if let Some(problem) = limits.invalid() {
        bail!("sandbox limits: {problem}");
    }
    Ok(limits)
}

/// The isolation a run asks for, with what is lost where the system refuses a layer (warned
/// once, and recorded in the manifest).
pub fn protections(args: &ExecArgs) -> Result<Protections> {
    let layers =
        Layers::parse(&args.sandbox.sandbox_layers).map_err(|e| anyhow::anyhow!("--sandbox-layers: {e}"))?;
    let protections = Protections::for_request(layers);
    protections.warn_once();
    Ok(protections)
}

/// The output directory: `--out`, or a fresh `runs/<suite>-<time>`.
pub fn out_dir(args: &ExecArgs) -> Result<PathBuf> {
    let dir = match &args.out {
        Some(dir) => dir.clone(),
        None if args.resume => bail!("--resume needs --out: the directory of the run to continue"),
        None => {
            let stamp = RunManifest::now()
                .replace([':', '-'], "")
                .replace('T', "-")
                .trim_end_matches('Z')
                .to_string();
            PathBuf::from("runs").join(format!("{}-{stamp}", args.suite.replace(',', "+")))
        }
    };
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    Ok(dir)
}

pub fn manifest(
    plan: &Plan,
    selection: &Selection,
    suite: &str,
    models: Vec<ModelManifest>,
    sandbox: Protections,
) -> RunManifest {
    RunManifest {
        evalrun_version: evalrun_core::EVALRUN_VERSION.to_string(),
        created_at: RunManifest::now(),
        command: std::env::args().collect(),
        suite: suite.to_string(),
        corpus_version: selection.corpus_version.clone(),
        tasks: plan.tasks.iter().map(|t| t.id.clone()).collect(),
        samples_per_task: plan.samples,
        sampling: plan.sampling.clone(),
        token_budgets: plan.budgets.tasks.clone(),
        rounds: plan.rounds,
        models,
        limits: plan.limits.clone(),
        sandbox: Some(sandbox),
        check_mode: Some(evalrun_harness::sandbox::CHECK_MODE.to_string()),
        machine: Machine::current(),
        executed_on: None,
        shard: plan.shard,
        finished_at: None,
        // `score` sets it from its samples file.
        sample_counts: Default::default(),
        shards: Vec::new(),
    }
}

/// Record in `manifest` (the run's, as on disk) when the command ended, and write it back.
pub fn mark_finished(dir: &Path, manifest: &mut RunManifest) -> Result<()> {
    manifest.finished_at = Some(RunManifest::now());
    let path = dir.join("manifest.json");
    manifest.write(&path).with_context(|| format!("writing {}", path.display()))
}

/// Write the manifest, or on `--resume` check that the run is the same one.
pub fn write_manifest(dir: &Path, manifest: &RunManifest, resume: bool) -> Result<()> {
    let path = dir.join("manifest.json");
    if let Some(earlier) = RunManifest::read(&path).map_err(anyhow::Error::msg)? {
        if !resume {
            bail!(
                "{} already holds a run: pass --resume to continue it, or choose another --out",
                dir.display()
            );
        }
        if let Some(what) = manifest.resume_mismatch(&earlier) {
            bail!("cannot resume {}: the {what} differ from the earlier run's", dir.display());
        }
        return Ok(()); // keep the original manifest (and its first command line)
    }
    manifest.write(&path).with_context(|| format!("writing {}", path.display()))
}

/// Score, write every report, print the Markdown tables (with the test-writing figures and what
/// feedback rounds bought, when the run has them).
pub fn finish(dir: &Path, summary: &RunSummary) -> Result<()> {
    let written = evalrun_reports::write_all(summary, dir)?;
    println!("\n{}", evalrun_reports::summary_markdown(summary, dir)?);
    eprintln!(
        "wrote {}/results.jsonl and {}",
        dir.display(),
        written
            .iter()
            .filter_map(|p| p.file_name())
            .map(|n| n.to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(())
}

/// The generation threads `--threads N` means: 0 is every core.
pub fn generation_threads(flag: usize) -> usize {
    match flag {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    }
}
