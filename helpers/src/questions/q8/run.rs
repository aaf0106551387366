//! What `lab q8` measures (the `lab` binary only, behind the `experiments` feature).

use super::*;
use crate::error::LabError;
use crate::peak::{self, Peak};
use crate::progress::Progress;
use crate::questions::common;
use crate::result::{LabResult, Series};
use crate::timeline::Timeline;
use crate::twin;
use crate::units::{fmt_ms, fmt_s};
use crate::workload::documents::document;
use crate::workload::open_loop;
use crate::workload::serialize::{self, Offload};
use std::sync::Arc;
use std::time::Duration;

/// Each Python variant's series name and the twin's `--strategy` for it.
const PYTHON: [(&str, &str); 5] = [
    ("python inline", "inline"),
    ("python to_thread", "to_thread"),
    ("python processes", "processes"),
    ("python batched", "batched"),
    (BUILT_IN_WORKER, "built_in_worker"),
];
const YS: [&str; 11] = [
    "wall_s",
    "mb_per_s",
    "docs_per_s",
    "cores_busy",
    "lag_p50_ms",
    "lag_p99_ms",
    "lag_max_ms",
    "ping_p50_ms",
    "ping_p99_ms",
    "peak_rss_mb",
    // 1 when the peak was reset before the run, 0 where the kernel refused (a lifetime peak).
    peak::SERIES,
];
/// What the Python twin adds about its pools' memory: `peak_rss_mb` there is the parent's peak plus what the
/// workers' peaks added over their RSS at the start of the run (0 without a pool).
const PY_MEMORY: [&str; 2] = ["parent_peak_rss_mb", "workers_added_peak_mb"];

/// The open-loop variants, Rust's and Python's (the twin runs its own in one call, `--open-loop`).
/// Rust's pool is rayon's, one thread per core, the same size as Python's process pool (spawn_blocking would start a
/// thread per burst).
const OPEN_RUST: [Offload; 2] = [Offload::InlineCurrentThread, Offload::Rayon];
/// What each open-loop run records, over `load_pct`: the requests' latency percentiles from when each was due, the
/// median serialization time in the run, the work's share of one core, how many were served, and the offered rate
/// with the calibration it came from.
const OPEN_YS: [&str; 8] = [
    "open_p50_ms",
    "open_p99_ms",
    "open_max_ms",
    "open_service_ms",
    "open_busy",
    "open_requests",
    "open_rate_per_s",
    "open_calibrated_ms",
];

pub fn execute(p: &Params) -> Result<LabResult> {
    let (py, machine) = common::setup(p.python)?;
    let params = common::params_json(p)?;
    let mut names: Vec<&str> = Offload::ALL.iter().map(|o| o.name()).collect();
    if py.is_some() {
        names.extend(PYTHON.iter().map(|r| r.0));
    }
    let open_steps = p.open_load_pct.len() * OPEN_RUST.len() + usize::from(py.is_some());
    let mut progress = Progress::new("q8", p.doc_bytes.len() * names.len() + open_steps);
    progress.note(&format!(
        "{} tasks serializing documents of {:?} bytes; about {:.0} s, {:.0} MiB at the peak",
        p.tasks,
        p.doc_bytes,
        p.estimate_s(),
        p.estimate_mb()
    ));
    let mut series: Vec<Series> =
        names.iter().flat_map(|n| YS.iter().map(move |y| Series::new(n, "doc_bytes", y))).collect();
    let mut in_c = Series::new("python json", "doc_bytes", "in_c");
    let mut extra = Vec::new();
    let mut timelines = Vec::new();
    for &size in &p.doc_bytes {
        let doc = Arc::new(document(size as usize));
        for (i, name) in names.iter().enumerate() {
            progress.begin(&format!("{name}, {} documents of {size} bytes", p.tasks));
            let record = p.timeline && size == p.judge_doc_bytes && RECORDED.iter().flatten().any(|n| n == name);
            let at = format!("{} documents of {size} bytes", p.tasks);
            let values = if let Some(how) = Offload::ALL.iter().find(|o| o.name() == *name) {
                let ping = Duration::from_millis(p.ping_ms);
                let mut r = serialize::run(*how, doc.clone(), p.tasks, p.batch, ping, record)?;
                timelines.extend(r.timeline.take().map(|t| Timeline { at: at.clone(), ..t }.condense(&[])));
                let wall = r.section.wall_s;
                [
                    wall,
                    r.bytes as f64 / 1e6 / wall,
                    p.tasks as f64 / wall,
                    r.section.cores_busy(),
                    r.lag.p50_ms,
                    r.lag.p99_ms,
                    r.lag.max_ms,
                    r.ping.p50_ms,
                    r.ping.p99_ms,
                    r.peak_rss_bytes as f64 / (1024.0 * 1024.0),
                    Peak::value(r.peak_reset),
                ]
            } else {
                let py = py.as_ref().ok_or_else(|| LabError::other("no Python"))?;
                let flag = PYTHON.iter().find(|r| r.0 == *name).map_or("inline", |r| r.1);
                let size_arg = size.to_string();
                let mut args = vec!["--strategy", flag, "--doc-bytes", &size_arg];
                args.extend(record.then_some("--timeline"));
                let mut r = twin::run(py, TWIN, &params, &args)?;
                if record {
                    let t = r.timelines.pop().ok_or_else(|| LabError::child(format!("{TWIN} recorded no timeline")))?;
                    timelines.push(Timeline { name: name.to_string(), at: at.clone(), ..t }.condense(&[]));
                }
                let x = size as f64;
                let mut v = [0.0; YS.len()];
                for (k, y) in YS.iter().enumerate() {
                    v[k] = r.value(name, y, x)?;
                }
                for y in PY_MEMORY {
                    let mut s = Series::new(name, "doc_bytes", y);
                    s.points.push([x, r.value(name, y, x)?]);
                    extra.push(s);
                }
                // Whether this Python's json.dumps ran in C, for the claims about native code (8.8, 8.10).
                if let Ok(c) = r.value(name, "json_in_c", x) {
                    in_c.points.push([x, c]);
                }
                v
            };
            for (k, v) in values.iter().enumerate() {
                series[i * YS.len() + k].points.push([size as f64, *v]);
            }
            progress.end(&format!(
                "{} ({:.0} MB/s), heartbeat p99 {}, ping p99 {}, {}",
                fmt_s(values[0]),
                values[1],
                fmt_ms(values[5]),
                fmt_ms(values[8]),
                Peak::of(values[10] >= 0.5).progress(values[9])
            ));
        }
        // One document's serialization time, for the claims: best of three, on this thread.
        let mut one = Series::new("one document", "doc_bytes", "serialize_ms");
        let best = (0..3)
            .map(|_| {
                let t0 = std::time::Instant::now();
                let _ = serde_json::to_string(&*doc);
                t0.elapsed().as_secs_f64() * 1000.0
            })
            .fold(f64::INFINITY, f64::min);
        one.points.push([size as f64, best]);
        series.push(one);
    }
    series.extend(open_loop(p, py.as_ref(), &params, &mut progress)?);
    // One point per size: every strategy ran the same interpreter.
    in_c.points.dedup_by(|a, b| a[0] == b[0]);
    if !in_c.points.is_empty() {
        series.push(in_c);
    }
    series.extend(extra);
    let mut result = common::finish(p, machine, merge_points(series), super::judge::claims, super::judge::headline)?;
    result.timelines = timelines;
    Ok(result)
}

/// The open-loop runs: at each load, one document's time measured on this thread, the rate set from it, one
/// schedule for every variant; then the twin's, which calibrates its own json.dumps the same way.
fn open_loop(
    p: &Params,
    py: Option<&twin::Python>,
    params: &serde_json::Value,
    progress: &mut Progress,
) -> Result<Vec<Series>> {
    let names: Vec<&str> =
        OPEN_RUST.iter().map(|o| o.name()).chain(py.iter().flat_map(|_| super::OPEN_PYTHON)).collect();
    let mut series: Vec<Series> =
        names.iter().flat_map(|n| OPEN_YS.iter().map(move |y| Series::new(n, "load_pct", y))).collect();
    let doc = Arc::new(document(p.open_doc_bytes as usize));
    let poisson = p.open_arrivals == Arrivals::Poisson;
    for &pct in &p.open_load_pct {
        let one = open_loop::calibrate_ms(&doc, 21);
        let rate = pct as f64 / 100.0 / (one / 1000.0);
        let schedule = open_loop::schedule(p.open_requests_rust as usize, rate, poisson);
        for (i, how) in OPEN_RUST.iter().enumerate() {
            progress.begin(&format!(
                "open loop, {}: {} requests of {} bytes at {pct}% ({rate:.0}/s)",
                how.name(),
                p.open_requests_rust,
                p.open_doc_bytes
            ));
            let r = open_loop::run(*how, doc.clone(), &schedule)?;
            let values = [
                r.latency.p50_ms,
                r.latency.p99_ms,
                r.latency.max_ms,
                r.service_ms,
                r.busy,
                r.latency.count as f64,
                rate,
                one,
            ];
            for (k, v) in values.iter().enumerate() {
                series[i * OPEN_YS.len() + k].points.push([pct as f64, *v]);
            }
            progress.end(&open_summary(&values));
        }
    }
    if let Some(py) = py {
        progress.begin(&format!(
            "open loop, Python (inline, a pool): {} requests of {} bytes at {:?}%",
            p.open_requests, p.open_doc_bytes, p.open_load_pct
        ));
        let r = twin::run(py, TWIN, params, &["--open-loop"])?;
        let first = OPEN_RUST.len();
        for (i, name) in super::OPEN_PYTHON.iter().enumerate() {
            for (k, y) in OPEN_YS.iter().enumerate() {
                for &pct in &p.open_load_pct {
                    let v = r.value(name, y, pct as f64)?;
                    series[(first + i) * OPEN_YS.len() + k].points.push([pct as f64, v]);
                }
            }
        }
        let at = |name: &str, y: &str, x: u64| r.value(name, y, x as f64).map(fmt_ms).unwrap_or_default();
        let each: Vec<String> = p
            .open_load_pct
            .iter()
            .map(|&x| {
                format!(
                    "at {x}%: inline p50 {} p99 {}, pool p50 {} p99 {}",
                    at("python inline", "open_p50_ms", x),
                    at("python inline", "open_p99_ms", x),
                    at(BUILT_IN_WORKER, "open_p50_ms", x),
                    at(BUILT_IN_WORKER, "open_p99_ms", x)
                )
            })
            .collect();
        progress.end(&each.join("; "));
    }
    Ok(series)
}

fn open_summary(v: &[f64; 8]) -> String {
    format!(
        "p50 {}, p99 {}, each serialization {}, work {:.0}% of a core",
        fmt_ms(v[0]),
        fmt_ms(v[1]),
        fmt_ms(v[3]),
        v[4] * 100.0
    )
}

/// The per-size "one document" series arrive one point each: merge them into one series.
fn merge_points(series: Vec<Series>) -> Vec<Series> {
    let mut out: Vec<Series> = Vec::new();
    for s in series {
        match out.iter_mut().find(|o| o.name == s.name && o.y == s.y) {
            Some(o) => o.points.extend(s.points),
            None => out.push(s),
        }
    }
    out
}
