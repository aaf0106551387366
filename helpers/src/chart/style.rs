//! What every chart shares so they look alike: series colours, legend labels and box, axis numbers, the frame
//! (caption, margins) and the mesh.

use super::Area;
use plotters::chart::MeshStyle;
use plotters::prelude::*;

pub(super) use super::vocab::{lighten, stack, Look, Looks, GUIDE, REFERENCE};

/// Whether `name` is a model or reference line rather than a measurement ("ideal", "gil model"): drawn dashed,
/// in grey.
pub(super) fn is_model(name: &str) -> bool {
    super::vocab::Concept::of(name) == super::vocab::Concept::Model
}

/// The colour series `name` has on a chart of its own (`Looks` shades variants of one concept on a shared chart).
pub fn colour(name: &str) -> RGBColor {
    Looks::new([name]).of(name).colour
}

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

/// A number for axis labels, as a person writes it: 0.5, 10, 250, 1k, 10k, 2.5M; below a hundredth, 0.005 or
/// 0.0001 (powers of ten only under a millionth).
/// Thousands and millions take a suffix from 1,000 on, so that one axis never mixes "1e5" with "10000".
pub(super) fn tick(v: f64) -> String {
    let a = v.abs();
    let short = |x: f64| trim_zeros(&format!("{x:.1}")).to_string();
    if a == 0.0 {
        "0".into()
    } else if a >= 1e9 {
        format!("{}G", short(v / 1e9))
    } else if a >= 1e6 {
        format!("{}M", short(v / 1e6))
    } else if a >= 1e3 {
        format!("{}k", short(v / 1e3))
    } else if a >= 10.0 {
        format!("{v:.0}")
    } else if a >= 1.0 {
        short(v)
    } else if a >= 1e-6 {
        // Decimals, not "1e-4": an axis from 0.0001 s up reads in one format.
        let decimals = (1 - a.log10().floor() as i32).max(1) as usize;
        trim_zeros(&format!("{v:.decimals$}")).to_string()
    } else {
        format!("{v:.0e}")
    }
}

/// A tick on an axis labelled `label`: a time or a memory size in KiB/MiB keeps its digits up to a million,
/// grouped by thousands ("1,000" on a ms axis, since "1k ms" reads as a unit of its own); bytes say kB, MB, GB;
/// everything else (counts) as `tick`: 1k, 100k, 1M.
pub(super) fn tick_in(v: f64, label: &str) -> String {
    let a = v.abs();
    match super::alt::unit(label).as_str() {
        "ms" | "s" | "µs" | "us" | "ns" | "KiB" | "MiB" | "GiB" if (1e3..1e6).contains(&a) => grouped(v),
        "bytes" | "B" => bytes(v),
        _ => tick(v),
    }
}

/// A tick on an axis labelled `label` whose values reach `top` (in size): thousands grouped (1,000, 250,000) on an
/// axis that stays under a million, so that "1k" never sits above "900"; otherwise as `tick_in` (1M, 2.5M).
pub(super) fn tick_upto(v: f64, label: &str, top: f64) -> String {
    let unit = super::alt::unit(label);
    if top.abs() < 1e6 && (1e3..1e6).contains(&v.abs()) && !matches!(unit.as_str(), "bytes" | "B") {
        grouped(v)
    } else {
        tick_in(v, label)
    }
}

/// The larger end of an axis, in size.
pub(super) fn reach(r: &std::ops::Range<f64>) -> f64 {
    r.start.abs().max(r.end.abs())
}

/// A count as a title says it, its thousands grouped: 400, 100,000, 1,000,000.
pub fn count(v: f64) -> String {
    grouped(v)
}

/// `v` with its thousands grouped: 1,000, 25,000.
fn grouped(v: f64) -> String {
    let digits = format!("{:.0}", v.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if v < 0.0 {
        format!("-{out}")
    } else {
        out
    }
}

/// A size in bytes as people write it, to about three digits: 849 B, 10 kB, 10.2 kB, 1.06 MB, 10 MB (decimal
/// units, as the documents are sized).
pub fn bytes(v: f64) -> String {
    let a = v.abs();
    let short = |x: f64| {
        let decimals = if x.abs() >= 100.0 {
            0
        } else if x.abs() >= 10.0 {
            1
        } else {
            2
        };
        trim_zeros(&format!("{x:.decimals$}")).to_string()
    };
    if a >= 1e9 {
        format!("{} GB", short(v / 1e9))
    } else if a >= 1e6 {
        format!("{} MB", short(v / 1e6))
    } else if a >= 1e3 {
        format!("{} kB", short(v / 1e3))
    } else {
        format!("{} B", short(v))
    }
}

/// Key points for a log axis over `lo..hi`: 1, 2 and 5 times the powers of ten inside it, or the powers alone where
/// those would be more than eight, so that ticks neither crowd ("80 90100") nor vanish.
pub(super) fn log_keys(lo: f64, hi: f64) -> Vec<f64> {
    if !(lo > 0.0 && hi > lo) {
        return Vec::new();
    }
    let (first, last) = (lo.log10().floor() as i32, hi.log10().ceil() as i32);
    let within = |steps: &[f64]| -> Vec<f64> {
        (first..=last)
            .flat_map(|e| steps.iter().map(move |m| m * 10f64.powi(e)).collect::<Vec<_>>())
            .filter(|k| *k >= lo * 0.999 && *k <= hi * 1.001)
            .collect()
    };
    // 1-2-5 where that stays readable, else the decades, every other one past eight.
    let mut keys = within(&[1.0, 2.0, 5.0]);
    if keys.len() > 8 {
        keys = within(&[1.0]);
    }
    while keys.len() > 8 {
        keys = keys.into_iter().step_by(2).collect();
    }
    keys
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

/// A value in `unit` as a bar's label and the alt text say it: sizes in whole bytes (an average of 0.003 bytes
/// is no byte at all) and from 10 kB on in kB and MB; anything else as `value`.
pub(super) fn value_in(v: f64, unit: &str) -> String {
    match unit {
        "bytes" | "B" if v.abs() >= 1e4 => bytes(v),
        "bytes" | "B" => format!("{v:.0}"),
        _ => value(v),
    }
}

/// `s` without the zeros that end its fraction (and the point, when nothing is left after it).
fn trim_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

/// A measured point's mark: filled for Rust, hollow and a little larger for Python, so that where the two
/// coincide both still show.
pub(super) fn mark<C>(at: C, look: Look) -> Circle<C, i32> {
    if look.hollow {
        Circle::new(at, 5, look.colour.stroke_width(2))
    } else {
        Circle::new(at, 3, look.colour.filled())
    }
}

/// The dash pattern of a dashed look (drawn length, gap): a Python model dotted, other dashed lines dashed.
pub(super) fn dashes(look: Look) -> (u32, u32) {
    if look.dotted {
        (2, 4)
    } else {
        (7, 5)
    }
}

/// The frame every chart has: caption, margin and room for the axis labels; the caller picks the axes.
pub(super) fn frame<'a, 'b, 'c>(root: &'a Area<'c>, title: &'b str) -> ChartBuilder<'a, 'b, SVGBackend<'c>> {
    let mut builder = ChartBuilder::on(root);
    // An empty title: drawn already, above the legend strip (`keys::titled`).
    if !title.is_empty() {
        builder.caption(title, ("sans-serif", 19));
    }
    builder.margin(14).x_label_area_size(44).y_label_area_size(64);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_series_keeps_its_colour_and_no_two_series_of_a_chart_share_one() {
        // The same name: the same colour, alone or first of its concept beside others.
        assert_eq!(colour("tokio"), colour("tokio"));
        let chart = Looks::new(["threads", "rayon", "tokio"]);
        assert_eq!(chart.of("tokio").colour, colour("tokio"));
        // Six variants of one concept on one chart: six shades.
        let many = ["tokio", "tokio window", "tokio worker pool", "tokio spawn all", "tokio mimalloc", "tokio x"];
        let chart = Looks::new(many);
        let colours: Vec<RGBColor> = many.iter().map(|n| chart.of(n).colour).collect();
        for (i, c) in colours.iter().enumerate() {
            assert!(!colours[..i].contains(c), "{} shares its colour", many[i]);
        }
    }

    #[test]
    fn ticks_read_as_people_write_numbers_and_log_keys_do_not_crowd() {
        let cases = [(0.0, "0"), (0.5, "0.5"), (0.05, "0.05"), (0.005, "0.005"), (2.5, "2.5"), (250.0, "250")];
        for (v, want) in cases {
            assert_eq!(tick(v), want, "{v}");
        }
        for (v, want) in [(1000.0, "1k"), (10_000.0, "10k"), (1e5, "100k"), (2.5e6, "2.5M"), (1e7, "10M")] {
            assert_eq!(tick(v), want, "{v}");
        }
        assert_eq!(log_keys(10.0, 400.0), vec![10.0, 20.0, 50.0, 100.0, 200.0]);
        assert_eq!(log_keys(1e3, 1e6), vec![1e3, 1e4, 1e5, 1e6]);
        assert!(log_keys(1.0, 1e9).len() <= 8 && log_keys(1.0, 1e9).contains(&1.0));
        assert!(log_keys(0.0, 1.0).is_empty());
        // A time axis keeps its digits; a bytes axis says its unit.
        assert_eq!(tick_in(1000.0, "ms (log)"), "1,000");
        assert_eq!(tick_in(20_000.0, "latency, ms"), "20,000");
        assert_eq!(tick_in(1000.0, "tasks (log)"), "1k");
        assert_eq!(tick_in(1e7, "document, bytes (log)"), "10 MB");
        // One format on one axis: under a million, thousands grouped beside the hundreds; from a million, suffixes.
        assert_eq!([tick_upto(900.0, "requests", 1000.0), tick_upto(1000.0, "requests", 1000.0)], ["900", "1,000"]);
        assert_eq!([tick_upto(5e5, "tasks", 2e6), tick_upto(1e6, "tasks", 2e6)], ["500k", "1M"]);
        assert_eq!(tick_upto(1e4, "document, bytes", 1e4), "10 kB");
        assert_eq!(bytes(10_000.0), "10 kB");
        assert_eq!(bytes(1.5e6), "1.5 MB");
        assert_eq!(bytes(849.0), "849 B");
        assert_eq!(bytes(10_197.0), "10.2 kB");
        assert_eq!(bytes(1.06e6), "1.06 MB");
        assert_eq!(value_in(0.003, "bytes"), "0");
        assert_eq!(value_in(392.4, "bytes"), "392");
        assert_eq!(value_in(0.003, "ms"), "0.003");
        assert_eq!(count(100_000.0), "100,000");
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
