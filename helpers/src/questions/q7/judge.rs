//! Question 7's claims and headline: a pure function of a result (its params and series).

use super::*;
use crate::result::{Claim, LabResult, Verdict};
use crate::units::{fmt_s, or_not_run};

pub fn headline(p: &Params, r: &LabResult) -> Result<String> {
    let n = p.tasks.iter().copied().max().unwrap_or(1) as f64;
    let mut parts = Vec::new();
    for name in ["sleep multi_thread", "spin multi_thread", "python asyncio.sleep", "python spin"] {
        if let (Ok(w), Ok(c)) = (r.value(name, "wall_s", n), r.value(name, "cpu_s", n)) {
            parts.push(format!("{name} {} wall / {} CPU", fmt_s(w), fmt_s(c)));
        }
    }
    Ok(format!("{n:.0} tasks x {} ms: {}", p.duration_ms, parts.join("; ")))
}

pub fn claims(p: &Params, r: &LabResult) -> Result<Vec<Claim>> {
    let n = p.tasks.iter().copied().max().unwrap_or(1) as f64;
    let lo = p.tasks.iter().copied().min().unwrap_or(1) as f64;
    let v = |name: &str, y: &str| r.value(name, y, n);
    let cores = r.machine.cores;
    let sleep_us = v("sleep multi_thread", "cpu_us_per_task")?;
    let spin_us = v("spin multi_thread", "cpu_us_per_task")?;
    let py_sleep_us = v("python asyncio.sleep", "cpu_us_per_task").ok();
    let f = |o: Option<f64>, unit: &str| or_not_run(o, |x| format!("{x:.1}{unit}"));
    let sleep_wall_lo = r.value("sleep multi_thread", "wall_s", lo)?;
    let sleep_wall = v("sleep multi_thread", "wall_s")?;
    let block_ct = v("blocking sleep current_thread", "wall_s")?;
    let block_mt = v("blocking sleep multi_thread", "wall_s")?;
    let spin_ct = v("spin current_thread", "wall_s")?;
    let spin_mt = v("spin multi_thread", "wall_s")?;
    let spin_mt_util = v("spin multi_thread", "cpu_util")?;
    let py_spin = v("python spin", "wall_s").ok();
    let py_block = v("python time.sleep", "wall_s").ok();
    Ok(vec![
        Claim::new(
            "7.1",
            Verdict::Confirmed,
            format!(
                "A task that awaits a {} ms sleep cost {sleep_us:.1} µs of CPU in tokio ({} in asyncio); one that \
                 computes for the same time cost {spin_us:.0} µs. The sleeping run's context switches ({:.0} for \
                 {n:.0} tasks) are the runtime parking in epoll_wait until the timer fires.",
                p.duration_ms,
                f(py_sleep_us, " µs"),
                v("sleep multi_thread", "switches")?
            ),
        )?,
        Claim::new(
            "7.2",
            Verdict::Confirmed,
            format!(
                "{lo:.0} sleeping tasks took {}, {n:.0} took {}: the waits overlap. Only if the wait lets go of the \
                 thread: std::thread::sleep inside a task took {} on current_thread and {} on multi_thread \
                 ({cores} workers), time.sleep in a coroutine {}: blocking waits add up.",
                fmt_s(sleep_wall_lo),
                fmt_s(sleep_wall),
                fmt_s(block_ct),
                fmt_s(block_mt),
                or_not_run(py_block, fmt_s)
            ),
        )?,
        Claim::new(
            "7.3",
            if spin_mt_util > 0.6 && cores > 1 { Verdict::PythonOnly } else { Verdict::Confirmed },
            format!(
                "{n:.0} tasks spinning {} ms each: {} on one loop thread (current_thread), Python {}; but {} on \
                 tokio's multi_thread runtime, which used {:.0}% of {cores} cores. One event loop adds no \
                 parallelism; an async runtime with a worker per core does — Rust's default.",
                p.duration_ms,
                fmt_s(spin_ct),
                or_not_run(py_spin, fmt_s),
                fmt_s(spin_mt),
                spin_mt_util * 100.0
            ),
        )?,
    ])
}
