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
    /// More measures to draw beside `y` (each in a lighter shade, labelled by series and measure).
    pub also: Vec<String>,
    /// Words for the measures in the legend ("lateness_p50_ms" → "p50"); a measure not named here is said by its
    /// field name in words (underscores and the unit suffix dropped).
    pub names: Vec<(String, String)>,
    /// Small multiples: one panel per (caption, series names), stacked on shared axes, each with its own legend of
    /// a few entries; a series looks the same in every panel. Empty: one plot of every series.
    pub panels: Vec<(String, Vec<String>)>,
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
            names: Vec::new(),
            panels: Vec::new(),
        }
    }
    /// The legend's words for measures: (field, words).
    pub fn names(mut self, names: &[(&str, &str)]) -> Self {
        self.names = names.iter().map(|(y, w)| (y.to_string(), w.to_string())).collect();
        self
    }
    /// One panel per (caption, series), on shared axes: a handful of lines each instead of one crowded plot.
    pub fn panels(mut self, panels: &[(&str, &[&str])]) -> Self {
        self.panels =
            panels.iter().map(|(c, ns)| (c.to_string(), ns.iter().map(|n| n.to_string()).collect())).collect();
        self
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
        .filter(|s| spec.panels.is_empty() || spec.panels.iter().any(|(_, names)| names.contains(&s.name)))
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
    // A log x over a few measured points (workers 1, 2, 4, 8; tasks 10, 100, 400) is ticked at those points, so
    // that each tick names a measurement.
    let mut measured: Vec<f64> =
        series.iter().flat_map(|s| s.points.iter().map(|p| p[0])).filter(|v| *v > 0.0).collect();
    measured.sort_by(f64::total_cmp);
    measured.dedup_by(|a, b| (*a / *b - 1.0).abs() < 1e-9);
    let x_keys = (spec.log_x && measured.len() <= 8).then_some(measured);
    // The panels that have a series in this result (an older result may lack some).
    let panels: Vec<(&str, Vec<&Series>)> = spec
        .panels
        .iter()
        .map(|(caption, names)| {
            (caption.as_str(), series.iter().copied().filter(|s| names.contains(&s.name)).collect())
        })
        .filter(|(_, in_panel): &(&str, Vec<&Series>)| !in_panel.is_empty())
        .collect();
    let looks = Looks::new(series.iter().map(|s| s.name.as_str()));
    let size = if panels.is_empty() { SIZE } else { (SIZE.0, TITLE_PX + PANEL_PX * panels.len() as u32) };
    let chart = render(&spec.title, size, |root| {
        if panels.is_empty() {
            let plot = keys::titled(root, &spec.title, &entries(spec, &series, &looks))?;
            return plot_on(&plot, spec, &series, &looks, (&x, &y, &x_keys), true);
        }
        let rest = root.titled(&spec.title, ("sans-serif", 19)).map_err(err)?;
        let areas = rest.split_evenly((panels.len(), 1));
        for (i, ((caption, in_panel), area)) in panels.iter().zip(&areas).enumerate() {
            let area = area.titled(caption, ("sans-serif", 15)).map_err(err)?;
            let keyed = entries(spec, in_panel, &looks);
            let h = keys::height(&keyed, area.dim_in_pixel().0);
            let (strip, plot) = area.split_vertically(h);
            keys::draw(&strip, &keyed)?;
            plot_on(&plot, spec, in_panel, &looks, (&x, &y, &x_keys), i + 1 == panels.len())?;
        }
        Ok(())
    })?;
    let mut text = describe(spec, &series);
    if !panels.is_empty() {
        let said: Vec<String> = panels
            .iter()
            .map(|(c, in_panel)| {
                let names: Vec<String> = in_panel.iter().map(|s| label(spec, s)).collect();
                format!("{c} ({})", names.join(", "))
            })
            .collect();
        text.layout(format!("panels on shared axes: {}", said.join("; ")));
    }
    Ok(chart.described(&text))
}

/// The height of the chart's title, and of each panel of small multiples.
const TITLE_PX: u32 = 34;
const PANEL_PX: u32 = 290;

/// Draws `series` on `plot` over the spans `x` and `y`, each axis linear or log as `spec` says (a log x ticked at
/// `x_keys` where given); the x axis is described only where `x_desc` (the bottom panel of small multiples).
fn plot_on(
    plot: &Area,
    spec: &LineSpec,
    series: &[&Series],
    looks: &Looks,
    (x, y, x_keys): (&std::ops::Range<f64>, &std::ops::Range<f64>, &Option<Vec<f64>>),
    x_desc: bool,
) -> Result<()> {
    let (x, y) = (x.clone(), y.clone());
    let log_x = || match x_keys {
        Some(keys) => x.clone().log_scale().with_key_points(keys.clone()),
        None => log(&x),
    };
    match (spec.log_x, spec.log_y) {
        // A log axis is another coordinate type: one generic drawing path, made for each pair of axes.
        (true, true) => draw(plot, spec, series, looks, x_desc, log_x(), log(&y)),
        (true, false) => draw(plot, spec, series, looks, x_desc, log_x(), y),
        (false, true) => draw(plot, spec, series, looks, x_desc, x, log(&y)),
        (false, false) => draw(plot, spec, series, looks, x_desc, x, y),
    }
}

/// A log axis over `r` with the lab's key points (`style::log_keys`).
pub(super) fn log(r: &std::ops::Range<f64>) -> WithKeyPoints<LogCoord<f64>> {
    r.clone().log_scale().with_key_points(style::log_keys(r.start, r.end))
}

/// A series' name in the legend: models say they are; with several measures, each line is named by series and
/// measure, the measure in words.
fn label(spec: &LineSpec, s: &Series) -> String {
    if spec.also.is_empty() || style::is_model(&s.name) {
        style::legend(&s.name)
    } else {
        format!("{} {}", style::legend(&s.name), measure(spec, &s.y))
    }
}

/// A measure's words: as `spec.names` says, else its field name without the unit suffix, underscores as spaces
/// ("gc_max_pause_ms" → "gc max pause").
fn measure(spec: &LineSpec, y: &str) -> String {
    if let Some((_, words)) = spec.names.iter().find(|(field, _)| field == y) {
        return words.clone();
    }
    let stem = ["_ms", "_s", "_us", "_bytes", "_mb", "_per_s"].iter().find_map(|u| y.strip_suffix(u)).unwrap_or(y);
    stem.replace('_', " ")
}

/// The legend entries of `series`, each with its look (later measures lighter).
fn entries(spec: &LineSpec, series: &[&Series], looks: &Looks) -> Vec<(String, Key)> {
    series.iter().map(|s| (label(spec, s), Key::Stroke(look(spec, looks, s)))).collect()
}

/// How `s` is drawn: its series' look, in a lighter shade for each further measure.
fn look(spec: &LineSpec, looks: &Looks, s: &Series) -> Look {
    let shade = spec.also.iter().position(|y| *y == s.y).map_or(0, |i| i + 1);
    let look = looks.of(&s.name);
    Look { colour: style::lighten(look.colour, shade as f64 * 0.3), ..look }
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

/// Draws `series` on `plot` with axes `x` and `y`, whichever scale each has.
fn draw<X, Y>(plot: &Area, spec: &LineSpec, series: &[&Series], looks: &Looks, x_desc: bool, x: X, y: Y) -> Result<()>
where
    X: AsRangedCoord<Value = f64>,
    Y: AsRangedCoord<Value = f64>,
    X::CoordDescType: ValueFormatter<f64>,
    Y::CoordDescType: ValueFormatter<f64>,
{
    let mut chart = style::frame(plot, "").build_cartesian_2d(x, y).map_err(err)?;
    let x_label = if x_desc { spec.x_label.as_str() } else { "" };
    keys::seen(x_label, None);
    keys::seen(&spec.y_label, None);
    let (x_top, y_top) = (style::reach(&chart.x_range()), style::reach(&chart.y_range()));
    style::grid(&mut chart.configure_mesh(), 14)
        .x_desc(x_label)
        .y_desc(spec.y_label.as_str())
        .x_label_formatter(&|v| style::tick_upto(*v, &spec.x_label, x_top))
        .y_label_formatter(&|v| style::tick_upto(*v, &spec.y_label, y_top))
        .draw()
        .map_err(err)?;
    for s in series {
        let look = look(spec, looks, s);
        let c = look.colour;
        // A log axis has no place for zero (a generation that never ran): the alt text says it, the plot leaves it.
        let pts: Vec<(f64, f64)> = s
            .points
            .iter()
            .filter(|p| (!spec.log_x || p[0] > 0.0) && (!spec.log_y || p[1] > 0.0))
            .map(|p| (p[0], p[1]))
            .collect();
        let drawn = if look.dashed {
            let (on, off) = style::dashes(look);
            chart.draw_series(DashedLineSeries::new(pts.clone(), on, off, c.stroke_width(2)))
        } else {
            chart.draw_series(LineSeries::new(pts.clone(), c.stroke_width(2)))
        };
        drawn.map_err(err)?;
        if style::is_model(&s.name) {
            continue;
        }
        // Points mark the measurements; on dense lines they would only blot the line.
        if pts.len() <= 50 {
            chart.draw_series(pts.iter().map(|&p| style::mark(p, look))).map_err(err)?;
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
