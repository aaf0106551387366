//! Question 2: "Why does ProcessPoolExecutor scale but ThreadPoolExecutor doesn't for CPU?"
//! CPU jobs over 1..n workers as OS threads, as threads that must hold one global lock while computing (a model
//! of the GIL), and as worker processes; what a process costs (memory, start-up, IPC and serialization) and the
//! job length below which a process pool loses to a plain loop. The Python twin runs ThreadPoolExecutor and
//! ProcessPoolExecutor the same way.

use crate::error::{LabError, Result};
use crate::params::{in_range, list_in_range, ExperimentParams};
use serde::{Deserialize, Serialize};

/// Parameters of `lab q2`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Params {
    /// CPU jobs per run, 1 .. 10,000.
    pub jobs: u64,
    /// Work per job, ms (calibrated here at start), 0.01 .. 10,000.
    pub job_ms: f64,
    /// Pool sizes to try, each 1 .. 64, at most 8 values.
    pub workers: Vec<u64>,
    /// Interleaved rounds of the scaling runs, 1 .. 10.
    pub repeats: u64,
    /// Message sizes for the IPC and serialization costs, bytes, each 100 .. 50,000,000, at most 8 values.
    pub payload_bytes: Vec<u64>,
    /// Job lengths for the crossover sweep, µs, each 1 .. 1,000,000, at most 12 values.
    pub crossover_job_us: Vec<u64>,
    /// Jobs per crossover point, 1 .. 100,000.
    pub crossover_jobs: u64,
    /// Run the Python twin (ThreadPoolExecutor, ProcessPoolExecutor, pickle) beside Rust.
    pub python: bool,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            jobs: 16,
            job_ms: 25.0,
            workers: vec![1, 2, 4, 8],
            repeats: 3,
            payload_bytes: vec![1_000, 10_000, 100_000, 1_000_000, 10_000_000],
            crossover_job_us: vec![10, 30, 100, 300, 1_000, 3_000],
            crossover_jobs: 200,
            python: true,
        }
    }
}

impl ExperimentParams for Params {
    const NAME: &'static str = "q2";

    fn validate(&self) -> Result<()> {
        in_range("jobs", self.jobs, 1, 10_000)?;
        if !self.job_ms.is_finite() {
            return Err(LabError::invalid(format!("job_ms must be between 0.01 and 10000; got {}", self.job_ms)));
        }
        in_range("job_ms", self.job_ms, 0.01, 10_000.0)?;
        list_in_range("workers", &self.workers, 8, 1, 64)?;
        in_range("repeats", self.repeats, 1, 10)?;
        list_in_range("payload_bytes", &self.payload_bytes, 8, 100, 50_000_000)?;
        list_in_range("crossover_job_us", &self.crossover_job_us, 12, 1, 1_000_000)?;
        in_range("crossover_jobs", self.crossover_jobs, 1, 100_000)?;
        Ok(())
    }

    fn estimate_s(&self) -> f64 {
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1) as f64;
        let total = self.jobs as f64 * self.job_ms / 1000.0;
        // Per pool size: threads and processes at min(w, cores), the GIL model serial; Python the same twice.
        let per_round: f64 = self
            .workers
            .iter()
            .map(|&w| {
                let par = total / (w as f64).min(cores);
                let rust = 2.0 * par + total;
                let python = if self.python { par + total + 0.05 * w as f64 } else { 0.0 };
                rust + python
            })
            .sum::<f64>()
            + total * if self.python { 2.0 } else { 1.0 };
        let sweep: f64 = self.crossover_job_us.iter().map(|&us| us as f64 * self.crossover_jobs as f64 / 1e6).sum();
        let payload: f64 = self.payload_bytes.iter().map(|&b| b as f64).sum::<f64>() / 20e6; // ~20 MB/s all told
        per_round * self.repeats as f64 + sweep * 4.0 + payload * if self.python { 2.0 } else { 1.0 } + 2.0
    }
}

#[cfg(feature = "experiments")]
pub use run::{execute, Scaling};

#[cfg(feature = "experiments")]
mod run {
    use super::*;
    use crate::experiments::common;
    use crate::measure::cpu::{measure, measure_with_children};
    use crate::measure::memory;
    use crate::progress::Progress;
    use crate::result::{Claim, LabResult, Series, Verdict};
    use crate::twin::{self, Python};
    use crate::verdict::{fmt_ms, fmt_s, or_not_run};
    use crate::workload::cpu::{spin, Kernel};
    use crate::workload::documents::document;
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

    const PYTHON_SCALING: [(&str, &str); 2] = [("python threads", "threads"), ("python processes", "processes")];

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
        let mut names: Vec<&str> = vec!["threads", "gil model", "processes"];
        if py.is_some() {
            names.extend(PYTHON_SCALING.iter().map(|(n, _)| *n));
        }
        let langs = if py.is_some() { 2 } else { 1 };
        // Per round: the sequential baselines and every strategy at every size; then memory, start-ups, IPC and
        // the crossover (five steps in Rust, three in Python).
        let steps = p.repeats as usize * (langs + p.workers.len() * names.len()) + 5 + 3 * (langs - 1);
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
                let r = twin::run(py, "q2_pools.py", &params, &["--calibrate"])?;
                r.value("python", "iters_per_ms", 1.0)?
            }
            None => 0.0,
        };
        let py_iters = (py_iters_per_ms * p.job_ms).round().max(1.0).to_string();
        // Memory first: later runs leave freed thread stacks in glibc's cache, which new threads would reuse.
        let wmax = p.workers.iter().copied().max().unwrap_or(1) as usize;
        let mut series = memory_and_startup(wmax, &mut progress)?;

        // Scaling, interleaved: each round runs the sequential baselines, then every strategy at every size.
        let mut samples = vec![vec![Samples::default(); p.workers.len()]; names.len()];
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
                for (ni, name) in names.iter().enumerate() {
                    progress.begin(&format!("{name}, {w} worker(s) (repeat {})", rep + 1));
                    let (wall, busy, base) = match *name {
                        "threads" => {
                            append(scaling_run(Scaling::Threads, w as usize, p.jobs, iters, &kernel)?, seq.wall_s)
                        }
                        "gil model" => {
                            append(scaling_run(Scaling::GilModel, w as usize, p.jobs, iters, &kernel)?, seq.wall_s)
                        }
                        "processes" => {
                            append(scaling_run(Scaling::Processes, w as usize, p.jobs, iters, &kernel)?, seq.wall_s)
                        }
                        _ => {
                            let py = py.as_ref().ok_or_else(|| LabError::other("no Python"))?;
                            let flag = PYTHON_SCALING.iter().find(|(n, _)| n == name).map_or("threads", |(_, f)| f);
                            append(python_scaling(py, &params, flag, w, &py_iters)?, py_seq)
                        }
                    };
                    let s = &mut samples[ni][wi];
                    s.speedup.push(base / wall);
                    s.cores_busy.push(busy);
                    progress.end(&format!("{} ({:.2}x, {busy:.2} cores busy)", fmt_s(wall), base / wall));
                }
            }
        }
        for (ni, name) in names.iter().enumerate() {
            let mut speed = Series::new(name, "workers", "speedup");
            let mut busy = Series::new(name, "workers", "cores_busy");
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

        series.extend(ipc(p, &mut progress)?);
        series.extend(crossover(p, &kernel, machine.cores, &mut progress)?);
        if let Some(py) = py.as_ref() {
            for part in ["memory", "ipc", "crossover"] {
                progress.begin(&format!("python {part}"));
                let r = twin::run(
                    py,
                    "q2_pools.py",
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
        common::finish(p, machine, series, claims, headline)
    }

    /// (wall, busy) with the sequential wall it is compared to.
    fn append((wall, busy): (f64, f64), base: f64) -> (f64, f64, f64) {
        (wall, busy, base)
    }

    fn python_scaling(
        py: &Python,
        params: &serde_json::Value,
        how: &str,
        workers: u64,
        iters: &str,
    ) -> Result<(f64, f64)> {
        let r = twin::run(
            py,
            "q2_pools.py",
            params,
            &["--part", "scaling", "--strategy", how, "--workers", &workers.to_string(), "--iters", iters],
        )?;
        let name = format!("python {how}");
        let x = workers as f64;
        Ok((r.value(&name, "wall_s", x)?, r.value(&name, "cores_busy", x)?))
    }

    /// KiB per worker (threads: resident and virtual; processes: resident each) and start-up ms.
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
        drop(pool);
        progress.end(&format!("{start_ms:.1} ms to start each, {proc_kb:.0} KiB resident each"));

        progress.begin("thread start-up");
        let t0 = Instant::now();
        for _ in 0..100 {
            std::thread::spawn(|| {}).join().map_err(|_| LabError::other("an empty thread panicked"))?;
        }
        let thread_ms = t0.elapsed().as_secs_f64() * 1000.0 / 100.0;
        progress.end(&format!("{:.1} µs per thread", thread_ms * 1000.0));
        Ok(vec![
            point("threads", "workers", "kb_per_worker", x, rss_kb),
            point("threads virtual", "workers", "kb_per_worker", x, virt_kb),
            point("processes", "workers", "kb_per_worker", x, proc_kb),
            point("threads", "workers", "start_ms", x, thread_ms),
            point("processes", "workers", "start_ms", x, start_ms),
        ])
    }

    /// Median of three timings of `f`, in ms.
    fn median_ms(mut f: impl FnMut() -> Result<f64>) -> Result<f64> {
        let mut v = [f()?, f()?, f()?];
        v.sort_by(|a, b| a.total_cmp(b));
        Ok(v[1] * 1000.0)
    }

    /// serde_json serialize + parse, and a round trip through a worker process, per payload size.
    fn ipc(p: &Params, progress: &mut Progress) -> Result<Vec<Series>> {
        let mut ser = Series::new("serde_json", "payload_bytes", "cost_ms");
        let mut trip = Series::new("pipe round trip", "payload_bytes", "cost_ms");
        progress.begin("serde_json and pipe round trips");
        let mut pool = Pool::start(1)?;
        for &bytes in &p.payload_bytes {
            let doc = document(bytes as usize);
            let len = serde_json::to_string(&doc).map(|s| s.len()).unwrap_or(0) as f64;
            let s = median_ms(|| {
                let t0 = Instant::now();
                let text = serde_json::to_string(&doc).map_err(|e| LabError::other(e.to_string()))?;
                let back: serde_json::Value =
                    serde_json::from_str(&text).map_err(|e| LabError::other(e.to_string()))?;
                std::hint::black_box(back);
                Ok(t0.elapsed().as_secs_f64())
            })?;
            let t = median_ms(|| pool.echo_s(&doc))?;
            ser.points.push([len, s]);
            trip.points.push([len, t]);
        }
        progress.end(&format!(
            "{} sizes; largest: serialize+parse {:.1} ms, round trip {:.1} ms",
            p.payload_bytes.len(),
            ser.points.last().map_or(0.0, |p| p[1]),
            trip.points.last().map_or(0.0, |p| p[1])
        ));
        Ok(vec![ser, trip])
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
        progress.end(&format!(
            "processes break even near {}",
            crossing(&procs).map_or("n/a".into(), |x| format!("{x:.0} µs"))
        ));
        Ok(vec![threads, procs])
    }

    /// The job length (µs) where a pool's speed-up first reaches 1, interpolated on a log scale.
    pub(super) fn crossing(s: &Series) -> Option<f64> {
        let pts = &s.points;
        if pts.first().is_some_and(|p| p[1] >= 1.0) {
            return pts.first().map(|p| p[0]);
        }
        pts.windows(2).find(|w| w[0][1] < 1.0 && w[1][1] >= 1.0).map(|w| {
            let (x0, x1) = (w[0][0].ln(), w[1][0].ln());
            let f = (1.0 - w[0][1]) / (w[1][1] - w[0][1]);
            (x0 + f * (x1 - x0)).exp()
        })
    }

    fn headline(p: &Params, r: &LabResult) -> Result<String> {
        let w = p.workers.iter().copied().max().unwrap_or(1) as f64;
        let mut parts = Vec::new();
        for name in ["threads", "gil model", "processes", "python threads", "python processes"] {
            if let Ok(v) = r.value(name, "speedup", w) {
                parts.push(format!("{name} {v:.2}x"));
            }
        }
        Ok(format!(
            "{} jobs x {} ms on {} workers ({}): {}",
            p.jobs,
            p.job_ms,
            w,
            r.machine.cores_label(),
            parts.join(", ")
        ))
    }

    fn claims(p: &Params, r: &LabResult) -> Result<Vec<Claim>> {
        let cores = r.machine.cores as f64;
        // Judge at the largest pool that fits the cores (or the largest there is).
        let w = p
            .workers
            .iter()
            .copied()
            .filter(|&w| w as f64 <= cores)
            .max()
            .or(p.workers.iter().copied().max())
            .unwrap_or(1) as f64;
        let busy = |name: &str| r.value(name, "cores_busy", w).ok();
        let speed = |name: &str| r.value(name, "speedup", w).ok();
        let f = |o: Option<f64>| or_not_run(o, |v| format!("{v:.2}"));
        let thr = busy("threads").unwrap_or(0.0);
        let gil = busy("gil model").unwrap_or(0.0);
        // Rust's threads ran at once: the claims describe the GIL. On one core nothing runs at once, threads and
        // processes alike, so the claims are refined: nothing scales there.
        let parallel = thr >= 1.4;
        let (verdict, one_core) = if parallel {
            (Verdict::PythonOnly, "")
        } else {
            (
                Verdict::Refined,
                " Here nothing ran at once (one core, or a busy machine): processes cannot scale either.",
            )
        };
        let mut out = vec![Claim {
            id: "2.1".into(),
            claim: "Why does ProcessPoolExecutor scale but ThreadPoolExecutor doesn’t for CPU?".into(),
            verdict,
            evidence: format!(
                "With {w:.0} workers on {}, cores busy (CPU time / wall time): Python threads {}, \
                 Python processes {}; Rust threads {thr:.2}, Rust processes {}. Python's threads take turns on the \
                 GIL; Rust's threads run at once, like processes, without their costs.{one_core}",
                r.machine.cores_label(),
                f(busy("python threads")),
                f(busy("python processes")),
                f(busy("processes"))
            ),
        }];
        out.push(Claim {
            id: "2.2".into(),
            claim: "its like 8 chefs has 8 knives and in another kitchen, 8 chefs share 1 knife.".into(),
            verdict,
            evidence: format!(
                "One shared knife: the GIL model (threads holding one lock while they compute) kept {gil:.2} cores \
                 busy and ran at {}x, Python threads {}x. Rust threads have a knife each: {thr:.2} cores busy, {}x \
                 — the analogy describes the GIL, not threads.{one_core}",
                f(speed("gil model")),
                f(speed("python threads")),
                f(speed("threads"))
            ),
        });
        let kb = |name: &str| {
            r.value(name, "kb_per_worker", p.workers.iter().copied().max().unwrap_or(1) as f64)
                .map_or("not run".to_string(), |v| format!("{v:.0}"))
        };
        out.push(Claim {
            id: "2.3".into(),
            claim: "Processes cost more memory".into(),
            verdict: Verdict::Confirmed,
            evidence: format!(
                "Resident memory per worker: Rust thread {} KiB (and {} KiB of address space reserved: its stack and a malloc arena, mostly never touched), \
                 Rust worker process {} KiB; Python thread {} KiB, Python worker process {} KiB.",
                kb("threads"),
                kb("threads virtual"),
                kb("processes"),
                kb("python threads"),
                kb("python processes")
            ),
        });
        let small = p.payload_bytes.iter().copied().min().unwrap_or(0);
        let large = p.payload_bytes.iter().copied().max().unwrap_or(0);
        let at = |name: &str, bytes: u64| {
            r.series(name, "cost_ms").and_then(|s| {
                s.points
                    .iter()
                    .min_by(|a, b| (a[0] - bytes as f64).abs().total_cmp(&(b[0] - bytes as f64).abs()))
                    .copied()
            })
        };
        let mbs =
            |pt: Option<[f64; 2]>| pt.map_or("n/a".to_string(), |p| format!("{:.0} MB/s", p[0] / 1e6 / (p[1] / 1e3)));
        let ms = |pt: Option<[f64; 2]>| pt.map_or("n/a".to_string(), |p| fmt_ms(p[1]));
        let cross = |name: &str| r.series(name, "pool_speedup").and_then(crossing);
        let cross_txt = |o: Option<f64>| o.map_or("not reached in the sweep".to_string(), |v| format!("{v:.0} µs"));
        out.push(Claim {
            id: "2.4".into(),
            claim: "Inter-process communication overhead".into(),
            verdict: Verdict::Confirmed,
            evidence: format!(
                "A round trip to a worker process took {} for a {small}-byte message in Rust ({} in Python) and \
                 {} for {large} bytes ({}; Python {}). So a pool pays per job: a warm pool of {cores:.0} processes \
                 beat a plain loop only for jobs longer than about {} in Rust and {} in Python (threads: {}).",
                ms(at("pipe round trip", small)),
                ms(at("python pipe round trip", small)),
                ms(at("pipe round trip", large)),
                mbs(at("pipe round trip", large)),
                mbs(at("python pipe round trip", large)),
                cross_txt(cross("processes")),
                cross_txt(cross("python processes")),
                cross_txt(cross("threads"))
            ),
        });
        out.push(Claim {
            id: "2.5".into(),
            claim: "Serialization overhead (pickling)".into(),
            verdict: Verdict::Confirmed,
            evidence: format!(
                "Serializing and parsing a {large}-byte document: serde_json {} ({}), pickle {} ({}). Every message \
                 to a worker pays this twice (there and back), which is most of the round trip for large payloads.",
                ms(at("serde_json", large)),
                mbs(at("serde_json", large)),
                ms(at("python pickle", large)),
                mbs(at("python pickle", large))
            ),
        });
        Ok(out)
    }
}
