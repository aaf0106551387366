//! What `lab q2` measures (the `lab` binary only, behind the `experiments` feature).

use super::*;
use crate::measure::cpu::{measure, measure_with_children};
use crate::measure::memory;
use crate::progress::Progress;
use crate::questions::common;
use crate::result::{LabResult, Series};
use crate::twin::{self, Python};
use crate::units::fmt_s;
use crate::workload::cpu::{spin, Kernel};
use crate::workload::process_pool::Pool;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Barrier, Mutex};
use std::time::Instant;

/// How a pool of workers runs the jobs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scaling {
    Threads,
    /// Threads that hold one global lock while they compute, released every 5 ms of work like the GIL's
    /// switch interval.
    GilModel,
    Processes,
}

impl Scaling {
    pub fn name(self) -> &'static str {
        match self {
            Scaling::Threads => "threads",
            Scaling::GilModel => "gil model",
            Scaling::Processes => "processes",
        }
    }
}

/// One pool strategy of the scaling runs: in this process, or in the Python twin (`--strategy` flag).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Strategy {
    Rust(Scaling),
    Python(&'static str),
}

impl Strategy {
    /// Every strategy the run compares, Rust first.
    fn all(python: bool) -> Vec<Strategy> {
        let mut all = vec![
            Strategy::Rust(Scaling::Threads),
            Strategy::Rust(Scaling::GilModel),
            Strategy::Rust(Scaling::Processes),
        ];
        if python {
            all.extend([Strategy::Python("threads"), Strategy::Python("processes")]);
        }
        all
    }

    /// The series it fills: "threads", "gil model", "python processes" ...
    fn name(self) -> String {
        match self {
            Strategy::Rust(how) => how.name().to_string(),
            Strategy::Python(flag) => format!("python {flag}"),
        }
    }
}

/// Runs `jobs` jobs of `iters` iterations on `workers` threads (optionally taking turns on one lock).
fn thread_pool(workers: usize, jobs: u64, iters: u64, slice: Option<u64>) -> Result<()> {
    let next = AtomicU64::new(0);
    let gil = Mutex::new(());
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| loop {
                let j = next.fetch_add(1, Ordering::Relaxed);
                if j >= jobs {
                    return;
                }
                match slice {
                    None => {
                        spin(iters, j);
                    }
                    Some(slice) => {
                        let mut left = iters;
                        let mut x = j;
                        while left > 0 {
                            let n = left.min(slice);
                            let _held = gil.lock().unwrap_or_else(|e| e.into_inner());
                            x = spin(n, x);
                            left -= n;
                        }
                    }
                }
            });
        }
    });
    Ok(())
}

/// Wall and CPU (children included) of one scaling run.
fn scaling_run(how: Scaling, workers: usize, jobs: u64, iters: u64, kernel: &Kernel) -> Result<(f64, f64)> {
    let (r, section) = measure_with_children(|| match how {
        Scaling::Threads => thread_pool(workers, jobs, iters, None),
        Scaling::GilModel => thread_pool(workers, jobs, iters, Some(kernel.iters(5.0))),
        Scaling::Processes => Pool::start(workers).and_then(|mut pool| pool.run_jobs(jobs, iters)),
    });
    r?;
    Ok((section.wall_s, section.cores_busy()))
}

#[derive(Default, Clone)]
struct Samples {
    speedup: Vec<f64>,
    cores_busy: Vec<f64>,
}

pub fn execute(p: &Params) -> Result<LabResult> {
    let (py, machine) = common::setup(p.python)?;
    let params = common::params_json(p)?;
    let strategies = Strategy::all(py.is_some());
    let langs = if py.is_some() { 2 } else { 1 };
    // Per round: the sequential baselines and every strategy at every size; then memory, start-ups, IPC and
    // the crossover (six steps in Rust, three in Python).
    let steps = p.repeats as usize * (langs + p.workers.len() * strategies.len()) + 6 + 3 * (langs - 1);
    let mut progress = Progress::new("q2", steps);
    let kernel = Kernel::calibrate();
    let iters = kernel.iters(p.job_ms);
    progress.note(&format!(
        "{} jobs x {} ms over {:?} workers on {}, {} repeat(s); about {:.0} s",
        p.jobs,
        p.job_ms,
        p.workers,
        machine.cores_label(),
        p.repeats,
        p.estimate_s()
    ));
    let py_iters_per_ms = match py.as_ref() {
        Some(py) => {
            let r = twin::run(py, TWIN, &params, &["--calibrate"])?;
            r.value("python", "iters_per_ms", 1.0)?
        }
        None => 0.0,
    };
    let py_iters = (py_iters_per_ms * p.job_ms).round().max(1.0).to_string();
    // Memory first: later runs leave freed thread stacks in glibc's cache, which new threads would reuse.
    let wmax = p.workers.iter().copied().max().unwrap_or(1) as usize;
    let mut series = memory_and_startup(wmax, &mut progress)?;

    // Scaling, interleaved: each round runs the sequential baselines, then every strategy at every size.
    let mut samples = vec![vec![Samples::default(); p.workers.len()]; strategies.len()];
    for rep in 0..p.repeats {
        progress.begin(&format!("sequential (repeat {})", rep + 1));
        let (_, seq) = measure(|| (0..p.jobs).fold(0, |a, j| a ^ spin(iters, j)));
        progress.end(&fmt_s(seq.wall_s));
        let mut py_seq = f64::NAN;
        if let Some(py) = py.as_ref() {
            progress.begin(&format!("python sequential (repeat {})", rep + 1));
            let r = python_scaling(py, &params, "sequential", 1, &py_iters)?;
            py_seq = r.0;
            progress.end(&fmt_s(py_seq));
        }
        for (wi, &w) in p.workers.iter().enumerate() {
            for (ni, &strategy) in strategies.iter().enumerate() {
                progress.begin(&format!("{}, {w} worker(s) (repeat {})", strategy.name(), rep + 1));
                let ((wall, busy), base) = match (strategy, py.as_ref()) {
                    (Strategy::Rust(how), _) => (scaling_run(how, w as usize, p.jobs, iters, &kernel)?, seq.wall_s),
                    (Strategy::Python(flag), Some(py)) => (python_scaling(py, &params, flag, w, &py_iters)?, py_seq),
                    (Strategy::Python(_), None) => return Err(LabError::other("a Python strategy without Python")),
                };
                let s = &mut samples[ni][wi];
                s.speedup.push(base / wall);
                s.cores_busy.push(busy);
                progress.end(&format!("{} ({:.2}x, {busy:.2} cores busy)", fmt_s(wall), base / wall));
            }
        }
    }
    for (ni, strategy) in strategies.iter().enumerate() {
        let mut speed = Series::new(&strategy.name(), "workers", "speedup");
        let mut busy = Series::new(&strategy.name(), "workers", "cores_busy");
        for (wi, &w) in p.workers.iter().enumerate() {
            speed.push_samples(w as f64, &samples[ni][wi].speedup);
            busy.push_samples(w as f64, &samples[ni][wi].cores_busy);
        }
        series.extend([speed, busy]);
    }
    let cores = machine.cores as f64;
    let mut ideal = Series::new("ideal", "workers", "speedup");
    ideal.points = p.workers.iter().map(|&w| [w as f64, (w as f64).min(cores)]).collect();
    series.push(ideal);

    series.extend(ipc::ipc(p, &mut progress)?);
    series.extend(crossover(p, &kernel, machine.cores, &mut progress)?);
    if let Some(py) = py.as_ref() {
        for part in ["memory", "ipc", "crossover"] {
            progress.begin(&format!("python {part}"));
            let r = twin::run(
                py,
                TWIN,
                &params,
                &["--part", part, "--workers", &wmax.to_string(), "--iters-per-ms", &py_iters_per_ms.to_string()],
            )?;
            progress.end("done");
            series.extend(r.series);
        }
    }
    let mut even = Series::new("break-even", "job_us", "pool_speedup");
    even.points = p.crossover_job_us.iter().map(|&us| [us as f64, 1.0]).collect();
    series.push(even);
    common::finish(p, machine, series, super::judge::claims, super::judge::headline)
}

fn python_scaling(py: &Python, params: &serde_json::Value, how: &str, workers: u64, iters: &str) -> Result<(f64, f64)> {
    let r = twin::run(
        py,
        TWIN,
        params,
        &["--part", "scaling", "--strategy", how, "--workers", &workers.to_string(), "--iters", iters],
    )?;
    let name = format!("python {how}");
    let x = workers as f64;
    Ok((r.value(&name, "wall_s", x)?, r.value(&name, "cores_busy", x)?))
}

/// KiB per worker (threads: resident and virtual; processes: RSS, USS and PSS each) and start-up ms.
fn memory_and_startup(n: usize, progress: &mut Progress) -> Result<Vec<Series>> {
    let point =
        |name: &str, x: &str, y: &str, xv: f64, v: f64| Series { points: vec![[xv, v]], ..Series::new(name, x, y) };
    let x = n as f64;
    progress.begin(&format!("memory of {n} idle threads"));
    let barrier = Barrier::new(n + 1);
    let release = Barrier::new(n + 1);
    let (rss0, virt0) = (memory::rss_bytes(), memory::virtual_bytes());
    let (rss1, virt1) = std::thread::scope(|s| {
        for _ in 0..n {
            s.spawn(|| {
                barrier.wait();
                release.wait();
            });
        }
        barrier.wait();
        let m = (memory::rss_bytes(), memory::virtual_bytes());
        release.wait();
        m
    });
    let rss_kb = rss1.saturating_sub(rss0) as f64 / 1024.0 / x;
    let virt_kb = virt1.saturating_sub(virt0) as f64 / 1024.0 / x;
    progress.end(&format!("{rss_kb:.0} KiB resident, {virt_kb:.0} KiB virtual per thread"));

    progress.begin(&format!("start {n} worker processes"));
    let t0 = Instant::now();
    let pool = Pool::start(n)?;
    let start_ms = t0.elapsed().as_secs_f64() * 1000.0 / x;
    let rss = pool.rss();
    let proc_kb = rss.iter().sum::<u64>() as f64 / 1024.0 / rss.len().max(1) as f64;
    // RSS counts the pages a worker shares (the lab binary's code, libc) in full: USS and PSS say what it adds.
    let shares = pool.shares();
    drop(pool);
    let mut out = vec![point("processes", "workers", "kb_per_worker", x, proc_kb)];
    match &shares {
        Ok(all) => {
            let mean = |f: fn(&memory::Shares) -> u64| {
                all.iter().map(f).sum::<u64>() as f64 / 1024.0 / all.len().max(1) as f64
            };
            let (uss, pss) = (mean(|s| s.uss), mean(|s| s.pss));
            progress.end(&format!(
                "{start_ms:.1} ms to start each; each: {proc_kb:.0} KiB resident (RSS), {uss:.0} KiB its own (USS), \
                 {pss:.0} KiB proportional (PSS)"
            ));
            out.push(point("processes", "workers", "uss_kb_per_worker", x, uss));
            out.push(point("processes", "workers", "pss_kb_per_worker", x, pss));
        }
        Err(e) => progress.end(&format!(
            "{start_ms:.1} ms to start each, {proc_kb:.0} KiB resident each; USS and PSS not measured ({}): RSS \
             counts pages shared with the parent",
            e.message
        )),
    }
    // 1 when every worker's smaps_rollup was read, 0 when not: the judge says which memory it compared.
    out.push(point("processes", "workers", "smaps_rollup_read", x, if shares.is_ok() { 1.0 } else { 0.0 }));

    progress.begin("thread start-up");
    let t0 = Instant::now();
    for _ in 0..100 {
        std::thread::spawn(|| {}).join().map_err(|_| LabError::other("an empty thread panicked"))?;
    }
    let thread_ms = t0.elapsed().as_secs_f64() * 1000.0 / 100.0;
    progress.end(&format!("{:.1} µs per thread", thread_ms * 1000.0));
    out.extend([
        point("threads", "workers", "kb_per_worker", x, rss_kb),
        point("threads virtual", "workers", "kb_per_worker", x, virt_kb),
        point("threads", "workers", "start_ms", x, thread_ms),
        point("processes", "workers", "start_ms", x, start_ms),
    ]);
    Ok(out)
}

/// Speed-up of a warm pool of `cores` workers over a plain loop, per job length.
fn crossover(p: &Params, kernel: &Kernel, cores: usize, progress: &mut Progress) -> Result<Vec<Series>> {
    let mut procs = Series::new("processes", "job_us", "pool_speedup");
    let mut threads = Series::new("threads", "job_us", "pool_speedup");
    progress.begin(&format!("crossover: {} jobs per length, pool of {cores}", p.crossover_jobs));
    let mut pool = Pool::start(cores)?;
    for &us in &p.crossover_job_us {
        let iters = kernel.iters(us as f64 / 1000.0);
        let n = p.crossover_jobs;
        let (_, seq) = measure(|| (0..n).fold(0, |a, j| a ^ spin(iters, j)));
        let (r, par) = measure(|| pool.run_jobs(n, iters));
        r?;
        let (r, thr) = measure(|| thread_pool(cores, n, iters, None));
        r?;
        procs.points.push([us as f64, seq.wall_s / par.wall_s]);
        threads.points.push([us as f64, seq.wall_s / thr.wall_s]);
    }
    progress
        .end(&format!("processes break even near {}", crossing(&procs).map_or("n/a".into(), |x| format!("{x:.0} µs"))));
    Ok(vec![threads, procs])
}

/// Serialization, the pipe and the pool, per message and per task.
#[path = "run_ipc.rs"]
mod ipc;
