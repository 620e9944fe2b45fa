//! `evalrun score`: judge completions produced elsewhere (the replay path).

use super::common;
use crate::cli::ScoreArgs;
use crate::progress;
use anyhow::{Context, Result};
use evalrun_core::SamplingParams;
use evalrun_harness::manifest::{ModelManifest, RunManifest};
use evalrun_harness::samples_file::{self, REPLAY_BACKEND};
use std::process::ExitCode;

pub fn main(args: ScoreArgs) -> Result<ExitCode> {
    let selection = common::select_tasks(&args.exec)?;
    let model =
        args.samples_file.file_stem().map_or_else(|| "samples".into(), |s| s.to_string_lossy().into_owned());
    // One pass before anything runs: a malformed line or an unknown task fails the command with
    // nothing judged. The samples themselves are read again as they are judged.
    let index = samples_file::index_samples(&args.samples_file)?;
    let plan = common::plan(
        &args.exec,
        selection.tasks.clone(),
        index.samples_per_task(),
        SamplingParams::default(),
    )?;
    // Score only tasks of the selection (--limit, --task-ids); samples of other tasks are
    // skipped. Without either, a sample of a task outside the suite is an error (replay).
    let narrowed = args.exec.limit.is_some() || args.exec.task_ids.is_some();
    let dir = common::out_dir(&args.exec)?;
    let file = ModelManifest {
        id: model.clone(),
        file: args.samples_file.display().to_string(),
        size: index.bytes,
        sha256: index.sha256.clone(),
        backend: REPLAY_BACKEND.into(),
        ..ModelManifest::default()
    };
    let mut manifest =
        common::manifest(&plan, &selection, &args.exec.suite, vec![file], common::protections(&args.exec)?);
    // What every shard of this file is to judge, so `merge` can tell a shard is complete.
    let wanted: std::collections::HashSet<_> = plan.tasks.iter().map(|t| t.id.as_str()).collect();
    manifest.sample_counts = index
        .counts
        .iter()
        .filter(|(t, _)| wanted.contains(t.as_str()) || !narrowed)
        .map(|(t, &n)| (t.clone(), n))
        .collect();
    common::write_manifest(&dir, &manifest, args.exec.resume)?;
    let progress = progress::Progress::start(args.exec.progress, args.exec.progress_interval)?;
    let outcome = evalrun_harness::replay::score(
        &plan,
        &dir,
        &args.samples_file,
        &model,
        &index,
        narrowed,
        args.exec.resume,
        progress.sink(),
    );
    progress.finish();
    let outcome = outcome.with_context(|| format!("scoring {}", args.samples_file.display()))?;
    // The manifest on disk: on --resume, the first run's.
    let manifest_path = dir.join("manifest.json");
    let mut manifest = RunManifest::read(&manifest_path).map_err(anyhow::Error::msg)?.unwrap_or(manifest);
    common::mark_finished(&dir, &mut manifest)?;
    common::finish(&dir, &outcome.summary.finish(&args.exec.suite))?;
    Ok(ExitCode::SUCCESS)
}
