//! The JSON each drill-down page embeds, and how it is embedded.
//!
//! Every page carries its data in one `<script type="application/json" id="data">` block, which
//! its script reads with `JSON.parse` and renders with `textContent`: the text of samples
//! (prompts, completions, sandbox output) is untrusted and never becomes markup. The fields are
//! documented in `docs/FORMATS.md`, "Drill-down pages".

use crate::ReportError;
use evalrun_core::GenerationStats;
use serde::Serialize;
use std::collections::BTreeMap;

/// `schema` of an entry page's data.
pub const ENTRY_SCHEMA: &str = "evalrun-drilldown-entry";
/// `schema` of the matrix's and the side-by-side page's data.
pub const OUTCOMES_SCHEMA: &str = "evalrun-drilldown-outcomes";
/// `schema_version` of both.
pub const SCHEMA_VERSION: u32 = 1;

/// An entry page's data: the entry and every sample of every task it ran.
#[derive(Debug, Serialize)]
pub(super) struct EntryPage<'a> {
    pub schema: &'static str,
    pub schema_version: u32,
    pub entry: EntryRef<'a>,
    /// The prompt template the run's manifest records for the entry (`evalplus-instruct-v2`,
    /// ...); null for replayed samples or a run without a manifest.
    pub prompt_template: Option<&'a str>,
    /// In the leaderboard's natural task order.
    pub tasks: Vec<TaskSamples<'a>>,
}

/// An entry as the pages name and link it.
#[derive(Debug, Serialize)]
pub(super) struct EntryRef<'a> {
    pub label: &'a str,
    /// Its page, relative to the report directory (`entries/<slug>.html`).
    pub file: String,
    pub run: &'a str,
    pub model: &'a str,
    pub backend: &'a str,
    pub group: usize,
    pub rank: usize,
    /// Distinct tasks the entry ran.
    pub tasks: usize,
    /// pass@1 over the entry's own tasks.
    pub pass_at_1: f64,
}

/// One task of an entry, with all its samples.
#[derive(Debug, Serialize)]
pub(super) struct TaskSamples<'a> {
    pub task_id: &'a str,
    pub suite: &'a str,
    pub language: &'a str,
    pub kind: &'a str,
    /// Samples, and samples passed.
    pub samples: u32,
    pub passed: u32,
    /// `passed` when every sample passed, else the status of the first that did not.
    pub status: &'a str,
    /// Why the first sample that did not pass failed (empty when all passed).
    pub detail: &'a str,
    /// What the model was asked, as messages (`role`, `text`); null when the task is not in the
    /// reporting evalrun's corpus.
    pub prompt: Option<Vec<PromptPart>>,
    /// Every sample, by sample index.
    pub rows: Vec<Sample<'a>>,
}

/// One message of a prompt: `role` is `system`, `user`, `assistant (prefilled)` for the text
/// the answer was opened with, or `text` for a prompt the model continues.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(super) struct PromptPart {
    pub role: String,
    pub text: String,
}

/// One sample of a task: its verdict, its text and how it was generated.
#[derive(Debug, Serialize)]
pub(super) struct Sample<'a> {
    pub sample: u32,
    pub status: &'a str,
    pub passed: bool,
    /// The exception that failed it (`AssertionError`, ...), when there was one.
    pub exception: Option<&'a str>,
    /// The verdict's detail: the failing line, the exception's message, the end of stderr.
    pub detail: &'a str,
    pub exec_s: f64,
    /// The extracted code that was executed (`completion` of the result row).
    pub code: &'a str,
    /// The model's whole answer before extraction; null for replayed samples.
    pub raw: Option<&'a str>,
    /// Why generation ended (`stop`, `end_of_text`, `length`, `repetition`), from `samples.jsonl`.
    pub finish: Option<&'a str>,
    /// The generation's error, when generation itself failed (from `samples.jsonl`).
    pub generation_error: Option<&'a str>,
    /// Tokens and times of the generation; null for replayed samples.
    pub generation: Option<&'a GenerationStats>,
    /// Scores beyond pass/fail (test-writing: `tests_kept`, `line_coverage`, ...).
    pub metrics: &'a BTreeMap<String, f64>,
}

/// The matrix's and the side-by-side page's data: every entry's outcome on every task.
#[derive(Debug, Serialize)]
pub(super) struct Outcomes<'a> {
    pub schema: &'static str,
    pub schema_version: u32,
    /// In the leaderboard's order: group by group, best first.
    pub entries: Vec<EntryRef<'a>>,
    /// Every task any entry ran, in natural id order.
    pub tasks: Vec<TaskRef<'a>>,
    /// `outcomes[e][t]`: entry `e`'s outcome on task `t`, null where it did not run it.
    pub outcomes: Vec<Vec<Option<Outcome<'a>>>>,
}

#[derive(Debug, Serialize)]
pub(super) struct TaskRef<'a> {
    pub task_id: &'a str,
    pub suite: &'a str,
    pub language: &'a str,
    pub kind: &'a str,
}

/// An entry's outcome on one task.
#[derive(Debug, Serialize)]
pub(super) struct Outcome<'a> {
    pub samples: u32,
    pub passed: u32,
    pub status: &'a str,
    /// The first failing sample's detail: its first line (at most 200 characters) in the
    /// matrix, whole on the side-by-side page.
    pub detail: String,
    /// Side-by-side page only: the sample shown, the first whose status is the task's `status`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sample: Option<u32>,
    /// Side-by-side page only: that sample's extracted code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<&'a str>,
}

/// `value` as JSON that can stand inside `<script type="application/json">`: every `<`, `>` and
/// `&` (which JSON has only inside strings) written as a `\u` escape, so no text in it, a
/// completion holding `</script>` or `<!--` included, can end the block or open markup.
pub(super) fn script_json<T: Serialize>(value: &T) -> Result<String, ReportError> {
    Ok(escape_for_script(&serde_json::to_string(value)?))
}

/// JSON text with `<`, `>`, `&` and the line separators U+2028 and U+2029 as `\u` escapes;
/// `JSON.parse` reads the same value back.
pub(super) fn escape_for_script(json: &str) -> String {
    let mut out = String::with_capacity(json.len() + json.len() / 16);
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// The first line of `text`, at most `max` characters (an ellipsis marks a cut).
pub(super) fn first_line(text: &str, max: usize) -> String {
    let line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("").trim_end();
    let mut out: String = line.chars().take(max).collect();
    if line.chars().count() > max || text.trim().lines().nth(1).is_some() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_json_cannot_close_the_block_and_reads_back() {
        let hostile = "</script><script>window.pwned=1</script><!-- <img src=x onerror=alert(1)> & \u{2028}";
        let json = script_json(&serde_json::json!({"completion": hostile, "n": 1})).unwrap();
        for needle in ["<", ">", "&", "\u{2028}"] {
            assert!(!json.contains(needle), "{needle} in {json}");
        }
        assert!(json.contains("\\u003c/script\\u003e"), "{json}");
        // JSON readers (serde_json here, JSON.parse in the page) give back the text as it was.
        let back: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(back["completion"], hostile);
        assert_eq!(back["n"], 1);
        // Escapes already in the JSON (a backslash before `u003c` in the text) stay text.
        let tricky = "\\u003c and \\\"<";
        let back: serde_json::Value = serde_json::from_str(&script_json(&tricky).unwrap()).unwrap();
        assert_eq!(back, tricky);
    }

    #[test]
    fn first_lines_are_cut_visibly() {
        assert_eq!(first_line("", 10), "");
        assert_eq!(first_line("one line", 10), "one line");
        assert_eq!(first_line("\nfirst\nsecond", 10), "first…");
        assert_eq!(first_line("abcdefghijkl", 5), "abcde…");
    }
}
