//! Notebook 03, "Why did semaphore=100 give near-perfect scaling?": `use helpers::q3::*;`.
//!
//! N tasks sleep `latency_ms` behind a semaphore of each `limit`, in tokio, in a pool of OS threads and in Python
//! asyncio; plus what one task costs to spawn and to switch to, in each. A control: the same N sleeps as
//! `time.sleep` on a Python `ThreadPoolExecutor` of the reference limit's threads (`PYTHON_THREADS`, one point),
//! so that Python's OS threads stand beside asyncio as Rust's stand beside tokio.

use crate::params::{in_range, ExperimentParams};
use serde::{Deserialize, Serialize};

/// The Python twin (`helpers/python/`) that measures this question's Python side.
pub const TWIN: &str = "q3_semaphore.py";

/// The series of the twin's thread pool: N `time.sleep`s on `ThreadPoolExecutor(max_workers = reference limit)`,
/// y `runtime_s` at x = that limit, one point (the median of the repeats).
pub const PYTHON_THREADS: &str = "python threads";

/// Parameters of `lab q3`. Defaults are the notes' numbers.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Params {
    /// Tasks per run, 1 .. 1,000,000.
    pub tasks: u64,
    /// How long each task sleeps, ms, 1 .. 60,000.
    pub latency_ms: u64,
    /// Semaphore sizes to try, each 1 .. min(tasks, 10,000) (one OS thread per permit in the threads variant).
    pub limits: Vec<u64>,
    /// Runs of every variant, interleaved; the charts show the median and the spread. 1 .. 10.
    pub repeats: u64,
    /// Run the Python twin beside Rust: asyncio at every limit, and a thread pool at the reference limit.
    pub python: bool,
    /// Tasks (and hand-offs) in the scheduling-overhead measurement, 0 (skip) .. 1,000,000.
    pub overhead_tasks: u64,
    /// tokio scheduler for the sleeping tasks: "multi_thread" or "current_thread".
    pub runtime: Flavor,
    /// Record each task's instants for the timeline charts; false runs without recording, for measuring its cost.
    pub timeline: bool,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            tasks: 1000,
            latency_ms: 100,
            limits: vec![10, 50, 100, 200, 1000],
            repeats: 1,
            python: true,
            overhead_tasks: 20_000,
            runtime: Flavor::MultiThread,
            timeline: true,
        }
    }
}

/// The limit the claims are judged at and the timelines recorded at: 100 (the notes') when it was run, else the
/// one closest to it.
pub fn reference_limit(limits: &[u64]) -> u64 {
    nearest(limits, 100).unwrap_or(100)
}

/// The value of `values` closest to `target` by ratio (ties: the smaller, so that the list's order does not
/// matter); None when there is none.
pub fn nearest(values: &[u64], target: u64) -> Option<u64> {
    // Ratios compared as exact fractions: 50 and 200 tie around 100, which logarithms in floats may not say.
    let ratio = |v: u64| (v.max(target) as u128, v.min(target).max(1) as u128);
    values.iter().copied().min_by(|a, b| {
        let ((an, ad), (bn, bd)) = (ratio(*a), ratio(*b));
        (an * bd).cmp(&(bn * ad)).then(a.cmp(b))
    })
}

/// Where the timelines are recorded: the reference limit's first run.
pub fn timeline_at(p: &Params) -> String {
    format!("limit {}, repeat 1", reference_limit(&p.limits))
}

/// The model: ceil(N / limit) waves of one latency each, in seconds.
pub fn ideal_s(tasks: u64, limit: u64, latency_ms: u64) -> f64 {
    tasks.div_ceil(limit.max(1)) as f64 * latency_ms as f64 / 1000.0
}

impl ExperimentParams for Params {
    const NAME: &'static str = "q3";

    fn validate(&self) -> Result<()> {
        in_range("tasks", self.tasks, 1, 1_000_000)?;
        in_range("latency_ms", self.latency_ms, 1, 60_000)?;
        in_range("repeats", self.repeats, 1, 10)?;
        in_range("overhead_tasks", self.overhead_tasks, 0, 1_000_000)?;
        if self.limits.is_empty() || self.limits.len() > 12 {
            return Err(LabError::invalid(format!(
                "limits must hold between 1 and 12 values; got {}",
                self.limits.len()
            )));
        }
        let max = self.tasks.min(10_000);
        for &l in &self.limits {
            if l < 1 || l > max {
                return Err(LabError::invalid(format!(
                    "each limit must be between 1 and {max} (tasks = {}, and at most 10000 threads); got {l}",
                    self.tasks
                )));
            }
        }
        Ok(())
    }

    fn estimate_s(&self) -> f64 {
        let variants = if self.python { 3.0 } else { 2.0 };
        let sleeping: f64 = self.limits.iter().map(|&l| ideal_s(self.tasks, l, self.latency_ms)).sum();
        // Spawning threads (Rust's, and Python's when it runs) and the Python start-up dominate the overhead
        // part: ~25 µs a task all told per variant, ~100 µs more for Python's threads.
        let python_threads = if self.python { 100e-6 } else { 0.0 };
        // Python's thread pool sleeps once a repeat at the reference limit: ceil(N / limit) x latency.
        let l = reference_limit(&self.limits);
        let pool = if self.python { ideal_s(self.tasks, l, self.latency_ms) * self.repeats as f64 } else { 0.0 };
        sleeping * variants * self.repeats as f64
            + pool
            + self.overhead_tasks as f64 * (25e-6 * variants + python_threads)
    }
}

#[cfg(feature = "experiments")]
mod run;
#[cfg(feature = "experiments")]
pub use run::execute;
pub mod judge;

use crate::chart::{bars, lines, BarSpec, LineSpec};
pub use crate::prelude::*;
use crate::questions::permits;
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

/// Peak resident memory during each run; the title says whether the peaks are since each run's reset.
pub fn memory_chart(r: &LabResult) -> Result<Chart> {
    let title = crate::peak::Peak::chart_title(r, "Peak resident memory vs limit");
    lines(r, &LineSpec::new("peak_rss_mb", &title, "limit (log)", "peak RSS, MiB").log_x().legend(Corner::UpperLeft))
}

/// Memory per task once all N tasks exist, by limit: heap bytes in tokio (the counting allocator), RSS growth in
/// asyncio. Flat means the limit does not bound the tasks alive.
pub fn task_memory_chart(r: &LabResult) -> Result<Chart> {
    lines(
        r,
        &LineSpec::new(
            "task_heap_bytes",
            "Memory per task while all N tasks are alive",
            "limit (log)",
            "bytes per task (tokio: heap; asyncio: RSS growth)",
        )
        .also(&["task_rss_bytes"])
        .names(&[("task_heap_bytes", "heap"), ("task_rss_bytes", "RSS growth")])
        .log_x()
        .legend(Corner::LowerRight),
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
                ("python", "thread_spawn_us", "Python thread spawn"),
                ("tokio", "switch_us", "tokio hand-off"),
                ("threads", "switch_us", "thread hand-off"),
                ("python", "switch_us", "asyncio hand-off"),
                ("python", "thread_switch_us", "Python thread hand-off"),
            ],
        )
        .log_y(),
    )
}

/// The variants a timeline is recorded for, in the charts' order.
const TIMELINES: [&str; 3] = ["tokio", "threads", "python"];

/// Tasks holding a permit and waiting for one over time, one panel per runtime, against the limit (dashed).
pub fn in_flight_chart(r: &LabResult) -> Result<Chart> {
    let p: Params = permits::params_of(r)?;
    permits::in_flight_chart(r, &TIMELINES, reference_limit(&p.limits))
}

/// A sample of tasks, one bar each: how long each waited for its permit, then slept.
pub fn lifetimes_chart(r: &LabResult) -> Result<Chart> {
    permits::lifetimes_chart(r, &TIMELINES)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timelines_are_recorded_at_the_limit_nearest_100_and_ties_go_to_the_smaller() {
        assert_eq!(reference_limit(&Params::default().limits), 100);
        // 50 and 200 are both 2x from 100: the smaller, whatever the order.
        assert_eq!(reference_limit(&[200, 50]), 50);
        assert_eq!(reference_limit(&[50, 200]), 50);
        assert_eq!(reference_limit(&[1000, 30]), 30, "by ratio: 3.3x beats 10x");
        assert_eq!(nearest(&[], 100), None);
        assert_eq!(timeline_at(&Params { limits: vec![500, 20], ..Params::default() }), "limit 20, repeat 1");
    }
}
