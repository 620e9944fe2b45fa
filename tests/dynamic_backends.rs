//! The portable build (`--features dynamic-backends`, scripts/package-dynamic.sh): ggml's CPU
//! kernels are modules that evalrun loads when it starts, and the manifest names the one that ran.
//! Built apart from the default (its CPU modules take about 30 minutes on 2 cores), so CI does not
//! run it: `bash scripts/test-dynamic.sh` does (docs/BACKENDS.md).
#![cfg(feature = "dynamic-backends")]

mod common;

use common::*;

const MODEL: &str = "qwen2.5-coder-0.5b-instruct-q4_k_m";

fn generate(out: &std::path::Path) -> std::process::Command {
    let mut cmd = evalrun();
    cmd.args(["run", "--models", MODEL, "--suite", "humaneval", "--limit", "2", "--max-tokens", "64"])
        .args(["--slots", "2", "--progress", "none", "--generate-only", "--out"])
        .arg(out);
    cmd
}

#[test]
fn the_cpu_module_that_ran_is_in_the_manifest() {
    let _model = default_model_present();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    run_ok(&mut generate(&dir));
    assert_eq!(read_jsonl(&dir.join("samples.jsonl")).len(), 2);
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
    let version = manifest["models"][0]["backend_version"].as_str().unwrap_or_default().to_string();
    assert!(version.contains("modules: libggml-cpu-"), "{version}");
    let features = manifest["models"][0]["compute_features"].as_str().unwrap_or_default();
    assert!(features.contains("CPU"), "{features}");
    // The module fits this CPU: an AVX-512 one exactly where the CPU has AVX-512.
    let avx512 = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default().contains(" avx512f");
    assert_eq!(features.contains("AVX512 = 1"), avx512, "{features}");
}

#[test]
fn a_folder_without_modules_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let empty = tmp.path().join("no-modules");
    std::fs::create_dir(&empty).unwrap();
    let out = generate(&tmp.path().join("run")).env("EVALRUN_GGML_BACKENDS", &empty).output().unwrap();
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(stderr.contains("no CPU module of ggml loaded") && stderr.contains("no-modules"), "{stderr}");
}

/// The build scripts/package-dynamic.sh makes: no libpython, so it starts without the Python it
/// was built with, and it says so when asked to execute.
#[cfg(not(feature = "python"))]
#[test]
fn without_python_it_only_generates() {
    let elf =
        std::process::Command::new("readelf").args(["-d", env!("CARGO_BIN_EXE_evalrun")]).output().unwrap();
    let needed = text(&elf.stdout);
    assert!(needed.contains("libllama") && !needed.contains("libpython"), "{needed}");
    let tmp = tempfile::tempdir().unwrap();
    let out = evalrun()
        .args(["run", "--models", MODEL, "--suite", "humaneval", "--limit", "1", "--out"])
        .arg(tmp.path().join("run"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(stderr.contains("built without Python") && stderr.contains("--generate-only"), "{stderr}");
}
