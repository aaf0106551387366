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
    assert!(
        c.rust.evidence.contains(
            "grew 1143.369x (272 KiB for 1000 tasks, 304.2 MiB for 1000000) for 1000.000x the \
             live tasks: slope on log-log axes 1.02 > 0.50"
        ),
        "{}",
        c.rust.evidence
    );
    // A fixed 300 MiB whatever the count: slope 0.
    set(&mut r, "tokio", "tasks", "rss_bytes_per_task", 1_000.0, 300.0 * 1048576.0 / 1_000.0);
    set(&mut r, "tokio", "tasks", "rss_bytes_per_task", TOP, 300.0 * 1048576.0 / TOP);
    let c = judged(&r, "6.1");
    assert_eq!(c.rust.verdict, Contradicted, "{}", c.rust.evidence);
    assert!(c.rust.evidence.contains("0.00 <= 0.50"), "{}", c.rust.evidence);
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
    assert!(c.rust.evidence.contains("1024 B larger (1 KiB held across its await) grew by 1024 B (1.000x of it)"));
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
    assert!(judged(&r, "6.2").rust.evidence.contains("grew by 0 B (0.000x of it)"));
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
    assert!(
        c.rust.evidence.contains(
            "fields inside its state machine, not objects of their own: 1.00 allocations a live task at 1000000 tasks"
        ),
        "{}",
        c.rust.evidence
    );
    set(&mut r, "tokio", "tasks", "allocations_per_task", TOP, 3.0);
    set(&mut r, "python futures", "tasks", "bytes_per_task", PY_TOP, 0.0);
    assert_eq!(verdicts(&r, "6.5"), (DoesNotApply, Contradicted));
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
fn scheduling_state_is_python_objects_and_the_tokio_header_the_same_number_as_the_wrapper() {
    let mut r = typical();
    let c = judged(&r, "6.7");
    assert_eq!((c.rust.verdict, c.python.verdict), (Confirmed, Confirmed), "{c:?}");
    assert!(c.python.evidence.contains("416 B > 16 B"), "{}", c.python.evidence);
    assert!(
        c.rust.evidence.ends_with("It is allocated with the task, not apart: 1.00 allocations a task."),
        "{}",
        c.rust.evidence
    );
    // 6.3 and 6.7 rest on one number, the header: they move together.
    set(&mut r, "tokio", "tasks", "heap_bytes_per_task", TOP, 9.0);
    set(&mut r, "python scheduling", "tasks", "bytes_per_task", PY_TOP, 0.0);
    assert_eq!(verdicts(&r, "6.7"), (Contradicted, Contradicted));
    assert_eq!(verdicts(&r, "6.3").0, Contradicted);
}

#[test]
fn all_of_it_sits_in_memory_at_once_when_spawning_every_job_peaks_at_a_task_a_job() {
    let mut r = typical();
    let c = judged(&r, "6.8");
    assert_eq!((c.rust.verdict, c.python.verdict), (Confirmed, Confirmed), "{c:?}");
    assert!(
        c.rust.evidence.contains(
            "peaked at 25.2 MiB, 264 B a job, against an idle task's 128 B (at 1000000 tasks): ratio 2.063x > 0.500x"
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
    assert!(c.rust.evidence.contains("> 31.623x"), "{}", c.rust.evidence);
    set(&mut r, "tokio worker pool", "jobs", "peak_heap_mb", JOBS, 20.0);
    set(&mut r, "python worker pool", "jobs", "peak_traced_mb", JOBS, 100.0);
    assert_eq!(verdicts(&r, "6.9"), (Contradicted, Contradicted));
}

#[test]
fn an_idle_task_holds_memory_and_is_a_graph_when_it_is_more_than_one_allocation() {
    let mut r = typical();
    let c = judged(&r, "6.10");
    // tokio: 128 B an idle task, but one block: memory, no graph.
    assert_eq!((c.rust.verdict, c.python.verdict), (Refined, Confirmed), "{c:?}");
    assert!(c.rust.evidence.contains("128 B > 16 B, and its allocations 1.00 <= 1.50: refined"), "{}", c.rust.evidence);
    assert!(c.python.evidence.contains("14.00 > 1.50"), "{}", c.python.evidence);
    set(&mut r, "tokio", "tasks", "allocations_per_task", TOP, 2.0);
    set(&mut r, "python", "tasks", "allocations_per_task", PY_TOP, 1.0);
    assert_eq!(verdicts(&r, "6.10"), (Confirmed, Refined));
    set(&mut r, "tokio", "tasks", "heap_bytes_per_task", TOP, 8.0);
    assert_eq!(verdicts(&r, "6.10").0, Contradicted);
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
    assert!(c.python.evidence.contains("0.0012x < 0.0316x"), "{}", c.python.evidence);
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
