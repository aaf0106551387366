//! Charts: plotters draws SVG (no fonts needed), which becomes one `<img src="data:image/svg+xml;base64,..">` in
//! a text/html output. JupyterLab shows that whether or not the notebook is trusted, and it survives HTML export.
//! Charts draw results; they never measure.

use crate::display::{emit, Html};
use crate::error::{LabError, Result};
use crate::result::{LabResult, Series};
use base64::Engine;
use plotters::coord::combinators::IntoLogRange;
use plotters::coord::ranged1d::{IntoSegmentedCoord, SegmentValue};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

const SIZE: (u32, u32) = (760, 430);

/// A drawn chart: the SVG text and its title. Shown inline when it is a cell's value.
#[derive(Debug, Clone)]
pub struct Chart {
    pub title: String,
    pub svg: String,
}

impl Chart {
    /// The chart as an `<img>` with a base64 SVG data URI.
    pub fn to_html(&self) -> String {
        let b64 = base64::engine::general_purpose::STANDARD.encode(self.svg.as_bytes());
        format!(
            "<img alt=\"{}\" title=\"{}\" style=\"max-width:100%\" src=\"data:image/svg+xml;base64,{b64}\"/>",
            Html::escape(&self.title),
            Html::escape(&self.title)
        )
    }

    /// Writes the SVG to a file.
    pub fn save_svg(&self, path: impl AsRef<std::path::Path>) -> Result<()> {
        let path = path.as_ref();
        std::fs::write(path, &self.svg).map_err(|e| LabError::other(format!("cannot write {}: {e}", path.display())))
    }

    /// evcxr calls this when a chart is a cell's value.
    pub fn evcxr_display(&self) {
        emit("text/html", &self.to_html());
    }
}

/// The legend box every chart uses, at `position`.
macro_rules! legend_box {
    ($chart:expr, $position:expr) => {
        $chart
            .configure_series_labels()
            .position($position)
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(180, 180, 180))
            .label_font(("sans-serif", 14))
            .draw()
            .map_err(err)?
    };
}

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

/// The colour a series keeps on every chart.
/// Model and reference lines, drawn dashed.
const DASHED: [&str; 3] = ["ideal", "break-even", "cores present"];

/// Rust's async runtime orange, OS threads blue, processes purple, Python green (its variants in shades).
pub fn colour(name: &str) -> RGBColor {
    match name {
        "tokio" | "tokio multi_thread" => RGBColor(222, 99, 36),
        "tokio current_thread" => RGBColor(240, 150, 60),
        "tokio yield_now" => RGBColor(190, 80, 20),
        "spawn_blocking" => RGBColor(170, 60, 60),
        "threads" | "rayon" => RGBColor(31, 119, 180),
        "gil model" => RGBColor(120, 160, 200),
        "threads virtual" => RGBColor(170, 200, 230),
        "serde_json" => RGBColor(222, 99, 36),
        "pipe round trip" => RGBColor(148, 103, 189),
        "python pickle" => RGBColor(150, 200, 120),
        "python pipe round trip" => RGBColor(20, 110, 40),
        "processes" => RGBColor(148, 103, 189),
        "sequential" => RGBColor(128, 128, 128),
        "python" | "python asyncio" => RGBColor(44, 160, 44),
        "python sequential" => RGBColor(150, 190, 150),
        "python to_thread" | "python threads" => RGBColor(100, 180, 80),
        "python processes" => RGBColor(20, 110, 40),
        "ideal" | "cores present" | "break-even" => RGBColor(40, 40, 40),
        // q6's variants
        "tokio holding 1 KiB" => RGBColor(190, 80, 20),
        "tokio mimalloc" => RGBColor(245, 160, 90),
        "tokio spawn all" => RGBColor(222, 99, 36),
        "tokio worker pool" | "tokio window" => RGBColor(245, 160, 90),
        "threads 64 KiB stack" => RGBColor(110, 160, 210),
        "python gather all" => RGBColor(44, 160, 44),
        "python worker pool" | "python window" => RGBColor(150, 210, 120),
        // q8's strategies
        "inline current_thread" => RGBColor(240, 150, 60),
        "inline multi_thread" => RGBColor(222, 99, 36),
        "batched" => RGBColor(148, 103, 189),
        "python inline" => RGBColor(44, 160, 44),
        "python batched" => RGBColor(120, 150, 40),
        // q7's variants: what the task does picks the hue, one thread (current_thread) the lighter shade.
        "sleep current_thread" => RGBColor(245, 160, 90),
        "sleep multi_thread" => RGBColor(222, 99, 36),
        "blocking sleep current_thread" => RGBColor(230, 120, 120),
        "blocking sleep multi_thread" => RGBColor(180, 40, 40),
        "spin current_thread" => RGBColor(110, 160, 210),
        "spin multi_thread" => RGBColor(31, 80, 160),
        "python asyncio.sleep" => RGBColor(150, 210, 120),
        "python time.sleep" => RGBColor(60, 160, 60),
        "python spin" => RGBColor(20, 90, 40),
        n if n.starts_with("python") => RGBColor(44, 160, 44),
        _ => RGBColor(140, 86, 75),
    }
}

/// Labels for a legend: the model line says what it is.
fn legend(name: &str) -> String {
    match name {
        "ideal" => "ideal (model)".into(),
        "python" => "python (asyncio)".into(),
        n => n.into(),
    }
}

/// A compact number for axis labels: 0.5, 10, 1000, 1e6.
fn tick(v: f64) -> String {
    let a = v.abs();
    if a == 0.0 {
        "0".into()
    } else if a >= 1e5 {
        format!("{v:.0e}")
    } else if a >= 10.0 {
        format!("{v:.0}")
    } else if a >= 1.0 {
        format!("{v:.1}")
    } else if a >= 0.01 {
        format!("{v:.2}")
    } else {
        format!("{v:.0e}")
    }
}

fn bounds(values: impl Iterator<Item = f64>, log: bool, from_zero: bool) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.filter(|v| v.is_finite() && (!log || *v > 0.0)) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        return if log { (0.1, 10.0) } else { (0.0, 1.0) };
    }
    if log {
        let (lo, hi) = (lo / 1.5, hi * 1.5);
        // Within one decade a log axis has no tick to label (one point, say): widen it to whole decades.
        if hi / lo < 10.0 {
            let lo = 10f64.powf(lo.log10().floor());
            (lo, 10f64.powf(hi.log10().ceil()).max(lo * 10.0))
        } else {
            (lo, hi)
        }
    } else {
        let lo = if from_zero { lo.min(0.0) } else { lo };
        let pad = ((hi - lo) * 0.08).max(hi.abs() * 0.05).max(1e-9);
        (if from_zero && lo >= 0.0 { 0.0 } else { lo - pad }, hi + pad)
    }
}

fn err(e: impl std::fmt::Display) -> LabError {
    LabError::other(format!("cannot draw the chart: {e}"))
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
    // With several measures, each line is named by series and measure, later measures in lighter shades.
    let shade = |s: &Series| spec.also.iter().position(|y| *y == s.y).map_or(0, |i| i + 1);
    let label =
        |s: &Series| if spec.also.is_empty() { legend(&s.name) } else { format!("{} {}", legend(&s.name), s.y) };
    if series.is_empty() {
        return Err(LabError::other(format!("{}: nothing measured `{}` to chart", result.experiment, spec.y)));
    }
    let xs = series.iter().flat_map(|s| s.points.iter().map(|p| p[0]));
    let ys = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p[1]).chain(s.min.iter().copied()).chain(s.max.iter().copied()));
    let (x0, x1) = bounds(xs, spec.log_x, false);
    let (y0, y1) = bounds(ys, spec.log_y, true);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        macro_rules! draw {
            ($xr:expr, $yr:expr) => {{
                let mut chart = ChartBuilder::on(&root)
                    .caption(&spec.title, ("sans-serif", 19))
                    .margin(14)
                    .x_label_area_size(44)
                    .y_label_area_size(64)
                    .build_cartesian_2d($xr, $yr)
                    .map_err(err)?;
                chart
                    .configure_mesh()
                    .x_desc(spec.x_label.as_str())
                    .y_desc(spec.y_label.as_str())
                    .x_label_formatter(&|v| tick(*v))
                    .y_label_formatter(&|v| tick(*v))
                    .label_style(("sans-serif", 14))
                    .axis_desc_style(("sans-serif", 15))
                    .light_line_style(WHITE)
                    .bold_line_style(RGBColor(225, 225, 225))
                    .draw()
                    .map_err(err)?;
                for s in &series {
                    let base = colour(&s.name);
                    let k = shade(s) as f64 * 0.3;
                    let mix = |v: u8| (v as f64 + (255.0 - v as f64) * k.min(0.7)) as u8;
                    let c = RGBColor(mix(base.0), mix(base.1), mix(base.2));
                    let pts: Vec<(f64, f64)> = s.points.iter().map(|p| (p[0], p[1])).collect();
                    if DASHED.contains(&s.name.as_str()) {
                        chart
                            .draw_series(DashedLineSeries::new(pts.clone(), 7, 5, c.stroke_width(2)))
                            .map_err(err)?
                            .label(legend(&s.name))
                            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 22, y)], c.stroke_width(2)));
                        continue;
                    }
                    chart
                        .draw_series(LineSeries::new(pts.clone(), c.stroke_width(2)))
                        .map_err(err)?
                        .label(label(s))
                        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 22, y)], c.stroke_width(2)));
                    if pts.len() <= 50 {
                        chart.draw_series(pts.iter().map(|&p| Circle::new(p, 3, c.filled()))).map_err(err)?;
                    }
                    if s.min.len() == s.points.len() && s.max.len() == s.points.len() {
                        let bars =
                            s.points.iter().zip(s.min.iter().zip(&s.max)).map(|(p, (lo, hi))| {
                                ErrorBar::new_vertical(p[0], *lo, p[1], *hi, c.stroke_width(1), 8)
                            });
                        chart.draw_series(bars).map_err(err)?;
                    }
                }
                legend_box!(chart, spec.legend.clone());
            }};
        }
        match (spec.log_x, spec.log_y) {
            (true, true) => draw!((x0..x1).log_scale(), (y0..y1).log_scale()),
            (true, false) => draw!((x0..x1).log_scale(), y0..y1),
            (false, true) => draw!(x0..x1, (y0..y1).log_scale()),
            (false, false) => draw!(x0..x1, y0..y1),
        }
        root.present().map_err(err)?;
    }
    Ok(Chart { title: spec.title.clone(), svg })
}

/// A chart whose x axis is `n` labelled categories (bars, stacked bars, lines over limits), with the lab's mesh.
macro_rules! category_chart {
    ($root:expr, $title:expr, $n:expr, $yr:expr, $labels:expr, $x_desc:expr, $y_desc:expr) => {{
        let mut chart = ChartBuilder::on($root)
            .caption($title, ("sans-serif", 19))
            .margin(14)
            .x_label_area_size(44)
            .y_label_area_size(64)
            .build_cartesian_2d((0..$n - 1).into_segmented(), $yr)
            .map_err(err)?;
        let labels: &[String] = $labels;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(labels.len())
            .x_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) | SegmentValue::Exact(i) => {
                    labels.get(*i as usize).cloned().unwrap_or_default()
                }
                SegmentValue::Last => String::new(),
            })
            .x_desc($x_desc)
            .y_desc($y_desc)
            .y_label_formatter(&|v| tick(*v))
            .label_style(("sans-serif", 13))
            .axis_desc_style(("sans-serif", 15))
            .light_line_style(WHITE)
            .bold_line_style(RGBColor(225, 225, 225))
            .draw()
            .map_err(err)?;
        chart
    }};
}

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

/// Bars for single-valued series (one per strategy or runtime), each labelled with its value; bars whose
/// series the run did not produce are left out.
pub fn bars(result: &LabResult, spec: &BarSpec) -> Result<Chart> {
    let found: Vec<(String, String, f64)> = spec
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
    let n = found.len() as i32;
    // Room for the labels: wider charts for many bars.
    let size = (SIZE.0.max(110 * n as u32 + 120), SIZE.1);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let labels: Vec<String> = found.iter().map(|f| f.1.clone()).collect();
        macro_rules! draw {
            ($yr:expr) => {{
                let mut chart = category_chart!(&root, &spec.title, n, $yr, &labels, "", spec.y_label.as_str());
                for (i, (name, _, v)) in found.iter().enumerate() {
                    let c = colour(name);
                    let i = i as i32;
                    let mut bar =
                        Rectangle::new([(SegmentValue::Exact(i), y0), (SegmentValue::Exact(i + 1), *v)], c.filled());
                    bar.set_margin(0, 0, 10, 10);
                    chart.draw_series(std::iter::once(bar)).map_err(err)?;
                    let text = if v.abs() >= 10.0 { format!("{v:.1}") } else { format!("{v:.3}") };
                    let at = if spec.log_y { *v * 1.04 } else { *v + (y1 - y0) * 0.01 };
                    chart
                        .draw_series(std::iter::once(Text::new(
                            text,
                            (SegmentValue::CenterOf(i), at),
                            ("sans-serif", 13).into_font().color(&BLACK).pos(Pos::new(HPos::Center, VPos::Bottom)),
                        )))
                        .map_err(err)?;
                }
                if let Some((r, label)) = &spec.reference {
                    let line = vec![(SegmentValue::Exact(0), *r), (SegmentValue::Last, *r)];
                    let grey = RGBColor(40, 40, 40);
                    chart
                        .draw_series(DashedLineSeries::new(line, 7, 5, grey.stroke_width(2)))
                        .map_err(err)?
                        .label(label.clone())
                        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 22, y)], grey.stroke_width(2)));
                    legend_box!(chart, SeriesLabelPosition::UpperLeft);
                }
            }};
        }
        if spec.log_y {
            draw!((y0..y1).log_scale())
        } else {
            draw!(y0..y1)
        }
        root.present().map_err(err)?;
    }
    Ok(Chart { title: spec.title.clone(), svg })
}

/// Categories along x (e.g. limits, with "none" among them): each is an x value of the series and its label.
#[derive(Debug, Clone)]
pub struct Categories {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub categories: Vec<(f64, String)>,
    pub log_y: bool,
}

/// Lines over categories: every series measuring `y` (among `names`), one point per category.
pub fn category_lines(result: &LabResult, y: &str, names: &[&str], spec: &Categories) -> Result<Chart> {
    let series: Vec<&Series> = names.iter().filter_map(|n| result.series(n, y)).collect();
    if series.is_empty() || spec.categories.is_empty() {
        return Err(LabError::other(format!("{}: nothing measured `{y}` to chart", result.experiment)));
    }
    let index = |x: f64| spec.categories.iter().position(|c| (c.0 - x).abs() < 1e-9);
    let values = series.iter().flat_map(|s| s.points.iter().map(|p| p[1]));
    let (y0, y1) = bounds(values, spec.log_y, true);
    let n = spec.categories.len() as i32;
    let labels: Vec<String> = spec.categories.iter().map(|c| c.1.clone()).collect();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        macro_rules! draw {
            ($yr:expr) => {{
                let mut chart =
                    category_chart!(&root, &spec.title, n, $yr, &labels, spec.x_label.as_str(), spec.y_label.as_str());
                for s in &series {
                    let c = colour(&s.name);
                    let pts: Vec<(SegmentValue<i32>, f64)> = s
                        .points
                        .iter()
                        .filter(|p| !spec.log_y || p[1] > 0.0)
                        .filter_map(|p| index(p[0]).map(|i| (SegmentValue::CenterOf(i as i32), p[1])))
                        .collect();
                    chart
                        .draw_series(LineSeries::new(pts.clone(), c.stroke_width(2)))
                        .map_err(err)?
                        .label(legend(&s.name))
                        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 22, y)], c.stroke_width(2)));
                    chart.draw_series(pts.into_iter().map(|p| Circle::new(p, 3, c.filled()))).map_err(err)?;
                }
                legend_box!(chart, SeriesLabelPosition::UpperLeft);
            }};
        }
        if spec.log_y {
            draw!((y0..y1).log_scale())
        } else {
            draw!(y0..y1)
        }
        root.present().map_err(err)?;
    }
    Ok(Chart { title: spec.title.clone(), svg })
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
    let n = bars.len() as i32;
    let palette = [
        RGBColor(60, 160, 80),
        RGBColor(240, 170, 50),
        RGBColor(148, 103, 189),
        RGBColor(200, 60, 60),
        RGBColor(40, 40, 40),
        RGBColor(120, 120, 200),
    ];
    let labels: Vec<String> = bars.iter().map(|b| b.0.clone()).collect();
    let size = (SIZE.0.max(70 * n as u32 + 120), SIZE.1);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let mut chart = category_chart!(
            &root,
            &spec.title,
            n,
            0.0..top.max(1.0),
            &labels,
            spec.x_label.as_str(),
            spec.y_label.as_str()
        );
        for (k, (_, label)) in stacks.iter().enumerate() {
            let c = palette[k % palette.len()];
            let rects: Vec<Rectangle<(SegmentValue<i32>, f64)>> = bars
                .iter()
                .enumerate()
                .filter(|(_, b)| b.2[k] > 0.0)
                .map(|(i, b)| {
                    let below: f64 = b.2[..k].iter().sum();
                    let mut r = Rectangle::new(
                        [(SegmentValue::Exact(i as i32), below), (SegmentValue::Exact(i as i32 + 1), below + b.2[k])],
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
        legend_box!(chart, SeriesLabelPosition::UpperRight);
        root.present().map_err(err)?;
    }
    Ok(Chart { title: spec.title.clone(), svg })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::result::{Machine, Series};

    fn result() -> LabResult {
        let line =
            |name: &str, y: &str, pts: &[[f64; 2]]| Series { points: pts.to_vec(), ..Series::new(name, "limit", y) };
        LabResult {
            experiment: "q0".into(),
            params: serde_json::json!({}),
            machine: Machine::default(),
            headline: String::new(),
            series: vec![
                line("tokio", "runtime_s", &[[10.0, 10.1], [100.0, 1.01]]),
                line("ideal", "runtime_s", &[[10.0, 10.0], [100.0, 1.0]]),
                line("tokio", "ok", &[[0.0, 700.0], [10.0, 1000.0]]),
                line("tokio", "timeouts", &[[0.0, 300.0], [10.0, 0.0]]),
                line("tokio", "spawn_us", &[[1.0, 0.6]]),
                line("threads", "spawn_us", &[[1.0, 61.0]]),
            ],
            claims: vec![],
        }
    }

    fn is_chart(c: &Chart, title: &str) {
        assert!(c.svg.starts_with("<svg") && c.svg.contains(title), "{}", &c.svg[..c.svg.len().min(200)]);
        assert!(c.to_html().contains("src=\"data:image/svg+xml;base64,"));
    }

    #[test]
    fn every_kind_of_chart_draws_an_svg_with_its_title() {
        let r = result();
        is_chart(&lines(&r, &LineSpec::new("runtime_s", "Runtime", "limit", "s").log_x().log_y()).unwrap(), "Runtime");
        let bars_spec =
            BarSpec::new("Spawn", "µs", &[("tokio", "spawn_us", "tokio"), ("threads", "spawn_us", "threads")]);
        is_chart(&bars(&r, &bars_spec.log_y().reference(2.0, "cores present")).unwrap(), "Spawn");
        let cats = Categories {
            title: "Outcomes".into(),
            x_label: "limit".into(),
            y_label: "requests".into(),
            categories: vec![(0.0, "none".into()), (10.0, "10".into())],
            log_y: false,
        };
        is_chart(&stacked_bars(&r, &["tokio"], &[("ok", "ok"), ("timeouts", "timeout")], &cats).unwrap(), "Outcomes");
        is_chart(&category_lines(&r, "ok", &["tokio"], &cats).unwrap(), "Outcomes");
    }

    #[test]
    fn a_log_axis_within_one_decade_still_has_ticks() {
        // One limit (a user's `limits: vec![50]`): the axes widen to whole decades, so labels are drawn.
        assert_eq!(bounds([50.0].into_iter(), true, false), (10.0, 100.0));
        assert_eq!(bounds([2.0, 2.1].into_iter(), true, false), (1.0, 10.0));
        assert_eq!(bounds([1.0, 1000.0].into_iter(), true, false), (1.0 / 1.5, 1500.0));
        let mut r = result();
        r.series.retain(|s| s.y == "runtime_s");
        for s in &mut r.series {
            s.points.truncate(1);
        }
        let c = lines(&r, &LineSpec::new("runtime_s", "Runtime", "limit", "s").log_x().log_y()).unwrap();
        assert!(c.svg.contains(">\n10\n<") && c.svg.contains(">\n100\n<"), "no decade labels on the axes");
    }

    #[test]
    fn a_chart_of_nothing_is_an_error_not_a_panic() {
        let r = result();
        let e = lines(&r, &LineSpec::new("latency", "L", "x", "y")).unwrap_err();
        assert!(e.message.contains("nothing measured `latency`"), "{e}");
        assert!(bars(&r, &BarSpec::new("B", "y", &[("rayon", "spawn_us", "rayon")])).is_err());
    }
}
