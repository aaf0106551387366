//! The open-loop runs drawn and told: each variant's p50 and p99 at the judged load, and the numbers per load that
//! the notebook's prose reads.

use super::BUILT_IN_WORKER;
use crate::chart::{bars, BarSpec, Chart};
use crate::error::{LabError, Result};
use crate::result::LabResult;
use crate::units::fmt_ms;

/// The open-loop variants as the charts name them, Rust's then Python's.
const OPEN_LABELS: [(&str, &str); 4] = [
    ("inline current_thread", "rs inline"),
    ("rayon", "rs rayon"),
    ("python inline", "py inline"),
    (BUILT_IN_WORKER, "py pool"),
];

/// The open-loop requests at the judged load: each variant's p50 and p99, from when a request was due to its
/// response, side by side (bars on a linear axis, each labelled with its value: Rust's are several times shorter).
pub fn open_loop_chart(r: &LabResult) -> Result<Chart> {
    let param = |k: &str| r.params.get(k).and_then(|v| v.as_u64()).unwrap_or(0);
    let (pct, size) = (param("open_judge_pct"), param("open_doc_bytes"));
    let labels: Vec<[String; 2]> = OPEN_LABELS.iter().map(|(_, l)| [format!("{l} p50"), format!("{l} p99")]).collect();
    let list: Vec<(&str, &str, &str)> = OPEN_LABELS
        .iter()
        .zip(&labels)
        .flat_map(|((n, _), [a, b])| [(*n, "open_p50_ms", a.as_str()), (*n, "open_p99_ms", b.as_str())])
        .collect();
    let size = crate::chart::bytes(size as f64);
    let title = format!("Requests arriving on their own at {pct}% of one core, {size} documents: p50 and p99");
    bars(r, &BarSpec::new(&title, "ms from arrival to response", &list).at(pct as f64))
}

/// The open-loop numbers the notebook's prose reads, one line per variant and load: the offered rate, the
/// requests' p50 and p99, the p99 in serializations (the line 8.5 and 8.9 read) and over the p50, and the work's
/// share of one core.
pub fn open_loop_numbers(r: &LabResult) -> Result<String> {
    let loads: Vec<f64> =
        r.series(OPEN_LABELS[0].0, "open_p99_ms").map_or_else(Vec::new, |s| s.points.iter().map(|p| p[0]).collect());
    let mut lines = Vec::new();
    for x in loads {
        for (name, label) in OPEN_LABELS {
            let v = |y: &str| r.value(name, y, x);
            let (Ok(p50), Ok(p99), Ok(one), Ok(busy), Ok(rate)) =
                (v("open_p50_ms"), v("open_p99_ms"), v("open_service_ms"), v("open_busy"), v("open_rate_per_s"))
            else {
                continue;
            };
            lines.push(format!(
                "{label} at {x:.0}% ({rate:.0} requests/s): p50 {}, p99 {} = {:.1}x one serialization ({}), p99 / p50 \
                 {:.1}x; serializing took {:.0}% of one core's time",
                fmt_ms(p50),
                fmt_ms(p99),
                p99 / one.max(1e-9),
                fmt_ms(one),
                p99 / p50.max(1e-9),
                busy * 100.0
            ));
        }
    }
    if lines.is_empty() {
        return Err(LabError::other("q8: no open-loop runs in this result (it predates them)"));
    }
    Ok(lines.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::questions::q8::Params;

    #[test]
    fn the_open_loop_chart_pairs_each_variants_p50_and_p99_and_the_numbers_say_them_per_load() {
        let mut r = LabResult {
            experiment: "q8".into(),
            params: serde_json::to_value(Params::default()).unwrap(),
            ..Default::default()
        };
        for (name, p50, p99) in
            [("inline current_thread", 2.0, 8.0), ("rayon", 1.4, 3.0), ("python inline", 14.0, 46.0)]
        {
            for (y, v) in [("open_p50_ms", p50), ("open_p99_ms", p99), ("open_service_ms", 1.0), ("open_busy", 0.8)] {
                crate::judging::fixture::set(&mut r, name, "load_pct", y, 80.0, v);
            }
            crate::judging::fixture::set(&mut r, name, "load_pct", "open_rate_per_s", 80.0, 800.0);
        }
        let c = open_loop_chart(&r).unwrap();
        assert!(c.title.contains("80% of one core, 500 kB documents"), "{}", c.title);
        assert!(c.alt.contains("rs inline p50: 2 ms; rs inline p99: 8 ms; rs rayon p50: 1.4 ms"), "{}", c.alt);
        assert!(!c.alt.contains("py pool"), "a variant the run lacks is left out: {}", c.alt);
        let n = open_loop_numbers(&r).unwrap();
        assert!(
            n.contains("rs inline at 80% (800 requests/s): p50 2.00 ms, p99 8.00 ms = 8.0x one serialization"),
            "{n}"
        );
        assert_eq!(n.lines().count(), 3);
        let old = LabResult { series: Vec::new(), ..r };
        assert!(open_loop_numbers(&old).unwrap_err().message.contains("no open-loop runs"));
    }
}
