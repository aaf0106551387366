//! Event-loop lag: a probe task with ticks scheduled at start + k x period records how late each tick is served.
//! Every tick that came due counts: a loop blocked for 500 ms on a 1 ms heartbeat yields about 500 late ticks
//! (late by 500 ms down to 0), not one late sample, so the percentiles do not hide the block (no coordinated
//! omission).

use super::latency::{Latencies, Percentiles};
use crate::timeline::{round_ms, Marks};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What the probe saw: lateness percentiles over every tick that came due and, for charts, (seconds since start
/// when the tick was served, lateness ms) per tick.
#[derive(Debug, Clone, Default)]
pub struct LagTrace {
    pub lag: Percentiles,
    pub timeline: Vec<(f64, f64)>,
    /// When the probe's clock started: `timeline`'s times count from here, not from a recorder's origin.
    pub start: Option<Instant>,
}

impl LagTrace {
    /// The ticks as timeline marks, `[ms since origin, late ms]`: on the clock of a recorder that started at
    /// `origin` (before or after the probe did).
    pub fn marks(&self, origin: Instant) -> Marks {
        let offset_ms = self.start.map_or(0.0, |s| signed_ms(s, origin));
        Marks {
            name: "heartbeat ticks".into(),
            value: "late by, ms".into(),
            total: self.timeline.len() as u64,
            points: self.timeline.iter().map(|&(s, late)| [round_ms(offset_ms + s * 1000.0), round_ms(late)]).collect(),
            ..Default::default()
        }
    }
}

/// `later - earlier` in ms, negative when `later` came first.
fn signed_ms(later: Instant, earlier: Instant) -> f64 {
    match later.checked_duration_since(earlier) {
        Some(d) => d.as_secs_f64() * 1000.0,
        None => -(earlier.duration_since(later).as_secs_f64() * 1000.0),
    }
}

/// The probe itself, to spawn on the runtime under test. Runs until `stop` is set.
pub async fn probe(period: Duration, stop: Arc<AtomicBool>) -> LagTrace {
    let start = tokio::time::Instant::now();
    let mut lat = Latencies::new();
    let mut timeline = Vec::new();
    let mut k: u32 = 1;
    while !stop.load(Ordering::Relaxed) {
        tokio::time::sleep_until(start + period * k).await;
        let now = tokio::time::Instant::now();
        // Every tick due by now is served now: late by how long ago it fell due.
        while start + period * k <= now {
            let late = now.saturating_duration_since(start + period * k);
            lat.record(late);
            if timeline.len() < 100_000 {
                timeline.push(((now - start).as_secs_f64(), late.as_secs_f64() * 1000.0));
            }
            k += 1;
        }
    }
    LagTrace { lag: lat.percentiles(), timeline, start: Some(start.into_std()) }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_blocked_loop_counts_every_tick_that_came_due() {
        let rt = crate::tokio_rt::build(crate::params::Flavor::CurrentThread).unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let trace = rt.block_on(async {
            let probe = tokio::spawn(probe(Duration::from_millis(1), stop.clone()));
            tokio::time::sleep(Duration::from_millis(50)).await;
            std::thread::sleep(Duration::from_millis(500)); // the loop's only thread, blocked: no await
            tokio::time::sleep(Duration::from_millis(50)).await;
            stop.store(true, Ordering::Relaxed);
            probe.await.unwrap()
        });
        let late = trace.timeline.iter().filter(|t| t.1 > 1.0).count();
        assert!((400..=600).contains(&late), "{late} ticks late by more than 1 ms; want about 500");
        assert!(trace.lag.p50_ms > 100.0, "p50 {} ms: the block dominates the run's ticks", trace.lag.p50_ms);
        assert!(trace.lag.max_ms >= 480.0, "max {} ms", trace.lag.max_ms);
    }

    #[test]
    fn marks_move_the_ticks_onto_a_recorders_clock() {
        let origin = Instant::now();
        let trace = LagTrace {
            timeline: vec![(0.001, 0.2), (0.5, 480.0)],
            start: Some(origin + Duration::from_millis(10)),
            ..Default::default()
        };
        let m = trace.marks(origin);
        assert_eq!(m.points, [[11.0, 0.2], [510.0, 480.0]]);
        assert_eq!((m.name.as_str(), m.value.as_str(), m.total), ("heartbeat ticks", "late by, ms", 2));
        // A recorder that started after the probe: its earliest ticks come before its 0.
        let later = trace.marks(origin + Duration::from_millis(20));
        assert_eq!(later.points[0], [-9.0, 0.2]);
    }
}
