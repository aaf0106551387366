//! Notebook 09, "If tasks = 50,000": `use helpers::q9::*;`.

use crate::chart::{lines, stacked_bars, Categories, LineSpec};
pub use crate::experiments::q9::Params;
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

/// Peak resident memory vs the number of tasks.
pub fn memory_chart(r: &LabResult) -> Result<Chart> {
    lines(
        r,
        &LineSpec::new("peak_rss_mb", "Peak resident memory vs tasks", "tasks (log)", "MiB (log)")
            .log_x()
            .log_y()
            .legend(Corner::UpperLeft),
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

/// Python's garbage collections per generation vs the number of tasks.
pub fn gc_chart(r: &LabResult) -> Result<Chart> {
    lines(
        r,
        &LineSpec::new("gc_gen0", "Python garbage collections during the run", "tasks (log)", "collections")
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
