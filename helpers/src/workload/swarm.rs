//! Many tasks at once: N tokio tasks that each sleep `latency`, spawned as fast as possible, with the heartbeat
//! probe on the same runtime; or N one-shot requests against the loopback server.

use crate::error::{LabError, Result};
use crate::measure::cpu::{measure, Section};
use crate::measure::lag::probe;
use crate::measure::latency::{Latencies, Percentiles};
use crate::measure::{alloc, memory};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct SwarmRun {
    /// Time to spawn all N tasks.
    pub spawn_s: f64,
    pub section: Section,
    pub peak_rss_bytes: u64,
    /// Whether the peak was reset before the run: false where the kernel refused, and `peak_rss_bytes` is then the
    /// process's lifetime peak (earlier runs included).
    pub peak_reset: bool,
    /// Peak heap bytes (the counting allocator) above what was live before the run.
    pub peak_heap_bytes: u64,
    pub lag: Percentiles,
    /// Actual sleep minus requested sleep, per task.
    pub lateness: Percentiles,
}

pub fn sleepers(n: u64, latency: Duration) -> Result<SwarmRun> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(crate::measure::machine::cores())
        .enable_all()
        .build()
        .map_err(|e| LabError::other(format!("cannot start a tokio runtime: {e}")))?;
    let peak_reset = memory::reset_peak();
    let heap0 = alloc::live_bytes();
    alloc::reset_peak();
    let ((spawn_s, lag, lateness), section) = measure(|| {
        rt.block_on(async {
            let stop = Arc::new(AtomicBool::new(false));
            let hb = tokio::spawn(probe(super::strategies::PERIOD, stop.clone()));
            tokio::task::yield_now().await;
            let t0 = Instant::now();
            let handles: Vec<_> = (0..n)
                .map(|_| {
                    tokio::spawn(async move {
                        let t = Instant::now();
                        tokio::time::sleep(latency).await;
                        t.elapsed().saturating_sub(latency)
                    })
                })
                .collect();
            let spawn_s = t0.elapsed().as_secs_f64();
            let mut late = Latencies::new();
            for h in handles {
                if let Ok(d) = h.await {
                    late.record(d);
                }
            }
            stop.store(true, Ordering::Relaxed);
            let lag = hb.await.map(|t| t.lag).unwrap_or_default();
            (spawn_s, lag, late.percentiles())
        })
    });
    let run = SwarmRun {
        spawn_s,
        section,
        peak_rss_bytes: memory::peak_rss_bytes(),
        peak_reset,
        peak_heap_bytes: alloc::peak_bytes().saturating_sub(heap0),
        lag,
        lateness,
    };
    drop(rt);
    Ok(run)
}
