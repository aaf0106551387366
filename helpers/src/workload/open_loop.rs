//! Requests that arrive on a schedule of their own (open loop): each serializes a document, inline on the event
//! loop or offloaded, and its latency runs from when it was due, not from when the loop got to it, so a blocked
//! loop shows as latency and never slows the arrivals down (no coordinated omission).
//!
//! A thread of its own hands each request to the loop at its time, as a socket would; the schedule is fixed
//! before the run (`schedule`), the same for every variant, and the same numbers the Python twin draws.

use super::serialize::Offload;
use crate::error::{LabError, Result};
use crate::measure::cpu::measure;
use crate::measure::latency::{Latencies, Percentiles};
use serde_json::Value;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// SplitMix64 (Steele, Lea, Flood 2014): a tiny seeded generator the Python twin copies bit for bit
/// (`lab_open_loop.SplitMix`), so both languages see the very same arrivals.
pub struct SplitMix(u64);

impl SplitMix {
    pub fn new(seed: u64) -> SplitMix {
        SplitMix(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1), 53 bits.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The seed of every schedule: question 8's.
pub const SEED: u64 = 8;

/// When each of `n` requests arrives, seconds after the start, at `rate` per second on average: Poisson arrivals
/// (exponential gaps, seeded) or evenly spaced ones. The gaps are scaled so that the last request arrives at
/// exactly n / rate: the offered load is the one asked for, not the sample's.
pub fn schedule(n: usize, rate: f64, poisson: bool) -> Vec<f64> {
    let mut rng = SplitMix::new(SEED);
    let gaps: Vec<f64> = (0..n).map(|_| if poisson { -(1.0 - rng.next_f64()).ln() } else { 1.0 }).collect();
    let total: f64 = gaps.iter().sum();
    let scale = if total > 0.0 { n as f64 / rate / total } else { 0.0 };
    gaps.iter()
        .scan(0.0, |t, g| {
            *t += g * scale;
            Some(*t)
        })
        .collect()
}

/// One document's serialization time on this thread now, ms: the median of `k` (after one to warm the caches).
pub fn calibrate_ms(doc: &Value, k: usize) -> f64 {
    let _ = serde_json::to_string(doc);
    let mut t: Vec<f64> = (0..k.max(1))
        .map(|_| {
            let t0 = Instant::now();
            let _ = serde_json::to_string(doc);
            t0.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    t.sort_by(f64::total_cmp);
    t[t.len() / 2]
}

/// What one open-loop run measured.
#[derive(Debug, Clone, Copy)]
pub struct OpenRun {
    /// Each request's latency, from when it was due to its response back on the loop.
    pub latency: Percentiles,
    /// The median of the serializations' own times in this run, ms.
    pub service_ms: f64,
    /// The serializations' time over the run's wall time: the work's share of one core (inline, the loop's
    /// utilisation).
    pub busy: f64,
    pub wall_s: f64,
    pub cores_busy: f64,
}

/// The schedule's lead: its clock starts this long after the arrivals thread does.
const LEAD: Duration = Duration::from_millis(5);

/// Serves the requests of `schedule` (seconds after the start) with `how` (inline on a current-thread runtime,
/// spawn_blocking, or a rayon pool of one thread per core), each serializing `doc`.
pub fn run(how: Offload, doc: Arc<Value>, schedule: &[f64]) -> Result<OpenRun> {
    if !matches!(how, Offload::InlineCurrentThread | Offload::SpawnBlocking | Offload::Rayon) {
        return Err(LabError::other(format!("the open-loop run has no {} variant", how.name())));
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| LabError::other(format!("cannot start a tokio runtime: {e}")))?;
    let cores = crate::measure::machine::cores();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(cores)
        .build()
        .map_err(|e| LabError::other(format!("cannot start a rayon pool: {e}")))?;
    let pool = Arc::new(pool);
    // Warm, before the clock: the blocking pool's first threads and the serializer's first allocations.
    rt.block_on(async {
        let warm: Vec<_> = (0..cores).map(|_| tokio::task::spawn_blocking(|| ())).collect();
        for w in warm {
            let _ = w.await;
        }
    });
    let _ = serde_json::to_string(&*doc);
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Instant>();
    let offsets = schedule.to_vec();
    let start = Instant::now() + LEAD;
    let arrivals = std::thread::Builder::new()
        .name("arrivals".into())
        .spawn(move || {
            fine_timer();
            for off in offsets {
                let due = start + Duration::from_secs_f64(off);
                if let Some(wait) = due.checked_duration_since(Instant::now()) {
                    std::thread::sleep(wait);
                }
                if tx.send(due).is_err() {
                    break;
                }
            }
        })
        .map_err(|e| LabError::other(format!("cannot start the arrivals thread: {e}")))?;
    let (served, section) = measure(|| {
        rt.block_on(async {
            let mut handles = Vec::with_capacity(schedule.len());
            while let Some(due) = rx.recv().await {
                let (doc, pool) = (doc.clone(), pool.clone());
                handles.push(tokio::spawn(async move {
                    let service = match how {
                        Offload::SpawnBlocking => {
                            tokio::task::spawn_blocking(move || timed(&doc)).await.unwrap_or_default()
                        }
                        Offload::Rayon => {
                            let (tx, rx) = tokio::sync::oneshot::channel();
                            pool.spawn(move || {
                                let _ = tx.send(timed(&doc));
                            });
                            rx.await.unwrap_or_default()
                        }
                        _ => timed(&doc),
                    };
                    (due.elapsed(), service)
                }));
            }
            let mut served = Vec::with_capacity(handles.len());
            for h in handles {
                if let Ok(s) = h.await {
                    served.push(s);
                }
            }
            served
        })
    });
    let _ = arrivals.join();
    // From the schedule's start (not the arrivals thread's lead) to the last response.
    let wall_s = (section.wall_s - LEAD.as_secs_f64()).max(1e-9);
    let mut latency = Latencies::new();
    let mut service: Vec<f64> = Vec::with_capacity(served.len());
    for (l, s) in &served {
        latency.record(*l);
        service.push(s.as_secs_f64());
    }
    let busy = service.iter().sum::<f64>() / wall_s;
    service.sort_by(f64::total_cmp);
    let service_ms = service.get(service.len() / 2).copied().unwrap_or(0.0) * 1000.0;
    Ok(OpenRun { latency: latency.percentiles(), service_ms, busy, wall_s, cores_busy: section.cpu_s / wall_s })
}

/// Serializes `doc`, and how long that took.
fn timed(doc: &Value) -> Duration {
    let t0 = Instant::now();
    let _ = serde_json::to_string(doc);
    t0.elapsed()
}

/// Sleeps on this thread end within a microsecond or so of their deadline, not the kernel's default 50 µs later
/// (its timer slack): the arrivals keep to their schedule.
fn fine_timer() {
    #[cfg(target_os = "linux")]
    // SAFETY: prctl(PR_SET_TIMERSLACK) takes plain integers and changes only this thread's timer slack.
    unsafe {
        libc::prctl(libc::PR_SET_TIMERSLACK, 1 as libc::c_ulong, 0 as libc::c_ulong, 0 as libc::c_ulong, 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_gives_the_reference_sequence_the_python_twin_copies() {
        // SplitMix64 from seed 0: the reference values (Vigna's splitmix64.c).
        let mut r = SplitMix::new(0);
        assert_eq!(r.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(r.next_u64(), 0x6E78_9E6A_A1B9_65F4);
        let u = SplitMix::new(SEED).next_f64();
        assert!((0.0..1.0).contains(&u));
    }

    #[test]
    fn a_schedule_offers_the_rate_asked_for_poisson_or_even() {
        let s = schedule(200, 100.0, true);
        assert_eq!(s.len(), 200);
        assert!((s[199] - 2.0).abs() < 1e-9, "the last arrival at n / rate: {}", s[199]);
        assert!(s.windows(2).all(|w| w[0] <= w[1]));
        // Poisson gaps vary (some far shorter, some far longer than the mean); even ones do not.
        let gaps: Vec<f64> = s.windows(2).map(|w| w[1] - w[0]).collect();
        assert!(gaps.iter().any(|&g| g < 0.002) && gaps.iter().any(|&g| g > 0.03), "{gaps:?}");
        let even = schedule(4, 100.0, false);
        assert_eq!(even.iter().map(|t| (t * 1000.0).round()).collect::<Vec<_>>(), [10.0, 20.0, 30.0, 40.0]);
        assert_eq!(schedule(200, 100.0, true), s, "seeded: the same every time");
        // The numbers the Python twin draws (tests/test_twins.py checks its side against the same three).
        for (got, want) in s.iter().zip([0.009332752644041202, 0.018500473864411227, 0.029812787130751764]) {
            assert!((got - want).abs() < 1e-12, "{got} != {want}");
        }
    }

    #[test]
    fn latency_counts_from_the_schedule_when_the_loop_is_busy() {
        // 40 requests due within 4 ms, each serializing about a millisecond's document inline: the last waits for
        // all those before it, though each arrived on time.
        let doc = Arc::new(crate::workload::documents::document(300_000));
        let one = calibrate_ms(&doc, 5);
        let s = schedule(40, 10_000.0, false);
        let r = run(Offload::InlineCurrentThread, doc.clone(), &s).unwrap();
        assert_eq!(r.latency.count, 40);
        assert!(r.latency.max_ms > 20.0 * one, "max {} ms, one document {one} ms", r.latency.max_ms);
        assert!(r.busy > 0.5, "busy {}", r.busy);
        let off = run(Offload::Rayon, doc, &schedule(10, 20.0, false)).unwrap();
        assert!(off.latency.p99_ms < 10.0 * off.service_ms.max(0.5), "{off:?}");
    }
}
