//! The [`Exporter`] trait, the lists of exporters, and the atomic writing of their files.

use crate::{
    charts, BreakdownCsvExporter, CsvExporter, HtmlExporter, JsonExporter, JunitExporter, Leaderboard,
    MarkdownExporter, ReportError,
};
use evalrun_core::RunSummary;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};

/// One output format of an `Input`: a run's [`RunSummary`] (the default), or a [`Leaderboard`]
/// of several runs. A format implements it once per input it can render, in its own file.
pub trait Exporter<Input: ?Sized = RunSummary> {
    /// Short name used on the command line (`json`, `csv`, `markdown`, `html`, `junit`).
    fn name(&self) -> &'static str;
    /// File the exporter writes (`summary.json` in a run directory, `leaderboard.json` in a
    /// report directory, ...).
    fn file_name(&self) -> &'static str;
    /// The file's whole content.
    fn render(&self, input: &Input) -> Result<String, ReportError>;
}

/// Every exporter, in a fixed order: JSON, CSV, Markdown, then the per-language CSV.
pub fn all_exporters() -> Vec<Box<dyn Exporter>> {
    vec![
        Box::new(JsonExporter),
        Box::new(CsvExporter),
        Box::new(MarkdownExporter),
        Box::new(BreakdownCsvExporter),
    ]
}

/// Every exporter of a leaderboard, in a fixed order: HTML, JSON, CSV, Markdown, JUnit XML.
pub fn leaderboard_exporters() -> Vec<Box<dyn Exporter<Leaderboard>>> {
    vec![
        Box::new(HtmlExporter),
        Box::new(JsonExporter),
        Box::new(CsvExporter),
        Box::new(MarkdownExporter),
        Box::new(JunitExporter),
    ]
}

/// Renders `summary` with every exporter of [`all_exporters`] and writes each file into `dir`,
/// which must exist. Returns the paths written, in that order. When `dir` is a run directory
/// with feedback rounds (`rounds.jsonl`), `summary.md` ends with what they bought
/// ([`summary_markdown`]).
///
/// Every report is rendered before any file is written, so a rendering error leaves `dir`
/// untouched. Each file is written atomically: into a temporary file in `dir`, synced, then
/// renamed over `dir/<file_name>`, so a reader never sees a partial report.
pub fn write_all(summary: &RunSummary, dir: &Path) -> Result<Vec<PathBuf>, ReportError> {
    let rendered = all_exporters()
        .iter()
        .map(|exporter| {
            let mut text = exporter.render(summary)?;
            if exporter.file_name() == Exporter::<RunSummary>::file_name(&MarkdownExporter) {
                text.push_str(&crate::rounds::markdown_of_dir(dir));
            }
            Ok((exporter.file_name().to_string(), text.into_bytes()))
        })
        .collect::<Result<Vec<_>, ReportError>>()?;
    write_files(dir, rendered)
}

/// `summary.md` of the run directory `dir` as [`write_all`] writes it: the Markdown tables of
/// `summary`, then what the feedback rounds of `dir/rounds.jsonl` bought, if it has any.
pub fn summary_markdown(summary: &RunSummary, dir: &Path) -> Result<String, ReportError> {
    let mut text = Exporter::<RunSummary>::render(&MarkdownExporter, summary)?;
    text.push_str(&crate::rounds::markdown_of_dir(dir));
    Ok(text)
}

/// Writes the report of `board` into `dir` (created if missing): every exporter of
/// [`leaderboard_exporters`] and every chart of [`charts::Chart::ALL`] as `charts/<name>.svg`
/// and `charts/<name>.png`. Everything is rendered before anything is written, and each file is
/// written atomically, as [`write_all`] does. Returns the paths written.
pub fn write_report(board: &Leaderboard, dir: &Path) -> Result<Vec<PathBuf>, ReportError> {
    let mut rendered = leaderboard_exporters()
        .iter()
        .map(|exporter| Ok((exporter.file_name().to_string(), exporter.render(board)?.into_bytes())))
        .collect::<Result<Vec<_>, ReportError>>()?;
    for chart in charts::Chart::ALL {
        rendered.push((format!("charts/{}.svg", chart.name()), chart.svg(board)?.into_bytes()));
        rendered.push((format!("charts/{}.png", chart.name()), chart.png(board)?));
    }
    let charts_dir = dir.join("charts");
    std::fs::create_dir_all(&charts_dir).map_err(|source| ReportError::Io { path: charts_dir, source })?;
    write_files(dir, rendered)
}

/// Writes each `(relative path, content)` under `dir`, atomically.
pub(crate) fn write_files(dir: &Path, files: Vec<(String, Vec<u8>)>) -> Result<Vec<PathBuf>, ReportError> {
    files
        .into_iter()
        .map(|(name, bytes)| {
            let path = dir.join(name);
            let parent = path.parent().unwrap_or(dir);
            write_atomically(parent, &path, &bytes)
                .map_err(|source| ReportError::Io { path: path.clone(), source })?;
            Ok(path)
        })
        .collect()
}

fn write_atomically(dir: &Path, path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(".report-").suffix(".tmp");
    // A report is for everyone to read, not 0600 as temporary files are (the umask still applies).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o644));
    }
    let mut file = builder.tempfile_in(dir)?;
    file.write_all(contents)?;
    file.as_file().sync_all()?;
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// `k` of a `pass@k` key.
pub(crate) fn pass_k(key: &str) -> Option<u32> {
    key.strip_prefix("pass@")?.parse().ok()
}

/// The value of `pass@k` in a model's `pass_at_k` map, if it has one.
pub(crate) fn pass_at(pass_at_k: &BTreeMap<String, f64>, k: u32) -> Option<f64> {
    pass_at_k.iter().find(|(key, _)| pass_k(key) == Some(k)).map(|(_, &value)| value)
}

/// Every `k` of any of the `pass_at_k` maps' keys, ascending (numerically, unlike the keys).
pub(crate) fn pass_ks<'a>(maps: impl IntoIterator<Item = &'a BTreeMap<String, f64>>) -> Vec<u32> {
    let ks: BTreeSet<u32> = maps.into_iter().flat_map(|m| m.keys()).filter_map(|key| pass_k(key)).collect();
    ks.into_iter().collect()
}

/// Bytes in mebibytes.
pub(crate) fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::sample_summary;

    #[test]
    fn exporters_have_distinct_names_and_files() {
        let exporters = all_exporters();
        let names: Vec<_> = exporters.iter().map(|e| e.name()).collect();
        let files: Vec<_> = exporters.iter().map(|e| e.file_name()).collect();
        assert_eq!(names, ["json", "csv", "markdown", "languages-csv"]);
        assert_eq!(files, ["summary.json", "summary.csv", "summary.md", "summary-languages.csv"]);
        let exporters = leaderboard_exporters();
        let names: Vec<_> = exporters.iter().map(|e| e.name()).collect();
        let files: Vec<_> = exporters.iter().map(|e| e.file_name()).collect();
        assert_eq!(names, ["html", "json", "csv", "markdown", "junit"]);
        assert_eq!(
            files,
            ["index.html", "leaderboard.json", "leaderboard.csv", "leaderboard.md", "junit.xml"]
        );
    }

    #[test]
    fn write_all_writes_every_file() {
        let dir = tempfile::tempdir().unwrap();
        let summary = sample_summary();
        let paths = write_all(&summary, dir.path()).unwrap();
        let expected: Vec<PathBuf> = ["summary.json", "summary.csv", "summary.md", "summary-languages.csv"]
            .iter()
            .map(|f| dir.path().join(f))
            .collect();
        assert_eq!(paths, expected);
        for (path, exporter) in paths.iter().zip(all_exporters()) {
            let text = std::fs::read_to_string(path).unwrap();
            assert_eq!(text, exporter.render(&summary).unwrap(), "{}", path.display());
        }
        // Nothing else is left behind: no temporary file.
        let mut names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, ["summary-languages.csv", "summary.csv", "summary.json", "summary.md"]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            // As a plain file would be under the same umask, less execute and group/other write.
            let plain = dir.path().join("plain");
            std::fs::write(&plain, "").unwrap();
            let plain_mode = std::fs::metadata(&plain).unwrap().permissions().mode() & 0o777;
            std::fs::remove_file(&plain).unwrap();
            for path in &paths {
                let mode = std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
                assert_eq!(mode, plain_mode & 0o644, "{}: {mode:o}", path.display());
            }
        }
        // Writing again replaces the files.
        let empty = RunSummary { schema: 1, models: vec![], breakdown: vec![] };
        write_all(&empty, dir.path()).unwrap();
        let back: RunSummary =
            serde_json::from_str(&std::fs::read_to_string(dir.path().join("summary.json")).unwrap()).unwrap();
        assert_eq!(back, empty);
    }

    #[test]
    fn summary_md_of_a_run_with_rounds_shows_what_feedback_bought() {
        let dir = tempfile::tempdir().unwrap();
        let rows = [
            crate::test_support::round("A", 1, 1.0, 0.25, 0.5),
            crate::test_support::round("A", 2, 3.0, 0.75, 0.5),
        ];
        let text: String = rows.iter().map(|r| serde_json::to_string(r).unwrap() + "\n").collect();
        std::fs::write(dir.path().join("rounds.jsonl"), text).unwrap();
        write_all(&sample_summary(), dir.path()).unwrap();
        let md = std::fs::read_to_string(dir.path().join("summary.md")).unwrap();
        assert!(md.starts_with(&MarkdownExporter.render(&sample_summary()).unwrap()), "{md}");
        assert!(md.contains("**What feedback bought: m (llamacpp)**: 1 sample;"), "{md}");
        assert!(md.contains("| 2 | 1 | 1 | 3.0 | 75.0% | — | 50.0% |"), "{md}");
        assert_eq!(summary_markdown(&sample_summary(), dir.path()).unwrap(), md);
        // The other files are the exporters' own.
        let csv = std::fs::read_to_string(dir.path().join("summary.csv")).unwrap();
        assert_eq!(csv, CsvExporter.render(&sample_summary()).unwrap());
    }

    #[test]
    fn write_all_names_the_file_on_io_error() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("no-such-run");
        let err = write_all(&sample_summary(), &missing).unwrap_err();
        match &err {
            ReportError::Io { path, .. } => assert_eq!(path, &missing.join("summary.json")),
            other => panic!("unexpected error {other:?}"),
        }
        assert!(err.to_string().contains("no-such-run/summary.json"), "{err}");
    }

    #[test]
    fn pass_keys_sort_numerically() {
        let mut summary = sample_summary();
        summary.models[1].pass_at_k.insert("pass@10".to_string(), 0.9);
        summary.models[1].pass_at_k.insert("not a key".to_string(), 0.1);
        assert_eq!(pass_ks(summary.models.iter().map(|m| &m.pass_at_k)), [1, 2, 3, 4, 10]);
        assert_eq!(pass_at(&summary.models[1].pass_at_k, 10), Some(0.9));
        assert_eq!(pass_at(&summary.models[1].pass_at_k, 3), None);
    }
}
