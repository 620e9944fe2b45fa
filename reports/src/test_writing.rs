//! The figures of the test-writing tasks (issue 12): the strict rate of suites that pass whole,
//! the tests written and kept, and the line and branch coverage and mutation score of the kept
//! tests. Computed here for the leaderboard, and shown alike by every report: fractions as
//! percentages, counts as plain numbers.

use crate::leaderboard::TaskOutcome;
use crate::markdown::escape;
use evalrun_core::summary::metric;
use evalrun_core::{RunSummary, SampleRecord, TaskKind};
use serde::{Deserialize, Serialize};
use std::fmt::Write;

/// Shown for a value that is not there.
const MISSING: &str = "—";

/// One leaderboard entry's test-writing figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestWriting {
    pub tasks: usize,
    pub samples: usize,
    /// Fraction of samples whose whole suite passes on the reference module (mean over tasks):
    /// the strict rate.
    pub pass_at_1: f64,
    /// Of the kept tests, means over the samples that have the figure.
    pub mutation_score: Option<f64>,
    pub line_coverage: Option<f64>,
    pub branch_coverage: Option<f64>,
    /// Test functions written and kept per sample, means over the samples that have the count
    /// (none has before per-test scoring, nor does a sample whose generation failed).
    #[serde(default)]
    pub tests_written: Option<f64>,
    #[serde(default)]
    pub tests_kept: Option<f64>,
    /// The same counts summed over those samples.
    #[serde(default)]
    pub tests_written_total: Option<u64>,
    #[serde(default)]
    pub tests_kept_total: Option<u64>,
}

impl TestWriting {
    /// The figures of the test-writing rows of `records`, whose tasks are `tasks`; `None` when
    /// there is no test-writing task.
    pub(crate) fn of(records: &[&SampleRecord], tasks: &[TaskOutcome]) -> Option<TestWriting> {
        let kind = TaskKind::TestWriting.as_str();
        let tasks: Vec<&TaskOutcome> = tasks.iter().filter(|t| t.kind == kind).collect();
        if tasks.is_empty() {
            return None;
        }
        let values = |name: &str| -> Vec<f64> {
            records
                .iter()
                .filter(|r| r.kind == TaskKind::TestWriting)
                .filter_map(|r| r.metrics.get(name).copied())
                .filter(|v| v.is_finite())
                .collect()
        };
        let mean = |name: &str| {
            let v = values(name);
            (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
        };
        // Counts are whole numbers: their sum is exact.
        let total = |name: &str| {
            let v = values(name);
            (!v.is_empty()).then(|| v.iter().sum::<f64>().round().max(0.0) as u64)
        };
        Some(TestWriting {
            tasks: tasks.len(),
            samples: tasks.iter().map(|t| t.samples as usize).sum(),
            pass_at_1: tasks.iter().map(|t| t.rate()).sum::<f64>() / tasks.len() as f64,
            mutation_score: mean(metric::MUTATION_SCORE),
            line_coverage: mean(metric::LINE_COVERAGE),
            branch_coverage: mean(metric::BRANCH_COVERAGE),
            tests_written: mean(metric::TESTS_WRITTEN),
            tests_kept: mean(metric::TESTS_KEPT),
            tests_written_total: total(metric::TESTS_WRITTEN),
            tests_kept_total: total(metric::TESTS_KEPT),
        })
    }

    /// `41/73`: the tests kept of those written, in total; `None` before per-test scoring.
    pub fn kept_of_written(&self) -> Option<String> {
        Some(format!("{}/{}", self.tests_kept_total?, self.tests_written_total?))
    }

    /// `40.0% valid · kept 41/73 · lines 52% · mutants 31%`: the figures for one table cell,
    /// those that are there.
    pub fn cell(&self) -> String {
        let mut parts = vec![format!("{:.1}% valid", self.pass_at_1 * 100.0)];
        parts.extend(self.kept_of_written().map(|k| format!("kept {k}")));
        parts.extend(self.line_coverage.map(|v| format!("lines {:.0}%", v * 100.0)));
        parts.extend(self.mutation_score.map(|v| format!("mutants {:.0}%", v * 100.0)));
        parts.join(" · ")
    }
}

/// `52.3%` for a fraction, `4.1` for a count, `—` when missing.
pub(crate) fn show(name: &str, value: Option<f64>) -> String {
    match value {
        None => MISSING.to_string(),
        Some(v) if metric::is_count(name) => format!("{v:.1}"),
        Some(v) => format!("{:.1}%", v * 100.0),
    }
}

/// The test-writing figures of a run's summary, one row per model and test-writing suite and
/// language; `None` when the run has no test-writing task.
pub(crate) fn markdown_table(summary: &RunSummary) -> Option<String> {
    let groups: Vec<_> = summary.breakdown.iter().filter(|g| g.kind == TaskKind::TestWriting).collect();
    if groups.is_empty() {
        return None;
    }
    // The strict rate is pass@1 (a test-writing row passes when its whole suite is valid); the
    // others are the rows' metrics, counts as means per sample.
    let figures = &metric::TEST_WRITING[1..];
    let mut out = String::from(
        "\nTest-writing: a suite is valid when all its tests pass on the reference module; kept tests \
         are those that pass there, and the coverage and mutation score are theirs. Tests written and \
         kept are means per sample.\n\n| Model | Suite | Language | Tasks | n | Valid suites |",
    );
    for name in figures {
        let _ = write!(out, " {} |", metric::label(name));
    }
    out.push_str("\n| --- | --- | --- | ---: | ---: | ---: |");
    out.push_str(&" ---: |".repeat(figures.len()));
    out.push('\n');
    for g in groups {
        let n = g.samples.checked_div(g.tasks).unwrap_or(0);
        let _ = write!(
            out,
            "| {} | {} | {} | {} | {n} | {} |",
            escape(&g.model),
            escape(&g.suite),
            g.language.as_str(),
            g.tasks,
            show(metric::VALID, g.pass_at_k.get("pass@1").copied())
        );
        for name in figures {
            let _ = write!(out, " {} |", show(name, g.metrics.get(*name).copied()));
        }
        out.push('\n');
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::record;
    use evalrun_core::{GroupSummary, Language, Status};

    fn row(task: &str, status: Status, figures: &[(&str, f64)]) -> SampleRecord {
        let mut r = record("m", task, status);
        r.kind = TaskKind::TestWriting;
        r.metrics = figures.iter().map(|&(k, v)| (k.to_string(), v)).collect();
        r
    }

    #[test]
    fn figures_of_the_rows() {
        let rows = [
            row(
                "tw/a",
                Status::Passed,
                &[
                    ("valid", 1.0),
                    ("tests_written", 5.0),
                    ("tests_kept", 5.0),
                    ("line_coverage", 0.8),
                    ("mutation_score", 0.6),
                ],
            ),
            row(
                "tw/b",
                Status::Failed,
                &[("valid", 0.0), ("tests_written", 8.0), ("tests_kept", 3.0), ("line_coverage", 0.4)],
            ),
            // A failed generation has no figures.
            row("tw/c", Status::Failed, &[]),
            record("m", "HumanEval/0", Status::Passed),
        ];
        let refs: Vec<&SampleRecord> = rows.iter().collect();
        let tasks = crate::leaderboard::task_outcomes(&refs);
        let t = TestWriting::of(&refs, &tasks).unwrap();
        assert_eq!((t.tasks, t.samples), (3, 3));
        assert!((t.pass_at_1 - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!((t.tests_written, t.tests_kept), (Some(6.5), Some(4.0)));
        assert_eq!((t.tests_written_total, t.tests_kept_total), (Some(13), Some(8)));
        assert!((t.line_coverage.unwrap() - 0.6).abs() < 1e-12);
        // Only one task has mutants.
        assert_eq!((t.mutation_score, t.branch_coverage), (Some(0.6), None));
        assert_eq!(t.kept_of_written().as_deref(), Some("8/13"));
        assert_eq!(t.cell(), "33.3% valid · kept 8/13 · lines 60% · mutants 60%");
        // The code task is no test-writing figure, and a run without test-writing tasks has none.
        assert!(TestWriting::of(&refs[3..], &crate::leaderboard::task_outcomes(&refs[3..])).is_none());
    }

    #[test]
    fn rows_before_per_test_scoring_show_what_they_have() {
        let rows = [row("tw/a", Status::Passed, &[("mutation_score", 0.75)])];
        let refs: Vec<&SampleRecord> = rows.iter().collect();
        let t = TestWriting::of(&refs, &crate::leaderboard::task_outcomes(&refs)).unwrap();
        assert_eq!((t.tests_kept, t.kept_of_written()), (None, None));
        assert_eq!(t.cell(), "100.0% valid · mutants 75%");
    }

    #[test]
    fn counts_are_numbers_and_fractions_percentages() {
        assert_eq!(show("tests_kept", Some(4.26)), "4.3");
        assert_eq!(show("tests_written", Some(12.0)), "12.0");
        assert_eq!(show("line_coverage", Some(0.5234)), "52.3%");
        assert_eq!(show("mutation_score", None), "—");
    }

    #[test]
    fn summary_table_of_the_test_writing_groups() {
        let mut summary = crate::test_support::sample_summary();
        let group = |kind: TaskKind, metrics: &[(&str, f64)]| GroupSummary {
            model: "m|x".into(),
            backend: "llamacpp".into(),
            suite: "tw".into(),
            language: Language::Python,
            kind,
            tasks: 4,
            samples: 8,
            passed: 2,
            pass_at_k: [("pass@1".to_string(), 0.25)].into(),
            metrics: metrics.iter().map(|&(k, v)| (k.to_string(), v)).collect(),
        };
        summary.breakdown = vec![group(TaskKind::Code, &[])];
        assert_eq!(markdown_table(&summary), None);
        summary.breakdown.push(group(
            TaskKind::TestWriting,
            &[
                ("valid", 0.25),
                ("tests_written", 7.5),
                ("tests_kept", 4.14),
                ("line_coverage", 0.523),
                ("branch_coverage", 0.4),
                ("mutation_score", 0.31),
            ],
        ));
        let table = markdown_table(&summary).unwrap();
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(
            lines[3],
            "| Model | Suite | Language | Tasks | n | Valid suites | Tests written | Tests kept | Line coverage | Branch coverage | Mutation score |"
        );
        assert_eq!(lines[5], "| m\\|x | tw | python | 4 | 2 | 25.0% | 7.5 | 4.1 | 52.3% | 40.0% | 31.0% |");
        assert_eq!(lines.len(), 6, "{table}");
    }
}
