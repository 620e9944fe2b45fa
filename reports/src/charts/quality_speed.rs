//! The quality/speed frontier: pass@1 on the group's common tasks against median generation
//! tokens/s, one panel per group of the leaderboard (pass@1 of different task sets do not share
//! an axis), one numbered point per entry, the Pareto-optimal ones filled and joined.
//!
//! Names never overlap: each point carries only its number, placed beside it where it collides
//! with no marker and no other number (or left out when no such place is free), and the legend
//! under the panel names every number with its figures.

use super::style::{entry_color, house_style, text, text_size, title, INK, MUTED};
use super::{group_title, DrawResult};
use crate::leaderboard::{Entry, Group};
use crate::stats::Distribution;
use crate::Leaderboard;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// Below the chart's title.
const TOP: i32 = 46;
/// A panel's group heading, when the leaderboard has several groups.
const HEADING: i32 = 26;
/// A panel's plot, axes included.
const PLOT: i32 = 380;
/// A line of a legend or of the list of entries not plotted.
const LINE: i32 = 18;
/// After a panel's legend.
const GAP: i32 = 14;
/// The message that nothing has speed measurements.
const NOTHING: i32 = 120;
/// Radius of a point's marker.
const MARKER: i32 = 7;
/// Size of the numbers beside points.
const NUMBER_SIZE: f64 = 11.0;
/// Where a legend line's text starts, after its marker and number.
const LEGEND_TEXT: i32 = 66;
/// Where the names of the entries not plotted start.
const UNPLOTTED: i32 = 28;

/// A pixel box: left, top, right, bottom.
type PixelBox = (i32, i32, i32, i32);

/// The entries of `group` that have speed measurements, with their index in the leaderboard.
fn measured<'a>(board: &'a Leaderboard, group: &Group) -> Vec<(usize, &'a Entry, &'a Distribution)> {
    board
        .entries
        .iter()
        .enumerate()
        .filter(|(_, e)| e.group == group.id)
        .filter_map(|(i, e)| e.speed.gen_tokens_per_s.as_ref().map(|d| (i, e, d)))
        .collect()
}

fn unmeasured(board: &Leaderboard) -> Vec<&Entry> {
    board.entries.iter().filter(|e| e.speed.gen_tokens_per_s.is_none()).collect()
}

fn heading(board: &Leaderboard) -> i32 {
    if board.groups.len() > 1 {
        HEADING
    } else {
        0
    }
}

/// Height of a panel with `points` entries in its legend.
fn panel_height(board: &Leaderboard, points: usize) -> i32 {
    heading(board) + PLOT + 8 + LINE * points as i32 + GAP
}

/// A legend line's text after its number.
fn legend_text(e: &Entry, d: &Distribution) -> String {
    let p = &e.pass_at_1_common;
    format!(
        "{}{}: {:.1}% [{:.1}, {:.1}] at {:.1} tok/s",
        e.label,
        if e.pareto { " ★" } else { "" },
        p.value * 100.0,
        p.low * 100.0,
        p.high * 100.0,
        d.median
    )
}

/// Width of the chart: 900 pixels, or more when a legend line needs it.
pub fn width(board: &Leaderboard) -> u32 {
    let lines: Vec<String> = board
        .entries
        .iter()
        .filter_map(|e| e.speed.gen_tokens_per_s.as_ref().map(|d| legend_text(e, d)))
        .collect();
    let widest = lines.iter().map(|l| text_size(l, 12.0).0).max().unwrap_or(0);
    let unplotted = unmeasured(board).iter().map(|e| text_size(&e.label, 12.0).0).max().unwrap_or(0);
    (LEGEND_TEXT as u32 + widest).max(UNPLOTTED as u32 + unplotted).max(884) + 16
}

/// Height of the chart: a panel per group with speed measurements, then the entries without.
pub fn height(board: &Leaderboard) -> u32 {
    let panels: i32 = board
        .groups
        .iter()
        .map(|g| measured(board, g).len())
        .filter(|&n| n > 0)
        .map(|n| panel_height(board, n))
        .sum();
    let missing = unmeasured(board).len() as i32;
    let list = if missing > 0 { 8 + LINE * (missing + 1) } else { 0 };
    (TOP + if panels == 0 { NOTHING } else { panels } + list + 8) as u32
}

pub fn draw(root: &DrawingArea<SVGBackend, Shift>, board: &Leaderboard) -> DrawResult {
    title(root, "Quality vs speed")?;
    let (w, _) = root.dim_in_pixel();
    // One speed axis for every panel, so that panels compare by eye.
    let x_max = board
        .entries
        .iter()
        .filter_map(|e| e.speed.gen_tokens_per_s.as_ref())
        .map(|d| d.p90.max(d.median))
        .fold(0.0, f64::max)
        * 1.2;
    let mut y = TOP;
    for group in &board.groups {
        let points = measured(board, group);
        if points.is_empty() {
            continue;
        }
        if board.groups.len() > 1 {
            root.draw(&Text::new(
                group_title(board, group),
                (16, y + 6),
                text(13.0, INK, HPos::Left, VPos::Top),
            ))?;
        }
        let area = root.clone().shrink((0, y + heading(board)), (w, PLOT as u32));
        panel(root, &area, &points, x_max.max(1.0), group)?;
        legend(root, &points, y + heading(board) + PLOT + 8)?;
        y += panel_height(board, points.len());
    }
    if y == TOP {
        root.draw(&Text::new(
            "No entry has generation measurements (replayed samples are not timed).",
            (w as i32 / 2, TOP + NOTHING / 2),
            text(14.0, MUTED, HPos::Center, VPos::Center),
        ))?;
        y += NOTHING;
    }
    let missing = unmeasured(board);
    if !missing.is_empty() {
        y += 8;
        root.draw(&Text::new(
            "Not plotted (no generation measurements):",
            (16, y),
            text(12.0, MUTED, HPos::Left, VPos::Top),
        ))?;
        for e in missing {
            y += LINE;
            root.draw(&Text::new(e.label.clone(), (UNPLOTTED, y), text(12.0, MUTED, HPos::Left, VPos::Top)))?;
        }
    }
    Ok(())
}

/// One group's plot: whiskers, frontier, markers and their numbers.
fn panel(
    root: &DrawingArea<SVGBackend, Shift>,
    area: &DrawingArea<SVGBackend, Shift>,
    points: &[(usize, &Entry, &Distribution)],
    x_max: f64,
    group: &Group,
) -> DrawResult {
    let mut chart = ChartBuilder::on(area)
        .margin_top(8)
        .margin_left(12)
        .margin_right(24)
        .margin_bottom(4)
        .x_label_area_size(44)
        .y_label_area_size(64)
        .build_cartesian_2d(0.0..x_max, 0.0..1.0f64)?;
    let y_desc = format!("pass@1 on {} common tasks", group.common_tasks);
    let mut mesh = chart.configure_mesh();
    house_style(&mut mesh)
        .x_labels(10)
        .y_labels(11)
        .y_label_formatter(&|v| format!("{:.0}%", v * 100.0))
        .x_desc("generation tokens/s (median over samples)")
        .y_desc(y_desc)
        .draw()?;

    // The frontier, from the fastest to the most accurate.
    let mut frontier: Vec<(f64, f64)> = points
        .iter()
        .filter(|(_, e, _)| e.pareto)
        .map(|(_, e, d)| (d.median, e.pass_at_1_common.value))
        .collect();
    frontier.sort_by(|a, b| a.0.total_cmp(&b.0));
    chart.draw_series([PathElement::new(frontier, INK.mix(0.5).stroke_width(2))])?;

    for &(i, e, d) in points {
        let color = entry_color(i);
        let p = &e.pass_at_1_common;
        let (x, y) = (d.median, p.value);
        let whisker = color.mix(0.6).stroke_width(2);
        chart.draw_series([
            PathElement::new(vec![(x, p.low), (x, p.high)], whisker),
            PathElement::new(vec![(d.p10, y), (d.p90, y)], whisker),
        ])?;
        chart.draw_series(marker((x, y), color, e.pareto))?;
    }

    // Numbers beside the markers, where they hit nothing.
    let centres: Vec<(i32, i32)> =
        points.iter().map(|(_, e, d)| chart.backend_coord(&(d.median, e.pass_at_1_common.value))).collect();
    let numbers: Vec<String> = (1..=points.len()).map(|n| n.to_string()).collect();
    let sizes: Vec<(i32, i32)> = numbers
        .iter()
        .map(|n| {
            let (w, _) = text_size(n, NUMBER_SIZE);
            (w as i32 + 2, NUMBER_SIZE as i32 + 3)
        })
        .collect();
    let (left, top) = chart.backend_coord(&(0.0, 1.0));
    let (right, bottom) = chart.backend_coord(&(x_max, 0.0));
    let placed = place_labels(&centres, &sizes, MARKER, (left, top, right, bottom));
    for (number, place) in numbers.into_iter().zip(placed) {
        if let Some((x0, y0, x1, y1)) = place {
            root.draw(&Text::new(
                number,
                ((x0 + x1) / 2, (y0 + y1) / 2),
                text(NUMBER_SIZE, INK, HPos::Center, VPos::Center),
            ))?;
        }
    }
    Ok(())
}

/// A point's marker: filled on the frontier, hollow off it.
fn marker(at: (f64, f64), color: RGBColor, pareto: bool) -> Vec<Circle<(f64, f64), i32>> {
    if pareto {
        vec![Circle::new(at, MARKER, color.filled()), Circle::new(at, MARKER, INK.stroke_width(2))]
    } else {
        vec![Circle::new(at, MARKER - 1, WHITE.filled()), Circle::new(at, MARKER - 1, color.stroke_width(2))]
    }
}

/// The legend under a panel: a line per point, its marker, number, name and figures.
fn legend(
    root: &DrawingArea<SVGBackend, Shift>,
    points: &[(usize, &Entry, &Distribution)],
    top: i32,
) -> DrawResult {
    for (n, &(i, e, d)) in points.iter().enumerate() {
        let y = top + LINE * n as i32 + LINE / 2;
        let color = entry_color(i);
        if e.pareto {
            root.draw(&Circle::new((28, y), 5, color.filled()))?;
            root.draw(&Circle::new((28, y), 5, INK.stroke_width(1)))?;
        } else {
            root.draw(&Circle::new((28, y), 4, WHITE.filled()))?;
            root.draw(&Circle::new((28, y), 4, color.stroke_width(2)))?;
        }
        root.draw(&Text::new((n + 1).to_string(), (40, y), text(12.0, INK, HPos::Left, VPos::Center)))?;
        root.draw(&Text::new(
            legend_text(e, d),
            (LEGEND_TEXT, y),
            text(12.0, INK, HPos::Left, VPos::Center),
        ))?;
    }
    Ok(())
}

/// Where to put a label of `sizes[i]` beside each point `centres[i]` (in this order, so earlier
/// points get the nearer places): the first of the places around it, near then farther, that
/// lies inside `bounds` and overlaps no point's marker (of `radius`) and no label placed before.
/// `None` where every place is taken.
fn place_labels(
    centres: &[(i32, i32)],
    sizes: &[(i32, i32)],
    radius: i32,
    bounds: PixelBox,
) -> Vec<Option<PixelBox>> {
    let overlaps = |a: &PixelBox, b: &PixelBox| a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3;
    let markers: Vec<PixelBox> =
        centres.iter().map(|&(x, y)| (x - radius, y - radius, x + radius, y + radius)).collect();
    let mut placed: Vec<PixelBox> = Vec::new();
    centres
        .iter()
        .zip(sizes)
        .map(|(&(x, y), &(w, h))| {
            let candidates = [1, 2, 3].into_iter().flat_map(|step| {
                let g = radius + 2 + (step - 1) * (h + 2);
                // Diagonals first: they keep clear of the point's two whiskers.
                [
                    (x + g, y - g - h),     // above right
                    (x - g - w, y - g - h), // above left
                    (x + g, y + g),         // below right
                    (x - g - w, y + g),     // below left
                    (x + g, y - h / 2),     // right
                    (x - g - w, y - h / 2), // left
                    (x - w / 2, y - g - h), // above
                    (x - w / 2, y + g),     // below
                ]
            });
            let free = candidates.map(|(x0, y0)| (x0, y0, x0 + w, y0 + h)).find(|b| {
                b.0 >= bounds.0
                    && b.1 >= bounds.1
                    && b.2 <= bounds.2
                    && b.3 <= bounds.3
                    && !markers.iter().any(|m| overlaps(b, m))
                    && !placed.iter().any(|p| overlaps(b, p))
            });
            if let Some(b) = free {
                placed.push(b);
            }
            free
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_overlaps(boxes: &[PixelBox], markers: &[(i32, i32)]) {
        for (i, a) in boxes.iter().enumerate() {
            for b in &boxes[i + 1..] {
                assert!(!(a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3), "{a:?} overlaps {b:?}");
            }
            for &(x, y) in markers {
                let m = (x - MARKER, y - MARKER, x + MARKER, y + MARKER);
                assert!(
                    !(a.0 < m.2 && m.0 < a.2 && a.1 < m.3 && m.1 < a.3),
                    "{a:?} covers the marker at {x},{y}"
                );
            }
        }
    }

    #[test]
    fn numbers_of_crowded_points_never_overlap() {
        // Eight points at the same place, and a cluster around it.
        let mut centres = vec![(300, 200); 8];
        centres.extend([(305, 203), (296, 198), (310, 190), (290, 210)]);
        let sizes = vec![(9, 14); centres.len()];
        let placed = place_labels(&centres, &sizes, MARKER, (80, 40, 880, 400));
        let boxes: Vec<PixelBox> = placed.iter().flatten().copied().collect();
        assert!(boxes.len() >= 8, "most find a place: {placed:?}");
        no_overlaps(&boxes, &centres);
        // A lone point's number sits above right of it, clear of its whiskers.
        let lone = place_labels(&[(100, 100)], &[(9, 14)], MARKER, (0, 0, 900, 500));
        assert_eq!(lone, [Some((109, 77, 118, 91))]);
    }

    #[test]
    fn numbers_stay_inside_the_plot() {
        // A point in the top-right corner: its number goes below left.
        let placed = place_labels(&[(880, 40)], &[(9, 14)], MARKER, (80, 40, 880, 400));
        let (x0, y0, x1, y1) = placed[0].unwrap();
        assert!(x0 >= 80 && y0 >= 40 && x1 <= 880 && y1 <= 400, "{:?}", placed[0]);
    }
}
