//! `evalrun models ...`: the registry of models, their local copies, and fetching them.

use crate::cli::ModelsCommand;
use anyhow::{bail, Result};
use evalrun_backends::models::{
    fetch, hf_entry, Catalog, FetchEvent, FetchOptions, HfCache, HfRef, ModelEntry, ModelStatus, ModelStore,
};
use indicatif::{ProgressBar, ProgressStyle};

pub fn main(command: ModelsCommand) -> Result<()> {
    let store = ModelStore::from_env()?;
    let catalog = store.catalog()?;
    match command {
        ModelsCommand::List { verify } => list(&catalog, &store, verify),
        ModelsCommand::Fetch { id, force } if HfRef::parse(&id)?.is_some() => {
            if force {
                bail!("--force does not apply to hf: models; the Hugging Face cache keeps its own files");
            }
            let entry = resolve_model(&catalog, &id)?;
            println!("{}", store.verify(&entry)?.display());
            Ok(())
        }
        ModelsCommand::Fetch { id, force } => {
            let entry = catalog.get(&id)?;
            let bar = ProgressBar::new(entry.size.unwrap_or(0));
            bar.set_style(
                ProgressStyle::with_template(
                    "{msg:12} {bar:30.cyan/blue} {bytes}/{total_bytes} [{elapsed_precise}]",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            let opts = FetchOptions { force, ..FetchOptions::default() };
            let path = fetch(entry, &store, &opts, &mut |event| match event {
                FetchEvent::Downloading { .. } => bar.set_message("downloading"),
                FetchEvent::Assembling { done_bytes, total_bytes, .. } => {
                    bar.set_message("assembling");
                    bar.set_length(total_bytes);
                    bar.set_position(done_bytes);
                }
                FetchEvent::Verifying { .. } => bar.set_message("verifying"),
                _ => {}
            })?;
            bar.finish_and_clear();
            eprintln!("{id}: verified");
            println!("{}", path.display());
            Ok(())
        }
        ModelsCommand::Path { id } => {
            let entry = resolve_model(&catalog, &id)?;
            println!("{}", store.verify(&entry)?.display());
            Ok(())
        }
    }
}

/// The catalog entry of `id`; an `hf:ORG/REPO/FILE` id is looked up in the Hugging Face cache
/// (and downloaded into it when missing and the network allows).
pub fn resolve_model(catalog: &Catalog, id: &str) -> Result<ModelEntry> {
    match HfRef::parse(id)? {
        Some(r) => Ok(hf_entry(&r, HfCache::from_env().resolve(&r)?)),
        None => Ok(catalog.get(id)?.clone()),
    }
}

/// Ids of the catalog's models whose files are present and usable, in catalog order.
pub fn present_ids(catalog: &Catalog, store: &ModelStore) -> Vec<String> {
    catalog.iter().filter(|e| store.status(e).is_ok_and(|s| s.is_usable())).map(|e| e.id.clone()).collect()
}

fn list(catalog: &Catalog, store: &ModelStore, verify: bool) -> Result<()> {
    println!("{:<38} {:<8} {:>10}  {:<10} {}", "ID", "PRESENT", "SIZE", "BACKEND", "SHA256");
    let mut broken = 0;
    for entry in catalog.iter() {
        let status = if verify { store.check(entry)? } else { store.status(entry)? };
        let present = !matches!(status, ModelStatus::Missing);
        broken += usize::from(present && !status.is_usable());
        let size =
            entry.size.map_or_else(|| "?".into(), |b| format!("{:.1} MiB", b as f64 / (1 << 20) as f64));
        let default = if entry.id == catalog.default_id() { " (default)" } else { "" };
        println!(
            "{:<38} {:<8} {:>10}  {:<10} {status}{default}",
            entry.id,
            if present { "yes" } else { "no" },
            size,
            entry.backend
        );
    }
    println!("\nstore: {}", store.models_dir().display());
    if broken > 0 {
        bail!("{broken} model file(s) are damaged; fetch them again with `evalrun models fetch ID --force`");
    }
    Ok(())
}
