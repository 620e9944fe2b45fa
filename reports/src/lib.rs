//! evalrun's report exporters, one file per output format behind the [`Exporter`] trait (after
//! hyperfine's `src/export/`): [`JsonExporter`] (`summary.json`), [`CsvExporter`]
//! (`summary.csv`) and [`MarkdownExporter`] (`summary.md`). [`write_all`] writes every one of
//! them into a run directory.

mod breakdown;
mod csv;
mod error;
mod exporter;
mod json;
mod markdown;

pub use crate::csv::CsvExporter;
pub use breakdown::BreakdownCsvExporter;
pub use error::ReportError;
pub use exporter::{all_exporters, write_all, Exporter};
pub use json::JsonExporter;
pub use markdown::MarkdownExporter;

#[cfg(test)]
pub(crate) mod test_support {
    use evalrun_core::{ModelSummary, RunSummary};

    fn map<V: Copy>(pairs: &[(&str, V)]) -> std::collections::BTreeMap<String, V> {
        pairs.iter().map(|&(k, v)| (k.to_string(), v)).collect()
    }

    /// Two models: one generated with 4 samples per task, one replayed with 1 sample per task,
    /// a name that needs quoting in CSV and escaping in Markdown, and an unknown status.
    pub(crate) fn sample_summary() -> RunSummary {
        RunSummary {
            schema: 1,
            models: vec![
                ModelSummary {
                    model: "qwen2.5-coder-1.5b-instruct-q4_k_m".to_string(),
                    backend: "llamacpp".to_string(),
                    suite: "humaneval".to_string(),
                    tasks: 164,
                    samples_per_task: 4,
                    samples: 656,
                    passed: 400,
                    pass_at_k: map(&[
                        ("pass@1", 100.0 / 164.0),
                        ("pass@2", 0.75),
                        ("pass@3", 0.8),
                        ("pass@4", 132.0 / 164.0),
                    ]),
                    statuses: map(&[("passed", 400), ("failed", 200), ("timed_out", 40), ("crashed", 16)]),
                    mean_ttft_s: Some(0.1234),
                    mean_prompt_tokens_per_s: Some(1234.5),
                    mean_gen_tokens_per_s: Some(45.67),
                    mean_latency_s: Some(3.5),
                    peak_rss_bytes: Some(1_611_137_024), // 1536.5 MiB
                    mean_exec_s: 0.25,
                },
                ModelSummary {
                    model: "replay, \"old\" | run".to_string(),
                    backend: "replay".to_string(),
                    suite: "humaneval".to_string(),
                    tasks: 3,
                    samples_per_task: 1,
                    samples: 5,
                    passed: 1,
                    pass_at_k: map(&[("pass@1", 1.0 / 3.0)]),
                    statuses: map(&[
                        ("passed", 1),
                        ("failed", 0),
                        ("syntax_error", 1),
                        ("crashed", 1),
                        ("weird", 2),
                    ]),
                    mean_ttft_s: None,
                    mean_prompt_tokens_per_s: None,
                    mean_gen_tokens_per_s: None,
                    mean_latency_s: None,
                    peak_rss_bytes: None,
                    mean_exec_s: 0.5,
                },
            ],
            breakdown: vec![],
        }
    }
}
