//! The quality/speed frontier: pass@1 against median generation tokens/s, one point per entry,
//! the Pareto-optimal ones filled and joined.

use super::style::{entry_color, house_style, text, title, INK, MUTED};
use super::DrawResult;
use crate::Leaderboard;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

pub fn draw(root: &DrawingArea<SVGBackend, Shift>, board: &Leaderboard) -> DrawResult {
    title(root, "Quality vs speed")?;
    // (entry index, speed distribution) of the entries that have speed measurements.
    let measured: Vec<_> = board
        .entries
        .iter()
        .enumerate()
        .filter_map(|(i, e)| e.speed.gen_tokens_per_s.as_ref().map(|d| (i, e, d)))
        .collect();
    let unmeasured: Vec<&str> = board
        .entries
        .iter()
        .filter(|e| e.speed.gen_tokens_per_s.is_none())
        .map(|e| e.label.as_str())
        .collect();
    let (w, h) = root.dim_in_pixel();
    if !unmeasured.is_empty() {
        root.draw(&Text::new(
            format!("Not plotted (no generation measurements): {}", unmeasured.join(", ")),
            (16, h as i32 - 12),
            text(12.0, MUTED, HPos::Left, VPos::Bottom),
        ))?;
    }
    if measured.is_empty() {
        root.draw(&Text::new(
            "No entry has generation measurements (replayed samples are not timed).",
            (w as i32 / 2, h as i32 / 2),
            text(14.0, MUTED, HPos::Center, VPos::Center),
        ))?;
        return Ok(());
    }

    let x_max = measured.iter().map(|(_, _, d)| d.p90.max(d.median)).fold(0.0, f64::max) * 1.2;
    let mut chart = ChartBuilder::on(root)
        .margin_top(46)
        .margin_left(12)
        .margin_right(24)
        .margin_bottom(if unmeasured.is_empty() { 8 } else { 30 })
        .x_label_area_size(44)
        .y_label_area_size(64)
        .build_cartesian_2d(0.0..x_max.max(1.0), 0.0..1.0f64)?;
    let mut mesh = chart.configure_mesh();
    house_style(&mut mesh)
        .x_labels(10)
        .y_labels(11)
        .y_label_formatter(&|v| format!("{:.0}%", v * 100.0))
        .x_desc("generation tokens/s (median over samples)")
        .y_desc("pass@1")
        .draw()?;

    // The frontier, from the fastest to the most accurate.
    let mut frontier: Vec<(f64, f64)> =
        measured.iter().filter(|(_, e, _)| e.pareto).map(|(_, e, d)| (d.median, e.pass_at_1.value)).collect();
    frontier.sort_by(|a, b| a.0.total_cmp(&b.0));
    chart.draw_series([PathElement::new(frontier, INK.mix(0.5).stroke_width(2))])?;

    for &(i, e, d) in &measured {
        let color = entry_color(i);
        let (x, y) = (d.median, e.pass_at_1.value);
        let whisker = color.mix(0.6).stroke_width(2);
        chart.draw_series([
            PathElement::new(vec![(x, e.pass_at_1.low), (x, e.pass_at_1.high)], whisker),
            PathElement::new(vec![(d.p10, y), (d.p90, y)], whisker),
        ])?;
        if e.pareto {
            chart.draw_series([
                Circle::new((x, y), 7, color.filled()),
                Circle::new((x, y), 7, INK.stroke_width(2)),
            ])?;
        } else {
            chart.draw_series([
                Circle::new((x, y), 6, WHITE.filled()),
                Circle::new((x, y), 6, color.stroke_width(2)),
            ])?;
        }
        let (px, py) = chart.backend_coord(&(x, y));
        let label = if e.pareto { format!("{} ★", e.label) } else { e.label.clone() };
        // Labels go left of points in the right third, so they stay inside the chart.
        let right_third = x > x_max * 0.62;
        let (dx, anchor) = if right_third { (-11, HPos::Right) } else { (11, HPos::Left) };
        root.draw(&Text::new(label, (px + dx, py - 10), text(12.0, INK, anchor, VPos::Center)))?;
    }
    Ok(())
}
