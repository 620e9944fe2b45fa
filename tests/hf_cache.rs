//! Models from the Hugging Face cache: a cache layout built around the shipped 0.5B model file
//! (refs/main -> snapshots/<commit>/<file>, a symlink into blobs/, as huggingface_hub writes
//! it), resolved by `evalrun models path` and run end to end; a missing file is a clear error.
//! The run uses the default `--backends auto`, which must say what it picked.

mod common;

use common::*;
use std::path::Path;

const REPO: &str = "Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF";
const FILE: &str = "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf";
const COMMIT: &str = "9fe0c6a0f6bb6cf1c9e0c5c1d4f1d53dd2b3f1a7";
const SHA256: &str = "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32";

fn build_cache(hf_home: &Path, model: &Path) -> std::path::PathBuf {
    let repo = hf_home.join("hub").join(format!("models--{}", REPO.replace('/', "--")));
    std::fs::create_dir_all(repo.join("refs")).unwrap();
    std::fs::create_dir_all(repo.join("blobs")).unwrap();
    std::fs::create_dir_all(repo.join("snapshots").join(COMMIT)).unwrap();
    std::fs::write(repo.join("refs/main"), COMMIT).unwrap();
    let blob = repo.join("blobs").join(SHA256);
    std::os::unix::fs::symlink(model, &blob).unwrap();
    let file = repo.join("snapshots").join(COMMIT).join(FILE);
    std::os::unix::fs::symlink(&blob, &file).unwrap();
    file
}

#[test]
fn hf_models_resolve_from_the_cache_and_run_end_to_end() {
    let model = default_model_present();
    let tmp = tempfile::tempdir().unwrap();
    let hf_home = tmp.path().join("hf");
    let cached = build_cache(&hf_home, &model.path);
    let id = format!("hf:{REPO}/{FILE}");
    let evalrun_in_cache = || {
        let mut cmd = evalrun();
        cmd.env("HF_HOME", &hf_home).env_remove("HF_HUB_CACHE").env("HF_HUB_OFFLINE", "1");
        cmd
    };

    // `models path` finds it through refs/main, and by commit.
    let out = run_ok(evalrun_in_cache().args(["models", "path", &id]));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), cached.display().to_string());
    let out = run_ok(evalrun_in_cache().args(["models", "path", &format!("{id}@{COMMIT}")]));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), cached.display().to_string());

    // A file the cache lacks, offline: an error naming the repo, the file and the cache.
    let out =
        evalrun_in_cache().args(["models", "path", &format!("hf:{REPO}/missing.gguf")]).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    for part in [REPO, "missing.gguf", &hf_home.join("hub").display().to_string()] {
        assert!(err.contains(part), "`{part}` not in: {err}");
    }
    // Not offline, but the hub cannot be reached: the same error, with the download's reason.
    let out = evalrun_in_cache()
        .env_remove("HF_HUB_OFFLINE")
        .env("HF_ENDPOINT", "http://127.0.0.1:9")
        .args(["models", "fetch", &format!("hf:{REPO}/missing.gguf")])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("could not be downloaded") && err.contains("missing.gguf"), "{err}");

    // A run with the hf: id, through the backend `auto` picks.
    let dir = tmp.path().join("run");
    let out = run_ok(
        evalrun_in_cache()
            .args([
                "run",
                "--models",
                &id,
                "--suite",
                "humaneval",
                "--limit",
                "1",
                "--max-tokens",
                "64",
                "--out",
            ])
            .arg(&dir),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("backend auto: picked llamacpp (llama.cpp CPU build"), "{stderr}");
    let rows = read_jsonl(&dir.join("results.jsonl"));
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0]["model"].as_str(), rows[0]["backend"].as_str()),
        (Some(id.as_str()), Some("llamacpp"))
    );
    assert!(rows[0]["generation"]["generated_tokens"].as_u64().unwrap() > 0);
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["models"][0]["sha256"], SHA256, "hashed through the cache's symlinks");
    assert_eq!(manifest["models"][0]["file"], cached.display().to_string());
}
