//! What the charts share: the palette, text styles, the title, and label widths.

use super::font::FAMILY;
use plotters::chart::MeshStyle;
use plotters::coord::ranged1d::Ranged;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

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

/// Text of `size` pixels (its em) in `color`, anchored at `(h, v)`.
pub fn text(size: f64, color: RGBColor, h: HPos, v: VPos) -> TextStyle<'static> {
    TextStyle { font: (FAMILY, size * EM).into_font(), color: color.to_backend_color(), pos: Pos::new(h, v) }
}

/// The axes' look every chart shares: label sizes, light grid lines only at labelled values.
pub fn house_style<'m, 'a, 'b, X: Ranged, Y: Ranged, DB: DrawingBackend>(
    mesh: &'m mut MeshStyle<'a, 'b, X, Y, DB>,
) -> &'m mut MeshStyle<'a, 'b, X, Y, DB> {
    mesh.label_style(text(12.0, INK, HPos::Center, VPos::Top))
        .axis_desc_style(text(13.0, INK, HPos::Center, VPos::Top))
        .bold_line_style(GRID.stroke_width(1))
        .light_line_style(TRANSPARENT)
        .axis_style(INK.stroke_width(1))
}

/// The chart's title, top left.
pub fn title(root: &DrawingArea<SVGBackend, Shift>, title: &str) -> Result<(), Box<dyn std::error::Error>> {
    root.draw(&Text::new(title.to_string(), (16, 14), text(17.0, INK, HPos::Left, VPos::Top)))?;
    Ok(())
}

/// The width in pixels of the widest of `labels` at `size`, plus padding.
pub fn label_width(labels: &[&str], size: f64) -> u32 {
    let widest = labels.iter().map(|l| text_size(l, size).0).max().unwrap_or(0);
    widest + 24
}

/// Width and height in pixels of `label` drawn at `size`, as the bundled font measures it (an
/// estimate from its length if the font cannot say).
pub fn text_size(label: &str, size: f64) -> (u32, u32) {
    let font = (FAMILY, size * EM).into_font();
    font.box_size(label).unwrap_or(((label.chars().count() as f64 * size * 0.62) as u32, (size * EM) as u32))
}
