use crate::translated::{parse_exclusions, Exclusion};
use crate::CorpusError;
use evalrun_core::Task;
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::path::Path;

/// Version of the task file format. Bump it when a field changes meaning.
pub const FORMAT_VERSION: u32 = 2;

/// The suites compiled into evalrun: name, file name, contents, and for translations the
/// problems left out (`<name>.excluded.tsv`).
const BUILTIN: &[(&str, &str, &str, Option<&str>)] = &[
    ("humaneval", "humaneval.jsonl", include_str!("../suites/humaneval.jsonl"), None),
    (
        "humaneval-js",
        "humaneval-js.jsonl",
        include_str!("../suites/humaneval-js.jsonl"),
        Some(include_str!("../suites/humaneval-js.excluded.tsv")),
    ),
    (
        "humaneval-cpp",
        "humaneval-cpp.jsonl",
        include_str!("../suites/humaneval-cpp.jsonl"),
        Some(include_str!("../suites/humaneval-cpp.excluded.tsv")),
    ),
    (
        "humaneval-rs",
        "humaneval-rs.jsonl",
        include_str!("../suites/humaneval-rs.jsonl"),
        Some(include_str!("../suites/humaneval-rs.excluded.tsv")),
    ),
    (
        "humaneval-java",
        "humaneval-java.jsonl",
        include_str!("../suites/humaneval-java.jsonl"),
        Some(include_str!("../suites/humaneval-java.excluded.tsv")),
    ),
    ("evalrun-core", "evalrun-core.jsonl", include_str!("../suites/evalrun-core.jsonl"), None),
    (
        "evalrun-testwriting",
        "evalrun-testwriting.jsonl",
        include_str!("../suites/evalrun-testwriting.jsonl"),
        None,
    ),
];

/// One suite: its tasks and a version derived from its exact contents.
#[derive(Debug, Clone)]
pub struct Suite {
    pub name: String,
    pub tasks: Vec<Task>,
    /// `<name>@<format>-<first 12 hex of sha256 of the file>`: any edit to a task changes it.
    pub version: String,
    /// Problems of the source left out of a translated suite, with the reason.
    pub excluded: Vec<Exclusion>,
}

/// The loaded corpus.
#[derive(Debug, Clone, Default)]
pub struct Corpus {
    pub suites: Vec<Suite>,
}

impl Corpus {
    /// The suites shipped with evalrun.
    pub fn builtin() -> Result<Corpus, CorpusError> {
        Corpus::builtin_suites(&[])
    }

    /// The shipped suites named in `names` (all of them when empty, or when a name is not a
    /// shipped suite, so that the error lists every known one). Parsing and hashing the whole
    /// corpus costs tens of milliseconds that a run on one suite has no use for.
    pub fn builtin_suites(names: &[String]) -> Result<Corpus, CorpusError> {
        let all = names.is_empty() || names.iter().any(|n| !BUILTIN.iter().any(|b| b.0 == n));
        let mut corpus = Corpus::default();
        for (name, file, text, excluded) in BUILTIN.iter().filter(|b| all || names.iter().any(|n| n == b.0)) {
            let mut suite = parse_suite(name, &format!("tasks/suites/{file}"), text)?;
            if let Some(tsv) = excluded {
                suite.excluded = parse_exclusions(&format!("tasks/suites/{name}.excluded.tsv"), tsv)?;
            }
            corpus.push(suite)?;
        }
        Ok(corpus)
    }

    /// Every `*.jsonl` file of a directory, one suite per file, named after the file.
    pub fn load_dir(dir: &Path) -> Result<Corpus, CorpusError> {
        let io = |source| CorpusError::Io { path: dir.to_path_buf(), source };
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .map_err(io)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
            .collect();
        files.sort();
        let mut corpus = Corpus::default();
        for path in files {
            let text = std::fs::read_to_string(&path)
                .map_err(|source| CorpusError::Io { path: path.clone(), source })?;
            let name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            let mut suite = parse_suite(&name, &path.display().to_string(), &text)?;
            let excluded = path.with_extension("excluded.tsv");
            if excluded.is_file() {
                let tsv = std::fs::read_to_string(&excluded)
                    .map_err(|source| CorpusError::Io { path: excluded.clone(), source })?;
                suite.excluded = parse_exclusions(&excluded.display().to_string(), &tsv)?;
            }
            corpus.push(suite)?;
        }
        Ok(corpus)
    }

    /// One suite file, named after the file.
    pub fn load_file(path: &Path) -> Result<Vec<Task>, CorpusError> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| CorpusError::Io { path: path.to_path_buf(), source })?;
        let name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        Ok(parse_suite(&name, &path.display().to_string(), &text)?.tasks)
    }

    fn push(&mut self, suite: Suite) -> Result<(), CorpusError> {
        let mut seen: HashSet<&str> =
            self.suites.iter().flat_map(|s| s.tasks.iter()).map(|t| t.id.as_str()).collect();
        for (i, task) in suite.tasks.iter().enumerate() {
            if !seen.insert(&task.id) {
                return Err(CorpusError::DuplicateId {
                    file: suite.name.clone(),
                    line: i + 1,
                    id: task.id.clone(),
                });
            }
        }
        self.suites.push(suite);
        Ok(())
    }

    pub fn suite(&self, name: &str) -> Result<&Suite, CorpusError> {
        self.suites.iter().find(|s| s.name == name).ok_or_else(|| {
            let known: Vec<&str> = self.suites.iter().map(|s| s.name.as_str()).collect();
            CorpusError::UnknownSuite(name.to_string(), known.join(", "))
        })
    }
}

/// Parse and validate one suite file. Errors name the file, the line and the field.
pub fn parse_suite(name: &str, file: &str, text: &str) -> Result<Suite, CorpusError> {
    let mut tasks = Vec::new();
    let mut ids = HashSet::new();
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let task: Task = serde_json::from_str(line).map_err(|e| CorpusError::InvalidTask {
            file: file.to_string(),
            line: line_no,
            reason: e.to_string(),
        })?;
        let bad = |field, reason: &str| CorpusError::BadField {
            file: file.to_string(),
            line: line_no,
            field,
            reason: reason.to_string(),
        };
        if task.id.trim().is_empty() {
            return Err(bad("id", "is empty"));
        }
        if task.suite != name {
            return Err(bad("suite", &format!("is `{}` but the file holds suite `{name}`", task.suite)));
        }
        if task.prompt.trim().is_empty() {
            return Err(bad("prompt", "is empty"));
        }
        if !is_identifier(&task.entry_point) {
            return Err(bad("entry_point", &format!("`{}` is not an identifier", task.entry_point)));
        }
        if task.test.trim().is_empty() {
            return Err(bad("test", "is empty"));
        }
        if !ids.insert(task.id.clone()) {
            return Err(CorpusError::DuplicateId { file: file.to_string(), line: line_no, id: task.id });
        }
        tasks.push(task);
    }
    let digest = hex::encode(Sha256::digest(text.as_bytes()));
    Ok(Suite {
        name: name.to_string(),
        tasks,
        version: format!("{name}@{FORMAT_VERSION}-{}", &digest[..12]),
        excluded: Vec::new(),
    })
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(fields: &str) -> String {
        format!(
            r#"{{"id":"s/0","suite":"s","language":"python","kind":"code","prompt":"def f():\n","entry_point":"f","test":"def check(c): pass","reference":"  return 1\n"{fields}}}"#
        )
    }

    #[test]
    fn builtin_humaneval_has_164_valid_tasks() {
        let corpus = Corpus::builtin().unwrap();
        let suite = corpus.suite("humaneval").unwrap();
        assert_eq!(suite.tasks.len(), 164);
        assert_eq!(suite.tasks[0].id, "HumanEval/0");
        assert_eq!(suite.tasks[163].id, "HumanEval/163");
        assert!(suite.version.starts_with("humaneval@2-"));
    }

    #[test]
    fn only_the_named_builtin_suites_are_parsed_unless_a_name_is_unknown() {
        let one = Corpus::builtin_suites(&["humaneval-js".to_string()]).unwrap();
        assert_eq!(one.suites.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["humaneval-js"]);
        // An unknown name loads everything, so that the error lists every suite there is.
        let all = Corpus::builtin().unwrap().suites.len();
        let with_unknown = Corpus::builtin_suites(&["humaneval".into(), "nope".into()]).unwrap();
        assert_eq!(with_unknown.suites.len(), all);
        let err = with_unknown.suite("nope").unwrap_err().to_string();
        assert!(err.contains("evalrun-core") && err.contains("humaneval-js"), "{err}");
    }

    #[test]
    fn valid_line_parses() {
        let suite = parse_suite("s", "s.jsonl", &line("")).unwrap();
        assert_eq!(suite.tasks.len(), 1);
        assert_eq!(suite.tasks[0].entry_point, "f");
    }

    #[test]
    fn missing_field_names_file_line_and_field() {
        let text = format!("{}\n{}", line(""), line("").replace(r#""test":"def check(c): pass","#, ""));
        let err = parse_suite("s", "x/s.jsonl", &text).unwrap_err().to_string();
        assert!(err.contains("x/s.jsonl:2"), "{err}");
        assert!(err.contains("`test`"), "{err}");
    }

    #[test]
    fn unknown_field_is_rejected() {
        let err = parse_suite("s", "s.jsonl", &line(r#","promt":"typo""#)).unwrap_err().to_string();
        assert!(err.contains("promt"), "{err}");
    }

    #[test]
    fn bad_entry_point_and_suite_are_named() {
        let err =
            parse_suite("s", "s.jsonl", &line("").replace(r#""entry_point":"f""#, r#""entry_point":"f()""#))
                .unwrap_err()
                .to_string();
        assert!(err.contains("field `entry_point`"), "{err}");
        let err = parse_suite("other", "o.jsonl", &line("")).unwrap_err().to_string();
        assert!(err.contains("field `suite`"), "{err}");
    }

    #[test]
    fn duplicate_ids_are_rejected() {
        let text = format!("{}\n{}", line(""), line(""));
        let err = parse_suite("s", "s.jsonl", &text).unwrap_err().to_string();
        assert!(err.contains("appears twice"), "{err}");
    }

    #[test]
    fn version_changes_with_content() {
        let a = parse_suite("s", "s.jsonl", &line("")).unwrap();
        let b = parse_suite("s", "s.jsonl", &line("").replace("return 1", "return 2")).unwrap();
        assert_ne!(a.version, b.version);
    }
}
