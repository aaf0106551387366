//! Question 7: "The reason runtime didn't increase: because sleep does not consume CPU".
//! N tasks that each wait `duration_ms` three ways — an async sleep, a blocking sleep inside the task, a CPU
//! spin — on tokio's single- and multi-threaded runtimes, and the Python twins (asyncio.sleep, time.sleep in a
//! coroutine, a busy loop). Wall time, CPU time and context switches show who waits and who works.

use crate::error::Result;
use crate::params::{in_range, list_in_range, ExperimentParams};
use serde::{Deserialize, Serialize};

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
        // Blocking sleep and spin: once serial (current_thread), once over the cores; Python twice serial.
        serial * (2.0 + 2.0 / cores) + if self.python { serial * 2.0 + 1.0 } else { 0.0 }
    }
}

#[cfg(feature = "experiments")]
pub use run::execute;

#[cfg(feature = "experiments")]
mod run {
    use super::*;
    use crate::error::LabError;
    use crate::experiments::common;
    use crate::params::Flavor;
    use crate::progress::Progress;
    use crate::result::{Claim, LabResult, Series, Verdict};
    use crate::twin;
    use crate::verdict::{fmt_s, or_not_run};
    use crate::workload::cpu::Kernel;
    use crate::workload::waiting::{self, Wait};
    use std::time::Duration;

    const RUST: [(&str, Wait, Flavor); 6] = [
        ("sleep current_thread", Wait::Sleep, Flavor::CurrentThread),
        ("sleep multi_thread", Wait::Sleep, Flavor::MultiThread),
        ("blocking sleep current_thread", Wait::Blocking, Flavor::CurrentThread),
        ("blocking sleep multi_thread", Wait::Blocking, Flavor::MultiThread),
        ("spin current_thread", Wait::Spin, Flavor::CurrentThread),
        ("spin multi_thread", Wait::Spin, Flavor::MultiThread),
    ];
    const PYTHON: [(&str, &str); 3] =
        [("python asyncio.sleep", "sleep"), ("python time.sleep", "blocking"), ("python spin", "spin")];

    pub fn execute(p: &Params) -> Result<LabResult> {
        let (py, machine) = common::setup(p.python)?;
        let params = common::params_json(p)?;
        let mut names: Vec<&str> = RUST.iter().map(|r| r.0).collect();
        if py.is_some() {
            names.extend(PYTHON.iter().map(|r| r.0));
        }
        let mut progress = Progress::new("q7", p.tasks.len() * names.len());
        progress.note(&format!(
            "{:?} tasks x {} ms, each waited or computed three ways; about {:.0} s",
            p.tasks,
            p.duration_ms,
            p.estimate_s()
        ));
        let kernel = Kernel::calibrate();
        let py_iters_per_ms = match py.as_ref() {
            Some(py) => {
                twin::run(py, "q7_sleep_vs_cpu.py", &params, &["--calibrate"])?.value("python", "iters_per_ms", 1.0)?
            }
            None => 0.0,
        };
        let cores = machine.cores as f64;
        let dur = Duration::from_millis(p.duration_ms);
        let mut series = Vec::new();
        for name in &names {
            for y in ["wall_s", "cpu_s", "cpu_util", "cpu_us_per_task", "switches"] {
                series.push(Series::new(name, "tasks", y));
            }
        }
        // Interleaved: every variant at one task count, then the next count.
        for &n in &p.tasks {
            for (i, name) in names.iter().enumerate() {
                progress.begin(&format!("{name}, {n} tasks"));
                let (wall, cpu, switches) = if let Some((_, how, flavor)) = RUST.iter().find(|r| r.0 == *name) {
                    let r = waiting::run(*how, *flavor, n, dur, &kernel)?;
                    (r.section.wall_s, r.section.cpu_s, r.switches as f64)
                } else {
                    let py = py.as_ref().ok_or_else(|| LabError::other("no Python"))?;
                    let flag = PYTHON.iter().find(|r| r.0 == *name).map_or("sleep", |r| r.1);
                    let r = twin::run(
                        py,
                        "q7_sleep_vs_cpu.py",
                        &params,
                        &["--variant", flag, "--n", &n.to_string(), "--iters-per-ms", &py_iters_per_ms.to_string()],
                    )?;
                    let x = n as f64;
                    (r.value(name, "wall_s", x)?, r.value(name, "cpu_s", x)?, r.value(name, "switches", x)?)
                };
                let x = n as f64;
                let values = [wall, cpu, cpu / (wall * cores), cpu * 1e6 / x, switches];
                for (k, v) in values.into_iter().enumerate() {
                    series[i * 5 + k].points.push([x, v]);
                }
                progress.end(&format!("{} wall, {} CPU, {switches:.0} context switches", fmt_s(wall), fmt_s(cpu)));
            }
        }
        let mut ideal = Series::new("ideal", "tasks", "wall_s");
        ideal.points = p.tasks.iter().map(|&n| [n as f64, p.duration_ms as f64 / 1000.0]).collect();
        series.push(ideal);
        common::finish(p, machine, series, claims, headline)
    }

    fn headline(p: &Params, r: &LabResult) -> Result<String> {
        let n = p.tasks.iter().copied().max().unwrap_or(1) as f64;
        let mut parts = Vec::new();
        for name in ["sleep multi_thread", "spin multi_thread", "python asyncio.sleep", "python spin"] {
            if let (Ok(w), Ok(c)) = (r.value(name, "wall_s", n), r.value(name, "cpu_s", n)) {
                parts.push(format!("{name} {} wall / {} CPU", fmt_s(w), fmt_s(c)));
            }
        }
        Ok(format!("{n:.0} tasks x {} ms: {}", p.duration_ms, parts.join("; ")))
    }

    fn claims(p: &Params, r: &LabResult) -> Result<Vec<Claim>> {
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
            Claim {
                id: "7.1".into(),
                claim: "Because sleep does not consume CPU.".into(),
                verdict: Verdict::Confirmed,
                evidence: format!(
                    "A task that awaits a {} ms sleep cost {sleep_us:.1} µs of CPU in tokio ({} in asyncio); one that \
                     computes for the same time cost {spin_us:.0} µs. The sleeping run's context switches ({:.0} for \
                     {n:.0} tasks) are the runtime parking in epoll_wait until the timer fires.",
                    p.duration_ms,
                    f(py_sleep_us, " µs"),
                    v("sleep multi_thread", "switches")?
                ),
            },
            Claim {
                id: "7.2".into(),
                claim: "So overlapping waiting hides latency.".into(),
                verdict: Verdict::Confirmed,
                evidence: format!(
                    "{lo:.0} sleeping tasks took {}, {n:.0} took {}: the waits overlap. Only if the wait lets go of the \
                     thread: std::thread::sleep inside a task took {} on current_thread and {} on multi_thread \
                     ({cores} workers), time.sleep in a coroutine {}: blocking waits add up.",
                    fmt_s(sleep_wall_lo),
                    fmt_s(sleep_wall),
                    fmt_s(block_ct),
                    fmt_s(block_mt),
                    or_not_run(py_block, fmt_s)
                ),
            },
            Claim {
                id: "7.3".into(),
                claim: "Async overlaps waiting, it does not create CPU parallelism.".into(),
                verdict: if spin_mt_util > 0.6 && cores > 1 { Verdict::PythonOnly } else { Verdict::Confirmed },
                evidence: format!(
                    "{n:.0} tasks spinning {} ms each: {} on one loop thread (current_thread), Python {}; but {} on \
                     tokio's multi_thread runtime, which used {:.0}% of {cores} cores. One event loop adds no \
                     parallelism; an async runtime with a worker per core does — Rust's default.",
                    p.duration_ms,
                    fmt_s(spin_ct),
                    or_not_run(py_spin, fmt_s),
                    fmt_s(spin_mt),
                    spin_mt_util * 100.0
                ),
            },
        ])
    }
}
