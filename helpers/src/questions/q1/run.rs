//! What `lab q1` measures (the `lab` binary only, behind the `experiments` feature).

use super::*;
use crate::error::LabError;
use crate::measure::record::Recorder;
use crate::progress::Progress;
use crate::questions::common;
use crate::result::{LabResult, Series};
use crate::timeline::Timeline;
use crate::twin;
use crate::units::fmt_s;
use crate::workload::cpu::Kernel;
use crate::workload::strategies::{self, Strategy, INSTANTS};

/// The Python twin's strategies, as series names and the twin's --strategy values.
pub const PYTHON: [(&str, &str); 5] = [
    ("python sequential", "sequential"),
    ("python asyncio", "asyncio"),
    ("python asyncio yield", "yield"),
    ("python to_thread", "to_thread"),
    ("python processes", "processes"),
];

#[derive(Default, Clone)]
struct Samples {
    wall_s: Vec<f64>,
    speedup: Vec<f64>,
    cores_busy: Vec<f64>,
    lag_p50_ms: Vec<f64>,
    lag_p99_ms: Vec<f64>,
    lag_max_ms: Vec<f64>,
}

/// One measurement of one strategy: wall, CPU / wall, lag percentiles (None where no loop was probed), and its
/// jobs' timeline when it was recorded.
struct Point {
    wall_s: f64,
    cores_busy: f64,
    lag: Option<[f64; 3]>,
    jobs: Option<Timeline>,
}

/// Where in the run the timelines are recorded.
const RECORDED_AT: &str = "repeat 1";

pub fn execute(p: &Params) -> Result<LabResult> {
    let (py, machine) = common::setup(p.python)?;
    let mut names: Vec<&str> = Strategy::ALL.iter().map(|s| s.name()).collect();
    if py.is_some() {
        names.extend(PYTHON.iter().map(|(n, _)| *n));
    }
    let mut progress = Progress::new("q1", p.repeats as usize * names.len());
    let kernel = Kernel::calibrate();
    progress.note(&format!(
        "{} jobs x {} ms on {}, {} repeat(s); calibrated {:.0} iterations/ms; about {:.0} s",
        p.jobs,
        p.job_ms,
        machine.cores_label(),
        p.repeats,
        kernel.iters_per_ms,
        p.estimate_s()
    ));
    let params = common::params_json(p)?;
    // Python's iterations per job, calibrated once so that every strategy's call does the same work.
    let py_iters = match py.as_ref() {
        Some(py) => {
            let r = twin::run(py, TWIN, &params, &["--calibrate"])?;
            r.value("python", "iters", p.job_ms)?.round().max(1.0).to_string()
        }
        None => String::new(),
    };
    let mut samples = vec![Samples::default(); names.len()];
    let mut timelines = Vec::new();
    for rep in 0..p.repeats {
        // One repeat is enough to see the shape; the others run unrecorded.
        let record = p.timeline && rep == 0;
        let mut seq_wall = [f64::NAN; 2]; // Rust's and Python's sequential wall time of this round
        for (i, name) in names.iter().enumerate() {
            progress.begin(&format!("{name} (repeat {})", rep + 1));
            let point = if let Some(s) = Strategy::ALL.iter().find(|s| s.name() == *name) {
                // Allocated here, before the strategy's timed section.
                let rec = Recorder::new_if(record, p.jobs as usize, &INSTANTS);
                let r = strategies::run(*s, &kernel, p.jobs, p.job_ms, p.yield_every_us, rec)?;
                let jobs = r.rec.is_on().then(|| {
                    let mut t = r.rec.timeline(name, RECORDED_AT, "jobs", s.lane_name());
                    t.marks = Some(r.lag.marks(r.rec.origin()));
                    t.condense(&[])
                });
                Point {
                    wall_s: r.section.wall_s,
                    cores_busy: r.section.cores_busy(),
                    lag: Some([r.lag.lag.p50_ms, r.lag.lag.p99_ms, r.lag.lag.max_ms]),
                    jobs,
                }
            } else {
                python_point(py.as_ref(), &params, name, p.jobs, &py_iters, record)?
            };
            timelines.extend(point.jobs);
            let lang = usize::from(name.starts_with("python"));
            if name.ends_with("sequential") {
                seq_wall[lang] = point.wall_s;
            }
            let speedup = seq_wall[lang] / point.wall_s;
            let s = &mut samples[i];
            s.wall_s.push(point.wall_s);
            s.speedup.push(speedup);
            s.cores_busy.push(point.cores_busy);
            if let Some([p50, p99, max]) = point.lag {
                s.lag_p50_ms.push(p50);
                s.lag_p99_ms.push(p99);
                s.lag_max_ms.push(max);
            }
            progress.end(&format!(
                "{} ({speedup:.2}x sequential, {:.2} cores busy{})",
                fmt_s(point.wall_s),
                point.cores_busy,
                point.lag.map(|l| format!(", heartbeat late by up to {:.1} ms", l[2])).unwrap_or_default()
            ));
        }
    }

    let x = p.jobs as f64;
    let mut series = Vec::new();
    for (name, s) in names.iter().zip(&samples) {
        for (y, v) in [
            ("wall_s", &s.wall_s),
            ("speedup", &s.speedup),
            ("cores_busy", &s.cores_busy),
            ("lag_p50_ms", &s.lag_p50_ms),
            ("lag_p99_ms", &s.lag_p99_ms),
            ("lag_max_ms", &s.lag_max_ms),
        ] {
            if !v.is_empty() {
                let mut ser = Series::new(name, "jobs", y);
                ser.push_samples(x, v);
                series.push(ser);
            }
        }
    }
    let cores = machine.cores as f64;
    series.push(Series { points: vec![[x, cores]], ..Series::new("cores present", "jobs", "speedup") });
    let mut result = common::finish(p, machine, series, super::judge::claims, super::judge::headline)?;
    result.timelines = timelines;
    Ok(result)
}

fn python_point(
    py: Option<&twin::Python>,
    params: &serde_json::Value,
    name: &str,
    jobs: u64,
    iters: &str,
    record: bool,
) -> Result<Point> {
    let py = py.ok_or_else(|| LabError::other("python twin requested without Python"))?;
    let flag = PYTHON.iter().find(|(n, _)| *n == name).map(|(_, f)| *f).unwrap_or("sequential");
    let mut args = vec!["--strategy", flag, "--iters", iters];
    if !record {
        args.push("--no-timeline");
    }
    let r = twin::run(py, TWIN, params, &args)?;
    let x = jobs as f64;
    let lag = match (r.value(name, "lag_p50_ms", x), r.value(name, "lag_p99_ms", x), r.value(name, "lag_max_ms", x)) {
        (Ok(a), Ok(b), Ok(c)) => Some([a, b, c]),
        _ => None,
    };
    // The twin gives all it recorded; condensed here, by the same code as Rust's timelines.
    let jobs = r.timelines.iter().find(|t| t.name == name).cloned().map(|t| t.condense(&[]));
    Ok(Point { wall_s: r.value(name, "wall_s", x)?, cores_busy: r.value(name, "cores_busy", x)?, lag, jobs })
}
