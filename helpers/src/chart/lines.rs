//! Lines over a numeric x: measured series with points and min-max bars, models dashed; each axis linear or log.

use super::alt::{self, Alt, Point};
use super::keys::{self, Key};
use super::style::{self, Look, Looks};
use super::{bounds, err, render, Area, Chart, SIZE};
use crate::error::{LabError, Result};
use crate::result::{LabResult, Series};
use plotters::coord::combinators::{BindKeyPoints, IntoLogRange, LogCoord, WithKeyPoints};
use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::prelude::*;

/// What to draw from a result: every series measuring `y`, against its x.
#[derive(Debug, Clone)]
pub struct LineSpec {
    pub y: String,
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub log_x: bool,
    pub log_y: bool,
    /// Where the legend sits: the corner the data leaves free.
    pub legend: SeriesLabelPosition,
    /// Series to draw (by name); empty draws every series measuring `y`.
    pub only: Vec<String>,
    /// More measures to draw beside `y` (each in a lighter shade, labelled "name y").
    pub also: Vec<String>,
}

impl LineSpec {
    /// Linear axes, legend top right; chain `.log_x()`, `.log_y()`, `.legend(..)` to change that.
    pub fn new(y: &str, title: &str, x_label: &str, y_label: &str) -> Self {
        LineSpec {
            y: y.into(),
            title: title.into(),
            x_label: x_label.into(),
            y_label: y_label.into(),
            log_x: false,
            log_y: false,
            legend: SeriesLabelPosition::UpperRight,
            only: Vec::new(),
            also: Vec::new(),
        }
    }
    /// Draws these measures too, e.g. the other garbage-collector generations.
    pub fn also(mut self, ys: &[&str]) -> Self {
        self.also = ys.iter().map(|y| y.to_string()).collect();
        self
    }
    /// Draws only these series, in the result's order.
    pub fn only(mut self, names: &[&str]) -> Self {
        self.only = names.iter().map(|n| n.to_string()).collect();
        self
    }
    pub fn log_x(mut self) -> Self {
        self.log_x = true;
        self
    }
    pub fn log_y(mut self) -> Self {
        self.log_y = true;
        self
    }
    pub fn legend(mut self, position: SeriesLabelPosition) -> Self {
        self.legend = position;
        self
    }
}

/// Draws every series in `result` that measures `spec.y`: measured lines with points (and min-max bars when
/// there were repeats), the model dashed.
pub fn lines(result: &LabResult, spec: &LineSpec) -> Result<Chart> {
    let series: Vec<&Series> = result
        .series
        .iter()
        .filter(|s| s.y == spec.y || spec.also.contains(&s.y))
        .filter(|s| spec.only.is_empty() || spec.only.contains(&s.name))
        .collect();
    if series.is_empty() {
        return Err(LabError::other(format!("{}: nothing measured `{}` to chart", result.experiment, spec.y)));
    }
    let xs = series.iter().flat_map(|s| s.points.iter().map(|p| p[0]));
    let ys = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p[1]).chain(s.min.iter().copied()).chain(s.max.iter().copied()));
    let (x, y) = (bounds(xs, spec.log_x, false), bounds(ys, spec.log_y, true));
    let (x, y) = (x.0..x.1, y.0..y.1);
    let chart = render(&spec.title, SIZE, |root| match (spec.log_x, spec.log_y) {
        // A log axis is another coordinate type: one generic drawing path, made for each pair of axes.
        (true, true) => draw(root, spec, &series, log(&x), log(&y)),
        (true, false) => draw(root, spec, &series, log(&x), y),
        (false, true) => draw(root, spec, &series, x, log(&y)),
        (false, false) => draw(root, spec, &series, x, y),
    })?;
    Ok(chart.with_alt(&describe(spec, &series).text(&spec.title)))
}

/// A log axis over `r` with the lab's key points (`style::log_keys`).
pub(super) fn log(r: &std::ops::Range<f64>) -> WithKeyPoints<LogCoord<f64>> {
    r.clone().log_scale().with_key_points(style::log_keys(r.start, r.end))
}

/// A series' name in the legend: models say they are; with several measures, each line is named by series and
/// measure.
fn label(spec: &LineSpec, s: &Series) -> String {
    if spec.also.is_empty() || style::is_model(&s.name) {
        style::legend(&s.name)
    } else {
        format!("{} {}", style::legend(&s.name), s.y)
    }
}

/// The alt text of what `draw` draws: the axes, then each series by its legend label, point by point with the
/// spread where drawn.
fn describe(spec: &LineSpec, series: &[&Series]) -> Alt {
    let mut text = Alt::new("series");
    text.axis("x", &spec.x_label, spec.log_x);
    text.axis("y", &spec.y_label, spec.log_y);
    let (x_unit, y_unit) = (alt::unit(&spec.x_label), alt::unit(&spec.y_label));
    for s in series {
        // A model is drawn as its line alone, so its alt text has no spread either.
        let spread = has_spread(s) && !style::is_model(&s.name);
        let points: Vec<Point> = s
            .points
            .iter()
            .enumerate()
            .map(|(i, p)| Point { x: p[0], y: p[1], spread: spread.then(|| (s.min[i], s.max[i])) })
            .collect();
        text.part(alt::series(&label(spec, s), &points, &|x| alt::amount(x, &x_unit), &y_unit));
    }
    text
}

/// Whether `s` has a min and max for each point (repeats were measured): drawn as bars, said in the alt text.
fn has_spread(s: &Series) -> bool {
    s.min.len() == s.points.len() && s.max.len() == s.points.len()
}

/// Draws `series` on axes `x` and `y`, whichever scale each has.
fn draw<X, Y>(root: &Area, spec: &LineSpec, series: &[&Series], x: X, y: Y) -> Result<()>
where
    X: AsRangedCoord<Value = f64>,
    Y: AsRangedCoord<Value = f64>,
    X::CoordDescType: ValueFormatter<f64>,
    Y::CoordDescType: ValueFormatter<f64>,
{
    // With several measures, later measures are drawn in lighter shades.
    let shade = |s: &Series| spec.also.iter().position(|y| *y == s.y).map_or(0, |i| i + 1);
    let looks = Looks::new(series.iter().map(|s| s.name.as_str()));
    let look = |s: &Series| {
        let look = looks.of(&s.name);
        Look { colour: style::lighten(look.colour, shade(s) as f64 * 0.3), ..look }
    };
    let entries: Vec<(String, Key)> = series.iter().map(|s| (label(spec, s), Key::Stroke(look(s)))).collect();
    let plot = keys::titled(root, &spec.title, &entries)?;
    let mut chart = style::frame(&plot, "").build_cartesian_2d(x, y).map_err(err)?;
    style::grid(&mut chart.configure_mesh(), 14)
        .x_desc(spec.x_label.as_str())
        .y_desc(spec.y_label.as_str())
        .x_label_formatter(&|v| style::tick(*v))
        .y_label_formatter(&|v| style::tick(*v))
        .draw()
        .map_err(err)?;
    for s in series {
        let look = look(s);
        let c = look.colour;
        let pts: Vec<(f64, f64)> = s.points.iter().map(|p| (p[0], p[1])).collect();
        let drawn = if look.dashed {
            chart.draw_series(DashedLineSeries::new(pts.clone(), 7, 5, c.stroke_width(2)))
        } else {
            chart.draw_series(LineSeries::new(pts.clone(), c.stroke_width(2)))
        };
        drawn.map_err(err)?;
        if style::is_model(&s.name) {
            continue;
        }
        // Points mark the measurements; on dense lines they would only blot the line.
        if pts.len() <= 50 {
            chart.draw_series(pts.iter().map(|&p| Circle::new(p, 3, c.filled()))).map_err(err)?;
        }
        if has_spread(s) {
            let spread = s
                .points
                .iter()
                .zip(s.min.iter().zip(&s.max))
                .map(|(p, (lo, hi))| ErrorBar::new_vertical(p[0], *lo, p[1], *hi, c.stroke_width(1), 8));
            chart.draw_series(spread).map_err(err)?;
        }
    }
    Ok(())
}
