//! The HumanEval translations (`humaneval-js`, `humaneval-cpp`, `humaneval-rs`,
//! `humaneval-java`): generated from the `humaneval` suite by [`crate::translate`], with the
//! problems that cannot be translated faithfully listed, with the reason, in
//! `<suite>.excluded.tsv` next to the suite file.

use crate::translate::{self, Problem};
use crate::CorpusError;
use evalrun_core::{Language, Task, TaskKind};
use serde::Deserialize;

/// The translated suites and their languages. There is no SQL translation: HumanEval's
/// problems are functions over values, and SQL has no functions to write; recasting each as a
/// query over a table would be a new problem, not a translation.
pub const TRANSLATED_SUITES: &[(&str, Language)] = &[
    ("humaneval-js", Language::Javascript),
    ("humaneval-cpp", Language::Cpp),
    ("humaneval-rs", Language::Rust),
    ("humaneval-java", Language::Java),
];

/// A problem left out of a translated suite.
#[derive(Debug, Clone, PartialEq)]
pub struct Exclusion {
    /// The source task, e.g. `HumanEval/32`.
    pub origin: String,
    pub reason: String,
}

/// A translated suite: its tasks, what was left out, and notes on dropped test statements.
#[derive(Debug, Clone, Default)]
pub struct Translated {
    pub tasks: Vec<Task>,
    pub excluded: Vec<Exclusion>,
    pub notes: Vec<String>,
}

/// Hand-translated reference solutions of a few problems per language, which prove the
/// translated tests right (`evalrun tasks check` runs them).
const REFERENCES: &str = include_str!("../spec/humaneval-references.toml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct References {
    #[serde(default)]
    reference: Vec<Reference>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Reference {
    origin: String,
    language: Language,
    code: String,
}

/// The language of a translated suite, if `suite` is one.
pub fn translated_language(suite: &str) -> Option<Language> {
    TRANSLATED_SUITES.iter().find(|(name, _)| *name == suite).map(|&(_, language)| language)
}

/// Translate the `humaneval` suite's tasks into the language of `suite`.
pub fn translate_humaneval(suite: &str, humaneval: &[Task]) -> Result<Translated, CorpusError> {
    let spec_error =
        |reason: String| CorpusError::Spec { file: "tasks/spec/humaneval-references.toml".into(), reason };
    let language = translated_language(suite).ok_or_else(|| {
        let known: Vec<&str> = TRANSLATED_SUITES.iter().map(|(n, _)| *n).collect();
        CorpusError::UnknownSuite(suite.to_string(), known.join(", "))
    })?;
    let target =
        translate::target(language).ok_or_else(|| spec_error(format!("no target for {language:?}")))?;
    let references: References = toml::from_str(REFERENCES).map_err(|e| spec_error(e.to_string()))?;
    let mut out = Translated::default();
    for (task, (id, analysis)) in humaneval.iter().zip(translate::analyze(humaneval)?) {
        let result = analysis.and_then(|problem| {
            translate::translate(target.as_ref(), &problem).map(|translation| (problem, translation))
        });
        match result {
            Ok((problem, translation)) => {
                note_dropped(&mut out.notes, &id, &problem);
                let number = id.rsplit('/').next().unwrap_or(&id);
                let reference = references
                    .reference
                    .iter()
                    .find(|r| r.origin == id && r.language == language)
                    .map(|r| r.code.clone())
                    .unwrap_or_default();
                out.tasks.push(Task {
                    id: format!("{suite}/{number}"),
                    suite: suite.to_string(),
                    language,
                    kind: TaskKind::Code,
                    prompt: translation.prompt,
                    entry_point: task.entry_point.clone(),
                    test: translation.test,
                    reference,
                    origin: Some(id),
                    ..Task::default()
                });
            }
            Err(reason) => out.excluded.push(Exclusion { origin: id, reason }),
        }
    }
    // A reference for a problem that was not translated is a mistake in the references file.
    for r in references.reference.iter().filter(|r| r.language == language) {
        if !out.tasks.iter().any(|t| t.origin.as_deref() == Some(r.origin.as_str())) {
            return Err(spec_error(format!(
                "a {} reference for {}, which is not translated",
                suite, r.origin
            )));
        }
    }
    Ok(out)
}

fn note_dropped(notes: &mut Vec<String>, id: &str, problem: &Problem) {
    for dropped in &problem.dropped {
        notes.push(format!("{id}: test statement dropped: {dropped}"));
    }
}

/// `<suite>.excluded.tsv`: a comment header, the notes as comments, then `origin<TAB>reason`.
pub fn exclusions_tsv(suite: &str, translated: &Translated) -> String {
    let mut out = format!(
        "# Problems of HumanEval not translated into {suite}, and why (generated by `evalrun tasks import {suite}`).\n"
    );
    for note in &translated.notes {
        out.push_str(&format!("# {note}\n"));
    }
    for e in &translated.excluded {
        out.push_str(&format!("{}\t{}\n", e.origin, e.reason.replace(['\t', '\n'], " ")));
    }
    out
}

/// Read `<suite>.excluded.tsv`; comment lines are skipped.
pub fn parse_exclusions(file: &str, text: &str) -> Result<Vec<Exclusion>, CorpusError> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.starts_with('#') && !l.trim().is_empty())
        .map(|(i, line)| match line.split_once('\t') {
            Some((origin, reason)) if !origin.is_empty() => {
                Ok(Exclusion { origin: origin.to_string(), reason: reason.to_string() })
            }
            _ => Err(CorpusError::Spec {
                file: format!("{file}:{}", i + 1),
                reason: "expected `origin<TAB>reason`".into(),
            }),
        })
        .collect()
}
