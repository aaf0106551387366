//! Alt text: the numbers a chart shows, in words, so a report read by a screen reader or with images off still
//! says what the chart says. Each kind of chart hands over exactly what it drew; this module words it alike.

use super::style;

/// The longest alt text, title included, in characters: past it, series are left out and counted, so a chart of
/// many series does not become a monstrous attribute.
const LIMIT: usize = 1500;

/// Series with more points than this (heartbeats over time, say) are summarised, not read out point by point.
const DENSE: usize = 12;

/// Words that, leading the end of an axis label, are its unit ("ms over the model", "bytes per task", "tasks").
const UNITS: &str = "s ms µs us ns x % B bytes KiB MiB GiB kB MB GB tasks threads processes workers cores heartbeats \
                     requests collections";

/// The unit an axis label names: the unit word leading its part after the last comma (or all of it), notes in
/// parentheses ("(log)") and after a semicolon aside. "runtime, s (log)" -> "s"; "cores busy" -> "cores";
/// "limit (log)" -> "". Only the word: the rest ("busy", "per task") the axis says once, not every value.
pub(super) fn unit(label: &str) -> String {
    let mut plain = String::new();
    let mut depth = 0usize;
    for c in label.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => plain.push(c),
            _ => {}
        }
    }
    let main = plain.split(';').next().unwrap_or_default();
    match main.rsplit(',').next().unwrap_or_default().split_whitespace().next() {
        Some(w) if UNITS.split_whitespace().any(|u| u == w) => w.to_string(),
        _ => String::new(),
    }
}

/// `v` with its unit: "10.1 s", "3.9x".
pub(super) fn amount(v: f64, unit: &str) -> String {
    match unit {
        "" => style::value(v),
        "x" | "%" => format!("{}{unit}", style::value(v)),
        // Sizes from 10 kB on as people say them (10.2 kB, 1.06 MB), not as "1.06e6 bytes".
        "bytes" | "B" if v.abs() >= 1e4 => style::bytes(v),
        "bytes" | "B" => format!("{} {unit}", style::value_in(v, unit)),
        _ => format!("{} {unit}", style::value(v)),
    }
}

/// One point drawn: x, y, and the min-max spread of its repeats when drawn.
pub(super) struct Point {
    pub x: f64,
    pub y: f64,
    pub spread: Option<(f64, f64)>,
}

/// A series as one part of the alt text: "name: x → y, ..." point by point, or when dense its point count, x
/// range and y min, max and last. `x` words an x value (with its unit, or as its category's label).
pub(super) fn series(name: &str, points: &[Point], x: &dyn Fn(f64) -> String, y_unit: &str) -> String {
    if points.len() > DENSE {
        let range = |vs: &mut dyn Iterator<Item = f64>| {
            vs.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)))
        };
        let (x0, x1) = range(&mut points.iter().map(|p| p.x));
        let (y0, y1) = range(&mut points.iter().map(|p| p.y));
        let last = points.last().map_or(f64::NAN, |p| p.y);
        return format!(
            "{name}: {} points, x {} to {}, y min {}, max {}, last {}",
            points.len(),
            x(x0),
            x(x1),
            style::value(y0),
            style::value(y1),
            amount(last, y_unit)
        );
    }
    let said: Vec<String> = points
        .iter()
        .map(|p| {
            let spread = p
                .spread
                .map_or(String::new(), |(lo, hi)| format!(" (min {}, max {})", style::value(lo), style::value(hi)));
            format!("{} → {}{spread}", x(p.x), amount(p.y, y_unit))
        })
        .collect();
    if said.is_empty() {
        format!("{name}: no points")
    } else {
        format!("{name}: {}", said.join(", "))
    }
}

/// Alt text being built: what the whole chart has (axes, a reference line), then one part per series or bar.
pub(super) struct Alt {
    /// The axes, said first in the alt text; the visible caption leaves them out (the chart draws them).
    axes: Vec<String>,
    head: Vec<String>,
    parts: Vec<String>,
    /// What a part is, for the note on those left out: "series", "bars".
    noun: &'static str,
}

impl Alt {
    pub(super) fn new(noun: &'static str) -> Self {
        Alt { axes: Vec::new(), head: Vec::new(), parts: Vec::new(), noun }
    }

    /// Says an axis: "y axis runtime, s (log)", and that its scale is log where the label does not say so.
    pub(super) fn axis(&mut self, which: &str, label: &str, log: bool) {
        let say_log = log && !label.to_lowercase().contains("log");
        self.axes.push(match (label.is_empty(), say_log) {
            (true, false) => return,
            (true, true) => format!("{which} axis log scale"),
            (false, true) => format!("{which} axis {label}, log scale"),
            (false, false) => format!("{which} axis {label}"),
        });
    }

    /// How the chart is laid out (its panels), said first in the alt text; like the axes, drawn, so not captioned.
    pub(super) fn layout(&mut self, text: String) {
        self.axes.push(text);
    }

    /// Something the whole chart shows, said before any series and never left out.
    pub(super) fn note(&mut self, text: String) {
        self.head.push(text);
    }

    pub(super) fn part(&mut self, text: String) {
        self.parts.push(text);
    }

    /// The numbers for a chart titled `title`, parts joined by "; ": as many parts as fit within `LIMIT` with the
    /// title, then "… N more series left out" when some did not.
    pub(super) fn text(&self, title: &str) -> String {
        self.said(title, true)
    }

    /// The text of a visible caption under the chart: `text` without the axes, which the chart draws.
    pub(super) fn caption(&self, title: &str) -> String {
        self.said(title, false)
    }

    fn said(&self, title: &str, axes: bool) -> String {
        let len = |s: &str| s.chars().count();
        // Room for ". " after the title, and for the note on what was left out.
        let budget = LIMIT.saturating_sub(len(title) + 2);
        let note = |n: usize| format!("… {n} more {} left out", self.noun);
        let axes = self.axes.iter().filter(|_| axes);
        let mut said: Vec<&str> = axes.chain(&self.head).map(String::as_str).collect();
        let mut kept = 0;
        for (i, p) in self.parts.iter().enumerate() {
            let left_after = self.parts.len() - i - 1;
            let reserve = if left_after == 0 { 0 } else { len(&note(left_after)) + 2 };
            let with = len(&said.join("; ")) + 2 + len(p);
            if with + reserve > budget {
                break;
            }
            said.push(p);
            kept += 1;
        }
        let mut text = said.join("; ");
        if kept < self.parts.len() {
            let note = note(self.parts.len() - kept);
            text = if text.is_empty() { note } else { format!("{text}; {note}") };
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_come_from_the_labels() {
        let cases = [
            ("runtime, s (log)", "s"),
            ("limit (tasks in flight, log)", ""),
            ("limit (log)", ""),
            ("µs (log)", "µs"),
            ("speed-up, x", "x"),
            ("ms over the model", "ms"),
            ("cores busy", "cores"),
            ("bytes per task (tokio: heap; asyncio: RSS growth)", "bytes"),
            ("document, bytes (log); Python pools: parent's peak", "bytes"),
            ("efficiency", ""),
            ("tasks (log)", "tasks"),
        ];
        for (label, want) in cases {
            assert_eq!(unit(label), want, "{label}");
        }
        assert_eq!(amount(3.94, "x"), "3.94x");
        assert_eq!(amount(10.1, "s"), "10.1 s");
    }

    #[test]
    fn dense_series_are_summarised_and_sparse_ones_read_out() {
        let pts = |n: usize| -> Vec<Point> {
            (0..n).map(|i| Point { x: i as f64 * 0.5, y: (i * i) as f64, spread: None }).collect()
        };
        let x = |v: f64| amount(v, "s");
        let sparse = series("tokio", &pts(2), &x, "heartbeats");
        assert_eq!(sparse, "tokio: 0 s → 0 heartbeats, 0.5 s → 1 heartbeats");
        let dense = series("tokio", &pts(40), &x, "heartbeats");
        assert_eq!(dense, "tokio: 40 points, x 0 s to 19.5 s, y min 0, max 1521, last 1521 heartbeats");
        let spread = [Point { x: 10.0, y: 10.1, spread: Some((9.8, 10.4)) }];
        assert_eq!(series("ideal (model)", &spread, &x, ""), "ideal (model): 10 s → 10.1 (min 9.8, max 10.4)");
    }

    #[test]
    fn the_text_is_capped_and_says_how_many_series_it_left_out() {
        let mut alt = Alt::new("series");
        alt.axis("x", "limit", true);
        for i in 0..200 {
            alt.part(format!("series number {i}: 1 → 2, 3 → 4"));
        }
        let title = "A chart of many series";
        let text = alt.text(title);
        let whole = format!("{title}. {text}");
        assert!(whole.chars().count() <= LIMIT, "{} characters", whole.chars().count());
        assert!(text.starts_with("x axis limit, log scale; series number 0: 1 → 2"), "{text}");
        let kept = text.matches("series number").count();
        assert!(kept > 10 && text.ends_with(&format!("… {} more series left out", 200 - kept)), "{text}");
        // Few series: all of them, no note.
        let mut few = Alt::new("bars");
        few.part("a: 1".into());
        few.part("b: 2".into());
        assert_eq!(few.text(title), "a: 1; b: 2");
    }
}
