//! Notebook 09, "If tasks = 50,000": `use helpers::q9::*;`.
//!
//! N tokio tasks sleeping `latency_ms`, N from 1,000 to 1,000,000: spawn time, runtime, memory, event-loop lag
//! and how late the sleeps wake; Python asyncio up to `python_max_tasks`, with its garbage collections counted.
//! Then `server_tasks` requests at once against the loopback server: "too many open files", and the fix.

use crate::params::{in_range, list_in_range, ExperimentParams};
use serde::{Deserialize, Serialize};

/// The Python twin (`helpers/python/`) that measures this question's Python side.
pub const TWIN: &str = "q9_many_tasks.py";

/// Parameters of `lab q9`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Params {
    /// Task counts to sweep, each 1 .. 2,000,000, at most 8 values.
    pub tasks: Vec<u64>,
    /// Sleep per task, ms, 1 .. 60,000.
    pub latency_ms: u64,
    /// Run the Python twin for task counts up to this (0: no Python), 0 .. 1,000,000.
    pub python_max_tasks: u64,
    /// Requests in flight at once in the server mode (0: skip it), 0 .. 100,000.
    pub server_tasks: u64,
    /// The fix: a client-side limit for the second server-mode run, 1 .. server_tasks.
    pub server_limit: u64,
    /// Soft open-files limit of the clients in the server mode (null: the limit in force, which is often raised
    /// well above the common default of 1024, as here), 32 .. 1,048,576.
    pub nofile: Option<u64>,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            tasks: vec![1_000, 10_000, 50_000, 100_000, 1_000_000],
            latency_ms: 100,
            python_max_tasks: 100_000,
            server_tasks: 50_000,
            server_limit: 500,
            nofile: Some(1024),
        }
    }
}

impl ExperimentParams for Params {
    const NAME: &'static str = "q9";

    fn validate(&self) -> Result<()> {
        list_in_range("tasks", &self.tasks, 8, 1, 2_000_000)?;
        in_range("latency_ms", self.latency_ms, 1, 60_000)?;
        in_range("python_max_tasks", self.python_max_tasks, 0, 1_000_000)?;
        in_range("server_tasks", self.server_tasks, 0, 100_000)?;
        if self.server_tasks > 0 && (self.server_limit < 1 || self.server_limit > self.server_tasks) {
            return Err(LabError::invalid(format!(
                "server_limit must be between 1 and server_tasks ({}); got {}",
                self.server_tasks, self.server_limit
            )));
        }
        if let Some(n) = self.nofile {
            in_range("nofile", n, 32, 1 << 20)?;
        }
        Ok(())
    }

    fn estimate_s(&self) -> f64 {
        let lat = self.latency_ms as f64 / 1000.0;
        // tokio spawns about a million tasks a second here; asyncio about 60,000 a second.
        let rust: f64 = self.tasks.iter().map(|&n| lat + n as f64 / 1e6).sum();
        let python: f64 =
            self.tasks.iter().filter(|&&n| n <= self.python_max_tasks).map(|&n| lat + 0.2 + n as f64 / 6e4).sum();
        let server = if self.server_tasks > 0 { 4.0 + self.server_tasks as f64 / 1e4 } else { 0.0 };
        rust + python + server
    }

    fn estimate_mb(&self) -> f64 {
        // About 0.5 KiB per tokio task and 2 KiB per asyncio task at the peak.
        let n = self.tasks.iter().copied().max().unwrap_or(0) as f64;
        let py = self.tasks.iter().copied().filter(|&t| t <= self.python_max_tasks).max().unwrap_or(0) as f64;
        (n * 0.5 / 1024.0).max(py * 2.0 / 1024.0) + 100.0
    }
}

#[cfg(feature = "experiments")]
mod run;
#[cfg(feature = "experiments")]
pub use run::execute;
pub mod judge;

use crate::chart::{lines, stacked_bars, Categories, LineSpec};
pub use crate::prelude::*;
use plotters::prelude::SeriesLabelPosition as Corner;

/// Runtime and time to spawn vs the number of tasks.
pub fn runtime_chart(r: &LabResult) -> Result<Chart> {
    lines(
        r,
        &LineSpec::new("wall_s", "Runtime (and time to spawn) vs tasks", "tasks (log)", "s (log)")
            .also(&["spawn_s"])
            .log_x()
            .log_y()
            .legend(Corner::UpperLeft),
    )
}

/// Peak resident memory vs the number of tasks; the title says whether the peaks are since each run's reset.
pub fn memory_chart(r: &LabResult) -> Result<Chart> {
    let title = crate::peak::Peak::chart_title(r, "Peak resident memory vs tasks");
    lines(
        r,
        &LineSpec::new("peak_rss_mb", &title, "tasks (log)", "MiB (log)").log_x().log_y().legend(Corner::UpperLeft),
    )
}

/// How late the sleeps woke (p50, p99, max) vs the number of tasks.
pub fn lateness_chart(r: &LabResult) -> Result<Chart> {
    lines(
        r,
        &LineSpec::new("lateness_p99_ms", "How late a 100 ms sleep wakes vs tasks", "tasks (log)", "ms (log)")
            .also(&["lateness_p50_ms", "lateness_max_ms"])
            .log_x()
            .log_y()
            .legend(Corner::UpperLeft),
    )
}

/// Event-loop lag (heartbeat p99) vs the number of tasks.
pub fn lag_chart(r: &LabResult) -> Result<Chart> {
    lines(
        r,
        &LineSpec::new("lag_p99_ms", "Event-loop lag (heartbeat p99) vs tasks", "tasks (log)", "ms (log)")
            .log_x()
            .log_y()
            .legend(Corner::UpperLeft),
    )
}

/// Python's garbage collections per generation vs the number of tasks; the title gives the interpreter's
/// generation-0 threshold where the run recorded it.
pub fn gc_chart(r: &LabResult) -> Result<Chart> {
    let threshold = r.series("python", "gc_threshold0").and_then(|s| s.points.first()).map(|p| p[1]);
    let title = match threshold {
        Some(t) => format!("Python garbage collections during the run (gen-0 threshold {t:.0})"),
        None => "Python garbage collections during the run".to_string(),
    };
    lines(
        r,
        &LineSpec::new("gc_gen0", &title, "tasks (log)", "collections")
            .also(&["gc_gen1", "gc_gen2"])
            .only(&["python"])
            .log_x()
            .legend(Corner::UpperLeft),
    )
}

/// Outcomes of the requests sent all at once, without and with a limit.
pub fn server_chart(r: &LabResult) -> Result<Chart> {
    let limit = r.params.get("server_limit").and_then(|v| v.as_u64()).unwrap_or(0) as f64;
    stacked_bars(
        r,
        &["tokio", "python"],
        &[
            ("ok", "ok"),
            ("timeouts", "timeout"),
            ("conn_errors", "connection error"),
            ("emfile", "EMFILE"),
            ("addr_not_avail", "EADDRNOTAVAIL"),
        ],
        &Categories {
            title: "Requests all at once against the loopback server".into(),
            x_label: "client-side limit".into(),
            y_label: "requests".into(),
            categories: vec![(0.0, "none".into()), (limit, format!("{limit:.0}"))],
            log_y: false,
        },
    )
}
