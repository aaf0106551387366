//! N tasks that each sleep `latency`, at most `limit` at a time: the notes' experiment, in tokio and in a pool of
//! OS threads. Each run reports wall and CPU time, peak RSS during the run, and how late each sleep woke.

use super::{runtime, Flavor};
use crate::error::{LabError, Result};
use crate::measure::{alloc, cpu, latency::Latencies, latency::Percentiles, memory};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What one gated-sleep run measured.
#[derive(Debug, Clone, Copy)]
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
}

/// `tasks` tokio tasks, all spawned at once, each taking a permit of a `limit` semaphore and then sleeping:
/// the asyncio.gather + Semaphore pattern of the notes.
pub fn tokio_gated(tasks: usize, limit: usize, latency: Duration, flavor: Flavor) -> Result<SleepRun> {
    let rt = runtime(flavor)?;
    let peak_reset = memory::reset_peak();
    // The clock runs inside block_on: the runtime is built before it and dropped after it.
    let ((lateness, alive), section) = cpu::measure(|| {
        rt.block_on(async {
            let heap0 = alloc::live_bytes();
            let sem = Arc::new(tokio::sync::Semaphore::new(limit));
            // The last task to start wakes the measurement: every task then exists, `limit` hold a permit.
            let started = Arc::new(AtomicUsize::new(0));
            let all_started = Arc::new(tokio::sync::Notify::new());
            let handles: Vec<_> = (0..tasks)
                .map(|_| {
                    let (sem, started, all_started) = (sem.clone(), started.clone(), all_started.clone());
                    tokio::spawn(async move {
                        if started.fetch_add(1, Ordering::Relaxed) + 1 == tasks {
                            all_started.notify_one();
                        }
                        // The semaphore is never closed, so acquiring only fails if that changes.
                        let _permit = sem.acquire_owned().await.ok()?;
                        let t0 = Instant::now();
                        tokio::time::sleep(latency).await;
                        Some(t0.elapsed())
                    })
                })
                .collect();
            // notify_one keeps a permit when nobody waits yet, so a wake-up before this line is not lost.
            if tasks > 0 {
                all_started.notified().await;
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
    })
}

/// The same work on a pool of `limit` OS threads that take jobs from a shared counter and block in `sleep`.
pub fn thread_pool(tasks: usize, limit: usize, latency: Duration) -> Result<SleepRun> {
    let peak_reset = memory::reset_peak();
    let next = Arc::new(AtomicUsize::new(0));
    let (result, section) = cpu::measure(|| -> Result<Latencies> {
        let mut workers = Vec::with_capacity(limit);
        for i in 0..limit {
            let counter = next.clone();
            let spawned = std::thread::Builder::new().name(format!("sleeper-{i}")).spawn(move || {
                let mut lateness = Latencies::new();
                while counter.fetch_add(1, Ordering::Relaxed) < tasks {
                    let t0 = Instant::now();
                    std::thread::sleep(latency);
                    lateness.record(t0.elapsed().saturating_sub(latency));
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
    })
}
