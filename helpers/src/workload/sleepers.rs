//! N tasks that each sleep `latency`, at most `limit` at a time: the notes' experiment, in tokio and in a pool of
//! OS threads. Each run reports wall and CPU time, peak RSS during the run, how late each sleep woke, and (when its
//! recorder is on) each task's instants for a timeline.

use super::{runtime, Flavor};
use crate::error::{LabError, Result};
use crate::measure::record::Recorder;
use crate::measure::{alloc, cpu, latency::Latencies, latency::Percentiles, memory};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The instants a sleeper records, in order: created (for the thread pool: the run's start, when every job is
/// already in the shared counter), took its permit (a worker took the job), woke from its sleep.
pub const INSTANTS: [&str; 3] = ["spawned", "permit", "finished"];
const SPAWNED: usize = 0;
const PERMIT: usize = 1;
const FINISHED: usize = 2;

/// What one gated-sleep run measured.
pub struct SleepRun {
    pub section: cpu::Section,
    pub peak_rss_bytes: u64,
    /// Whether the peak was reset before the run: false where the kernel refused, and `peak_rss_bytes` is then the
    /// process's lifetime peak (earlier runs included).
    pub peak_reset: bool,
    /// Actual sleep minus requested sleep, per task.
    pub lateness: Percentiles,
    /// Heap bytes allocated and still live once every task had started (all N alive, `limit` of them sleeping),
    /// over those before the first spawn: what the tasks cost while they exist (0 for the thread pool).
    pub alive_heap_bytes: u64,
    /// The recorder the run was given, its clock started with the run: `timeline()` reads what the tasks marked.
    pub recorder: Arc<Recorder>,
}

/// What every tokio task shares besides the semaphore, in one `Arc`: a task then holds as many pointers as it did
/// before it recorded (one `Arc` where there were two, plus its index), so `alive_heap_bytes` is not changed by
/// recording.
struct Gate {
    started: AtomicUsize,
    all_started: tokio::sync::Notify,
    rec: Arc<Recorder>,
}

/// `tasks` tokio tasks, all spawned at once, each taking a permit of a `limit` semaphore and then sleeping:
/// the asyncio.gather + Semaphore pattern of the notes. `rec` (allocated by the caller, before anything is measured)
/// gets each task's instants; an off one (`Recorder::new_if(false, ..)`) runs the same code without the stores.
pub fn tokio_gated(tasks: usize, limit: usize, latency: Duration, flavor: Flavor, rec: Recorder) -> Result<SleepRun> {
    let rt = runtime(flavor)?;
    let peak_reset = memory::reset_peak();
    let mut rec = rec;
    rec.start_clock();
    // Shared before the heap is read, so the recorder is not counted as the tasks' memory.
    let rec = Arc::new(rec);
    // The clock runs inside block_on: the runtime is built before it and dropped after it.
    let ((lateness, alive), section) = cpu::measure(|| {
        rt.block_on(async {
            let heap0 = alloc::live_bytes();
            let sem = Arc::new(tokio::sync::Semaphore::new(limit));
            // The last task to start wakes the measurement: every task then exists, `limit` hold a permit.
            let gate = Arc::new(Gate {
                started: AtomicUsize::new(0),
                all_started: tokio::sync::Notify::new(),
                rec: rec.clone(),
            });
            let handles: Vec<_> = (0..tasks)
                .map(|i| {
                    let (sem, gate) = (sem.clone(), gate.clone());
                    gate.rec.mark(i, SPAWNED);
                    tokio::spawn(async move {
                        if gate.started.fetch_add(1, Ordering::Relaxed) + 1 == tasks {
                            gate.all_started.notify_one();
                        }
                        // The semaphore is never closed, so acquiring only fails if that changes.
                        let _permit = sem.acquire_owned().await.ok()?;
                        let t0 = Instant::now();
                        gate.rec.mark_at(i, PERMIT, t0);
                        tokio::time::sleep(latency).await;
                        let t1 = Instant::now();
                        gate.rec.mark_at(i, FINISHED, t1);
                        Some(t1 - t0)
                    })
                })
                .collect();
            // notify_one keeps a permit when nobody waits yet, so a wake-up before this line is not lost.
            if tasks > 0 {
                gate.all_started.notified().await;
            }
            let alive = alloc::live_bytes().saturating_sub(heap0);
            let mut lateness = Latencies::new();
            for h in handles {
                if let Ok(Some(slept)) = h.await {
                    lateness.record(slept.saturating_sub(latency));
                }
            }
            (lateness, alive)
        })
    });
    let peak = memory::peak_rss_bytes();
    drop(rt);
    Ok(SleepRun {
        section,
        peak_rss_bytes: peak,
        peak_reset,
        lateness: lateness.percentiles(),
        alive_heap_bytes: alive,
        recorder: rec,
    })
}

/// The same work on a pool of `limit` OS threads that take jobs from a shared counter and block in `sleep`. A job's
/// permit is the moment a thread takes it, and its lane that thread.
pub fn thread_pool(tasks: usize, limit: usize, latency: Duration, rec: Recorder) -> Result<SleepRun> {
    let peak_reset = memory::reset_peak();
    let next = Arc::new(AtomicUsize::new(0));
    let mut rec = rec;
    rec.start_clock();
    let rec = Arc::new(rec);
    let (result, section) = cpu::measure(|| -> Result<Latencies> {
        let mut workers = Vec::with_capacity(limit);
        for i in 0..limit {
            let (counter, rec) = (next.clone(), rec.clone());
            let spawned = std::thread::Builder::new().name(format!("sleeper-{i}")).spawn(move || {
                let mut lateness = Latencies::new();
                loop {
                    let job = counter.fetch_add(1, Ordering::Relaxed);
                    if job >= tasks {
                        break;
                    }
                    let t0 = Instant::now();
                    rec.mark_at(job, SPAWNED, rec.origin());
                    rec.mark_at(job, PERMIT, t0);
                    rec.lane(job);
                    std::thread::sleep(latency);
                    let t1 = Instant::now();
                    rec.mark_at(job, FINISHED, t1);
                    lateness.record((t1 - t0).saturating_sub(latency));
                }
                lateness
            });
            match spawned {
                Ok(h) => workers.push(h),
                Err(e) => {
                    // Let the threads already started finish their share, then report.
                    next.store(tasks, Ordering::Relaxed);
                    for w in workers {
                        let _ = w.join();
                    }
                    return Err(LabError::other(format!(
                        "could only start {i} of {limit} threads: {e}; lower the limit"
                    )));
                }
            }
        }
        let mut all = Latencies::new();
        for w in workers {
            let part = w.join().map_err(|_| LabError::other("a sleeper thread panicked"))?;
            all.merge(&part);
        }
        Ok(all)
    });
    let lateness = result?;
    Ok(SleepRun {
        section,
        peak_rss_bytes: memory::peak_rss_bytes(),
        peak_reset,
        lateness: lateness.percentiles(),
        alive_heap_bytes: 0,
        recorder: rec,
    })
}
