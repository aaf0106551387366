//! What every chart shares so they look alike: series colours, legend labels and box, axis numbers, the frame
//! (caption, margins) and the mesh.

use super::{err, Area};
use crate::error::Result;
use plotters::chart::MeshStyle;
use plotters::coord::CoordTranslate;
use plotters::prelude::*;

/// Model and reference lines, drawn dashed.
const DASHED: [&str; 3] = ["ideal", "break-even", "cores present"];

/// Whether `name` is a model or reference line rather than a measurement: drawn dashed, in grey.
pub(super) fn is_model(name: &str) -> bool {
    DASHED.contains(&name)
}

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

/// Colours for the series of one chart: each name its `colour`.
pub(super) struct Colours;

impl Colours {
    pub(super) fn new<'n>(_names: impl IntoIterator<Item = &'n str>) -> Self {
        Colours
    }

    pub(super) fn of(&self, name: &str) -> RGBColor {
        colour(name)
    }
}

/// `c` moved towards white by `fraction` (at most 0.7, so a shade never vanishes).
pub(super) fn lighten(c: RGBColor, fraction: f64) -> RGBColor {
    let k = fraction.min(0.7);
    let mix = |v: u8| (v as f64 + (255.0 - v as f64) * k) as u8;
    RGBColor(mix(c.0), mix(c.1), mix(c.2))
}

/// The stacks of a stacked bar, in stack order: each stack is one measure, not one series.
pub(super) const STACKS: [RGBColor; 6] = [
    RGBColor(60, 160, 80),
    RGBColor(240, 170, 50),
    RGBColor(148, 103, 189),
    RGBColor(200, 60, 60),
    RGBColor(40, 40, 40),
    RGBColor(120, 120, 200),
];

/// Reference lines (bars' dashed line, models) are dark grey: not a series, so no palette colour.
pub(super) const REFERENCE: RGBColor = RGBColor(40, 40, 40);

/// Labels for a legend: the model line says what it is.
pub(super) fn legend(name: &str) -> String {
    match name {
        "ideal" => "ideal (model)".into(),
        "python" => "python (asyncio)".into(),
        n => n.into(),
    }
}

/// The legend's sample for a line series: a short stroke in its colour.
pub(super) fn line_key(c: RGBColor) -> impl Fn((i32, i32)) -> PathElement<(i32, i32)> {
    move |(x, y)| PathElement::new(vec![(x, y), (x + 22, y)], c.stroke_width(2))
}

/// A compact number for axis labels: 0.5, 10, 1000, 1e6.
pub(super) fn tick(v: f64) -> String {
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

/// The frame every chart has: caption, margin and room for the axis labels; the caller picks the axes.
pub(super) fn frame<'a, 'b, 'c>(root: &'a Area<'c>, title: &'b str) -> ChartBuilder<'a, 'b, SVGBackend<'c>> {
    let mut builder = ChartBuilder::on(root);
    builder.caption(title, ("sans-serif", 19)).margin(14).x_label_area_size(44).y_label_area_size(64);
    builder
}

/// The mesh every chart has: labels at `label_px`, faint horizontal and vertical lines only at the bold ticks.
pub(super) fn grid<'m, 'a, 'b, 'c, X: Ranged, Y: Ranged>(
    mesh: &'m mut MeshStyle<'a, 'b, X, Y, SVGBackend<'c>>,
    label_px: u32,
) -> &'m mut MeshStyle<'a, 'b, X, Y, SVGBackend<'c>> {
    mesh.label_style(("sans-serif", label_px))
        .axis_desc_style(("sans-serif", 15))
        .light_line_style(WHITE)
        .bold_line_style(RGBColor(225, 225, 225))
}

/// The legend box every chart uses, at `position`.
pub(super) fn legend_box<'a, 'b: 'a, CT: CoordTranslate>(
    chart: &mut ChartContext<'a, SVGBackend<'b>, CT>,
    position: SeriesLabelPosition,
) -> Result<()> {
    chart
        .configure_series_labels()
        .position(position)
        .background_style(WHITE.mix(0.85))
        .border_style(RGBColor(180, 180, 180))
        .label_font(("sans-serif", 14))
        .draw()
        .map_err(err)
}
