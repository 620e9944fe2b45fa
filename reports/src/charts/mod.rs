//! The report's charts, one file each, drawn with plotters as SVG (embedded in `index.html`,
//! and written as `charts/<name>.svg`), and rasterised from that SVG by resvg into PNG
//! (`charts/<name>.png`, at twice the size), so both look the same.
//!
//! Both use a DejaVu Sans subset compiled into the binary (`reports/assets/`): plotters measures
//! labels with it (through ab_glyph) and resvg draws PNG text with it, so charts render the same
//! on any machine, with no system fonts and no fontconfig. SVG text names `sans-serif`, which
//! the viewer resolves.

pub mod batching;
mod font;
pub mod history;
mod languages;
mod latency;
mod pass_at_1;
mod quality_speed;
mod style;

use crate::leaderboard::{Entry, Group};
use crate::{Leaderboard, ReportError};
use plotters::coord::Shift;
use plotters::prelude::*;
use resvg::{tiny_skia, usvg};

/// The error of a chart's drawing code, whatever the backend.
type DrawResult = Result<(), Box<dyn std::error::Error>>;

/// Pixel ratio of the PNGs to the SVGs.
const PNG_SCALE: f64 = 2.0;

/// The narrowest plot (axes excluded) of the charts with a row per entry.
const MIN_PLOT_WIDTH: u32 = 520;

/// A line of a chart that lists entries, top to bottom: the charts follow the leaderboard's
/// grouping, so with several groups each group's heading comes before its entries.
enum Row<'a> {
    Heading(String),
    /// The entry and its index in the leaderboard (which picks its colour in every chart).
    Entry(usize, &'a Entry),
}

impl Row<'_> {
    /// What the row says on the left: the group's heading or the entry's label.
    fn text(&self) -> &str {
        match self {
            Row::Heading(heading) => heading,
            Row::Entry(_, e) => &e.label,
        }
    }
}

fn rows(board: &Leaderboard) -> Vec<Row<'_>> {
    let mut rows = Vec::new();
    for g in &board.groups {
        if board.groups.len() > 1 {
            rows.push(Row::Heading(group_title(board, g)));
        }
        rows.extend(
            board.entries.iter().enumerate().filter(|(_, e)| e.group == g.id).map(|(i, e)| Row::Entry(i, e)),
        );
    }
    rows
}

/// `Group 2 · ranked on 20 common tasks · task set 1a2b3c4d`; without the group's number when
/// there is only one.
fn group_title(board: &Leaderboard, g: &Group) -> String {
    let prefix = if board.groups.len() > 1 { format!("Group {} · ", g.id) } else { String::new() };
    format!(
        "{prefix}ranked on {} common task{} · task set {}",
        g.common_tasks,
        if g.common_tasks == 1 { "" } else { "s" },
        g.task_set.get(..8).unwrap_or(&g.task_set)
    )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chart {
    /// pass@1 per entry with its 95% interval.
    PassAt1,
    /// pass@1 against median generation tokens/s, the Pareto frontier marked.
    QualitySpeed,
    /// Distribution of per-sample generation latency per entry.
    Latency,
    /// pass@1 per entry and language (and test-writing), as a heat map.
    Languages,
}

impl Chart {
    pub const ALL: [Chart; 4] = [Chart::PassAt1, Chart::QualitySpeed, Chart::Latency, Chart::Languages];

    /// File stem of the chart's files.
    pub fn name(self) -> &'static str {
        match self {
            Chart::PassAt1 => "pass-at-1",
            Chart::QualitySpeed => "quality-vs-speed",
            Chart::Latency => "latency",
            Chart::Languages => "languages",
        }
    }

    /// One sentence saying what the chart shows, for the page.
    pub fn caption(self) -> &'static str {
        match self {
            Chart::PassAt1 => {
                "pass@1 per model on the common tasks of its group (the tasks every model of the \
                 group ran), best first within each group; whiskers are the 95% interval."
            }
            Chart::QualitySpeed => {
                "pass@1 on the group's common tasks against median generation speed, one panel per \
                 group; filled points joined by the line are the group's Pareto frontier (no other \
                 model of the group is both as accurate and as fast). Points are numbered as in the \
                 legend under each panel, which names them. Whiskers: 95% interval of pass@1, \
                 10th–90th percentile of speed."
            }
            Chart::Latency => {
                "Per-sample latency (request to last token): box from the 25th to the 75th \
                 percentile, line at the median, whiskers from the 10th to the 90th, dots at the \
                 extremes."
            }
            Chart::Languages => {
                "pass@1 per model and language (code tasks), and of test-writing tasks, over each \
                 model's own tasks (their counts in the cells), grouped as the leaderboard is."
            }
        }
    }

    /// Size of the SVG in pixels; it grows with the number of entries (and of languages).
    fn size(self, board: &Leaderboard) -> (u32, u32) {
        let rows = rows(board);
        let labels: Vec<&str> = rows.iter().map(Row::text).collect();
        let rows = rows.len().max(1) as u32;
        match self {
            Chart::PassAt1 | Chart::Latency => {
                // The plot keeps its width however long the labels, so that its axis labels
                // never crowd into each other: the chart widens instead.
                font::register();
                let width = style::label_width(&labels, 13.0) + 8 + 190 + MIN_PLOT_WIDTH;
                (width.max(900), 110 + 36 * rows)
            }
            Chart::QualitySpeed => {
                font::register();
                (quality_speed::width(board), quality_speed::height(board))
            }
            Chart::Languages => {
                font::register();
                let labels: Vec<&str> = board.entries.iter().map(|e| e.label.as_str()).collect();
                let width = style::label_width(&labels, 13.0)
                    + languages::CELL_WIDTH * languages::columns(board)
                    + 40;
                (width.clamp(560, 1800), 150 + 40 * rows)
            }
        }
    }

    fn draw(self, root: &DrawingArea<SVGBackend, Shift>, board: &Leaderboard) -> DrawResult {
        root.fill(&WHITE)?;
        match self {
            Chart::PassAt1 => pass_at_1::draw(root, board),
            Chart::QualitySpeed => quality_speed::draw(root, board),
            Chart::Latency => latency::draw(root, board),
            Chart::Languages => languages::draw(root, board),
        }?;
        root.present()?;
        Ok(())
    }

    fn failed(self, e: impl std::fmt::Display) -> ReportError {
        ReportError::Chart { chart: self.name(), message: e.to_string() }
    }

    /// The chart as an SVG document.
    pub fn svg(self, board: &Leaderboard) -> Result<String, ReportError> {
        font::register();
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, self.size(board)).into_drawing_area();
            self.draw(&root, board).map_err(|e| self.failed(e))?;
        }
        Ok(svg)
    }

    /// The chart as a PNG file: its SVG rasterised at [`PNG_SCALE`] times its size.
    pub fn png(self, board: &Leaderboard) -> Result<Vec<u8>, ReportError> {
        let svg = self.svg(board)?;
        let options = usvg::Options { fontdb: font::database(), ..usvg::Options::default() };
        let tree = usvg::Tree::from_str(&svg, &options).map_err(|e| self.failed(e))?;
        let (w, h) = self.size(board);
        let scaled = |v: u32| (f64::from(v) * PNG_SCALE).round() as u32;
        let mut pixmap =
            tiny_skia::Pixmap::new(scaled(w), scaled(h)).ok_or_else(|| self.failed("empty image"))?;
        let scale = PNG_SCALE as f32;
        resvg::render(&tree, tiny_skia::Transform::from_scale(scale, scale), &mut pixmap.as_mut());
        pixmap.encode_png().map_err(|e| self.failed(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::sample_leaderboard;

    /// Width, height and the RGBA pixels of a PNG.
    fn decode(png: &[u8]) -> (u32, u32, Vec<u8>) {
        let pixmap = tiny_skia::Pixmap::decode_png(png).unwrap();
        (pixmap.width(), pixmap.height(), pixmap.data().to_vec())
    }

    #[test]
    fn every_chart_renders_svg_and_png_with_text() {
        let board = sample_leaderboard();
        for chart in Chart::ALL {
            let svg = chart.svg(&board).unwrap();
            let (w, h) = chart.size(&board);
            assert!(svg.starts_with(&format!("<svg width=\"{w}\" height=\"{h}\"")), "{}", &svg[..80]);
            assert!(svg.trim_end().ends_with("</svg>"));
            // Entry names are drawn as text (escaped), so the chart says what it shows.
            assert!(svg.contains("\nqwen2.5-coder-0.5b-instruct-q4_k_m"), "{}: {svg}", chart.name());

            let (pw, ph, pixels) = decode(&chart.png(&board).unwrap());
            assert_eq!((pw, ph), ((f64::from(w) * PNG_SCALE) as u32, (f64::from(h) * PNG_SCALE) as u32));
            // Text is rasterised: the title's corner (where nothing else is drawn) holds dark,
            // anti-aliased glyph pixels.
            let title_pixels = |test: &dyn Fn(&[u8]) -> bool| {
                (28..70u32)
                    .flat_map(|y| (32..300u32).map(move |x| (x, y)))
                    .filter(|&(x, y)| test(&pixels[((y * pw + x) * 4) as usize..][..4]))
                    .count()
            };
            assert!(title_pixels(&|p| p[0] < 0x60) > 300, "{}: no dark title text", chart.name());
            assert!(
                title_pixels(&|p| p[0] > 0x60 && p[0] < 0xe0) > 100,
                "{}: no anti-aliasing",
                chart.name()
            );
        }
    }

    #[test]
    fn charts_are_deterministic() {
        let board = sample_leaderboard();
        for chart in Chart::ALL {
            assert_eq!(chart.svg(&board).unwrap(), chart.svg(&board).unwrap());
            assert_eq!(chart.png(&board).unwrap(), chart.png(&board).unwrap());
        }
    }
}
