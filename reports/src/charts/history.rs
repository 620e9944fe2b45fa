//! The history's trend charts: pass@1, or median generation tokens/s, of each model over the
//! runs of a history (`history.html`), in the style of the report's other charts.
//!
//! The time axis places runs in date order, one place per distinct start time, numbered as in
//! the page's table (dates would crowd an axis of many runs). One series per model and backend,
//! in the leaderboard's palette; a line joins consecutive points of a series only when they ran
//! the same task set (pass@1 over other tasks is not comparable). Each point has its 95%
//! interval as a whisker; its marker says what `gate` made of it: filled (held), hollow (not
//! gated) or a triangle pointing down with a dark outline (failed). No point carries a label:
//! the legend under the plot names the series, so nothing can overlap.

use super::font;
use super::style::{entry_color, house_style, text, text_size, title, INK, MUTED};
use super::DrawResult;
use crate::history::{GateState, Placed, Timeline};
use crate::ReportError;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// Below the title.
const TOP: i32 = 46;
/// The plot, axes included.
const PLOT: i32 = 360;
/// A legend line.
const LINE: i32 = 20;
/// Radius of a marker.
const MARKER: i32 = 5;
/// Where a legend line's text starts.
const LEGEND_TEXT: i32 = 64;
/// Per place on the time axis, until the chart is [`MAX_WIDTH`] wide.
const PER_RUN: u32 = 36;
const MIN_WIDTH: u32 = 900;
const MAX_WIDTH: u32 = 1600;
/// The outline of a failed gate's marker.
const FAILED: RGBColor = RGBColor(0x8b, 0x00, 0x00);

/// What a history chart plots.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    PassAt1,
    Speed,
}

impl Metric {
    /// File stem of the chart's SVG under `charts/`.
    pub fn name(self) -> &'static str {
        match self {
            Metric::PassAt1 => "history-pass-at-1",
            Metric::Speed => "history-speed",
        }
    }

    /// `(value, low, high)` of a point, if it has this figure.
    fn of(self, p: &Placed) -> Option<(f64, f64, f64)> {
        match self {
            Metric::PassAt1 => {
                let i = &p.point.pass_at_1;
                Some((i.value, i.low, i.high))
            }
            Metric::Speed => p.point.gen_tokens_per_s.as_ref().map(|s| (s.median, s.low, s.high)),
        }
    }
}

/// The series' legend label: `model (backend)`.
fn series_label(t: &Timeline, s: usize) -> String {
    let (model, backend) = &t.series[s];
    format!("{model} ({backend})")
}

fn size(t: &Timeline) -> (u32, u32) {
    font::register();
    let widest = (0..t.series.len()).map(|s| text_size(&series_label(t, s), 12.0).0).max().unwrap_or(0);
    let width = (160 + PER_RUN * t.positions as u32)
        .clamp(MIN_WIDTH, MAX_WIDTH)
        .max(LEGEND_TEXT as u32 + widest + 16);
    let legend = LINE * (t.series.len() as i32 + 1);
    (width, (TOP + PLOT + 12 + legend + 12) as u32)
}

/// The chart of `metric` over `t` as an SVG document.
pub fn svg(t: &Timeline, metric: Metric) -> Result<String, ReportError> {
    let failed =
        |e: Box<dyn std::error::Error>| ReportError::Chart { chart: metric.name(), message: e.to_string() };
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size(t)).into_drawing_area();
        draw(&root, t, metric).map_err(failed)?;
    }
    Ok(svg)
}

fn draw(root: &DrawingArea<SVGBackend, Shift>, t: &Timeline, metric: Metric) -> DrawResult {
    root.fill(&WHITE)?;
    let (w, _) = root.dim_in_pixel();
    let (chart_title, y_desc) = match metric {
        Metric::PassAt1 => ("pass@1 over time, with 95% interval", "pass@1 on the run's own tasks"),
        Metric::Speed => (
            "Generation speed over time, with 95% interval of the median",
            "generation tokens/s (median over samples)",
        ),
    };
    title(root, chart_title)?;
    let y_max = match metric {
        Metric::PassAt1 => 1.0,
        Metric::Speed => {
            t.points.iter().filter_map(|p| metric.of(p)).map(|(v, _, high)| high.max(v)).fold(0.0, f64::max)
                * 1.15
        }
    }
    .max(1e-9);
    let n = t.positions as i32;
    let area = root.clone().shrink((0, TOP), (w, PLOT as u32));
    let mut chart = ChartBuilder::on(&area)
        .margin_top(8)
        .margin_left(12)
        .margin_right(24)
        .margin_bottom(4)
        .x_label_area_size(44)
        .y_label_area_size(64)
        .build_cartesian_2d(0..n + 1, 0.0..y_max)?;
    // As many run numbers as fit without crowding: one per 44 pixels at most.
    let plot_width = w.saturating_sub(100) as usize;
    let x_labels = (n as usize + 2).min(plot_width / 44).max(2);
    let x_formatter = |v: &i32| if (1..=n).contains(v) { format!("#{v}") } else { String::new() };
    let pct = |v: &f64| format!("{:.0}%", v * 100.0);
    let plain = |v: &f64| format!("{v}");
    let mut mesh = chart.configure_mesh();
    house_style(&mut mesh)
        .x_labels(x_labels)
        .y_labels(11)
        .x_label_formatter(&x_formatter)
        .y_label_formatter(if metric == Metric::PassAt1 { &pct } else { &plain })
        .x_desc("runs in date order (numbered as in the table)")
        .y_desc(y_desc)
        .draw()?;

    // Pixels of the whole chart (backend coordinates): drawn on `root`, not on the plot's area.
    let at = |p: &Placed, v: f64| chart.backend_coord(&(p.position as i32, v));
    // Lines first, between comparable points only.
    for (a, b) in t.segments() {
        if let (Some((va, _, _)), Some((vb, _, _))) = (metric.of(a), metric.of(b)) {
            let style = entry_color(a.series).mix(0.8).stroke_width(2);
            root.draw(&PathElement::new(vec![at(a, va), at(b, vb)], style))?;
        }
    }
    let mut drawn = Vec::new();
    for p in &t.points {
        let Some((v, low, high)) = metric.of(p) else { continue };
        let color = entry_color(p.series);
        let (x, y_low) = at(p, low);
        let (_, y_high) = at(p, high);
        let whisker = color.mix(0.7).stroke_width(2);
        root.draw(&PathElement::new(vec![(x, y_low), (x, y_high)], whisker))?;
        root.draw(&PathElement::new(vec![(x - 4, y_low), (x + 4, y_low)], whisker))?;
        root.draw(&PathElement::new(vec![(x - 4, y_high), (x + 4, y_high)], whisker))?;
        drawn.push((at(p, v), color, p.gate));
    }
    // Markers over every line and whisker.
    for (centre, color, gate) in drawn {
        marker(root, centre, color, gate)?;
    }
    if t.points.iter().all(|p| metric.of(p).is_none()) {
        root.draw(&Text::new(
            "No run has generation measurements (replayed samples are not timed).",
            (w as i32 / 2, TOP + PLOT / 2),
            text(14.0, MUTED, HPos::Center, VPos::Center),
        ))?;
    }
    legend(root, t, TOP + PLOT + 12)
}

/// A point's marker at pixel `c`: filled when its gate held, hollow when not gated, a triangle
/// pointing down with a dark red outline when its gate failed.
fn marker<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    (x, y): (i32, i32),
    color: RGBColor,
    gate: GateState,
) -> Result<(), Box<dyn std::error::Error>>
where
    DB::ErrorType: 'static,
{
    match gate {
        GateState::Held => {
            area.draw(&Circle::new((x, y), MARKER, color.filled()))?;
            area.draw(&Circle::new((x, y), MARKER, INK.stroke_width(1)))?;
        }
        GateState::NotGated => {
            area.draw(&Circle::new((x, y), MARKER, WHITE.filled()))?;
            area.draw(&Circle::new((x, y), MARKER, color.stroke_width(2)))?;
        }
        GateState::Failed => {
            let r = MARKER + 3;
            let triangle = vec![(x - r, y - r + 2), (x + r, y - r + 2), (x, y + r)];
            area.draw(&Polygon::new(triangle.clone(), color.filled()))?;
            let mut outline = triangle;
            outline.push(outline[0]);
            area.draw(&PathElement::new(outline, FAILED.stroke_width(2)))?;
        }
    }
    Ok(())
}

/// Under the plot: what the markers mean, then a line per series.
fn legend(root: &DrawingArea<SVGBackend, Shift>, t: &Timeline, top: i32) -> DrawResult {
    let style = text(12.0, INK, HPos::Left, VPos::Center);
    let y = top + LINE / 2;
    let mut x = 20;
    for (gate, what) in [
        (GateState::Held, "gate held"),
        (GateState::NotGated, "not gated"),
        (GateState::Failed, "gate failed (regressed against its baseline)"),
    ] {
        marker(root, (x + 8, y), MUTED, gate)?;
        root.draw(&Text::new(what, (x + 22, y), style.clone()))?;
        x += 22 + text_size(what, 12.0).0 as i32 + 28;
    }
    for s in 0..t.series.len() {
        let y = top + LINE * (s as i32 + 1) + LINE / 2;
        let color = entry_color(s);
        // A line, no marker: markers stand for the gate's verdict.
        root.draw(&PathElement::new(vec![(20, y), (52, y)], color.stroke_width(3)))?;
        root.draw(&Text::new(series_label(t, s), (LEGEND_TEXT, y), style.clone()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::tests::{gate, point};
    use crate::history::{History, Verdict};

    fn history() -> History {
        let mut h = History {
            points: vec![
                point("2026-01-01T00:00:00Z", "qwen2.5-coder-0.5b-instruct-q4_k_m", 0.5, "set1"),
                point("2026-01-02T00:00:00Z", "qwen2.5-coder-0.5b-instruct-q4_k_m", 0.6, "set1"),
                point("2026-01-02T00:00:00Z", "other & <model>", 0.3, "set1"),
                point("2026-01-03T00:00:00Z", "qwen2.5-coder-0.5b-instruct-q4_k_m", 0.4, "set1"),
            ],
            ..History::default()
        };
        h.points[2].gen_tokens_per_s = None;
        h.gates = vec![gate(&h.points[1], Verdict::Held), gate(&h.points[3], Verdict::Regressed)];
        h
    }

    #[test]
    fn draws_each_point_with_its_gate_and_names_the_series() {
        let h = history();
        let t = Timeline::of(&h);
        let svg = svg(&t, Metric::PassAt1).unwrap();
        let (w, height) = size(&t);
        assert!(svg.starts_with(&format!("<svg width=\"{w}\" height=\"{height}\"")), "{}", &svg[..80]);
        // One failed point: its triangle, and the legend's.
        assert_eq!(svg.matches("<polygon").count(), 2, "{svg}");
        assert!(svg.contains("qwen2.5-coder-0.5b-instruct-q4_k_m (llamacpp)"));
        assert!(svg.contains("other &amp; &lt;model&gt; (llamacpp)"), "names are escaped");
        assert!(svg.contains("gate failed"));
        for label in ["#1", "#2", "#3"] {
            assert!(svg.contains(&format!(">{label}<")) || svg.contains(&format!("\n{label}\n")), "{label}");
        }
        // Joined: the first model's three points (1-2, 2-3), all of one task set.
        assert_eq!(t.segments().len(), 2);

        // Speed: the point without measurements is left out, the others drawn.
        let speed = svg_text_count(&super::svg(&t, Metric::Speed).unwrap());
        assert!(speed > 0);
        assert_eq!(super::svg(&t, Metric::Speed).unwrap(), super::svg(&t, Metric::Speed).unwrap());
    }

    /// The `y` of the axis label `label`, and the `cy` of every circle, in drawing order.
    fn label_y(svg: &str, label: &str) -> i32 {
        let at = svg.find(&format!(">\n{label}\n</text>")).unwrap_or_else(|| panic!("no label {label}"));
        let open = svg[..at].rfind("<text").unwrap();
        attribute(&svg[open..at], "y")
    }

    fn attribute(element: &str, name: &str) -> i32 {
        let start = element.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
        let end = start + element[start..].find('"').unwrap();
        element[start..end].parse().unwrap()
    }

    #[test]
    fn markers_sit_at_their_values_on_the_axis() {
        let mut h = History {
            points: vec![
                point("2026-01-01T00:00:00Z", "m", 1.0, "set1"),
                point("2026-01-02T00:00:00Z", "m", 0.0, "set1"),
            ],
            ..History::default()
        };
        for p in &mut h.points {
            p.pass_at_1.low = p.pass_at_1.value;
            p.pass_at_1.high = p.pass_at_1.value;
        }
        let svg = svg(&Timeline::of(&h), Metric::PassAt1).unwrap();
        let circles: Vec<(i32, i32)> =
            svg.split("<circle").skip(1).map(|c| (attribute(c, "cx"), attribute(c, "cy"))).collect();
        // Each not-gated marker is two circles (fill, ring); the legend's come after.
        let (top, bottom) = (label_y(&svg, "100%"), label_y(&svg, "0%"));
        assert!(bottom - top > 250, "{top} {bottom}");
        assert_eq!(circles[0].1, top, "{circles:?}");
        assert_eq!(circles[2].1, bottom, "{circles:?}");
        assert!(circles[0].0 < circles[2].0, "the earlier run on the left");
    }

    fn svg_text_count(svg: &str) -> usize {
        svg.matches("<text").count()
    }

    #[test]
    fn an_empty_speed_chart_says_why() {
        let mut h = history();
        for p in &mut h.points {
            p.gen_tokens_per_s = None;
        }
        let svg = svg(&Timeline::of(&h), Metric::Speed).unwrap();
        assert!(svg.contains("No run has generation measurements"), "{svg}");
    }
}
