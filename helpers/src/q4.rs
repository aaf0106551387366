//! Notebook 04, "If you remove semaphore limit entirely (1000 concurrent), what do you predict will happen?":
//! `use helpers::q4::*;`.

use crate::chart::{category_lines, stacked_bars, Categories};
pub use crate::experiments::q4::{limit_label, Params};
pub use crate::prelude::*;

/// The limits the run measured, as chart categories ("none" and the lowered-nofile run included).
fn categories(r: &LabResult, title: &str, y_label: &str, log_y: bool) -> Categories {
    let nofile = r.params.get("nofile").and_then(|v| v.as_u64());
    let xs: Vec<f64> = r.series("tokio", "ok").map(|s| s.points.iter().map(|p| p[0]).collect()).unwrap_or_default();
    Categories {
        title: title.into(),
        x_label: "client-side limit".into(),
        y_label: y_label.into(),
        categories: xs.into_iter().map(|x| (x, limit_label(x, nofile))).collect(),
        log_y,
    }
}

/// How each run's requests ended, per limit, tokio and Python side by side.
pub fn outcomes_chart(r: &LabResult) -> Result<Chart> {
    stacked_bars(
        r,
        &["tokio", "python"],
        &[
            ("ok", "ok"),
            ("timeouts", "timeout"),
            ("rejected", "429"),
            ("conn_errors", "connection error"),
            ("emfile", "EMFILE"),
            ("addr_not_avail", "EADDRNOTAVAIL"),
        ],
        &categories(r, "Outcomes of the requests per limit", "requests", false),
    )
}

/// p99 latency of successful requests per limit.
pub fn latency_chart(r: &LabResult) -> Result<Chart> {
    category_lines(
        r,
        "latency_p99_ms",
        &["tokio", "python"],
        &categories(r, "p99 latency of successful requests", "ms (log)", true),
    )
}

/// How many requests waited for the server's pool at once.
pub fn queue_chart(r: &LabResult) -> Result<Chart> {
    category_lines(
        r,
        "server_max_queue",
        &["tokio", "python"],
        &categories(r, "Server: most requests waiting for a pool connection", "requests queued", false),
    )
}

/// Peak open file descriptors of the client per limit.
pub fn fds_chart(r: &LabResult) -> Result<Chart> {
    category_lines(
        r,
        "peak_fds",
        &["tokio", "python"],
        &categories(r, "Client: peak open file descriptors", "fds", false),
    )
}

/// Peak resident memory of the client per limit.
pub fn memory_chart(r: &LabResult) -> Result<Chart> {
    category_lines(r, "peak_rss_mb", &["tokio", "python"], &categories(r, "Client: peak resident memory", "MiB", false))
}
