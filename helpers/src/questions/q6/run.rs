//! What `lab q6` measures (the `lab` binary only, behind the `experiments` feature).

use super::*;
use crate::measure::alloc;
use crate::peak::{self, Peak};
use crate::progress::Progress;
use crate::questions::common;
use crate::result::{LabResult, Series};
use crate::twin;
use crate::workload::live_tasks::{self, Bound, Idle};
use std::process::{Command, Stdio};

/// `lab q6-tasks N`: the idle-task measurement alone, in this process, as one JSON line (heap and RSS bytes per
/// task and the allocator in use). Started with LAB_ALLOCATOR=mimalloc to measure under mimalloc.
pub fn measure_tasks_here(n: u64) -> Result<String> {
    let per = live_tasks::tokio_tasks(n, Idle::Pending, false)?;
    Ok(serde_json::json!({"heap": per.heap, "rss": per.rss, "allocator": alloc::allocator_name()}).to_string())
}

fn under_mimalloc(n: u64) -> Result<(f64, f64)> {
    let exe = std::env::current_exe()?;
    let mut cmd = Command::new(exe);
    cmd.args(["q6-tasks", &n.to_string()])
        .env("LAB_ALLOCATOR", "mimalloc")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    let child = crate::process::spawn_registered(&mut cmd)?;
    let pid = child.id();
    let out = child.wait_with_output();
    crate::process::forget(pid);
    let out = out?;
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .map_err(|e| LabError::child(format!("the mimalloc measurement printed no JSON: {e}")))?;
    if v["allocator"] != "mimalloc" {
        return Err(LabError::child("the child did not switch to mimalloc"));
    }
    Ok((v["heap"].as_f64().unwrap_or(0.0), v["rss"].as_f64().unwrap_or(0.0)))
}

fn one(name: &str, x_name: &str, y: &str, x: f64, v: f64) -> Series {
    Series { points: vec![[x, v]], ..Series::new(name, x_name, y) }
}

fn push(series: &mut Vec<Series>, name: &str, x_name: &str, y: &str, x: f64, v: f64) {
    match series.iter_mut().find(|s| s.name == name && s.y == y) {
        Some(s) => s.points.push([x, v]),
        None => series.push(one(name, x_name, y, x, v)),
    }
}

pub fn execute(p: &Params) -> Result<LabResult> {
    let python = p.python_max_tasks > 0;
    let (py, machine) = common::setup(python)?;
    let params = common::params_json(p)?;
    let py_counts: Vec<u64> = p.tasks.iter().copied().filter(|&n| py.is_some() && n <= p.python_max_tasks).collect();
    let steps = p.tasks.len() * (3 + usize::from(p.mimalloc))
        + p.threads.len() * 2
        + 3
        + py_counts.len()
        + usize::from(py.is_some());
    let mut progress = Progress::new("q6", steps);
    progress.note(&format!(
        "live tasks {:?}, threads {:?}, {} jobs bounded by {}; about {:.0} s, {:.0} MiB at the peak",
        p.tasks,
        p.threads,
        p.jobs,
        p.limit,
        p.estimate_s(),
        p.estimate_mb()
    ));
    let mut series = Vec::new();
    for &n in &p.tasks {
        let x = n as f64;
        // `tokio` is the smallest possible task (it awaits `pending()`); `tokio sleeping` awaits a timer, as the
        // asyncio tasks it is compared with do.
        for (name, kind, handles) in [
            ("tokio", Idle::Pending, false),
            (SLEEPER, Idle::Sleeping, false),
            ("tokio holding 1 KiB", Idle::Holding, true),
        ] {
            progress.begin(&format!("{n} live {name} tasks"));
            // Allocations counted around the whole call: the runtime's own few hundred fade at large counts.
            let allocs0 = alloc::allocations();
            let per = live_tasks::tokio_tasks(n, kind, handles)?;
            let allocs = alloc::allocations().saturating_sub(allocs0) as f64 / x;
            push(&mut series, name, "tasks", "allocations_per_task", x, allocs);
            push(&mut series, name, "tasks", "heap_bytes_per_task", x, per.heap);
            push(&mut series, name, "tasks", "rss_bytes_per_task", x, per.rss);
            push(&mut series, name, "tasks", "rss_mb", x, per.rss * x / 1048576.0);
            progress.end(&format!("{:.0} heap bytes, {:.0} resident bytes a task", per.heap, per.rss));
        }
        if p.mimalloc {
            progress.begin(&format!("{n} live tokio tasks under mimalloc"));
            let (heap, rss) = under_mimalloc(n)?;
            push(&mut series, "tokio mimalloc", "tasks", "heap_bytes_per_task", x, heap);
            push(&mut series, "tokio mimalloc", "tasks", "rss_bytes_per_task", x, rss);
            push(&mut series, "tokio mimalloc", "tasks", "rss_mb", x, rss * x / 1048576.0);
            progress.end(&format!("{heap:.0} heap bytes, {rss:.0} resident bytes a task"));
        }
    }
    // The harness against a bare spawn loop: tasks whose JoinHandles are kept vs dropped, same run.
    let top = p.tasks.iter().copied().max().unwrap_or(1);
    let kept = live_tasks::tokio_tasks(top, Idle::Pending, true)?;
    series.push(one("tokio (handles kept)", "tasks", "heap_bytes_per_task", top as f64, kept.heap));
    for (name, kind) in [
        ("future state machine", Idle::Pending),
        (SLEEPER_FUTURE, Idle::Sleeping),
        ("future state machine holding 1 KiB", Idle::Holding),
    ] {
        series.push(one(name, "tasks", "size_bytes", 0.0, live_tasks::future_size(kind) as f64));
    }

    for &n in &p.threads {
        let x = n as f64;
        for (name, stack) in [("threads", None), ("threads 64 KiB stack", Some(64 * 1024))] {
            progress.begin(&format!("{n} idle {name}"));
            let per = live_tasks::threads(n, stack)?;
            push(&mut series, name, "tasks", "rss_bytes_per_task", x, per.rss);
            push(&mut series, name, "tasks", "virtual_bytes_per_task", x, per.virt);
            push(&mut series, name, "tasks", "rss_mb", x, per.rss * x / 1048576.0);
            progress.end(&format!("{:.0} resident, {:.0} KiB reserved a thread", per.rss, per.virt / 1024.0));
        }
    }
    for (name, how) in [
        ("tokio spawn all", Bound::SpawnAll),
        ("tokio worker pool", Bound::WorkerPool),
        ("tokio window", Bound::Window),
    ] {
        progress.begin(&format!("{} jobs, {name}", p.jobs));
        let b = live_tasks::bounded(how, p.jobs, p.limit)?;
        let (x, rss) = (p.jobs as f64, b.peak_rss_bytes / 1048576.0);
        series.push(one(name, "jobs", "peak_heap_mb", x, b.peak_heap_bytes / 1048576.0));
        series.push(one(name, "jobs", "peak_rss_mb", x, rss));
        // Where the kernel refused the reset, the RSS peak is the process's lifetime peak: recorded, and said.
        series.push(one(name, "jobs", peak::SERIES, x, Peak::value(b.peak_reset)));
        series.push(one(name, "jobs", "wall_s", x, b.wall_s));
        progress.end(&format!(
            "peak heap {:.1} MiB, RSS above the start: {}, {:.2} s",
            b.peak_heap_bytes / 1048576.0,
            Peak::of(b.peak_reset).progress(rss),
            b.wall_s
        ));
    }
    if let Some(py) = py.as_ref() {
        for &n in &py_counts {
            progress.begin(&format!("{n} live asyncio tasks, stage by stage"));
            let r = twin::run(py, TWIN, &params, &["--part", "tasks", "--n", &n.to_string()])?;
            progress.end(&format!(
                "{:.0} traced bytes, {:.0} resident bytes a task",
                r.value("python", "traced_bytes_per_task", n as f64).unwrap_or(0.0),
                r.value("python", "rss_bytes_per_task", n as f64).unwrap_or(0.0)
            ));
            for s in r.series {
                for pt in &s.points {
                    push(&mut series, &s.name, &s.x, &s.y, pt[0], pt[1]);
                }
            }
        }
        progress.begin(&format!("{} jobs bounded three ways in asyncio", p.jobs));
        let r = twin::run(py, TWIN, &params, &["--part", "bounding"])?;
        progress.end("done");
        series.extend(r.series);
    }
    common::finish(p, machine, series, super::judge::claims, super::judge::headline)
}
