//! Ways to run `jobs` CPU-bound jobs, each with a heartbeat probe beside it: the answers to "does async help
//! CPU-bound work?". Every strategy returns its wall and CPU time and what the probe saw, and records each job's
//! start, end and thread into the recorder it is given (an off recorder: nothing recorded, same code path).

use super::cpu::{spin, Kernel};
use super::{runtime, Flavor};
use crate::error::{LabError, Result};
use crate::measure::cpu::{measure, Section};
use crate::measure::lag::{probe, Heartbeat, LagTrace};
use crate::measure::record::Recorder;
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// The heartbeat's sleep.
pub const PERIOD: Duration = Duration::from_millis(1);

/// What a job's recorder holds per job: `STARTED` and `FINISHED` index these.
pub const INSTANTS: [&str; 2] = ["started", "finished"];
const STARTED: usize = 0;
const FINISHED: usize = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    /// A plain loop on one thread (heartbeat on its own thread).
    Sequential,
    /// Async tasks on tokio's single-threaded runtime, the probe on the same loop: like asyncio.
    CurrentThread,
    /// Async tasks on tokio's multi-threaded runtime, one worker per core.
    MultiThread,
    /// The jobs on tokio's blocking pool; the loop only awaits them.
    SpawnBlocking,
    /// A rayon pool of one thread per core (heartbeat on its own thread).
    Rayon,
    /// Async tasks on the single-threaded runtime that `yield_now().await` every few hundred microseconds.
    YieldNow,
}

impl Strategy {
    pub const ALL: [Strategy; 6] = [
        Strategy::Sequential,
        Strategy::CurrentThread,
        Strategy::MultiThread,
        Strategy::SpawnBlocking,
        Strategy::Rayon,
        Strategy::YieldNow,
    ];

    /// The series name in results and charts.
    pub fn name(self) -> &'static str {
        match self {
            Strategy::Sequential => "sequential",
            Strategy::CurrentThread => "tokio current_thread",
            Strategy::MultiThread => "tokio multi_thread",
            Strategy::SpawnBlocking => "spawn_blocking",
            Strategy::Rayon => "rayon",
            Strategy::YieldNow => "tokio yield_now",
        }
    }

    /// What its lanes (the threads its jobs ran on) are, for the timeline.
    pub fn lane_name(self) -> &'static str {
        match self {
            Strategy::Sequential => "thread",
            Strategy::CurrentThread | Strategy::YieldNow => "loop thread",
            Strategy::MultiThread => "worker",
            Strategy::SpawnBlocking => "blocking thread",
            Strategy::Rayon => "rayon thread",
        }
    }
}

/// One strategy's run; `rec` holds what the jobs recorded, on a clock that started with the run.
pub struct CpuRun {
    pub section: Section,
    pub lag: LagTrace,
    pub rec: Arc<Recorder>,
}

/// Job `j`: its thread and start, the work, its end. Around the work: three relaxed stores, two clock reads and a
/// thread-local read; an off recorder makes them bounds checks.
#[inline]
fn job(rec: &Recorder, iters: u64, j: u64) -> u64 {
    let task = j as usize;
    rec.lane(task);
    rec.mark(task, STARTED);
    let x = spin(iters, j);
    rec.mark(task, FINISHED);
    x
}

/// Runs the jobs on a tokio runtime with the probe spawned on that same runtime.
fn on_runtime(flavor: Flavor, jobs: u64, iters: u64, how: Strategy, chunk: u64, mut rec: Recorder) -> Result<CpuRun> {
    let rt = match flavor {
        Flavor::MultiThread => tokio::runtime::Builder::new_multi_thread()
            .worker_threads(crate::measure::machine::cores())
            .enable_all()
            .build()
            .map_err(|e| LabError::other(format!("cannot start a tokio runtime: {e}")))?,
        Flavor::CurrentThread => runtime(flavor)?,
    };
    // Time 0 is the measured section's start; tasks outlive this frame, so they share the recorder by Arc.
    rec.start_clock();
    let rec = Arc::new(rec);
    let (lag, section) = measure(|| {
        rt.block_on(async {
            let stop = Arc::new(AtomicBool::new(false));
            let hb = tokio::spawn(probe(PERIOD, stop.clone()));
            // Let the probe take its first sleep before the jobs arrive.
            tokio::task::yield_now().await;
            let mut handles = Vec::with_capacity(jobs as usize);
            for j in 0..jobs {
                let rec = rec.clone();
                handles.push(match how {
                    Strategy::SpawnBlocking => tokio::task::spawn_blocking(move || job(&rec, iters, j)),
                    Strategy::YieldNow => tokio::spawn(async move {
                        let task = j as usize;
                        rec.lane(task);
                        rec.mark(task, STARTED);
                        let mut x = j;
                        let mut left = iters;
                        while left > 0 {
                            let n = left.min(chunk);
                            x = spin(n, x);
                            left -= n;
                            tokio::task::yield_now().await;
                        }
                        rec.mark(task, FINISHED);
                        x
                    }),
                    _ => tokio::spawn(async move { job(&rec, iters, j) }),
                });
            }
            for h in handles {
                let _ = h.await;
            }
            stop.store(true, Ordering::Relaxed);
            hb.await.unwrap_or_default()
        })
    });
    drop(rt);
    Ok(CpuRun { section, lag, rec })
}

/// Runs `jobs` jobs of `job_ms` each with `how`; `yield_every_us` sets the work between yields for `YieldNow`.
/// `rec` (allocated by the caller, before anything is timed) records each job's instants and thread when on.
pub fn run(
    how: Strategy,
    kernel: &Kernel,
    jobs: u64,
    job_ms: f64,
    yield_every_us: u64,
    mut rec: Recorder,
) -> Result<CpuRun> {
    let iters = kernel.iters(job_ms);
    let chunk = kernel.iters(yield_every_us as f64 / 1000.0);
    match how {
        Strategy::Sequential => {
            // The clock starts before the heartbeat's thread, so that none of its ticks comes before time 0.
            rec.start_clock();
            let hb = Heartbeat::start(PERIOD)?;
            let (_, section) = measure(|| (0..jobs).fold(0u64, |acc, j| acc ^ job(&rec, iters, j)));
            Ok(CpuRun { section, lag: hb.stop(), rec: Arc::new(rec) })
        }
        Strategy::Rayon => {
            use rayon::prelude::*;
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(crate::measure::machine::cores())
                .build()
                .map_err(|e| LabError::other(format!("cannot start a rayon pool: {e}")))?;
            rec.start_clock();
            let hb = Heartbeat::start(PERIOD)?;
            let (_, section) = measure(|| {
                pool.install(|| (0..jobs).into_par_iter().map(|j| job(&rec, iters, j)).reduce(|| 0, |a, b| a ^ b))
            });
            Ok(CpuRun { section, lag: hb.stop(), rec: Arc::new(rec) })
        }
        Strategy::MultiThread => on_runtime(Flavor::MultiThread, jobs, iters, how, chunk, rec),
        Strategy::CurrentThread | Strategy::SpawnBlocking | Strategy::YieldNow => {
            on_runtime(Flavor::CurrentThread, jobs, iters, how, chunk, rec)
        }
    }
}
