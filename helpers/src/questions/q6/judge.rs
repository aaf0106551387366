//! Question 6's claims and headline: a pure function of a result (its params and series).

use super::*;
use crate::result::{Claim, LabResult, Verdict};
use crate::units::{fmt_mib, or_not_run};

pub fn headline(p: &Params, r: &LabResult) -> Result<String> {
    let n = p.tasks.iter().copied().max().unwrap_or(1) as f64;
    let py_n = p.tasks.iter().copied().filter(|&t| t <= p.python_max_tasks).max().unwrap_or(0) as f64;
    Ok(format!(
        "a live tokio task: {:.0} heap / {:.0} resident bytes (at {n:.0}); an asyncio task: {} resident bytes (at {py_n:.0}); \
         an idle thread: {} resident bytes",
        r.value("tokio", "heap_bytes_per_task", n)?,
        r.value("tokio", "rss_bytes_per_task", n)?,
        r.value("python", "rss_bytes_per_task", py_n).map_or("n/a".into(), |v| format!("{v:.0}")),
        r.series("threads", "rss_bytes_per_task").and_then(|s| s.points.last()).map_or("n/a".into(), |p| format!("{:.0}", p[1]))
    ))
}

pub fn claims(p: &Params, r: &LabResult) -> Result<Vec<Claim>> {
    let n = p.tasks.iter().copied().max().unwrap_or(1) as f64;
    let lo = p.tasks.iter().copied().min().unwrap_or(1) as f64;
    let py_n = p.tasks.iter().copied().filter(|&t| t <= p.python_max_tasks).max().unwrap_or(0) as f64;
    let v = |name: &str, y: &str, x: f64| r.value(name, y, x);
    let pyv = |name: &str| r.value(name, "bytes_per_task", py_n).ok();
    let f = |o: Option<f64>| or_not_run(o, |x| format!("{x:.0}"));
    let heap = v("tokio", "heap_bytes_per_task", n)?;
    let rss = v("tokio", "rss_bytes_per_task", n)?;
    let idle = v("future state machine", "size_bytes", 0.0)?;
    let holding = v("future state machine holding 1 KiB", "size_bytes", 0.0)?;
    let hold_heap = v("tokio holding 1 KiB", "heap_bytes_per_task", n)?;
    let mi = v("tokio mimalloc", "rss_bytes_per_task", n).ok();
    let kept = v("tokio (handles kept)", "heap_bytes_per_task", n)?;
    let peak = |name: &str| r.value(name, "peak_heap_mb", p.jobs as f64).ok();
    let pypeak = |name: &str| r.value(name, "peak_traced_mb", p.jobs as f64).ok();
    let fm = |o: Option<f64>| or_not_run(o, |x| format!("{x:.1}"));
    let fk = |o: Option<f64>| or_not_run(o, fmt_mib);
    let mut out = vec![Claim::new(
        "6.1",
        Verdict::Confirmed,
        format!(
            "Resident memory grew in step with live tasks: {} MiB for {lo:.0} tokio tasks, {} MiB for {n:.0}; \
             Python {} MiB for {py_n:.0}; threads {} MiB for {}.",
            fm(v("tokio", "rss_mb", lo).ok()),
            fm(v("tokio", "rss_mb", n).ok()),
            fm(v("python", "rss_mb", py_n).ok()),
            fm(r.series("threads", "rss_mb").and_then(|s| s.points.last()).map(|p| p[1])),
            r.series("threads", "rss_mb")
                .and_then(|s| s.points.last())
                .map_or("n/a".into(), |p| format!("{:.0}", p[0]))
        ),
    )?];
    let parts: [(&str, &str, &str); 6] = [
        ("6.2", "A coroutine object", "python coroutine"),
        ("6.3", "A Task wrapper", "python Task"),
        ("6.4", "Stack frames", "python frame"),
        ("6.5", "Future objects", "python futures"),
        ("6.6", "References in gather", "python gather"),
        ("6.7", "Internal state for scheduling", "python scheduling"),
    ];
    let rust_side = |id: &str| -> String {
        match id {
            "6.2" => format!("In Rust the coroutine is the future: a state machine of {idle:.0} bytes here, stored inside the task."),
            "6.3" => format!("A tokio task wraps it in one allocation: {heap:.0} heap bytes per task in all."),
            "6.4" => format!(
                "Rust keeps no frames per task: locals held across an await live in the state machine — {holding:.0} \
                 bytes with a 1 KiB buffer, {hold_heap:.0} heap bytes a task."
            ),
            "6.5" => "A Rust future is not a separate object: awaiting composes state machines inside the task.".into(),
            "6.6" => format!("Keeping a JoinHandle per task, as gather keeps references: {kept:.0} heap bytes a task against {heap:.0}."),
            _ => format!(
                "tokio's header (state, scheduler links, waker vtable) is the task's size beyond its {idle:.0}-byte \
                 future: about {:.0} bytes.",
                heap - idle
            ),
        }
    };
    for (id, _claim, name) in parts {
        out.push(Claim::new(
            id,
            if pyv(name).is_some() { Verdict::Confirmed } else { Verdict::Refined },
            format!(
                "Python, measured by tracemalloc at {py_n:.0} tasks: {} bytes a task{}. {}",
                f(pyv(name)),
                r.value(name, "object_bytes", py_n).map(|o| format!(" (sys.getsizeof: {o:.0})")).unwrap_or_default(),
                rust_side(id)
            ),
        )?);
    }
    let parts_sum: Option<f64> = parts.iter().map(|(_, _, name)| pyv(name)).sum();
    let traced = r.value("python", "traced_bytes_per_task", py_n).ok();
    out.push(Claim::new(
        "6.8",
        Verdict::Confirmed,
        format!(
            "The parts add up: Python's stages sum to {} bytes a task against {} traced for the whole task, \
             so every part is alive at once: {} for {py_n:.0} waiting tasks. tokio held {heap:.0} heap bytes \
             x {n:.0} tasks = {} at once; both are freed only when the tasks finish.",
            f(parts_sum),
            f(traced),
            or_not_run(traced.map(|t| t * py_n / 1048576.0), fmt_mib),
            fmt_mib(heap * n / 1048576.0)
        ),
    )?);
    out.push(Claim::new(
        "6.9",
        Verdict::Confirmed,
        format!(
            "The same {} jobs, {} at a time: spawning them all (each waiting for a permit) peaked at {} of heap \
             in tokio, a worker pool of {} at {}, a window of {} at {}; Python {} / {} / {} traced.",
            p.jobs,
            p.limit,
            fk(peak("tokio spawn all")),
            p.limit,
            fk(peak("tokio worker pool")),
            p.limit,
            fk(peak("tokio window")),
            fk(pypeak("python gather all")),
            fk(pypeak("python worker pool")),
            fk(pypeak("python window"))
        ),
    )?);
    out.push(Claim::new(
        "6.10",
        Verdict::Refined,
        format!(
            "A task that does nothing cost {} traced bytes in Python (coroutine, frame, Task, future, timer \
             handle: a graph of objects). In Rust it is one allocation of {heap:.0} bytes (its resident cost: \
             {rss:.0} bytes under glibc, {} under mimalloc — glibc rounds and pads aligned blocks).",
            f(r.value("python", "traced_bytes_per_task", py_n).ok()),
            f(mi)
        ),
    )?);
    for (id, _claim, text) in [
        ("6.11", "Limit in-flight requests", "Bounding before spawning is what keeps memory flat"),
        (
            "6.12",
            "Use connection pools",
            "A connection pool bounds connections as a worker pool bounds tasks (notebook 04 measures a server's pool)",
        ),
        ("6.13", "Apply backpressure", "A window that spawns the next job only when one finishes is backpressure"),
    ] {
        out.push(Claim::new(
            id,
            if id == "6.12" { Verdict::Refined } else { Verdict::Confirmed },
            format!(
                "{text}: {} jobs peaked at {} of heap spawned all at once and {} through a pool of {}, {} \
                 through a window (tokio); Python {} vs {}.",
                p.jobs,
                fk(peak("tokio spawn all")),
                fk(peak("tokio worker pool")),
                p.limit,
                fk(peak("tokio window")),
                fk(pypeak("python gather all")),
                fk(pypeak("python worker pool"))
            ),
        )?);
    }
    Ok(out)
}
