//! Bars for single-valued series (one per strategy or runtime), each labelled with its value. On a log axis a bar's
//! length means nothing (the axis has no zero to start from), so there the values are dots: a dot plot.

use super::alt::{self, Alt};
use super::categories::frame;
use super::keys::{self, Key};
use super::style::{self, Looks};
use super::vocab::Lang;
use super::{bounds, err, render, Area, Chart, SIZE};
use crate::error::{LabError, Result};
use crate::result::LabResult;
use plotters::coord::ranged1d::{AsRangedCoord, SegmentValue, ValueFormatter};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// What a bar chart shows: one bar per (series name, y, label) found in the result, in that order.
#[derive(Debug, Clone)]
pub struct BarSpec {
    pub title: String,
    pub y_label: String,
    pub bars: Vec<(String, String, String)>,
    /// A log axis keeps values that differ by orders of magnitude readable.
    pub log_y: bool,
    /// A dashed horizontal line, e.g. the cores present, with its label.
    pub reference: Option<(f64, String)>,
    /// Which point of each series: the one at this x, or (None) the first.
    pub at: Option<f64>,
}

impl BarSpec {
    pub fn new(title: &str, y_label: &str, bars: &[(&str, &str, &str)]) -> Self {
        BarSpec {
            title: title.into(),
            y_label: y_label.into(),
            bars: bars.iter().map(|(n, y, l)| (n.to_string(), y.to_string(), l.to_string())).collect(),
            log_y: false,
            reference: None,
            at: None,
        }
    }
    pub fn at(mut self, x: f64) -> Self {
        self.at = Some(x);
        self
    }
    pub fn log_y(mut self) -> Self {
        self.log_y = true;
        self
    }
    pub fn reference(mut self, value: f64, label: &str) -> Self {
        self.reference = Some((value, label.into()));
        self
    }
}

/// One bar found in the result: series name, label, value.
type Bar = (String, String, f64);

/// Bars for single-valued series (one per strategy or runtime), each labelled with its value; bars whose
/// series the run did not produce are left out.
pub fn bars(result: &LabResult, spec: &BarSpec) -> Result<Chart> {
    let found: Vec<Bar> = spec
        .bars
        .iter()
        .filter_map(|(name, y, label)| {
            let s = result.series(name, y)?;
            let v = match spec.at {
                Some(x) => s.at(x)?,
                None => s.points.first()?[1],
            };
            Some((name.clone(), label.clone(), v))
        })
        .collect();
    if found.is_empty() {
        return Err(LabError::other(format!("{}: nothing measured to chart for {}", result.experiment, spec.title)));
    }
    let values = found.iter().map(|f| f.2).chain(spec.reference.iter().map(|r| r.0));
    let (y0, y1) = bounds(values, spec.log_y, true);
    // Room for the labels: wider charts for many bars.
    let size = (SIZE.0.max(110 * found.len() as u32 + 120 * panels(&found).len() as u32), SIZE.1);
    let chart = render(&spec.title, size, |root| {
        if spec.log_y {
            draw(root, spec, &found, (y0, y1), || super::lines::log(&(y0..y1)))
        } else {
            draw(root, spec, &found, (y0, y1), || y0..y1)
        }
    })?;
    Ok(chart.described(&describe(spec, &found)))
}

/// The alt text of what `draw` draws: the axis, the dashed line, each bar's label and value as printed on it.
fn describe(spec: &BarSpec, found: &[Bar]) -> Alt {
    let mut text = Alt::new("bars");
    text.axis("y", &spec.y_label, spec.log_y);
    let unit = alt::unit(&spec.y_label);
    // The reference is said first: it is what the bars are read against, and a long list must not drop it.
    if let Some((r, label)) = &spec.reference {
        text.note(format!("dashed line at {}: {label}", alt::amount(*r, &unit)));
    }
    for (_, label, v) in found {
        text.part(format!("{label}: {}", alt::amount(*v, &unit)));
    }
    text
}

/// More bars than this, of both languages, become two panels side by side on one axis: Rust's, then Python's.
const PANEL_AT: usize = 6;

/// The panels `found` is drawn in: one of every bar, or past `PANEL_AT` bars of both languages, Rust's and
/// Python's (each bar keeps its place in its language's order).
fn panels(found: &[Bar]) -> Vec<(&'static str, Vec<&Bar>)> {
    let (python, rust): (Vec<&Bar>, Vec<&Bar>) = found.iter().partition(|b| Lang::of(&b.0) == Lang::Python);
    if found.len() <= PANEL_AT || python.is_empty() || rust.is_empty() {
        return vec![("", found.iter().collect())];
    }
    vec![("Rust", rust), ("Python", python)]
}

/// Draws the `found` bars from `y0` up on a linear axis `y` (spanning `y0..y1`), or on a log axis a dot at each
/// value over a faint guide; in panels by language where there are many (`panels`), each its own axis `y()`.
fn draw<Y>(root: &Area, spec: &BarSpec, found: &[Bar], (y0, y1): (f64, f64), y: impl Fn() -> Y) -> Result<()>
where
    Y: AsRangedCoord<Value = f64>,
    Y::CoordDescType: ValueFormatter<f64>,
{
    let entries: Vec<(String, Key)> = spec.reference.iter().map(|(_, label)| (label.clone(), Key::Dashed)).collect();
    let plot = keys::titled(root, &spec.title, &entries)?;
    // One look per series across the panels.
    let looks = Looks::new(found.iter().map(|f| f.0.as_str()));
    let panels = panels(found);
    let mut rest = plot;
    for (k, (caption, bars)) in panels.iter().enumerate() {
        // Each panel as wide as its bars, plus its own axis.
        let left: usize = panels[k + 1..].iter().map(|p| p.1.len()).sum();
        let w = rest.dim_in_pixel().0 as f64;
        let share = (bars.len() as f64 + 0.8) / ((bars.len() + left) as f64 + 0.8 * (panels.len() - k) as f64);
        let (area, after) = rest.split_horizontally((w * share) as u32);
        panel(&area, spec, caption, bars, &looks, (y0, y1), y())?;
        rest = after;
    }
    Ok(())
}

/// One panel of bars (or dots) under `caption`.
fn panel<Y>(
    area: &Area,
    spec: &BarSpec,
    caption: &str,
    found: &[&Bar],
    looks: &Looks,
    (y0, y1): (f64, f64),
    y: Y,
) -> Result<()>
where
    Y: AsRangedCoord<Value = f64>,
    Y::CoordDescType: ValueFormatter<f64>,
{
    let labels: Vec<String> = found.iter().map(|f| f.1.clone()).collect();
    let mut chart = frame(area, caption, &labels, y, "", &spec.y_label)?;
    for (i, (name, _, v)) in found.iter().map(|b| &**b).enumerate() {
        let look = looks.of(name);
        let i = i as i32;
        // Python's marks hollow (a thick outline), Rust's filled: the language channel of lines' dashes.
        let fill = if look.hollow { look.colour.stroke_width(3) } else { look.colour.filled() };
        let text = style::value_in(*v, &alt::unit(&spec.y_label));
        let font = ("sans-serif", 13).into_font().color(&BLACK);
        if spec.log_y {
            let guide = vec![(SegmentValue::CenterOf(i), y0), (SegmentValue::CenterOf(i), y1)];
            chart.draw_series(LineSeries::new(guide, style::GUIDE.stroke_width(1))).map_err(err)?;
            // The label beside the dot, so that neighbours' labels never meet whatever their values.
            let font = font.pos(Pos::new(HPos::Left, VPos::Center));
            let dot = EmptyElement::at((SegmentValue::CenterOf(i), *v))
                + Circle::new((0, 0), 7, fill)
                + Text::new(text, (11, 0), font);
            chart.draw_series(std::iter::once(dot)).map_err(err)?;
            continue;
        }
        let mut bar = Rectangle::new([(SegmentValue::Exact(i), y0), (SegmentValue::Exact(i + 1), *v)], fill);
        bar.set_margin(0, 0, 10, 10);
        chart.draw_series(std::iter::once(bar)).map_err(err)?;
        // Just above the bar: a fixed fraction of the axis.
        let at = *v + (y1 - y0) * 0.01;
        let font = font.pos(Pos::new(HPos::Center, VPos::Bottom));
        chart.draw_series(std::iter::once(Text::new(text, (SegmentValue::CenterOf(i), at), font))).map_err(err)?;
    }
    if let Some((r, _)) = &spec.reference {
        let line = vec![(SegmentValue::Exact(0), *r), (SegmentValue::Last, *r)];
        chart.draw_series(DashedLineSeries::new(line, 7, 5, style::REFERENCE.stroke_width(2))).map_err(err)?;
    }
    Ok(())
}
