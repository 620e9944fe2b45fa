//! Choosing tasks: `--suite` (names, comma-separated, or `all`), `--language` (comma-separated),
//! `--limit` (the first K tasks of each suite and language).

use crate::{Corpus, CorpusError};
use evalrun_core::{Language, Task};

pub const ALL_LANGUAGES: [Language; 6] =
    [Language::Python, Language::Javascript, Language::Cpp, Language::Rust, Language::Java, Language::Sql];

/// A language by its name in task files or a common alias (`js`, `c++`, `rs`).
pub fn parse_language(name: &str) -> Option<Language> {
    Some(match name.trim().to_ascii_lowercase().as_str() {
        "python" | "py" => Language::Python,
        "javascript" | "js" | "node" => Language::Javascript,
        "cpp" | "c++" => Language::Cpp,
        "rust" | "rs" => Language::Rust,
        "java" => Language::Java,
        "sql" | "sqlite" => Language::Sql,
        _ => return None,
    })
}

/// What to select.
#[derive(Debug, Clone, PartialEq)]
pub struct Selector {
    /// Suite names; empty means every suite.
    pub suites: Vec<String>,
    /// Languages; empty means every language.
    pub languages: Vec<Language>,
    /// At most this many tasks per suite and language, the first ones in suite order.
    pub limit: Option<usize>,
}

impl Selector {
    /// From the command line's `--suite`, `--language` and `--limit`.
    pub fn parse(suites: &str, languages: Option<&str>, limit: Option<usize>) -> Result<Self, CorpusError> {
        let names: Vec<String> =
            suites.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
        let suites = if names.iter().any(|s| s == "all") { Vec::new() } else { names };
        let languages = match languages {
            None => Vec::new(),
            Some(list) => list
                .split(',')
                .filter(|s| !s.trim().is_empty())
                .map(|s| {
                    parse_language(s).ok_or_else(|| {
                        CorpusError::UnknownLanguage(
                            s.trim().to_string(),
                            ALL_LANGUAGES.map(Language::as_str).join(", "),
                        )
                    })
                })
                .collect::<Result<_, _>>()?,
        };
        Ok(Selector { suites, languages, limit })
    }
}

/// The selected tasks, in suite order, and the versions of the suites they come from.
#[derive(Debug, Clone)]
pub struct Selected {
    pub tasks: Vec<Task>,
    /// `<suite>@<version>` of each suite that contributed, joined by `,`.
    pub corpus_version: String,
}

impl Corpus {
    pub fn select(&self, selector: &Selector) -> Result<Selected, CorpusError> {
        let suites = if selector.suites.is_empty() {
            self.suites.iter().collect()
        } else {
            selector.suites.iter().map(|name| self.suite(name)).collect::<Result<Vec<_>, _>>()?
        };
        let mut tasks = Vec::new();
        let mut versions = Vec::new();
        for suite in suites {
            let before = tasks.len();
            for language in ALL_LANGUAGES {
                if !selector.languages.is_empty() && !selector.languages.contains(&language) {
                    continue;
                }
                let of_language = suite.tasks.iter().filter(|t| t.language == language);
                tasks.extend(of_language.take(selector.limit.unwrap_or(usize::MAX)).cloned());
            }
            if tasks.len() > before {
                versions.push(suite.version.clone());
            }
        }
        Ok(Selected { tasks, corpus_version: versions.join(",") })
    }
}
