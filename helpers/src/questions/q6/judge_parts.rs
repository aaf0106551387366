//! 6.2-6.7, what each asyncio task allocates, part by part: Python's from the twin's tracemalloc parts, Rust's
//! from the tokio task that does the same job (or "does not apply", with what Rust has instead).

use super::*;

/// The smallest object CPython allocates (a reference count and a type pointer): a part that costs less than
/// this per task is not something each task allocates.
const SMALLEST_OBJECT: f64 = 16.0;
/// Half a pointer: below this per task, no reference per task was kept.
const HALF_A_POINTER: f64 = 4.0;
/// The future's growth is stored in the task when the task grows by at least this share of it.
const INLINE: f64 = 0.9;

pub fn claims(r: &LabResult) -> Result<Vec<Claim>> {
    Ok(vec![
        Claim::new("6.2", rust_6_2(r), python_part(r, &COROUTINE))?,
        Claim::new("6.3", rust_6_3(r), python_part(r, &TASK))?,
        Claim::new("6.4", rust_6_4(r), python_part(r, &FRAME))?,
        Claim::new("6.5", rust_6_5(r), python_part(r, &FUTURES))?,
        Claim::new("6.6", rust_6_6(r), python_part(r, &GATHER))?,
        Claim::new("6.7", rust_6_7(r), python_part(r, &SCHEDULING))?,
    ])
}

/// One part of an asyncio task as the twin reports it.
struct Part {
    series: &'static str,
    label: &'static str,
    line: f64,
    /// Charged by tracemalloc in every twin (stage by stage); the others only since the twin charges each
    /// allocating function to a part: before that they were estimates.
    always_traced: bool,
    /// What the part holds, when charged by function; and what an older twin's stage held.
    holds: &'static str,
    held: &'static str,
}

const COROUTINE: Part = Part {
    series: "python coroutine",
    label: "coroutine object",
    line: SMALLEST_OBJECT,
    always_traced: true,
    holds: "The coroutine object; CPython 3.11+ keeps the task's own frame inside it",
    held: "The coroutine objects",
};
const TASK: Part = Part {
    series: "python Task",
    label: "Task wrapper",
    line: SMALLEST_OBJECT,
    always_traced: true,
    holds: "The Task object and its copy of the context",
    held: "From an older twin: all that create_task allocated, with what schedules the first step",
};
const FRAME: Part = Part {
    series: "python frame",
    label: "frames it awaits",
    line: SMALLEST_OBJECT,
    always_traced: false,
    holds: "What the task's own lines allocated as it ran to its first await: the coroutine it awaits \
            (asyncio.sleep's), whose frame lives inside it",
    held: "From an older twin: frame.__sizeof__ of one started task's frame",
};
const FUTURES: Part = Part {
    series: "python futures",
    label: "future objects",
    line: SMALLEST_OBJECT,
    always_traced: false,
    holds: "The future that asyncio.sleep waits on, and the iterator that awaits it",
    held: "From an older twin: what remained of the first-await stage after the frame and the timer",
};
const GATHER: Part = Part {
    series: "python gather",
    label: "references in gather",
    line: HALF_A_POINTER,
    always_traced: true,
    holds: "gather's list of its children and the done-callback it adds to each",
    held: "gather's list of its children and the done-callback it adds to each",
};
const SCHEDULING: Part = Part {
    series: "python scheduling",
    label: "scheduling state",
    line: SMALLEST_OBJECT,
    always_traced: false,
    holds: "The handle that schedules the first step, the timer (a TimerHandle, its deadline and arguments, its \
            slot in the loop's heap), the wake-up callback on the future, and asyncio's registry of live tasks",
    held: "From an older twin: sys.getsizeof of one TimerHandle",
};

/// Python's verdict on one part: its bytes per task against the part's line, saying whether tracemalloc charged
/// them ("measured") or an older twin guessed them from sys.getsizeof and a remainder ("estimated").
fn python_part(r: &LabResult, part: &Part) -> Finding {
    python(r, || {
        let n = python_top(r)?;
        let v = r.value(part.series, "bytes_per_task", n)?;
        // The twin that charges each allocating function to a part also reports what it could not charge.
        let by_function = r.series("python other", "bytes_per_task").is_some();
        let how = if part.always_traced || by_function { "measured by tracemalloc" } else { "estimated" };
        let f = above(&format!("asyncio: the {} per task ({how}, at {n:.0} tasks)", part.label), v, part.line, fmt_b)
            .decide(
                Verdict::Confirmed,
                Verdict::Contradicted,
                "Each task allocates it.",
                &format!("Less than {} a task: the tasks did not each allocate one.", fmt_b(part.line)),
            );
        let total = r.value("python", "traced_bytes_per_task", n).ok();
        let share = total.map(|t| format!(" ({:.0}% of the {} traced per task)", 100.0 * v / t.max(1.0), fmt_b(t)));
        let size =
            r.value(part.series, "object_bytes", n).ok().map(|o| format!(" sys.getsizeof of one: {}.", fmt_b(o)));
        let what = if by_function { part.holds } else { part.held };
        Ok(f.then(format!("{what}{}.{}", share.unwrap_or_default(), size.unwrap_or_default())))
    })
}

/// The numbers of one tokio task that Rust's side of 6.2-6.7 reads, at the largest count.
struct Tokio {
    n: f64,
    heap: f64,
    idle_future: f64,
}

fn tokio(r: &LabResult) -> Result<Tokio> {
    let n = tokio_top(r)?;
    Ok(Tokio {
        n,
        heap: r.value("tokio", "heap_bytes_per_task", n)?,
        idle_future: r.value("future state machine", "size_bytes", 0.0)?,
    })
}

/// 6.2, Rust: the coroutine is the future, stored in the task. A future 1 KiB larger must grow the task by about
/// as much (both runs keep their JoinHandles).
fn rust_6_2(r: &LabResult) -> Finding {
    rust(|| {
        let t = tokio(r)?;
        let grew = r.value("tokio holding 1 KiB", "heap_bytes_per_task", t.n)?
            - r.value("tokio (handles kept)", "heap_bytes_per_task", t.n)?;
        let bigger = r.value("future state machine holding 1 KiB", "size_bytes", 0.0)? - t.idle_future;
        Ok(above(
            &format!(
                "tokio: a task whose future is {} larger (1 KiB held across its await) grew by {}: ratio",
                fmt_b(bigger),
                fmt_b(grew)
            ),
            grew / bigger.max(1.0),
            INLINE,
            fmt_ratio,
        )
        .decide(
            Verdict::Refined,
            Verdict::Contradicted,
            &format!(
                "Each task does hold its coroutine, but not as an object of its own: the coroutine is the future, \
                 a state machine ({} for a task that only waits) stored inside the task's one allocation.",
                fmt_b(t.idle_future)
            ),
            "The task did not grow with its future: the future's state was kept elsewhere.",
        ))
    })
}

/// 6.3, Rust: the task wrapper is what a tokio task allocates beyond its future.
fn rust_6_3(r: &LabResult) -> Finding {
    rust(|| {
        let t = tokio(r)?;
        Ok(above(
            &format!(
                "tokio: a task's heap {} - its future's {} = the wrapper (at {:.0} tasks)",
                fmt_b(t.heap),
                fmt_b(t.idle_future),
                t.n
            ),
            t.heap - t.idle_future,
            SMALLEST_OBJECT,
            fmt_b,
        )
        .decide(
            Verdict::Confirmed,
            Verdict::Contradicted,
            "tokio wraps the future in a header (state word, scheduler links, vtable) and a slot for its output.",
            "The future was stored with next to nothing around it.",
        ))
    })
}

/// Allocations per live tokio task, as a Test against `GRAPH` (more than one block per task).
fn tokio_allocations(r: &LabResult) -> Result<Test> {
    let n = tokio_top(r)?;
    Ok(below(
        &format!("tokio: allocations per live task (at {n:.0} tasks)"),
        r.value("tokio", "allocations_per_task", n)?,
        GRAPH,
        fmt_count,
    ))
}

/// 6.4, Rust: a tokio task has no stack and no frames.
fn rust_6_4(r: &LabResult) -> Finding {
    let allocs = tokio_top(r)
        .and_then(|n| r.value("tokio", "allocations_per_task", n))
        .map_or(String::new(), |a| format!(" ({} allocations a task)", fmt_count(a)));
    Finding::does_not_apply(format!(
        "A tokio task has no stack and no frames: a local held across an await is a field of its future, in the \
         task's one allocation{allocs}; 6.2 measures a 1 KiB local growing the task."
    ))
}

/// 6.5, Rust: no future object per await: the futures a task awaits are fields of its state machine, so the task
/// stays one allocation.
fn rust_6_5(r: &LabResult) -> Finding {
    rust(|| {
        Ok(tokio_allocations(r)?.decide(
            Verdict::Contradicted,
            Verdict::Confirmed,
            "No future object is allocated: a Rust future is a state machine, and the futures a task awaits are \
             fields inside it.",
            "The tasks allocated more than one block each: something they await was allocated apart.",
        ))
    })
}

/// 6.6, Rust: keeping a JoinHandle per task, as gather keeps its children.
fn rust_6_6(r: &LabResult) -> Finding {
    rust(|| {
        let t = tokio(r)?;
        let kept = r.value("tokio (handles kept)", "heap_bytes_per_task", t.n)?;
        Ok(above(
            &format!("tokio: a task with its JoinHandle kept {} - dropped {} =", fmt_b(kept), fmt_b(t.heap)),
            kept - t.heap,
            HALF_A_POINTER,
            fmt_b,
        )
        .decide(
            Verdict::Confirmed,
            Verdict::Contradicted,
            "Keeping a reference to every task, as gather does, costs a JoinHandle each: a pointer into the task.",
            "Keeping the handles cost nothing per task here.",
        ))
    })
}

/// 6.7, Rust: tokio's scheduling state lives in the task's header, not in allocations of its own.
fn rust_6_7(r: &LabResult) -> Finding {
    rust(|| {
        Ok(tokio_allocations(r)?.decide(
            Verdict::Refined,
            Verdict::Confirmed,
            "Each task has scheduling state (state word, run-queue and owner links, a waker vtable), but inside \
             its header, in 6.3's bytes: it allocates nothing of its own.",
            "The tasks allocated more than one block each: state kept apart from the task.",
        ))
    })
}
