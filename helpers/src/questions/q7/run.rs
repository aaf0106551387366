//! What `lab q7` measures (the `lab` binary only, behind the `experiments` feature).

use super::*;
use crate::error::LabError;
use crate::params::Flavor;
use crate::progress::Progress;
use crate::questions::common;
use crate::result::{LabResult, Series};
use crate::twin;
use crate::units::fmt_s;
use crate::workload::cpu::Kernel;
use crate::workload::waiting::{self, Wait};
use std::time::Duration;

/// How a Rust variant runs its N jobs: as tokio tasks on a runtime, or (the control) on plain OS threads.
#[derive(Clone, Copy)]
enum On {
    Tokio(Wait, Flavor),
    /// `Wait::Spin`'s jobs on as many OS threads as multi_thread has workers (the cores), no async.
    SpinThreads,
}

const RUST: [(&str, On); 7] = [
    ("sleep current_thread", On::Tokio(Wait::Sleep, Flavor::CurrentThread)),
    ("sleep multi_thread", On::Tokio(Wait::Sleep, Flavor::MultiThread)),
    ("blocking sleep current_thread", On::Tokio(Wait::Blocking, Flavor::CurrentThread)),
    ("blocking sleep multi_thread", On::Tokio(Wait::Blocking, Flavor::MultiThread)),
    ("spin current_thread", On::Tokio(Wait::Spin, Flavor::CurrentThread)),
    ("spin multi_thread", On::Tokio(Wait::Spin, Flavor::MultiThread)),
    (SPIN_THREADS, On::SpinThreads),
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
        Some(py) => twin::run(py, TWIN, &params, &["--calibrate"])?.value("python", "iters_per_ms", 1.0)?,
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
            let (wall, cpu, switches) = if let Some((_, on)) = RUST.iter().find(|r| r.0 == *name) {
                let r = match *on {
                    On::Tokio(how, flavor) => waiting::run(how, flavor, n, dur, &kernel)?,
                    On::SpinThreads => waiting::spin_threads(n, dur, &kernel, crate::measure::machine::cores())?,
                };
                (r.section.wall_s, r.section.cpu_s, r.switches as f64)
            } else {
                let py = py.as_ref().ok_or_else(|| LabError::other("no Python"))?;
                let flag = PYTHON.iter().find(|r| r.0 == *name).map_or("sleep", |r| r.1);
                let r = twin::run(
                    py,
                    TWIN,
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
    common::finish(p, machine, series, super::judge::claims, super::judge::headline)
}
