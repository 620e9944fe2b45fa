//! ggml's compute backends as modules loaded at run time (the `dynamic-backends` build, as
//! llama.cpp's own releases ship): one binary carries a CPU module per x86-64 level (SSE4.2,
//! AVX2, AVX-512, ...) and ggml loads the best one this CPU runs, plus any GPU module
//! (`libggml-cuda.so`, built by scripts/build-cuda-backend.sh) whose device answers.
//!
//! Where the modules are looked for, first match wins:
//! 1. the folder named by `EVALRUN_GGML_BACKENDS`;
//! 2. `ggml-backends/` beside the evalrun binary (what scripts/package-dynamic.sh lays out);
//! 3. the folder the build installed them in (a development build run from target/).

use evalrun_core::BackendError;
use std::path::{Path, PathBuf};

/// The environment variable that names the modules' folder.
pub const DIR_VAR: &str = "EVALRUN_GGML_BACKENDS";
/// The folder beside the binary.
pub const BESIDE_BINARY: &str = "ggml-backends";

/// Where the modules were loaded from, and which of them ggml kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadedModules {
    pub dir: PathBuf,
    /// File names of the modules mapped into the process, e.g. `libggml-cpu-icelake.so`.
    pub modules: Vec<String>,
}

/// The folder to load from: see the module's doc for the order.
pub fn modules_dir(
    env: Option<&std::ffi::OsStr>,
    exe: Option<&Path>,
    built_in: Option<&str>,
) -> Option<PathBuf> {
    if let Some(dir) = env.filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    if let Some(beside) = exe.and_then(Path::parent).map(|d| d.join(BESIDE_BINARY)) {
        if beside.is_dir() {
            return Some(beside);
        }
    }
    built_in.map(PathBuf::from)
}

/// Load the modules (once per process, before llama.cpp's backend is initialised) and check that
/// a CPU module was among them: without one, no model loads.
pub fn load() -> Result<LoadedModules, BackendError> {
    let unavailable = |reason: String| BackendError::Unavailable { backend: "llamacpp".into(), reason };
    let exe = std::env::current_exe().ok();
    let dir =
        modules_dir(std::env::var_os(DIR_VAR).as_deref(), exe.as_deref(), llama_cpp_sys_2::BACKENDS_DIR)
            .ok_or_else(|| {
                unavailable(format!(
            "this build loads ggml's backends as modules, but none was found: set {DIR_VAR} to their folder"
        ))
            })?;
    if !dir.is_dir() {
        return Err(unavailable(format!(
            "{}: no such folder of ggml backend modules ({DIR_VAR})",
            dir.display()
        )));
    }
    llama_cpp_2::llama_backend::load_backends_from_path(&dir);
    let modules = mapped_modules(&dir);
    if !modules.iter().any(|m| m.starts_with("libggml-cpu")) {
        return Err(unavailable(format!(
            "{}: no CPU module of ggml loaded (looked for libggml-cpu-*.so that this CPU can run; found: {})",
            dir.display(),
            module_files(&dir).join(", ")
        )));
    }
    Ok(LoadedModules { dir, modules })
}

/// The ggml modules in `dir`.
fn module_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.starts_with("libggml-") && n.contains(".so"))
        .collect();
    names.sort();
    names
}

/// Which of `dir`'s modules the process has mapped: ggml scores every CPU variant and keeps
/// (maps) only the best one, so this is what runs, not what was offered.
fn mapped_modules(dir: &Path) -> Vec<String> {
    let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    let maps = std::fs::read_to_string("/proc/self/maps").unwrap_or_default();
    let mut names: Vec<String> = maps
        .lines()
        .filter_map(|l| l.split_whitespace().nth(5))
        .map(Path::new)
        .filter(|p| p.parent() == Some(dir.as_path()))
        .filter_map(|p| p.file_name()?.to_str().map(str::to_string))
        .filter(|n| n.starts_with("libggml-"))
        .collect();
    names.sort();
    names.dedup();
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_variable_wins_then_the_folder_beside_the_binary_then_the_build() {
        let tmp = tempfile::tempdir().unwrap();
        let exe = tmp.path().join("evalrun");
        let built = Some("/built/in");
        assert_eq!(modules_dir(Some("/from/env".as_ref()), Some(&exe), built), Some("/from/env".into()));
        assert_eq!(modules_dir(Some("".as_ref()), Some(&exe), built), Some("/built/in".into()));
        std::fs::create_dir(tmp.path().join(BESIDE_BINARY)).unwrap();
        assert_eq!(modules_dir(None, Some(&exe), built), Some(tmp.path().join(BESIDE_BINARY)));
        assert_eq!(modules_dir(None, None, None), None);
    }

    #[test]
    fn the_best_cpu_variant_is_loaded_and_named() {
        let loaded = load().expect("the build's modules load");
        let cpu: Vec<_> = loaded.modules.iter().filter(|m| m.starts_with("libggml-cpu")).collect();
        assert_eq!(cpu.len(), 1, "one CPU variant kept: {:?}", loaded.modules);
        // The variant fits this CPU: one built for AVX-512 only where the CPU has it.
        let flags = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let avx512 = flags.contains(" avx512f");
        let name = cpu[0].as_str();
        let needs_avx512 = ["skylakex", "icelake", "cannonlake", "cooperlake", "zen4", "sapphirerapids"]
            .iter()
            .any(|v| name.contains(v));
        assert!(!needs_avx512 || avx512, "{name} on a CPU without AVX-512");
        if avx512 {
            assert!(needs_avx512, "{name} on a CPU with AVX-512: ggml should pick an AVX-512 variant");
        }
    }
}
