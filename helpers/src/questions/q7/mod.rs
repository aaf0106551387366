//! Notebook 07, "The reason runtime didn't increase: because sleep does not consume CPU": `use helpers::q7::*;`.
//!
//! N tasks that each wait `duration_ms` three ways — an async sleep, a blocking sleep inside the task, a CPU
//! spin — on tokio's single- and multi-threaded runtimes, and the Python twins (asyncio.sleep, time.sleep in a
//! coroutine, a busy loop). Wall time, CPU time and context switches show who waits and who works. A control:
//! the same N spins on plain OS threads, one per core (`SPIN_THREADS`), the baseline that says whether async added
//! any parallelism over the threads it runs on.

use crate::params::{in_range, list_in_range, ExperimentParams};
use serde::{Deserialize, Serialize};

/// The Python twin (`helpers/python/`) that measures this question's Python side.
pub const TWIN: &str = "q7_sleep_vs_cpu.py";

/// The control series: the spin jobs of "spin multi_thread" on as many plain OS threads as it has workers (the
/// cores), no runtime; the same five measures at every task count.
pub const SPIN_THREADS: &str = "spin threads";

/// Parameters of `lab q7`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Params {
    /// Task counts to sweep, each 1 .. 100,000, at most 8 values.
    pub tasks: Vec<u64>,
    /// How long each task waits (or computes), ms, 1 .. 10,000.
    pub duration_ms: u64,
    /// Run the Python twin (asyncio.sleep, time.sleep, busy loop) beside Rust.
    pub python: bool,
}

impl Default for Params {
    fn default() -> Self {
        Params { tasks: vec![10, 100, 400], duration_ms: 10, python: true }
    }
}

impl ExperimentParams for Params {
    const NAME: &'static str = "q7";

    fn validate(&self) -> Result<()> {
        list_in_range("tasks", &self.tasks, 8, 1, 100_000)?;
        in_range("duration_ms", self.duration_ms, 1, 10_000)?;
        Ok(())
    }

    fn estimate_s(&self) -> f64 {
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1) as f64;
        let serial: f64 = self.tasks.iter().map(|&n| n as f64 * self.duration_ms as f64 / 1000.0).sum();
        // Blocking sleep and spin: once serial (current_thread), once over the cores; spin once more over the cores
        // on plain threads; Python twice serial.
        serial * (2.0 + 3.0 / cores) + if self.python { serial * 2.0 + 1.0 } else { 0.0 }
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

/// The variants by what a task does, one panel each on the runtime and CPU charts: tokio's two flavours beside
/// Python's twin, and one wait's duration (the model) in each.
const KINDS: [(&str, &[&str]); 3] = [
    (
        "A wait that yields (sleep().await, asyncio.sleep)",
        &["sleep current_thread", "sleep multi_thread", "python asyncio.sleep", "ideal"],
    ),
    (
        "A blocking wait in a task (thread::sleep, time.sleep)",
        &["blocking sleep current_thread", "blocking sleep multi_thread", "python time.sleep", "ideal"],
    ),
    (
        "CPU work in a task (a spin)",
        &["spin current_thread", "spin multi_thread", SPIN_THREADS, "python spin", "ideal"],
    ),
];

/// Wall time vs number of tasks per variant; dashed: one wait's duration (perfect overlap).
pub fn runtime_chart(r: &LabResult) -> Result<Chart> {
    lines(
        r,
        &LineSpec::new("wall_s", "Runtime vs tasks: flat = the waits overlap", "tasks (log)", "wall time, s (log)")
            .log_x()
            .log_y()
            .legend(Corner::UpperLeft)
            .panels(&KINDS),
    )
}

/// CPU time vs number of tasks per variant.
pub fn cpu_chart(r: &LabResult) -> Result<Chart> {
    lines(
        r,
        &LineSpec::new("cpu_s", "CPU time vs tasks: who waits and who works", "tasks (log)", "CPU time, s (log)")
            .log_x()
            .log_y()
            .legend(Corner::UpperLeft)
            .panels(&KINDS),
    )
}

/// CPU microseconds per task at the largest task count.
pub fn per_task_chart(r: &LabResult) -> Result<Chart> {
    let names = [
        ("sleep current_thread", "sleep (1 thread)"),
        ("sleep multi_thread", "sleep (mt)"),
        ("blocking sleep current_thread", "thread::sleep (1)"),
        ("blocking sleep multi_thread", "thread::sleep (mt)"),
        ("spin current_thread", "spin (1 thread)"),
        ("spin multi_thread", "spin (mt)"),
        (SPIN_THREADS, "spin (threads)"),
        ("python asyncio.sleep", "py asyncio.sleep"),
        ("python time.sleep", "py time.sleep"),
        ("python spin", "py spin"),
    ];
    let n = r
        .series
        .iter()
        .filter(|s| s.y == "cpu_us_per_task")
        .flat_map(|s| s.points.iter().map(|p| p[0]))
        .fold(0.0, f64::max);
    let list: Vec<(&str, &str, &str)> = names.iter().map(|(s, l)| (*s, "cpu_us_per_task", *l)).collect();
    bars(
        r,
        &BarSpec::new(
            &format!("CPU time per task, {} tasks", crate::chart::count(n)),
            "µs of CPU per task (log)",
            &list,
        )
        .log_y()
        .at(n),
    )
}
