//! What `lab q2` measures of inter-process communication: serialization and round trips per message size, what a
//! round trip costs beyond serializing there and back, and an empty job through the pool beside a bare pipe.

use super::super::*;
use crate::progress::Progress;
use crate::result::Series;
use crate::workload::documents::document;
use crate::workload::process_pool::{BarePipe, Pool};
use std::sync::{mpsc, Arc};
use std::time::Instant;

/// A timing of `f`, in ms: the median of three where one takes long (over `CHEAP_S`); where one is cheap, the first
/// is a warm-up left out and the rest fill at least `SAMPLE_S`, and the 10th percentile of them is taken. A cost of
/// a few µs is mostly waking another thread or process, and on a busy machine the scheduler adds to some wake-ups
/// (never takes away): the low percentile is the cost itself, the median would be the machine's load.
fn timing_ms(mut f: impl FnMut() -> Result<f64>) -> Result<f64> {
    const CHEAP_S: f64 = 0.005;
    const SAMPLE_S: f64 = 0.02;
    let first = f()?;
    if first >= CHEAP_S {
        let mut v = [first, f()?, f()?];
        v.sort_by(|a, b| a.total_cmp(b));
        return Ok(v[1] * 1000.0);
    }
    let mut v = Vec::new();
    let mut spent = 0.0;
    while v.len() < 5 || (spent < SAMPLE_S && v.len() < 10_000) {
        let t = f()?;
        spent += t;
        v.push(t);
    }
    Ok(low(&mut v) * 1000.0)
}

/// The 10th percentile of `v` (sorted here).
fn low(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 10]
}

/// Round trips timed one by one for a per-task cost (an empty job, a bare pipe's byte), after one left out.
const TRIPS: u64 = 2_000;

/// The 10th percentile of `TRIPS` timings of `trip` (seconds each), in ms.
fn per_trip_ms(mut trip: impl FnMut() -> Result<f64>) -> Result<f64> {
    trip()?;
    let mut v = (0..TRIPS).map(|_| trip()).collect::<Result<Vec<f64>>>()?;
    Ok(low(&mut v) * 1000.0)
}

/// serde_json serialize + parse, a round trip through a worker process, and one through a thread, per payload size;
/// from them, what the round trip costs beyond serializing there and back (the pipe, the process switch). Then an
/// empty job through the pool beside a bare pipe's byte: what the pool adds per task beyond the pipe.
pub(super) fn ipc(p: &Params, progress: &mut Progress) -> Result<Vec<Series>> {
    let mut ser = Series::new("serde_json", "payload_bytes", "cost_ms");
    let mut trip = Series::new("pipe round trip", "payload_bytes", "cost_ms");
    let mut local = Series::new("thread round trip", "payload_bytes", "cost_ms");
    progress.begin("serde_json, pipe and thread round trips");
    let mut pool = Pool::start(1)?;
    // A thread that hands every document straight back: the same message without a process boundary, so the
    // difference is what inter-process communication adds.
    let (to_tx, to_rx) = mpsc::channel::<Arc<serde_json::Value>>();
    let (back_tx, back_rx) = mpsc::channel();
    std::thread::scope(|s| -> Result<()> {
        s.spawn(move || {
            for doc in to_rx {
                if back_tx.send(doc).is_err() {
                    return;
                }
            }
        });
        // Owned here, so that it is dropped (ending the thread) however this closure returns.
        let to_tx = to_tx;
        for &bytes in &p.payload_bytes {
            let doc = Arc::new(document(bytes as usize));
            let len = serde_json::to_string(&*doc).map(|s| s.len()).unwrap_or(0) as f64;
            let s = timing_ms(|| {
                let t0 = Instant::now();
                let text = serde_json::to_string(&*doc).map_err(|e| LabError::other(e.to_string()))?;
                let back: serde_json::Value =
                    serde_json::from_str(&text).map_err(|e| LabError::other(e.to_string()))?;
                std::hint::black_box(back);
                Ok(t0.elapsed().as_secs_f64())
            })?;
            let t = timing_ms(|| pool.echo_s(&doc))?;
            let l = timing_ms(|| {
                let t0 = Instant::now();
                to_tx.send(doc.clone()).map_err(|_| LabError::other("the echo thread ended"))?;
                back_rx.recv().map_err(|_| LabError::other("the echo thread ended"))?;
                Ok(t0.elapsed().as_secs_f64())
            })?;
            ser.points.push([len, s]);
            trip.points.push([len, t]);
            local.points.push([len, l]);
        }
        Ok(())
    })?;
    let (there_and_back, less) = less_serialization(&ser, &trip, "serde_json there and back", "pipe less serde_json");
    let (s_big, t_big) = (ser.points.last().map_or(0.0, |p| p[1]), trip.points.last().map_or(0.0, |p| p[1]));
    progress.end(&format!(
        "{} sizes; largest: serialize+parse {s_big:.1} ms, pipe round trip {t_big:.1} ms ({:.1} ms beyond \
         serializing there and back), thread round trip {:.3} ms",
        p.payload_bytes.len(),
        t_big - 2.0 * s_big,
        local.points.last().map_or(0.0, |p| p[1])
    ));
    progress.begin(&format!(
        "an empty job through the pool and a bare pipe's byte, {TRIPS} round trips each (10th percentile)"
    ));
    let empty = per_trip_ms(|| pool.empty_job_s())?;
    drop(pool);
    let mut pipe = BarePipe::start()?;
    let bare = per_trip_ms(|| pipe.round_trip_s())?;
    drop(pipe);
    progress.end(&format!(
        "empty job {:.1} µs, bare pipe {:.1} µs a round trip: the pool adds {:.1} µs",
        empty * 1000.0,
        bare * 1000.0,
        (empty - bare) * 1000.0
    ));
    let mut out = vec![ser, trip, local, there_and_back, less];
    out.extend(per_task("", empty, bare));
    Ok(out)
}

/// Serializing there and back (twice `ser`: the parent's message and the worker's answer, each encoded and
/// decoded) and what the round trip `trip` costs beyond it, per payload. A point where the round trip took no
/// longer than serializing is left out of the second: nothing beyond serialization was measured there.
fn less_serialization(ser: &Series, trip: &Series, both: &str, rest: &str) -> (Series, Series) {
    let mut twice = Series::new(both, "payload_bytes", "cost_ms");
    let mut less = Series::new(rest, "payload_bytes", "cost_ms");
    for (s, t) in ser.points.iter().zip(&trip.points) {
        twice.points.push([s[0], 2.0 * s[1]]);
        if t[1] > 2.0 * s[1] {
            less.points.push([t[0], t[1] - 2.0 * s[1]]);
        }
    }
    (twice, less)
}

/// The per-task series, each one point at a 1-byte message: an empty job through the pool, a bare pipe's byte
/// there and back, and their difference, the pool's own machinery (left out where the empty job was no slower).
/// `prefix` names the language ("" for Rust, as the other series).
fn per_task(prefix: &str, empty: f64, bare: f64) -> Vec<Series> {
    let one = |name: &str, v: f64| Series {
        points: vec![[1.0, v]],
        ..Series::new(&format!("{prefix}{name}"), "payload_bytes", "cost_ms")
    };
    let mut out = vec![one("pool empty job", empty), one("bare pipe round trip", bare)];
    if empty > bare {
        out.push(one("pool machinery", empty - bare));
    }
    out
}
