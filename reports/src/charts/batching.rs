//! Aggregate generation tokens/s against the number of sequences decoded together, for
//! `evalrun bench batching`: one solid line per model for evalrun, a dashed line of the same
//! colour for its peer (llama.cpp's `llama-batched-bench`).
//!
//! Not a leaderboard chart (it is drawn from a bench's measurements, not from runs), so it has
//! its own entry points, with the same font, palette and PNG rasterisation as the report's.

use super::font;
use super::style::{entry_color, house_style, label_width, text, title, GRID, INK, MUTED};
use super::{DrawResult, PNG_SCALE};
use crate::ReportError;
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::series::DashedLineSeries;
use plotters::style::text_anchor::{HPos, VPos};
use resvg::{tiny_skia, usvg};

const NAME: &str = "batching";
/// Width of the plot (axes included), without the legend, and the chart's height.
const PLOT_WIDTH: u32 = 640;
const HEIGHT: u32 = 520;
/// The legend's line sample and the gap to its text.
const LEGEND_SAMPLE: u32 = 44;

/// One line of the chart.
#[derive(Debug, Clone, PartialEq)]
pub struct ThroughputLine {
    /// Legend text, e.g. `qwen2.5-coder-0.5b · evalrun`.
    pub label: String,
    /// (slots, aggregate tokens/s), in any order.
    pub points: Vec<(usize, f64)>,
    /// Lines of the same model share a colour.
    pub color_index: usize,
    /// Dashed: the peer's line.
    pub dashed: bool,
}

fn failed(e: impl std::fmt::Display) -> ReportError {
    ReportError::Chart { chart: NAME, message: e.to_string() }
}

/// The chart as an SVG document.
pub fn throughput_svg(chart_title: &str, lines: &[ThroughputLine]) -> Result<String, ReportError> {
    font::register();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size(lines)).into_drawing_area();
        draw(&root, chart_title, lines).map_err(failed)?;
    }
    Ok(svg)
}

/// Room on the right for the legend: its widest label, its line sample and padding.
fn legend_width(lines: &[ThroughputLine]) -> u32 {
    let labels: Vec<&str> = lines.iter().map(|l| l.label.as_str()).collect();
    label_width(&labels, 12.0) + LEGEND_SAMPLE + 20
}

fn size(lines: &[ThroughputLine]) -> (u32, u32) {
    (PLOT_WIDTH + legend_width(lines), HEIGHT)
}

/// The chart as a PNG file, its SVG rasterised at twice its size (as the report's charts).
pub fn throughput_png(chart_title: &str, lines: &[ThroughputLine]) -> Result<Vec<u8>, ReportError> {
    let svg = throughput_svg(chart_title, lines)?;
    let options = usvg::Options { fontdb: font::database(), ..usvg::Options::default() };
    let tree = usvg::Tree::from_str(&svg, &options).map_err(failed)?;
    let (w, h) = size(lines);
    let scaled = |v: u32| (f64::from(v) * PNG_SCALE).round() as u32;
    let mut pixmap = tiny_skia::Pixmap::new(scaled(w), scaled(h)).ok_or_else(|| failed("empty image"))?;
    let scale = PNG_SCALE as f32;
    resvg::render(&tree, tiny_skia::Transform::from_scale(scale, scale), &mut pixmap.as_mut());
    pixmap.encode_png().map_err(failed)
}

fn draw(root: &DrawingArea<SVGBackend, Shift>, chart_title: &str, lines: &[ThroughputLine]) -> DrawResult {
    root.fill(&WHITE)?;
    title(root, chart_title)?;
    // Slot counts are usually powers of two: equal spacing per measured count reads as a log
    // axis, and keeps 1 and 2 apart from 16.
    let mut slots: Vec<usize> = lines.iter().flat_map(|l| l.points.iter().map(|&(s, _)| s)).collect();
    slots.sort_unstable();
    slots.dedup();
    let x_of = |s: usize| slots.iter().position(|&v| v == s).unwrap_or(0) as f64;
    let n = slots.len().max(1) as f64;
    let y_max = lines.iter().flat_map(|l| l.points.iter().map(|&(_, t)| t)).fold(0.0, f64::max);
    let mut chart = ChartBuilder::on(root)
        .margin_top(46)
        .margin_left(8)
        .margin_right(legend_width(lines))
        .margin_bottom(8)
        .x_label_area_size(52)
        .y_label_area_size(56)
        .build_cartesian_2d(-0.4..(n - 0.6), 0.0..(y_max * 1.1).max(1.0))?;
    let mut mesh = chart.configure_mesh();
    house_style(&mut mesh)
        .disable_x_mesh()
        .x_labels(0)
        .y_labels(8)
        .y_label_formatter(&|v| format!("{v:.0}"))
        .y_desc("aggregate generation tokens/s")
        .draw()?;
    // The x axis: a label and a light grid line at each measured slot count.
    for &s in &slots {
        let x = x_of(s);
        chart.draw_series([PathElement::new(vec![(x, 0.0), (x, y_max * 1.1)], GRID.stroke_width(1))])?;
        let (px, py) = chart.backend_coord(&(x, 0.0));
        root.draw(&Text::new(s.to_string(), (px, py + 8), text(12.0, INK, HPos::Center, VPos::Top)))?;
    }
    let (_, bottom) = chart.backend_coord(&(0.0, 0.0));
    let (left, _) = chart.backend_coord(&(-0.4, 0.0));
    let (right, _) = chart.backend_coord(&(n - 0.6, 0.0));
    root.draw(&Text::new(
        "sequences decoded together (slots)",
        ((left + right) / 2, bottom + 30),
        text(13.0, INK, HPos::Center, VPos::Top),
    ))?;

    let legend_x = PLOT_WIDTH as i32 + 8;
    for (i, line) in lines.iter().enumerate() {
        let color = entry_color(line.color_index);
        let mut points: Vec<(f64, f64)> = line.points.iter().map(|&(s, t)| (x_of(s), t)).collect();
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
        let style = color.stroke_width(2);
        if line.dashed {
            chart.draw_series(DashedLineSeries::new(points.clone(), 7, 5, style))?;
            chart.draw_series(points.iter().map(|&p| Circle::new(p, 3, WHITE.filled())))?;
            chart.draw_series(points.iter().map(|&p| Circle::new(p, 3, color.stroke_width(2))))?;
        } else {
            chart.draw_series(LineSeries::new(points.clone(), style))?;
            chart.draw_series(points.iter().map(|&p| Circle::new(p, 3, color.filled())))?;
        }
        let y = 60 + 24 * i as i32;
        let segment = vec![(legend_x, y), (legend_x + LEGEND_SAMPLE as i32 - 8, y)];
        if line.dashed {
            root.draw(&DashedPathElement::new(segment, 7, 5, style))?;
        } else {
            root.draw(&PathElement::new(segment, style))?;
        }
        root.draw(&Text::new(
            line.label.clone(),
            (legend_x + LEGEND_SAMPLE as i32, y),
            text(12.0, INK, HPos::Left, VPos::Center),
        ))?;
    }
    if lines.is_empty() {
        let (px, py) = chart.backend_coord(&((n - 1.0) / 2.0, y_max / 2.0));
        root.draw(&Text::new("no measurements", (px, py), text(13.0, MUTED, HPos::Center, VPos::Center)))?;
    }
    root.present()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines() -> Vec<ThroughputLine> {
        let curve = |scale: f64| [1, 2, 4, 8, 16].map(|s| (s, scale * (s as f64).sqrt() * 35.0)).to_vec();
        vec![
            ThroughputLine {
                label: "qwen 0.5B · evalrun".into(),
                points: curve(1.0),
                color_index: 0,
                dashed: false,
            },
            ThroughputLine {
                label: "qwen 0.5B · llama-batched-bench".into(),
                points: curve(0.9),
                color_index: 0,
                dashed: true,
            },
        ]
    }

    #[test]
    fn draws_axes_lines_and_legend_in_svg_and_png() {
        let svg = throughput_svg("Aggregate generation speed", &lines()).unwrap();
        let (w, h) = size(&lines());
        assert!(w > PLOT_WIDTH + LEGEND_SAMPLE && h == HEIGHT);
        assert!(svg.starts_with(&format!("<svg width=\"{w}\" height=\"{h}\"")), "{}", &svg[..80]);
        for label in ["qwen 0.5B · evalrun", "llama-batched-bench", "16", "slots"] {
            assert!(svg.contains(label), "{label} missing");
        }
        // The peer's line is dashed.
        assert!(svg.contains("<line") || svg.contains("<polyline"));
        let png = throughput_png("Aggregate generation speed", &lines()).unwrap();
        let pixmap = tiny_skia::Pixmap::decode_png(&png).unwrap();
        assert_eq!((pixmap.width(), pixmap.height()), (2 * w, 2 * h));
        assert_eq!(png, throughput_png("Aggregate generation speed", &lines()).unwrap());
    }

    #[test]
    fn no_lines_still_draws() {
        assert!(throughput_svg("empty", &[]).unwrap().contains("no measurements"));
    }
}
