//! `tasks` async tasks that each serialize a large JSON document, five ways, while a heartbeat and a pinger
//! measure how responsive the runtime stays; optionally each serialization's span and thread, and every ping, as
//! a timeline.

use crate::error::{LabError, Result};
use crate::measure::cpu::{measure, Section};
use crate::measure::lag::{pinger, probe, PingTrace};
use crate::measure::latency::Percentiles;
use crate::measure::memory;
use crate::measure::record::Recorder;
use crate::timeline::{Marks, Timeline};
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
    /// When recorded: each serialization from start to finish on its thread's lane, lane 0 the event loop's
    /// (claimed first, so it is there even when nothing runs on it), and every ping as a mark. Raw: all of it.
    pub timeline: Option<Timeline>,
}

/// How long the probes run at least, so that even a run of tiny documents gets lag and ping samples.
const MIN_PROBE: Duration = Duration::from_millis(100);

/// What a serialization's span records: when it started and finished, on the thread of its lane.
pub const INSTANTS: [&str; 2] = ["started", "finished"];

/// Serializes `doc` as document `i`: its lane and instants go to `rec` (an off recorder: bounds checks only).
fn to_json(doc: &Value, rec: &Recorder, i: usize) -> usize {
    rec.lane(i);
    rec.mark(i, 0);
    let n = serde_json::to_string(doc).map(|s| s.len()).unwrap_or(0);
    rec.mark(i, 1);
    n
}

/// Serializes `tasks` copies of `doc` the way `how` says, pinging every `ping`; records the timeline when `record`.
pub fn run(
    how: Offload,
    doc: Arc<Value>,
    tasks: u64,
    batch: u64,
    ping: Duration,
    record: bool,
) -> Result<SerializeRun> {
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
    // One slot more than the documents: the event loop's, claimed first so that its lane is lane 0.
    let loop_slot = tasks as usize;
    let mut rec = Recorder::new_if(record, loop_slot + 1, &INSTANTS);
    let peak_reset = memory::reset_peak();
    rec.start_clock();
    let rec = Arc::new(rec);
    let ((bytes, work_s, lag, pings), mut section) = measure(|| {
        rt.block_on(async {
            // On the multi-threaded runtime this thread only waits: the tasks run on its workers.
            if how != Offload::InlineMultiThread {
                rec.lane(loop_slot);
            }
            let t0 = std::time::Instant::now();
            let stop = Arc::new(AtomicBool::new(false));
            let hb = tokio::spawn(probe(super::strategies::PERIOD, stop.clone()));
            let pg = tokio::spawn(pinger(ping, stop.clone(), rec.origin()));
            tokio::task::yield_now().await;
            let mut handles = Vec::new();
            match how {
                Offload::Batched => {
                    let mut first = 0;
                    while first < tasks {
                        let k = (tasks - first).min(batch.max(1));
                        let (doc, rec) = (doc.clone(), rec.clone());
                        let docs = first as usize..(first + k) as usize;
                        first += k;
                        handles.push(tokio::spawn(async move {
                            tokio::task::spawn_blocking(move || docs.map(|i| to_json(&doc, &rec, i)).sum::<usize>())
                                .await
                                .unwrap_or(0)
                        }));
                    }
                }
                _ => {
                    for i in 0..tasks as usize {
                        let (doc, rec) = (doc.clone(), rec.clone());
                        let pool = pool.clone();
                        handles.push(tokio::spawn(async move {
                            match how {
                                Offload::SpawnBlocking => {
                                    tokio::task::spawn_blocking(move || to_json(&doc, &rec, i)).await.unwrap_or(0)
                                }
                                Offload::Rayon => {
                                    let (tx, rx) = tokio::sync::oneshot::channel();
                                    pool.spawn(move || {
                                        let _ = tx.send(to_json(&doc, &rec, i));
                                    });
                                    rx.await.unwrap_or(0)
                                }
                                _ => to_json(&doc, &rec, i),
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
    let PingTrace { ping, points } = pings;
    let timeline = record.then(|| timeline(&rec, how, points));
    Ok(SerializeRun { section, bytes, lag, ping, peak_rss_bytes: peak, peak_reset, timeline })
}

/// The raw timeline of a recorded run: lanes named for what runs on them, the pings as its marks.
fn timeline(rec: &Recorder, how: Offload, pings: Vec<[f64; 2]>) -> Timeline {
    let worker = match how {
        Offload::InlineCurrentThread | Offload::InlineMultiThread => "worker",
        Offload::SpawnBlocking | Offload::Batched => "blocking thread",
        Offload::Rayon => "rayon thread",
    };
    let mut t = rec.timeline(how.name(), "", "documents", worker);
    if how != Offload::InlineMultiThread {
        if let Some(first) = t.lanes.first_mut() {
            *first = "event loop".into();
        }
    }
    let marks = Marks { name: "pings".into(), value: "latency, ms".into(), points: pings, ..Default::default() };
    Timeline { marks: Some(marks), ..t }
}
