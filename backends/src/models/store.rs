//! The local model store: `<root>/models/<file_name>`, plus a sidecar `<file>.sha256` caching the
//! verified hash, because hashing a 0.5-1 GB file costs seconds on every run otherwise.

use super::catalog::{Catalog, ModelEntry};
use super::error::ModelError;
use super::gguf::GgufHeader;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;
use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

/// Environment variable that overrides the store root.
pub const EVALRUN_HOME: &str = "EVALRUN_HOME";

/// Where a model file stands, as far as a cheap check (stat + sidecar) can tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModelStatus {
    /// No file at the expected path.
    Missing,
    /// Shorter than the catalog's size: an interrupted copy.
    Truncated { size: u64, expected: u64 },
    /// Longer than the catalog's size.
    Oversized { size: u64, expected: u64 },
    /// Right size, but not hashed since it was last modified.
    Unverified,
    /// Hashed since its last modification, and the hash is the catalog's.
    Verified,
    /// Hashed since its last modification, and the hash differs from the catalog's.
    Mismatch { actual: String },
    /// Present, but its catalog entry gives no sha256 to check (a user's local model).
    NoChecksum,
}

impl ModelStatus {
    /// Whether `verify` can succeed without fetching (it may still need to hash).
    pub fn is_usable(&self) -> bool {
        matches!(self, ModelStatus::Verified | ModelStatus::Unverified | ModelStatus::NoChecksum)
    }
}

impl fmt::Display for ModelStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ModelStatus::Missing => write!(f, "missing"),
            ModelStatus::Truncated { size, expected } => {
                write!(f, "truncated ({size} of {expected} bytes)")
            }
            ModelStatus::Oversized { size, expected } => {
                write!(f, "wrong size ({size} bytes, expected {expected})")
            }
            ModelStatus::Unverified => write!(f, "present (not verified yet)"),
            ModelStatus::Verified => write!(f, "verified"),
            ModelStatus::Mismatch { actual } => write!(f, "sha256 mismatch ({actual})"),
            ModelStatus::NoChecksum => write!(f, "present (no checksum in catalog)"),
        }
    }
}

/// The cached result of hashing a file, valid while its size and mtime are unchanged.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
struct Sidecar {
    size: u64,
    mtime_ns: u64,
    sha256: String,
}

/// The directory holding downloaded models and the user catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelStore {
    root: PathBuf,
}

impl ModelStore {
    pub fn new(root: impl Into<PathBuf>) -> ModelStore {
        ModelStore { root: root.into() }
    }

    /// `$EVALRUN_HOME` if set and non-empty, else `<user cache dir>/evalrun`
    /// (`~/.cache/evalrun` on Linux).
    pub fn from_env() -> Result<ModelStore, ModelError> {
        Self::default_root().map(ModelStore::new)
    }

    /// The root `from_env` would use.
    pub fn default_root() -> Result<PathBuf, ModelError> {
        match std::env::var_os(EVALRUN_HOME) {
            Some(home) if !home.is_empty() => Ok(PathBuf::from(home)),
            _ => {
                directories::BaseDirs::new().map(|d| d.cache_dir().join("evalrun")).ok_or(ModelError::NoStore)
            }
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `<root>/models`, where fetched files live.
    pub fn models_dir(&self) -> PathBuf {
        self.root.join("models")
    }

    /// `<root>/models.toml`, the user's catalog additions.
    pub fn user_catalog_path(&self) -> PathBuf {
        self.root.join("models.toml")
    }

    /// The built-in catalog plus this store's user catalog.
    pub fn catalog(&self) -> Result<Catalog, ModelError> {
        Catalog::with_user_file(&self.user_catalog_path())
    }

    /// Where the file of `entry` is (or will be): the user's path for local entries, else
    /// `<root>/models/<file_name>`.
    pub fn path_of(&self, entry: &ModelEntry) -> PathBuf {
        match entry.local_path() {
            Some(p) => p.to_path_buf(),
            None => self.models_dir().join(&entry.file_name),
        }
    }

    /// A cheap status from the file's size and the sidecar; never hashes.
    pub fn status(&self, entry: &ModelEntry) -> Result<ModelStatus, ModelError> {
        let path = self.path_of(entry);
        let meta = match fs::metadata(&path) {
            Ok(m) => m,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(ModelStatus::Missing),
            Err(e) => return Err(ModelError::io(&entry.id, "inspect", &path, e)),
        };
        if !meta.is_file() {
            let e = io::Error::other("not a regular file");
            return Err(ModelError::io(&entry.id, "use", &path, e));
        }
        let size = meta.len();
        if let Some(expected) = entry.size {
            if size < expected {
                return Ok(ModelStatus::Truncated { size, expected });
            }
            if size > expected {
                return Ok(ModelStatus::Oversized { size, expected });
            }
        }
        let Some(expected) = &entry.sha256 else {
            return Ok(ModelStatus::NoChecksum);
        };
        Ok(match read_sidecar(&path, &meta) {
            Some(actual) if actual == *expected => ModelStatus::Verified,
            Some(actual) => ModelStatus::Mismatch { actual },
            None => ModelStatus::Unverified,
        })
    }

    /// Like `status`, but hashes an `Unverified` file (and caches the result), so the answer is
    /// never `Unverified`.
    pub fn check(&self, entry: &ModelEntry) -> Result<ModelStatus, ModelError> {
        match self.status(entry)? {
            ModelStatus::Unverified => {
                let actual = self.hash_and_record(entry)?;
                Ok(if Some(&actual) == entry.sha256.as_ref() {
                    ModelStatus::Verified
                } else {
                    ModelStatus::Mismatch { actual }
                })
            }
            other => Ok(other),
        }
    }

    /// The check before loading: the file exists, has the catalog's size and sha256 (hashing
    /// only when the sidecar is stale), and its GGUF header names the expected model. Returns
    /// the path to load.
    pub fn verify(&self, entry: &ModelEntry) -> Result<PathBuf, ModelError> {
        let path = self.path_of(entry);
        let id = entry.id.clone();
        match self.check(entry)? {
            ModelStatus::Missing => return Err(ModelError::Missing { id, path }),
            ModelStatus::Truncated { size, expected } => {
                return Err(ModelError::Truncated { id, path, size, expected })
            }
            ModelStatus::Oversized { size, expected } => {
                return Err(ModelError::WrongSize { id, path, size, expected })
            }
            ModelStatus::Mismatch { actual } => {
                let expected = entry.sha256.clone().unwrap_or_default();
                return Err(ModelError::Mismatch { id, path, expected, actual });
            }
            ModelStatus::Verified | ModelStatus::NoChecksum | ModelStatus::Unverified => {}
        }
        check_header(entry, &path)?;
        Ok(path)
    }

    /// Hash the file of `entry` and cache the result in the sidecar.
    fn hash_and_record(&self, entry: &ModelEntry) -> Result<String, ModelError> {
        let path = self.path_of(entry);
        let before = fs::metadata(&path).map_err(|e| ModelError::io(&entry.id, "inspect", &path, e))?;
        let actual = sha256_of(&path).map_err(|e| ModelError::io(&entry.id, "hash", &path, e))?;
        // Only cache if nothing changed the file while we hashed it.
        match fs::metadata(&path) {
            Ok(after) if same_file_state(&before, &after) => write_sidecar(&path, &after, &actual),
            _ => tracing::warn!("{} changed while it was hashed; not caching its hash", path.display()),
        }
        Ok(actual)
    }
}

/// Check the GGUF magic and that `general.name` / `general.architecture` are the catalog's.
pub(crate) fn check_header(entry: &ModelEntry, path: &Path) -> Result<GgufHeader, ModelError> {
    let header = GgufHeader::read(path).map_err(|source| ModelError::Gguf {
        id: entry.id.clone(),
        path: path.to_path_buf(),
        source,
    })?;
    let checks = [
        ("general.name", entry.general_name.as_deref(), header.name()),
        ("general.architecture", entry.architecture.as_deref(), header.architecture()),
    ];
    for (key, expected, found) in checks {
        if let Some(expected) = expected {
            if found != Some(expected) {
                return Err(ModelError::WrongModel {
                    id: entry.id.clone(),
                    path: path.to_path_buf(),
                    key,
                    expected: expected.to_string(),
                    found: found.unwrap_or("<absent>").to_string(),
                });
            }
        }
    }
    Ok(header)
}

/// Lowercase hex sha256 of a file, streamed through a 1 MiB buffer.
pub fn sha256_of(path: &Path) -> io::Result<String> {
    let mut file = File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        hasher.update(&buf[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

/// `<file>.sha256`, next to the model file.
pub fn sidecar_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".sha256");
    PathBuf::from(name)
}

fn mtime_ns(meta: &fs::Metadata) -> Option<u64> {
    let since = meta.modified().ok()?.duration_since(UNIX_EPOCH).ok()?;
    u64::try_from(since.as_nanos()).ok()
}

fn same_file_state(a: &fs::Metadata, b: &fs::Metadata) -> bool {
    a.len() == b.len() && mtime_ns(a).is_some() && mtime_ns(a) == mtime_ns(b)
}

/// The cached hash, if the sidecar exists, parses, and matches the file's size and mtime.
fn read_sidecar(path: &Path, meta: &fs::Metadata) -> Option<String> {
    let text = fs::read_to_string(sidecar_path(path)).ok()?;
    let sidecar: Sidecar = serde_json::from_str(&text).ok()?;
    let fresh = sidecar.size == meta.len() && Some(sidecar.mtime_ns) == mtime_ns(meta);
    fresh.then_some(sidecar.sha256)
}

/// Cache `sha256` for the file as it is now (`meta`). Failure only costs a re-hash later
/// (e.g. a user's model in a read-only directory), so it is logged, not returned.
pub(crate) fn write_sidecar(path: &Path, meta: &fs::Metadata, sha256: &str) {
    let Some(mtime_ns) = mtime_ns(meta) else {
        return;
    };
    let sidecar = Sidecar { size: meta.len(), mtime_ns, sha256: sha256.to_string() };
    let target = sidecar_path(path);
    let tmp = {
        let mut t = target.clone().into_os_string();
        t.push(".tmp");
        PathBuf::from(t)
    };
    let result = (|| -> io::Result<()> {
        let mut json = serde_json::to_string(&sidecar).map_err(io::Error::other)?;
        json.push('\n');
        let mut f = File::create(&tmp)?;
        f.write_all(json.as_bytes())?;
        f.sync_all()?;
        fs::rename(&tmp, &target)
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        tracing::warn!("cannot write {}: {e}", target.display());
    }
}

/// Remove a stale sidecar before the file it describes is replaced.
pub(crate) fn remove_sidecar(path: &Path) {
    let _ = fs::remove_file(sidecar_path(path));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(toml: &str) -> ModelEntry {
        Catalog::from_toml_str(toml).expect("catalog").iter().next().expect("entry").clone()
    }

    #[test]
    fn sha256_of_known_value() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("abc");
        fs::write(&p, b"abc").expect("write");
        assert_eq!(
            sha256_of(&p).expect("hash"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        // Larger than the buffer, so the loop runs more than once.
        let big = vec![7u8; (1 << 20) * 2 + 5];
        fs::write(&p, &big).expect("write");
        assert_eq!(sha256_of(&p).expect("hash"), hex::encode(Sha256::digest(&big)));
    }

    #[test]
    fn sidecar_is_invalidated_by_modification() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("m.bin");
        fs::write(&file, b"abc").expect("write");
        let e = entry(&format!(
            "[[model]]\nid = \"m\"\npath = {:?}\nsize = 3\n\
             sha256 = \"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\"\n",
            file.display().to_string()
        ));
        let store = ModelStore::new(dir.path());
        assert_eq!(store.status(&e).expect("status"), ModelStatus::Unverified);
        assert_eq!(store.check(&e).expect("check"), ModelStatus::Verified);
        assert!(sidecar_path(&file).exists());
        assert_eq!(store.status(&e).expect("status"), ModelStatus::Verified);

        // Same size, different content and mtime: the sidecar no longer applies.
        let meta = fs::metadata(&file).expect("meta");
        fs::write(&file, b"abd").expect("write");
        let later = meta.modified().expect("mtime") + std::time::Duration::from_secs(2);
        File::options().write(true).open(&file).and_then(|f| f.set_modified(later)).expect("set mtime");
        assert_eq!(store.status(&e).expect("status"), ModelStatus::Unverified);
        match store.check(&e).expect("check") {
            ModelStatus::Mismatch { actual } => {
                assert_ne!(actual, e.sha256.clone().unwrap_or_default())
            }
            other => panic!("expected mismatch, got {other:?}"),
        }
        // The mismatch is cached too, so `status` reports it without hashing.
        assert!(matches!(store.status(&e).expect("status"), ModelStatus::Mismatch { .. }));
        // A garbage sidecar is ignored, not an error.
        fs::write(sidecar_path(&file), b"not json").expect("write");
        assert_eq!(store.status(&e).expect("status"), ModelStatus::Unverified);
    }

    #[test]
    fn evalrun_home_is_store_root_and_paths_follow() {
        let store = ModelStore::new("/x/home");
        assert_eq!(store.models_dir(), Path::new("/x/home/models"));
        assert_eq!(store.user_catalog_path(), Path::new("/x/home/models.toml"));
        let q = Catalog::builtin();
        let q = q.default_entry();
        assert_eq!(store.path_of(q), Path::new("/x/home/models/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"));
        assert_eq!(
            sidecar_path(&store.path_of(q)),
            Path::new("/x/home/models/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf.sha256")
        );
    }
}
