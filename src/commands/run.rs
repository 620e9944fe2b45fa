//! `evalrun run`: generate with models, execute, score, report.

use super::models::{present_ids, resolve_model};
use super::{backends, common};
use crate::cli::RunArgs;
use crate::progress;
use anyhow::{bail, Context, Result};
use evalrun_backends::models::{sha256_of, ModelEntry, ModelStore};
use evalrun_backends::slot_count::{self, SlotChoice};
use evalrun_backends::LoadOptions;
use evalrun_core::SamplingParams;
use evalrun_harness::manifest::{Machine, ModelManifest, RunManifest};
use evalrun_harness::pipeline::{self, ModelJob};
use evalrun_harness::prompt::PromptTemplate;
use evalrun_harness::testwriting::budget::TokenBudgets;
use std::cell::RefCell;
use std::path::PathBuf;
use std::process::ExitCode;
use std::rc::Rc;

/// A model file checked before the run, with the hash the manifest records.
struct LocalModel {
    path: PathBuf,
    sha256: String,
}

impl LocalModel {
    fn verify(store: &ModelStore, entry: ModelEntry) -> Result<LocalModel> {
        let path = store.verify(&entry)?;
        // Verified against the catalog, or (a model without a checksum) hashed now.
        let sha256 = match &entry.sha256 {
            Some(sha) => sha.clone(),
            None => sha256_of(&path).with_context(|| format!("hashing {}", path.display()))?,
        };
        Ok(LocalModel { path, sha256 })
    }
}

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
    if args.max_tokens == Some(0) {
        bail!("--max-tokens must be at least 1");
    }
    if args.rounds == 0 {
        bail!("--rounds must be at least 1");
    }
    let prompt_template = match &args.prompt_template {
        None => None,
        Some(name) => Some(PromptTemplate::builtin(name).with_context(|| {
            let names: Vec<String> = PromptTemplate::builtins().into_iter().map(|t| t.name).collect();
            format!("--prompt-template: no template `{name}` (built in: {})", names.join(", "))
        })?),
    };
    let backends = backends::parse(&args.backends, &args.openai)?;
    let needs_file = backends.iter().any(|b| !backends::is_server(b));
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
    let server_names = backends::ServerNames::parse(&args.openai, &ids)?;
    // Every model is checked (present, complete, right checksum and header) before anything
    // runs. A run through servers only needs no local file: the server has the model.
    let mut resolved: Vec<(String, Option<LocalModel>)> = Vec::new();
    for id in &ids {
        let local = match resolve_model(&catalog, id) {
            Ok(entry) => Some(LocalModel::verify(&store, entry)?),
            Err(e) if needs_file => return Err(e),
            Err(_) => None,
        };
        resolved.push((id.clone(), local));
    }

    let selection = common::select_tasks(&args.exec)?;
    let sampling = SamplingParams {
        temperature: args.temperature,
        top_p: args.top_p,
        seed: args.seed,
        // Code tasks' budget; test-writing tasks get their own unless --max-tokens is given.
        max_tokens: args.max_tokens.unwrap_or(SamplingParams::default().max_tokens),
        ignore_eos: false,
    };
    let mut plan = common::plan(&args.exec, selection.tasks.clone(), args.samples, sampling)?;
    plan.budgets = TokenBudgets::new(&plan.tasks, args.max_tokens, args.ctx);
    plan.rounds = args.rounds;
    plan.prompt_template = prompt_template;
    if args.rounds > 1 && plan.budgets.tasks.is_empty() {
        eprintln!("note: --rounds applies to test-writing tasks, and the selection has none");
    }
    plan.execute = !args.generate_only;
    if args.generate_only && args.rounds > 1 && !plan.budgets.tasks.is_empty() {
        bail!("--generate-only cannot take --rounds above 1: each round shows the model how its tests ran in the sandbox");
    }
    if plan.execute && !evalrun_harness::sandbox::PYTHON_BUILT_IN {
        bail!("{}", evalrun_harness::sandbox::NO_PYTHON);
    }
    let dir = common::out_dir(&args.exec)?;
    // One entry per (model, backend): each pair is a row of the report.
    let pairs: Vec<(&String, &Option<LocalModel>, &String)> =
        resolved.iter().flat_map(|(id, local)| backends.iter().map(move |b| (id, local, b))).collect();
    let models = pairs
        .iter()
        .map(|&(id, local, backend)| {
            // A server's model is its own; the local file would only be a guess.
            let local = local.as_ref().filter(|_| !backends::is_server(backend));
            ModelManifest {
                id: id.clone(),
                file: local.map(|l| l.path.display().to_string()).unwrap_or_default(),
                size: local.map_or(0, |l| std::fs::metadata(&l.path).map_or(0, |m| m.len())),
                sha256: local.map(|l| l.sha256.clone()).unwrap_or_default(),
                backend: backend.clone(),
                ..ModelManifest::default()
            }
        })
        .collect();
    let mut manifest =
        common::manifest(&plan, &selection, &args.exec.suite, models, common::protections(&args.exec)?);
    if args.generate_only {
        // Whatever executes the samples later records its own sandbox.
        manifest.sandbox = None;
    }
    common::write_manifest(&dir, &manifest, args.exec.resume)?;
    let manifest_path = dir.join("manifest.json");
    let earlier = RunManifest::read(&manifest_path).map_err(anyhow::Error::msg)?;
    let manifest = Rc::new(RefCell::new(match earlier {
        Some(mut earlier) if plan.execute && earlier.sandbox.is_none() => {
            // A --generate-only run, executed now: its sandbox, and the machine, if another.
            earlier.sandbox = manifest.sandbox.take();
            earlier.executed_on = (earlier.machine != manifest.machine).then(|| manifest.machine.clone());
            earlier.write(&manifest_path).with_context(|| format!("writing {}", manifest_path.display()))?;
            earlier
        }
        earlier => earlier.unwrap_or(manifest),
    }));

    let mut jobs = Vec::new();
    for (id, local, backend) in pairs {
        let mut opts = LoadOptions {
            threads: args.threads,
            n_ctx: args.ctx,
            openai: None,
            slots: args.slots,
            prompt_sharing: !args.no_prompt_sharing,
        };
        let mut slots = None;
        if backends::is_server(backend) {
            opts.openai = Some(backends::openai_config(&args.openai, server_names.get(id))?);
        } else if let Some(local) = local {
            let choice = slot_count::choose(
                store.root(),
                args.slots,
                &local.sha256,
                common::generation_threads(args.threads),
                &Machine::current().cpu_model,
            )?;
            opts.slots = choice.slots;
            slots = Some(choice);
        }
        let prompt_sharing = opts.prompt_sharing;
        let path = local.as_ref().map(|l| l.path.clone()).unwrap_or_default();
        let (backend_name, manifest, manifest_path, model_id) =
            (backend.clone(), manifest.clone(), manifest_path.clone(), id.clone());
        jobs.push(ModelJob {
            id: id.clone(),
            backend: backend.clone(),
            // A GPU build of llama.cpp still samples and schedules on the CPU.
            generates_on_cpu: !backends::is_server(backend),
            load: Box::new(move || evalrun_backends::load(&backend_name, &path, &opts)),
            on_loaded: Box::new(move |loaded, template| {
                let mut m = manifest.borrow_mut();
                if let Some(model) =
                    m.models.iter_mut().find(|x| x.id == model_id && x.backend == loaded.name())
                {
                    model.backend_version = Some(loaded.version());
                    model.compute_features =
                        evalrun_backends::compute_features::compute_features(loaded.name());
                    model.chat_template = loaded.chat_template();
                    model.prompt_template = Some(template.clone());
                    // What the backend serves at once: the chosen count, or 1 for a backend
                    // that decodes one sequence at a time whatever was asked.
                    model.slots = slots.map(|c| SlotChoice { slots: loaded.max_concurrency(), ..c });
                    model.prompt_sharing = model.slots.as_ref().map(|_| prompt_sharing);
                }
                if let Err(e) = m.write(&manifest_path) {
                    tracing::warn!("cannot update {}: {e}", manifest_path.display());
                }
            }),
        });
    }

    let progress = progress::Progress::start(args.exec.progress, args.exec.progress_interval)?;
    let outcome = pipeline::run(&plan, &dir, jobs, args.exec.resume, progress.sink());
    progress.finish();
    let outcome = outcome?;
    common::mark_finished(&dir, &mut manifest.borrow_mut())?;
    if args.generate_only {
        say_generated_only(&dir)?;
    } else {
        common::finish(&dir, &outcome.summary.finish(&args.exec.suite))?;
    }
    for (model, error) in &outcome.failed_models {
        eprintln!("error: model {model} did not run: {error}");
    }
    Ok(if outcome.failed_models.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// The end of a `--generate-only` run: what was made, and how to execute it.
fn say_generated_only(dir: &std::path::Path) -> Result<()> {
    let samples = dir.join(pipeline::SAMPLES_FILE);
    let count = std::fs::read(&samples)
        .with_context(|| format!("reading {}", samples.display()))?
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .count();
    eprintln!(
        "generated {count} samples into {} and executed none (--generate-only); to execute and score \
         them where the sandbox lives: the same command with --resume and without --generate-only",
        samples.display()
    );
    Ok(())
}
