//! Notebook 06, "Memory scales with concurrency — but why exactly?": `use helpers::q6::*;`.
//!
//! Bytes per live task: tokio tasks (heap and RSS; a future holding 1 KiB; under glibc malloc and mimalloc), OS
//! threads (resident and reserved), Python asyncio tasks taken apart by tracemalloc (coroutine, Task, the frame
//! it awaits, futures, scheduling state, gather); and 100k jobs bounded three ways, for the peak memory of each.

use crate::params::{in_range, list_in_range, ExperimentParams};
use serde::{Deserialize, Serialize};

/// The Python twin (`helpers/python/`) that measures this question's Python side.
pub const TWIN: &str = "q6_memory.py";

/// The tokio task that sleeps on a timer (`tokio::time::sleep`), as the asyncio tasks it is compared with do; the
/// series `tokio` is the smallest possible task, one that awaits `std::future::pending()`.
pub const SLEEPER: &str = "tokio sleeping";
/// The sleeper's future (its state machine, holding the `Sleep` with its timer entry), bytes.
pub const SLEEPER_FUTURE: &str = "future state machine sleeping";

/// Parameters of `lab q6`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Params {
    /// Live task counts, each 1 .. 2,000,000, at most 6 values.
    pub tasks: Vec<u64>,
    /// Live OS thread counts, each 1 .. 20,000, at most 4 values.
    pub threads: Vec<u64>,
    /// Jobs for the comparison of three ways to bound them, 1 .. 1,000,000.
    pub jobs: u64,
    /// The bound, 1 .. jobs.
    pub limit: u64,
    /// Python runs the task counts up to this (0: no Python), 0 .. 1,000,000.
    pub python_max_tasks: u64,
    /// Also measure tokio tasks under mimalloc (a `lab` child started with LAB_ALLOCATOR=mimalloc).
    pub mimalloc: bool,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            tasks: vec![1_000, 10_000, 100_000, 1_000_000],
            threads: vec![1_000, 10_000],
            jobs: 100_000,
            limit: 100,
            python_max_tasks: 100_000,
            mimalloc: true,
        }
    }
}

impl ExperimentParams for Params {
    const NAME: &'static str = "q6";

    fn validate(&self) -> Result<()> {
        list_in_range("tasks", &self.tasks, 6, 1, 2_000_000)?;
        list_in_range("threads", &self.threads, 4, 1, 20_000)?;
        in_range("jobs", self.jobs, 1, 1_000_000)?;
        if self.limit < 1 || self.limit > self.jobs {
            return Err(LabError::invalid(format!(
                "limit must be between 1 and jobs ({}); got {}",
                self.jobs, self.limit
            )));
        }
        in_range("python_max_tasks", self.python_max_tasks, 0, 1_000_000)?;
        Ok(())
    }

    fn estimate_s(&self) -> f64 {
        let tasks: f64 = self.tasks.iter().map(|&n| n as f64).sum();
        let threads: f64 = self.threads.iter().map(|&n| n as f64).sum();
        let py: f64 = self.tasks.iter().filter(|&&n| n <= self.python_max_tasks).map(|&n| n as f64).sum();
        let waves = (self.jobs as f64 / self.limit as f64).ceil() * 0.002;
        tasks * 4e-6 * if self.mimalloc { 3.0 } else { 2.0 }
            + threads * 1.2e-4
            + 3.0 * waves
            + if self.python_max_tasks > 0 { py * 3e-5 + 3.0 * waves * 1.5 + 1.0 } else { 0.0 }
    }

    fn estimate_mb(&self) -> f64 {
        let n = self.tasks.iter().copied().max().unwrap_or(0) as f64;
        let py = self.tasks.iter().copied().filter(|&t| t <= self.python_max_tasks).max().unwrap_or(0) as f64;
        // About 1.5 KiB a task with the 1 KiB buffer; 6 KiB a Python task under tracemalloc, with the snapshot
        // that charges its allocations to parts.
        (n * 1.5 / 1024.0).max(py * 6.0 / 1024.0) + self.jobs as f64 * 0.5 / 1024.0 + 100.0
    }
}

#[cfg(feature = "experiments")]
mod run;
#[cfg(feature = "experiments")]
pub use run::{execute, measure_tasks_here};
pub mod judge;

use crate::chart::{bars, lines, BarSpec, LineSpec};
pub use crate::prelude::*;
use plotters::prelude::SeriesLabelPosition as Corner;

/// Resident memory of N live tasks or threads, log-log.
pub fn memory_chart(r: &LabResult) -> Result<Chart> {
    lines(
        r,
        &LineSpec::new("rss_mb", "Resident memory vs live tasks", "live tasks or threads (log)", "MiB (log)")
            .log_x()
            .log_y()
            // The lower right is where no line runs: every count's memory is above a few MiB by 100k tasks.
            .legend(Corner::LowerRight)
            // Six lines in two panels on one pair of axes, tokio's bare task in both as the anchor.
            .panels(&[
                ("A bare task: tokio under two allocators, asyncio", &["tokio", "tokio mimalloc", "python"]),
                (
                    "A task holding 1 KiB, and OS threads",
                    &["tokio", "tokio holding 1 KiB", "threads", "threads 64 KiB stack"],
                ),
            ]),
    )
}

/// Bytes per live task at the largest count: heap (what was asked for) vs resident (what it cost), per allocator,
/// for the smallest task (it awaits `pending()`) and one holding 1 KiB.
pub fn per_task_chart(r: &LabResult) -> Result<Chart> {
    let n = r.series("tokio", "heap_bytes_per_task").and_then(|s| s.points.last()).map_or(0.0, |p| p[0]);
    bars(
        r,
        &BarSpec::new(
            &format!("Bytes per live task, {} tasks", crate::chart::count(n)),
            "bytes (log)",
            &[
                ("tokio", "heap_bytes_per_task", "pending(): heap"),
                ("tokio", "rss_bytes_per_task", "pending(): RSS (glibc)"),
                ("tokio mimalloc", "rss_bytes_per_task", "pending(): RSS (mimalloc)"),
                ("tokio holding 1 KiB", "heap_bytes_per_task", "holding 1 KiB: heap"),
                ("tokio holding 1 KiB", "rss_bytes_per_task", "holding 1 KiB: RSS"),
            ],
        )
        .log_y()
        .at(n),
    )
}

/// The numbers the notebook's prose reads: a sleeping tokio task and the smallest one (heap, resident, the future
/// and the timer entry in it), and asyncio's sleeping task beside them, one line each.
pub fn task_costs(r: &LabResult) -> Result<String> {
    let top = |name: &str, y: &str| -> Result<f64> {
        r.series(name, y).and_then(|s| s.points.iter().map(|p| p[0]).reduce(f64::max)).ok_or_else(|| {
            LabError::other(format!("{}: no series `{name}` measuring `{y}` in this result", r.experiment))
        })
    };
    let n = top(SLEEPER, "heap_bytes_per_task")?;
    let (heap, rss) = (r.value(SLEEPER, "heap_bytes_per_task", n)?, r.value(SLEEPER, "rss_bytes_per_task", n)?);
    let (future, idle) =
        (r.value(SLEEPER_FUTURE, "size_bytes", 0.0)?, r.value("future state machine", "size_bytes", 0.0)?);
    let mut lines = vec![
        format!(
            "tokio, sleeping on a timer: {heap:.0} B heap, {rss:.0} B resident a task at {n:.0} tasks, in {:.2} \
             allocations; its future is {future:.0} B, {:.0} B of it the Sleep (timer entry)",
            r.value(SLEEPER, "allocations_per_task", n)?,
            future - idle
        ),
        format!(
            "tokio, awaiting pending() (the smallest possible task): {:.0} B heap, {:.0} B resident; its future is \
             {idle:.0} B",
            r.value("tokio", "heap_bytes_per_task", n)?,
            r.value("tokio", "rss_bytes_per_task", n)?
        ),
    ];
    if let Ok(py) = top("python", "traced_bytes_per_task") {
        let traced = r.value("python", "traced_bytes_per_task", py)?;
        let at = r.value(SLEEPER, "heap_bytes_per_task", py).unwrap_or(heap);
        lines.push(format!(
            "asyncio, sleeping: {traced:.0} B traced, {:.0} B resident a task at {py:.0} tasks, in {:.1} allocations: \
             {:.1}x the tokio sleeper's heap at that count",
            r.value("python", "rss_bytes_per_task", py)?,
            r.value("python", "allocations_per_task", py)?,
            traced / at.max(1.0)
        ));
    }
    Ok(lines.join("\n"))
}

/// A task that sleeps on a timer beside the smallest possible one, in tokio, and asyncio's sleeping task: heap (or
/// traced) bytes and resident bytes a task, at the largest count both languages ran (the count decides little: a
/// task's bytes barely move past 10k tasks).
pub fn sleeper_chart(r: &LabResult) -> Result<Chart> {
    let top = |name: &str, y: &str| r.series(name, y).and_then(|s| s.points.iter().map(|p| p[0]).reduce(f64::max));
    let tokio = top(SLEEPER, "heap_bytes_per_task").ok_or_else(|| {
        LabError::other(format!("{}: no series `{SLEEPER}` in this result (saved by an older lab)", r.experiment))
    })?;
    let n = top("python", "traced_bytes_per_task").filter(|&py| r.value(SLEEPER, "heap_bytes_per_task", py).is_ok());
    let n = n.unwrap_or(tokio);
    bars(
        r,
        &BarSpec::new(
            &format!("A sleeping task beside the smallest, {} live tasks", crate::chart::count(n)),
            "bytes per task",
            &[
                ("tokio", "heap_bytes_per_task", "tokio pending(): heap"),
                ("tokio", "rss_bytes_per_task", "tokio pending(): RSS"),
                (SLEEPER, "heap_bytes_per_task", "tokio sleep: heap"),
                (SLEEPER, "rss_bytes_per_task", "tokio sleep: RSS"),
                ("python", "traced_bytes_per_task", "asyncio sleep: traced"),
                ("python", "rss_bytes_per_task", "asyncio sleep: RSS"),
            ],
        )
        .at(n),
    )
}

/// What one asyncio task is made of (tracemalloc, stage by stage), beside a tokio task.
pub fn components_chart(r: &LabResult) -> Result<Chart> {
    let n = r.series("python coroutine", "bytes_per_task").and_then(|s| s.points.last()).map_or(0.0, |p| p[0]);
    bars(
        r,
        &BarSpec::new(
            &format!("What a live asyncio task is made of ({} tasks)", crate::chart::count(n)),
            "bytes per task",
            &[
                ("python coroutine", "bytes_per_task", "coroutine"),
                ("python Task", "bytes_per_task", "Task"),
                ("python frame", "bytes_per_task", "awaited frame"),
                ("python futures", "bytes_per_task", "futures"),
                ("python gather", "bytes_per_task", "gather refs"),
                ("python scheduling", "bytes_per_task", "scheduling"),
                ("python other", "bytes_per_task", "other"),
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
            &format!("Peak memory for {} jobs, three ways to bound them", crate::chart::count(jobs)),
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
