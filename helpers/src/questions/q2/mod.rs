//! Notebook 02, "Why does ProcessPoolExecutor scale but ThreadPoolExecutor doesn't for CPU?":
//! `use helpers::q2::*;`.
//!
//! CPU jobs over 1..n workers as OS threads, as threads that must hold one global lock while computing (a model
//! of the GIL), and as worker processes; what a process costs (memory, start-up, IPC and serialization) and the
//! job length below which a process pool loses to a plain loop. The Python twin runs ThreadPoolExecutor and
//! ProcessPoolExecutor the same way, and an empty job through ProcessPoolExecutor beside a bare pipe.

use crate::params::{in_range, list_in_range, ExperimentParams};
use serde::{Deserialize, Serialize};

/// The Python twin (`helpers/python/`) that measures this question's Python side.
pub const TWIN: &str = "q2_pools.py";

/// Parameters of `lab q2`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Params {
    /// CPU jobs per run, 1 .. 10,000 (default `default_jobs()`: max(16, 4 x cores)).
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

/// The default job count: max(16, 4 x cores). Each worker of a pool as large as the cores then gets at least four
/// jobs, so the pool's start-up (a few ms per process) stays small beside the work on a many-core machine too.
pub fn default_jobs() -> u64 {
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1) as u64;
    (4 * cores).clamp(16, 10_000)
}

impl Default for Params {
    fn default() -> Self {
        Params {
            jobs: default_jobs(),
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
                                                                                             // Per-task costs (an empty job, a bare pipe): about half a second in Rust, a second in Python.
        let per_task = if self.python { 1.5 } else { 0.5 };
        per_round * self.repeats as f64 + sweep * 4.0 + payload * if self.python { 2.0 } else { 1.0 } + 2.0 + per_task
    }
}

/// The job length (µs) where a pool's speed-up first reaches 1, interpolated on a log scale.
pub fn crossing(s: &Series) -> Option<f64> {
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

#[cfg(feature = "experiments")]
mod run;
#[cfg(feature = "experiments")]
pub use run::{execute, Scaling};
pub mod judge;

use crate::chart::{bars, lines, BarSpec, LineSpec};
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

/// KiB per worker: a thread (resident, and its reserved address space) vs a worker process's RSS, its own pages
/// (USS) and its proportional share (PSS). Bars the run could not measure (smaps_rollup unreadable) are left out.
pub fn memory_chart(r: &LabResult) -> Result<Chart> {
    bars(
        r,
        &BarSpec::new(
            "Memory per worker: RSS (shared pages too), USS (own), PSS (a share)",
            "KiB (log)",
            &[
                ("threads", "kb_per_worker", "thread (resident)"),
                ("threads virtual", "kb_per_worker", "thread (reserved)"),
                ("processes", "kb_per_worker", "lab RSS"),
                ("processes", "uss_kb_per_worker", "lab USS"),
                ("processes", "pss_kb_per_worker", "lab PSS"),
                ("python threads", "kb_per_worker", "py thread"),
                ("python processes", "kb_per_worker", "py RSS"),
                ("python processes", "uss_kb_per_worker", "py USS"),
                ("python processes", "pss_kb_per_worker", "py PSS"),
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
            .only(&[
                "serde_json",
                "pipe round trip",
                "thread round trip",
                "python pickle",
                "python pipe round trip",
                "python thread round trip",
            ])
            .log_x()
            .log_y()
            .legend(Corner::UpperLeft),
    )
}

/// What a round trip through a worker process is made of, per message size: serializing there and back, and the
/// rest (the pipe: copies through the kernel, a wake-up in another process); at a 1-byte message, the pool's own
/// machinery per task (an empty job less a bare pipe's byte).
pub fn ipc_parts_chart(r: &LabResult) -> Result<Chart> {
    lines(
        r,
        &LineSpec::new(
            "cost_ms",
            "A round trip's parts: serialization, the pipe, the pool",
            "message, bytes (log); the pool's machinery at 1 byte",
            "ms per round trip (log)",
        )
        .only(&[
            "serde_json there and back",
            "pipe less serde_json",
            "pool machinery",
            "python pickle there and back",
            "python pipe less pickle",
            "python pool machinery",
        ])
        .log_x()
        .log_y()
        .legend(Corner::UpperLeft),
    )
}

/// The numbers the notebook's prose reads about 2.4, one line per language: at the smallest and the largest
/// message, serializing there and back and the rest of the round trip; per task, an empty job through the pool
/// beside a bare pipe's byte.
pub fn ipc_parts(r: &LabResult) -> Result<String> {
    let langs = [
        ("Rust", "serde_json", "pipe round trip", ""),
        ("Python", "python pickle", "python pipe round trip", "python "),
    ];
    let mut lines = Vec::new();
    for (lang, codec, pipe, prefix) in langs {
        let (Some(ser), Some(trip)) = (r.series(codec, "cost_ms"), r.series(pipe, "cost_ms")) else { continue };
        let at = |i: usize| -> Option<String> {
            let (s, t) = (ser.points.get(i)?, trip.points.get(i)?);
            Some(format!(
                "at {:.0} bytes a round trip {:.3} ms, serializing there and back {:.3} ms ({:.0}%), the rest {:.3} ms",
                t[0],
                t[1],
                2.0 * s[1],
                100.0 * 2.0 * s[1] / t[1].max(1e-9),
                t[1] - 2.0 * s[1]
            ))
        };
        let ends: Vec<String> = [0, ser.points.len().saturating_sub(1)].into_iter().filter_map(at).collect();
        let per_task = match (
            r.value(&format!("{prefix}pool empty job"), "cost_ms", 1.0),
            r.value(&format!("{prefix}bare pipe round trip"), "cost_ms", 1.0),
        ) {
            (Ok(e), Ok(b)) => format!(
                "; an empty job through the pool {:.1} µs, a bare pipe's byte {:.1} µs: the pool adds {:.1} µs a task",
                e * 1000.0,
                b * 1000.0,
                (e - b) * 1000.0
            ),
            _ => String::new(),
        };
        let thread = r
            .series(&format!("{prefix}thread round trip"), "cost_ms")
            .and_then(|s| s.points.first())
            .map_or(String::new(), |t| format!("; a thread's hand-off of {:.0} bytes {:.1} µs", t[0], t[1] * 1000.0));
        lines.push(format!("{lang}: {}{thread}{per_task}", ends.join("; ")));
    }
    if lines.is_empty() {
        return Err(LabError::other("q2: no serialization and pipe round trips in this result"));
    }
    Ok(lines.join("\n"))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prose_reads_a_round_trip_s_parts_at_both_ends_and_the_pool_per_task() {
        use crate::judging::fixture::{result, set};
        let mut r = result("q2", serde_json::json!({}));
        for (x, s, t) in [(849.0, 0.0056, 0.0257), (10_822_289.0, 300.0, 700.0)] {
            set(&mut r, "python pickle", "payload_bytes", "cost_ms", x, s);
            set(&mut r, "python pipe round trip", "payload_bytes", "cost_ms", x, t);
        }
        set(&mut r, "python thread round trip", "payload_bytes", "cost_ms", 849.0, 0.0097);
        set(&mut r, "python pool empty job", "payload_bytes", "cost_ms", 1.0, 0.1533);
        set(&mut r, "python bare pipe round trip", "payload_bytes", "cost_ms", 1.0, 0.0097);
        assert_eq!(
            ipc_parts(&r).unwrap(),
            "Python: at 849 bytes a round trip 0.026 ms, serializing there and back 0.011 ms (44%), the rest 0.015 \
             ms; at 10822289 bytes a round trip 700.000 ms, serializing there and back 600.000 ms (86%), the rest \
             100.000 ms; a thread's hand-off of 849 bytes 9.7 µs; an empty job through the pool 153.3 µs, a bare \
             pipe's byte 9.7 µs: the pool adds 143.6 µs a task"
        );
        r.series.clear();
        assert!(ipc_parts(&r).is_err());
    }

    #[test]
    fn default_jobs_give_each_core_at_least_four_and_never_fewer_than_sixteen() {
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1) as u64;
        let jobs = Params::default().jobs;
        assert!(jobs >= 16 && jobs >= 4 * cores.min(2_500), "{jobs} jobs on {cores} cores");
        assert!(Params::default().validate().is_ok());
    }
}
