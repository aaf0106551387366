//! Question 6: "Memory scales with concurrency — but why exactly?"
//! Bytes per live task: tokio tasks (heap and RSS; a future holding 1 KiB; under glibc malloc and mimalloc), OS
//! threads (resident and reserved), Python asyncio tasks taken apart stage by stage (coroutine, Task, started
//! frame and futures, gather); and 100k jobs bounded three ways, for the peak memory of each.

use crate::error::{LabError, Result};
use crate::params::{in_range, list_in_range, ExperimentParams};
use serde::{Deserialize, Serialize};

/// Parameters of `lab q6`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Params {
    /// Live task counts, each 1 .. 2,000,000, at most 6 values.
    pub tasks: Vec<u64>,
    /// Live OS thread counts, each 1 .. 20,000, at most 4 values.
    pub threads: Vec<u64>,
    /// Jobs for the comparison of three ways to bound them, 1 .. 1,000,000.
    pub jobs: u64,
    /// The bound, 1 .. jobs.
    pub limit: u64,
    /// Python runs the task counts up to this (0: no Python), 0 .. 1,000,000.
    pub python_max_tasks: u64,
    /// Also measure tokio tasks under mimalloc (a `lab` child started with LAB_ALLOCATOR=mimalloc).
    pub mimalloc: bool,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            tasks: vec![1_000, 10_000, 100_000, 1_000_000],
            threads: vec![1_000, 10_000],
            jobs: 100_000,
            limit: 100,
            python_max_tasks: 100_000,
            mimalloc: true,
        }
    }
}

impl ExperimentParams for Params {
    const NAME: &'static str = "q6";

    fn validate(&self) -> Result<()> {
        list_in_range("tasks", &self.tasks, 6, 1, 2_000_000)?;
        list_in_range("threads", &self.threads, 4, 1, 20_000)?;
        in_range("jobs", self.jobs, 1, 1_000_000)?;
        if self.limit < 1 || self.limit > self.jobs {
            return Err(LabError::invalid(format!(
                "limit must be between 1 and jobs ({}); got {}",
                self.jobs, self.limit
            )));
        }
        in_range("python_max_tasks", self.python_max_tasks, 0, 1_000_000)?;
        Ok(())
    }

    fn estimate_s(&self) -> f64 {
        let tasks: f64 = self.tasks.iter().map(|&n| n as f64).sum();
        let threads: f64 = self.threads.iter().map(|&n| n as f64).sum();
        let py: f64 = self.tasks.iter().filter(|&&n| n <= self.python_max_tasks).map(|&n| n as f64).sum();
        let waves = (self.jobs as f64 / self.limit as f64).ceil() * 0.002;
        tasks * 4e-6 * if self.mimalloc { 2.0 } else { 1.0 }
            + threads * 1.2e-4
            + 3.0 * waves
            + if self.python_max_tasks > 0 { py * 3e-5 + 3.0 * waves * 1.5 + 1.0 } else { 0.0 }
    }

    fn estimate_mb(&self) -> f64 {
        let n = self.tasks.iter().copied().max().unwrap_or(0) as f64;
        let py = self.tasks.iter().copied().filter(|&t| t <= self.python_max_tasks).max().unwrap_or(0) as f64;
        // About 1.5 KiB a task with the 1 KiB buffer, 3 KiB a Python task under tracemalloc.
        (n * 1.5 / 1024.0).max(py * 3.0 / 1024.0) + self.jobs as f64 * 0.5 / 1024.0 + 100.0
    }
}

#[cfg(feature = "experiments")]
pub use run::{execute, measure_tasks_here};

#[cfg(feature = "experiments")]
mod run {
    use super::*;
    use crate::experiments::common;
    use crate::measure::alloc;
    use crate::progress::Progress;
    use crate::result::{Claim, LabResult, Series, Verdict};
    use crate::twin;
    use crate::verdict::{fmt_mib, or_not_run};
    use crate::workload::live_tasks::{self, Bound};
    use std::process::{Command, Stdio};

    /// `lab q6-tasks N`: the idle-task measurement alone, in this process, as one JSON line (heap and RSS bytes per
    /// task and the allocator in use). Started with LAB_ALLOCATOR=mimalloc to measure under mimalloc.
    pub fn measure_tasks_here(n: u64) -> Result<String> {
        let per = live_tasks::tokio_tasks(n, false, false)?;
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
        let child = twin::spawn_registered(&mut cmd)?;
        let pid = child.id();
        let out = child.wait_with_output();
        twin::forget(pid);
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
        let py_counts: Vec<u64> =
            p.tasks.iter().copied().filter(|&n| py.is_some() && n <= p.python_max_tasks).collect();
        let steps = p.tasks.len() * (2 + usize::from(p.mimalloc))
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
            for (name, hold, handles) in [("tokio", false, false), ("tokio holding 1 KiB", true, true)] {
                progress.begin(&format!("{n} live {name} tasks"));
                let per = live_tasks::tokio_tasks(n, hold, handles)?;
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
        let kept = live_tasks::tokio_tasks(top, false, true)?;
        series.push(one("tokio (handles kept)", "tasks", "heap_bytes_per_task", top as f64, kept.heap));
        let (idle, holding) = live_tasks::future_sizes();
        series.push(one("future state machine", "tasks", "size_bytes", 0.0, idle as f64));
        series.push(one("future state machine holding 1 KiB", "tasks", "size_bytes", 0.0, holding as f64));

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
            let (heap, rss, wall) = live_tasks::bounded(how, p.jobs, p.limit)?;
            let x = p.jobs as f64;
            series.push(one(name, "jobs", "peak_heap_mb", x, heap / 1048576.0));
            series.push(one(name, "jobs", "peak_rss_mb", x, rss / 1048576.0));
            series.push(one(name, "jobs", "wall_s", x, wall));
            progress.end(&format!("peak heap {:.1} MiB, {wall:.2} s", heap / 1048576.0));
        }
        if let Some(py) = py.as_ref() {
            for &n in &py_counts {
                progress.begin(&format!("{n} live asyncio tasks, stage by stage"));
                let r = twin::run(py, "q6_memory.py", &params, &["--part", "tasks", "--n", &n.to_string()])?;
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
            let r = twin::run(py, "q6_memory.py", &params, &["--part", "bounding"])?;
            progress.end("done");
            series.extend(r.series);
        }
        common::finish(p, machine, series, claims, headline)
    }

    fn headline(p: &Params, r: &LabResult) -> Result<String> {
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

    fn claims(p: &Params, r: &LabResult) -> Result<Vec<Claim>> {
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
        let mut out = vec![Claim {
            id: "6.1".into(),
            claim: "Memory scales with concurrency".into(),
            verdict: Verdict::Confirmed,
            evidence: format!(
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
        }];
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
        for (id, claim, name) in parts {
            out.push(Claim {
                id: id.into(),
                claim: claim.into(),
                verdict: if pyv(name).is_some() { Verdict::Confirmed } else { Verdict::Refined },
                evidence: format!(
                    "Python, measured by tracemalloc at {py_n:.0} tasks: {} bytes a task{}. {}",
                    f(pyv(name)),
                    r.value(name, "object_bytes", py_n)
                        .map(|o| format!(" (sys.getsizeof: {o:.0})"))
                        .unwrap_or_default(),
                    rust_side(id)
                ),
            });
        }
        let parts_sum: Option<f64> = parts.iter().map(|(_, _, name)| pyv(name)).sum();
        let traced = r.value("python", "traced_bytes_per_task", py_n).ok();
        out.push(Claim {
            id: "6.8".into(),
            claim: "All of that sits in memory simultaneously.".into(),
            verdict: Verdict::Confirmed,
            evidence: format!(
                "The parts add up: Python's stages sum to {} bytes a task against {} traced for the whole task, \
                 so every part is alive at once: {} for {py_n:.0} waiting tasks. tokio held {heap:.0} heap bytes \
                 x {n:.0} tasks = {} at once; both are freed only when the tasks finish.",
                f(parts_sum),
                f(traced),
                or_not_run(traced.map(|t| t * py_n / 1048576.0), fmt_mib),
                fmt_mib(heap * n / 1048576.0)
            ),
        });
        out.push(Claim {
            id: "6.9".into(),
            claim: "Memory usage scales with number of live coroutines, not just amount of work.".into(),
            verdict: Verdict::Confirmed,
            evidence: format!(
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
        });
        out.push(Claim {
            id: "6.10".into(),
            claim: "Even if each task “does nothing”, the task itself is an object graph.".into(),
            verdict: Verdict::Refined,
            evidence: format!(
                "A task that does nothing cost {} traced bytes in Python (coroutine, frame, Task, future, timer \
                 handle: a graph of objects). In Rust it is one allocation of {heap:.0} bytes (its resident cost: \
                 {rss:.0} bytes under glibc, {} under mimalloc — glibc rounds and pads aligned blocks).",
                f(r.value("python", "traced_bytes_per_task", py_n).ok()),
                f(mi)
            ),
        });
        for (id, claim, text) in [
            ("6.11", "Limit in-flight requests", "Bounding before spawning is what keeps memory flat"),
            ("6.12", "Use connection pools", "A connection pool bounds connections as a worker pool bounds tasks (notebook 04 measures a server's pool)"),
            ("6.13", "Apply backpressure", "A window that spawns the next job only when one finishes is backpressure"),
        ] {
            out.push(Claim {
                id: id.into(),
                claim: claim.into(),
                verdict: if id == "6.12" { Verdict::Refined } else { Verdict::Confirmed },
                evidence: format!(
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
            });
        }
        Ok(out)
    }
}
