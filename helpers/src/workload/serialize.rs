//! `tasks` async tasks that each serialize a large JSON document, five ways, while a heartbeat and a pinger
//! measure how responsive the runtime stays.

use crate::error::{LabError, Result};
use crate::measure::cpu::{measure, Section};
use crate::measure::lag::{pinger, probe};
use crate::measure::latency::Percentiles;
use crate::measure::memory;
use serde_json::Value;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Offload {
    /// `serde_json::to_string` inside the task, on a single-threaded runtime.
    InlineCurrentThread,
    /// The same inside tasks of the multi-threaded runtime.
    InlineMultiThread,
    /// Each task hands its document to `spawn_blocking` and awaits the string.
    SpawnBlocking,
    /// Each task hands its document to a rayon pool (one thread per core) and awaits a oneshot.
    Rayon,
    /// `batch` documents per `spawn_blocking` call.
    Batched,
}

impl Offload {
    pub const ALL: [Offload; 5] = [
        Offload::InlineCurrentThread,
        Offload::InlineMultiThread,
        Offload::SpawnBlocking,
        Offload::Rayon,
        Offload::Batched,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Offload::InlineCurrentThread => "inline current_thread",
            Offload::InlineMultiThread => "inline multi_thread",
            Offload::SpawnBlocking => "spawn_blocking",
            Offload::Rayon => "rayon",
            Offload::Batched => "batched",
        }
    }
}

/// What one run measured.
#[derive(Debug, Clone)]
pub struct SerializeRun {
    pub section: Section,
    /// Bytes of JSON produced in all.
    pub bytes: u64,
    pub lag: Percentiles,
    pub ping: Percentiles,
    pub peak_rss_bytes: u64,
    /// Whether the peak was reset before the run: false where the kernel refused, and `peak_rss_bytes` is then the
    /// process's lifetime peak (earlier runs included).
    pub peak_reset: bool,
}

/// How long the probes run at least, so that even a run of tiny documents gets lag and ping samples.
const MIN_PROBE: Duration = Duration::from_millis(100);

fn to_json(doc: &Value) -> usize {
    serde_json::to_string(doc).map(|s| s.len()).unwrap_or(0)
}

pub fn run(how: Offload, doc: Arc<Value>, tasks: u64, batch: u64, ping: Duration) -> Result<SerializeRun> {
    let cores = crate::measure::machine::cores();
    let rt = match how {
        Offload::InlineMultiThread => {
            tokio::runtime::Builder::new_multi_thread().worker_threads(cores).enable_all().build()
        }
        _ => tokio::runtime::Builder::new_current_thread().enable_all().build(),
    }
    .map_err(|e| LabError::other(format!("cannot start a tokio runtime: {e}")))?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(cores)
        .build()
        .map_err(|e| LabError::other(format!("cannot start a rayon pool: {e}")))?;
    let pool = Arc::new(pool);
    let peak_reset = memory::reset_peak();
    let ((bytes, work_s, lag, pings), mut section) = measure(|| {
        rt.block_on(async {
            let t0 = std::time::Instant::now();
            let stop = Arc::new(AtomicBool::new(false));
            let hb = tokio::spawn(probe(super::strategies::PERIOD, stop.clone()));
            let pg = tokio::spawn(pinger(ping, stop.clone()));
            tokio::task::yield_now().await;
            let mut handles = Vec::new();
            match how {
                Offload::Batched => {
                    let mut left = tasks;
                    while left > 0 {
                        let k = left.min(batch.max(1));
                        left -= k;
                        let doc = doc.clone();
                        handles.push(tokio::spawn(async move {
                            tokio::task::spawn_blocking(move || (0..k).map(|_| to_json(&doc)).sum::<usize>())
                                .await
                                .unwrap_or(0)
                        }));
                    }
                }
                _ => {
                    for _ in 0..tasks {
                        let doc = doc.clone();
                        let pool = pool.clone();
                        handles.push(tokio::spawn(async move {
                            match how {
                                Offload::SpawnBlocking => {
                                    tokio::task::spawn_blocking(move || to_json(&doc)).await.unwrap_or(0)
                                }
                                Offload::Rayon => {
                                    let (tx, rx) = tokio::sync::oneshot::channel();
                                    pool.spawn(move || {
                                        let _ = tx.send(to_json(&doc));
                                    });
                                    rx.await.unwrap_or(0)
                                }
                                _ => to_json(&doc),
                            }
                        }));
                    }
                }
            }
            let mut bytes = 0u64;
            for h in handles {
                bytes += h.await.unwrap_or(0) as u64;
            }
            let work_s = t0.elapsed().as_secs_f64();
            // Short runs: keep the probes going a little so that they have something to report.
            if let Some(rest) = MIN_PROBE.checked_sub(t0.elapsed()) {
                tokio::time::sleep(rest).await;
            }
            stop.store(true, Ordering::Relaxed);
            let lag = hb.await.map(|t| t.lag).unwrap_or_default();
            let pings = pg.await.unwrap_or_default();
            (bytes, work_s, lag, pings)
        })
    });
    section.wall_s = work_s;
    let peak = memory::peak_rss_bytes();
    drop(rt);
    Ok(SerializeRun { section, bytes, lag, ping: pings, peak_rss_bytes: peak, peak_reset })
}
