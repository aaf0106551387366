//! Notebook 03, "Why did semaphore=100 give near-perfect scaling?": `use helpers::q3::*;`.

use crate::chart::{bars, lines, LineSpec};
pub use crate::experiments::q3::{ideal_s, reference_limit, Params};
pub use crate::prelude::*;

/// Runs `lab q3` with these parameters (progress is printed as it goes) and the default budget.
pub fn run(params: &Params) -> Result<LabResult> {
    crate::runner::run(params)
}

/// Like `run`, within a budget of your choosing.
pub fn run_with(params: &Params, budget: &Budget) -> Result<LabResult> {
    crate::runner::run_with(params, budget)
}

/// Runtime vs limit for each runtime, with ceil(N/limit) x latency dashed.
pub fn runtime_chart(r: &LabResult) -> Result<Chart> {
    lines(
        r,
        &LineSpec {
            y: "runtime_s".into(),
            title: "Runtime vs semaphore limit".into(),
            x_label: "limit (tasks in flight, log)".into(),
            y_label: "runtime, s (log)".into(),
            log_x: true,
            log_y: true,
        },
    )
}

/// Efficiency = ideal / measured: 1.0 is the model exactly.
pub fn efficiency_chart(r: &LabResult) -> Result<Chart> {
    lines(
        r,
        &LineSpec {
            y: "efficiency".into(),
            title: "Efficiency (ideal / measured) vs limit".into(),
            x_label: "limit (log)".into(),
            y_label: "efficiency".into(),
            log_x: true,
            log_y: false,
        },
    )
}

/// Cores kept busy (CPU time / wall time) during each run: the "thread is constantly utilized" test.
pub fn cpu_chart(r: &LabResult) -> Result<Chart> {
    lines(
        r,
        &LineSpec {
            y: "cpu_busy".into(),
            title: "Cores busy while the tasks sleep (CPU time / wall time)".into(),
            x_label: "limit (log)".into(),
            y_label: "cores busy".into(),
            log_x: true,
            log_y: false,
        },
    )
}

/// Peak resident memory during each run.
pub fn memory_chart(r: &LabResult) -> Result<Chart> {
    lines(
        r,
        &LineSpec {
            y: "peak_rss_mb".into(),
            title: "Peak resident memory vs limit".into(),
            x_label: "limit (log)".into(),
            y_label: "peak RSS, MiB".into(),
            log_x: true,
            log_y: false,
        },
    )
}

/// µs to spawn+join one task or thread, and µs per hand-off between two of them.
pub fn overhead_chart(r: &LabResult) -> Result<Chart> {
    bars(
        r,
        &[
            ("tokio", "spawn_us", "tokio spawn"),
            ("threads", "spawn_us", "thread spawn"),
            ("python", "spawn_us", "asyncio task"),
            ("tokio", "switch_us", "tokio hand-off"),
            ("threads", "switch_us", "thread hand-off"),
            ("python", "switch_us", "asyncio hand-off"),
        ],
        "Scheduling overhead per task / per hand-off",
        "µs (log)",
    )
}
