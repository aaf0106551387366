//! Notebook 05, "If we change sleep to 1 second, what will async runtime become?": `use helpers::q5::*;`.

use crate::chart::{lines, LineSpec};
pub use crate::experiments::q5::{notes_s, Params};
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
