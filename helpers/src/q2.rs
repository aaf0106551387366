//! Notebook 02, "Why does ProcessPoolExecutor scale but ThreadPoolExecutor doesn't for CPU?":
//! `use helpers::q2::*;`.

use crate::chart::{bars, lines, BarSpec, LineSpec};
pub use crate::experiments::q2::Params;
pub use crate::prelude::*;
use plotters::prelude::SeriesLabelPosition as Corner;

/// Speed-up over a plain loop vs pool size, with min(workers, cores) dashed.
pub fn speedup_chart(r: &LabResult) -> Result<Chart> {
    lines(
        r,
        &LineSpec::new("speedup", "Speed-up vs workers (ideal: min(workers, cores))", "workers (log)", "speed-up, x")
            .log_x()
            .legend(Corner::UpperLeft),
    )
}

/// Cores busy (CPU time / wall time, worker processes included) vs pool size.
pub fn cores_chart(r: &LabResult) -> Result<Chart> {
    lines(
        r,
        &LineSpec::new("cores_busy", "Cores busy: CPU time / wall time", "workers (log)", "cores")
            .log_x()
            .legend(Corner::UpperLeft),
    )
}

/// KiB per worker: a thread (resident, and its reserved stack) vs a worker process.
pub fn memory_chart(r: &LabResult) -> Result<Chart> {
    bars(
        r,
        &BarSpec::new(
            "Memory per worker",
            "KiB (log)",
            &[
                ("threads", "kb_per_worker", "thread (resident)"),
                ("threads virtual", "kb_per_worker", "thread (address space)"),
                ("processes", "kb_per_worker", "lab worker process"),
                ("python threads", "kb_per_worker", "py thread"),
                ("python processes", "kb_per_worker", "py worker process"),
            ],
        )
        .log_y(),
    )
}

/// ms to start one worker: a thread, a `lab worker` process, a ProcessPoolExecutor.
pub fn startup_chart(r: &LabResult) -> Result<Chart> {
    bars(
        r,
        &BarSpec::new(
            "Start-up cost per worker",
            "ms (log)",
            &[
                ("threads", "start_ms", "thread"),
                ("processes", "start_ms", "lab worker process"),
                ("python processes", "start_ms", "ProcessPoolExecutor(1)"),
            ],
        )
        .log_y(),
    )
}

/// Serialization and a round trip through a worker process vs message size.
pub fn ipc_chart(r: &LabResult) -> Result<Chart> {
    lines(
        r,
        &LineSpec::new("cost_ms", "Serialization and IPC vs message size", "message, bytes of JSON (log)", "ms (log)")
            .log_x()
            .log_y()
            .legend(Corner::UpperLeft),
    )
}

/// A warm pool's speed-up over a plain loop vs job length: below 1 the pool loses.
pub fn crossover_chart(r: &LabResult) -> Result<Chart> {
    lines(
        r,
        &LineSpec::new(
            "pool_speedup",
            "When does a pool pay? Speed-up vs job length",
            "job length, µs (log)",
            "speed-up, x",
        )
        .log_x()
        .legend(Corner::LowerRight),
    )
}
