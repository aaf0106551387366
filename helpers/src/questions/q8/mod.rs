//! Notebook 08, "If each task did large JSON serialization": `use helpers::q8::*;`.
//!
//! `tasks` tasks each serialize a nested document of `doc_bytes` (swept), inline on the event loop or offloaded
//! (spawn_blocking, rayon, batches), while a heartbeat and light "ping" tasks measure how responsive the loop
//! stays. The Python twin does the same with json.dumps, asyncio.to_thread and a ProcessPoolExecutor.

use crate::params::{in_range, list_in_range, ExperimentParams};
use serde::{Deserialize, Serialize};

/// The Python twin (`helpers/python/`) that measures this question's Python side.
pub const TWIN: &str = "q8_json.py";

/// Parameters of `lab q8`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Params {
    /// Documents serialized per run (one per task), 1 .. 10,000.
    pub tasks: u64,
    /// Document sizes to sweep, bytes of JSON, each 100 .. 50,000,000, at most 8 values.
    pub doc_bytes: Vec<u64>,
    /// Documents per call in the batched strategy, 1 .. tasks.
    pub batch: u64,
    /// Interval between the light ping tasks, ms, 1 .. 1000.
    pub ping_ms: u64,
    /// The document size the claims are judged at: one of `doc_bytes` (the notes' case: large documents).
    pub judge_doc_bytes: u64,
    /// Run the Python twin (json.dumps inline, to_thread, processes, batches) beside Rust.
    pub python: bool,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            tasks: 16,
            doc_bytes: vec![10_000, 100_000, 1_000_000, 10_000_000],
            batch: 4,
            ping_ms: 5,
            judge_doc_bytes: 10_000_000,
            python: true,
        }
    }
}

impl ExperimentParams for Params {
    const NAME: &'static str = "q8";

    fn validate(&self) -> Result<()> {
        in_range("tasks", self.tasks, 1, 10_000)?;
        list_in_range("doc_bytes", &self.doc_bytes, 8, 100, 50_000_000)?;
        if self.batch < 1 || self.batch > self.tasks {
            return Err(crate::error::LabError::invalid(format!(
                "batch must be between 1 and tasks ({}); got {}",
                self.tasks, self.batch
            )));
        }
        in_range("ping_ms", self.ping_ms, 1, 1000)?;
        if !self.doc_bytes.contains(&self.judge_doc_bytes) {
            return Err(crate::error::LabError::invalid(format!(
                "judge_doc_bytes must be one of doc_bytes {:?}; got {}",
                self.doc_bytes, self.judge_doc_bytes
            )));
        }
        Ok(())
    }

    fn estimate_s(&self) -> f64 {
        // serde_json writes about 150 MB/s here, json.dumps about 100 MB/s; five Rust strategies (two of them on
        // every core), four Python ones, and building each document.
        let bytes: f64 = self.doc_bytes.iter().map(|&b| b as f64).sum();
        let per_doc = bytes * self.tasks as f64;
        let rust = per_doc / 150e6 * 4.0 + bytes / 50e6;
        let python = if self.python { per_doc / 100e6 * 5.0 + bytes / 20e6 * 4.0 } else { 0.0 };
        rust + python + 0.15 * self.doc_bytes.len() as f64 * 9.0
    }

    fn estimate_mb(&self) -> f64 {
        // The largest document held as a value (about 8x its JSON in Rust, 15x as Python objects) plus every task's
        // output string alive at once (spawn_blocking runs them all together), plus the processes' copies.
        let big = self.doc_bytes.iter().copied().max().unwrap_or(0) as f64 / (1024.0 * 1024.0);
        let rust = big * (8.0 + self.tasks as f64);
        let python = if self.python { big * (15.0 + 2.0 * self.tasks as f64) } else { 0.0 };
        rust.max(python) + 100.0
    }
}

#[cfg(feature = "experiments")]
mod run;
#[cfg(feature = "experiments")]
pub use run::execute;
pub mod judge;

use crate::chart::{bars, lines, BarSpec, LineSpec};
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

/// Peak resident memory vs document size per strategy; the title says whether the peaks are since each run's reset
/// or lifetime peaks, and the axis what a Python pool's peak counts.
pub fn memory_chart(r: &LabResult) -> Result<Chart> {
    let title = crate::peak::Peak::chart_title(r, "Peak resident memory vs document size");
    lines(
        r,
        &LineSpec::new(
            "peak_rss_mb",
            &title,
            "document, bytes (log); Python pools: parent's peak + what the workers' peaks added",
            "MiB (log)",
        )
        .log_x()
        .log_y()
        .legend(Corner::UpperLeft),
    )
}
