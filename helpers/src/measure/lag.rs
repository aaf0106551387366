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

/// What the pinger saw: latency percentiles over every ping that came due and, for timelines, (ms since the
/// caller's origin when the ping came due, its latency ms) per ping.
#[derive(Debug, Clone, Default)]
pub struct PingTrace {
    pub ping: Percentiles,
    pub points: Vec<[f64; 2]>,
}

/// Light "requests" arriving every `interval` on a fixed schedule: each is served by spawning a tiny task, and
/// its latency runs from its arrival time to when that task runs. Arrivals that fell due while the loop was
/// blocked are all served (late) when it frees up, so a blocked loop shows as latency, not as missing samples.
/// Each ping's point is placed at its arrival, ms after `origin`: the dots of a blocked stretch sit over it.
pub async fn pinger(interval: Duration, stop: Arc<AtomicBool>, origin: std::time::Instant) -> PingTrace {
    let mut lat = Latencies::new();
    // Room for 100 s of 5 ms pings up front, so that the pushes rarely grow the vector mid-run.
    let mut points = Vec::with_capacity(20_000);
    let start = tokio::time::Instant::now();
    let since = |t: tokio::time::Instant| t.into_std().saturating_duration_since(origin).as_secs_f64() * 1000.0;
    let mut k: u32 = 1;
    loop {
        // Serving a ping awaits, so pings keep coming due during a pass: once stopped, one more pass serves every
        // ping due by then, rather than dropping those that arrived while the last pass ran.
        let stopping = stop.load(Ordering::Relaxed);
        if !stopping {
            tokio::time::sleep_until(start + interval * k).await;
        }
        let now = tokio::time::Instant::now();
        while start + interval * k <= now {
            let arrival = start + interval * k;
            if let Ok(served) = tokio::spawn(async { tokio::time::Instant::now() }).await {
                let late = served.saturating_duration_since(arrival);
                lat.record(late);
                points.push([since(arrival), late.as_secs_f64() * 1000.0]);
            }
            k += 1;
        }
        if stopping {
            break;
        }
    }
    PingTrace { ping: lat.percentiles(), points }
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

    #[test]
    fn the_pinger_places_each_ping_at_its_arrival_with_its_latency() {
        let rt = crate::tokio_rt::build(crate::params::Flavor::CurrentThread).unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let origin = std::time::Instant::now();
        let trace = rt.block_on(async {
            let pings = tokio::spawn(pinger(Duration::from_millis(5), stop.clone(), origin));
            tokio::time::sleep(Duration::from_millis(50)).await;
            std::thread::sleep(Duration::from_millis(200)); // blocked from about 50 ms to 250 ms
            tokio::time::sleep(Duration::from_millis(50)).await;
            stop.store(true, Ordering::Relaxed);
            pings.await.unwrap()
        });
        // Every ping that came due is there (about 60 in 300 ms), in arrival order, as the percentiles count them.
        assert!((50..=70).contains(&trace.points.len()), "{} pings", trace.points.len());
        assert!(trace.points.windows(2).all(|w| w[0][0] < w[1][0]));
        // A ping arriving during the block waits for its end: arrival + latency lands near 250 ms.
        let blocked: Vec<&[f64; 2]> = trace.points.iter().filter(|p| p[1] > 20.0).collect();
        assert!(blocked.len() >= 30, "{} late pings", blocked.len());
        for p in blocked {
            assert!((230.0..=300.0).contains(&(p[0] + p[1])), "arrived at {} ms, late by {} ms", p[0], p[1]);
        }
        assert!(trace.ping.max_ms >= 180.0, "max {} ms", trace.ping.max_ms);
    }
}
