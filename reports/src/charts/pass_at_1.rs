//! pass@1 per entry, best at the top, as horizontal bars with the 95% interval as whiskers.

use super::style::{entry_color, label_width, Scale, GRID, INK};
use super::DrawResult;
use crate::Leaderboard;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

pub fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, board: &Leaderboard, s: Scale) -> DrawResult
where
    DB::ErrorType: 'static,
{
    s.title(root, &format!("pass@1 with {:.0}% interval", board.confidence * 100.0))?;
    let labels: Vec<&str> = board.entries.iter().map(|e| e.label.as_str()).collect();
    let n = labels.len();
    let mut chart = ChartBuilder::on(root)
        .margin_top(s.upx(46.0))
        .margin_left(s.upx(8.0))
        .margin_right(s.upx(170.0))
        .margin_bottom(s.upx(8.0))
        .x_label_area_size(s.upx(44.0))
        .y_label_area_size(label_width(root, s, &labels, 13.0))
        .build_cartesian_2d(0.0..1.0f64, -0.5..(n as f64 - 0.5))?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(0)
        .x_labels(11)
        .x_label_formatter(&|v| format!("{:.0}%", v * 100.0))
        .x_desc("pass@1 (tasks solved by the first sample)")
        .label_style(s.text(12.0, INK, HPos::Center, VPos::Top))
        .axis_desc_style(s.text(13.0, INK, HPos::Center, VPos::Top))
        .bold_line_style(GRID.stroke_width(s.upx(1.0)))
        .light_line_style(TRANSPARENT)
        .axis_style(INK.stroke_width(s.upx(1.0)))
        .draw()?;

    let stroke = INK.stroke_width(s.upx(1.5));
    for (i, e) in board.entries.iter().enumerate() {
        // Best (first) entry at the top.
        let y = (n - 1 - i) as f64;
        let p = &e.pass_at_1;
        chart.draw_series([Rectangle::new([(0.0, y - 0.3), (p.value, y + 0.3)], entry_color(i).filled())])?;
        chart.draw_series([
            PathElement::new(vec![(p.low, y), (p.high, y)], stroke),
            PathElement::new(vec![(p.low, y - 0.15), (p.low, y + 0.15)], stroke),
            PathElement::new(vec![(p.high, y - 0.15), (p.high, y + 0.15)], stroke),
        ])?;
        let (x, py) = chart.backend_coord(&(p.high, y));
        root.draw(&Text::new(
            format!("{:.1}%  [{:.1}, {:.1}]", p.value * 100.0, p.low * 100.0, p.high * 100.0),
            (x + s.px(8.0), py),
            s.text(12.0, INK, HPos::Left, VPos::Center),
        ))?;
        let (x, py) = chart.backend_coord(&(0.0, y));
        root.draw(&Text::new(e.label.clone(), (x - s.px(10.0), py), s.text(13.0, INK, HPos::Right, VPos::Center)))?;
    }
    Ok(())
}
