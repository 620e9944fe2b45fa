//! `evalrun-core`, the corpus written for evalrun, built from its specification in
//! `tasks/spec/evalrun-core/`:
//!
//! - `code/<entry_point>.toml`: one problem in HumanEval's form (a Python `prompt` with type
//!   hints and docstring, a `test` defining `check(candidate)`), with a reference solution in
//!   each of Python, JavaScript, C++, Rust and Java. The Python task is the problem as written;
//!   the other languages' prompts and tests are its translation by [`crate::translate`].
//! - `sql/<name>.toml`: a question over one of the databases in `sql/db/` (`<db>.schema.sql`,
//!   `<db>.data.sql`), the reference query, and the expected result set.
//!
//! `evalrun tasks import evalrun-core` writes the suite; a test checks the shipped file equals it.

use crate::translate::{self, Problem};
use crate::CorpusError;
use evalrun_core::{Language, Task, TaskKind};
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const EVALRUN_CORE: &str = "evalrun-core";

/// Languages of the code problems, in suite order (SQL tasks follow).
const CODE_LANGUAGES: [Language; 5] =
    [Language::Python, Language::Javascript, Language::Cpp, Language::Rust, Language::Java];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CodeSpec {
    category: String,
    difficulty: String,
    prompt: String,
    test: String,
    python: String,
    javascript: String,
    cpp: String,
    rust: String,
    java: String,
}

impl CodeSpec {
    fn reference(&self, language: Language) -> &str {
        match language {
            Language::Python => &self.python,
            Language::Javascript => &self.javascript,
            Language::Cpp => &self.cpp,
            Language::Rust => &self.rust,
            Language::Java => &self.java,
            Language::Sql => "",
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SqlSpec {
    category: String,
    difficulty: String,
    /// Name of the database in `sql/db/`.
    database: String,
    /// The question, as the model reads it.
    question: String,
    /// Names of the result's columns, in order (shown to the model; values compare by position).
    columns: Vec<String>,
    #[serde(default)]
    ordered: bool,
    reference: String,
    /// The expected rows, written by hand from the data, as JSON (TOML has no null).
    expected: String,
}

/// The SQL test: the expected result set. Column names are informative; rows compare by value
/// and position within a row, as a multiset unless the task is `ordered`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SqlExpectation {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Value>>,
}

fn read(path: &Path) -> Result<String, CorpusError> {
    std::fs::read_to_string(path).map_err(|source| CorpusError::Io { path: path.to_path_buf(), source })
}

/// The `*.toml` files of a directory, sorted by name.
fn toml_files(dir: &Path) -> Result<Vec<PathBuf>, CorpusError> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|source| CorpusError::Io { path: dir.to_path_buf(), source })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    Ok(files)
}

fn stem(path: &Path) -> String {
    path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default()
}

fn parse<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<T, CorpusError> {
    toml::from_str(&read(path)?)
        .map_err(|e| CorpusError::Spec { file: path.display().to_string(), reason: e.to_string() })
}

/// Build the `evalrun-core` tasks from the specification directory.
pub fn build_evalrun_core(spec_dir: &Path) -> Result<Vec<Task>, CorpusError> {
    let code_files = toml_files(&spec_dir.join("code"))?;
    let specs: Vec<CodeSpec> = code_files.iter().map(|p| parse(p)).collect::<Result<_, _>>()?;
    let python: Vec<Task> = code_files
        .iter()
        .zip(&specs)
        .map(|(path, spec)| Task {
            id: format!("{EVALRUN_CORE}/python/{}", stem(path)),
            suite: EVALRUN_CORE.into(),
            language: Language::Python,
            kind: TaskKind::Code,
            prompt: spec.prompt.clone(),
            entry_point: stem(path),
            test: spec.test.clone(),
            reference: spec.python.clone(),
            difficulty: Some(spec.difficulty.clone()),
            category: Some(spec.category.clone()),
            ..Task::default()
        })
        .collect();
    let problems: Vec<Problem> = translate::analyze(&python)?
        .into_iter()
        .zip(&code_files)
        .map(|((_, result), path)| {
            result.map_err(|reason| CorpusError::Spec {
                file: path.display().to_string(),
                reason: format!("the problem does not translate: {reason}"),
            })
        })
        .collect::<Result<_, _>>()?;

    let mut tasks = Vec::new();
    for language in CODE_LANGUAGES {
        for ((task, spec), (problem, path)) in python.iter().zip(&specs).zip(problems.iter().zip(&code_files))
        {
            let mut task = task.clone();
            task.id = format!("{EVALRUN_CORE}/{}/{}", language.as_str(), task.entry_point);
            task.language = language;
            task.reference = spec.reference(language).to_string();
            if let Some(target) = translate::target(language) {
                let translation =
                    translate::translate(target.as_ref(), problem).map_err(|reason| CorpusError::Spec {
                        file: path.display().to_string(),
                        reason: format!("{language:?}: {reason}"),
                    })?;
                task.prompt = translation.prompt;
                task.test = translation.test;
            }
            tasks.push(task);
        }
    }
    tasks.extend(sql_tasks(&spec_dir.join("sql"))?);
    Ok(tasks)
}

fn sql_tasks(dir: &Path) -> Result<Vec<Task>, CorpusError> {
    let mut databases: BTreeMap<String, (String, String)> = BTreeMap::new();
    let mut tasks = Vec::new();
    for path in toml_files(dir)? {
        let spec: SqlSpec = parse(&path)?;
        if !databases.contains_key(&spec.database) {
            let db = dir.join("db");
            let schema = read(&db.join(format!("{}.schema.sql", spec.database)))?;
            let data = read(&db.join(format!("{}.data.sql", spec.database)))?;
            databases.insert(spec.database.clone(), (schema, data));
        }
        let (schema, data) = &databases[&spec.database];
        let name = stem(&path);
        let question: String =
            spec.question.trim().lines().map(|l| format!("-- {}\n", l.trim_end())).collect();
        let prompt = format!(
            "-- SQLite database `{}`:\n{}\n-- Write one SQLite query that answers:\n{question}-- Result columns, in this order: {}\n",
            spec.database,
            schema.trim_end(),
            spec.columns.join(", ")
        );
        let spec_error = |reason: String| CorpusError::Spec { file: path.display().to_string(), reason };
        let rows: Vec<Vec<Value>> =
            serde_json::from_str(&spec.expected).map_err(|e| spec_error(format!("field `expected`: {e}")))?;
        if let Some(bad) = rows.iter().find(|r| r.len() != spec.columns.len()) {
            return Err(spec_error(format!(
                "expected row {bad:?} does not have {} columns",
                spec.columns.len()
            )));
        }
        let test = serde_json::to_string(&SqlExpectation { columns: spec.columns, rows })
            .map_err(|e| spec_error(e.to_string()))?;
        tasks.push(Task {
            id: format!("{EVALRUN_CORE}/sql/{name}"),
            suite: EVALRUN_CORE.into(),
            language: Language::Sql,
            kind: TaskKind::Code,
            prompt,
            entry_point: name,
            test,
            reference: spec.reference.trim().to_string() + "\n",
            difficulty: Some(spec.difficulty),
            category: Some(spec.category),
            files: BTreeMap::from([
                ("schema.sql".to_string(), schema.clone()),
                ("data.sql".to_string(), data.clone()),
            ]),
            ordered: spec.ordered,
            ..Task::default()
        });
    }
    Ok(tasks)
}
