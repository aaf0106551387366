//! What recording a timeline costs on this machine, as `make bench` measured it (`tools/bench_recording.py`: the
//! same runs with and without recording, alternated). Notebooks 01 and 03 show it beside their timelines.

use crate::display::{Html, CELL, TABLE};
use crate::error::{LabError, Result};
use crate::result::Machine;
use serde::Deserialize;
use std::path::Path;

/// The file `make bench` writes into the results folder.
pub const FILE: &str = "recording-cost.json";

#[derive(Debug, Deserialize)]
struct Bench {
    pairs: u32,
    limit_pct: f64,
    machine: Machine,
    measures: Vec<Measure>,
}

#[derive(Debug, Deserialize)]
struct Measure {
    measure: String,
    on: Vec<f64>,
    off: Vec<f64>,
    pair_diff_pct: Vec<f64>,
    median_diff_pct: f64,
}

/// The latest measurement from the results folder as a table, or a note saying how to make one.
pub fn recording_cost() -> Result<Html> {
    recording_cost_in(&crate::paths::results_dir())
}

fn recording_cost_in(dir: &Path) -> Result<Html> {
    let path = dir.join(FILE);
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Ok(Html(format!(
            "<p class=\"lab-unmeasured\">Not measured on this machine yet: <code>make bench</code> measures it (runs \
             with and without recording, alternated) and writes <code>{}</code>; then re-run this cell.</p>",
            Html::escape(&path.display().to_string())
        )));
    };
    let b: Bench = serde_json::from_str(&text)
        .map_err(|e| LabError::other(format!("{} does not parse: {e}; run make bench again", path.display())))?;
    let median = |v: &[f64]| crate::stats::Summary::of(v).median;
    let mut h = format!(
        "<p><b>Recording cost</b>, measured by <code>make bench</code> on {}: median of {} alternated pairs, each run \
         with and without recording; the limit is ±{}%.</p><table style=\"{TABLE}\"><tr><th style=\"{CELL}\">measure\
         </th><th style=\"{CELL}\">recording</th><th style=\"{CELL}\">not recording</th><th style=\"{CELL}\">\
         difference (median of pairs)</th><th style=\"{CELL}\">pairs ranged</th><th style=\"{CELL}\">within \
         ±{}%?</th></tr>",
        Html::escape(&b.machine.describe()),
        b.pairs,
        b.limit_pct,
        b.limit_pct
    );
    for m in &b.measures {
        let within = m.median_diff_pct.abs() <= b.limit_pct;
        h.push_str(&format!(
            "<tr><td style=\"{CELL}\">{}</td><td style=\"{CELL}\">{:.4}</td><td style=\"{CELL}\">{:.4}</td>\
             <td style=\"{CELL}\">{:+.2}%</td><td style=\"{CELL}\">{:+.2}% .. {:+.2}%</td><td style=\"{CELL}\">{}</td>\
             </tr>",
            Html::escape(&m.measure),
            median(&m.on),
            median(&m.off),
            m.median_diff_pct,
            m.pair_diff_pct.iter().copied().fold(f64::INFINITY, f64::min),
            m.pair_diff_pct.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            if within { "yes" } else { "no" }
        ));
    }
    h.push_str("</table>");
    Ok(Html(h))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_the_bench_or_says_how_to_make_it() {
        let dir = std::env::temp_dir().join(format!("lab-recording-cost-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let none = recording_cost_in(&dir).unwrap().0;
        assert!(none.contains("make bench") && none.contains(FILE), "{none}");
        let json = r#"{"pairs": 3, "limit_pct": 0.5, "machine": {"cores": 2, "memory_bytes": 0, "cpu": "x", "os": "y",
            "rustc": "z", "python": "p"}, "measures": [
            {"measure": "q3 tokio runtime at limit 100, s", "on": [1.01, 1.02, 1.03], "off": [1.0, 1.0, 1.0],
             "pair_diff_pct": [1, 2, 3], "median_diff_pct": 2.0, "within_limit": false},
            {"measure": "q1 lag p50, ms", "on": [400], "off": [401], "pair_diff_pct": [-0.25],
             "median_diff_pct": -0.25, "within_limit": true}]}"#;
        std::fs::write(dir.join(FILE), json).unwrap();
        let shown = recording_cost_in(&dir).unwrap().0;
        assert!(shown.contains("median of 3 alternated pairs") && shown.contains("2 cores"), "{shown}");
        let cell = |text: &str| format!("<td style=\"{CELL}\">{text}</td>");
        assert!(shown.contains(&cell("1.0200")), "the median of the runs with recording: {shown}");
        assert!(shown.contains(&[cell("+2.00%"), cell("+1.00% .. +3.00%"), cell("no")].concat()), "{shown}");
        assert!(shown.contains(&[cell("-0.25%"), cell("-0.25% .. -0.25%"), cell("yes")].concat()), "{shown}");
        std::fs::write(dir.join(FILE), "{").unwrap();
        assert!(recording_cost_in(&dir).unwrap_err().message.contains("does not parse"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
