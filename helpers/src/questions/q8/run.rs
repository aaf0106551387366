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

pub fn execute(p: &Params) -> Result<LabResult> {
    let (py, machine) = common::setup(p.python)?;
    let params = common::params_json(p)?;
    let mut names: Vec<&str> = Offload::ALL.iter().map(|o| o.name()).collect();
    if py.is_some() {
        names.extend(PYTHON.iter().map(|r| r.0));
    }
    let mut progress = Progress::new("q8", p.doc_bytes.len() * names.len());
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
