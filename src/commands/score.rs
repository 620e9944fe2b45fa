//! `evalrun score`: judge completions produced elsewhere (the replay path).

use super::common;
use crate::cli::ScoreArgs;
use crate::progress;
use anyhow::Result;
use evalrun_core::SamplingParams;
use evalrun_harness::manifest::{ModelManifest, RunManifest};
use evalrun_harness::pipeline::{self, GeneratedSample};
use sha2::{Digest, Sha256};
use std::path::Path;
use std::process::ExitCode;

/// Read a samples file; the i-th row of a task becomes its sample i. Errors name file and line.
pub fn read_samples(path: &Path, model: &str) -> Result<Vec<GeneratedSample>> {
    Ok(evalrun_harness::samples_file::read_samples(path, model)?)
}

pub fn main(args: ScoreArgs) -> Result<ExitCode> {
    let selection = common::select_tasks(&args.exec)?;
    let model =
        args.samples_file.file_stem().map_or_else(|| "samples".into(), |s| s.to_string_lossy().into_owned());
    let samples = read_samples(&args.samples_file, &model)?;
    let bytes = std::fs::read(&args.samples_file)?;
    let samples_per_task = samples.iter().map(|s| s.sample + 1).max().unwrap_or(0);
    let plan =
        common::plan(&args.exec, selection.tasks.clone(), samples_per_task, SamplingParams::default())?;
    // Score only tasks of the selection (--limit, --task-ids); samples of other tasks are
    // skipped. Without either, a sample of a task outside the suite is an error (pipeline).
    let wanted: std::collections::HashSet<_> = plan.tasks.iter().map(|t| t.id.clone()).collect();
    let narrowed = args.exec.limit.is_some() || args.exec.task_ids.is_some();
    let samples: Vec<_> = samples.into_iter().filter(|s| wanted.contains(&s.task_id) || !narrowed).collect();
    let dir = common::out_dir(&args.exec)?;
    let file = ModelManifest {
        id: model,
        file: args.samples_file.display().to_string(),
        size: bytes.len() as u64,
        sha256: hex::encode(Sha256::digest(&bytes)),
        backend: "replay".into(),
        ..ModelManifest::default()
    };
    let mut manifest =
        common::manifest(&plan, &selection, &args.exec.suite, vec![file], common::protections(&args.exec)?);
    // What every shard of this file is to judge, so `merge` can tell a shard is complete.
    for s in &samples {
        *manifest.sample_counts.entry(s.task_id.clone()).or_default() += 1;
    }
    common::write_manifest(&dir, &manifest, args.exec.resume)?;
    let progress = progress::Progress::start(args.exec.progress, args.exec.progress_interval)?;
    let outcome = pipeline::score(&plan, &dir, samples, args.exec.resume, progress.sink());
    progress.finish();
    let outcome = outcome?;
    // The manifest on disk: on --resume, the first run's.
    let manifest_path = dir.join("manifest.json");
    let mut manifest = RunManifest::read(&manifest_path).map_err(anyhow::Error::msg)?.unwrap_or(manifest);
    common::mark_finished(&dir, &mut manifest)?;
    common::finish(&dir, &args.exec.suite, &outcome.records)?;
    Ok(ExitCode::SUCCESS)
}
