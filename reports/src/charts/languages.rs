//! pass@1 per entry (rows) and language (columns), plus the test-writing tasks, as a heat map.

use super::style::{label_width, text, title, INK, MUTED};
use super::{rows, DrawResult, Row};
use crate::leaderboard::Score;
use crate::Leaderboard;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// Stops of the colour scale (ColorBrewer "Blues"), from 0% to 100%.
const SCALE: [RGBColor; 5] = [
    RGBColor(0xf7, 0xfb, 0xff),
    RGBColor(0xc6, 0xdb, 0xef),
    RGBColor(0x6b, 0xae, 0xd6),
    RGBColor(0x21, 0x71, 0xb5),
    RGBColor(0x08, 0x30, 0x6b),
];
/// Width of a column of cells, pixels.
pub const CELL_WIDTH: u32 = 150;

/// The number of columns: the languages, and test-writing when any entry has such tasks.
pub fn columns(board: &Leaderboard) -> u32 {
    board.languages().len() as u32 + u32::from(board.has_test_writing())
}

/// Fill of a cell without tasks.
const EMPTY: RGBColor = RGBColor(0xf2, 0xf2, 0xf2);

/// The colour of a pass rate in `0..=1`, interpolated between the stops.
fn color_of(value: f64) -> RGBColor {
    let position = value.clamp(0.0, 1.0) * (SCALE.len() - 1) as f64;
    let i = (position.floor() as usize).min(SCALE.len() - 2);
    let t = position - i as f64;
    let (a, b) = (SCALE[i], SCALE[i + 1]);
    let mix = |x: u8, y: u8| (f64::from(x) + (f64::from(y) - f64::from(x)) * t).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

pub fn draw(root: &DrawingArea<SVGBackend, Shift>, board: &Leaderboard) -> DrawResult {
    title(root, "pass@1 by language")?;
    let mut columns: Vec<(String, Vec<Option<Score>>)> = board
        .languages()
        .into_iter()
        .map(|l| {
            let scores = board.entries.iter().map(|e| e.languages.get(&l).cloned()).collect();
            (l, scores)
        })
        .collect();
    if board.has_test_writing() {
        let scores = board
            .entries
            .iter()
            .map(|e| {
                e.test_writing.as_ref().map(|t| Score {
                    tasks: t.tasks,
                    samples: t.samples,
                    pass_at_1: t.pass_at_1,
                })
            })
            .collect();
        columns.push(("test-writing".to_string(), scores));
    }
    let (w, _) = root.dim_in_pixel();
    let labels: Vec<&str> = board.entries.iter().map(|e| e.label.as_str()).collect();
    let left = label_width(&labels, 13.0) as i32 + 8;
    let top = 84;
    let row_h = 40;
    let cell_w = ((w as i32 - left - 24) / columns.len().max(1) as i32).min(CELL_WIDTH as i32);

    for (c, (name, _)) in columns.iter().enumerate() {
        let x = left + cell_w * c as i32 + cell_w / 2;
        root.draw(&Text::new(name.clone(), (x, top - 10), text(13.0, INK, HPos::Center, VPos::Bottom)))?;
    }
    let rows = rows(board);
    for (row, r) in rows.iter().enumerate() {
        let y = top + row_h * row as i32;
        let (r, e) = match r {
            Row::Heading(heading) => {
                root.draw(&Text::new(
                    heading.clone(),
                    (16, y + row_h / 2),
                    text(13.0, INK, HPos::Left, VPos::Center),
                ))?;
                continue;
            }
            Row::Entry(i, e) => (*i, *e),
        };
        root.draw(&Text::new(
            e.label.clone(),
            (left - 10, y + row_h / 2),
            text(13.0, INK, HPos::Right, VPos::Center),
        ))?;
        for (c, (_, scores)) in columns.iter().enumerate() {
            let x = left + cell_w * c as i32;
            let gap = 1;
            let cell = [(x + gap, y + gap), (x + cell_w - gap, y + row_h - gap)];
            let centre = x + cell_w / 2;
            match &scores[r] {
                Some(score) => {
                    root.draw(&Rectangle::new(cell, color_of(score.pass_at_1).filled()))?;
                    let ink = if score.pass_at_1 > 0.55 { WHITE } else { INK };
                    root.draw(&Text::new(
                        format!("{:.1}%", score.pass_at_1 * 100.0),
                        (centre, y + row_h / 2 - 1),
                        text(13.0, ink, HPos::Center, VPos::Bottom),
                    ))?;
                    root.draw(&Text::new(
                        format!("{} task{}", score.tasks, if score.tasks == 1 { "" } else { "s" }),
                        (centre, y + row_h / 2 + 2),
                        text(10.0, ink, HPos::Center, VPos::Top),
                    ))?;
                }
                None => {
                    root.draw(&Rectangle::new(cell, EMPTY.filled()))?;
                    root.draw(&Text::new(
                        "no tasks",
                        (centre, y + row_h / 2),
                        text(11.0, MUTED, HPos::Center, VPos::Center),
                    ))?;
                }
            }
        }
    }

    // The colour scale, under the grid.
    let y = top + row_h * rows.len() as i32 + 22;
    let bar_w = 240;
    let steps = 60;
    for i in 0..steps {
        let x0 = left + bar_w * i / steps;
        let x1 = left + bar_w * (i + 1) / steps;
        root.draw(&Rectangle::new(
            [(x0, y), (x1, y + 10)],
            color_of(f64::from(i) / f64::from(steps - 1)).filled(),
        ))?;
    }
    for (fraction, label) in [(0.0, "0%"), (0.5, "50%"), (1.0, "100%")] {
        let x = left + (f64::from(bar_w) * fraction) as i32;
        root.draw(&Text::new(label, (x, y + 14), text(11.0, MUTED, HPos::Center, VPos::Top)))?;
    }
    root.draw(&Text::new("pass@1", (left - 10, y + 5), text(11.0, MUTED, HPos::Right, VPos::Center)))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_scale_ends_at_its_stops() {
        assert_eq!(color_of(0.0), SCALE[0]);
        assert_eq!(color_of(1.0), SCALE[4]);
        assert_eq!(color_of(0.5), SCALE[2]);
        assert_eq!(color_of(-1.0), SCALE[0]);
        assert_eq!(color_of(0.125), RGBColor(0xdf, 0xeb, 0xf7));
    }
}
