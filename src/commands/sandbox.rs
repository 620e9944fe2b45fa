//! `evalrun sandbox check`: which isolation layers this system allows, and what is lost.

use crate::cli::SandboxCommand;
use anyhow::{Context, Result};
use evalrun_harness::sandbox::cgroup;
use evalrun_harness::sandbox::command::{run_job, Job, Step};
use evalrun_harness::sandbox::confine::{self, HostView};
use evalrun_harness::sandbox::isolation::{self, LAYER_NAMES};
use evalrun_harness::sandbox::{Layers, Protections};

pub fn main(command: SandboxCommand) -> Result<()> {
    match command {
        SandboxCommand::Check => check(),
    }
}

fn check() -> Result<()> {
    let requested = Layers::from_env().map_err(anyhow::Error::msg)?;
    let protections = Protections::for_request(requested);
    let available = isolation::available();
    println!(
        "running as {}",
        if protections.root {
            "root: samples get a dedicated uid each"
        } else {
            "an ordinary user: samples get a user namespace"
        }
    );
    println!("{:<8} {:<10} {:<10} without it", "LAYER", "AVAILABLE", "IN EFFECT");
    for name in LAYER_NAMES {
        let yes = |b: bool| if b { "yes" } else { "no" };
        println!(
            "{name:<8} {:<10} {:<10} {}",
            yes(available.get(name)),
            yes(protections.effective.get(name)),
            isolation::loss(name)
        );
    }
    let view = HostView::for_host(&[]);
    let show = |v: &[std::ffi::CString]| {
        v.iter().map(|c| c.to_string_lossy().into_owned()).collect::<Vec<_>>().join(", ")
    };
    println!("hidden: {}", show(&view.hide));
    println!(
        "exposed read-only inside them: {}",
        show(&view.expose.iter().map(|e| e.path.clone()).collect::<Vec<_>>())
    );
    match cgroup::support() {
        Ok(support) => println!("cgroup: {support}"),
        Err(why) => println!("cgroup: none ({why})"),
    }
    println!(
        "command jobs' scratch: {}",
        if !protections.effective.mount {
            "a directory on the host's disk (no mount layer)".to_string()
        } else if confine::scratch_tmpfs_available() {
            "a detached tmpfs per job, bounded in total by scratch_bytes".to_string()
        } else {
            format!("on the host's disk: {}", isolation::SCRATCH_LOSS)
        }
    );
    let job = Job::new().step(Step::new(
        "probe",
        ["sh", "-c", "echo uid $(id -u), $(ls /proc | grep -c '^[0-9]') processes visible"],
    ));
    let outcome = run_job(&job).context("running a probe command in the sandbox")?;
    if let Some(step) = outcome.last() {
        println!("probe command: {} ({})", step.stdout_text().trim(), step.describe());
    }
    for line in &protections.lost {
        println!("LOST: {line}");
    }
    Ok(())
}
