//! `summary.md` and `leaderboard.md`: GitHub-flavoured Markdown tables, ready for a CI step
//! summary.

use crate::exporter::{mib, pass_at, pass_k};
use crate::leaderboard::Interval;
use crate::{Exporter, Leaderboard, ReportError};
use evalrun_core::{ModelSummary, RunSummary, Status};
use std::fmt::Write;

/// Shown for a value that is not there.
const MISSING: &str = "—";

/// Statuses in the order they are listed; any other key follows, alphabetically.
const STATUS_ORDER: [Status; 5] =
    [Status::Passed, Status::Failed, Status::TimedOut, Status::Crashed, Status::SyntaxError];

/// Writes one table row per model: model, backend, suite, tasks, `n` (samples per task),
/// pass@1 as a percentage, pass@k for each model's largest `k` (the column is left out when no
/// model has more than one sample per task), the status counts, mean TTFT in milliseconds, mean
/// generation and prompt throughput in tokens per second, and peak memory in MiB. A missing value
/// is `—`. When a model ran more than one suite, language or kind, a second table gives its
/// scores per suite, language and kind; when the run has test-writing tasks, a third gives their
/// figures (valid suites, tests written and kept, coverage and mutation score of the kept tests).
#[derive(Debug, Clone, Copy, Default)]
pub struct MarkdownExporter;

impl Exporter for MarkdownExporter {
    fn name(&self) -> &'static str {
        "markdown"
    }

    fn file_name(&self) -> &'static str {
        "summary.md"
    }

    fn render(&self, summary: &RunSummary) -> Result<String, ReportError> {
        // Each model's largest k above 1, and the header of its column: `pass@10` when every
        // model that has one shares it, `pass@k` (with k in each cell) otherwise.
        let largest: Vec<Option<u32>> = summary.models.iter().map(largest_k).collect();
        let mut ks: Vec<u32> = largest.iter().flatten().copied().collect();
        ks.sort_unstable();
        ks.dedup();
        let pass_k_header = match ks.as_slice() {
            [] => None,
            [k] => Some(format!("pass@{k}")),
            _ => Some("pass@k".to_string()),
        };
        let k_in_cells = ks.len() > 1;

        let mut header = vec!["Model", "Backend", "Suite", "Tasks", "n", "pass@1"];
        if let Some(h) = &pass_k_header {
            header.push(h);
        }
        header.extend(["Statuses", "TTFT (ms)", "Gen tok/s", "Prompt tok/s", "Peak RSS (MiB)"]);
        let align: Vec<&str> = header
            .iter()
            .map(|h| match *h {
                "Model" | "Backend" | "Suite" | "Statuses" => "---",
                _ => "---:",
            })
            .collect();

        let mut out = String::new();
        push_row(&mut out, &header);
        push_row(&mut out, &align);
        for (m, k) in summary.models.iter().zip(&largest) {
            let mut cells = vec![
                escape(&m.model),
                escape(&m.backend),
                escape(&m.suite),
                m.tasks.to_string(),
                m.samples_per_task.to_string(),
                percent(pass_at(&m.pass_at_k, 1)),
            ];
            if pass_k_header.is_some() {
                cells.push(match k {
                    Some(k) if k_in_cells => format!("{} (k={k})", percent(pass_at(&m.pass_at_k, *k))),
                    Some(k) => percent(pass_at(&m.pass_at_k, *k)),
                    None => MISSING.to_string(),
                });
            }
            cells.extend([
                statuses(m),
                number(m.mean_ttft_s.map(|s| s * 1000.0), 0),
                number(m.mean_gen_tokens_per_s, 1),
                number(m.mean_prompt_tokens_per_s, 1),
                number(m.peak_rss_bytes.map(mib), 1),
            ]);
            push_row(&mut out, &cells);
        }
        if let Some(table) = crate::breakdown::markdown_table(summary) {
            out.push_str(&table);
        }
        if let Some(table) = crate::test_writing::markdown_table(summary) {
            out.push_str(&table);
        }
        Ok(out)
    }
}

/// Writes a heading, then for each group of entries (ranked on the tasks they all ran) a line
/// saying how many common tasks it is ranked on and one table row per entry (rank, model,
/// backend, quantization, pass@1 on the common tasks with its interval, pass@1 on the entry's
/// own tasks, pass@k for the largest k, pass@1 per language, test-writing figures, median
/// generation tokens/s, median TTFT, peak memory); then a legend, one line per run, and what
/// feedback rounds bought for each entry that journaled them.
impl Exporter<Leaderboard> for MarkdownExporter {
    fn name(&self) -> &'static str {
        "markdown"
    }

    fn file_name(&self) -> &'static str {
        "leaderboard.md"
    }

    fn render(&self, board: &Leaderboard) -> Result<String, ReportError> {
        let languages = board.languages();
        let k = board.largest_k();
        let mut header: Vec<String> = ["#", "Model", "Backend", "Quant"].map(String::from).to_vec();
        header.push(format!("pass@1 common ({:.0}% interval)", board.confidence * 100.0));
        header.push("pass@1 own tasks".to_string());
        header.extend(k.map(|k| format!("pass@{k}")));
        header.extend(languages.iter().cloned());
        if board.has_test_writing() {
            header.push("Test-writing".to_string());
        }
        header.extend(["Gen tok/s", "TTFT (ms)", "Peak RSS (MiB)"].map(String::from));
        let align: Vec<&str> =
            (0..header.len()).map(|i| if (1..4).contains(&i) { "---" } else { "---:" }).collect();

        let mut out = String::from("## evalrun leaderboard\n\n");
        for g in &board.groups {
            let tasks = format!(
                "ranked on {} common task{} (task set `{}`)",
                g.common_tasks,
                if g.common_tasks == 1 { "" } else { "s" },
                g.task_set.get(..12).unwrap_or(&g.task_set)
            );
            if board.groups.len() > 1 {
                let _ = write!(out, "### Group {}: {tasks}\n\n", g.id);
            } else {
                let _ = write!(out, "Entries {tasks}.\n\n");
            }
            push_row(&mut out, &header);
            push_row(&mut out, &align);
            for e in board.entries_of(g.id) {
                let mut cells = vec![
                    e.rank.to_string(),
                    escape(&e.label),
                    escape(&e.backend),
                    escape(e.quantization.as_deref().unwrap_or("")),
                    interval(&e.pass_at_1_common),
                    format!("{} ({} tasks)", percent(Some(e.pass_at_1.value)), e.tasks),
                ];
                cells.extend(k.map(|k| percent(pass_at(&e.pass_at_k, k))));
                cells.extend(languages.iter().map(|l| percent(e.languages.get(l).map(|s| s.pass_at_1))));
                if board.has_test_writing() {
                    cells.push(
                        e.test_writing.as_ref().map_or_else(|| MISSING.to_string(), |t| escape(&t.cell())),
                    );
                }
                let speed = number(e.gen_tokens_per_s(), 1);
                cells.extend([
                    if e.pareto { format!("{speed} ★") } else { speed },
                    number(e.speed.ttft_s.as_ref().map(|d| d.median * 1000.0), 0),
                    number(e.peak_rss_bytes.map(mib), 1),
                ]);
                push_row(&mut out, &cells);
            }
            out.push('\n');
        }
        let _ = write!(
            out,
            "Entries are ranked on the tasks every entry of their group ran (pass@1 common); pass@1 own \
             tasks is each entry's score on all of its tasks. An entry whose common tasks with a group \
             would fall below {:.0}% of its own tasks, or of another member's, is ranked in a group of \
             its own. ★ on the group's quality/speed frontier: no other entry of the group has both a \
             higher or equal pass@1 common and a higher or equal median generation speed. Speeds and \
             TTFT are medians over samples.",
            board.min_common_share * 100.0
        );
        if board.has_test_writing() {
            out.push_str(
                " Test-writing: valid = the whole suite passes on the reference module; kept = the tests \
                 that pass there, of those written; lines and mutants = the line coverage and mutation \
                 score of the kept tests.",
            );
        }
        out.push_str("\n\n");
        for run in &board.runs {
            let _ = write!(out, "- `{}`: suite {}", escape(&run.label), escape(&run.suite));
            if let Some(corpus) = &run.corpus_version {
                let _ = write!(out, " ({})", escape(corpus));
            }
            if let Some(s) = &run.sampling {
                let _ = write!(out, ", temperature {}", s.temperature);
            }
            if let Some(m) = &run.machine {
                let _ = write!(out, ", {} ({} cpus)", escape(&m.cpu_model), m.cpus);
            }
            out.push('\n');
        }
        if board.has_feedback() {
            out.push_str("\n### What feedback bought\n");
            for e in &board.entries {
                if let Some(f) = &e.feedback {
                    out.push_str(&f.markdown(&e.label));
                }
            }
        }
        Ok(out)
    }
}

/// `61.0% (53.4–68.1)`.
fn interval(i: &Interval) -> String {
    format!("{:.1}% ({:.1}–{:.1})", i.value * 100.0, i.low * 100.0, i.high * 100.0)
}

/// The largest `k` of a model's pass@k, when above 1.
fn largest_k(model: &ModelSummary) -> Option<u32> {
    model.pass_at_k.keys().filter_map(|key| pass_k(key)).max().filter(|&k| k > 1)
}

fn push_row<S: AsRef<str>>(out: &mut String, cells: &[S]) {
    out.push('|');
    for cell in cells {
        let _ = write!(out, " {} |", cell.as_ref());
    }
    out.push('\n');
}

/// Text made safe for one table cell: `|` would end the cell and a line break the row.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            // A backslash is escaped too, so that one before a `|` stays a literal backslash.
            '\\' => out.push_str("\\\\"),
            '|' => out.push_str("\\|"),
            // GitHub renders inline HTML in Markdown: a name like `<b>x</b>` must show as text.
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\r' | '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    if out.is_empty() {
        MISSING.to_string()
    } else {
        out
    }
}

fn percent(fraction: Option<f64>) -> String {
    fraction.map_or_else(|| MISSING.to_string(), |f| format!("{:.1}%", f * 100.0))
}

fn number(value: Option<f64>, decimals: usize) -> String {
    value.map_or_else(|| MISSING.to_string(), |v| format!("{v:.decimals$}"))
}

/// `150 passed, 10 failed, 4 timed_out`: the non-zero counts, known statuses first.
fn statuses(model: &ModelSummary) -> String {
    let known = STATUS_ORDER.map(Status::as_str);
    let ordered = known
        .iter()
        .filter_map(|&name| model.statuses.get_key_value(name))
        .chain(model.statuses.iter().filter(|(name, _)| !known.contains(&name.as_str())));
    let parts: Vec<String> = ordered
        .filter(|(_, &count)| count > 0)
        .map(|(name, count)| format!("{count} {}", escape(name)))
        .collect();
    if parts.is_empty() {
        MISSING.to_string()
    } else {
        parts.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::sample_summary;

    #[test]
    fn renders_the_table() {
        let text = MarkdownExporter.render(&sample_summary()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines,
            [
                "| Model | Backend | Suite | Tasks | n | pass@1 | pass@4 | Statuses | TTFT (ms) | Gen tok/s | Prompt tok/s | Peak RSS (MiB) |",
                "| --- | --- | --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |",
                "| qwen2.5-coder-1.5b-instruct-q4_k_m | llamacpp | humaneval | 164 | 4 | 61.0% | 80.5% | 400 passed, 200 failed, 40 timed_out, 16 crashed | 123 | 45.7 | 1234.5 | 1536.5 |",
                "| replay, \"old\" \\| run | replay | humaneval | 3 | 1 | 33.3% | — | 1 passed, 1 crashed, 1 syntax_error, 2 weird | — | — | — | — |",
            ]
        );
        assert!(text.ends_with("|\n"));
    }

    #[test]
    fn escapes_pipes_backslashes_and_line_breaks() {
        assert_eq!(escape("a|b"), "a\\|b");
        assert_eq!(escape("a\\|b"), "a\\\\\\|b");
        assert_eq!(escape("C:\\models\\m.gguf"), "C:\\\\models\\\\m.gguf");
        assert_eq!(escape("two\nlines"), "two lines");
        assert_eq!(escape(""), "—");
        // A pipe in a name never adds a column.
        let mut summary = sample_summary();
        summary.models[0].model = "org|model|q4".to_string();
        let text = MarkdownExporter.render(&summary).unwrap();
        let row = text.lines().nth(2).unwrap();
        assert!(row.starts_with("| org\\|model\\|q4 | llamacpp |"), "{row}");
        let unescaped_pipes = |line: &str| line.replace("\\|", "").matches('|').count();
        assert_eq!(unescaped_pipes(row), unescaped_pipes(text.lines().next().unwrap()));
    }

    #[test]
    fn pass_at_k_column_with_different_k() {
        let mut summary = sample_summary();
        let m = &mut summary.models[1];
        m.samples_per_task = 2;
        m.pass_at_k.insert("pass@2".to_string(), 0.5);
        let text = MarkdownExporter.render(&summary).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("| Model | Backend | Suite | Tasks | n | pass@1 | pass@k | Statuses |"));
        assert!(lines[2].contains("| 61.0% | 80.5% (k=4) |"), "{}", lines[2]);
        assert!(lines[3].contains("| 33.3% | 50.0% (k=2) |"), "{}", lines[3]);
    }

    #[test]
    fn no_pass_at_k_column_for_single_samples() {
        let mut summary = sample_summary();
        summary.models.remove(0);
        let text = MarkdownExporter.render(&summary).unwrap();
        assert!(text.starts_with("| Model | Backend | Suite | Tasks | n | pass@1 | Statuses |"), "{text}");
        assert_eq!(text.lines().count(), 3);
    }

    #[test]
    fn leaderboard_table() {
        let board = crate::test_support::sample_leaderboard();
        let text = MarkdownExporter.render(&board).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "## evalrun leaderboard");
        assert_eq!(
            lines[2],
            format!("Entries ranked on 5 common tasks (task set `{}`).", &board.groups[0].task_set[..12])
        );
        assert_eq!(
            lines[4],
            "| # | Model | Backend | Quant | pass@1 common (95% interval) | pass@1 own tasks | javascript | python | Test-writing | Gen tok/s | TTFT (ms) | Peak RSS (MiB) |"
        );
        let e = &board.entries[0];
        assert_eq!(e.model, "qwen2.5-coder-0.5b-instruct-q4_k_m");
        // 2 of 3 python code tasks, 0 of 1 javascript task, the test-writing task passed.
        assert_eq!(
            lines[6],
            format!(
                "| 1 | qwen2.5-coder-0.5b-instruct-q4_k_m | llamacpp | Q4_K_M | 60.0% ({:.1}–{:.1}) | 60.0% (5 tasks) | 0.0% | 66.7% | 100.0% valid · kept 4/6 · lines 90% · mutants 75% | 32.0 ★ | 200 | 500.0 |",
                e.pass_at_1_common.low * 100.0,
                e.pass_at_1_common.high * 100.0
            )
        );
        assert!(
            lines[7].starts_with("| 2 | replay, \"old\" \\| &lt;b&gt;run&lt;/b&gt; &amp; co | replay | — | 40.0% (11.8–76.9) | 40.0% (5 tasks) | — | 40.0% | — |"),
            "{}",
            lines[7]
        );
        assert!(lines[7].ends_with("| — | — | — |"), "{}", lines[7]);
        assert!(text.contains("- `generated`: suite humaneval\n"), "{text}");
        assert!(text.contains("Entries are ranked on the tasks every entry of their group ran"), "{text}");
        assert!(text.contains("Test-writing: valid = the whole suite passes"), "{text}");
        // What the generated model's two feedback rounds bought, after the runs.
        let feedback = &text[text.find("### What feedback bought").expect("feedback section")..];
        assert!(
            feedback.contains("**What feedback bought: qwen2.5-coder-0.5b-instruct-q4_k_m**: 1 sample;"),
            "{feedback}"
        );
        assert!(
            feedback.contains(
                "| 1 | 1 | — | 2.0 | 50.0% | — | 25.0% | — |\n| 2 | 1 | 1 | 4.0 | 90.0% | — | 75.0% | — |"
            ),
            "{feedback}"
        );
    }

    #[test]
    fn summary_with_test_writing_shows_its_figures() {
        let mut summary = sample_summary();
        summary.breakdown = vec![evalrun_core::GroupSummary {
            model: summary.models[0].model.clone(),
            backend: "llamacpp".into(),
            suite: "tw".into(),
            language: evalrun_core::Language::Python,
            kind: evalrun_core::TaskKind::TestWriting,
            tasks: 42,
            samples: 42,
            passed: 4,
            pass_at_k: [("pass@1".to_string(), 4.0 / 42.0)].into(),
            metrics: [("tests_written".to_string(), 7.0), ("tests_kept".to_string(), 3.5)].into(),
        }];
        let text = MarkdownExporter.render(&summary).unwrap();
        // One group: no per-language table, but the test-writing figures, counts as numbers.
        assert!(!text.contains("| Language | Kind |"), "{text}");
        assert!(text.contains("| tw | python | 42 | 1 | 9.5% | 7.0 | 3.5 | — | — | — |"), "{text}");
    }

    #[test]
    fn empty_summary_is_a_header() {
        let text =
            MarkdownExporter.render(&RunSummary { schema: 1, models: vec![], breakdown: vec![] }).unwrap();
        assert_eq!(text.lines().count(), 2);
    }
}
