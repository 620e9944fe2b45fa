//! The per-language breakdown of a run ([`RunSummary::breakdown`]): a CSV file of its own
//! (`summary-languages.csv`) and a second table in `summary.md`.

use crate::exporter::pass_k;
use crate::markdown::escape;
use crate::test_writing::show;
use crate::{Exporter, ReportError};
use evalrun_core::summary::metric;
use evalrun_core::{GroupSummary, RunSummary};
use std::collections::BTreeSet;
use std::fmt::Write;

/// Writes one row per model, suite, language and kind: `model, backend, suite, language, kind,
/// tasks, samples, passed, pass@1 .. pass@N`, then the mean of every metric any group has
/// (test-writing: `mutation_score`, coverage). Missing values are empty cells.
#[derive(Debug, Clone, Copy, Default)]
pub struct BreakdownCsvExporter;

fn ks(groups: &[GroupSummary]) -> Vec<u32> {
    let ks: BTreeSet<u32> =
        groups.iter().flat_map(|g| g.pass_at_k.keys()).filter_map(|k| pass_k(k)).collect();
    ks.into_iter().collect()
}

fn metric_names(groups: &[GroupSummary]) -> Vec<String> {
    let names: BTreeSet<&String> = groups.iter().flat_map(|g| g.metrics.keys()).collect();
    names.into_iter().cloned().collect()
}

impl Exporter for BreakdownCsvExporter {
    fn name(&self) -> &'static str {
        "languages-csv"
    }

    fn file_name(&self) -> &'static str {
        "summary-languages.csv"
    }

    fn render(&self, summary: &RunSummary) -> Result<String, ReportError> {
        let groups = &summary.breakdown;
        let (ks, metrics) = (ks(groups), metric_names(groups));
        let mut writer = csv::Writer::from_writer(Vec::new());
        let mut header: Vec<String> =
            ["model", "backend", "suite", "language", "kind", "tasks", "samples", "passed"]
                .map(String::from)
                .to_vec();
        header.extend(ks.iter().map(|k| format!("pass@{k}")));
        header.extend(metrics.iter().cloned());
        writer.write_record(&header)?;
        for g in groups {
            let mut row = vec![
                g.model.clone(),
                g.backend.clone(),
                g.suite.clone(),
                g.language.as_str().to_string(),
                g.kind.as_str().to_string(),
                g.tasks.to_string(),
                g.samples.to_string(),
                g.passed.to_string(),
            ];
            row.extend(
                ks.iter()
                    .map(|k| g.pass_at_k.get(&format!("pass@{k}")).map(f64::to_string).unwrap_or_default()),
            );
            row.extend(metrics.iter().map(|m| g.metrics.get(m).map(f64::to_string).unwrap_or_default()));
            writer.write_record(&row)?;
        }
        let bytes = writer.into_inner().map_err(|e| csv::Error::from(e.into_error()))?;
        Ok(String::from_utf8(bytes).map_err(|e| csv::Error::from(std::io::Error::other(e)))?)
    }
}

/// A Markdown table of the breakdown, or `None` when it says nothing the main table does not
/// (every model ran one suite in one language). The test-writing figures have a table of their
/// own ([`crate::test_writing::markdown_table`]); any other metric gets a column here.
pub(crate) fn markdown_table(summary: &RunSummary) -> Option<String> {
    let groups = &summary.breakdown;
    let several = summary
        .models
        .iter()
        .any(|m| groups.iter().filter(|g| g.model == m.model && g.backend == m.backend).count() > 1);
    if !several {
        return None;
    }
    let metrics: Vec<String> =
        metric_names(groups).into_iter().filter(|m| !metric::TEST_WRITING.contains(&m.as_str())).collect();
    let mut out = String::from("\n| Model | Suite | Language | Kind | Tasks | n | pass@1 |");
    for m in &metrics {
        let _ = write!(out, " {} |", escape(metric::label(m)));
    }
    out.push_str("\n| --- | --- | --- | --- | ---: | ---: | ---: |");
    out.push_str(&" ---: |".repeat(metrics.len()));
    out.push('\n');
    for g in groups {
        let n = g.samples.checked_div(g.tasks).unwrap_or(0);
        let _ = write!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |",
            escape(&g.model),
            escape(&g.suite),
            g.language.as_str(),
            g.kind.as_str(),
            g.tasks,
            n,
            show("pass@1", g.pass_at_k.get("pass@1").copied())
        );
        for m in &metrics {
            let _ = write!(out, " {} |", show(m, g.metrics.get(m).copied()));
        }
        out.push('\n');
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use evalrun_core::{Language, TaskKind};

    fn group(model: &str, suite: &str, language: Language, kind: TaskKind, pass1: f64) -> GroupSummary {
        GroupSummary {
            model: model.into(),
            backend: "llamacpp".into(),
            suite: suite.into(),
            language,
            kind,
            tasks: 4,
            samples: 4,
            passed: (pass1 * 4.0) as usize,
            pass_at_k: [("pass@1".to_string(), pass1)].into(),
            metrics: Default::default(),
        }
    }

    fn summary() -> RunSummary {
        let mut models = crate::test_support::sample_summary().models;
        models.truncate(1);
        let m = models[0].model.clone();
        let mut tw = group(&m, "tw", Language::Python, TaskKind::TestWriting, 0.5);
        tw.metrics = [("mutation_score".to_string(), 0.625)].into();
        RunSummary {
            schema: 1,
            models,
            breakdown: vec![
                group(&m, "evalrun-core", Language::Python, TaskKind::Code, 0.75),
                group(&m, "evalrun-core", Language::Cpp, TaskKind::Code, 0.25),
                tw,
            ],
        }
    }

    #[test]
    fn csv_has_a_row_per_group_and_metric_columns() {
        let text = BreakdownCsvExporter.render(&summary()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "model,backend,suite,language,kind,tasks,samples,passed,pass@1,mutation_score");
        assert_eq!(lines[2], "qwen2.5-coder-1.5b-instruct-q4_k_m,llamacpp,evalrun-core,cpp,code,4,4,1,0.25,");
        assert_eq!(
            lines[3],
            "qwen2.5-coder-1.5b-instruct-q4_k_m,llamacpp,tw,python,test-writing,4,4,2,0.5,0.625"
        );
    }

    #[test]
    fn markdown_table_only_when_a_model_spans_groups() {
        let table = markdown_table(&summary()).unwrap();
        // The test-writing figures have their own table; another metric gets a column here.
        assert!(table.contains("| Model | Suite | Language | Kind | Tasks | n | pass@1 |\n"), "{table}");
        assert!(table.contains("| evalrun-core | cpp | code | 4 | 1 | 25.0% |\n"), "{table}");
        assert!(table.contains("| tw | python | test-writing | 4 | 1 | 50.0% |\n"), "{table}");
        let mut other = summary();
        other.breakdown[0].metrics = [("compile_rate".to_string(), 0.5)].into();
        let table = markdown_table(&other).unwrap();
        assert!(table.contains("| pass@1 | compile_rate |\n"), "{table}");
        assert!(table.contains("| evalrun-core | python | code | 4 | 1 | 75.0% | 50.0% |\n"), "{table}");
        assert!(table.contains("| tw | python | test-writing | 4 | 1 | 50.0% | — |\n"), "{table}");
        let mut one = summary();
        one.breakdown.truncate(1);
        assert_eq!(markdown_table(&one), None);
    }
}
