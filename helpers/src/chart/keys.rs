//! Legends outside the data: a strip of keys under a chart's title, wrapped into rows, for every kind of chart
//! (plotters draws its own series labels inside the plotting area, over the data).

use super::style::{self, Look};
use super::{err, Area};
use crate::error::Result;
use plotters::prelude::*;

/// A legend entry's sample: a filled square (a phase, a layer, a stack), a dot (a mark), a line, a series' stroke
/// (dashed for Python and models), or the grey dashed reference.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Key {
    Square(RGBColor),
    Dot(RGBColor),
    Line(RGBColor),
    Stroke(Look),
    Dashed,
}

#[cfg(test)]
thread_local! {
    /// What this thread's charts drew, for the tests: each legend label with its key, each axis label without.
    pub(super) static DRAWN: std::cell::RefCell<Vec<(String, Option<Key>)>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Notes a label a chart drew (a legend entry with its key, an axis label without), which the tests read back to
/// check that a label looks one way on every chart and that none is a field name.
pub(super) fn seen(label: &str, key: Option<Key>) {
    #[cfg(test)]
    DRAWN.with(|d| d.borrow_mut().push((label.to_string(), key)));
    #[cfg(not(test))]
    let _ = (label, key);
}

#[cfg(test)]
/// Names a label may spell with an underscore: the APIs and runtime flavours the lab compares, as written in code.
pub(super) const API_NAMES: [&str; 8] = [
    "spawn_blocking",
    "current_thread",
    "multi_thread",
    "to_thread",
    "serde_json",
    "yield_now",
    "block_in_place",
    "run_in_executor",
];

#[cfg(test)]
/// Whether `label` says a field name ("task_heap_bytes", "lateness_p50_ms") rather than words: a word with an
/// underscore that is not an API's name (`asyncio.to_thread` is one).
pub(super) fn is_field_name(label: &str) -> bool {
    label.split(|c: char| c.is_whitespace() || ",;:()[]".contains(c)).any(|w| {
        let w = w.rsplit('.').next().unwrap_or(w);
        w.contains('_') && !API_NAMES.contains(&w)
    })
}

const ROW_PX: i32 = 22;
const FONT_PX: u32 = 13;
const LEFT_PX: i32 = 70;

/// How wide one entry is drawn: its sample, its label, and the gap after it (labels are about 7 px a character).
fn width(label: &str) -> i32 {
    24 + 7 * label.chars().count() as i32 + 18
}

/// The entries' rows within `width_px`: each row as many entries as fit, at least one.
fn rows(entries: &[(String, Key)], width_px: i32) -> Vec<&[(String, Key)]> {
    let mut out = Vec::new();
    let (mut start, mut x) = (0, LEFT_PX);
    for (i, (label, _)) in entries.iter().enumerate() {
        if x + width(label) > width_px && i > start {
            out.push(&entries[start..i]);
            (start, x) = (i, LEFT_PX);
        }
        x += width(label);
    }
    if start < entries.len() {
        out.push(&entries[start..]);
    }
    out
}

/// The strip's height for `entries` on a chart `width_px` wide (0 with no entries).
pub(super) fn height(entries: &[(String, Key)], width_px: u32) -> u32 {
    let n = rows(entries, width_px as i32).len() as u32;
    if n == 0 {
        0
    } else {
        n * ROW_PX as u32 + 6
    }
}

/// Draws `title` and the keys of `entries` under it across the top of `root`, and returns the area left for the
/// plot.
pub(super) fn titled<'a>(root: &Area<'a>, title: &str, entries: &[(String, Key)]) -> Result<Area<'a>> {
    let rest = root.titled(title, ("sans-serif", 19)).map_err(err)?;
    let w = rest.dim_in_pixel().0;
    let h = height(entries, w);
    if h == 0 {
        return Ok(rest);
    }
    let (strip, plot) = rest.split_vertically(h);
    draw(&strip, entries)?;
    Ok(plot)
}

/// Draws the keys of `entries` in rows across `area`.
pub(super) fn draw(area: &Area, entries: &[(String, Key)]) -> Result<()> {
    for (r, row) in rows(entries, area.dim_in_pixel().0 as i32).into_iter().enumerate() {
        let y = ROW_PX / 2 + r as i32 * ROW_PX;
        let mut x = LEFT_PX;
        for (label, key) in row {
            seen(label, Some(*key));
            sample(area, x, y, *key)?;
            let font = ("sans-serif", FONT_PX).into_font().color(&BLACK);
            area.draw(&Text::new(label.clone(), (x + 24, y - 7), font)).map_err(err)?;
            x += width(label);
        }
    }
    Ok(())
}

fn sample(area: &Area, x: i32, y: i32, key: Key) -> Result<()> {
    let dashes = |c: RGBColor| {
        area.draw(&PathElement::new(vec![(x, y), (x + 7, y)], c.stroke_width(2)))
            .and_then(|_| area.draw(&PathElement::new(vec![(x + 11, y), (x + 18, y)], c.stroke_width(2))))
    };
    let dots = |c: RGBColor| {
        (0..4)
            .try_for_each(|k| area.draw(&PathElement::new(vec![(x + 5 * k, y), (x + 5 * k + 2, y)], c.stroke_width(2))))
    };
    match key {
        Key::Square(c) => area.draw(&Rectangle::new([(x, y - 6), (x + 14, y + 6)], c.filled())),
        Key::Dot(c) => area.draw(&Circle::new((x + 7, y), 4, c.filled())),
        Key::Line(c) => area.draw(&PathElement::new(vec![(x, y), (x + 18, y)], c.stroke_width(2))),
        Key::Stroke(look) if look.dotted => dots(look.colour),
        // The sample is the line alone (the marks on it are the language's too, but a mark in the strip would read
        // as data to a reader of the SVG, tools/chart_check.py).
        Key::Stroke(look) if look.dashed => dashes(look.colour),
        Key::Stroke(look) => area.draw(&PathElement::new(vec![(x, y), (x + 18, y)], look.colour.stroke_width(2))),
        Key::Dashed => dashes(style::REFERENCE),
    }
    .map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_wrap_into_rows_that_fit_the_chart() {
        let entries: Vec<(String, Key)> = (0..12).map(|i| (format!("series number {i}"), Key::Dashed)).collect();
        let rows = rows(&entries, 760);
        assert!(rows.len() > 1 && rows.iter().all(|r| !r.is_empty()));
        assert_eq!(rows.iter().map(|r| r.len()).sum::<usize>(), 12);
        for row in &rows {
            assert!(LEFT_PX + row.iter().map(|(l, _)| width(l)).sum::<i32>() <= 760 || row.len() == 1);
        }
        assert_eq!(height(&[], 760), 0);
    }

    #[test]
    fn a_field_name_is_told_from_words_and_api_names() {
        for field in ["task_heap_bytes", "tokio lateness_p50_ms", "python gc_gen0", "wall_s", "goodput_per_s"] {
            assert!(is_field_name(field), "{field}");
        }
        for words in ["spawn_blocking", "sleep current_thread", "python asyncio.to_thread", "serde_json there and back"]
        {
            assert!(!is_field_name(words), "{words}");
        }
    }
}
