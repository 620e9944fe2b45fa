//! The drill-down: static pages beside `index.html` from which every sample of every entry can
//! be read, so that anyone can check the answers behind a score. No server, no network: each
//! page embeds its data as JSON and renders it with a small inline script.
//!
//! - `entries/<slug>.html` ([`entry_page`]): one entry (a model and backend of a run, as the
//!   leaderboard has them): every task with its prompt, every sample's extracted code, the
//!   model's whole answer, the verdict and its detail, and the generation's figures.
//! - `matrix.html` ([`matrix`]): which entry solves which task, sortable, filterable by suite,
//!   language and status.
//! - `compare.html` ([`side_by_side`]): two entries, chosen in the page, on the tasks where they
//!   disagree.
//!
//! The text of samples is untrusted: it travels as JSON in `<script type="application/json">`
//! with every `<` escaped ([`data::script_json`]) and is only ever put into the page as text
//! (`textContent`). Each page's Content-Security-Policy allows only its own script, by hash, so
//! not even injected markup could run. Long texts are built only when their task is opened.

mod data;
mod entry_page;
mod matrix;
mod side_by_side;

pub use data::{ENTRY_SCHEMA, OUTCOMES_SCHEMA, SCHEMA_VERSION};

use crate::leaderboard::Entry;
use crate::markup::escape;
use crate::{Leaderboard, ReportError, Run};
use evalrun_core::{SampleRecord, Task};
use evalrun_harness::pipeline::GeneratedSample;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The matrix page, in the report directory.
pub const MATRIX_FILE: &str = "matrix.html";
/// The side-by-side page, in the report directory.
pub const COMPARE_FILE: &str = "compare.html";
/// The directory of the entry pages, in the report directory.
pub const ENTRIES_DIR: &str = "entries";

/// The pages the main page links to, as (file, title).
pub const PAGES: [(&str, &str); 2] =
    [(MATRIX_FILE, "task × entry matrix"), (COMPARE_FILE, "two entries side by side")];

const STYLE: &str = include_str!("assets/drilldown.css");
const COMMON_JS: &str = include_str!("assets/common.js");

/// The page of the entry labelled `label`, relative to the report directory:
/// `entries/<slug>-<hash>.html`, where the slug is the label in lower-case letters, digits and
/// dashes (at most 60 characters) and the hash the first 8 hex digits of the label's sha256, so
/// that labels which slug alike still get pages of their own.
pub fn entry_file(label: &str) -> String {
    format!("{ENTRIES_DIR}/{}.html", entry_stem(label))
}

/// The name of the entry's page without its directory and extension (`<slug>-<hash>`), which
/// also names the entry in the side-by-side page's address (`compare.html#a=<stem>&b=<stem>`).
pub fn entry_stem(label: &str) -> String {
    let mut slug = String::new();
    for c in label.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
        if slug.len() >= 60 {
            break;
        }
    }
    let slug = slug.trim_end_matches('-');
    let hash = hex::encode(Sha256::digest(label.as_bytes()));
    let stem = if slug.is_empty() { "entry" } else { slug };
    format!("{stem}-{}", &hash[..8])
}

/// Every drill-down file of `board`, as `(path relative to the report directory, content)`:
/// a page per entry, the matrix and the side-by-side page. `runs` are the runs the board was
/// built from (their rows are the samples shown); `tasks` are the tasks whose prompts can be
/// shown (the corpus of this evalrun), looked up by id.
pub fn render(
    board: &Leaderboard,
    runs: &[Run],
    tasks: &[&Task],
) -> Result<Vec<(String, Vec<u8>)>, ReportError> {
    let tasks: HashMap<&str, &Task> = tasks.iter().map(|t| (t.id.as_str(), *t)).collect();
    let sources = Sources::new(board, runs);
    let mut files = Vec::with_capacity(board.entries.len() + 2);
    for (index, entry) in board.entries.iter().enumerate() {
        let html = entry_page::render(board, entry, &sources.of(index), &tasks)?;
        files.push((entry_file(&entry.label), html.into_bytes()));
    }
    files.push((MATRIX_FILE.to_string(), matrix::render(board, &sources)?.into_bytes()));
    files.push((COMPARE_FILE.to_string(), side_by_side::render(board, &sources)?.into_bytes()));
    Ok(files)
}

/// Writes the files of [`render`] into `dir` (created if missing), each atomically, once all
/// are rendered. Returns the paths written.
pub fn write(
    board: &Leaderboard,
    runs: &[Run],
    tasks: &[&Task],
    dir: &Path,
) -> Result<Vec<PathBuf>, ReportError> {
    let files = render(board, runs, tasks)?;
    let entries = dir.join(ENTRIES_DIR);
    std::fs::create_dir_all(&entries).map_err(|source| ReportError::Io { path: entries, source })?;
    crate::exporter::write_files(dir, files)
}

/// What a run's `samples.jsonl` adds to a result row: why generation ended, or why it failed.
#[derive(Debug, Clone, Default)]
pub(crate) struct Generated {
    pub finish: Option<String>,
    pub error: Option<String>,
}

/// The result rows of one entry, by task, each task's rows in sample order, and what
/// `samples.jsonl` says of them.
pub(crate) struct EntrySamples<'a> {
    pub by_task: HashMap<&'a str, Vec<&'a SampleRecord>>,
    /// By `(task id, sample)`.
    pub generated: HashMap<(String, u32), Generated>,
    /// The prompt template the run's manifest names for the entry.
    pub prompt_template: Option<&'a evalrun_harness::prompt::PromptTemplate>,
    pub sampling: evalrun_core::SamplingParams,
}

impl<'a> EntrySamples<'a> {
    /// The rows of task `id`, in sample order (none when the entry did not run it).
    pub fn rows(&self, id: &str) -> &[&'a SampleRecord] {
        self.by_task.get(id).map_or(&[], Vec::as_slice)
    }
}

/// The runs behind a board's entries, matched to them.
pub(crate) struct Sources<'a> {
    entries: Vec<(&'a Entry, Option<&'a Run>)>,
    /// `samples.jsonl` of each run, by label, read once.
    generated: HashMap<&'a str, HashMap<(String, String, String, u32), Generated>>,
}

impl<'a> Sources<'a> {
    fn new(board: &'a Leaderboard, runs: &'a [Run]) -> Self {
        let entries = board.entries.iter().map(|e| (e, runs.iter().find(|r| r.label == e.run))).collect();
        let generated = runs.iter().map(|r| (r.label.as_str(), read_generated(&r.dir))).collect();
        Sources { entries, generated }
    }

    /// The samples of the board's entry `index`.
    pub fn of(&self, index: usize) -> EntrySamples<'a> {
        let Some(&(entry, run)) = self.entries.get(index) else {
            return EntrySamples {
                by_task: HashMap::new(),
                generated: HashMap::new(),
                prompt_template: None,
                sampling: evalrun_core::SamplingParams::default(),
            };
        };
        let mut by_task: HashMap<&'a str, Vec<&'a SampleRecord>> = HashMap::new();
        for r in run.iter().flat_map(|run| &run.records) {
            if r.model == entry.model && r.backend == entry.backend {
                by_task.entry(r.task_id.as_str()).or_default().push(r);
            }
        }
        for rows in by_task.values_mut() {
            rows.sort_by_key(|r| r.sample);
        }
        let generated = run
            .and_then(|run| self.generated.get(run.label.as_str()))
            .map(|all| {
                all.iter()
                    .filter(|((model, backend, _, _), _)| *model == entry.model && *backend == entry.backend)
                    .map(|((_, _, task, sample), g)| ((task.clone(), *sample), g.clone()))
                    .collect()
            })
            .unwrap_or_default();
        let manifest = run.and_then(|r| r.manifest.as_ref());
        EntrySamples {
            by_task,
            generated,
            prompt_template: manifest
                .and_then(|m| m.models.iter().find(|f| f.id == entry.model && f.backend == entry.backend))
                .and_then(|f| f.prompt_template.as_ref()),
            sampling: manifest.map(|m| m.sampling.clone()).unwrap_or_default(),
        }
    }
}

/// Why each sample's generation ended, from `dir/samples.jsonl`, by sample key. The file is
/// optional (replayed samples have no finish reason to add): a missing file or a line that does
/// not parse adds nothing.
fn read_generated(dir: &Path) -> HashMap<(String, String, String, u32), Generated> {
    let Ok(text) = std::fs::read_to_string(dir.join("samples.jsonl")) else {
        return HashMap::new();
    };
    text.lines()
        .filter_map(|line| serde_json::from_str::<GeneratedSample>(line).ok())
        .filter(|s| s.finish.is_some() || s.error.is_some())
        .map(|s| {
            // Its name as the file spells it (`stop`, `length`, ...).
            let finish = s
                .finish
                .and_then(|f| serde_json::to_value(f).ok())
                .and_then(|v| v.as_str().map(str::to_string));
            ((s.model, s.backend, s.task_id, s.sample), Generated { finish, error: s.error })
        })
        .collect()
}

/// A self-contained page: `body` (markup made here, every text in it escaped), the page's data
/// as JSON in a `<script type="application/json" id="data">` block, and its script (after the
/// helpers all pages share). The Content-Security-Policy
/// forbids loading anything and runs only this page's own script (by its sha256).
pub(crate) fn page(title: &str, body: &str, data_json: &str, script: &str) -> String {
    let script = format!("{COMMON_JS}\n{script}");
    let hash = base64(&Sha256::digest(script.as_bytes()));
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; \
         script-src 'sha256-{hash}'; img-src data:\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <link rel=\"icon\" href=\"data:,\">\n<title>{title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <main>\n{body}</main>\n<script type=\"application/json\" id=\"data\">{data_json}</script>\n\
         <script>{script}</script>\n</body>\n</html>\n",
        title = escape(title)
    )
}

/// The navigation bar of a page `root` away from the report directory.
pub(crate) fn nav(root: &str, current: &str) -> String {
    let links =
        [("index.html", "Leaderboard"), (MATRIX_FILE, "Task × entry matrix"), (COMPARE_FILE, "Side by side")];
    let items: Vec<String> = links
        .iter()
        .map(|(file, name)| {
            if *file == current {
                format!("<span aria-current=\"page\">{name}</span>")
            } else {
                format!("<a href=\"{root}{file}\">{name}</a>")
            }
        })
        .collect();
    format!("<nav>{}</nav>\n", items.join(" · "))
}

/// Standard base64 (RFC 4648, with padding), for the scripts' hashes in the CSP.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], chunk.get(1).copied().unwrap_or(0), chunk.get(2).copied().unwrap_or(0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::sample_leaderboard;

    #[test]
    fn entry_files_are_safe_names_unique_per_label() {
        let a = entry_file("qwen2.5-coder-0.5b-instruct-q4_k_m (llamacpp, run#2)");
        assert!(a.starts_with("entries/qwen2-5-coder-0-5b-instruct-q4-k-m-llamacpp-run-2-"), "{a}");
        assert!(a.ends_with(".html"));
        // Labels that slug alike get different files; a label of no letters still gets one.
        assert_ne!(entry_file("a.b"), entry_file("a-b"));
        assert!(entry_file("../../etc/passwd").starts_with("entries/etc-passwd-"));
        assert!(entry_file("<>\"'").starts_with("entries/entry-"));
        let long = entry_file(&"x".repeat(500));
        assert!(long.len() < 90, "{long}");
        for file in [a, entry_file("replay, \"old\" | <b>run</b> & co"), long] {
            let name = file.strip_prefix("entries/").unwrap();
            assert!(name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.'));
        }
    }

    #[test]
    fn base64_matches_rfc_4648() {
        for (input, want) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(input.as_bytes()), want, "{input}");
        }
        assert_eq!(base64(&[0xfb, 0xff]), "+/8=");
    }

    #[test]
    fn pages_allow_only_their_own_script_and_never_build_markup_from_text() {
        let page = page("t <x>", "<p>body</p>", "{}", "run();");
        let script = format!("{COMMON_JS}\nrun();");
        let hash = base64(&Sha256::digest(script.as_bytes()));
        assert!(page.contains(&format!("script-src 'sha256-{hash}'")), "{page}");
        assert!(page.contains(&format!("<script>{script}</script>")));
        assert!(page.contains("<title>t &lt;x&gt;</title>"));
        // The scripts put text into the page as text only.
        for asset in [COMMON_JS, entry_page::SCRIPT, matrix::SCRIPT, side_by_side::SCRIPT] {
            for sink in
                ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "Function("]
            {
                assert!(!asset.contains(sink), "{sink}");
            }
            // Nothing in them could end or confuse their inline <script> block.
            for needle in ["<script", "</", "<!--"] {
                assert!(!asset.to_lowercase().contains(needle), "{needle}");
            }
        }
    }

    #[test]
    fn every_entry_has_a_page_and_the_samples_are_embedded_escaped() {
        let board = sample_leaderboard();
        // sample_leaderboard's runs are gone with its temporary directory: load fresh ones.
        let tmp = tempfile::tempdir().unwrap();
        let mut rows = vec![crate::test_support::record("m", "T1", evalrun_core::Status::Failed)];
        rows[0].completion = "</script><script>window.pwned=1</script>".to_string();
        rows[0].verdict.detail = "<img src=x onerror=alert(1)>".to_string();
        let runs = Run::load_all(&[crate::test_support::write_run(tmp.path(), "r", &rows)]).unwrap();
        let hostile = Leaderboard::build(&runs);
        let files = render(&hostile, &runs, &[]).unwrap();
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, [entry_file("m").as_str(), MATRIX_FILE, COMPARE_FILE]);
        for (name, bytes) in &files {
            let html = std::str::from_utf8(bytes).unwrap();
            // Exactly the page's two script blocks: the data and the code.
            assert_eq!(html.matches("<script").count(), 2, "{name}");
            assert_eq!(html.matches("</script>").count(), 2, "{name}");
            assert!(!html.contains("<img"), "{name}");
            assert!(!html.contains("window.pwned=1</"), "{name}");
        }
        let entry = std::str::from_utf8(&files[0].1).unwrap();
        assert!(entry.contains("\\u003c/script\\u003e\\u003cscript\\u003ewindow.pwned=1"), "{entry}");
        // The sample leaderboard has two entries with names to escape: a page each.
        assert_eq!(board.entries.len(), 2);
        let files = render(&board, &[], &[]).unwrap();
        assert_eq!(files.len(), 4);
        let replay = std::str::from_utf8(&files[1].1).unwrap();
        assert!(
            replay.contains("<h1>replay, &quot;old&quot; | &lt;b&gt;run&lt;/b&gt; &amp; co</h1>"),
            "{replay}"
        );
    }
}
