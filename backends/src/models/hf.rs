//! Models from the Hugging Face cache: `hf:ORG/REPO/FILE.gguf[@REVISION]` names a file of a
//! Hugging Face repository. It is looked up in the local cache (the layout `huggingface_hub`
//! writes: `models--ORG--REPO/{refs,snapshots,blobs}` under `HF_HUB_CACHE`, or `HF_HOME/hub`,
//! or `~/.cache/huggingface/hub`) through the `hf-hub` crate, and downloaded into that cache
//! when it is missing and the network allows (not when `HF_HUB_OFFLINE=1`; from `HF_ENDPOINT`
//! when set).

use super::catalog::{ModelEntry, ModelOrigin};
use super::error::ModelError;
use hf_hub::{Cache, Repo, RepoType};
use std::path::{Path, PathBuf};

/// Prefix of model ids that name a file of a Hugging Face repository.
pub const HF_PREFIX: &str = "hf:";

/// A file of a Hugging Face model repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HfRef {
    /// `ORG/REPO`.
    pub repo: String,
    /// Path of the file inside the repository.
    pub file: String,
    /// Branch, tag or commit; `main` when not given.
    pub revision: String,
}

impl HfRef {
    /// `Ok(None)` for ids that are not `hf:` references.
    pub fn parse(text: &str) -> Result<Option<HfRef>, ModelError> {
        let Some(rest) = text.strip_prefix(HF_PREFIX) else { return Ok(None) };
        let bad = |reason| ModelError::BadHfRef { text: text.to_string(), reason };
        let (path, revision) = match rest.rsplit_once('@') {
            Some((_, "")) => return Err(bad("empty revision after `@`")),
            Some((path, revision)) => (path, revision.to_string()),
            None => (rest, "main".to_string()),
        };
        let mut parts = path.splitn(3, '/');
        let (org, repo, file) = (parts.next(), parts.next(), parts.next());
        let (Some(org), Some(repo), Some(file)) = (org, repo, file) else {
            return Err(bad("it needs an organisation, a repository and a file"));
        };
        if org.is_empty() || repo.is_empty() || file.is_empty() || file.ends_with('/') {
            return Err(bad("an empty organisation, repository or file name"));
        }
        if file.split('/').any(|c| c == ".." || c == "." || c.is_empty()) {
            return Err(bad("the file path must not contain `.`, `..` or empty components"));
        }
        Ok(Some(HfRef { repo: format!("{org}/{repo}"), file: file.to_string(), revision }))
    }

    /// The id it is known by in runs and reports (`hf:ORG/REPO/FILE`, plus `@REVISION` when not
    /// `main`).
    pub fn id(&self) -> String {
        match self.revision.as_str() {
            "main" => format!("{HF_PREFIX}{}/{}", self.repo, self.file),
            rev => format!("{HF_PREFIX}{}/{}@{rev}", self.repo, self.file),
        }
    }

    fn repo(&self) -> Repo {
        Repo::with_revision(self.repo.clone(), RepoType::Model, self.revision.clone())
    }

    /// A full commit hash names a snapshot directly; anything else goes through `refs/`.
    fn is_commit(&self) -> bool {
        self.revision.len() == 40 && self.revision.bytes().all(|b| b.is_ascii_hexdigit())
    }
}

/// The local Hugging Face hub cache.
#[derive(Debug, Clone)]
pub struct HfCache {
    cache: Cache,
}

impl HfCache {
    pub fn new(hub_dir: impl Into<PathBuf>) -> Self {
        HfCache { cache: Cache::new(hub_dir.into()) }
    }

    /// `HF_HUB_CACHE`, else `HF_HOME/hub`, else `~/.cache/huggingface/hub`, as `huggingface_hub`
    /// resolves it.
    pub fn from_env() -> Self {
        match std::env::var_os("HF_HUB_CACHE") {
            Some(dir) if !dir.is_empty() => HfCache::new(dir),
            _ => HfCache { cache: Cache::from_env() },
        }
    }

    pub fn dir(&self) -> &Path {
        self.cache.path()
    }

    /// The file of `r` if the cache holds it.
    pub fn find(&self, r: &HfRef) -> Option<PathBuf> {
        if r.is_commit() {
            let path =
                self.dir().join(r.repo().folder_name()).join("snapshots").join(&r.revision).join(&r.file);
            return path.is_file().then_some(path);
        }
        self.cache.repo(r.repo()).get(&r.file).filter(|p| p.is_file())
    }

    /// The file of `r`: from the cache, else downloaded into it (unless `HF_HUB_OFFLINE` is set).
    /// A file that is neither is an error naming the repository, the file and the cache.
    pub fn resolve(&self, r: &HfRef) -> Result<PathBuf, ModelError> {
        if let Some(path) = self.find(r) {
            return Ok(path);
        }
        let missing = |reason: String| ModelError::HfMissing {
            id: r.id(),
            repo: r.repo.clone(),
            file: r.file.clone(),
            revision: r.revision.clone(),
            cache: self.dir().to_path_buf(),
            reason,
        };
        if std::env::var("HF_HUB_OFFLINE").is_ok_and(|v| !v.is_empty() && v != "0") {
            return Err(missing("HF_HUB_OFFLINE is set, so nothing is downloaded".into()));
        }
        let mut builder = hf_hub::api::sync::ApiBuilder::from_cache(self.cache.clone()).with_progress(false);
        if let Ok(endpoint) = std::env::var("HF_ENDPOINT") {
            builder = builder.with_endpoint(endpoint); // a mirror, as huggingface_hub honours it
        }
        let api =
            builder.build().map_err(|e| missing(format!("cannot start the Hugging Face client: {e}")))?;
        api.repo(r.repo()).get(&r.file).map_err(|e| missing(e.to_string()))
    }
}

/// A catalog entry for a file resolved from the Hugging Face cache: a local file without a
/// checksum to compare with (it is hashed for the run's manifest).
pub fn hf_entry(r: &HfRef, path: PathBuf) -> ModelEntry {
    let file_name = path.file_name().map_or_else(|| r.file.clone(), |n| n.to_string_lossy().into_owned());
    ModelEntry {
        id: r.id(),
        description: Some(format!("{} from Hugging Face repo {} ({})", r.file, r.repo, r.revision)),
        general_name: None,
        architecture: None,
        quantization: None,
        backend: "llamacpp".into(),
        file_name,
        size: None,
        sha256: None,
        license: None,
        origin: ModelOrigin::Local(path),
        builtin: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_references() {
        assert_eq!(HfRef::parse("qwen2.5-coder-0.5b-instruct-q4_k_m").unwrap(), None);
        let r = HfRef::parse("hf:Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF/q4.gguf").unwrap().unwrap();
        assert_eq!(
            (r.repo.as_str(), r.file.as_str(), r.revision.as_str()),
            ("Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF", "q4.gguf", "main")
        );
        assert_eq!(r.id(), "hf:Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF/q4.gguf");
        let r = HfRef::parse("hf:org/repo/sub/dir/m.gguf@v1.0").unwrap().unwrap();
        assert_eq!((r.file.as_str(), r.revision.as_str()), ("sub/dir/m.gguf", "v1.0"));
        assert_eq!(r.id(), "hf:org/repo/sub/dir/m.gguf@v1.0");
        for bad in [
            "hf:",
            "hf:org",
            "hf:org/repo",
            "hf:org/repo/",
            "hf:/repo/f",
            "hf:org/repo/f@",
            "hf:o/r/../f",
            "hf:o/r/a//f",
        ] {
            let err = HfRef::parse(bad).unwrap_err().to_string();
            assert!(err.contains(bad), "{bad}: {err}");
        }
    }

    /// Builds the layout `huggingface_hub` writes, with the blob a symlink target.
    fn cache_with(dir: &Path, repo_folder: &str, commit: &str, file: &str) -> PathBuf {
        let repo = dir.join(repo_folder);
        std::fs::create_dir_all(repo.join("refs")).unwrap();
        std::fs::create_dir_all(repo.join("blobs")).unwrap();
        std::fs::create_dir_all(repo.join("snapshots").join(commit)).unwrap();
        std::fs::write(repo.join("refs/main"), commit).unwrap();
        std::fs::write(repo.join("blobs/abc"), b"GGUF...").unwrap();
        let link = repo.join("snapshots").join(commit).join(file);
        std::os::unix::fs::symlink(repo.join("blobs/abc"), &link).unwrap();
        link
    }

    #[test]
    fn finds_files_through_refs_and_commits_and_names_what_is_missing() {
        let tmp = tempfile::tempdir().unwrap();
        let commit = "0123456789abcdef0123456789abcdef01234567";
        let link = cache_with(tmp.path(), "models--org--repo", commit, "m.gguf");
        let cache = HfCache::new(tmp.path());
        let main = HfRef::parse("hf:org/repo/m.gguf").unwrap().unwrap();
        assert_eq!(cache.find(&main), Some(link.clone()));
        let pinned = HfRef::parse(&format!("hf:org/repo/m.gguf@{commit}")).unwrap().unwrap();
        assert_eq!(cache.find(&pinned), Some(link));
        assert_eq!(cache.find(&HfRef::parse("hf:org/repo/other.gguf").unwrap().unwrap()), None);
        assert_eq!(cache.find(&HfRef::parse("hf:org/repo/m.gguf@dev").unwrap().unwrap()), None);

        std::env::set_var("HF_HUB_OFFLINE", "1");
        let missing = HfRef::parse("hf:org/repo/other.gguf").unwrap().unwrap();
        let err = cache.resolve(&missing).unwrap_err().to_string();
        for part in ["org/repo", "other.gguf", "HF_HUB_OFFLINE", &tmp.path().display().to_string()] {
            assert!(err.contains(part), "{part} missing in: {err}");
        }
    }
}
