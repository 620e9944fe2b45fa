//! `summary.csv`: one row per model, for spreadsheets and scripts.

use crate::exporter::{mib, pass_at, pass_ks};
use crate::{Exporter, ReportError};
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
        let ks = pass_ks(summary);
        let mut writer = csv::Writer::from_writer(Vec::new());

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
        writer.write_record(&header)?;

        let opt = |value: Option<f64>| value.map(|v| v.to_string()).unwrap_or_default();
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
            row.extend(ks.iter().map(|&k| opt(pass_at(m, k))));
            row.extend([
                opt(m.mean_ttft_s),
                opt(m.mean_prompt_tokens_per_s),
                opt(m.mean_gen_tokens_per_s),
                opt(m.mean_latency_s),
                opt(m.peak_rss_bytes.map(mib)),
                m.mean_exec_s.to_string(),
            ]);
            writer.write_record(&row)?;
        }

        let bytes = writer.into_inner().map_err(|e| csv::Error::from(e.into_error()))?;
        // Every field came from a `String`, so the output is UTF-8.
        Ok(String::from_utf8(bytes).map_err(|e| csv::Error::from(std::io::Error::other(e)))?)
    }
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
    fn empty_summary_is_a_header() {
        let text = CsvExporter.render(&RunSummary { schema: 1, models: vec![], breakdown: vec![] }).unwrap();
        let (header, rows) = parse(&text);
        assert_eq!(header.len(), 13);
        assert!(rows.is_empty());
    }
}
