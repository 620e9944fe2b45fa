//! The report's charts, one file each, drawn with plotters into SVG (embedded in `index.html`,
//! and written as `charts/<name>.svg`) and PNG (`charts/<name>.png`, at twice the size).
//!
//! Text in PNGs is rasterised by ab_glyph from a DejaVu Sans subset compiled into the binary
//! (`reports/assets/`), so charts render the same on any machine, without system fonts or
//! fontconfig. SVG text is left to the viewer's `sans-serif`.

mod font;
mod languages;
mod latency;
mod pass_at_1;
mod quality_speed;
mod style;

use crate::{Leaderboard, ReportError};
use plotters::prelude::*;
use plotters::coord::Shift;
use style::Scale;

/// The error of a chart's drawing code, whatever the backend.
type DrawResult = Result<(), Box<dyn std::error::Error>>;

/// Pixel ratio of the PNGs to the SVGs.
const PNG_SCALE: f64 = 2.0;

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
            Chart::PassAt1 => "pass@1 per model; whiskers are the 95% interval.",
            Chart::QualitySpeed => {
                "pass@1 against median generation speed; filled points joined by the line are the \
                 Pareto frontier (no other model is both as accurate and as fast). Whiskers: 95% \
                 interval of pass@1, 10th–90th percentile of speed."
            }
            Chart::Latency => {
                "Per-sample latency (request to last token): box from the 25th to the 75th \
                 percentile, line at the median, whiskers from the 10th to the 90th, dots at the \
                 extremes."
            }
            Chart::Languages => "pass@1 per model and language (code tasks), and of test-writing tasks.",
        }
    }

    /// Size of the SVG in pixels; it grows with the number of entries.
    fn size(self, board: &Leaderboard) -> (u32, u32) {
        let rows = board.entries.len().max(1) as u32;
        match self {
            Chart::PassAt1 | Chart::Latency => (900, 110 + 36 * rows),
            Chart::QualitySpeed => (900, 520),
            Chart::Languages => (900, 150 + 40 * rows),
        }
    }

    fn draw<DB: DrawingBackend>(self, root: &DrawingArea<DB, Shift>, board: &Leaderboard, s: Scale) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        root.fill(&WHITE)?;
        match self {
            Chart::PassAt1 => pass_at_1::draw(root, board, s),
            Chart::QualitySpeed => quality_speed::draw(root, board, s),
            Chart::Latency => latency::draw(root, board, s),
            Chart::Languages => languages::draw(root, board, s),
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
            self.draw(&root, board, Scale(1.0)).map_err(|e| self.failed(e))?;
        }
        Ok(svg)
    }

    /// The chart as a PNG file, at [`PNG_SCALE`] times the SVG's size.
    pub fn png(self, board: &Leaderboard) -> Result<Vec<u8>, ReportError> {
        font::register();
        let (w, h) = self.size(board);
        let (w, h) = ((f64::from(w) * PNG_SCALE) as u32, (f64::from(h) * PNG_SCALE) as u32);
        let mut rgb = vec![0u8; (w * h * 3) as usize];
        {
            let root = BitMapBackend::with_buffer(&mut rgb, (w, h)).into_drawing_area();
            self.draw(&root, board, Scale(PNG_SCALE)).map_err(|e| self.failed(e))?;
        }
        let mut png = Vec::new();
        let mut encoder = png::Encoder::new(&mut png, w, h);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        encoder
            .write_header()
            .and_then(|mut writer| writer.write_image_data(&rgb))
            .map_err(|e| self.failed(e))?;
        Ok(png)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::sample_leaderboard;

    /// Width, height and the RGB pixels of a PNG.
    fn decode(png: &[u8]) -> (u32, u32, Vec<u8>) {
        let mut reader = png::Decoder::new(png).read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut buf).unwrap();
        buf.truncate(info.buffer_size());
        (info.width, info.height, buf)
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
            // Text is rasterised: many pixels are neither white nor a flat fill colour, i.e.
            // anti-aliased glyph edges exist (a chart with no text would have very few).
            let grey_levels: std::collections::BTreeSet<u8> =
                pixels.chunks(3).filter(|p| p[0] == p[1] && p[1] == p[2]).map(|p| p[0]).collect();
            assert!(grey_levels.len() > 100, "{}: {} grey levels", chart.name(), grey_levels.len());
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
