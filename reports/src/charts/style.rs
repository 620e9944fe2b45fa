//! What the charts share: the pixel scale, the palette, text styles, and label layout.

use super::font::FAMILY;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Pixels per SVG pixel: 1 for SVG, 2 for PNG. Every length in the charts goes through it.
#[derive(Debug, Clone, Copy)]
pub struct Scale(pub f64);

impl Scale {
    /// A length in device pixels.
    pub fn px(self, v: f64) -> i32 {
        (v * self.0).round() as i32
    }

    /// A length in device pixels, unsigned.
    pub fn upx(self, v: f64) -> u32 {
        (v * self.0).round().max(0.0) as u32
    }

    /// Text of `size` SVG pixels (its em) in `color`, anchored at `(h, v)`.
    pub fn text(self, size: f64, color: RGBColor, h: HPos, v: VPos) -> TextStyle<'static> {
        TextStyle { font: (FAMILY, size * EM * self.0).into_font(), color: color.to_backend_color(), pos: Pos::new(h, v) }
    }

    /// The chart's title, top left.
    pub fn title(self, root: &DrawingArea<impl DrawingBackend, plotters::coord::Shift>, title: &str) -> Result<(), String> {
        root.draw(&Text::new(title.to_string(), (self.px(16.0), self.px(14.0)), self.text(17.0, INK, HPos::Left, VPos::Top)))
            .map_err(|e| e.to_string())
    }
}

/// plotters' font size per em: its SVG backend writes `font-size` as the size divided by 1.24.
const EM: f64 = 1.24;

/// Text and axis colour.
pub const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);
/// Secondary text.
pub const MUTED: RGBColor = RGBColor(0x66, 0x66, 0x66);
/// Grid lines.
pub const GRID: RGBColor = RGBColor(0xe4, 0xe4, 0xe4);

/// Tableau 10: distinct hues that stay distinct for most colour-blind readers.
const PALETTE: [RGBColor; 10] = [
    RGBColor(0x4e, 0x79, 0xa7),
    RGBColor(0xf2, 0x8e, 0x2b),
    RGBColor(0xe1, 0x57, 0x59),
    RGBColor(0x76, 0xb7, 0xb2),
    RGBColor(0x59, 0xa1, 0x4f),
    RGBColor(0xed, 0xc9, 0x48),
    RGBColor(0xb0, 0x7a, 0xa1),
    RGBColor(0xff, 0x9d, 0xa7),
    RGBColor(0x9c, 0x75, 0x5f),
    RGBColor(0xba, 0xb0, 0xac),
];

/// The colour of the `i`-th entry, the same in every chart.
pub fn entry_color(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// The width in device pixels of the widest of `labels` at `size`, plus padding.
pub fn label_width(root: &DrawingArea<impl DrawingBackend, plotters::coord::Shift>, s: Scale, labels: &[&str], size: f64) -> u32 {
    let font = TextStyle::from((FAMILY, size * EM * s.0).into_font());
    let widest = labels
        .iter()
        .map(|l| root.estimate_text_size(l, &font).map(|(w, _)| w).unwrap_or(l.len() as u32 * s.upx(size * 0.6)))
        .max()
        .unwrap_or(0);
    widest + s.upx(24.0)
}
