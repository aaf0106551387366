//! 6.2-6.7, what each asyncio task allocates, part by part: Python's from the twin's tracemalloc parts; Rust's from
//! the tokio task that does the same job. Coroutine objects, frames and future objects are mechanisms Rust lacks
//! (claims.json): there the verdict is "does not apply", with what a tokio task has instead, measured.

use super::*;
use crate::judging::{mechanism, two_step, Fails, Holds, Lang, Quantity, Test};
use crate::units::Unit;

/// The smallest object CPython allocates (a reference count and a type pointer): a part that costs less than
/// this per task is not something each task allocates.
const SMALLEST_OBJECT: f64 = 16.0;
/// Half a pointer: below this per task, no reference per task was kept.
const HALF_A_POINTER: f64 = 4.0;

/// An asyncio part's bytes per task, against the part's line.
const PART_BYTES: Quantity = Quantity::new("q6: an asyncio part's bytes per task", Unit::Bytes);
/// What a tokio task allocates beyond its future: its header (state, queue links, vtable) and output slot.
const HEADER: Quantity = Quantity::new("q6: a tokio task's heap less its future's size", Unit::Bytes);
/// A sleeping tokio task's scheduling state: its header (as `HEADER`, the sleeper's own) and the timer entry its
/// future holds (the sleeper's future less the smallest task's).
const SCHEDULING_STATE: Quantity = Quantity::new("q6: a sleeping tokio task's header + its timer entry", Unit::Bytes);
/// A JoinHandle kept per task, as gather keeps its children.
const HANDLE: Quantity = Quantity::new("q6: a tokio task's heap with its JoinHandle kept, less dropped", Unit::Bytes);

pub fn claims(r: &LabResult) -> Result<Vec<Claim>> {
    Ok(vec![
        Claim::new(
            "6.2",
            mechanism(r, "6.2", Lang::Rust, || coroutine_analogue(r), lacked)?,
            python_part(r, &COROUTINE),
        )?,
        Claim::new("6.3", rust_6_3(r), python_part(r, &TASK))?,
        Claim::new("6.4", mechanism(r, "6.4", Lang::Rust, || frames_analogue(r), lacked)?, python_6_4(r))?,
        Claim::new("6.5", mechanism(r, "6.5", Lang::Rust, || futures_analogue(r), lacked)?, python_part(r, &FUTURES))?,
        Claim::new("6.6", rust_6_6(r), python_part(r, &GATHER))?,
        Claim::new("6.7", rust_6_7(r), python_part(r, &SCHEDULING))?,
    ])
}

/// Rust lacks the mechanism: only its analogue is measured, so its own rule never runs.
fn lacked() -> Result<Finding> {
    Err(LabError::other("Rust lacks this mechanism: only its analogue is measured"))
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

/// The part's bytes per task against its line, as the twin measured it (tracemalloc, or an older twin's estimate),
/// with what the part holds and its share of the task.
fn part_test(r: &LabResult, part: &Part) -> Result<(Test, String)> {
    let n = python_top(r)?;
    let v = r.value(part.series, "bytes_per_task", n)?;
    // The twin that charges each allocating function to a part also reports what it could not charge.
    let by_function = r.series("python other", "bytes_per_task").is_some();
    let how = if part.always_traced || by_function { "measured by tracemalloc" } else { "estimated" };
    let t =
        PART_BYTES.above(r, &format!("asyncio: the {} per task ({how}, at {n:.0} tasks)", part.label), v, part.line);
    let total = r.value("python", "traced_bytes_per_task", n).ok();
    let share = total.map(|t| format!(" ({:.0}% of the {} traced per task)", 100.0 * v / t.max(1.0), fmt_b(t)));
    let size = r.value(part.series, "object_bytes", n).ok().map(|o| format!(" sys.getsizeof of one: {}.", fmt_b(o)));
    let what = if by_function { part.holds } else { part.held };
    Ok((t, format!("{what}{}.{}", share.unwrap_or_default(), size.unwrap_or_default())))
}

/// Python's verdict on one part: its bytes per task against the part's line.
fn python_part(r: &LabResult, part: &Part) -> Finding {
    python(r, || {
        let (t, context) = part_test(r, part)?;
        let no = format!("Less than {} a task: the tasks did not each allocate one.", fmt_b(part.line));
        Ok(t.confirm("Each task allocates it.", &no).then(context))
    })
}

/// The CPython release of the result's Python ("Python 3.11.7" -> (3, 11)), if it says.
fn python_version(r: &LabResult) -> Option<(u32, u32)> {
    let v = r.machine.python.strip_prefix("Python ")?;
    let mut it = v.split('.');
    Some((it.next()?.parse().ok()?, it.next()?.trim_end_matches(|c: char| !c.is_ascii_digit()).parse().ok()?))
}

/// 6.4, Python: "stack frames". The part measured is what the task's own lines allocated on the way to its first
/// await: the coroutine it awaits (asyncio.sleep's). Since CPython 3.11 a coroutine's frame lives inside the
/// coroutine object, not on a stack of frame objects: the frames are there, inside 6.2's coroutines (refined).
/// Before 3.11 frames were objects of their own (confirmed). Under the line: contradicted.
fn python_6_4(r: &LabResult) -> Finding {
    python(r, || {
        let (t, context) = part_test(r, &FRAME)?;
        let inside = python_version(r).is_some_and(|v| v >= (3, 11));
        let separate = Test::fact(
            "q6: CPython keeps frames as objects of their own (before 3.11)",
            format!("{} ({})", r.machine.python, if inside { "3.11 or later" } else { "before 3.11" }),
            !inside,
        );
        Ok(two_step(
            t,
            separate,
            Holds::Confirmed,
            Fails::Refined,
            Fails::Contradicted,
            [
                "Each task keeps frames, as objects of their own.",
                "Each task keeps frames, but not as a stack of frame objects: since CPython 3.11 a coroutine's \
                 frame lives inside the coroutine object. What is measured here is asyncio.sleep's coroutine, \
                 which the task awaits, its frame inside it; the task's own frame is inside its coroutine (6.2). \
                 Neither is a thread's stack.",
                "Less than a small object a task: no frames were allocated per task.",
            ],
        )
        .then(context))
    })
}

/// The numbers of one tokio task that Rust's side reads, at the largest count.
struct Tokio {
    n: f64,
    heap: f64,
    idle_future: f64,
    allocations: f64,
}

fn tokio(r: &LabResult) -> Result<Tokio> {
    let n = tokio_top(r)?;
    Ok(Tokio {
        n,
        heap: r.value("tokio", "heap_bytes_per_task", n)?,
        idle_future: r.value("future state machine", "size_bytes", 0.0)?,
        allocations: r.value("tokio", "allocations_per_task", n)?,
    })
}

/// A future 1 KiB larger (a local held across its await) against what it grew the task by: both runs keep their
/// JoinHandles.
fn inline_growth(r: &LabResult, t: &Tokio) -> Result<String> {
    let grew = r.value("tokio holding 1 KiB", "heap_bytes_per_task", t.n)?
        - r.value("tokio (handles kept)", "heap_bytes_per_task", t.n)?;
    let bigger = r.value("future state machine holding 1 KiB", "size_bytes", 0.0)? - t.idle_future;
    Ok(format!(
        "a task whose future is {} larger (1 KiB held across its await) grew by {} ({} of it)",
        fmt_b(bigger),
        fmt_b(grew),
        fmt_ratio(grew / bigger.max(1.0))
    ))
}

/// 6.2, what Rust has instead of a coroutine object: the future, a state machine stored in the task's one
/// allocation.
fn coroutine_analogue(r: &LabResult) -> Result<String> {
    let t = tokio(r)?;
    Ok(format!(
        "the coroutine is the future, a state machine ({} for a task that only waits) stored inside the task's \
         allocation ({} allocations a task at {:.0} tasks); {}.",
        fmt_b(t.idle_future),
        fmt_count(t.allocations),
        t.n,
        inline_growth(r, &t)?
    ))
}

/// 6.4, instead of frames: a local held across an await is a field of the future.
fn frames_analogue(r: &LabResult) -> Result<String> {
    let t = tokio(r)?;
    Ok(format!(
        "a local held across an await is a field of the task's future, in its one allocation ({} allocations a \
         task); {}. A tokio task has no stack of its own.",
        fmt_count(t.allocations),
        inline_growth(r, &t)?
    ))
}

/// The numbers of a tokio task that sleeps on a timer, at its largest count, beside the smallest task's future.
struct Sleeper {
    n: f64,
    heap: f64,
    future: f64,
    allocations: f64,
    /// The future of a task that awaits `pending()`: what the sleeper's future is beyond its `Sleep`.
    idle_future: f64,
}

fn sleeper(r: &LabResult) -> Result<Sleeper> {
    let n = sleeper_top(r)?;
    Ok(Sleeper {
        n,
        heap: r.value(SLEEPER, "heap_bytes_per_task", n)?,
        future: r.value(SLEEPER_FUTURE, "size_bytes", 0.0)?,
        allocations: r.value(SLEEPER, "allocations_per_task", n)?,
        idle_future: r.value("future state machine", "size_bytes", 0.0)?,
    })
}

impl Sleeper {
    /// The timer entry: what awaiting `tokio::time::sleep` adds to a future (its `Sleep`: the deadline, the links
    /// into the timer wheel, the waker the wheel will wake).
    fn timer(&self) -> f64 {
        self.future - self.idle_future
    }

    /// What the sleeper allocates beyond its future: the header, padded to the task's alignment.
    fn header(&self) -> f64 {
        self.heap - self.future
    }
}

/// 6.5, instead of future objects: the futures a task awaits are fields of its state machine. Read where a task
/// awaits a real future, a timer's, as asyncio's tasks await asyncio.sleep's future.
fn futures_analogue(r: &LabResult) -> Result<String> {
    let s = sleeper(r)?;
    Ok(format!(
        "the futures a task awaits are fields inside its state machine, not objects of their own: a task sleeping \
         on a timer awaits a Sleep (its timer entry), {} of its {} future (a task that awaits std::future::pending() \
         has a future of {}), and is {} in {} allocations a live task at {:.0} tasks.",
        fmt_b(s.timer()),
        fmt_b(s.future),
        fmt_b(s.idle_future),
        fmt_b(s.heap),
        fmt_count(s.allocations),
        s.n
    ))
}

/// A tokio task's header: its heap less its future, against the smallest object.
fn header(r: &LabResult, t: &Tokio) -> Test {
    HEADER.above(
        r,
        &format!(
            "tokio: a task's heap {} - its future's {} = the header (at {:.0} tasks)",
            fmt_b(t.heap),
            fmt_b(t.idle_future),
            t.n
        ),
        t.heap - t.idle_future,
        SMALLEST_OBJECT,
    )
}

/// 6.3, Rust: the task wrapper is what a tokio task allocates beyond its future.
fn rust_6_3(r: &LabResult) -> Finding {
    rust(|| {
        let t = tokio(r)?;
        Ok(header(r, &t).confirm(
            "tokio wraps the future in a header (state word, scheduler links, vtable) and a slot for its output.",
            "The future was stored with next to nothing around it.",
        ))
    })
}

/// 6.6, Rust: keeping a JoinHandle per task, as gather keeps its children.
fn rust_6_6(r: &LabResult) -> Finding {
    rust(|| {
        let t = tokio(r)?;
        let kept = r.value("tokio (handles kept)", "heap_bytes_per_task", t.n)?;
        Ok(HANDLE
            .above(
                r,
                &format!("tokio: a task with its JoinHandle kept {} - dropped {} =", fmt_b(kept), fmt_b(t.heap)),
                kept - t.heap,
                HALF_A_POINTER,
            )
            .confirm(
                "Keeping a reference to every task, as gather does, costs a JoinHandle each: a pointer into the task.",
                "Keeping the handles cost nothing per task here.",
            ))
    })
}

/// 6.7, Rust: a sleeping tokio task's scheduling state, as asyncio's includes its timer handle: the header (state
/// word, run-queue and owner links, waker vtable) plus the timer entry inside its future (deadline, timer-wheel
/// links, the waker the wheel keeps). Each task has it, inside its one allocation.
fn rust_6_7(r: &LabResult) -> Finding {
    rust(|| {
        let s = sleeper(r)?;
        Ok(SCHEDULING_STATE
            .above(
                r,
                &format!(
                    "tokio, sleeping on a timer: a task's heap {} - its future's {} = the header {}, + the timer entry \
                     in its future ({} - {}, the future of a task that awaits pending()) {} = its scheduling state \
                     (at {:.0} tasks)",
                    fmt_b(s.heap),
                    fmt_b(s.future),
                    fmt_b(s.header()),
                    fmt_b(s.future),
                    fmt_b(s.idle_future),
                    fmt_b(s.timer()),
                    s.n
                ),
                s.header() + s.timer(),
                SMALLEST_OBJECT,
            )
            .confirm(
                "Each task carries its scheduling state: in its header the state word, run-queue and owner links and \
                 a waker vtable; in its future the timer's deadline, its links in the runtime's timer wheel and the \
                 waker the wheel will wake.",
                "The task had no room for scheduling state around its future.",
            )
            .then(format!(
                "It is allocated with the task, not apart: {} allocations a task.",
                fmt_count(s.allocations)
            )))
    })
}
