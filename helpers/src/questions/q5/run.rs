//! What `lab q5` measures (the `lab` binary only, behind the `experiments` feature).

use super::*;
use crate::progress::Progress;
use crate::questions::common;
use crate::questions::q3::ideal_s;
use crate::result::{LabResult, Series};
use crate::twin;
use crate::units::{fmt_pct, fmt_s};
use crate::workload::sleepers;
use std::time::Duration;

#[derive(Default, Clone)]
struct Samples {
    runtime_s: Vec<f64>,
    p50_ms: Vec<f64>,
    p99_ms: Vec<f64>,
}

/// Runs the experiment in this process (the `lab` binary); progress goes to stderr.
pub fn execute(p: &Params) -> Result<LabResult> {
    let (py, machine) = common::setup(p.python)?;
    let names: Vec<&str> = if py.is_some() { vec!["tokio", "python"] } else { vec!["tokio"] };
    let mut progress = Progress::new("q5", p.repeats as usize * p.latencies_ms.len() * names.len());
    progress.note(&format!(
        "{} tasks, limit {}, latencies {:?} ms, {} repeat(s); about {:.0} s",
        p.tasks,
        p.limit,
        p.latencies_ms,
        p.repeats,
        p.estimate_s()
    ));
    let params_json = common::params_json(p)?;
    let mut samples = vec![vec![Samples::default(); p.latencies_ms.len()]; names.len()];
    for rep in 0..p.repeats {
        for (li, &lat) in p.latencies_ms.iter().enumerate() {
            for (vi, name) in names.iter().enumerate() {
                progress.begin(&format!("{name} latency={lat} ms (repeat {})", rep + 1));
                let (wall, p50, p99) = match (*name, py.as_ref()) {
                    ("python", Some(py)) => {
                        let r = twin::run(py, TWIN, &params_json, &["--latency-ms", &lat.to_string()])?;
                        let x = lat as f64;
                        (
                            r.value("python", "runtime_s", x)?,
                            r.value("python", "lateness_p50_ms", x)?,
                            r.value("python", "lateness_p99_ms", x)?,
                        )
                    }
                    _ => {
                        let r = sleepers::tokio_gated(
                            p.tasks as usize,
                            p.limit as usize,
                            Duration::from_millis(lat),
                            p.runtime,
                        )?;
                        (r.section.wall_s, r.lateness.p50_ms, r.lateness.p99_ms)
                    }
                };
                let s = &mut samples[vi][li];
                s.runtime_s.push(wall);
                s.p50_ms.push(p50);
                s.p99_ms.push(p99);
                let f = notes_s(p.tasks, p.limit, lat);
                progress.end(&format!("{} (formula {}, {})", fmt_s(wall), fmt_s(f), fmt_pct(wall / f - 1.0)));
            }
        }
    }

    let waves = p.tasks.div_ceil(p.limit) as f64;
    let mut series = Vec::new();
    for (vi, name) in names.iter().enumerate() {
        let mut runtime = Series::new(name, "latency_ms", "runtime_s");
        let mut vs = Series::new(name, "predicted_s", "measured_s");
        let mut err = Series::new(name, "latency_ms", "error_pct");
        let mut resid = Series::new(name, "latency_ms", "residual_per_wave_ms");
        let mut p50 = Series::new(name, "latency_ms", "lateness_p50_ms");
        let mut p99 = Series::new(name, "latency_ms", "lateness_p99_ms");
        for (li, &lat) in p.latencies_ms.iter().enumerate() {
            let s = &samples[vi][li];
            let x = lat as f64;
            let f = notes_s(p.tasks, p.limit, lat);
            let ideal = ideal_s(p.tasks, p.limit, lat);
            runtime.push_samples(x, &s.runtime_s);
            vs.push_samples(f, &s.runtime_s);
            let e: Vec<f64> = s.runtime_s.iter().map(|w| (w / f - 1.0) * 100.0).collect();
            err.push_samples(x, &e);
            let rw: Vec<f64> = s.runtime_s.iter().map(|w| (w - ideal) * 1000.0 / waves).collect();
            resid.push_samples(x, &rw);
            p50.push_samples(x, &s.p50_ms);
            p99.push_samples(x, &s.p99_ms);
        }
        series.extend([runtime, vs, err, resid, p50, p99]);
    }
    let mut ideal = Series::new("ideal", "latency_ms", "runtime_s");
    let mut diag = Series::new("ideal", "predicted_s", "measured_s");
    for &lat in &p.latencies_ms {
        ideal.points.push([lat as f64, ideal_s(p.tasks, p.limit, lat)]);
        let f = notes_s(p.tasks, p.limit, lat);
        diag.points.push([f, f]);
    }
    series.extend([ideal, diag]);

    common::finish(p, machine, series, super::judge::claims, super::judge::headline)
}
