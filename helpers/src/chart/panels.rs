//! Timelines side by side: one panel per variant, stacked under one title, all on one time axis so that the eye
//! compares durations. `rows` (lanes, lifetimes) and `counts` (tasks in flight, request states) draw into them.

use super::{err, render, Area, Chart, SIZE};
use super::{keys, style};
use crate::error::{LabError, Result};
use crate::result::LabResult;
use crate::timeline::Timeline;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

/// A panel's chart: time in ms across, a value up.
pub(super) type Panel<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// The timelines of `names` that the result holds, in that order, or an error naming what is missing.
pub(super) fn found<'r>(r: &'r LabResult, names: &[&str], what: &str) -> Result<Vec<&'r Timeline>> {
    let found: Vec<&Timeline> = names.iter().filter_map(|n| r.timeline(n)).collect();
    if found.is_empty() {
        return Err(LabError::other(format!(
            "{}: no timeline of {} in this result (recorded from this version of the lab on; an older result, or \
             timeline: false, has none) for {what}",
            r.experiment,
            names.join(", ")
        )));
    }
    Ok(found)
}

pub(super) use super::keys::Key;

/// Draws one panel per timeline under `title` and one legend row, each panel `heights[i]` pixels tall (plus its
/// caption), on one time axis ending at the longest timeline's end; `alt` is the chart's numbers, in words.
pub(super) fn panels(
    title: &str,
    timelines: &[&Timeline],
    heights: &[u32],
    legend: &[(String, Key)],
    alt: String,
    mut draw: impl FnMut(&Area, &Timeline, f64) -> Result<()>,
) -> Result<Chart> {
    let end = timelines.iter().map(|t| t.end_ms).fold(1e-3, f64::max);
    let total: u32 = heights.iter().map(|h| h + CAPTION_PX).sum::<u32>() + TITLE_PX + keys::height(legend, SIZE.0);
    let chart = render(title, (SIZE.0, total), |root| {
        let mut rest = keys::titled(root, title, legend)?;
        for (t, h) in timelines.iter().zip(heights) {
            let (panel, below) = rest.split_vertically(h + CAPTION_PX);
            draw(&panel, t, end)?;
            rest = below;
        }
        Ok(())
    })?;
    Ok(chart.with_alt(&alt))
}

const TITLE_PX: u32 = 34;
/// Room for a panel's own caption and its time axis.
pub(super) const CAPTION_PX: u32 = 70;

/// A panel's frame: caption "name (at)", time across 0..end ms, y over `y`, and its y labels from `y_label`.
pub(super) fn frame<'a, 'b>(
    area: &'a Area<'b>,
    t: &Timeline,
    end: f64,
    y: std::ops::Range<f64>,
    y_desc: &str,
    y_labels: usize,
    y_label: &dyn Fn(&f64) -> String,
) -> Result<Panel<'a, 'b>> {
    keys::seen(y_desc, None);
    let caption = if t.at.is_empty() { t.name.clone() } else { format!("{} ({})", t.name, t.at) };
    let mut chart = ChartBuilder::on(area)
        .caption(caption, ("sans-serif", 15))
        .margin(6)
        .margin_right(14)
        .x_label_area_size(38)
        .y_label_area_size(100)
        .build_cartesian_2d(0.0..end * 1.02, y)
        .map_err(err)?;
    style::grid(&mut chart.configure_mesh(), 12)
        .disable_y_mesh()
        .x_desc("ms since the start")
        .y_desc(y_desc)
        .y_labels(y_labels)
        .x_label_formatter(&|v| style::tick_upto(*v, "", end))
        .y_label_formatter(y_label)
        .draw()
        .map_err(err)?;
    Ok(chart)
}
