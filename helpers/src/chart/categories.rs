//! Charts over labelled categories along x (limits with "none" among them, say): lines over categories,
//! stacked bars, and the segmented frame that bars share with them.

use super::alt::{self, Alt, Point};
use super::keys::{self, Key};
use super::style::{self, Looks};
use super::{err, render, Area, Chart, SIZE};
use crate::error::{LabError, Result};
use crate::result::{LabResult, Series};
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
    keys::seen(x_desc, None);
    keys::seen(y_desc, None);
    labels.iter().for_each(|l| keys::seen(l, None));
    let x = (0..labels.len() as i32 - 1).into_segmented();
    let mut chart = style::frame(root, title).build_cartesian_2d(x, y).map_err(err)?;
    let y_top = style::reach(&chart.y_range());
    style::grid(&mut chart.configure_mesh(), 13)
        .disable_x_mesh()
        .x_labels(labels.len())
        .x_label_formatter(&|v| match v {
            SegmentValue::CenterOf(i) | SegmentValue::Exact(i) => labels.get(*i as usize).cloned().unwrap_or_default(),
            SegmentValue::Last => String::new(),
        })
        .x_desc(x_desc)
        .y_desc(y_desc)
        .y_label_formatter(&|v| style::tick_upto(*v, y_desc, y_top))
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
    let chart = render(&spec.title, SIZE, |root| {
        if spec.log_y {
            draw_lines(root, spec, &series, super::lines::log(&(y0..y1)))
        } else {
            draw_lines(root, spec, &series, y0..y1)
        }
    })?;
    Ok(chart.described(&describe_lines(spec, &series)))
}

/// The points of `s` a line over categories draws: (category index, y) for each point at a category (on a log
/// axis, only positive ones).
fn drawn(spec: &Categories, s: &Series) -> Vec<(usize, f64)> {
    let index = |x: f64| spec.categories.iter().position(|c| (c.0 - x).abs() < 1e-9);
    s.points.iter().filter(|p| !spec.log_y || p[1] > 0.0).filter_map(|p| index(p[0]).map(|i| (i, p[1]))).collect()
}

/// The alt text of what `draw_lines` draws: the axes, then each series' value at each category.
fn describe_lines(spec: &Categories, series: &[&Series]) -> Alt {
    let mut text = Alt::new("series");
    text.axis("x", &spec.x_label, false);
    text.axis("y", &spec.y_label, spec.log_y);
    let unit = alt::unit(&spec.y_label);
    let category = |i: f64| spec.categories.get(i as usize).map_or_else(String::new, |c| c.1.clone());
    for s in series {
        let points: Vec<Point> =
            drawn(spec, s).into_iter().map(|(i, y)| Point { x: i as f64, y, spread: None }).collect();
        text.part(alt::series(&style::legend(&s.name), &points, &category, &unit));
    }
    text
}

/// Draws `series` over the categories on axis `y`, whichever scale it has.
fn draw_lines<Y>(root: &Area, spec: &Categories, series: &[&Series], y: Y) -> Result<()>
where
    Y: AsRangedCoord<Value = f64>,
    Y::CoordDescType: ValueFormatter<f64>,
{
    let labels: Vec<String> = spec.categories.iter().map(|c| c.1.clone()).collect();
    let looks = Looks::new(series.iter().map(|s| s.name.as_str()));
    let entries: Vec<(String, Key)> =
        series.iter().map(|s| (style::legend(&s.name), Key::Stroke(looks.of(&s.name)))).collect();
    let plot = keys::titled(root, &spec.title, &entries)?;
    let mut chart = frame(&plot, "", &labels, y, &spec.x_label, &spec.y_label)?;
    for s in series {
        let look = looks.of(&s.name);
        let c = look.colour;
        let pts: Vec<(SegmentValue<i32>, f64)> =
            drawn(spec, s).into_iter().map(|(i, y)| (SegmentValue::CenterOf(i as i32), y)).collect();
        let drawn = if look.dashed {
            let (on, off) = style::dashes(look);
            chart.draw_series(DashedLineSeries::new(pts.clone(), on, off, c.stroke_width(2)))
        } else {
            chart.draw_series(LineSeries::new(pts.clone(), c.stroke_width(2)))
        };
        drawn.map_err(err)?;
        chart.draw_series(pts.into_iter().map(|p| style::mark(p, look))).map_err(err)?;
    }
    Ok(())
}

/// One stacked bar: its category's label, its series, and the value of each stack (0 where not measured).
struct Stacked {
    category: String,
    name: String,
    values: Vec<f64>,
}

impl Stacked {
    /// The bar's label under the axis: its category, and which language measured it.
    fn label(&self) -> String {
        let short = if self.name.starts_with("python") { "py" } else { "rs" };
        format!("{} {short}", self.category)
    }
}

/// Stacked bars: for each category and each series name, one bar whose segments are the `stacks` (y, label).
pub fn stacked_bars(result: &LabResult, names: &[&str], stacks: &[(&str, &str)], spec: &Categories) -> Result<Chart> {
    let mut bars: Vec<Stacked> = Vec::new();
    for (x, category) in &spec.categories {
        for name in names {
            let values: Vec<f64> =
                stacks.iter().map(|(y, _)| result.series(name, y).and_then(|s| s.at(*x)).unwrap_or(0.0)).collect();
            if result.series(name, stacks.first().map_or("", |s| s.0)).and_then(|s| s.at(*x)).is_some() {
                bars.push(Stacked { category: category.clone(), name: name.to_string(), values });
            }
        }
    }
    if bars.is_empty() {
        return Err(LabError::other(format!("{}: nothing measured to chart for {}", result.experiment, spec.title)));
    }
    let top = bars.iter().map(|b| b.values.iter().sum::<f64>()).fold(0.0, f64::max) * 1.08;
    let labels: Vec<String> = bars.iter().map(Stacked::label).collect();
    // Room for the labels: wider charts for many bars.
    let size = (SIZE.0.max(70 * bars.len() as u32 + 120), SIZE.1);
    let chart = render(&spec.title, size, |root| {
        let entries: Vec<(String, Key)> = stacks
            .iter()
            .enumerate()
            .map(|(k, (_, label))| (label.to_string(), Key::Square(style::stack(label, k))))
            .collect();
        let plot = keys::titled(root, &spec.title, &entries)?;
        let mut chart = frame(&plot, "", &labels, 0.0..top.max(1.0), &spec.x_label, &spec.y_label)?;
        for (k, (_, label)) in stacks.iter().enumerate() {
            let c = style::stack(label, k);
            let rects: Vec<Rectangle<(SegmentValue<i32>, f64)>> = bars
                .iter()
                .enumerate()
                .filter(|(_, b)| b.values[k] > 0.0)
                .map(|(i, b)| {
                    let below: f64 = b.values[..k].iter().sum();
                    let (i, top) = (i as i32, below + b.values[k]);
                    let mut r = Rectangle::new(
                        [(SegmentValue::Exact(i), below), (SegmentValue::Exact(i + 1), top)],
                        c.filled(),
                    );
                    r.set_margin(0, 0, 8, 8);
                    r
                })
                .collect();
            chart.draw_series(rects).map_err(err)?;
        }
        Ok(())
    })?;
    Ok(chart.described(&describe_stacks(spec, stacks, &bars)))
}

/// The alt text of stacked `bars`: the axes, then per category and series each stack's value and the total. A
/// stack of 0 is drawn as no segment and left unsaid too: the total says that the rest is 0, and six zeros a bar
/// would bury the numbers that matter.
fn describe_stacks(spec: &Categories, stacks: &[(&str, &str)], bars: &[Stacked]) -> Alt {
    let mut text = Alt::new("bars");
    text.axis("x", &spec.x_label, false);
    text.axis("y", &spec.y_label, false);
    let unit = alt::unit(&spec.y_label);
    for b in bars {
        let segments: Vec<String> = stacks
            .iter()
            .zip(&b.values)
            .filter(|(_, v)| **v != 0.0)
            .map(|((_, label), v)| format!("{label} {}", style::value(*v)))
            .collect();
        let total = alt::amount(b.values.iter().sum(), &unit);
        text.part(format!("{}, {}: {} of {total}", b.category, style::legend(&b.name), segments.join(", ")));
    }
    text
}
