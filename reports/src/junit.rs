//! `junit.xml`: one test case per task and model, so CI systems (GitHub Actions test reporters,
//! GitLab's `artifacts:reports:junit`, Jenkins) show failing tasks natively.

use crate::markup::escape;
use crate::{Exporter, Leaderboard, ReportError};
use std::fmt::Write;

/// Writes a `<testsuites>` document with one `<testsuite>` per leaderboard entry (named by its
/// label) and one `<testcase>` per task (`classname` the entry's label, `name` the task id,
/// `time` its execution plus generation time). A task fails unless every one of its samples
/// passed; the `<failure>` carries the status as `type`, the pass count and the first failing
/// sample's detail.
#[derive(Debug, Clone, Copy, Default)]
pub struct JunitExporter;

impl Exporter<Leaderboard> for JunitExporter {
    fn name(&self) -> &'static str {
        "junit"
    }

    fn file_name(&self) -> &'static str {
        "junit.xml"
    }

    fn render(&self, board: &Leaderboard) -> Result<String, ReportError> {
        let time = |t: &crate::leaderboard::TaskOutcome| t.exec_s + t.generation_s.unwrap_or(0.0);
        let failed = |t: &crate::leaderboard::TaskOutcome| t.passed < t.samples;
        let tests: usize = board.entries.iter().map(|e| e.task_outcomes.len()).sum();
        let failures: usize =
            board.entries.iter().map(|e| e.task_outcomes.iter().filter(|t| failed(t)).count()).sum();
        let total: f64 = board.entries.iter().flat_map(|e| &e.task_outcomes).map(time).sum();

        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let _ = writeln!(
            out,
            "<testsuites name=\"evalrun\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" time=\"{total:.3}\">"
        );
        for e in &board.entries {
            let label = escape(&e.label);
            let suite_failures = e.task_outcomes.iter().filter(|t| failed(t)).count();
            let suite_time: f64 = e.task_outcomes.iter().map(time).sum();
            let _ = writeln!(
                out,
                "  <testsuite name=\"{label}\" tests=\"{}\" failures=\"{suite_failures}\" errors=\"0\" skipped=\"0\" time=\"{suite_time:.3}\">",
                e.task_outcomes.len()
            );
            out.push_str("    <properties>\n");
            let mut properties = vec![
                ("model", e.model.clone()),
                ("backend", e.backend.clone()),
                ("run", e.run.clone()),
                ("suite", e.suite.clone()),
                ("pass@1", e.pass_at_1.value.to_string()),
            ];
            properties.extend(e.quantization.clone().map(|q| ("quantization", q)));
            for (name, value) in properties {
                let _ = writeln!(out, "      <property name=\"{name}\" value=\"{}\"/>", escape(&value));
            }
            out.push_str("    </properties>\n");
            for t in &e.task_outcomes {
                let _ = write!(
                    out,
                    "    <testcase classname=\"{label}\" name=\"{}\" time=\"{:.3}\"",
                    escape(&t.task_id),
                    time(t)
                );
                if failed(t) {
                    let _ = writeln!(
                        out,
                        ">\n      <failure type=\"{}\" message=\"{} of {} samples passed; first failure: {}\">{}</failure>\n    </testcase>",
                        escape(&t.status),
                        t.passed,
                        t.samples,
                        escape(&t.status),
                        escape(&t.detail)
                    );
                } else {
                    out.push_str("/>\n");
                }
            }
            out.push_str("  </testsuite>\n");
        }
        out.push_str("</testsuites>\n");
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::sample_leaderboard;

    #[test]
    fn one_case_per_task_and_model() {
        let board = sample_leaderboard();
        let xml = JunitExporter.render(&board).unwrap();
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"evalrun\" tests=\"10\" failures=\"5\" errors=\"0\""), "{xml}");
        assert_eq!(xml.matches("<testcase ").count(), 10);
        assert_eq!(xml.matches("<failure ").count(), 5);
        assert_eq!(xml.matches("<testsuite ").count(), 2);
        assert!(xml.contains(
            "<testcase classname=\"qwen2.5-coder-0.5b-instruct-q4_k_m\" name=\"HumanEval/1\" time=\"1.750\">\n      <failure type=\"failed\" message=\"0 of 1 samples passed; first failure: failed\">failed here</failure>"
        ), "{xml}");
        assert!(xml.contains("<property name=\"quantization\" value=\"Q4_K_M\"/>"), "{xml}");
        // Names and details are escaped; the control character in the detail is dropped.
        assert!(
            xml.contains("<testsuite name=\"replay, &quot;old&quot; | &lt;b&gt;run&lt;/b&gt; &amp; co\""),
            "{xml}"
        );
        assert!(xml.contains(">line 1\n  bad &lt;syntax&gt; &amp;  &quot;here&quot;</failure>"), "{xml}");
        assert!(!xml.contains('\u{1}'));
    }
}
