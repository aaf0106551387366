//! Event-loop lag: a probe task sleeps `period` in a loop and records how late it wakes. When the loop's thread
//! is busy (a CPU-bound task with no await), the probe wakes late by as long as that task runs.

use super::latency::{Latencies, Percentiles};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What the probe saw: lateness percentiles and, for charts, (seconds since start, lateness ms) per wake-up.
#[derive(Debug, Clone, Default)]
pub struct LagTrace {
    pub lag: Percentiles,
    pub timeline: Vec<(f64, f64)>,
}

/// The probe itself, to spawn on the runtime under test. Runs until `stop` is set.
pub async fn probe(period: Duration, stop: Arc<AtomicBool>) -> LagTrace {
    let start = Instant::now();
    let mut lat = Latencies::new();
    let mut timeline = Vec::new();
    while !stop.load(Ordering::Relaxed) {
        let t0 = Instant::now();
        tokio::time::sleep(period).await;
        let late = t0.elapsed().saturating_sub(period);
        lat.record(late);
        if timeline.len() < 100_000 {
            timeline.push((start.elapsed().as_secs_f64(), late.as_secs_f64() * 1000.0));
        }
    }
    LagTrace { lag: lat.percentiles(), timeline }
}

/// A probe on its own thread and its own single-threaded runtime: the baseline a work-free loop achieves while
/// something else (rayon, plain threads) computes.
pub struct Heartbeat {
    stop: Arc<AtomicBool>,
    handle: Option<std::thread::JoinHandle<LagTrace>>,
}

impl Heartbeat {
    pub fn start(period: Duration) -> crate::error::Result<Heartbeat> {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let rt = crate::tokio_rt::build(crate::params::Flavor::CurrentThread)?;
        let handle = std::thread::Builder::new()
            .name("heartbeat".into())
            .spawn(move || rt.block_on(probe(period, flag)))
            .map_err(|e| crate::error::LabError::other(format!("cannot start the heartbeat thread: {e}")))?;
        Ok(Heartbeat { stop, handle: Some(handle) })
    }

    pub fn stop(mut self) -> LagTrace {
        self.stop.store(true, Ordering::Relaxed);
        self.handle.take().and_then(|h| h.join().ok()).unwrap_or_default()
    }
}

impl Drop for Heartbeat {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// Light "requests" arriving every `interval` on a fixed schedule: each is served by spawning a tiny task, and
/// its latency runs from its arrival time to when that task runs. Arrivals that fell due while the loop was
/// blocked are all served (late) when it frees up, so a blocked loop shows as latency, not as missing samples.
pub async fn pinger(interval: Duration, stop: Arc<AtomicBool>) -> Percentiles {
    let mut lat = Latencies::new();
    let start = tokio::time::Instant::now();
    let mut k: u32 = 1;
    while !stop.load(Ordering::Relaxed) {
        tokio::time::sleep_until(start + interval * k).await;
        let now = tokio::time::Instant::now();
        while start + interval * k <= now {
            let arrival = start + interval * k;
            if let Ok(served) = tokio::spawn(async { tokio::time::Instant::now() }).await {
                lat.record(served.saturating_duration_since(arrival));
            }
            k += 1;
        }
    }
    lat.percentiles()
}
