//! Notebook 03, "Why did semaphore=100 give near-perfect scaling?": `use helpers::q3::*;`.

use crate::chart::{bars, lines, BarSpec, LineSpec};
pub use crate::experiments::q3::{ideal_s, reference_limit, Params};
pub use crate::prelude::*;
use plotters::prelude::SeriesLabelPosition as Corner;

/// Runtime vs limit for each runtime, with ceil(N/limit) x latency dashed.
pub fn runtime_chart(r: &LabResult) -> Result<Chart> {
    lines(
        r,
        &LineSpec::new("runtime_s", "Runtime vs semaphore limit", "limit (tasks in flight, log)", "runtime, s (log)")
            .log_x()
            .log_y(),
    )
}

/// Efficiency = ideal / measured: 1.0 is the model exactly.
pub fn efficiency_chart(r: &LabResult) -> Result<Chart> {
    lines(
        r,
        &LineSpec::new("efficiency", "Efficiency (ideal / measured) vs limit", "limit (log)", "efficiency")
            .log_x()
            .legend(Corner::LowerLeft),
    )
}

/// Cores kept busy (CPU time / wall time) during each run: the "thread is constantly utilized" test.
pub fn cpu_chart(r: &LabResult) -> Result<Chart> {
    lines(
        r,
        &LineSpec::new(
            "cpu_busy",
            "Cores busy while the tasks sleep (CPU time / wall time)",
            "limit (log)",
            "cores busy",
        )
        .log_x()
        .legend(Corner::UpperLeft),
    )
}

/// Peak resident memory during each run.
pub fn memory_chart(r: &LabResult) -> Result<Chart> {
    lines(
        r,
        &LineSpec::new("peak_rss_mb", "Peak resident memory vs limit", "limit (log)", "peak RSS, MiB")
            .log_x()
            .legend(Corner::UpperLeft),
    )
}

/// µs to spawn+join one task or thread, and µs per hand-off between two of them.
pub fn overhead_chart(r: &LabResult) -> Result<Chart> {
    bars(
        r,
        &BarSpec::new(
            "Scheduling overhead per task / per hand-off",
            "µs (log)",
            &[
                ("tokio", "spawn_us", "tokio spawn"),
                ("threads", "spawn_us", "thread spawn"),
                ("python", "spawn_us", "asyncio task"),
                ("tokio", "switch_us", "tokio hand-off"),
                ("threads", "switch_us", "thread hand-off"),
                ("python", "switch_us", "asyncio hand-off"),
            ],
        )
        .log_y(),
    )
}
