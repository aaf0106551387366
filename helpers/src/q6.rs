//! Notebook 06, "Memory scales with concurrency — but why exactly?": `use helpers::q6::*;`.

use crate::chart::{bars, lines, BarSpec, LineSpec};
pub use crate::experiments::q6::Params;
pub use crate::prelude::*;
use plotters::prelude::SeriesLabelPosition as Corner;

/// Resident memory of N live tasks or threads, log-log.
pub fn memory_chart(r: &LabResult) -> Result<Chart> {
    lines(
        r,
        &LineSpec::new("rss_mb", "Resident memory vs live tasks", "live tasks or threads (log)", "MiB (log)")
            .log_x()
            .log_y()
            .legend(Corner::UpperLeft),
    )
}

/// Bytes per live task at the largest count: heap (what was asked for) vs resident (what it cost), per allocator.
pub fn per_task_chart(r: &LabResult) -> Result<Chart> {
    let n = r.series("tokio", "heap_bytes_per_task").and_then(|s| s.points.last()).map_or(0.0, |p| p[0]);
    bars(
        r,
        &BarSpec::new(
            &format!("Bytes per live task, {n:.0} tasks"),
            "bytes (log)",
            &[
                ("tokio", "heap_bytes_per_task", "tokio heap"),
                ("tokio", "rss_bytes_per_task", "tokio RSS (glibc)"),
                ("tokio mimalloc", "rss_bytes_per_task", "tokio RSS (mimalloc)"),
                ("tokio holding 1 KiB", "heap_bytes_per_task", "holding 1 KiB: heap"),
                ("tokio holding 1 KiB", "rss_bytes_per_task", "holding 1 KiB: RSS"),
            ],
        )
        .log_y()
        .at(n),
    )
}

/// What one asyncio task is made of (tracemalloc, stage by stage), beside a tokio task.
pub fn components_chart(r: &LabResult) -> Result<Chart> {
    let n = r.series("python coroutine", "bytes_per_task").and_then(|s| s.points.last()).map_or(0.0, |p| p[0]);
    bars(
        r,
        &BarSpec::new(
            &format!("What a live asyncio task is made of ({n:.0} tasks)"),
            "bytes per task",
            &[
                ("python coroutine", "bytes_per_task", "coroutine"),
                ("python Task", "bytes_per_task", "Task"),
                ("python frame", "bytes_per_task", "frame"),
                ("python futures", "bytes_per_task", "futures"),
                ("python gather", "bytes_per_task", "gather refs"),
                ("python scheduling", "bytes_per_task", "timer handle"),
            ],
        )
        .at(n),
    )
}

/// Peak heap for the same jobs bounded three ways, Rust and Python.
pub fn bounding_chart(r: &LabResult) -> Result<Chart> {
    let jobs = r.params.get("jobs").and_then(|v| v.as_f64()).unwrap_or(0.0);
    bars(
        r,
        &BarSpec::new(
            &format!("Peak memory for {jobs:.0} jobs, three ways to bound them"),
            "MiB (log)",
            &[
                ("tokio spawn all", "peak_heap_mb", "tokio: spawn all"),
                ("tokio worker pool", "peak_heap_mb", "tokio: pool"),
                ("tokio window", "peak_heap_mb", "tokio: window"),
                ("python gather all", "peak_traced_mb", "py: gather all"),
                ("python worker pool", "peak_traced_mb", "py: pool"),
                ("python window", "peak_traced_mb", "py: window"),
            ],
        )
        .log_y(),
    )
}
