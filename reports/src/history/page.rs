//! `history.html`: the history as one self-contained page (inline style, the charts as inline
//! SVG, a Content-Security-Policy that forbids loading anything), and the charts as
//! `charts/history-*.svg` beside it.

use super::{GateState, History, Placed, Timeline};
use crate::charts::history::{svg, Metric};
use crate::markup::escape;
use crate::ReportError;
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// The page's file name in the report directory.
pub const FILE: &str = "history.html";

const STYLE: &str = r#"
:root { color-scheme: light; --ink: #222; --muted: #666; --line: #e3e3e3; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--ink); background: #fafafa; }
main { max-width: 1400px; margin: 0 auto; padding: 24px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 32px 0 8px; }
.sub, .note { color: var(--muted); }
.scroll { overflow-x: auto; background: #fff; border: 1px solid var(--line); border-radius: 6px; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { padding: 6px 9px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
thead th { background: #f3f5f8; font-weight: 600; white-space: nowrap; }
td.num, td.date { text-align: right; white-space: nowrap; }
td.date { text-align: left; }
td.wrap { overflow-wrap: anywhere; min-width: 10em; }
.ci { display: block; color: var(--muted); font-size: 12px; }
.mono { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12px; }
tr[data-gate="failed"] { background: #fdeeee; }
.gate-failed { color: #8b0000; font-weight: 600; }
.gate-held { color: #2e7d32; }
.missing { color: #aaa; }
figure { margin: 16px 0; background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 12px; }
figure svg { max-width: 100%; height: auto; display: block; }
figcaption { color: var(--muted); font-size: 13px; margin-top: 6px; }
footer { color: var(--muted); font-size: 12px; margin-top: 32px; }
"#;

/// Writes `history.html` and the history charts' SVG into `out` (which exists). `leaderboard`:
/// an `index.html` of this report stands beside it, to link to.
pub fn write(history: &History, out: &Path, leaderboard: bool) -> Result<Vec<PathBuf>, ReportError> {
    let timeline = Timeline::of(history);
    let pass = svg(&timeline, Metric::PassAt1)?;
    let speed = if timeline.has_speed() { Some(svg(&timeline, Metric::Speed)?) } else { None };
    let page = render(history, &timeline, &pass, speed.as_deref(), leaderboard);
    let charts = out.join("charts");
    std::fs::create_dir_all(&charts).map_err(|source| ReportError::Io { path: charts, source })?;
    let mut files = vec![(FILE.to_string(), page.into_bytes())];
    files.push((format!("charts/{}.svg", Metric::PassAt1.name()), pass.into_bytes()));
    if let Some(speed) = speed {
        files.push((format!("charts/{}.svg", Metric::Speed.name()), speed.into_bytes()));
    }
    crate::exporter::write_files(out, files)
}

/// The first 12 characters of a commit or hash.
fn short(text: &str) -> &str {
    text.get(..12).unwrap_or(text)
}

fn render(history: &History, t: &Timeline, pass: &str, speed: Option<&str>, leaderboard: bool) -> String {
    let mut out = String::from("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; \
         img-src data:\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <link rel=\"icon\" href=\"data:,\">\n<title>evalrun history</title>\n",
    );
    let _ = write!(out, "<style>{STYLE}</style>\n</head>\n<body>\n<main>\n<h1>evalrun history</h1>\n");
    let runs = t.positions;
    let span = match (t.points.first(), t.points.last()) {
        (Some(a), Some(b)) => {
            format!(", {} to {}", escape(&a.point.key.started_at), escape(&b.point.key.started_at))
        }
        _ => String::new(),
    };
    let failed = t.points.iter().filter(|p| p.gate == GateState::Failed).count();
    let _ = writeln!(
        out,
        "<p class=\"sub\">{} point{} of {} model{} over {runs} run{}{span}; {failed} failed the gate. From \
         <code>history.jsonl</code>{}.</p>",
        t.points.len(),
        plural(t.points.len()),
        t.series.len(),
        plural(t.series.len()),
        plural(runs),
        if leaderboard { " · <a href=\"index.html\">this report's leaderboard</a>" } else { "" }
    );
    out.push_str(
        "<p class=\"note\">A line joins a model's consecutive runs only when they ran the same tasks (the same \
         task set, named in the table): pass@1 over other tasks is not comparable, so where the tasks change the \
         line breaks. Speeds compare only on one machine (see the machine column). Runs are placed in the order \
         they started and numbered as in the table.</p>\n",
    );
    if t.points.is_empty() {
        out.push_str("<p>The history holds no runs yet: <code>evalrun report RUN_DIR --history DIR</code> adds them.</p>\n");
    } else {
        let _ = writeln!(
            out,
            "<figure>{pass}<figcaption>pass@1 of each model on its run's own tasks, with its 95% interval \
             (Wilson with one sample per task, else a bootstrap over tasks). Markers: filled, the gate held; \
             hollow, not gated; a triangle pointing down, the gate failed.</figcaption></figure>"
        );
        match speed {
            Some(speed) => {
                let _ = writeln!(
                    out,
                    "<figure>{speed}<figcaption>Median generation tokens/s over each run's samples, with the 95% \
                     percentile-bootstrap interval of that median. Runs without generation measurements (replayed \
                     samples) are not drawn.</figcaption></figure>"
                );
            }
            None => out.push_str(
                "<p class=\"note\">No speed chart: no run of the history has generation measurements (replayed \
                 samples are not timed).</p>\n",
            ),
        }
    }
    out.push_str("<h2>Runs</h2>\n<div class=\"scroll\"><table id=\"history\">\n<thead><tr>");
    for h in [
        "#",
        "started",
        "commit",
        "run",
        "model",
        "backend",
        "tasks · task set",
        "pass@1",
        "tokens/s",
        "gate",
        "machine",
    ] {
        let _ = write!(out, "<th>{h}</th>");
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for p in &t.points {
        row(&mut out, p);
    }
    out.push_str("</tbody>\n</table></div>\n");
    let orphans = history.orphan_gates();
    if !orphans.is_empty() {
        out.push_str(
            "<p class=\"note\">Gate verdicts on runs not (yet) in the history:</p>\n<ul class=\"note\">\n",
        );
        for g in orphans {
            let _ = writeln!(
                out,
                "<li>{} ({}) of the run started {}: {}: {}</li>",
                escape(&g.key.model),
                escape(&g.key.backend),
                escape(&g.key.started_at),
                if g.verdict == super::Verdict::Regressed { "regressed" } else { "held" },
                escape(&g.summary)
            );
        }
        out.push_str("</ul>\n");
    }
    let _ = writeln!(
        out,
        "<footer>Made by evalrun {} · history schema {} (docs/FORMATS.md, \"History\").</footer>\n</main>\n</body>\n</html>",
        escape(evalrun_core::EVALRUN_VERSION),
        super::SCHEMA
    );
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn row(out: &mut String, placed: &Placed) {
    let p = placed.point;
    let k = &p.key;
    let _ = write!(
        out,
        "<tr class=\"point\" data-position=\"{}\" data-gate=\"{}\"><td class=\"num\">#{}</td><td class=\"mono date\">{}{}</td>",
        placed.position,
        match placed.gate {
            GateState::Failed => "failed",
            GateState::Held => "held",
            GateState::NotGated => "none",
        },
        placed.position,
        escape(&k.started_at),
        k.shard.as_ref().map(|s| format!("<span class=\"ci\">shard {}</span>", escape(s))).unwrap_or_default()
    );
    let _ = write!(
        out,
        "<td class=\"mono\">{}</td><td class=\"wrap\">{}</td><td class=\"wrap\">{}{}</td><td>{}</td>",
        p.commit
            .as_deref()
            .map(|c| format!("<span title=\"{}\">{}</span>", escape(c), escape(short(c))))
            .unwrap_or_else(|| "<span class=\"missing\">—</span>".into()),
        escape(&p.run),
        escape(&k.model),
        match (&p.model_file, &k.model_sha256) {
            (Some(file), Some(sha)) =>
                format!("<span class=\"ci\">{} · sha256 {}</span>", escape(file), escape(short(sha))),
            (None, Some(sha)) => format!("<span class=\"ci\">sha256 {}</span>", escape(short(sha))),
            (Some(file), None) => format!("<span class=\"ci\">{}</span>", escape(file)),
            (None, None) => String::new(),
        },
        escape(&k.backend),
    );
    let _ = write!(
        out,
        "<td class=\"num\">{} <span class=\"ci mono\" title=\"{}\">{}</span></td>",
        p.tasks,
        escape(&p.task_set),
        escape(p.task_set.get(..8).unwrap_or(&p.task_set))
    );
    let i = &p.pass_at_1;
    let _ = write!(
        out,
        "<td class=\"num\">{:.1}%<span class=\"ci\">[{:.1}, {:.1}]</span></td>",
        i.value * 100.0,
        i.low * 100.0,
        i.high * 100.0
    );
    match &p.gen_tokens_per_s {
        Some(s) => {
            let _ = write!(
                out,
                "<td class=\"num\">{:.1}<span class=\"ci\">[{:.1}, {:.1}]</span></td>",
                s.median, s.low, s.high
            );
        }
        None => out.push_str("<td class=\"num missing\">—</td>"),
    }
    let gate = match placed.gate {
        GateState::NotGated => "<span class=\"missing\">not gated</span>".to_string(),
        state => {
            let class = if state == GateState::Failed { "gate-failed" } else { "gate-held" };
            let details: Vec<String> = placed
                .gates
                .iter()
                .map(|g| {
                    let against: Vec<String> = g.baseline.iter().map(|b| escape(&b.run)).collect();
                    format!(
                        "<span class=\"ci\">{} vs {}: {}</span>",
                        if g.verdict == super::Verdict::Regressed { "regressed" } else { "held" },
                        against.join(", "),
                        escape(&g.summary)
                    )
                })
                .collect();
            format!("<span class=\"{class}\">{}</span>{}", state.as_str(), details.join(""))
        }
    };
    let _ = writeln!(
        out,
        "<td class=\"wrap\">{gate}</td><td class=\"wrap\">{}</td></tr>",
        p.machine.as_deref().map(escape).unwrap_or_else(|| "<span class=\"missing\">—</span>".into())
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::tests::{gate, point};
    use crate::history::Verdict;

    #[test]
    fn the_page_has_a_row_per_point_and_marks_the_failed_gate() {
        let mut h = History {
            points: vec![
                point("2026-01-01T00:00:00Z", "m", 0.5, "set1"),
                point("2026-01-02T00:00:00Z", "m", 0.6, "set1"),
                point("2026-01-03T00:00:00Z", "<script>alert(1)</script>", 0.4, "set2"),
            ],
            ..History::default()
        };
        h.gates = vec![gate(&h.points[1], Verdict::Regressed)];
        let mut orphan = gate(&h.points[0], Verdict::Held);
        orphan.key.started_at = "2027-01-01T00:00:00Z".into();
        h.gates.push(orphan);
        let tmp = tempfile::tempdir().unwrap();
        let written = write(&h, tmp.path(), false).unwrap();

        assert_eq!(written.len(), 3, "{written:?}");
        let page = std::fs::read_to_string(tmp.path().join(FILE)).unwrap();
        assert_eq!(page.matches("<tr class=\"point\"").count(), 3);
        assert_eq!(page.matches("data-gate=\"failed\">").count(), 1);
        assert!(page.contains("<tr class=\"point\" data-position=\"2\" data-gate=\"failed\">"), "{page}");
        assert!(page.contains("regressed vs base: pass@1 60.0% -&gt; 50.0%"), "{page}");
        assert!(!page.contains("<script>alert"), "model names are escaped");
        assert!(page.contains("the same task set"));
        assert!(page.contains("Gate verdicts on runs not (yet) in the history"));
        assert!(!page.contains("index.html"));
        assert!(tmp.path().join("charts/history-pass-at-1.svg").is_file());
        assert!(tmp.path().join("charts/history-speed.svg").is_file());
        // Nothing is fetched.
        assert!(!page.contains("src=") && !page.contains("href=\"http"));
    }
}
