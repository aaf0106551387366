//! Question 2's claims and headline: a pure function of a result (its params and series).

use super::*;
use crate::judging::legacy::{above, below};
use crate::judging::python;
use crate::result::{Claim, Finding, LabResult, Verdict};
use crate::units::{fmt_ms, fmt_ratio};

pub fn headline(p: &Params, r: &LabResult) -> Result<String> {
    let w = p.workers.iter().copied().max().unwrap_or(1) as f64;
    let mut parts = Vec::new();
    for name in ["threads", "gil model", "processes", "python threads", "python processes"] {
        if let Ok(v) = r.value(name, "speedup", w) {
            parts.push(format!("{name} {v:.2}x"));
        }
    }
    Ok(format!(
        "{} jobs x {} ms on {} workers ({}): {}",
        p.jobs,
        p.job_ms,
        w,
        r.machine.cores_label(),
        parts.join(", ")
    ))
}

pub fn claims(p: &Params, r: &LabResult) -> Result<Vec<Claim>> {
    Ok(vec![rule_2_1(p, r)?, rule_2_2(p, r)?, rule_2_3(p, r)?, rule_2_4(p, r)?, rule_2_5(p, r)?])
}

/// A pool scales when it keeps most of the cores it can use busy: cores busy (CPU time / wall time) above this
/// share of min(workers, cores) ...
const SCALES: f64 = 0.7;
/// ... and above this many cores: one core, a shared knife, plus a margin for the pool's own threads.
const ONE_KNIFE: f64 = 1.3;
/// A process costs more memory than a thread when its resident KiB are this many times a thread's.
const MORE_MEMORY: f64 = 4.0;
/// IPC costs when a round trip through a worker process takes this many times one through a thread.
const IPC_OVERHEAD: f64 = 10.0;
/// Serialization is an overhead that matters when serializing and parsing there and back is this share of the
/// round trip.
const SERIALIZATION_SHARE: f64 = 0.25;

fn fmt_cores(v: f64) -> String {
    format!("{v:.2}")
}

fn fmt_kib(v: f64) -> String {
    format!("{v:.0} KiB")
}

/// Rust's finding from a rule, or "not measured" when the result lacks a series it needs (an older result).
fn rust(rule: impl FnOnce() -> Result<Finding>) -> Finding {
    rule().unwrap_or_else(|e| Finding::not_measured(format!("Not in this result: {}.", e.message)))
}

/// The pool size the scaling claims are judged at: the largest that fits the cores (or the largest there is).
fn fitting_workers(p: &Params, r: &LabResult) -> f64 {
    let cores = r.machine.cores as f64;
    let fits = p.workers.iter().copied().filter(|&w| w as f64 <= cores).max();
    fits.or(p.workers.iter().copied().max()).unwrap_or(1) as f64
}

fn largest_workers(p: &Params) -> f64 {
    p.workers.iter().copied().max().unwrap_or(1) as f64
}

/// What "this Python" is, from the machine record: the GIL is named only as context, never assumed.
fn gil_note(r: &LabResult) -> &'static str {
    match r.machine.python_gil {
        Some(true) => "This Python has a GIL (python_gil: true): one thread runs Python bytecode at a time.",
        Some(false) => "This Python is free-threaded (python_gil: false): its threads may run bytecode at once.",
        None => "",
    }
}

/// Process pool vs thread pool at `w` workers: first whether the processes used the cores (if not, nothing could
/// scale on this run and the contrast cannot show), then whether the threads stayed below the same line.
fn contrast(lang: &str, w: f64, cores: f64, threads: f64, processes: f64, because: [&str; 2]) -> Finding {
    let line = (SCALES * w.min(cores)).max(ONE_KNIFE);
    let procs = above(&format!("{lang} processes' cores busy at {w:.0} workers"), processes, line, fmt_cores);
    if !procs.holds {
        return procs.decide(
            Verdict::Confirmed,
            Verdict::Refined,
            "",
            "The process pool did not scale on this run either, so it cannot show the contrast the claim draws: \
             that needs free cores.",
        );
    }
    let thr = below(&format!("{lang} threads' cores busy"), threads, line, fmt_cores);
    procs.and(thr).decide(Verdict::Confirmed, Verdict::Contradicted, because[0], because[1])
}

/// 2.1: a process pool scales for CPU work, a thread pool does not. Both languages have both pools: judged on
/// each one's cores busy at the largest pool that fits the cores.
fn rule_2_1(p: &Params, r: &LabResult) -> Result<Claim> {
    let (w, cores) = (fitting_workers(p, r), r.machine.cores as f64);
    let rust = rust(|| {
        let (thr, procs) = (r.value("threads", "cores_busy", w)?, r.value("processes", "cores_busy", w)?);
        let gil = r.value("gil model", "cores_busy", w).map_or("not run".into(), fmt_cores);
        Ok(contrast(
            "Rust",
            w,
            cores,
            thr,
            procs,
            [
                "Rust's threads took turns here, as Python's do under a GIL.",
                "In Rust a thread pool scales like a process pool: nothing makes its threads take turns.",
            ],
        )
        .then(format!(
            "Rust threads made to hold one lock while they compute (a model of the GIL) kept {gil} cores busy."
        )))
    });
    let python = python(r, || {
        let thr = r.value("python threads", "cores_busy", w)?;
        let procs = r.value("python processes", "cores_busy", w)?;
        Ok(contrast(
            "Python",
            w,
            cores,
            thr,
            procs,
            [
                "ProcessPoolExecutor used the cores; ThreadPoolExecutor did not.",
                "ThreadPoolExecutor used the cores as ProcessPoolExecutor did.",
            ],
        )
        .then(gil_note(r)))
    });
    Claim::new("2.1", rust, python)
}

/// 2.2: eight chefs share one knife. The shared knife is the GIL: at the largest pool, Python's threads keep at
/// most about one core busy, while the other kitchen (processes) uses more than one. Rust has no GIL.
fn rule_2_2(p: &Params, r: &LabResult) -> Result<Claim> {
    let w = largest_workers(p);
    let python = python(r, || {
        let thr = below(
            &format!("Python threads' cores busy at {w:.0} workers"),
            r.value("python threads", "cores_busy", w)?,
            ONE_KNIFE,
            fmt_cores,
        );
        if !thr.holds {
            return Ok(thr
                .decide(
                    Verdict::Confirmed,
                    Verdict::Contradicted,
                    "",
                    "More than one of these chefs cut at once: the threads did not share one knife.",
                )
                .then(gil_note(r)));
        }
        let procs =
            above("Python processes' cores busy", r.value("python processes", "cores_busy", w)?, ONE_KNIFE, fmt_cores);
        Ok(thr
            .and(procs)
            .decide(
                Verdict::Confirmed,
                Verdict::Refined,
                "One knife for the threads; the processes' kitchen used more than one.",
                "The threads shared one knife, but the processes did not use more than one either on this run, so \
                 the other kitchen cannot show here.",
            )
            .then(gil_note(r)))
    });
    let rust = Finding::does_not_apply(format!(
        "The shared knife is the GIL, and Rust has none: its threads have a knife each ({} cores busy at {w:.0} \
         workers, {}x a plain loop). Rust threads made to hold one lock while they compute (a model of the GIL) \
         kept {} cores busy.",
        r.value("threads", "cores_busy", w).map_or("not run".into(), fmt_cores),
        r.value("threads", "speedup", w).map_or("not run".into(), |v| format!("{v:.2}")),
        r.value("gil model", "cores_busy", w).map_or("not run".into(), fmt_cores),
    ));
    Claim::new("2.2", rust, python)
}

/// How a worker process's memory was measured: its own pages (USS, from smaps_rollup), or only its RSS, which
/// also counts the pages it shares with its parent and siblings (an upper bound on what it adds).
enum ProcessMemory {
    Uss {
        uss: f64,
        pss: f64,
        rss: f64,
    },
    /// RSS only, and why: smaps_rollup unreadable on this run, or a result from before USS was recorded.
    Rss {
        rss: f64,
        why: String,
    },
}

/// The memory of series `name`'s worker processes at `w` workers.
fn process_memory(r: &LabResult, name: &str, w: f64) -> Result<ProcessMemory> {
    let rss = r.value(name, "kb_per_worker", w)?;
    if let (Ok(uss), Ok(pss)) = (r.value(name, "uss_kb_per_worker", w), r.value(name, "pss_kb_per_worker", w)) {
        return Ok(ProcessMemory::Uss { uss, pss, rss });
    }
    let why = match r.value(name, "smaps_rollup_read", w) {
        Ok(_) => "its smaps_rollup could not be read on this run (smaps_rollup_read 0; the run's progress line says \
                  why)"
            .to_string(),
        Err(_) => "this result predates USS".to_string(),
    };
    Ok(ProcessMemory::Rss { rss, why })
}

/// A worker process's own KiB (USS) against a thread's, as a ratio with the line (a thread counted as >= 1 KiB).
/// Where only RSS was measured, an RSS below the line still contradicts (USS <= RSS), but one above it cannot
/// confirm: the shared pages in it may be what crossed the line, so the verdict is refined.
fn memory_finding(lang: &str, process: ProcessMemory, thread_kib: f64) -> Finding {
    let thread = thread_kib.max(1.0);
    match process {
        ProcessMemory::Uss { uss, pss, rss } => above(
            &format!("{lang}: a worker process's own memory (USS) {} / a thread's {} =", fmt_kib(uss), fmt_kib(thread)),
            uss / thread,
            MORE_MEMORY,
            fmt_ratio,
        )
        .decide(
            Verdict::Confirmed,
            Verdict::Contradicted,
            "A process carries its own heap, stacks and runtime data; a thread only the stack it touches.",
            "A worker process's own pages cost about as much as a thread here.",
        )
        .then(format!(
            "Its RSS was {} and its PSS {}: RSS also counts the pages it shares with its parent and the other \
             workers (code, libraries, copy-on-write data), PSS charges each of those to its sharers in equal parts.",
            fmt_kib(rss),
            fmt_kib(pss)
        )),
        ProcessMemory::Rss { rss, why } => above(
            &format!(
                "{lang}: a worker process's resident memory (RSS, not USS: {why}) {} / a thread's {} =",
                fmt_kib(rss),
                fmt_kib(thread)
            ),
            rss / thread,
            MORE_MEMORY,
            fmt_ratio,
        )
        .decide(
            Verdict::Refined,
            Verdict::Contradicted,
            "RSS counts the pages the worker shares with its parent in full, so it overstates what a process adds: \
             how much of it is the worker's own was not measured.",
            "Even its RSS, which also counts shared pages, was about a thread's.",
        ),
    }
}

/// 2.3: processes cost more memory than threads: a worker process's own KiB (USS) against a thread's, each
/// language's own pair.
fn rule_2_3(p: &Params, r: &LabResult) -> Result<Claim> {
    let w = largest_workers(p);
    let rust = rust(|| {
        let f = memory_finding("Rust", process_memory(r, "processes", w)?, r.value("threads", "kb_per_worker", w)?);
        Ok(match r.value("threads virtual", "kb_per_worker", w) {
            Ok(v) => f.then(format!(
                "A thread also reserves {} of address space (its stack, and a malloc arena if glibc gave it one: \
                 arenas are made lazily, at most 8 per core), mostly never touched.",
                fmt_kib(v)
            )),
            Err(_) => f,
        })
    });
    let python = python(r, || {
        Ok(memory_finding(
            "Python",
            process_memory(r, "python processes", w)?,
            r.value("python threads", "kb_per_worker", w)?,
        ))
    });
    Claim::new("2.3", rust, python)
}

/// The point of `name`'s `cost_ms` nearest `bytes` (the x axis holds the JSON length, near the asked size).
fn cost_at(r: &LabResult, name: &str, bytes: f64) -> Result<[f64; 2]> {
    r.series(name, "cost_ms")
        .and_then(|s| s.points.iter().min_by(|a, b| (a[0] - bytes).abs().total_cmp(&(b[0] - bytes).abs())).copied())
        .ok_or_else(|| LabError::other(format!("{}: no series `{name}` measuring `cost_ms`", r.experiment)))
}

fn largest_payload(p: &Params) -> f64 {
    p.payload_bytes.iter().copied().max().unwrap_or(0) as f64
}

/// The round trip through a worker process against one through a thread, at the largest message.
fn ipc_finding(lang: &str, pipe: [f64; 2], thread: [f64; 2]) -> Finding {
    above(
        &format!(
            "{lang}: a round trip of {:.0} bytes through a worker process {} / through a thread {} =",
            pipe[0],
            fmt_ms(pipe[1]),
            fmt_ms(thread[1])
        ),
        pipe[1] / thread[1].max(1e-6),
        IPC_OVERHEAD,
        fmt_ratio,
    )
    .decide(
        Verdict::Confirmed,
        Verdict::Contradicted,
        "A worker process gets the message copied through a pipe and rebuilt, both ways; a thread is handed a \
         pointer.",
        "Crossing to a worker process cost about what handing the message to a thread did.",
    )
}

/// 2.4: inter-process communication has an overhead: a message's round trip through a worker process against
/// the same message through a thread, at the largest payload.
fn rule_2_4(p: &Params, r: &LabResult) -> Result<Claim> {
    let big = largest_payload(p);
    let rust =
        rust(|| Ok(ipc_finding("Rust", cost_at(r, "pipe round trip", big)?, cost_at(r, "thread round trip", big)?)));
    let python = python(r, || {
        Ok(ipc_finding(
            "Python",
            cost_at(r, "python pipe round trip", big)?,
            cost_at(r, "python thread round trip", big)?,
        ))
    });
    Claim::new("2.4", rust, python)
}

/// Serializing and parsing there and back (twice the one-way cost) as a share of the whole round trip.
fn serialization_finding(lang: &str, codec: &str, ser: [f64; 2], pipe: [f64; 2]) -> Finding {
    above(
        &format!(
            "{lang}: {codec} of {:.0} bytes there and back (2 x {}) / the round trip through a worker process {} =",
            ser[0],
            fmt_ms(ser[1]),
            fmt_ms(pipe[1])
        ),
        2.0 * ser[1] / pipe[1].max(1e-6),
        SERIALIZATION_SHARE,
        fmt_ratio,
    )
    .decide(
        Verdict::Confirmed,
        Verdict::Refined,
        "Serialization is a large part of what a message to a worker process costs.",
        "Serialization is there, but the pipe and the process switch cost most of the round trip.",
    )
}

/// 2.5: serialization (pickling) is an overhead of a process pool: its share of a round trip at the largest
/// payload. Rust has no pickle, but its process pool serializes too (serde_json): that is what is judged.
fn rule_2_5(p: &Params, r: &LabResult) -> Result<Claim> {
    let big = largest_payload(p);
    let rust = rust(|| {
        Ok(serialization_finding(
            "Rust",
            "serde_json serialize + parse",
            cost_at(r, "serde_json", big)?,
            cost_at(r, "pipe round trip", big)?,
        )
        .then("Rust has no pickle; its worker processes get JSON lines, so serde_json is what it pays."))
    });
    let python = python(r, || {
        Ok(serialization_finding(
            "Python",
            "pickle.dumps + loads",
            cost_at(r, "python pickle", big)?,
            cost_at(r, "python pipe round trip", big)?,
        ))
    });
    Claim::new("2.5", rust, python)
}

#[cfg(test)]
#[path = "judge_tests.rs"]
mod tests;
