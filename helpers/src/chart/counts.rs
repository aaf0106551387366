//! Timelines as counts over time: `counts` (step lines, e.g. tasks holding a permit against the limit) and
//! `stacked` (the states of every request at each moment, stacked).

use super::panels::{found, frame, panels, Key};
use super::style::value as num;
use super::style::{self, stack};
use super::{err, Chart};
use crate::error::Result;
use crate::result::LabResult;
use crate::timeline::{Count, Timeline};
use plotters::prelude::*;

const PANEL_PX: u32 = 150;
/// Times a stacked panel is read at.
const GRID: usize = 600;

/// Each timeline's counts as step lines, one panel per timeline, with a dashed `reference` (the limit) when given;
/// the alt text says how long the first count stayed at the reference.
pub fn counts(r: &LabResult, title: &str, names: &[&str], reference: Option<(f64, &str)>) -> Result<Chart> {
    let tls = found(r, names, title)?;
    let heights = vec![PANEL_PX; tls.len()];
    let alt = tls.iter().map(|t| counts_alt(t, reference)).collect::<Vec<_>>().join("; ");
    let mut keys = keys(&tls, Key::Line);
    keys.extend(reference.map(|(_, label)| (label.to_string(), Key::Dashed)));
    panels(title, &tls, &heights, &keys, alt, |area, t, end| {
        let top = t.counts.iter().map(Count::max).chain(reference.map(|r| r.0)).fold(1.0, f64::max) * 1.15;
        let mut chart = frame(area, t, end, 0.0..top, &t.unit, 5, &|v: &f64| style::tick_upto(*v, "", top))?;
        // The reference first: a count that sits at the limit (permits all held) is drawn over it, not hidden.
        if let Some((v, _)) = reference {
            let line = vec![(0.0, v), (end, v)];
            chart.draw_series(DashedLineSeries::new(line, 7, 5, style::REFERENCE.stroke_width(2))).map_err(err)?;
        }
        for (i, c) in t.counts.iter().enumerate() {
            let colour = stack(&c.name, i);
            chart.draw_series(LineSeries::new(steps(&c.points), colour.stroke_width(2))).map_err(err)?;
        }
        Ok(())
    })
}

/// Each timeline's counts stacked (first at the bottom): how many requests were in each state at each moment.
pub fn stacked(r: &LabResult, title: &str, names: &[&str]) -> Result<Chart> {
    let tls = found(r, names, title)?;
    let heights = vec![PANEL_PX + 20; tls.len()];
    let alt = tls.iter().map(|t| stacked_alt(t)).collect::<Vec<_>>().join("; ");
    let keys = keys(&tls, Key::Square);
    panels(title, &tls, &heights, &keys, alt, |area, t, end| {
        let times: Vec<f64> = (0..=GRID).map(|k| t.end_ms * k as f64 / GRID as f64).collect();
        // Running sums: layer i's top is the sum of layers 0..=i.
        let mut tops: Vec<Vec<f64>> = Vec::new();
        for c in &t.counts {
            let below = tops.last().cloned().unwrap_or_else(|| vec![0.0; times.len()]);
            tops.push(times.iter().zip(below).map(|(&x, b)| b + value_at(&c.points, x)).collect());
        }
        let top = tops.last().map_or(1.0, |l| l.iter().copied().fold(1.0, f64::max)) * 1.1;
        let mut chart = frame(area, t, end, 0.0..top, &t.unit, 5, &|v: &f64| style::tick_upto(*v, "", top))?;
        // Each layer a band from the layer below's top to its own, drawn in stack order.
        let zero = vec![0.0; times.len()];
        for (i, layer) in tops.iter().enumerate() {
            let colour = stack(&t.counts[i].name, i);
            let below = if i == 0 { &zero } else { &tops[i - 1] };
            let mut band: Vec<(f64, f64)> = times.iter().copied().zip(layer.iter().copied()).collect();
            band.extend(times.iter().copied().zip(below.iter().copied()).rev());
            chart.draw_series(std::iter::once(Polygon::new(band, colour.mix(0.85).filled()))).map_err(err)?;
        }
        Ok(())
    })
}

/// One legend entry per count name, its sample made by `key` from the count's colour.
fn keys(tls: &[&Timeline], key: fn(RGBColor) -> Key) -> Vec<(String, Key)> {
    let mut out: Vec<(String, Key)> = Vec::new();
    for t in tls {
        for (i, c) in t.counts.iter().enumerate() {
            if !out.iter().any(|k| k.0 == c.name) {
                out.push((c.name.clone(), key(stack(&c.name, i))));
            }
        }
    }
    out
}

/// A step line's corners: each count holds until the next change.
fn steps(points: &[[f64; 2]]) -> Vec<(f64, f64)> {
    let mut out = Vec::with_capacity(points.len() * 2);
    for (i, p) in points.iter().enumerate() {
        if i > 0 {
            out.push((p[0], points[i - 1][1]));
        }
        out.push((p[0], p[1]));
    }
    out
}

/// The count in force at `t`.
fn value_at(points: &[[f64; 2]], t: f64) -> f64 {
    let i = points.partition_point(|p| p[0] <= t);
    if i == 0 {
        0.0
    } else {
        points[i - 1][1]
    }
}

/// How long (ms) a count stayed at or above `v`.
fn time_at_least(points: &[[f64; 2]], v: f64) -> f64 {
    points.windows(2).filter(|w| w[0][1] >= v).map(|w| w[1][0] - w[0][0]).sum()
}

fn counts_alt(t: &Timeline, reference: Option<(f64, &str)>) -> String {
    let parts: Vec<String> = t
        .counts
        .iter()
        .enumerate()
        .map(|(i, c)| match reference.filter(|_| i == 0) {
            Some((v, label)) => format!(
                "{} at most {}, at or above the {label} ({}) for {} ms",
                c.name,
                num(c.max()),
                num(v),
                num(time_at_least(&c.points, v))
            ),
            None => format!("{} at most {}", c.name, num(c.max())),
        })
        .collect();
    format!("{} ({}, {} in all): {} over {} ms", t.name, t.at, t.total, parts.join(", "), num(t.end_ms))
}

fn stacked_alt(t: &Timeline) -> String {
    let parts: Vec<String> = t
        .counts
        .iter()
        .map(|c| {
            format!("{} at most {}, {} at the end", c.name, num(c.max()), num(c.points.last().map_or(0.0, |p| p[1])))
        })
        .collect();
    format!("{} ({}, {} {}): {} over {} ms", t.name, t.at, t.total, t.unit, parts.join(", "), num(t.end_ms))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_show_the_limit_and_how_long_it_was_full() {
        let r = super::super::rows::tests::result();
        let c = counts(&r, "In flight", &["tokio", "python"], Some((1.0, "limit"))).unwrap();
        assert!(c.svg.contains("limit") && c.svg.contains("holding a permit"));
        assert!(
            c.alt.contains("tokio (limit 1, 3 in all): holding a permit at most 1, at or above the limit (1) for 300 ms, waiting for a permit at most 2 over 300 ms"),
            "{}",
            c.alt
        );
        assert_eq!(steps(&[[0.0, 1.0], [5.0, 2.0]]), [(0.0, 1.0), (5.0, 1.0), (5.0, 2.0)]);
        assert_eq!(value_at(&[[0.0, 1.0], [5.0, 2.0]], 4.9), 1.0);
        assert_eq!(value_at(&[[1.0, 1.0]], 0.5), 0.0);
    }

    #[test]
    fn stacked_states_end_where_the_counts_end() {
        let r = super::super::rows::tests::result();
        let c = stacked(&r, "States", &["python"]).unwrap();
        assert!(c.alt.contains("python (limit 1, 3 tasks): holding a permit at most 1, 0 at the end"), "{}", c.alt);
    }
}
