//! Question 2's claims about what a process costs: 2.3 memory, 2.4 inter-process communication (serialization left
//! out), 2.5 serialization. Each is a fact in both languages (Rust's worker processes are sent JSON, Python's
//! pickles).

use super::super::*;
use crate::judging::{python, rust, two_step, Fails, Holds, Quantity};
use crate::result::{Claim, Finding, LabResult};
use crate::units::fmt_ms;
use crate::units::Unit;

/// A process costs more memory than a thread when its own KiB are this many times a thread's.
const MORE_MEMORY: f64 = 4.0;
/// IPC has an overhead of its own when what a task pays to cross to a worker process and back, serialization
/// left out, is this many times a hand-off of the same message to a thread: half again as much, a margin several
/// times the few percent two runs of one round trip differ by. (Python's thread hand-off itself waits for the GIL,
/// so its ratio is the smaller of the two languages'.)
const IPC_OVERHEAD: f64 = 1.5;
/// ... and it is a real cost beside the work when it is this share of a job's work: one tenth, beyond the few
/// percent the scaling runs differ by, so that a pool's speed-up would show it.
const REAL_COST: f64 = 0.1;
/// Serialization is an overhead that matters when serializing and parsing there and back is this share of the
/// round trip.
const SERIALIZATION_SHARE: f64 = 0.25;

const USS_RATIO: Quantity = Quantity::new("q2: a worker process's own memory (USS) / a thread's", Unit::Ratio);
const RSS_RATIO: Quantity = Quantity::new("q2: a worker process's RSS / a thread's (no USS)", Unit::Ratio);
const IPC_NET: Quantity = Quantity::new(
    "q2: a task's IPC less serialization (pipe + pool machinery) / a thread's round trip, smallest message",
    Unit::Ratio,
);
const IPC_WORK: Quantity =
    Quantity::new("q2: a task's IPC less serialization (pipe + pool machinery) / the work per job", Unit::Percent);
const SERIALIZATION: Quantity =
    Quantity::new("q2: serialization there and back / round trip, largest message", Unit::Ratio);

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
fn memory_finding(r: &LabResult, process: ProcessMemory, thread_kib: f64) -> Finding {
    let thread = thread_kib.max(1.0);
    match process {
        ProcessMemory::Uss { uss, pss, rss } => USS_RATIO
            .above(
                r,
                &format!("A worker process's own memory (USS) {} / a thread's {} =", fmt_kib(uss), fmt_kib(thread)),
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
                    "A worker process's resident memory (RSS, not USS: {why}) {} / a thread's {} =",
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
        let f = memory_finding(r, process_memory(r, "processes", w)?, r.value("threads", "kb_per_worker", w)?);
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
        Ok(memory_finding(r, process_memory(r, "python processes", w)?, r.value("python threads", "kb_per_worker", w)?))
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

/// What one language's run measured for 2.4, ms: at one message size, serializing there and back (twice the
/// one-way cost) and the round trips through a worker process and through a thread; and per task, an empty job
/// through the pool and a bare pipe's byte there and back.
struct Ipc {
    bytes: f64,
    serialize_both: f64,
    pipe: f64,
    thread: f64,
    empty_job: f64,
    bare_pipe: f64,
}

impl Ipc {
    /// The round trip less serializing there and back: the pipe (copying the bytes through the kernel each way,
    /// framing, waking the other process). Never below zero: a round trip no slower than its serialization left
    /// nothing to charge to the pipe.
    fn pipe_less_serialization(&self) -> f64 {
        (self.pipe - self.serialize_both).max(0.0)
    }

    /// What the pool adds per task beyond the pipe (queues, a feeder thread and a result handler in Python; the
    /// JSON line of a request in Rust): an empty job less a bare pipe's byte, never below zero.
    fn machinery(&self) -> f64 {
        (self.empty_job - self.bare_pipe).max(0.0)
    }

    fn per_task(&self) -> f64 {
        self.pipe_less_serialization() + self.machinery()
    }
}

/// 2.4's series of one language (`codec` one-way cost, the round trips, the per-task pair) at `bytes`.
fn ipc_at(r: &LabResult, names: [&str; 5], bytes: f64) -> Result<Ipc> {
    let [codec, pipe, thread, empty, bare] = names;
    let ser = cost_at(r, codec, bytes)?;
    Ok(Ipc {
        bytes: ser[0],
        serialize_both: 2.0 * ser[1],
        pipe: cost_at(r, pipe, bytes)?[1],
        thread: cost_at(r, thread, bytes)?[1],
        empty_job: cost_at(r, empty, 1.0)?[1],
        bare_pipe: cost_at(r, bare, 1.0)?[1],
    })
}

/// 2.4 in one language, at the smallest message (where serialization hides the least of what crossing costs) and
/// the params' work per job, both fixed before the run. What a task pays to cross to a worker process and back
/// with serialization left out (the round trip less serializing there and back, plus the pool's own machinery)
/// must exceed a hand-off of the same message to a thread (else contradicted: the overhead is serialization's,
/// 2.5); then it is a real cost when it is a tenth of a job's work or more (confirmed), and small beside the work
/// when not (refined, with the job length where it would reach that tenth).
fn ipc_finding(r: &LabResult, job_ms: f64, at: &Ipc, big: &Ipc) -> Finding {
    let x = at.per_task();
    let parts = format!(
        "the round trip of {:.0} bytes (the smallest message) {} less serializing there and back {} = {}, plus the \
         pool's own machinery (an empty job {} less a bare pipe's byte {}) {} = {}",
        at.bytes,
        fmt_ms(at.pipe),
        fmt_ms(at.serialize_both),
        fmt_ms(at.pipe_less_serialization()),
        fmt_ms(at.empty_job),
        fmt_ms(at.bare_pipe),
        fmt_ms(at.machinery()),
        fmt_ms(x)
    );
    let net = IPC_NET.above(
        r,
        &format!("A task's IPC less serialization: {parts}; / a thread's round trip {} =", fmt_ms(at.thread)),
        x / at.thread.max(1e-6),
        IPC_OVERHEAD,
    );
    let work =
        IPC_WORK.above(r, &format!("{} / the work per job {} =", fmt_ms(x), fmt_ms(job_ms)), x / job_ms, REAL_COST);
    let small = format!(
        "Crossing to a worker process costs more than serialization explains, but beside {} of work a job it is \
         small: it would reach a tenth of the work for jobs of {} or shorter (the crossover chart shows where a pool \
         stops paying).",
        fmt_ms(job_ms),
        fmt_ms(x / REAL_COST)
    );
    two_step(
        net,
        work,
        Holds::Confirmed,
        Fails::Refined,
        Fails::Contradicted,
        [
            "Crossing to a worker process and back costs a task more than serialization explains, and enough beside \
             its work to count: the pipe (the bytes copied through the kernel each way, a wake-up in another \
             process) and the pool's own machinery.",
            &small,
            "With serialization left out, crossing to a worker process cost a task about what handing the message \
             to a thread did: at this message the overhead is serialization's (2.5), not the pipe's or the pool's.",
        ],
    )
    .then(format!(
        "At {:.0} bytes the round trip {} less serializing there and back {} leaves {} to the pipe (2.5 judges the \
         serialization).",
        big.bytes,
        fmt_ms(big.pipe),
        fmt_ms(big.serialize_both),
        fmt_ms(big.pipe_less_serialization())
    ))
}

/// 2.4: inter-process communication has an overhead: what a task pays to cross to a worker process and back,
/// serialization left out, against a thread's hand-off and against the work per job, at the smallest payload.
pub(super) fn rule_2_4(p: &Params, r: &LabResult) -> Result<Claim> {
    let (small, big) = (smallest_payload(p), largest_payload(p));
    let judge = |names: [&str; 5]| -> Result<Finding> {
        Ok(ipc_finding(r, p.job_ms, &ipc_at(r, names, small)?, &ipc_at(r, names, big)?))
    };
    let rust = rust(|| {
        judge(["serde_json", "pipe round trip", "thread round trip", "pool empty job", "bare pipe round trip"])
    });
    let python = python(r, || {
        judge([
            "python pickle",
            "python pipe round trip",
            "python thread round trip",
            "python pool empty job",
            "python bare pipe round trip",
        ])
    });
    Claim::new("2.4", rust, python)
}

/// Serializing and parsing there and back (twice the one-way cost) as a share of the whole round trip.
fn serialization_finding(r: &LabResult, codec: &str, ser: [f64; 2], pipe: [f64; 2]) -> Finding {
    SERIALIZATION
        .above(
            r,
            &format!(
                "{codec} of {:.0} bytes there and back (2 x {}) / the round trip through a worker process {} =",
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
            "serde_json serialize + parse",
            cost_at(r, "serde_json", big)?,
            cost_at(r, "pipe round trip", big)?,
        )
        .then("Rust has no pickle; its worker processes get JSON lines, so serde_json is what it pays."))
    });
    let python = python(r, || {
        Ok(serialization_finding(
            r,
            "pickle.dumps + loads",
            cost_at(r, "python pickle", big)?,
            cost_at(r, "python pipe round trip", big)?,
        ))
    });
    Claim::new("2.5", rust, python)
}
