//! `index.html`: the leaderboard as one self-contained page: a sortable table and the charts as
//! inline SVG, with its style and script inline too, so it opens from disk or a CI artifact with
//! no network (its Content-Security-Policy forbids loading anything).

use crate::charts::Chart;
use crate::exporter::{mib, pass_at};
use crate::leaderboard::{Entry, Group, Interval, RunInfo};
use crate::markup::escape;
use crate::{Exporter, Leaderboard, ReportError};
use std::fmt::Write;

#[derive(Debug, Clone, Copy, Default)]
pub struct HtmlExporter;

const STYLE: &str = r#"
:root { color-scheme: light; --ink: #222; --muted: #666; --line: #e3e3e3; --accent: #4e79a7; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--ink); background: #fafafa; }
main { max-width: 1280px; margin: 0 auto; padding: 24px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 32px 0 8px; }
.sub { color: var(--muted); margin: 0 0 16px; }
.scroll { overflow-x: auto; background: #fff; border: 1px solid var(--line); border-radius: 6px; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { padding: 7px 10px; border-bottom: 1px solid var(--line); text-align: left; white-space: nowrap; vertical-align: top; }
thead th { position: sticky; top: 0; background: #f3f5f8; font-weight: 600; }
td.wrap { white-space: normal; overflow-wrap: anywhere; min-width: 12em; max-width: 22em; }
tr.group-head th { white-space: normal; background: #eef1f5; font-weight: 600; }
tr.group-head .hash { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-weight: 400; color: var(--muted); }
th button { all: unset; cursor: pointer; display: inline-flex; gap: 4px; align-items: center; }
th button:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
th button::after { content: "\2195"; color: #aaa; font-size: 11px; }
th[aria-sort="ascending"] button::after { content: "\25B2"; color: var(--accent); }
th[aria-sort="descending"] button::after { content: "\25BC"; color: var(--accent); }
td.num, th.num { text-align: right; }
tbody tr:nth-child(even) { background: #fbfbfc; }
tbody tr:hover { background: #eef3f9; }
.ci, .note { color: var(--muted); font-size: 12px; }
.ci { display: block; }
.model { font-weight: 600; color: inherit; }
.star { color: #d4a017; }
.missing { color: #aaa; }
figure { margin: 16px 0; background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 12px; }
figure svg { max-width: 100%; height: auto; display: block; }
figcaption { color: var(--muted); font-size: 13px; margin-top: 6px; }
dl { display: grid; grid-template-columns: max-content auto; gap: 2px 16px; margin: 0; }
dt { color: var(--muted); }
dd { margin: 0; }
.run { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 12px; margin: 8px 0; }
footer { color: var(--muted); font-size: 12px; margin-top: 32px; }
"#;

/// Sorts a table by a header's column on click: numbers numerically, text alphabetically,
/// missing values last in both directions; a second click reverses. Each group (`<tbody>`) is
/// sorted within itself, its heading row kept first: entries of different task sets are never
/// ranked against each other.
const SCRIPT: &str = r#"
(function () {
  document.querySelectorAll("table.sortable").forEach(function (table) {
    const headers = Array.from(table.tHead.rows[0].cells);
    headers.forEach(function (th, column) {
      const button = th.querySelector("button");
      if (!button) return;
      button.addEventListener("click", function () {
        const current = th.getAttribute("aria-sort");
        const ascending = current ? current === "descending" : th.dataset.first === "asc";
        const numeric = th.dataset.type === "number";
        const key = function (row) { return row.cells[column].dataset.sort; };
        Array.from(table.tBodies).forEach(function (body) {
          const rows = Array.from(body.rows).filter(function (r) { return !r.classList.contains("group-head"); });
          rows.sort(function (a, b) {
            const x = key(a), y = key(b);
            if (x === "" || y === "") return (x === "") - (y === "");
            const order = numeric ? Number(x) - Number(y) : x.localeCompare(y);
            return ascending ? order : -order;
          });
          body.append.apply(body, rows);
        });
        headers.forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      });
    });
  });
})();
"#;

/// A column of the table: header, how it sorts, and each entry's cell.
struct Column<'a> {
    header: String,
    /// Tooltip of the header.
    title: &'a str,
    numeric: bool,
    /// First click sorts ascending (rank, latency, memory) rather than descending (scores).
    ascending_first: bool,
    /// Text that may wrap onto several lines (the model's name and details), so that the
    /// table fits the page.
    wrap: bool,
    /// `(sort key, cell HTML)` of an entry; an empty key is a missing value.
    cell: Box<dyn Fn(&Entry) -> (String, String) + 'a>,
}

impl<'a> Column<'a> {
    fn text(header: &str, title: &'a str, cell: impl Fn(&Entry) -> (String, String) + 'a) -> Self {
        Column {
            header: header.to_string(),
            title,
            numeric: false,
            ascending_first: true,
            wrap: false,
            cell: Box::new(cell),
        }
    }

    fn number(
        header: String,
        title: &'a str,
        ascending_first: bool,
        cell: impl Fn(&Entry) -> Option<(f64, String)> + 'a,
    ) -> Self {
        Column {
            header,
            title,
            numeric: true,
            ascending_first,
            wrap: false,
            cell: Box::new(move |e| match cell(e) {
                Some((key, html)) => (key.to_string(), html),
                None => (String::new(), "<span class=\"missing\">—</span>".to_string()),
            }),
        }
    }
}

fn percent(v: f64) -> String {
    format!("{:.1}%", v * 100.0)
}

/// `61.0%` over `53.4–68.1`: a pass@1 and its interval, the interval's method in its tooltip.
fn interval_cell(p: &Interval, confidence: &str) -> String {
    format!(
        "{}<span class=\"ci\" title=\"{confidence} interval ({})\">{:.1}–{:.1}</span>",
        percent(p.value),
        escape(&p.method),
        p.low * 100.0,
        p.high * 100.0
    )
}

/// The leaderboard's columns: rank, who, the two pass@1, and speed and memory. What would make
/// it wider than a 1400-pixel page (per-language and test-writing figures, run and machine)
/// goes to the tables of [`details`] and the run list.
fn columns(board: &Leaderboard) -> Vec<Column<'_>> {
    let confidence = format!("{:.0}%", board.confidence * 100.0);
    let own_confidence = confidence.clone();
    let mut columns = vec![
        Column::number("#".into(), "Rank within the group, by pass@1 on its common tasks", true, |e| {
            Some((e.rank as f64, e.rank.to_string()))
        }),
        model_column(),
        Column::number(
            "pass@1 common".into(),
            "pass@1 on the tasks every entry of the group ran (what the rank is by), with its 95% interval",
            false,
            move |e| Some((e.pass_at_1_common.value, interval_cell(&e.pass_at_1_common, &confidence))),
        ),
        Column::number(
            "pass@1 own tasks".into(),
            "pass@1 on all of the entry's own tasks, with how many and the samples per task",
            false,
            move |e| {
                let p = &e.pass_at_1;
                Some((
                    p.value,
                    format!(
                        "<span title=\"{own_confidence} interval ({}): {:.1}–{:.1}\">{}</span>\
                         <span class=\"ci\">{} tasks · n={}</span>",
                        escape(&p.method),
                        p.low * 100.0,
                        p.high * 100.0,
                        percent(p.value),
                        e.tasks,
                        e.samples_per_task
                    ),
                ))
            },
        ),
    ];
    if let Some(k) = board.largest_k() {
        columns.push(Column::number(
            format!("pass@{k}"),
            "Unbiased pass@k estimator, on the entry's own tasks",
            false,
            move |e| pass_at(&e.pass_at_k, k).map(|v| (v, percent(v))),
        ));
    }
    if board.has_test_writing() {
        columns.push(Column::number(
            "Test-writing".into(),
            "Test-writing tasks: fraction of suites that pass whole on the reference module (figures below)",
            false,
            |e| e.test_writing.as_ref().map(|t| (t.pass_at_1, percent(t.pass_at_1))),
        ));
    }
    columns.extend([
        Column::number(
            "Gen tok/s".into(),
            "Generation tokens/s: median over samples (10th–90th percentile); ★ on the group's quality/speed frontier",
            false,
            |e| {
                e.speed.gen_tokens_per_s.as_ref().map(|d| {
                    let star = if e.pareto {
                        " <span class=\"star\" title=\"on the quality/speed frontier\">★</span>"
                    } else {
                        ""
                    };
                    (
                        d.median,
                        format!("{:.1}{star}<span class=\"ci\">{:.1}–{:.1}</span>", d.median, d.p10, d.p90),
                    )
                })
            },
        ),
        Column::number("TTFT".into(), "Time to first token: median over samples", true, |e| {
            e.speed.ttft_s.as_ref().map(|d| (d.median, format!("{:.0} ms", d.median * 1000.0)))
        }),
        Column::number("Latency".into(), "Request to last token: median over samples", true, |e| {
            e.speed.latency_s.as_ref().map(|d| (d.median, format!("{:.2} s", d.median)))
        }),
        Column::number("Peak RSS".into(), "Largest peak resident memory of a generation", true, |e| {
            e.peak_rss_bytes.map(|b| (b as f64, format!("{:.0} MiB", mib(b))))
        }),
    ]);
    columns
}

/// The entry's label, and under it its backend (and version), quantization and run, wrapped.
fn model_column<'a>() -> Column<'a> {
    let mut column = Column::text("Model", "Model id; under it the backend, quantization and run", |e| {
        let mut detail = vec![match &e.backend_version {
            Some(v) => format!("{} {}", escape(&e.backend), escape(v)),
            None => escape(&e.backend),
        }];
        detail.extend(e.quantization.as_deref().map(escape));
        detail.push(format!("run {}", escape(&e.run)));
        (
            e.label.clone(),
            format!(
                "<a class=\"model\" href=\"{}\">{}</a><span class=\"ci\">{}</span>",
                escape(&crate::drilldown::entry_file(&e.label)),
                escape(&e.label),
                detail.join(" · ")
            ),
        )
    });
    column.wrap = true;
    column
}

/// The tables under the leaderboard: pass@1 per language, and the test-writing figures.
fn details(board: &Leaderboard) -> String {
    let mut out = String::new();
    let languages = board.languages();
    if !languages.is_empty() {
        let mut columns = vec![model_column()];
        for language in languages {
            columns.push(Column::number(
                language.clone(),
                "pass@1 over the entry's code tasks in this language (of its own tasks)",
                false,
                move |e| {
                    e.languages.get(&language).map(|s| {
                        (
                            s.pass_at_1,
                            format!("{}<span class=\"ci\">{} tasks</span>", percent(s.pass_at_1), s.tasks),
                        )
                    })
                },
            ));
        }
        out.push_str(
            "<h2>By language</h2>\n<p class=\"sub\">pass@1 over each entry's own code tasks in each \
             language; the tasks differ between entries where their counts do.</p>\n",
        );
        out.push_str(&table(board, "languages", &columns));
    }
    if board.has_test_writing() {
        let columns = vec![
            model_column(),
            Column::number(
                "Valid suites".into(),
                "Test-writing tasks: fraction of suites that pass whole on the reference module",
                false,
                |e| e.test_writing.as_ref().map(|t| (t.pass_at_1, percent(t.pass_at_1))),
            ),
            Column::number(
                "Tests kept".into(),
                "Test-writing tasks: tests that pass on the reference module, of those written (totals); \
                 sorted by the mean kept per sample",
                false,
                |e| {
                    let t = e.test_writing.as_ref()?;
                    let kept = t.tests_kept?;
                    let total = t.kept_of_written().unwrap_or_default();
                    Some((kept, format!("{}<span class=\"ci\">{kept:.1} per sample</span>", escape(&total))))
                },
            ),
            Column::number(
                "Line coverage".into(),
                "Test-writing tasks: line coverage of the module by the kept tests (mean over samples)",
                false,
                |e| e.test_writing.as_ref()?.line_coverage.map(|v| (v, percent(v))),
            ),
            Column::number(
                "Mutation score".into(),
                "Test-writing tasks: fraction of the module's mutants the kept tests kill (mean over samples)",
                false,
                |e| e.test_writing.as_ref()?.mutation_score.map(|v| (v, percent(v))),
            ),
        ];
        out.push_str("<h2>Test-writing</h2>\n");
        out.push_str(&table(board, "test-writing", &columns));
    }
    out
}

/// `ranked on 164 common tasks`, with the group's number when there are several.
pub(crate) fn group_heading(board: &Leaderboard, g: &Group) -> String {
    let members = g.entries.len();
    let prefix = if board.groups.len() > 1 { format!("Group {} · ", g.id) } else { String::new() };
    format!(
        "{prefix}ranked on {} common task{} · {members} entr{} · task set <span class=\"hash\" title=\"sha256 of the sorted task ids: {}\">{}</span>",
        g.common_tasks,
        if g.common_tasks == 1 { "" } else { "s" },
        if members == 1 { "y" } else { "ies" },
        escape(&g.task_set),
        escape(g.task_set.get(..12).unwrap_or(&g.task_set))
    )
}

/// A sortable table of the entries, one `<tbody>` per group opened by its heading row; sorting
/// reorders each group within itself.
fn table(board: &Leaderboard, id: &str, columns: &[Column<'_>]) -> String {
    let mut out =
        format!("<div class=\"scroll\"><table class=\"sortable\" id=\"{}\">\n<thead><tr>", escape(id));
    for c in columns {
        let _ = write!(
            out,
            "<th{} data-type=\"{}\" data-first=\"{}\" title=\"{}\" scope=\"col\"><button type=\"button\">{}</button></th>",
            if c.numeric { " class=\"num\"" } else { "" },
            if c.numeric { "number" } else { "text" },
            if c.ascending_first { "asc" } else { "desc" },
            escape(c.title),
            escape(&c.header)
        );
    }
    out.push_str("</tr></thead>\n");
    for g in &board.groups {
        let _ = write!(
            out,
            "<tbody data-group=\"{}\">\n<tr class=\"group-head\"><th colspan=\"{}\" scope=\"rowgroup\">{}</th></tr>\n",
            g.id,
            columns.len(),
            group_heading(board, g)
        );
        for e in board.entries_of(g.id) {
            out.push_str("<tr>");
            for c in columns {
                let (key, html) = (c.cell)(e);
                let class = match (c.numeric, c.wrap) {
                    (true, _) => " class=\"num\"",
                    (false, true) => " class=\"wrap\"",
                    (false, false) => "",
                };
                let _ = write!(out, "<td{class} data-sort=\"{}\">{html}</td>", escape(&key));
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</tbody>\n");
    }
    out.push_str("</table></div>\n");
    out
}

fn run_details(board: &Leaderboard, run: &RunInfo) -> String {
    let mut rows: Vec<(&str, String)> = vec![("directory", run.dir.clone()), ("suite", run.suite.clone())];
    // Model files by name and content, never by where they lay on the machine that ran them.
    for e in board.entries.iter().filter(|e| e.run == run.label) {
        if let (Some(file), Some(sha)) = (&e.model_file, &e.model_sha256) {
            rows.push(("model file", format!("{file} (sha256 {sha})")));
        }
    }
    rows.extend(run.corpus_version.clone().map(|v| ("corpus", v)));
    rows.extend(run.created_at.clone().map(|v| ("created", v)));
    rows.extend(run.evalrun_version.clone().map(|v| ("evalrun", v)));
    if let Some(s) = &run.sampling {
        rows.push((
            "sampling",
            format!(
                "temperature {}, top-p {}, seed {}, max tokens {}",
                s.temperature, s.top_p, s.seed, s.max_tokens
            ),
        ));
    }
    if let Some(m) = &run.machine {
        rows.push((
            "machine",
            format!(
                "{} · {} cpus · {:.1} GiB · {}/{}",
                m.cpu_model,
                m.cpus,
                mib(m.memory_bytes) / 1024.0,
                m.os,
                m.arch
            ),
        ));
    }
    let mut out = format!("<div class=\"run\"><strong>{}</strong><dl>", escape(&run.label));
    for (name, value) in rows {
        let _ = write!(out, "<dt>{name}</dt><dd>{}</dd>", escape(&value));
    }
    out.push_str("</dl></div>\n");
    out
}

impl Exporter<Leaderboard> for HtmlExporter {
    fn name(&self) -> &'static str {
        "html"
    }

    fn file_name(&self) -> &'static str {
        "index.html"
    }

    fn render(&self, board: &Leaderboard) -> Result<String, ReportError> {
        let mut out = String::from("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        out.push_str(
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; \
             script-src 'unsafe-inline'; img-src data:\">\n",
        );
        out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        out.push_str("<link rel=\"icon\" href=\"data:,\">\n<title>evalrun leaderboard</title>\n");
        let _ =
            write!(out, "<style>{STYLE}</style>\n</head>\n<body>\n<main>\n<h1>evalrun leaderboard</h1>\n");
        let suites: Vec<String> = board.runs.iter().map(|r| escape(&r.suite)).collect();
        let _ = writeln!(
            out,
            "<p class=\"sub\">{} entr{} from {} run{} ({}). Entries are ranked on the tasks they all ran; \
             an entry that shares too few tasks with the others (the common tasks would fall below {:.0}% \
             of its own, or of another's) is ranked in a group of its own. Click a column header to sort \
             within each group.</p>",
            board.entries.len(),
            if board.entries.len() == 1 { "y" } else { "ies" },
            board.runs.len(),
            if board.runs.len() == 1 { "" } else { "s" },
            suites.join(", "),
            board.min_common_share * 100.0
        );
        out.push_str(&table(board, "leaderboard", &columns(board)));
        if !board.pages.is_empty() {
            let links: Vec<String> = board
                .pages
                .iter()
                .map(|(file, title)| format!("<a href=\"{}\">{}</a>", escape(file), escape(title)))
                .collect();
            let _ = writeln!(
                out,
                "<p class=\"note\" id=\"drilldown\">Every sample: click a model for its tasks and samples; {}.</p>",
                links.join(" · ")
            );
        }
        let _ = writeln!(
            out,
            "<p class=\"note\">pass@1 intervals are {:.0}% intervals: Wilson score intervals on tasks passed \
             when each task has one sample, percentile bootstrap over tasks otherwise. Speeds, TTFT and \
             latency are medians over samples. ★ marks the group's quality/speed frontier.</p>",
            board.confidence * 100.0
        );
        out.push_str(&details(board));
        if board.has_feedback() {
            out.push_str(
                "<h2>What feedback bought</h2>\n<p class=\"sub\">Test-writing figures after each feedback \
                 round (<code>--rounds K</code>).</p>\n",
            );
            for e in &board.entries {
                if let Some(f) = &e.feedback {
                    out.push_str(&f.html(&e.label));
                }
            }
        }
        out.push_str("<h2>Charts</h2>\n");
        for chart in Chart::ALL {
            let _ = write!(
                out,
                "<figure id=\"chart-{name}\">{svg}<figcaption>{caption} <a href=\"charts/{name}.png\">PNG</a> · \
                 <a href=\"charts/{name}.svg\">SVG</a></figcaption></figure>\n",
                name = chart.name(),
                svg = chart.svg(board)?,
                caption = escape(chart.caption())
            );
        }
        out.push_str("<h2>Runs</h2>\n");
        for run in &board.runs {
            out.push_str(&run_details(board, run));
        }
        let _ = write!(
            out,
            "<footer>Made by evalrun {} · leaderboard schema {} v{} (leaderboard.json).</footer>\n</main>\n<script>{SCRIPT}</script>\n</body>\n</html>\n",
            escape(&board.evalrun_version),
            escape(&board.schema),
            board.schema_version
        );
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::sample_leaderboard;

    #[test]
    fn self_contained_page_with_a_sortable_table() {
        let board = sample_leaderboard();
        let html = HtmlExporter.render(&board).unwrap();
        assert!(html.starts_with("<!DOCTYPE html>") && html.ends_with("</html>\n"));
        // Nothing is fetched: no external script, style, image or font.
        for needle in ["src=\"http", "href=\"http", "<link rel=\"stylesheet\"", "@import", "url("] {
            assert!(!html.contains(needle), "{needle}");
        }
        assert_eq!(html.matches("<svg ").count(), Chart::ALL.len());
        // The leaderboard's table (the detail and feedback tables follow it): one group, whose
        // heading says what it is ranked on.
        let start = html.find("<table class=\"sortable\" id=\"leaderboard\">").unwrap();
        let table = &html[start..start + html[start..].find("</table>").unwrap()];
        assert_eq!(table.matches("<tbody").count(), 1);
        assert!(
            table.contains("<tbody data-group=\"1\">\n<tr class=\"group-head\"><th colspan=\""),
            "{table}"
        );
        assert!(table.contains("ranked on 5 common tasks · 2 entries · task set"), "{table}");
        assert!(table.contains(&board.groups[0].task_set), "the whole hash, in a tooltip");
        assert_eq!(table.matches("<tr>").count(), 1 + board.entries.len());
        // Every column header sorts; numbers carry their raw value as the sort key.
        let head = &table[..table.find("</thead>").unwrap()];
        assert_eq!(head.matches("<th ").count(), head.matches("<button type=\"button\">").count());
        assert_eq!(table.matches("<button").count(), head.matches("<button").count());
        let e = &board.entries[0];
        assert!(table.contains(&format!("data-sort=\"{}\">60.0%", e.pass_at_1_common.value)), "{table}");
        // Detail moved out of the main table: languages and test-writing figures have tables of
        // their own; backend, quantization and run sit under the model's name.
        for header in ["javascript", "Tests kept", "Run", "Backend"] {
            assert!(!head.contains(&format!(">{header}</button>")), "{header}");
        }
        assert!(table.contains("<span class=\"ci\">llamacpp · Q4_K_M · run generated</span>"), "{table}");
        assert!(html.contains("<table class=\"sortable\" id=\"languages\">"));
        assert!(html.contains("<table class=\"sortable\" id=\"test-writing\">"));
        // Names are escaped in the table (the SVG escapes its own text).
        assert!(html.contains("replay, &quot;old&quot; | &lt;b&gt;run&lt;/b&gt; &amp; co"));
        assert!(!html.contains("<b>run</b>"));
        // A missing value sorts last: an empty key.
        assert!(html.contains("<td class=\"num\" data-sort=\"\"><span class=\"missing\">—</span></td>"));
        // The test-writing figures, each a sortable column, and what feedback bought.
        for header in ["Test-writing", "Tests kept", "Line coverage", "Mutation score"] {
            assert!(html.contains(&format!("<button type=\"button\">{header}</button>")), "{header}");
        }
        assert!(
            html.contains(
                "<td class=\"num\" data-sort=\"4\">4/6<span class=\"ci\">4.0 per sample</span></td>"
            ),
            "{html}"
        );
        assert!(html.contains("<td class=\"num\" data-sort=\"0.9\">90.0%</td>"), "{html}");
        let feedback = &html[html.find("<h2>What feedback bought</h2>").expect("feedback section")..];
        assert!(
            feedback.starts_with("<h2>What feedback bought</h2>") && feedback.contains("<h2>Charts</h2>")
        );
        assert!(feedback.contains("<h3>qwen2.5-coder-0.5b-instruct-q4_k_m</h3>"), "{feedback}");
        assert!(feedback.contains("<td class=\"num\">2</td><td class=\"num\">1</td><td class=\"num\">1</td><td class=\"num\">4.0</td><td class=\"num\">90.0%</td>"), "{feedback}");
    }
}
