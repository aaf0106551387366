//! Charts over labelled categories along x (limits with "none" among them, say): lines over categories,
//! stacked bars, and the segmented frame that bars share with them.

use super::style::{self, Colours};
use super::{err, render, Area, Chart, SIZE};
use crate::error::{LabError, Result};
use crate::result::{LabResult, Series};
use plotters::coord::combinators::IntoLogRange;
use plotters::coord::ranged1d::{AsRangedCoord, IntoSegmentedCoord, SegmentValue, SegmentedCoord, ValueFormatter};
use plotters::coord::types::RangedCoordi32;
use plotters::prelude::*;

/// A chart over segmented x.
pub(super) type Segmented<'a, 'c, Y> = ChartContext<'a, SVGBackend<'c>, Cartesian2d<SegmentedCoord<RangedCoordi32>, Y>>;

/// Categories along x (e.g. limits, with "none" among them): each is an x value of the series and its label.
#[derive(Debug, Clone)]
pub struct Categories {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub categories: Vec<(f64, String)>,
    pub log_y: bool,
}

/// A chart whose x axis is one segment per label (bars, stacked bars, lines over limits), its mesh drawn.
pub(super) fn frame<'a, 'c, Y>(
    root: &'a Area<'c>,
    title: &str,
    labels: &[String],
    y: Y,
    x_desc: &str,
    y_desc: &str,
) -> Result<Segmented<'a, 'c, Y::CoordDescType>>
where
    Y: AsRangedCoord<Value = f64>,
    Y::CoordDescType: ValueFormatter<f64>,
{
    let x = (0..labels.len() as i32 - 1).into_segmented();
    let mut chart = style::frame(root, title).build_cartesian_2d(x, y).map_err(err)?;
    style::grid(&mut chart.configure_mesh(), 13)
        .disable_x_mesh()
        .x_labels(labels.len())
        .x_label_formatter(&|v| match v {
            SegmentValue::CenterOf(i) | SegmentValue::Exact(i) => labels.get(*i as usize).cloned().unwrap_or_default(),
            SegmentValue::Last => String::new(),
        })
        .x_desc(x_desc)
        .y_desc(y_desc)
        .y_label_formatter(&|v| style::tick(*v))
        .draw()
        .map_err(err)?;
    Ok(chart)
}

/// Lines over categories: every series measuring `y` (among `names`), one point per category.
pub fn category_lines(result: &LabResult, y: &str, names: &[&str], spec: &Categories) -> Result<Chart> {
    let series: Vec<&Series> = names.iter().filter_map(|n| result.series(n, y)).collect();
    if series.is_empty() || spec.categories.is_empty() {
        return Err(LabError::other(format!("{}: nothing measured `{y}` to chart", result.experiment)));
    }
    let values = series.iter().flat_map(|s| s.points.iter().map(|p| p[1]));
    let (y0, y1) = super::bounds(values, spec.log_y, true);
    render(&spec.title, SIZE, |root| {
        if spec.log_y {
            draw_lines(root, spec, &series, (y0..y1).log_scale())
        } else {
            draw_lines(root, spec, &series, y0..y1)
        }
    })
}

/// Draws `series` over the categories on axis `y`, whichever scale it has.
fn draw_lines<Y>(root: &Area, spec: &Categories, series: &[&Series], y: Y) -> Result<()>
where
    Y: AsRangedCoord<Value = f64>,
    Y::CoordDescType: ValueFormatter<f64>,
{
    let labels: Vec<String> = spec.categories.iter().map(|c| c.1.clone()).collect();
    let mut chart = frame(root, &spec.title, &labels, y, &spec.x_label, &spec.y_label)?;
    let index = |x: f64| spec.categories.iter().position(|c| (c.0 - x).abs() < 1e-9);
    let colours = Colours::new(series.iter().map(|s| s.name.as_str()));
    for s in series {
        let c = colours.of(&s.name);
        let pts: Vec<(SegmentValue<i32>, f64)> = s
            .points
            .iter()
            .filter(|p| !spec.log_y || p[1] > 0.0)
            .filter_map(|p| index(p[0]).map(|i| (SegmentValue::CenterOf(i as i32), p[1])))
            .collect();
        chart
            .draw_series(LineSeries::new(pts.clone(), c.stroke_width(2)))
            .map_err(err)?
            .label(style::legend(&s.name))
            .legend(style::line_key(c));
        chart.draw_series(pts.into_iter().map(|p| Circle::new(p, 3, c.filled()))).map_err(err)?;
    }
    style::legend_box(&mut chart, SeriesLabelPosition::UpperLeft)
}

/// Stacked bars: for each category and each series name, one bar whose segments are the `stacks` (y, label).
pub fn stacked_bars(result: &LabResult, names: &[&str], stacks: &[(&str, &str)], spec: &Categories) -> Result<Chart> {
    // (category label, series name, [segment values])
    let mut bars: Vec<(String, String, Vec<f64>)> = Vec::new();
    for (x, label) in &spec.categories {
        for name in names {
            let vals: Vec<f64> =
                stacks.iter().map(|(y, _)| result.series(name, y).and_then(|s| s.at(*x)).unwrap_or(0.0)).collect();
            if result.series(name, stacks.first().map_or("", |s| s.0)).and_then(|s| s.at(*x)).is_some() {
                let short = if name.starts_with("python") { "py" } else { "rs" };
                bars.push((format!("{label} {short}"), name.to_string(), vals));
            }
        }
    }
    if bars.is_empty() {
        return Err(LabError::other(format!("{}: nothing measured to chart for {}", result.experiment, spec.title)));
    }
    let top = bars.iter().map(|b| b.2.iter().sum::<f64>()).fold(0.0, f64::max) * 1.25;
    let labels: Vec<String> = bars.iter().map(|b| b.0.clone()).collect();
    // Room for the labels: wider charts for many bars.
    let size = (SIZE.0.max(70 * bars.len() as u32 + 120), SIZE.1);
    render(&spec.title, size, |root| {
        let mut chart = frame(root, &spec.title, &labels, 0.0..top.max(1.0), &spec.x_label, &spec.y_label)?;
        for (k, (_, label)) in stacks.iter().enumerate() {
            let c = style::STACKS[k % style::STACKS.len()];
            let rects: Vec<Rectangle<(SegmentValue<i32>, f64)>> = bars
                .iter()
                .enumerate()
                .filter(|(_, b)| b.2[k] > 0.0)
                .map(|(i, b)| {
                    let below: f64 = b.2[..k].iter().sum();
                    let (i, top) = (i as i32, below + b.2[k]);
                    let mut r = Rectangle::new(
                        [(SegmentValue::Exact(i), below), (SegmentValue::Exact(i + 1), top)],
                        c.filled(),
                    );
                    r.set_margin(0, 0, 8, 8);
                    r
                })
                .collect();
            chart
                .draw_series(rects)
                .map_err(err)?
                .label(label.to_string())
                .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 14, y + 5)], c.filled()));
        }
        style::legend_box(&mut chart, SeriesLabelPosition::UpperRight)
    })
}
