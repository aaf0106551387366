//! What every chart shares so they look alike: series colours, legend labels and box, axis numbers, the frame
//! (caption, margins) and the mesh.

use super::{err, Area};
use crate::error::Result;
use plotters::chart::MeshStyle;
use plotters::coord::CoordTranslate;
use plotters::prelude::*;

/// Paul Tol's "muted" palette: nine colours that stay apart under the common colour blindnesses. Its grey is
/// left out: grey marks models and references.
const PALETTE: [RGBColor; 9] = [
    RGBColor(51, 34, 136),   // indigo
    RGBColor(136, 204, 238), // cyan
    RGBColor(68, 170, 153),  // teal
    RGBColor(17, 119, 51),   // green
    RGBColor(153, 153, 51),  // olive
    RGBColor(221, 204, 119), // sand
    RGBColor(204, 102, 119), // rose
    RGBColor(136, 34, 85),   // wine
    RGBColor(170, 68, 153),  // purple
];

/// Reference lines (models, a bar chart's dashed line) are dark grey: they are not measurements.
pub(super) const REFERENCE: RGBColor = RGBColor(40, 40, 40);

/// Whether `name` is a model or reference line rather than a measurement ("ideal", "gil model"): drawn dashed,
/// in grey.
pub(super) fn is_model(name: &str) -> bool {
    name.split_whitespace().any(|w| w == "ideal" || w == "model")
}

/// The palette slot a name asks for: a hash of the name, so the same series keeps its colour on every chart
/// and in every run. FNV-1a because std's hasher may change between Rust releases.
fn slot(name: &str) -> usize {
    let hash = name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ b as u64).wrapping_mul(0x0100_0000_01b3));
    (hash % PALETTE.len() as u64) as usize
}

/// Slot `i` of the endless palette: the nine colours, then again lighter for each further round (27 distinct
/// colours in all, more than a readable chart has series).
fn slot_colour(i: usize) -> RGBColor {
    lighten(PALETTE[i % PALETTE.len()], 0.35 * (i / PALETTE.len()) as f64)
}

/// The colour series `name` gets unless another series of its chart asked for the same one first (see
/// `Colours`); models and references are grey.
pub fn colour(name: &str) -> RGBColor {
    if is_model(name) {
        REFERENCE
    } else {
        slot_colour(slot(name))
    }
}

/// Colours for the series of one chart: in order of appearance, each name takes the slot its hash asks for, or
/// the next free one when an earlier series has it, so two series of a chart never share a colour. Past nine
/// series the palette comes round again, lighter.
pub(super) struct Colours {
    taken: Vec<(String, usize)>,
}

impl Colours {
    pub(super) fn new<'n>(names: impl IntoIterator<Item = &'n str>) -> Self {
        let mut taken: Vec<(String, usize)> = Vec::new();
        for name in names {
            if is_model(name) || taken.iter().any(|(n, _)| n == name) {
                continue;
            }
            let (n, want) = (PALETTE.len(), slot(name));
            // Probe the asked-for hue first, then the next ones, one round of the palette at a time.
            let free = (0..)
                .map(|k| k / n * n + (want + k) % n)
                .find(|i| taken.iter().all(|(_, t)| t != i))
                .expect("an endless palette has a free slot");
            taken.push((name.to_string(), free));
        }
        Colours { taken }
    }

    /// `name`'s colour on this chart (a name it was not made with gets its own `colour`).
    pub(super) fn of(&self, name: &str) -> RGBColor {
        self.taken.iter().find(|(n, _)| n == name).map_or_else(|| colour(name), |(_, i)| slot_colour(*i))
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

/// Labels for a legend: a model line says it is one, and the lab's bare "python" series says which Python
/// concurrency it measured.
pub(super) fn legend(name: &str) -> String {
    if is_model(name) && !name.split_whitespace().any(|w| w == "model") {
        format!("{name} (model)")
    } else if name == "python" {
        "python (asyncio)".into()
    } else {
        name.into()
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

/// A value as a bar's label and the alt text say it: about three significant digits (10.1, 1.01, 0.6, 61, 1235),
/// in powers of ten only past a million or under a thousandth, where digits stop being readable.
pub(super) fn value(v: f64) -> String {
    let a = v.abs();
    if a == 0.0 {
        return "0".into();
    }
    if !v.is_finite() {
        return v.to_string();
    }
    if !(1e-3..1e6).contains(&a) {
        let s = format!("{v:.2e}");
        return match s.split_once('e') {
            Some((mantissa, exponent)) => format!("{}e{exponent}", trim_zeros(mantissa)),
            None => s,
        };
    }
    let decimals = (2 - a.log10().floor() as i32).max(0) as usize;
    trim_zeros(&format!("{v:.decimals$}")).into()
}

/// `s` without the zeros that end its fraction (and the point, when nothing is left after it).
fn trim_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_series_keeps_its_colour_and_no_two_series_of_a_chart_share_one() {
        // The same name: the same colour, alone or beside others that ask for other slots.
        assert_eq!(colour("tokio"), colour("tokio"));
        let others: Vec<String> = (0..40).map(|i| format!("s{i}")).filter(|n| slot(n) != slot("tokio")).collect();
        let chart = Colours::new(others.iter().take(3).map(String::as_str).chain(["tokio"]));
        assert_eq!(chart.of("tokio"), colour("tokio"));
        // Two names asking for one slot (nine slots: among ten names two must): the first keeps it.
        let names: Vec<String> = (0..10).map(|i| format!("series {i}")).collect();
        let (a, b) = names
            .iter()
            .enumerate()
            .find_map(|(i, a)| names[i + 1..].iter().find(|b| slot(b) == slot(a)).map(|b| (a, b)))
            .unwrap();
        let chart = Colours::new([a.as_str(), b.as_str()]);
        assert_eq!(chart.of(a), colour(a));
        assert_ne!(chart.of(a), chart.of(b));
        // More series than the palette has colours: still all distinct.
        let many: Vec<String> = (0..25).map(|i| format!("variant {i}")).collect();
        let chart = Colours::new(many.iter().map(String::as_str));
        let colours: Vec<RGBColor> = many.iter().map(|n| chart.of(n)).collect();
        for (i, c) in colours.iter().enumerate() {
            assert!(!colours[..i].contains(c), "{} shares its colour", many[i]);
        }
    }

    #[test]
    fn values_keep_about_three_significant_digits() {
        let cases = [
            (10.1, "10.1"),
            (1.01, "1.01"),
            (0.6, "0.6"),
            (61.0, "61"),
            (1234.6, "1235"),
            (-2.346, "-2.35"),
            (0.0123, "0.0123"),
            (0.0, "0"),
            (2.5e6, "2.5e6"),
            (0.0001234, "1.23e-4"),
            (f64::NAN, "NaN"),
        ];
        for (v, want) in cases {
            assert_eq!(value(v), want, "{v}");
        }
    }

    #[test]
    fn models_are_grey_and_dashed_by_their_name() {
        for model in ["ideal", "gil model", "ideal 4 cores"] {
            assert!(is_model(model), "{model}");
            assert_eq!(colour(model), REFERENCE);
        }
        for measured in ["tokio", "python idealised", "models"] {
            assert!(!is_model(measured), "{measured}");
            assert_ne!(colour(measured), REFERENCE);
        }
        assert_eq!(legend("ideal"), "ideal (model)");
        assert_eq!(legend("gil model"), "gil model");
        assert_eq!(legend("python"), "python (asyncio)");
    }
}
