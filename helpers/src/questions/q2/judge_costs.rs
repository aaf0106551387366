//! Question 2's claims about what a process costs: 2.3 memory, 2.4 inter-process communication, 2.5
//! serialization. Each is a fact in both languages (Rust's worker processes are sent JSON, Python's pickles).

use super::super::*;
use crate::judging::{python, rust, Fails, Holds, Quantity};
use crate::result::{Claim, Finding, LabResult};
use crate::units::{fmt_ms, fmt_ratio};

/// A process costs more memory than a thread when its own KiB are this many times a thread's.
const MORE_MEMORY: f64 = 4.0;
/// IPC costs when a round trip of the smallest message through a worker process takes this many times one
/// through a thread: half again as much, a margin several times the few percent two runs of one round trip differ
/// by. (Python's thread hand-off itself waits for the GIL, so its ratio is the smaller of the two languages'.)
const IPC_OVERHEAD: f64 = 1.5;
/// Serialization is an overhead that matters when serializing and parsing there and back is this share of the
/// round trip.
const SERIALIZATION_SHARE: f64 = 0.25;

const USS_RATIO: Quantity = Quantity::new("q2: a worker process's own memory (USS) / a thread's", fmt_ratio);
const RSS_RATIO: Quantity = Quantity::new("q2: a worker process's RSS / a thread's (no USS)", fmt_ratio);
const IPC_RATIO: Quantity = Quantity::new("q2: round trip of the smallest message, worker process / thread", fmt_ratio);
const SERIALIZATION: Quantity =
    Quantity::new("q2: serialization there and back / round trip, largest message", fmt_ratio);

fn fmt_kib(v: f64) -> String {
    format!("{v:.0} KiB")
}

fn largest_workers(p: &Params) -> f64 {
    p.workers.iter().copied().max().unwrap_or(1) as f64
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
fn memory_finding(r: &LabResult, lang: &str, process: ProcessMemory, thread_kib: f64) -> Finding {
    let thread = thread_kib.max(1.0);
    match process {
        ProcessMemory::Uss { uss, pss, rss } => USS_RATIO
            .above(
                r,
                &format!("{lang}: a worker process's own memory (USS) {} / a thread's {} =", fmt_kib(uss), fmt_kib(thread)),
                uss / thread,
                MORE_MEMORY,
            )
            .confirm(
            "A process carries its own heap, stacks and runtime data; a thread only the stack it touches.",
            "A worker process's own pages cost about as much as a thread here.",
        )
        .then(format!(
            "Its RSS was {} and its PSS {}: RSS also counts the pages it shares with its parent and the other \
             workers (code, libraries, copy-on-write data), PSS charges each of those to its sharers in equal parts.",
            fmt_kib(rss),
            fmt_kib(pss)
        )),
        ProcessMemory::Rss { rss, why } => RSS_RATIO
            .above(
                r,
                &format!(
                    "{lang}: a worker process's resident memory (RSS, not USS: {why}) {} / a thread's {} =",
                    fmt_kib(rss),
                    fmt_kib(thread)
                ),
                rss / thread,
                MORE_MEMORY,
            )
            .decide(
            Holds::Refined,
            Fails::Contradicted,
            "RSS counts the pages the worker shares with its parent in full, so it overstates what a process adds: \
             how much of it is the worker's own was not measured.",
            "Even its RSS, which also counts shared pages, was about a thread's.",
        ),
    }
}

/// 2.3: processes cost more memory than threads: a worker process's own KiB (USS) against a thread's, each
/// language's own pair.
pub(super) fn rule_2_3(p: &Params, r: &LabResult) -> Result<Claim> {
    let w = largest_workers(p);
    let rust = rust(|| {
        let f = memory_finding(r, "Rust", process_memory(r, "processes", w)?, r.value("threads", "kb_per_worker", w)?);
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
            r,
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

fn smallest_payload(p: &Params) -> f64 {
    p.payload_bytes.iter().copied().min().unwrap_or(0) as f64
}

/// The round trip through a worker process against one through a thread, at the smallest message: where the cost
/// of crossing the process is least hidden by copying and serializing the message (2.5 judges those, at the
/// largest). The point is fixed by the params before the run; the largest message's ratio is told beside it.
fn ipc_finding(r: &LabResult, lang: &str, small: ([f64; 2], [f64; 2]), big: ([f64; 2], [f64; 2])) -> Finding {
    let ((pipe, thread), (big_pipe, big_thread)) = (small, big);
    IPC_RATIO
        .above(
            r,
            &format!(
                "{lang}: a round trip of {:.0} bytes (the smallest message) through a worker process {} / through a \
                 thread {} =",
                pipe[0],
                fmt_ms(pipe[1]),
                fmt_ms(thread[1])
            ),
            pipe[1] / thread[1].max(1e-6),
            IPC_OVERHEAD,
        )
        .confirm(
            "Crossing to a worker process and back costs more than handing the message to a thread: a pipe write \
             and read each way, a wake-up in another process, and the message copied and rebuilt each way.",
            "Crossing to a worker process cost about what handing the message to a thread did.",
        )
        .then(format!(
            "At {:.0} bytes the ratio is {}, most of it serialization (2.5).",
            big_pipe[0],
            fmt_ratio(big_pipe[1] / big_thread[1].max(1e-6))
        ))
}

/// 2.4: inter-process communication has an overhead: a message's round trip through a worker process against
/// the same message through a thread, at the smallest payload.
pub(super) fn rule_2_4(p: &Params, r: &LabResult) -> Result<Claim> {
    let (small, big) = (smallest_payload(p), largest_payload(p));
    let pair = |pipe: &str, thread: &str, at: f64| -> Result<([f64; 2], [f64; 2])> {
        Ok((cost_at(r, pipe, at)?, cost_at(r, thread, at)?))
    };
    let judge = |lang: &str, pipe: &str, thread: &str| -> Result<Finding> {
        Ok(ipc_finding(r, lang, pair(pipe, thread, small)?, pair(pipe, thread, big)?))
    };
    let rust = rust(|| judge("Rust", "pipe round trip", "thread round trip"));
    let python = python(r, || judge("Python", "python pipe round trip", "python thread round trip"));
    Claim::new("2.4", rust, python)
}

/// Serializing and parsing there and back (twice the one-way cost) as a share of the whole round trip.
fn serialization_finding(r: &LabResult, lang: &str, codec: &str, ser: [f64; 2], pipe: [f64; 2]) -> Finding {
    SERIALIZATION
        .above(
            r,
            &format!(
                "{lang}: {codec} of {:.0} bytes there and back (2 x {}) / the round trip through a worker process {} =",
                ser[0],
                fmt_ms(ser[1]),
                fmt_ms(pipe[1])
            ),
            2.0 * ser[1] / pipe[1].max(1e-6),
            SERIALIZATION_SHARE,
        )
        .decide(
            Holds::Confirmed,
            Fails::Refined,
            "Serialization is a large part of what a message to a worker process costs.",
            "Serialization is there, but the pipe and the process switch cost most of the round trip.",
        )
}

/// 2.5: serialization (pickling) is an overhead of a process pool: its share of a round trip at the largest
/// payload, where a message's size is what serialization costs. Rust has no pickle, but its process pool
/// serializes too (serde_json): that is what is judged.
pub(super) fn rule_2_5(p: &Params, r: &LabResult) -> Result<Claim> {
    let big = largest_payload(p);
    let rust = rust(|| {
        Ok(serialization_finding(
            r,
            "Rust",
            "serde_json serialize + parse",
            cost_at(r, "serde_json", big)?,
            cost_at(r, "pipe round trip", big)?,
        )
        .then("Rust has no pickle; its worker processes get JSON lines, so serde_json is what it pays."))
    });
    let python = python(r, || {
        Ok(serialization_finding(
            r,
            "Python",
            "pickle.dumps + loads",
            cost_at(r, "python pickle", big)?,
            cost_at(r, "python pipe round trip", big)?,
        ))
    });
    Claim::new("2.5", rust, python)
}
