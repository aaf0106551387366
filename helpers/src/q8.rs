//! Notebook 08, "If each task did large JSON serialization": `use helpers::q8::*;`.

use crate::chart::{bars, lines, BarSpec, LineSpec};
pub use crate::experiments::q8::Params;
pub use crate::prelude::*;
use plotters::prelude::SeriesLabelPosition as Corner;

/// Heartbeat lateness (p99) vs document size per strategy: how long the event loop was blocked.
pub fn lag_chart(r: &LabResult) -> Result<Chart> {
    lines(
        r,
        &LineSpec::new(
            "lag_p99_ms",
            "Event-loop lag (heartbeat p99) vs document size",
            "document, bytes (log)",
            "ms (log)",
        )
        .log_x()
        .log_y()
        .legend(Corner::UpperLeft),
    )
}

/// Latency of light requests (p99, from arrival to service) vs document size.
pub fn ping_chart(r: &LabResult) -> Result<Chart> {
    lines(
        r,
        &LineSpec::new(
            "ping_p99_ms",
            "Light request latency (p99) beside the serializations",
            "document, bytes (log)",
            "ms (log)",
        )
        .log_x()
        .log_y()
        .legend(Corner::UpperLeft),
    )
}

/// MB/s of JSON per strategy at the largest document.
pub fn throughput_chart(r: &LabResult) -> Result<Chart> {
    let big =
        r.series.iter().filter(|s| s.y == "mb_per_s").flat_map(|s| s.points.iter().map(|p| p[0])).fold(0.0, f64::max);
    let names = [
        ("inline current_thread", "inline (1 thread)"),
        ("inline multi_thread", "inline (mt)"),
        ("spawn_blocking", "spawn_blocking"),
        ("rayon", "rayon"),
        ("batched", "batched"),
        ("python inline", "py inline"),
        ("python to_thread", "py to_thread"),
        ("python processes", "py processes"),
        ("python batched", "py batched"),
    ];
    let list: Vec<(&str, &str, &str)> = names.iter().map(|(n, l)| (*n, "mb_per_s", *l)).collect();
    bars(r, &BarSpec::new(&format!("Throughput at {big:.0}-byte documents"), "MB of JSON per second", &list).at(big))
}

/// Peak resident memory vs document size per strategy.
pub fn memory_chart(r: &LabResult) -> Result<Chart> {
    lines(
        r,
        &LineSpec::new("peak_rss_mb", "Peak resident memory vs document size", "document, bytes (log)", "MiB (log)")
            .log_x()
            .log_y()
            .legend(Corner::UpperLeft),
    )
}
