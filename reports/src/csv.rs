//! `summary.csv` and `leaderboard.csv`: one row per model (per leaderboard entry), for
//! spreadsheets and scripts.

use crate::exporter::{mib, pass_at, pass_ks};
use crate::leaderboard::Entry;
use crate::stats::Distribution;
use crate::{Exporter, Leaderboard, ReportError};
use evalrun_core::RunSummary;

/// Writes one row per model:
/// `model, backend, suite, tasks, samples_per_task, samples, passed, pass@1 .. pass@N,
/// mean_ttft_s, mean_prompt_tokens_per_s, mean_gen_tokens_per_s, mean_latency_s, peak_rss_mib,
/// mean_exec_s`.
///
/// The `pass@k` columns are every `k` any model has, ascending; a model without that `k` (fewer
/// samples per task) and a missing measurement leave an empty cell. Numbers are written in full
/// precision (pass@k as a fraction, not a percentage).
#[derive(Debug, Clone, Copy, Default)]
pub struct CsvExporter;

impl Exporter for CsvExporter {
    fn name(&self) -> &'static str {
        "csv"
    }

    fn file_name(&self) -> &'static str {
        "summary.csv"
    }

    fn render(&self, summary: &RunSummary) -> Result<String, ReportError> {
        let ks = pass_ks(summary.models.iter().map(|m| &m.pass_at_k));

        let mut header: Vec<String> =
            ["model", "backend", "suite", "tasks", "samples_per_task", "samples", "passed"]
                .map(String::from)
                .to_vec();
        header.extend(ks.iter().map(|k| format!("pass@{k}")));
        header.extend(
            [
                "mean_ttft_s",
                "mean_prompt_tokens_per_s",
                "mean_gen_tokens_per_s",
                "mean_latency_s",
                "peak_rss_mib",
                "mean_exec_s",
            ]
            .map(String::from),
        );
        let mut rows = vec![header];
        for m in &summary.models {
            let mut row = vec![
                m.model.clone(),
                m.backend.clone(),
                m.suite.clone(),
                m.tasks.to_string(),
                m.samples_per_task.to_string(),
                m.samples.to_string(),
                m.passed.to_string(),
            ];
            row.extend(ks.iter().map(|&k| opt(pass_at(&m.pass_at_k, k))));
            row.extend([
                opt(m.mean_ttft_s),
                opt(m.mean_prompt_tokens_per_s),
                opt(m.mean_gen_tokens_per_s),
                opt(m.mean_latency_s),
                opt(m.peak_rss_bytes.map(mib)),
                m.mean_exec_s.to_string(),
            ]);
            rows.push(row);
        }
        to_csv(&rows)
    }
}

/// Writes one row per leaderboard entry, group by group, best first within each:
/// `rank, group, common_tasks, label, run, model, backend, backend_version, quantization,
/// model_file, model_sha256, suite, tasks, task_set, samples_per_task, samples, passed,
/// pass@1_common, pass@1_common_low, pass@1_common_high, pass@1, pass@1_low, pass@1_high,
/// pass@1_method, pass@2 .. pass@N, pass@1[<language>] ..., test_writing_pass@1, mutation_score, line_coverage,
/// branch_coverage, tests_written, tests_kept, tests_written_total, tests_kept_total,
/// gen_tokens_per_s_median, gen_tokens_per_s_p10, gen_tokens_per_s_p90,
/// prompt_tokens_per_s_median, ttft_s_median, latency_s_median, latency_s_p90, peak_rss_mib,
/// mean_exec_s, pareto, machine`.
///
/// `rank` is within the `group`, by `pass@1_common`, pass@1 over the group's `common_tasks`;
/// `pass@1` is over the entry's own `tasks` (see `docs/FORMATS.md`). Language columns are every
/// language any entry has code tasks in; missing values are empty
/// cells; fractions are written as fractions, in full precision. The test-writing columns are
/// those of [`crate::leaderboard::TestWriting`]: `test_writing_pass@1` is the strict rate of
/// suites that pass whole, the coverage and mutation score are the kept tests', and
/// `tests_written` and `tests_kept` are means per sample.
impl Exporter<Leaderboard> for CsvExporter {
    fn name(&self) -> &'static str {
        "csv"
    }

    fn file_name(&self) -> &'static str {
        "leaderboard.csv"
    }

    fn render(&self, board: &Leaderboard) -> Result<String, ReportError> {
        let ks: Vec<u32> =
            pass_ks(board.entries.iter().map(|e| &e.pass_at_k)).into_iter().filter(|&k| k > 1).collect();
        let languages = board.languages();
        let mut header: Vec<String> = [
            "rank",
            "group",
            "common_tasks",
            "label",
            "run",
            "model",
            "backend",
            "backend_version",
            "quantization",
            "model_file",
            "model_sha256",
            "suite",
            "tasks",
            "task_set",
            "samples_per_task",
            "samples",
            "passed",
            "pass@1_common",
            "pass@1_common_low",
            "pass@1_common_high",
            "pass@1",
            "pass@1_low",
            "pass@1_high",
            "pass@1_method",
        ]
        .map(String::from)
        .to_vec();
        header.extend(ks.iter().map(|k| format!("pass@{k}")));
        header.extend(languages.iter().map(|l| format!("pass@1[{l}]")));
        header.extend(
            [
                "test_writing_pass@1",
                "mutation_score",
                "line_coverage",
                "branch_coverage",
                "tests_written",
                "tests_kept",
                "tests_written_total",
                "tests_kept_total",
                "gen_tokens_per_s_median",
                "gen_tokens_per_s_p10",
                "gen_tokens_per_s_p90",
                "prompt_tokens_per_s_median",
                "ttft_s_median",
                "latency_s_median",
                "latency_s_p90",
                "peak_rss_mib",
                "mean_exec_s",
                "pareto",
                "machine",
            ]
            .map(String::from),
        );
        let mut rows = vec![header];
        for e in &board.entries {
            let text = |value: &Option<String>| value.clone().unwrap_or_default();
            let common = board.group(e.group).map(|g| g.common_tasks.to_string()).unwrap_or_default();
            let mut row = vec![
                e.rank.to_string(),
                e.group.to_string(),
                common,
                e.label.clone(),
                e.run.clone(),
                e.model.clone(),
                e.backend.clone(),
                text(&e.backend_version),
                text(&e.quantization),
                text(&e.model_file),
                text(&e.model_sha256),
                e.suite.clone(),
                e.tasks.to_string(),
                e.task_set.clone(),
                e.samples_per_task.to_string(),
                e.samples.to_string(),
                e.passed.to_string(),
                e.pass_at_1_common.value.to_string(),
                e.pass_at_1_common.low.to_string(),
                e.pass_at_1_common.high.to_string(),
                e.pass_at_1.value.to_string(),
                e.pass_at_1.low.to_string(),
                e.pass_at_1.high.to_string(),
                e.pass_at_1.method.clone(),
            ];
            row.extend(ks.iter().map(|&k| opt(pass_at(&e.pass_at_k, k))));
            row.extend(languages.iter().map(|l| opt(e.languages.get(l).map(|s| s.pass_at_1))));
            let tw = e.test_writing.as_ref();
            let dist = |d: &Option<Distribution>, f: fn(&Distribution) -> f64| opt(d.as_ref().map(f));
            row.extend([
                opt(tw.map(|t| t.pass_at_1)),
                opt(tw.and_then(|t| t.mutation_score)),
                opt(tw.and_then(|t| t.line_coverage)),
                opt(tw.and_then(|t| t.branch_coverage)),
                opt(tw.and_then(|t| t.tests_written)),
                opt(tw.and_then(|t| t.tests_kept)),
                tw.and_then(|t| t.tests_written_total).map(|n| n.to_string()).unwrap_or_default(),
                tw.and_then(|t| t.tests_kept_total).map(|n| n.to_string()).unwrap_or_default(),
                dist(&e.speed.gen_tokens_per_s, |d| d.median),
                dist(&e.speed.gen_tokens_per_s, |d| d.p10),
                dist(&e.speed.gen_tokens_per_s, |d| d.p90),
                dist(&e.speed.prompt_tokens_per_s, |d| d.median),
                dist(&e.speed.ttft_s, |d| d.median),
                dist(&e.speed.latency_s, |d| d.median),
                dist(&e.speed.latency_s, |d| d.p90),
                opt(e.peak_rss_bytes.map(mib)),
                e.mean_exec_s.to_string(),
                e.pareto.to_string(),
                machine(board, e),
            ]);
            rows.push(row);
        }
        to_csv(&rows)
    }
}

/// The CPU model of the entry's run, when its manifest says.
fn machine(board: &Leaderboard, entry: &Entry) -> String {
    board
        .runs
        .iter()
        .find(|r| r.label == entry.run)
        .and_then(|r| r.machine.as_ref())
        .map(|m| format!("{} ({} cpus)", m.cpu_model, m.cpus))
        .unwrap_or_default()
}

/// A number in full precision, or an empty cell.
fn opt(value: Option<f64>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

fn to_csv(rows: &[Vec<String>]) -> Result<String, ReportError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    for row in rows {
        writer.write_record(row)?;
    }
    let bytes = writer.into_inner().map_err(|e| csv::Error::from(e.into_error()))?;
    // Every field came from a `String`, so the output is UTF-8.
    Ok(String::from_utf8(bytes).map_err(|e| csv::Error::from(std::io::Error::other(e)))?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::sample_summary;

    fn parse(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
        let mut reader = ::csv::Reader::from_reader(text.as_bytes());
        let header = reader.headers().unwrap().iter().map(String::from).collect();
        let rows = reader.records().map(|r| r.unwrap().iter().map(String::from).collect()).collect();
        (header, rows)
    }

    #[test]
    fn header_and_values_parse_back() {
        let summary = sample_summary();
        let text = CsvExporter.render(&summary).unwrap();
        let (header, rows) = parse(&text);
        assert_eq!(
            header,
            [
                "model",
                "backend",
                "suite",
                "tasks",
                "samples_per_task",
                "samples",
                "passed",
                "pass@1",
                "pass@2",
                "pass@3",
                "pass@4",
                "mean_ttft_s",
                "mean_prompt_tokens_per_s",
                "mean_gen_tokens_per_s",
                "mean_latency_s",
                "peak_rss_mib",
                "mean_exec_s",
            ]
        );
        assert_eq!(rows.len(), 2);
        assert_eq!(
            rows[0],
            [
                "qwen2.5-coder-1.5b-instruct-q4_k_m",
                "llamacpp",
                "humaneval",
                "164",
                "4",
                "656",
                "400",
                "0.6097560975609756",
                "0.75",
                "0.8",
                "0.8048780487804879",
                "0.1234",
                "1234.5",
                "45.67",
                "3.5",
                "1536.5",
                "0.25",
            ]
        );
        // Quotes and commas in a name survive; fewer samples per task leave pass@2.. empty; no
        // generation leaves the means empty.
        assert_eq!(
            rows[1],
            [
                "replay, \"old\" | run",
                "replay",
                "humaneval",
                "3",
                "1",
                "5",
                "1",
                "0.3333333333333333",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "0.5",
            ]
        );
        // Values are numbers that parse back exactly.
        let m = &summary.models[0];
        assert_eq!(rows[0][7].parse::<f64>().unwrap(), m.pass_at_k["pass@1"]);
        assert_eq!(rows[0][15].parse::<f64>().unwrap() * 1024.0 * 1024.0, m.peak_rss_bytes.unwrap() as f64);
    }

    #[test]
    fn leaderboard_rows_match_the_entries() {
        let board = crate::test_support::sample_leaderboard();
        let text = CsvExporter.render(&board).unwrap();
        let (header, rows) = parse(&text);
        assert_eq!(rows.len(), board.entries.len());
        let col = |name: &str| header.iter().position(|h| h == name).unwrap_or_else(|| panic!("{name}"));
        for (row, e) in rows.iter().zip(&board.entries) {
            assert_eq!(row[col("label")], e.label);
            assert_eq!(row[col("pass@1")].parse::<f64>().unwrap(), e.pass_at_1.value);
            assert_eq!(row[col("pass@1_low")].parse::<f64>().unwrap(), e.pass_at_1.low);
            assert_eq!(row[col("pass@1_common")].parse::<f64>().unwrap(), e.pass_at_1_common.value);
            assert_eq!(row[col("pass@1_common_high")].parse::<f64>().unwrap(), e.pass_at_1_common.high);
            assert_eq!((row[col("group")].as_str(), row[col("common_tasks")].as_str()), ("1", "5"));
            assert_eq!(row[col("task_set")], e.task_set);
            for (language, score) in &e.languages {
                assert_eq!(row[col(&format!("pass@1[{language}]"))].parse::<f64>().unwrap(), score.pass_at_1);
            }
            let speed = e.gen_tokens_per_s().map(|v| v.to_string()).unwrap_or_default();
            assert_eq!(row[col("gen_tokens_per_s_median")], speed);
            assert_eq!(row[col("pareto")], e.pareto.to_string());
        }
        assert!(header.contains(&"pass@1[javascript]".to_string()), "{header:?}");
        // The test-writing figures of the generated model; none for the replayed one.
        let first = &rows[0];
        assert_eq!(first[col("test_writing_pass@1")], "1");
        assert_eq!(first[col("line_coverage")], "0.9");
        assert_eq!(first[col("mutation_score")], "0.75");
        assert_eq!((first[col("tests_written")].as_str(), first[col("tests_kept")].as_str()), ("6", "4"));
        assert_eq!(
            (first[col("tests_written_total")].as_str(), first[col("tests_kept_total")].as_str()),
            ("6", "4")
        );
        assert_eq!(rows[1][col("tests_kept_total")], "");
    }

    #[test]
    fn empty_summary_is_a_header() {
        let text = CsvExporter.render(&RunSummary { schema: 1, models: vec![], breakdown: vec![] }).unwrap();
        let (header, rows) = parse(&text);
        assert_eq!(header.len(), 13);
        assert!(rows.is_empty());
    }
}
