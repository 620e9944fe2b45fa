//! pass@1 per entry on its group's common tasks, best at the top of each group, as horizontal
//! bars with the 95% interval as whiskers.

use super::style::{entry_color, house_style, label_width, text, title, INK};
use super::{rows, DrawResult, Row};
use crate::Leaderboard;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

pub fn draw(root: &DrawingArea<SVGBackend, Shift>, board: &Leaderboard) -> DrawResult {
    let confidence = board.confidence * 100.0;
    match board.groups.as_slice() {
        [g] => title(
            root,
            &format!("pass@1 on {} common tasks, with {confidence:.0}% interval", g.common_tasks),
        )?,
        _ => title(root, &format!("pass@1 on each group's common tasks, with {confidence:.0}% interval"))?,
    }
    let rows = rows(board);
    // Headings are measured with the labels, so that they end left of the axis.
    let labels: Vec<&str> = rows.iter().map(Row::text).collect();
    let n = rows.len();
    let mut chart = ChartBuilder::on(root)
        .margin_top(46)
        .margin_left(8)
        .margin_right(170)
        .margin_bottom(8)
        .x_label_area_size(44)
        .y_label_area_size(label_width(&labels, 13.0))
        .build_cartesian_2d(0.0..1.0f64, -0.5..(n as f64 - 0.5))?;
    let mut mesh = chart.configure_mesh();
    house_style(&mut mesh)
        .disable_y_mesh()
        .y_labels(0)
        .x_labels(11)
        .x_label_formatter(&|v| format!("{:.0}%", v * 100.0))
        .x_desc("pass@1 on the common tasks (tasks solved by the first sample)")
        .draw()?;

    let stroke = INK.stroke_width(2);
    for (row, r) in rows.iter().enumerate() {
        // The first row at the top.
        let y = (n - 1 - row) as f64;
        let (i, e) = match r {
            Row::Heading(heading) => {
                let (_, py) = chart.backend_coord(&(0.0, y));
                root.draw(&Text::new(heading.clone(), (16, py), text(13.0, INK, HPos::Left, VPos::Center)))?;
                continue;
            }
            Row::Entry(i, e) => (*i, *e),
        };
        let p = &e.pass_at_1_common;
        chart.draw_series([Rectangle::new([(0.0, y - 0.3), (p.value, y + 0.3)], entry_color(i).filled())])?;
        chart.draw_series([
            PathElement::new(vec![(p.low, y), (p.high, y)], stroke),
            PathElement::new(vec![(p.low, y - 0.15), (p.low, y + 0.15)], stroke),
            PathElement::new(vec![(p.high, y - 0.15), (p.high, y + 0.15)], stroke),
        ])?;
        let (x, py) = chart.backend_coord(&(p.high, y));
        root.draw(&Text::new(
            format!("{:.1}%  [{:.1}, {:.1}]", p.value * 100.0, p.low * 100.0, p.high * 100.0),
            (x + 8, py),
            text(12.0, INK, HPos::Left, VPos::Center),
        ))?;
        let (x, py) = chart.backend_coord(&(0.0, y));
        root.draw(&Text::new(e.label.clone(), (x - 10, py), text(13.0, INK, HPos::Right, VPos::Center)))?;
    }
    Ok(())
}
