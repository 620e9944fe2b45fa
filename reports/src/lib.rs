//! evalrun's reports.
//!
//! - Exporters, one file per output format behind the [`Exporter`] trait (after hyperfine's
//!   `src/export/`): of one run's [`RunSummary`](evalrun_core::RunSummary), [`JsonExporter`]
//!   (`summary.json`), [`CsvExporter`] (`summary.csv`) and [`MarkdownExporter`] (`summary.md`),
//!   written into a run directory by [`write_all`]; of a [`Leaderboard`] of several runs, the
//!   same three plus [`HtmlExporter`] (`index.html`) and [`JunitExporter`] (`junit.xml`),
//!   written with the [`charts`] by [`write_report`].
//! - [`drilldown`]: the pages beside `index.html` on which every sample can be read (an entry
//!   page per entry, the task × entry matrix, two entries side by side).
//! - [`compare`] and [`gate`]: what changed between two runs, and whether a candidate regressed.
//! - [`rounds`]: what feedback rounds bought, from a run's `rounds.jsonl`.
//! - [`provenance`]: where two runs differ in what decides their arithmetic (backend versions,
//!   compute features, CPU flags), noted by both.
//! - [`history`]: an append-only series of runs over time (`history.jsonl`), and its page.
//! - [`stats`]: the intervals and tests they rest on.

mod breakdown;
pub mod charts;
pub mod compare;
mod csv;
pub mod drilldown;
mod error;
mod exporter;
pub mod gate;
pub mod history;
mod html;
mod json;
mod junit;
pub mod leaderboard;
mod markdown;
mod markup;
pub mod pooled;
pub mod provenance;
pub mod quantization;
pub mod rounds;
mod run;
pub mod stats;
mod test_writing;

pub use crate::csv::CsvExporter;
pub use breakdown::BreakdownCsvExporter;
pub use error::ReportError;
pub use exporter::{
    all_exporters, leaderboard_exporters, summary_markdown, write_all, write_report, Exporter,
};
pub use html::HtmlExporter;
pub use json::JsonExporter;
pub use junit::JunitExporter;
pub use leaderboard::Leaderboard;
pub use markdown::MarkdownExporter;
pub use run::Run;

#[cfg(test)]
pub(crate) mod test_support {
    use evalrun_core::{
        GenerationStats, ModelSummary, RoundRecord, RunSummary, SampleRecord, Status, Verdict,
    };
    use std::path::{Path, PathBuf};

    fn map<V: Copy>(pairs: &[(&str, V)]) -> std::collections::BTreeMap<String, V> {
        pairs.iter().map(|&(k, v)| (k.to_string(), v)).collect()
    }

    /// A result row of a replayed sample (no generation measurements) of the humaneval suite.
    pub(crate) fn record(model: &str, task: &str, status: Status) -> SampleRecord {
        let verdict = Verdict {
            status,
            detail: if status == Status::Passed {
                String::new()
            } else {
                format!("{} here", status.as_str())
            },
            exception: None,
            exec_s: 0.25,
        };
        SampleRecord {
            task_id: task.to_string(),
            suite: "humaneval".to_string(),
            completion: "    return 1\n".to_string(),
            passed: verdict.passed(),
            result: verdict.human_eval_result(),
            model: model.to_string(),
            backend: if model == "slow" { "replay" } else { "llamacpp" }.to_string(),
            status,
            verdict,
            ..SampleRecord::default()
        }
    }

    /// `record` with generation measurements.
    pub(crate) fn generated(mut record: SampleRecord, gen_tokens_per_s: f64, total_s: f64) -> SampleRecord {
        record.generation = Some(GenerationStats {
            prompt_tokens: 120,
            generated_tokens: 80,
            ttft_s: 0.2,
            prompt_tokens_per_s: 600.0,
            gen_tokens_per_s,
            total_s,
            peak_rss_bytes: 500 << 20,
        });
        record
    }

    /// A test-writing row of `task` (suite `tw`) with the figures of its kept tests.
    pub(crate) fn test_writing(
        model: &str,
        task: &str,
        kept: f64,
        line: f64,
        mutation: Option<f64>,
    ) -> SampleRecord {
        let mut r = record(model, task, if kept > 0.0 { Status::Passed } else { Status::Failed });
        r.suite = "tw".to_string();
        r.kind = evalrun_core::TaskKind::TestWriting;
        r.metrics = [
            ("valid", if kept > 0.0 { 1.0 } else { 0.0 }),
            ("tests_written", kept + 2.0),
            ("tests_kept", kept),
            ("line_coverage", line),
            ("branch_coverage", line / 2.0),
        ]
        .iter()
        .map(|&(k, v)| (k.to_string(), v))
        .chain(mutation.map(|m| ("mutation_score".to_string(), m)))
        .collect();
        r
    }

    /// Round `n` of sample 0 of `task`, model `m` on llamacpp.
    pub(crate) fn round(task: &str, n: u32, kept: f64, line: f64, mutation: f64) -> RoundRecord {
        RoundRecord {
            task_id: task.to_string(),
            model: "m".to_string(),
            backend: "llamacpp".to_string(),
            round: n,
            completion: "def test_x():\n    assert True\n".to_string(),
            metrics: map(&[
                ("valid", 0.0),
                ("tests_kept", kept),
                ("line_coverage", line),
                ("mutation_score", mutation),
            ]),
            ..RoundRecord::default()
        }
    }

    /// A run directory `parent/name` holding only `results.jsonl` with `rows`.
    pub(crate) fn write_run(parent: &Path, name: &str, rows: &[SampleRecord]) -> PathBuf {
        let dir = parent.join(name);
        std::fs::create_dir_all(&dir).unwrap();
        let text: String = rows.iter().map(|r| serde_json::to_string(r).unwrap() + "\n").collect();
        std::fs::write(dir.join("results.jsonl"), text).unwrap();
        dir
    }

    /// A leaderboard of two runs: a generated model with python, javascript and test-writing
    /// tasks (with two feedback rounds), and a replayed samples file whose name needs escaping in
    /// every format.
    pub(crate) fn sample_leaderboard() -> crate::Leaderboard {
        use evalrun_core::{Language, TaskKind};
        let tmp = tempfile::tempdir().unwrap();
        let mut generated_rows = Vec::new();
        for (i, status) in [Status::Passed, Status::Failed, Status::Passed, Status::TimedOut, Status::Passed]
            .into_iter()
            .enumerate()
        {
            let mut r = generated(
                record("qwen2.5-coder-0.5b-instruct-q4_k_m", &format!("HumanEval/{i}"), status),
                30.0 + i as f64,
                1.0 + i as f64 / 2.0,
            );
            if i == 1 {
                r.language = Language::Javascript;
            }
            if i == 4 {
                r.kind = TaskKind::TestWriting;
                r.metrics = map(&[
                    ("valid", 1.0),
                    ("tests_written", 6.0),
                    ("tests_kept", 4.0),
                    ("mutation_score", 0.75),
                    ("line_coverage", 0.9),
                ]);
            }
            generated_rows.push(r);
        }
        let replay_rows: Vec<SampleRecord> = (0..5)
            .map(|i| {
                let mut r = record(
                    "slow",
                    &format!("HumanEval/{i}"),
                    if i < 2 { Status::Passed } else { Status::SyntaxError },
                );
                r.model = "replay, \"old\" | <b>run</b> & co".to_string();
                r.verdict.detail = "line 1\n  bad <syntax> & \u{1} \"here\"".to_string();
                r
            })
            .collect();
        let generated_dir = write_run(tmp.path(), "generated", &generated_rows);
        // The test-writing task ran two feedback rounds.
        let mut rounds = [round("HumanEval/4", 1, 2.0, 0.5, 0.25), round("HumanEval/4", 2, 4.0, 0.9, 0.75)];
        for r in &mut rounds {
            r.model = "qwen2.5-coder-0.5b-instruct-q4_k_m".to_string();
        }
        rounds[1].stopped = Some("rounds".to_string());
        let text: String = rounds.iter().map(|r| serde_json::to_string(r).unwrap() + "\n").collect();
        std::fs::write(generated_dir.join("rounds.jsonl"), text).unwrap();
        let runs =
            crate::Run::load_all(&[generated_dir, write_run(tmp.path(), "replayed", &replay_rows)]).unwrap();
        crate::Leaderboard::build(&runs)
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
