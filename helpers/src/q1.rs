//! Notebook 01, "Why does async not help CPU-bound tasks?": `use helpers::q1::*;`.

use crate::chart::{bars, lines, BarSpec, LineSpec};
pub use crate::experiments::q1::Params;
pub use crate::prelude::*;
use plotters::prelude::SeriesLabelPosition as Corner;

/// Every strategy, Rust then Python, with a short label for bar charts.
const STRATEGIES: [(&str, &str); 10] = [
    ("sequential", "sequential"),
    ("tokio current_thread", "current_thread"),
    ("tokio multi_thread", "multi_thread"),
    ("spawn_blocking", "spawn_blocking"),
    ("rayon", "rayon"),
    ("tokio yield_now", "yield_now"),
    ("python sequential", "py sequential"),
    ("python asyncio", "py asyncio"),
    ("python to_thread", "py to_thread"),
    ("python processes", "py processes"),
];

fn strategy_bars(r: &LabResult, y: &str, title: &str, y_label: &str) -> BarSpec {
    let bars: Vec<(&str, &str, &str)> = STRATEGIES.iter().map(|(n, l)| (*n, y, *l)).collect();
    BarSpec::new(title, y_label, &bars).reference(r.machine.cores as f64, "cores present")
}

/// Speed-up over the same language's sequential loop, with the cores present dashed.
pub fn speedup_chart(r: &LabResult) -> Result<Chart> {
    bars(r, &strategy_bars(r, "speedup", "Speed-up over sequential (median of repeats)", "speed-up, x"))
}

/// CPU time / wall time: how many cores each strategy kept busy (robust to the machine's speed drift).
pub fn cores_chart(r: &LabResult) -> Result<Chart> {
    bars(r, &strategy_bars(r, "cores_busy", "Cores busy: CPU time / wall time", "cores"))
}

/// The worst heartbeat lateness under each strategy: how long the event loop could not answer.
pub fn lag_chart(r: &LabResult) -> Result<Chart> {
    let bars: Vec<(&str, &str, &str)> =
        STRATEGIES.iter().filter(|(n, _)| !n.ends_with("sequential")).map(|(n, l)| (*n, "lag_max_ms", *l)).collect();
    crate::chart::bars(
        r,
        &BarSpec::new("Event-loop lag: how late a 1 ms heartbeat woke (max)", "ms (log)", &bars).log_y(),
    )
}

/// Heartbeats counted over time (first repeat): a healthy loop climbs steadily, a blocked one runs flat.
pub fn timeline_chart(r: &LabResult) -> Result<Chart> {
    lines(
        r,
        &LineSpec::new(
            "heartbeats",
            "Heartbeats so far: flat = the event loop was blocked",
            "time since start, s",
            "heartbeats",
        )
        .only(&["tokio current_thread", "spawn_blocking", "tokio yield_now", "python asyncio", "python processes"])
        .legend(Corner::UpperLeft),
    )
}
