//! Per-sample generation latency per entry, as horizontal box plots, grouped as the leaderboard.

use super::style::{entry_color, house_style, label_width, text, title, INK, MUTED};
use super::{rows, DrawResult, Row};
use crate::Leaderboard;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

pub fn draw(root: &DrawingArea<SVGBackend, Shift>, board: &Leaderboard) -> DrawResult {
    title(root, "Latency per sample")?;
    let rows = rows(board);
    // Headings are measured with the labels, so that they end left of the axis.
    let labels: Vec<&str> = rows.iter().map(Row::text).collect();
    let n = rows.len();
    let x_max =
        board.entries.iter().filter_map(|e| e.speed.latency_s.as_ref()).map(|d| d.max).fold(0.0, f64::max);
    let mut chart = ChartBuilder::on(root)
        .margin_top(46)
        .margin_left(8)
        .margin_right(190)
        .margin_bottom(8)
        .x_label_area_size(44)
        .y_label_area_size(label_width(&labels, 13.0))
        .build_cartesian_2d(0.0..(x_max * 1.05).max(1.0), -0.5..(n as f64 - 0.5))?;
    let mut mesh = chart.configure_mesh();
    house_style(&mut mesh)
        .disable_y_mesh()
        .y_labels(0)
        .x_labels(10)
        .x_label_formatter(&|v| format!("{v} s"))
        .x_desc("seconds from the request to the last token")
        .draw()?;

    for (row, r) in rows.iter().enumerate() {
        let y = (n - 1 - row) as f64;
        let (lx, ly) = chart.backend_coord(&(0.0, y));
        let (i, e) = match r {
            Row::Heading(heading) => {
                root.draw(&Text::new(heading.clone(), (16, ly), text(13.0, INK, HPos::Left, VPos::Center)))?;
                continue;
            }
            Row::Entry(i, e) => (*i, *e),
        };
        root.draw(&Text::new(e.label.clone(), (lx - 10, ly), text(13.0, INK, HPos::Right, VPos::Center)))?;
        let Some(d) = &e.speed.latency_s else {
            root.draw(&Text::new(
                "no generation measurements (replayed samples)",
                (lx + 8, ly),
                text(12.0, MUTED, HPos::Left, VPos::Center),
            ))?;
            continue;
        };
        let color = entry_color(i);
        let line = INK.stroke_width(2);
        chart.draw_series([
            PathElement::new(vec![(d.p10, y), (d.q1, y)], line),
            PathElement::new(vec![(d.q3, y), (d.p90, y)], line),
            PathElement::new(vec![(d.p10, y - 0.15), (d.p10, y + 0.15)], line),
            PathElement::new(vec![(d.p90, y - 0.15), (d.p90, y + 0.15)], line),
        ])?;
        chart.draw_series([Rectangle::new([(d.q1, y - 0.3), (d.q3, y + 0.3)], color.mix(0.45).filled())])?;
        chart.draw_series([Rectangle::new([(d.q1, y - 0.3), (d.q3, y + 0.3)], color.stroke_width(2))])?;
        chart.draw_series([PathElement::new(
            vec![(d.median, y - 0.3), (d.median, y + 0.3)],
            INK.stroke_width(3),
        )])?;
        chart.draw_series([d.min, d.max].map(|x| Circle::new((x, y), 3, INK.filled())))?;
        let (x, py) = chart.backend_coord(&(d.max, y));
        root.draw(&Text::new(
            format!("median {:.2} s · n={}", d.median, d.n),
            (x + 10, py),
            text(12.0, INK, HPos::Left, VPos::Center),
        ))?;
    }
    Ok(())
}
