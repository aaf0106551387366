//! Notebook 05, "If we change sleep to 1 second, what will async runtime become?": `use helpers::q5::*;`.
//!
//! The notes' formula, runtime ≈ (N / concurrency) × latency, measured against tokio and Python asyncio for a
//! sweep of latencies; the residual per wave shows the timer's granularity.

use crate::params::{in_range, list_in_range, ExperimentParams};
use serde::{Deserialize, Serialize};

/// The Python twin (`helpers/python/`) that measures this question's Python side.
pub const TWIN: &str = "q5_latency.py";

/// Parameters of `lab q5`. Defaults are the notes' numbers.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Params {
    /// Tasks per run, 1 .. 1,000,000.
    pub tasks: u64,
    /// Semaphore size (the notes' "concurrency"), 1 .. tasks.
    pub limit: u64,
    /// Sleep per task to sweep, ms, each 1 .. 60,000, at most 12 values.
    pub latencies_ms: Vec<u64>,
    /// Runs of every variant, interleaved. 1 .. 10.
    pub repeats: u64,
    /// Run the Python asyncio twin beside Rust.
    pub python: bool,
    /// tokio scheduler: "multi_thread" or "current_thread".
    pub runtime: Flavor,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            tasks: 1000,
            limit: 100,
            latencies_ms: vec![10, 50, 100, 500, 1000],
            repeats: 1,
            python: true,
            runtime: Flavor::MultiThread,
        }
    }
}

/// The notes' formula, (N / concurrency) × latency, in seconds.
pub fn notes_s(tasks: u64, limit: u64, latency_ms: u64) -> f64 {
    tasks as f64 / limit as f64 * latency_ms as f64 / 1000.0
}

impl ExperimentParams for Params {
    const NAME: &'static str = "q5";

    fn validate(&self) -> Result<()> {
        in_range("tasks", self.tasks, 1, 1_000_000)?;
        if self.limit < 1 || self.limit > self.tasks {
            return Err(LabError::invalid(format!(
                "limit must be between 1 and tasks ({}); got {}",
                self.tasks, self.limit
            )));
        }
        list_in_range("latencies_ms", &self.latencies_ms, 12, 1, 60_000)?;
        in_range("repeats", self.repeats, 1, 10)?;
        Ok(())
    }

    fn estimate_s(&self) -> f64 {
        let variants = if self.python { 2.0 } else { 1.0 };
        let per_rep: f64 = self.latencies_ms.iter().map(|&l| super::q3::ideal_s(self.tasks, self.limit, l)).sum();
        per_rep * variants * self.repeats as f64
    }
}

#[cfg(feature = "experiments")]
mod run;
#[cfg(feature = "experiments")]
pub use run::execute;
pub mod judge;

use crate::chart::{lines, LineSpec};
pub use crate::prelude::*;
use plotters::prelude::SeriesLabelPosition as Corner;

/// Measured runtime against the notes' formula; on the dashed line y = x they agree.
pub fn formula_chart(r: &LabResult) -> Result<Chart> {
    lines(
        r,
        &LineSpec::new(
            "measured_s",
            "Measured runtime vs (N / concurrency) x latency",
            "predicted by the formula, s (log)",
            "measured, s (log)",
        )
        .log_x()
        .log_y()
        .legend(Corner::UpperLeft),
    )
}

/// (measured - ceil(N/c) x latency) / waves: what each wave adds beyond the sleep itself.
pub fn residual_chart(r: &LabResult) -> Result<Chart> {
    lines(
        r,
        &LineSpec::new(
            "residual_per_wave_ms",
            "Overhead per wave beyond the sleep: (measured - ideal) / waves",
            "latency, ms (log)",
            "ms per wave",
        )
        .log_x()
        .legend(Corner::LowerRight),
    )
}

/// How late each sleep woke, p99, by latency.
pub fn lateness_chart(r: &LabResult) -> Result<Chart> {
    lines(
        r,
        &LineSpec::new(
            "lateness_p99_ms",
            "How late a sleep wakes (p99 over tasks)",
            "latency, ms (log)",
            "lateness p99, ms",
        )
        .log_x()
        .legend(Corner::LowerRight),
    )
}
