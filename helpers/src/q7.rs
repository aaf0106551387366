//! Notebook 07, "The reason runtime didn't increase: because sleep does not consume CPU": `use helpers::q7::*;`.

use crate::chart::{bars, lines, BarSpec, LineSpec};
pub use crate::experiments::q7::Params;
pub use crate::prelude::*;
use plotters::prelude::SeriesLabelPosition as Corner;

/// Wall time vs number of tasks per variant; dashed: one wait's duration (perfect overlap).
pub fn runtime_chart(r: &LabResult) -> Result<Chart> {
    lines(
        r,
        &LineSpec::new("wall_s", "Runtime vs tasks: flat = the waits overlap", "tasks (log)", "wall time, s (log)")
            .log_x()
            .log_y()
            .legend(Corner::UpperLeft),
    )
}

/// CPU time vs number of tasks per variant.
pub fn cpu_chart(r: &LabResult) -> Result<Chart> {
    lines(
        r,
        &LineSpec::new("cpu_s", "CPU time vs tasks: who waits and who works", "tasks (log)", "CPU time, s (log)")
            .log_x()
            .log_y()
            .legend(Corner::UpperLeft),
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
    bars(r, &BarSpec::new(&format!("CPU time per task, {n:.0} tasks"), "µs of CPU per task (log)", &list).log_y().at(n))
}
