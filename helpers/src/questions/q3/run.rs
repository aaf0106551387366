//! What `lab q3` measures (the `lab` binary only, behind the `experiments` feature).

use super::*;
use crate::measure::record::Recorder;
use crate::peak::{self, Peak};
use crate::progress::Progress;
use crate::questions::{common, permits};
use crate::result::{LabResult, Series};
use crate::timeline::Timeline;
use crate::twin;
use crate::units::{fmt_ratio, fmt_s};
use crate::workload::{scheduling, sleepers};
use std::time::Duration;

const MB: f64 = 1024.0 * 1024.0;

/// One variant's samples at one limit.
#[derive(Default, Clone)]
struct Samples {
    runtime_s: Vec<f64>,
    cpu_busy: Vec<f64>,
    peak_rss_mb: Vec<f64>,
    /// Whether each run's peak was reset first (false: the kernel refused, a lifetime peak).
    peak_reset: Vec<bool>,
    /// Memory per task while all N are alive: heap bytes in tokio, RSS growth in asyncio; none for threads.
    task_bytes: Vec<f64>,
}

/// Runs the experiment in this process (the `lab` binary); progress goes to stderr.
pub fn execute(p: &Params) -> Result<LabResult> {
    let (py, machine) = common::setup(p.python)?;
    let names: Vec<&str> = if py.is_some() { vec!["tokio", "threads", "python"] } else { vec!["tokio", "threads"] };
    let overhead_steps = if p.overhead_tasks > 0 { 4 + usize::from(py.is_some()) } else { 0 };
    // Python's thread pool runs once a repeat, at the reference limit only.
    let pool_steps = if py.is_some() { p.repeats as usize } else { 0 };
    let mut progress =
        Progress::new("q3", p.repeats as usize * p.limits.len() * names.len() + pool_steps + overhead_steps);
    progress.note(&format!(
        "{} tasks x {} ms at limits {:?}, {} repeat(s); about {:.0} s",
        p.tasks,
        p.latency_ms,
        p.limits,
        p.repeats,
        p.estimate_s()
    ));

    let latency = Duration::from_millis(p.latency_ms);
    let mut samples = vec![vec![Samples::default(); p.limits.len()]; names.len()];
    // Timelines are recorded at one run per variant, chosen before any runs: the reference limit's first.
    let recorded = p.limits.iter().position(|&l| l == reference_limit(&p.limits));
    let at = timeline_at(p);
    let mut timelines = Vec::new();
    let mut pool_runtimes = Vec::new();
    // Interleave variants (A B C A B C) so that drift in the machine's speed hits all alike.
    for rep in 0..p.repeats {
        for (li, &limit) in p.limits.iter().enumerate() {
            let record = p.timeline && rep == 0 && Some(li) == recorded;
            for (vi, name) in names.iter().enumerate() {
                progress.begin(&format!("{name} limit={limit} (repeat {})", rep + 1));
                // Every run gets a recorder, allocated here (outside what is measured); an off one stores nothing.
                let rec = Recorder::new_if(record, p.tasks as usize, &sleepers::INSTANTS);
                let (wall, busy, (rss, reset), per_task) = match *name {
                    "tokio" => {
                        let r = sleepers::tokio_gated(p.tasks as usize, limit as usize, latency, p.runtime, rec)?;
                        let per_task = r.alive_heap_bytes as f64 / p.tasks as f64;
                        let peak = (r.peak_rss_bytes as f64 / MB, r.peak_reset);
                        if record {
                            timelines.push(r.recorder.timeline(name, &at, "tasks", ""));
                        }
                        (r.section.wall_s, r.section.cores_busy(), peak, Some(per_task))
                    }
                    "threads" => {
                        let r = sleepers::thread_pool(p.tasks as usize, limit as usize, latency, rec)?;
                        if record {
                            timelines.push(r.recorder.timeline(name, &at, "tasks", "thread"));
                        }
                        (r.section.wall_s, r.section.cores_busy(), (r.peak_rss_bytes as f64 / MB, r.peak_reset), None)
                    }
                    _ => {
                        let (point, recorded) = python_point(py.as_ref(), p, limit, record.then_some(at.as_str()))?;
                        timelines.extend(recorded);
                        point
                    }
                };
                let s = &mut samples[vi][li];
                s.runtime_s.push(wall);
                s.cpu_busy.push(busy);
                s.peak_rss_mb.push(rss);
                s.peak_reset.push(reset);
                s.task_bytes.extend(per_task);
                let ideal = ideal_s(p.tasks, limit, p.latency_ms);
                progress.end(&format!(
                    "{} ({} ideal), {}",
                    fmt_s(wall),
                    fmt_ratio(wall / ideal),
                    Peak::of(reset).progress(rss)
                ));
            }
            if let (Some(py), true) = (py.as_ref(), Some(li) == recorded) {
                progress.begin(&format!("python threads limit={limit} (repeat {})", rep + 1));
                let wall = python_threads(py, p, limit)?;
                pool_runtimes.push(wall);
                let ideal = ideal_s(p.tasks, limit, p.latency_ms);
                progress.end(&format!("{} ({} ideal)", fmt_s(wall), fmt_ratio(wall / ideal)));
            }
        }
    }

    let mut series = Vec::new();
    for (vi, name) in names.iter().enumerate() {
        let mut runtime = Series::new(name, "limit", "runtime_s");
        let mut eff = Series::new(name, "limit", "efficiency");
        let mut busy = Series::new(name, "limit", "cpu_busy");
        let mut rss = Series::new(name, "limit", "peak_rss_mb");
        let mut reset = Series::new(name, "limit", peak::SERIES);
        let mut alive = Series::new(name, "limit", if *name == "tokio" { "task_heap_bytes" } else { "task_rss_bytes" });
        for (li, &limit) in p.limits.iter().enumerate() {
            let s = &samples[vi][li];
            let x = limit as f64;
            let ideal = ideal_s(p.tasks, limit, p.latency_ms);
            runtime.push_samples(x, &s.runtime_s);
            let effs: Vec<f64> = s.runtime_s.iter().map(|w| ideal / w).collect();
            eff.push_samples(x, &effs);
            busy.push_samples(x, &s.cpu_busy);
            rss.push_samples(x, &s.peak_rss_mb);
            // One point for the repeats: 0 when the kernel refused any of their resets.
            reset.points.push([x, Peak::value(s.peak_reset.iter().all(|&b| b))]);
            if !s.task_bytes.is_empty() {
                alive.push_samples(x, &s.task_bytes);
            }
        }
        series.extend([runtime, eff, busy, rss, reset]);
        if !alive.points.is_empty() {
            series.push(alive);
        }
    }
    if !pool_runtimes.is_empty() {
        let mut pool = Series::new(PYTHON_THREADS, "limit", "runtime_s");
        pool.push_samples(reference_limit(&p.limits) as f64, &pool_runtimes);
        series.push(pool);
    }
    let mut ideal = Series::new("ideal", "limit", "runtime_s");
    for &l in &p.limits {
        ideal.points.push([l as f64, ideal_s(p.tasks, l, p.latency_ms)]);
    }
    series.push(ideal);

    if p.overhead_tasks > 0 {
        series.extend(overhead(p, py.as_ref(), &mut progress)?);
    }

    let mut result = common::finish(p, machine, series, super::judge::claims, super::judge::headline)?;
    result.timelines = timelines.into_iter().map(|t| t.condense(&permits::STATES)).collect();
    Ok(result)
}

/// The twin's run at `limit`: wall s, cores busy, (peak RSS MiB, whether it was reset), RSS growth per task.
type Point = (f64, f64, (f64, bool), Option<f64>);

/// The twin's point at `limit`, and its timeline when `record_at` says where it is recorded.
fn python_point(
    py: Option<&twin::Python>,
    p: &Params,
    limit: u64,
    record_at: Option<&str>,
) -> Result<(Point, Vec<Timeline>)> {
    let py = py.ok_or_else(|| LabError::other("python twin requested without Python"))?;
    let params = common::params_json(p)?;
    let limit_arg = limit.to_string();
    let mut args = vec!["--part", "runtime", "--limit", &limit_arg];
    args.extend(record_at.map(|at| ["--timeline", at]).into_iter().flatten());
    let r = twin::run(py, TWIN, &params, &args)?;
    let x = limit as f64;
    let point = (
        r.value("python", "runtime_s", x)?,
        r.value("python", "cpu_busy", x)?,
        (r.value("python", "peak_rss_mb", x)?, r.value("python", peak::SERIES, x)? >= 0.5),
        Some(r.value("python", "task_rss_bytes", x)?),
    );
    Ok((point, r.timelines))
}

/// The twin's N sleeps on a `ThreadPoolExecutor` of `limit` threads (Python's OS threads, the control beside
/// asyncio): its wall s.
fn python_threads(py: &twin::Python, p: &Params, limit: u64) -> Result<f64> {
    let params = common::params_json(p)?;
    let limit_arg = limit.to_string();
    let r = twin::run(py, TWIN, &params, &["--part", "threads", "--limit", &limit_arg])?;
    r.value(PYTHON_THREADS, "runtime_s", limit as f64)
}

/// Hand-offs are timed this many times and the fastest kept: a hand-off takes microseconds, so one preemption by
/// another process in the middle of a try would otherwise decide the number.
const HAND_OFF_TRIES: usize = 3;

fn best_of(mut f: impl FnMut() -> Result<f64>) -> Result<f64> {
    let mut best = f64::INFINITY;
    for _ in 0..HAND_OFF_TRIES {
        best = best.min(f()?);
    }
    Ok(best)
}

fn overhead(p: &Params, py: Option<&twin::Python>, progress: &mut Progress) -> Result<Vec<Series>> {
    let n = p.overhead_tasks as usize;
    let x = n as f64;
    let point = |name: &str, y: &str, v: f64| Series { points: vec![[x, v]], ..Series::new(name, "tasks", y) };
    let mut out = Vec::new();
    progress.begin(&format!("tokio spawn+join of {n} empty tasks"));
    let v = scheduling::tokio_spawn_us(n, p.runtime)?;
    progress.end(&format!("{v:.2} µs/task"));
    out.push(point("tokio", "spawn_us", v));
    progress.begin(&format!("thread spawn+join of {n} empty threads"));
    let v = scheduling::thread_spawn_us(n, 100)?;
    progress.end(&format!("{v:.2} µs/thread"));
    out.push(point("threads", "spawn_us", v));
    progress.begin(&format!("tokio task-to-task hand-off x {}, best of {HAND_OFF_TRIES}", 2 * n));
    let v = best_of(|| scheduling::tokio_switch_us(n))?;
    progress.end(&format!("{v:.3} µs/hand-off"));
    out.push(point("tokio", "switch_us", v));
    progress.begin(&format!("thread-to-thread hand-off x {}, best of {HAND_OFF_TRIES}", 2 * n));
    let v = best_of(|| scheduling::thread_switch_us(n))?;
    progress.end(&format!("{v:.2} µs/hand-off"));
    out.push(point("threads", "switch_us", v));
    if let Some(py) = py {
        progress.begin(&format!("asyncio tasks and Python threads: spawn and hand-offs, {n} each"));
        let params = common::params_json(p)?;
        let r = twin::run(py, TWIN, &params, &["--part", "overhead"])?;
        let spawn = r.value("python", "spawn_us", x)?;
        let switch = r.value("python", "switch_us", x)?;
        // Python's own OS threads, for the claim that compares async with threads in each language.
        let thread_spawn = r.value("python", "thread_spawn_us", x)?;
        let thread_switch = r.value("python", "thread_switch_us", x)?;
        progress.end(&format!(
            "{spawn:.2} µs/task, {switch:.2} µs/hand-off; threading: {thread_spawn:.2} µs/thread, \
             {thread_switch:.2} µs/hand-off"
        ));
        out.push(point("python", "spawn_us", spawn));
        out.push(point("python", "switch_us", switch));
        out.push(point("python", "thread_spawn_us", thread_spawn));
        out.push(point("python", "thread_switch_us", thread_switch));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small(timeline: bool) -> Params {
        let limits = vec![5, 10];
        Params { tasks: 20, latency_ms: 2, limits, python: false, overhead_tasks: 0, timeline, ..Params::default() }
    }

    #[test]
    fn timeline_false_records_nothing_and_true_records_one_run_per_variant() {
        assert!(execute(&small(false)).unwrap().timelines.is_empty());
        let r = execute(&Params { repeats: 2, ..small(true) }).unwrap();
        let names: Vec<&str> = r.timelines.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["tokio", "threads"], "one each: the reference limit's first repeat");
        for t in &r.timelines {
            assert_eq!((t.at.as_str(), t.total, t.spans.len()), ("limit 10, repeat 1", 20, 20));
            assert_eq!(t.counts[0].max(), 10.0, "{}: {:?}", t.name, t.counts[0].points);
        }
        assert_eq!(r.timelines[1].lanes.len(), 10, "a lane per thread of the pool");
    }
}
