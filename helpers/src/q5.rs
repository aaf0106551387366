//! Notebook 05, "If we change sleep to 1 second, what will async runtime become?": `use helpers::q5::*;`.

use crate::chart::{lines, LineSpec};
pub use crate::experiments::q5::{notes_s, Params};
pub use crate::prelude::*;

/// Runs `lab q5` with these parameters (progress is printed as it goes) and the default budget.
pub fn run(params: &Params) -> Result<LabResult> {
    crate::runner::run(params)
}

/// Like `run`, within a budget of your choosing.
pub fn run_with(params: &Params, budget: &Budget) -> Result<LabResult> {
    crate::runner::run_with(params, budget)
}

/// Measured runtime against the notes' formula; on the dashed line y = x they agree.
pub fn formula_chart(r: &LabResult) -> Result<Chart> {
    lines(
        r,
        &LineSpec {
            y: "measured_s".into(),
            title: "Measured runtime vs (N / concurrency) x latency".into(),
            x_label: "predicted by the formula, s (log)".into(),
            y_label: "measured, s (log)".into(),
            log_x: true,
            log_y: true,
        },
    )
}

/// (measured - ceil(N/c) x latency) / waves: what each wave adds beyond the sleep itself.
pub fn residual_chart(r: &LabResult) -> Result<Chart> {
    lines(
        r,
        &LineSpec {
            y: "residual_per_wave_ms".into(),
            title: "Overhead per wave beyond the sleep (measured - ideal) / waves".into(),
            x_label: "latency, ms (log)".into(),
            y_label: "ms per wave".into(),
            log_x: true,
            log_y: false,
        },
    )
}

/// How late each sleep woke, p99, by latency.
pub fn lateness_chart(r: &LabResult) -> Result<Chart> {
    lines(
        r,
        &LineSpec {
            y: "lateness_p99_ms".into(),
            title: "How late a sleep wakes (p99 over tasks)".into(),
            x_label: "latency, ms (log)".into(),
            y_label: "lateness p99, ms".into(),
            log_x: true,
            log_y: false,
        },
    )
}
