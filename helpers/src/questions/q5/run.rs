//! What `lab q5` measures (the `lab` binary only, behind the `experiments` feature).

use super::*;
use crate::measure::record::Recorder;
use crate::progress::Progress;
use crate::questions::q3::ideal_s;
use crate::questions::{common, permits};
use crate::result::{LabResult, Series};
use crate::timeline::Timeline;
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

/// One run of `tasks` behind `limit` permits sleeping `lat` ms, in `name`'s runtime: wall s, lateness p50, p99; and
/// its timeline when `record_at` says where it is recorded.
fn point(
    p: &Params,
    py: Option<&twin::Python>,
    name: &str,
    (limit, lat): (u64, u64),
    record_at: Option<&str>,
) -> Result<((f64, f64, f64), Vec<Timeline>)> {
    match (name, py) {
        ("python", Some(py)) => {
            let (lat_arg, limit_arg) = (lat.to_string(), limit.to_string());
            let mut args = vec!["--latency-ms", &lat_arg, "--limit", &limit_arg];
            args.extend(record_at.map(|at| ["--timeline", at]).into_iter().flatten());
            let r = twin::run(py, TWIN, &common::params_json(p)?, &args)?;
            let x = lat as f64;
            let values = (
                r.value("python", "runtime_s", x)?,
                r.value("python", "lateness_p50_ms", x)?,
                r.value("python", "lateness_p99_ms", x)?,
            );
            Ok((values, r.timelines))
        }
        _ => {
            // Allocated here, outside what is measured; an off recorder runs the same code without the stores.
            let rec = Recorder::new_if(record_at.is_some(), p.tasks as usize, &sleepers::INSTANTS);
            let latency = Duration::from_millis(lat);
            let r = sleepers::tokio_gated(p.tasks as usize, limit as usize, latency, p.runtime, rec)?;
            let timelines = record_at.map(|at| r.recorder.timeline(name, at, "tasks", "")).into_iter().collect();
            Ok(((r.section.wall_s, r.lateness.p50_ms, r.lateness.p99_ms), timelines))
        }
    }
}

/// Runs the experiment in this process (the `lab` binary); progress goes to stderr.
pub fn execute(p: &Params) -> Result<LabResult> {
    let (py, machine) = common::setup(p.python)?;
    let names: Vec<&str> = if py.is_some() { vec!["tokio", "python"] } else { vec!["tokio"] };
    let waves = p.wave_counts();
    let steps = p.repeats as usize * (p.latencies_ms.len() + waves.len()) * names.len();
    let mut progress = Progress::new("q5", steps);
    progress.note(&format!(
        "{} tasks, limit {}, latencies {:?} ms; then {:?} waves of {} ms; {} repeat(s); about {:.0} s",
        p.tasks,
        p.limit,
        p.latencies_ms,
        waves,
        p.wave_latency_ms,
        p.repeats,
        p.estimate_s()
    ));
    let mut samples = vec![vec![Samples::default(); p.latencies_ms.len()]; names.len()];
    let mut wave_samples = vec![vec![Vec::new(); waves.len()]; names.len()];
    // Timelines are recorded at one run per variant, chosen before any runs (see `Params::timeline_point`).
    let tp = p.timeline_point();
    let recorded_latency = p.latencies_ms.iter().position(|&l| tp.waves.is_none() && l == tp.latency_ms);
    let recorded_wave = waves.iter().position(|&w| tp.waves == Some(w));
    let mut timelines = Vec::new();
    // Interleaved (A B A B), both sweeps in every repeat, so drift in the machine's speed hits all alike.
    for rep in 0..p.repeats {
        for (li, &lat) in p.latencies_ms.iter().enumerate() {
            let record = (p.timeline && rep == 0 && Some(li) == recorded_latency).then_some(tp.at.as_str());
            for (vi, name) in names.iter().enumerate() {
                progress.begin(&format!("{name} latency={lat} ms (repeat {})", rep + 1));
                let ((wall, p50, p99), recorded) = point(p, py.as_ref(), name, (p.limit, lat), record)?;
                timelines.extend(recorded);
                let s = &mut samples[vi][li];
                s.runtime_s.push(wall);
                s.p50_ms.push(p50);
                s.p99_ms.push(p99);
                let f = notes_s(p.tasks, p.limit, lat);
                progress.end(&format!("{} (formula {}, {})", fmt_s(wall), fmt_s(f), fmt_pct(wall / f - 1.0)));
            }
        }
        for (wi, &w) in waves.iter().enumerate() {
            let limit = p.limit_for(w);
            let record = (p.timeline && rep == 0 && Some(wi) == recorded_wave).then_some(tp.at.as_str());
            for (vi, name) in names.iter().enumerate() {
                progress.begin(&format!("{name} {w} waves (limit {limit}) of {} ms", p.wave_latency_ms));
                let ((wall, _, _), recorded) = point(p, py.as_ref(), name, (limit, p.wave_latency_ms), record)?;
                timelines.extend(recorded);
                let excess_ms = (wall - ideal_s(p.tasks, limit, p.wave_latency_ms)) * 1000.0;
                wave_samples[vi][wi].push(excess_ms);
                progress.end(&format!("{} ({excess_ms:+.1} ms over the model)", fmt_s(wall)));
            }
        }
    }

    let mut series = Vec::new();
    for (vi, name) in names.iter().enumerate() {
        let mut runtime = Series::new(name, "latency_ms", "runtime_s");
        let mut vs = Series::new(name, "predicted_s", "measured_s");
        let mut err = Series::new(name, "latency_ms", "error_pct");
        let mut resid = Series::new(name, "latency_ms", "residual_ms");
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
            let rw: Vec<f64> = s.runtime_s.iter().map(|w| (w - ideal) * 1000.0).collect();
            resid.push_samples(x, &rw);
            p50.push_samples(x, &s.p50_ms);
            p99.push_samples(x, &s.p99_ms);
        }
        series.extend([runtime, vs, err, resid, p50, p99]);
        if !waves.is_empty() {
            let mut by_waves = Series::new(name, "waves", "wave_residual_ms");
            for (wi, &w) in waves.iter().enumerate() {
                by_waves.push_samples(w as f64, &wave_samples[vi][wi]);
            }
            if let Some((per_run, per_wave)) = fit(&by_waves.points) {
                progress.note(&format!("{name}: {per_wave:.3} ms per wave, {per_run:.2} ms per run (fit)"));
            }
            series.push(by_waves);
        }
    }
    let mut ideal = Series::new("ideal", "latency_ms", "runtime_s");
    let mut diag = Series::new("ideal", "predicted_s", "measured_s");
    for &lat in &p.latencies_ms {
        ideal.points.push([lat as f64, ideal_s(p.tasks, p.limit, lat)]);
        let f = notes_s(p.tasks, p.limit, lat);
        diag.points.push([f, f]);
    }
    series.extend([ideal, diag]);

    let mut result = common::finish(p, machine, series, super::judge::claims, super::judge::headline)?;
    result.timelines = timelines.into_iter().map(|t| t.condense(&permits::STATES)).collect();
    Ok(result)
}
