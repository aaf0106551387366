//! Question 6's rules on synthetic results: each claim reaches more than one verdict from the numbers alone.

use super::*;
use crate::judging::fixture::{assert_only_python_not_measured, result, set, without_python};
use crate::params::ExperimentParams;
use crate::result::Verdict::*;

const TOP: f64 = 1_000_000.0;
const PY_TOP: f64 = 100_000.0;
const JOBS: f64 = 100_000.0;

/// A result as the defaults give on this machine (tasks 1k .. 1M, Python up to 100k, 100k jobs bounded by 100).
fn typical() -> LabResult {
    let mut r = result("q6", serde_json::json!({}));
    for (n, rss) in [(1_000.0, 279.0), (TOP, 319.0)] {
        set(&mut r, "tokio", "tasks", "heap_bytes_per_task", n, 128.0);
        set(&mut r, "tokio", "tasks", "rss_bytes_per_task", n, rss);
        set(&mut r, "tokio", "tasks", "allocations_per_task", n, 1.0003);
    }
    for (n, rss) in [(1_000.0, 348.0), (TOP, 447.0)] {
        set(&mut r, SLEEPER, "tasks", "heap_bytes_per_task", n, 256.0);
        set(&mut r, SLEEPER, "tasks", "rss_bytes_per_task", n, rss);
        set(&mut r, SLEEPER, "tasks", "allocations_per_task", n, 1.0002);
    }
    set(&mut r, SLEEPER_FUTURE, "tasks", "size_bytes", 0.0, 120.0);
    set(&mut r, "tokio holding 1 KiB", "tasks", "heap_bytes_per_task", TOP, 1160.0);
    set(&mut r, "tokio (handles kept)", "tasks", "heap_bytes_per_task", TOP, 136.0);
    set(&mut r, "future state machine", "tasks", "size_bytes", 0.0, 1.0);
    set(&mut r, "future state machine holding 1 KiB", "tasks", "size_bytes", 0.0, 1025.0);
    for (name, mib) in [("tokio spawn all", 25.18), ("tokio worker pool", 0.027), ("tokio window", 0.032)] {
        set(&mut r, name, "jobs", "peak_heap_mb", JOBS, mib);
    }
    for (n, rss) in [(1_000.0, 1458.0), (PY_TOP, 1563.0)] {
        set(&mut r, "python", "tasks", "traced_bytes_per_task", n, 1452.0);
        set(&mut r, "python", "tasks", "rss_bytes_per_task", n, rss);
        set(&mut r, "python", "tasks", "allocations_per_task", n, 14.0);
    }
    for (name, b) in [
        ("python coroutine", 200.0),
        ("python Task", 316.0),
        ("python frame", 256.0),
        ("python futures", 184.0),
        ("python gather", 72.0),
        ("python scheduling", 416.0),
        ("python other", 8.0),
    ] {
        set(&mut r, name, "tasks", "bytes_per_task", PY_TOP, b);
    }
    set(&mut r, "python coroutine", "tasks", "object_bytes", PY_TOP, 192.0);
    for (name, mib) in [("python gather all", 141.7), ("python worker pool", 0.148), ("python window", 0.167)] {
        set(&mut r, name, "jobs", "peak_traced_mb", JOBS, mib);
    }
    r
}

fn judged(r: &LabResult, id: &str) -> Claim {
    let p = Params::from_json(&r.params.to_string()).unwrap();
    claims(&p, r).unwrap().into_iter().find(|c| c.id == id).unwrap()
}

fn verdicts(r: &LabResult, id: &str) -> (Verdict, Verdict) {
    let c = judged(r, id);
    (c.rust.verdict, c.python.verdict)
}

#[test]
fn memory_scales_when_it_grows_about_as_fast_as_the_live_tasks() {
    let mut r = typical();
    let c = judged(&r, "6.1");
    assert_eq!((c.rust.verdict, c.python.verdict), (Confirmed, Confirmed), "{c:?}");
    // tokio's side reads the sleepers, which wait on a timer as asyncio's tasks do.
    assert!(
        c.rust.evidence.contains(
            "tokio, sleeping: resident memory grew 1284x (340 KiB for 1000 tasks, 426.3 MiB for 1000000) for \
             1000x the live tasks: slope on log-log axes 1.04 > 0.5"
        ),
        "{}",
        c.rust.evidence
    );
    // A fixed 300 MiB whatever the count: slope 0.
    set(&mut r, SLEEPER, "tasks", "rss_bytes_per_task", 1_000.0, 300.0 * 1048576.0 / 1_000.0);
    set(&mut r, SLEEPER, "tasks", "rss_bytes_per_task", TOP, 300.0 * 1048576.0 / TOP);
    let c = judged(&r, "6.1");
    assert_eq!(c.rust.verdict, Contradicted, "{}", c.rust.evidence);
    assert!(c.rust.evidence.contains("0.00 <= 0.5"), "{}", c.rust.evidence);
    // One Python count cannot show a scaling.
    r.series.retain(|s| !(s.name == "python" && s.y == "rss_bytes_per_task"));
    set(&mut r, "python", "tasks", "rss_bytes_per_task", PY_TOP, 1563.0);
    let c = judged(&r, "6.1");
    assert_eq!(c.python.verdict, NotMeasured);
    assert!(c.python.evidence.contains("this needs two"), "{}", c.python.evidence);
}

#[test]
fn the_coroutine_is_an_object_in_python_and_in_rust_the_future_inside_the_task() {
    let mut r = typical();
    let c = judged(&r, "6.2");
    assert_eq!((c.rust.verdict, c.python.verdict), (DoesNotApply, Confirmed), "{c:?}");
    assert!(
        c.rust.evidence.starts_with("Rust has no coroutine objects. Measured instead: the coroutine is the future"),
        "{}",
        c.rust.evidence
    );
    assert!(c.rust.evidence.contains("1024 B larger (1 KiB held across its await) grew by 1024 B (1.00x of it)"));
    assert!(
        c.python.evidence.contains("(measured by tracemalloc, at 100000 tasks) 200 B > 16 B"),
        "{}",
        c.python.evidence
    );
    assert!(
        c.python.evidence.contains("14% of the 1452 B") && c.python.evidence.contains("sys.getsizeof of one: 192 B")
    );
    // Whatever the analogue measures, Rust lacks the mechanism; Python's own number decides its verdict.
    set(&mut r, "tokio holding 1 KiB", "tasks", "heap_bytes_per_task", TOP, 136.0);
    set(&mut r, "python coroutine", "tasks", "bytes_per_task", PY_TOP, 8.0);
    assert_eq!(verdicts(&r, "6.2"), (DoesNotApply, Contradicted));
    assert!(judged(&r, "6.2").rust.evidence.contains("grew by 0 B (0.00x of it)"));
}

#[test]
fn a_task_wrapper_is_what_a_task_allocates_beyond_its_coroutine() {
    let mut r = typical();
    let c = judged(&r, "6.3");
    assert_eq!((c.rust.verdict, c.python.verdict), (Confirmed, Confirmed), "{c:?}");
    assert!(c.rust.evidence.contains("heap 128 B - its future's 1 B = the header (at 1000000 tasks) 127 B > 16 B"));
    set(&mut r, "tokio", "tasks", "heap_bytes_per_task", TOP, 9.0);
    set(&mut r, "python Task", "tasks", "bytes_per_task", PY_TOP, 2.0);
    assert_eq!(verdicts(&r, "6.3"), (Contradicted, Contradicted));
}

#[test]
fn frames_live_inside_coroutines_on_cpython_3_11_and_rust_has_none() {
    let mut r = typical();
    let c = judged(&r, "6.4");
    assert_eq!((c.rust.verdict, c.python.verdict), (DoesNotApply, Refined), "{c:?}");
    assert!(c.rust.evidence.contains("1.00 allocations a task"), "{}", c.rust.evidence);
    assert!(c.rust.evidence.contains("A tokio task has no stack of its own."), "{}", c.rust.evidence);
    assert!(c.python.evidence.contains("measured by tracemalloc"), "{}", c.python.evidence);
    assert!(c.python.evidence.contains("since CPython 3.11 a coroutine's frame lives inside"), "{}", c.python.evidence);
    // Before 3.11 frames were objects of their own: the same bytes confirm it.
    r.machine.python = "Python 3.10.12".into();
    assert_eq!(verdicts(&r, "6.4").1, Confirmed);
    // An older twin estimated the frame from sys.getsizeof: the evidence says so.
    r.series.retain(|s| s.name != "python other");
    let c = judged(&r, "6.4");
    assert!(c.python.evidence.contains("(estimated, at 100000 tasks) 256 B > 16 B"), "{}", c.python.evidence);
    assert!(!c.python.evidence.contains("measured"), "{}", c.python.evidence);
    set(&mut r, "python frame", "tasks", "bytes_per_task", PY_TOP, 0.0);
    assert_eq!(verdicts(&r, "6.4").1, Contradicted);
}

#[test]
fn future_objects_exist_in_python_and_rust_has_fields_instead() {
    let mut r = typical();
    let c = judged(&r, "6.5");
    assert_eq!((c.rust.verdict, c.python.verdict), (DoesNotApply, Confirmed), "{c:?}");
    // The analogue is read where a task awaits a real future: the sleeper's Sleep, a field of its future.
    assert!(
        c.rust.evidence.contains(
            "fields inside its state machine, not objects of their own: a task sleeping on a timer awaits a Sleep \
             (its timer entry), 119 B of its 120 B future (a task that awaits std::future::pending() has a future of \
             1 B), and is 256 B in 1.00 allocations a live task at 1000000 tasks."
        ),
        "{}",
        c.rust.evidence
    );
    set(&mut r, SLEEPER, "tasks", "allocations_per_task", TOP, 3.0);
    set(&mut r, "python futures", "tasks", "bytes_per_task", PY_TOP, 0.0);
    assert_eq!(verdicts(&r, "6.5"), (DoesNotApply, Contradicted));
    assert!(judged(&r, "6.5").rust.evidence.contains("in 3.00 allocations"));
    // A result saved before the sleeper was measured: the analogue says it is missing, the verdict stands.
    r.series.retain(|s| s.name != SLEEPER);
    let c = judged(&r, "6.5");
    assert_eq!(c.rust.verdict, DoesNotApply);
    assert!(c.rust.evidence.contains("Its analogue is not in this result"), "{}", c.rust.evidence);
}

#[test]
fn references_kept_per_task_cost_at_least_half_a_pointer() {
    let mut r = typical();
    let c = judged(&r, "6.6");
    assert_eq!((c.rust.verdict, c.python.verdict), (Confirmed, Confirmed), "{c:?}");
    assert!(c.rust.evidence.contains("kept 136 B - dropped 128 B = 8 B > 4 B"), "{}", c.rust.evidence);
    assert!(c.python.evidence.contains("72 B > 4 B"), "{}", c.python.evidence);
    set(&mut r, "tokio (handles kept)", "tasks", "heap_bytes_per_task", TOP, 128.0);
    set(&mut r, "python gather", "tasks", "bytes_per_task", PY_TOP, 1.0);
    assert_eq!(verdicts(&r, "6.6"), (Contradicted, Contradicted));
}

#[test]
fn scheduling_state_is_python_objects_and_a_sleeping_tokio_task_s_header_and_timer_entry() {
    let mut r = typical();
    let c = judged(&r, "6.7");
    assert_eq!((c.rust.verdict, c.python.verdict), (Confirmed, Confirmed), "{c:?}");
    assert!(c.python.evidence.contains("416 B > 16 B"), "{}", c.python.evidence);
    assert!(
        c.rust.evidence.contains(
            "tokio, sleeping on a timer: a task's heap 256 B - its future's 120 B = the header 136 B, + the timer \
             entry in its future (120 B - 1 B, the future of a task that awaits pending()) 119 B = its scheduling \
             state (at 1000000 tasks) 255 B > 16 B: confirmed."
        ),
        "{}",
        c.rust.evidence
    );
    assert!(
        c.rust.evidence.ends_with("It is allocated with the task, not apart: 1.00 allocations a task."),
        "{}",
        c.rust.evidence
    );
    // A sleeper stored with next to nothing around its own state: no scheduling state to speak of.
    set(&mut r, SLEEPER, "tasks", "heap_bytes_per_task", TOP, 9.0);
    set(&mut r, SLEEPER_FUTURE, "tasks", "size_bytes", 0.0, 8.0);
    set(&mut r, "python scheduling", "tasks", "bytes_per_task", PY_TOP, 0.0);
    assert_eq!(verdicts(&r, "6.7"), (Contradicted, Contradicted));
    // 6.3 reads the smallest task's header, a number of its own: it does not move with the sleeper.
    assert_eq!(verdicts(&r, "6.3").0, Confirmed);
    // A result saved before the sleeper was measured: not measured, saying what is missing.
    r.series.retain(|s| s.name != SLEEPER_FUTURE);
    let c = judged(&r, "6.7");
    assert_eq!(c.rust.verdict, NotMeasured);
    assert!(c.rust.evidence.contains("no series `future state machine sleeping`"), "{}", c.rust.evidence);
}

#[test]
fn all_of_it_sits_in_memory_at_once_when_spawning_every_job_peaks_at_a_task_a_job() {
    let mut r = typical();
    let c = judged(&r, "6.8");
    assert_eq!((c.rust.verdict, c.python.verdict), (Confirmed, Confirmed), "{c:?}");
    assert!(
        c.rust.evidence.contains(
            "peaked at 25.2 MiB, 264 B a job, against a sleeping task's 256 B (at 1000000 tasks): ratio 1.03x > 0.5x"
        ),
        "{}",
        c.rust.evidence
    );
    set(&mut r, "tokio spawn all", "jobs", "peak_heap_mb", JOBS, 0.5);
    set(&mut r, "python gather all", "jobs", "peak_traced_mb", JOBS, 1.0);
    assert_eq!(verdicts(&r, "6.8"), (Contradicted, Contradicted));
}

#[test]
fn memory_follows_live_tasks_when_spawning_all_peaks_far_above_a_pool() {
    let mut r = typical();
    let c = judged(&r, "6.9");
    assert_eq!((c.rust.verdict, c.python.verdict), (Confirmed, Confirmed), "{c:?}");
    assert!(c.rust.evidence.contains("> 31.6x"), "{}", c.rust.evidence);
    set(&mut r, "tokio worker pool", "jobs", "peak_heap_mb", JOBS, 20.0);
    set(&mut r, "python worker pool", "jobs", "peak_traced_mb", JOBS, 100.0);
    assert_eq!(verdicts(&r, "6.9"), (Contradicted, Contradicted));
}

#[test]
fn an_idle_task_holds_memory_and_is_a_graph_when_it_is_more_than_one_allocation() {
    let mut r = typical();
    let c = judged(&r, "6.10");
    // tokio, sleeping on a timer as asyncio's task does: 256 B, but one block: memory, no graph.
    assert_eq!((c.rust.verdict, c.python.verdict), (Refined, Confirmed), "{c:?}");
    assert!(
        c.rust.evidence.contains(
            "tokio, sleeping on a timer: an idle task's bytes (at 1000000 tasks) 256 B > 16 B, and its allocations \
             1.00 <= 1.5: refined"
        ),
        "{}",
        c.rust.evidence
    );
    assert!(
        c.rust.evidence.ends_with(
            "Beside it, the smallest possible task, awaiting std::future::pending() (no timer, no waker kept): 128 B \
             in 1.00 allocations a task."
        ),
        "{}",
        c.rust.evidence
    );
    assert!(c.python.evidence.contains("14.0 > 1.5"), "{}", c.python.evidence);
    // The sleeper decides, not the smallest task.
    set(&mut r, "tokio", "tasks", "allocations_per_task", TOP, 2.0);
    assert_eq!(verdicts(&r, "6.10").0, Refined);
    set(&mut r, SLEEPER, "tasks", "allocations_per_task", TOP, 2.0);
    set(&mut r, "python", "tasks", "allocations_per_task", PY_TOP, 1.0);
    assert_eq!(verdicts(&r, "6.10"), (Confirmed, Refined));
    set(&mut r, SLEEPER, "tasks", "heap_bytes_per_task", TOP, 8.0);
    assert_eq!(verdicts(&r, "6.10").0, Contradicted);
    // A result saved before the sleeper was measured: not measured.
    r.series.retain(|s| s.name != SLEEPER);
    let c = judged(&r, "6.10");
    assert_eq!(c.rust.verdict, NotMeasured);
    assert!(c.rust.evidence.contains("no series `tokio sleeping`"), "{}", c.rust.evidence);
}

#[test]
fn the_prose_reads_the_sleeper_the_smallest_task_and_asyncio() {
    let r = typical();
    let s = task_costs(&r).unwrap();
    assert_eq!(
        s,
        "tokio, sleeping on a timer: 256 B heap, 447 B resident a task at 1000000 tasks, in 1.00 allocations; its \
         future is 120 B, 119 B of it the Sleep (timer entry)\n\
         tokio, awaiting pending() (the smallest possible task): 128 B heap, 319 B resident; its future is 1 B\n\
         asyncio, sleeping: 1452 B traced, 1563 B resident a task at 100000 tasks, in 14.0 allocations: 5.7x the \
         tokio sleeper's heap at that count"
    );
    let mut old = typical();
    old.series.retain(|s| s.name != SLEEPER);
    assert!(task_costs(&old).is_err());
    assert!(sleeper_chart(&old).is_err());
    assert!(sleeper_chart(&r).is_ok());
}

#[test]
fn the_remedies_are_judged_by_the_peak_memory_their_bound_saved() {
    let mut r = typical();
    assert_eq!(verdicts(&r, "6.11"), (Confirmed, Confirmed));
    assert!(judged(&r, "6.11").rust.evidence.contains("The limit must come before the spawn"));
    assert_eq!(verdicts(&r, "6.12"), (NotMeasured, NotMeasured));
    let e = judged(&r, "6.12").rust.evidence;
    assert!(e.starts_with("No client-side connection pool (connections reused across requests) runs"), "{e}");
    assert!(
        e.contains("a pool of reused workers (6.11): tokio: 100000 jobs through a worker pool of 100 peaked"),
        "{e}"
    );
    assert_eq!(verdicts(&r, "6.13"), (Confirmed, Confirmed));
    let c = judged(&r, "6.13");
    assert!(c.rust.evidence.contains("through a window of 100 peaked at 33 KiB / all spawned at once 25.2 MiB"));
    assert!(c.python.evidence.contains("0.00118x < 0.0316x"), "{}", c.python.evidence);
    set(&mut r, "tokio worker pool", "jobs", "peak_heap_mb", JOBS, 25.0);
    set(&mut r, "python window", "jobs", "peak_traced_mb", JOBS, 140.0);
    assert_eq!(verdicts(&r, "6.11").0, Contradicted);
    assert_eq!(verdicts(&r, "6.12").0, NotMeasured);
    assert_eq!(verdicts(&r, "6.13").1, Contradicted);
}

#[test]
fn without_python_every_python_verdict_is_not_measured() {
    let r = without_python(typical());
    let judged = claims(&Params::default(), &r).unwrap();
    // 6.12 is not measured in either language (claims.json: unmeasured).
    assert_only_python_not_measured(&judged.into_iter().filter(|c| c.id != "6.12").collect::<Vec<_>>());
}
