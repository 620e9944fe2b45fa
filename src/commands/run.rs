//! `evalrun run`: generate with models, execute, score, report.

use super::common;
use super::models::present_ids;
use crate::cli::RunArgs;
use crate::progress;
use anyhow::{bail, Context, Result};
use evalrun_backends::models::{sha256_of, ModelEntry, ModelStore};
use evalrun_backends::LoadOptions;
use evalrun_core::SamplingParams;
use evalrun_harness::manifest::{ModelManifest, RunManifest};
use evalrun_harness::pipeline::{self, ModelJob};
use std::cell::RefCell;
use std::path::PathBuf;
use std::process::ExitCode;
use std::rc::Rc;

pub fn main(args: RunArgs) -> Result<ExitCode> {
    if args.samples == 0 {
        bail!("--samples must be at least 1");
    }
    if !(args.temperature >= 0.0 && args.temperature.is_finite()) {
        bail!("--temperature must be >= 0, got {}", args.temperature);
    }
    if !(args.top_p > 0.0 && args.top_p <= 1.0) {
        bail!("--top-p must be in (0, 1], got {}", args.top_p);
    }
    if args.max_tokens == 0 {
        bail!("--max-tokens must be at least 1");
    }
    let store = ModelStore::from_env()?;
    let catalog = store.catalog()?;
    let ids: Vec<String> = if args.models == "all" {
        let ids = present_ids(&catalog, &store);
        if ids.is_empty() {
            bail!(
                "`--models all` found no model present; fetch one first: evalrun models fetch {}",
                catalog.default_id()
            );
        }
        ids
    } else {
        args.models.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect()
    };
    // Every model is checked (present, complete, right checksum and header) before anything runs.
    let mut resolved: Vec<(ModelEntry, PathBuf, String)> = Vec::new();
    for id in &ids {
        let entry = catalog.get(id)?.clone();
        let path = store.verify(&entry)?;
        // Verified against the catalog, or (a user's model without a checksum) hashed now.
        let sha256 = match &entry.sha256 {
            Some(sha) => sha.clone(),
            None => sha256_of(&path).with_context(|| format!("hashing {}", path.display()))?,
        };
        resolved.push((entry, path, sha256));
    }

    let selection = common::select_tasks(&args.exec)?;
    let sampling = SamplingParams {
        temperature: args.temperature,
        top_p: args.top_p,
        seed: args.seed,
        max_tokens: args.max_tokens,
    };
    let plan = common::plan(&args.exec, selection.tasks.clone(), args.samples, sampling)?;
    let dir = common::out_dir(&args.exec)?;
    let models = resolved
        .iter()
        .map(|(entry, path, sha256)| ModelManifest {
            id: entry.id.clone(),
            file: path.display().to_string(),
            size: std::fs::metadata(path).map_or(0, |m| m.len()),
            sha256: sha256.clone(),
            backend: args.backend.clone(),
            backend_version: None,
            chat_template: None,
            prompt_template: None,
        })
        .collect();
    let manifest =
        common::manifest(&plan, &selection, &args.exec.suite, models, common::protections(&args.exec)?);
    common::write_manifest(&dir, &manifest, args.exec.resume)?;
    let manifest_path = dir.join("manifest.json");
    let manifest = Rc::new(RefCell::new(
        RunManifest::read(&manifest_path).map_err(anyhow::Error::msg)?.unwrap_or(manifest),
    ));

    let opts = LoadOptions { threads: args.threads, n_ctx: args.ctx };
    let jobs = resolved
        .into_iter()
        .map(|(entry, path, _)| {
            let (backend, opts, manifest, manifest_path, id) = (
                args.backend.clone(),
                opts.clone(),
                manifest.clone(),
                manifest_path.clone(),
                entry.id.clone(),
            );
            ModelJob {
                id: entry.id.clone(),
                backend: args.backend.clone(),
                load: Box::new(move || evalrun_backends::load(&backend, &path, &opts)),
                on_loaded: Box::new(move |loaded, template| {
                    let mut m = manifest.borrow_mut();
                    if let Some(model) = m.models.iter_mut().find(|x| x.id == id) {
                        model.backend_version = Some(loaded.version());
                        model.chat_template = loaded.chat_template();
                        model.prompt_template = Some(template.clone());
                    }
                    if let Err(e) = m.write(&manifest_path) {
                        tracing::warn!("cannot update {}: {e}", manifest_path.display());
                    }
                }),
            }
        })
        .collect();

    let outcome = pipeline::run(&plan, &dir, jobs, args.exec.resume, progress::sink())?;
    common::finish(&dir, &args.exec.suite, &outcome.records)?;
    for (model, error) in &outcome.failed_models {
        eprintln!("error: model {model} did not run: {error}");
    }
    Ok(if outcome.failed_models.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
