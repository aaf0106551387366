//! Every experiment but q4 (in `q4_overload.rs`) with small parameters: the qualitative claims hold, and
//! the result JSON has the schema the notebooks and reports read.

mod common;
mod open_loop_checks;
mod schema_checks;
mod timeline_checks;

use helpers::result::Verdict;
use helpers::{q3, q5};
use schema_checks::check_schema;

/// The CPU-bound tests measure cores busy: they must not share the machine with each other.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

#[test]
fn q3_limit_100_beats_limit_10_by_more_than_5x() {
    common::use_test_binary();
    let p =
        q3::Params { tasks: 1000, latency_ms: 20, limits: vec![10, 100], overhead_tasks: 2000, ..Default::default() };
    let r = helpers::q3::run(&p).unwrap();
    check_schema(&r, &["tokio", "threads", "python", q3::PYTHON_THREADS, "ideal"]);
    for name in ["tokio", "threads", "python"] {
        let slow = r.value(name, "runtime_s", 10.0).unwrap();
        let fast = r.value(name, "runtime_s", 100.0).unwrap();
        assert!(slow > 5.0 * fast, "{name}: limit 10 took {slow} s, limit 100 {fast} s");
        // No run beats the model: ceil(N/limit) x latency.
        assert!(fast >= 0.99 * q3::ideal_s(1000, 100, 20), "{name}: {fast}");
        // Whether its peak was reset (1) or the kernel refused (0: a lifetime peak) is recorded, for the judge.
        let reset = r.value(name, "peak_reset", 10.0).unwrap();
        assert!(reset == 0.0 || reset == 1.0, "{name}: peak_reset {reset}");
    }
    // The control: the same sleeps on a Python thread pool of the reference limit's size, one point there, near
    // ceil(N / L) x latency.
    let (l, pool) = (q3::reference_limit(&p.limits), r.series(q3::PYTHON_THREADS, "runtime_s").unwrap());
    assert_eq!(pool.points.len(), 1, "{:?}", pool.points);
    let (ideal, took) = (q3::ideal_s(1000, l, 20), r.value(q3::PYTHON_THREADS, "runtime_s", l as f64).unwrap());
    assert!((0.5 * ideal..=3.0 * ideal).contains(&took), "python threads at limit {l}: {took} s, ideal {ideal} s");
    // Sleeping tasks leave the CPU nearly idle: the "constantly utilized thread" is contradicted.
    assert!(r.value("tokio", "cpu_busy", 100.0).unwrap() < 0.5);
    // Contradicted below 0.1 cores, refined up to 0.5: at 20 ms sleeps a busy machine can land either side.
    assert_ne!(r.claim("3.2").unwrap().rust.verdict, Verdict::Confirmed);
    // A tokio spawn is far cheaper than a thread spawn.
    assert!(r.value("tokio", "spawn_us", 2000.0).unwrap() * 5.0 < r.value("threads", "spawn_us", 2000.0).unwrap());
    // The run saved its result for the ledger, where the tests put results (not the user's results/).
    let saved = helpers::load(common::test_results_dir().join(r.file_name())).unwrap();
    assert_eq!(saved, r);
}

#[test]
fn q5_runtime_follows_the_formula_and_never_beats_it() {
    let _one_at_a_time = serial();
    common::use_test_binary();
    let p = q5::Params {
        tasks: 200,
        limit: 100,
        latencies_ms: vec![20, 200],
        waves: vec![1, 4],
        wave_latency_ms: 20,
        ..Default::default()
    };
    let r = helpers::q5::run(&p).unwrap();
    check_schema(&r, &["tokio", "python", "ideal"]);
    for name in ["tokio", "python"] {
        let short = r.value(name, "runtime_s", 20.0).unwrap();
        let long = r.value(name, "runtime_s", 200.0).unwrap();
        assert!(long > 5.0 * short, "{name}: {short} s then {long} s");
        assert!((0.4 * 0.99..0.4 * 1.5).contains(&long), "{name}: 2 waves of 200 ms took {long} s");
    }
    // The wave sweep: 4 waves of 20 ms take at least 80 ms, so the excess over the model is not far below 0.
    for name in ["tokio", "python"] {
        let excess = r.value(name, "wave_residual_ms", 4.0).unwrap();
        assert!(excess > -1.0, "{name}: 4 waves took {excess} ms less than 4 x 20 ms");
    }
    // No run beats its waves of sleep, in either language.
    let c = r.claim("5.3").unwrap();
    assert_eq!((c.rust.verdict, c.python.verdict), (Verdict::Confirmed, Verdict::Confirmed));
}

#[test]
fn q1_async_on_one_loop_is_serial_and_blocks_it_while_pools_use_every_core() {
    let _one_at_a_time = serial();
    common::use_test_binary();
    let p = helpers::q1::Params { jobs: 4, job_ms: 40.0, repeats: 1, ..Default::default() };
    let r = helpers::q1::run(&p).unwrap();
    check_schema(&r, &["sequential", "tokio current_thread", "rayon", "python asyncio", "python processes"]);
    let v = |name: &str, y: &str| r.value(name, y, 4.0).unwrap();
    // Judged on cores busy (CPU time / wall time), which the machine's speed drift does not fool.
    assert!(v("tokio current_thread", "cores_busy") < 1.15, "{}", v("tokio current_thread", "cores_busy"));
    assert!(v("python asyncio", "cores_busy") < 1.15);
    assert!(v("python to_thread", "cores_busy") < 1.15, "the GIL lets one thread compute at a time");
    if r.machine.cores >= 2 {
        for name in ["rayon", "tokio multi_thread", "spawn_blocking"] {
            assert!(v(name, "cores_busy") >= 1.4, "{name}: {}", v(name, "cores_busy"));
        }
    }
    // The jobs on the loop block its heartbeat for at least one job; on the blocking pool they do not.
    assert!(v("tokio current_thread", "lag_max_ms") > 35.0);
    assert!(v("tokio current_thread", "lag_max_ms") > 4.0 * v("spawn_blocking", "lag_p50_ms"));
    assert!(v("python asyncio", "lag_max_ms") > 35.0);
    // 1.3: with no await in a job the heartbeat waits for all 4 jobs, 4x the line of one job.
    let c = r.claim("1.3").unwrap();
    assert_eq!((c.rust.verdict, c.python.verdict), (Verdict::Confirmed, Verdict::Confirmed), "{c:?}");
}

#[test]
fn q2_threads_and_processes_use_the_cores_while_the_gil_model_and_python_threads_take_turns() {
    let _one_at_a_time = serial();
    common::use_test_binary();
    let p = helpers::q2::Params {
        jobs: 8,
        job_ms: 20.0,
        workers: vec![2],
        repeats: 1,
        payload_bytes: vec![1_000, 100_000],
        crossover_job_us: vec![10, 3_000],
        crossover_jobs: 50,
        ..Default::default()
    };
    let r = helpers::q2::run(&p).unwrap();
    check_schema(&r, &["threads", "gil model", "processes", "python threads", "python processes", "ideal"]);
    let busy = |name: &str| r.value(name, "cores_busy", 2.0).unwrap();
    assert!(busy("gil model") <= 1.15, "{}", busy("gil model"));
    assert!(busy("python threads") <= 1.15, "{}", busy("python threads"));
    if r.machine.cores >= 2 {
        for name in ["threads", "processes", "python processes"] {
            assert!(busy(name) >= 1.4, "{name}: {}", busy(name));
        }
        // With those numbers, "threads don't scale" fails for Rust (or sits near its line) and holds for Python.
        let c = r.claim("2.1").unwrap();
        assert_ne!(c.rust.verdict, Verdict::Confirmed, "{}", c.rust.evidence);
        assert_ne!(c.python.verdict, Verdict::Contradicted, "{}", c.python.evidence);
    }
    // The shared knife is the GIL, which Rust does not have; a process costs far more than 4 threads' memory.
    assert_eq!(r.claim("2.2").unwrap().rust.verdict, Verdict::DoesNotApply);
    let c = r.claim("2.3").unwrap();
    assert_eq!((c.rust.verdict, c.python.verdict), (Verdict::Confirmed, Verdict::Confirmed), "{c:?}");
    // A process costs more memory than a thread, and a round trip grows with the message.
    assert!(
        r.value("processes", "kb_per_worker", 2.0).unwrap()
            > 10.0 * r.value("threads", "kb_per_worker", 2.0).unwrap().max(1.0)
    );
    // Where smaps_rollup was read, a worker's own pages (USS) and its share (PSS) are at most its RSS.
    for name in ["processes", "python processes"] {
        if r.value(name, "smaps_rollup_read", 2.0).unwrap() == 1.0 {
            let (uss, pss) =
                (r.value(name, "uss_kb_per_worker", 2.0).unwrap(), r.value(name, "pss_kb_per_worker", 2.0).unwrap());
            assert!(
                0.0 < uss && uss <= pss && pss <= r.value(name, "kb_per_worker", 2.0).unwrap(),
                "{name}: {uss} {pss}"
            );
        }
    }
    let trip = r.series("pipe round trip", "cost_ms").unwrap();
    assert!(trip.points[1][1] > trip.points[0][1]);
}

#[test]
fn q7_sleeping_tasks_use_far_less_cpu_than_spinning_ones_and_overlap() {
    let _one_at_a_time = serial();
    common::use_test_binary();
    let p = helpers::q7::Params { tasks: vec![5, 50], duration_ms: 10, python: true };
    let r = helpers::q7::run(&p).unwrap();
    let spin_threads = helpers::q7::SPIN_THREADS;
    check_schema(
        &r,
        &["sleep multi_thread", "spin current_thread", spin_threads, "python asyncio.sleep", "python spin"],
    );
    let v = |name: &str, y: &str| r.value(name, y, 50.0).unwrap();
    // The control: the same spins on plain threads, one per core, measured as the others at every count.
    for y in ["wall_s", "cpu_s", "cpu_util", "cpu_us_per_task", "switches"] {
        assert_eq!(r.series(spin_threads, y).unwrap().points.len(), 2, "{spin_threads} {y}");
    }
    let busy = v(spin_threads, "cpu_s") / v(spin_threads, "wall_s");
    assert!(busy >= if r.machine.cores >= 2 { 1.4 } else { 0.5 }, "{spin_threads}: {busy} cores busy");
    for (sleep, spin) in [("sleep multi_thread", "spin multi_thread"), ("python asyncio.sleep", "python spin")] {
        assert!(
            v(sleep, "cpu_s") * 20.0 < v(spin, "cpu_s"),
            "{sleep}: {} vs {spin}: {}",
            v(sleep, "cpu_s"),
            v(spin, "cpu_s")
        );
    }
    // Sleeps overlap: 50 of them take about as long as 5; blocking sleeps on one thread add up.
    assert!(v("sleep current_thread", "wall_s") < 0.1, "{}", v("sleep current_thread", "wall_s"));
    assert!(v("blocking sleep current_thread", "wall_s") > 0.45);
    assert!(v("python time.sleep", "wall_s") > 0.45);
    // 7.2 (50 sleeps take under half of 50 x 10 ms) holds by orders of magnitude. 7.1's fact (a sleeping task
    // costs under a tenth of a spinning one) does too, but its reason does not: the blocking sleeps use no CPU
    // either and add up, so "sleep uses no CPU" is true and not why the waits overlapped.
    let c = r.claim("7.2").unwrap();
    assert_eq!((c.rust.verdict, c.python.verdict), (Verdict::Confirmed, Verdict::Confirmed), "{c:?}");
    let c = r.claim("7.1").unwrap();
    assert_eq!((c.rust.verdict, c.python.verdict), (Verdict::Refined, Verdict::Refined), "{c:?}");
    assert!(c.rust.evidence.contains(": true.") && c.rust.evidence.contains("used no CPU either"), "{c:?}");
}

#[test]
fn q8_inline_serialization_blocks_the_loop_and_offloading_does_not() {
    let _one_at_a_time = serial();
    common::use_test_binary();
    let p = helpers::q8::Params {
        tasks: 8,
        doc_bytes: vec![1_000, 2_000_000],
        judge_doc_bytes: 2_000_000,
        open_requests: 40,
        open_requests_rust: 40,
        ..Default::default()
    };
    let r = helpers::q8::run(&p).unwrap();
    let built = helpers::q8::BUILT_IN_WORKER;
    check_schema(&r, &["inline current_thread", "spawn_blocking", "rayon", "python inline", "python processes", built]);
    let v = |name: &str, y: &str| r.value(name, y, 2_000_000.0).unwrap();
    // The control: the pool's workers build their own documents, every size measured as the other variants.
    for x in [1_000.0, 2_000_000.0] {
        let mb_per_s = r.value(built, "mb_per_s", x).unwrap();
        assert!(mb_per_s > 0.0 && mb_per_s.is_finite(), "{built} at {x} bytes: {mb_per_s} MB/s");
    }
    for y in ["lag_p99_ms", "ping_p99_ms", "cores_busy", "parent_peak_rss_mb", "workers_added_peak_mb"] {
        assert!(v(built, y) >= 0.0, "{built} {y}");
    }
    let one = r.value("one document", "serialize_ms", 2_000_000.0).unwrap();
    // Inline, the heartbeat waits at least one serialization; on the blocking pool it keeps closer to its tick.
    assert!(v("inline current_thread", "lag_max_ms") >= one, "{} < {one}", v("inline current_thread", "lag_max_ms"));
    assert!(v("inline current_thread", "lag_max_ms") > v("spawn_blocking", "lag_p50_ms"));
    assert!(v("python inline", "lag_max_ms") > v("python processes", "lag_p50_ms"));
    // json.dumps on threads gets no parallelism under the GIL.
    assert!(v("python to_thread", "cores_busy") < 1.2, "{}", v("python to_thread", "cores_busy"));
    // 8.3: the loop's longest stall grows far more than 10x from 1 KB to 2 MB documents (8 x 2 MB inline);
    // 8.7: memory grows by more than the document; the GIL claims do not apply to Rust.
    for id in ["8.3", "8.7"] {
        let c = r.claim(id).unwrap();
        assert_eq!((c.rust.verdict, c.python.verdict), (Verdict::Confirmed, Verdict::Confirmed), "{c:?}");
    }
    for id in ["8.2", "8.8", "8.10"] {
        assert_eq!(r.claim(id).unwrap().rust.verdict, Verdict::DoesNotApply, "{id}");
    }
    timeline_checks::check_q8(&r, p.ping_ms as f64);
    open_loop_checks::check_q8(&r, 80.0, [40.0, 40.0]);
}

#[test]
fn q9_many_sleeping_tasks_complete_and_thousands_of_connections_hit_the_open_files_limit() {
    let _one_at_a_time = serial();
    common::use_test_binary();
    std::env::set_var("LAB_TEST_MARK", "q9-run");
    let p = helpers::q9::Params {
        tasks: vec![1_000, 20_000],
        latency_ms: 50,
        python_max_tasks: 20_000,
        server_tasks: 2_000,
        server_limit: 100,
        nofile: None,
        raise_nofile: true,
        collapse: helpers::q9::Collapse { loads: vec![1.0, 4.0], seconds: 0.2, ..Default::default() },
    };
    // The run's open-files limit, lowered for the lab child (and inherited by its Python client).
    let r = helpers::q9::run_with(&p, &helpers::Budget { nofile: Some(256), ..Default::default() });
    std::env::remove_var("LAB_TEST_MARK");
    let r = r.unwrap();
    check_schema(&r, &["tokio", "python"]);
    let t = |y: &str, x: f64| r.value("tokio", y, x).unwrap();
    let bytes = t("bytes_per_task", 20_000.0);
    assert!((64.0..4096.0).contains(&bytes), "tokio heap bytes per task: {bytes}");
    assert!(t("wall_s", 20_000.0) >= 0.05);
    // Python's collector ran more with more tasks; memory grew with tasks in both.
    assert!(r.value("python", "gc_gen0", 20_000.0).unwrap() > r.value("python", "gc_gen0", 1_000.0).unwrap());
    assert!(r.value("python", "peak_rss_mb", 20_000.0).unwrap() > r.value("python", "peak_rss_mb", 1_000.0).unwrap());
    // Each run records whether its peak was reset (1) or the kernel refused (0: a lifetime peak).
    for name in ["tokio", "python"] {
        let reset = r.value(name, "peak_reset", 20_000.0).unwrap();
        assert!(reset == 0.0 || reset == 1.0, "{name}: peak_reset {reset}");
    }
    // 2,000 connections at once under a limit of 256 descriptors: EMFILE, counted; with 100 in flight, none.
    for client in ["tokio", "python"] {
        let v = |y: &str, x: f64| r.value(client, y, x).unwrap();
        assert!(v("emfile", 0.0) > 0.0, "{client}: no EMFILE");
        assert_eq!(v("ok", 100.0), 2_000.0, "{client}: the limit did not fix it");
        // The limit each client ran under is in the result, for the judge: the one the lab child inherited.
        assert_eq!(v("nofile", 0.0), 256.0, "{client}");
        // Raised above the requests for one run (3,024 wanted: within this machine's hard limit, or the run says
        // it went no higher and was skipped), and back down to 256 for the bounded run after it.
        let raised = v("nofile", helpers::q9::RAISED);
        assert_eq!(v("nofile_wanted", helpers::q9::RAISED), 3_024.0, "{client}");
        if raised >= 2_000.0 {
            assert_eq!(v("emfile", helpers::q9::RAISED), 0.0, "{client}: EMFILE under a limit above the requests");
        } else {
            assert!(r.value(client, "ok", helpers::q9::RAISED).is_err(), "{client}: a run under a short limit");
        }
        assert_eq!(v("nofile", 100.0), 256.0, "{client}: the raised limit was not restored");
        // The sweep: the server serves no faster than its capacity (pool / service), and goodput is part of it.
        let (cap, top) = (200.0, 800.0);
        assert!(v("server_served_per_s", top) <= cap * 1.1, "{client}: served {}", v("server_served_per_s", top));
        assert!(v("goodput_per_s", top) <= v("server_served_per_s", top) * 1.01 + 1.0, "{client}");
        assert!(v("goodput_per_s", cap) > 0.0, "{client}");
    }
    // Verdicts that hold by physics here. 2,000 connections under a limit raised above them cannot hit EMFILE: 9.5
    // is refined there ("possible, not seen"), or not measured where the limit could not be raised. 20x the tasks,
    // far more collector passes (9.2, Python): never contradicted, and whether they matter is their time, measured;
    // Rust has no collector.
    use helpers::result::Verdict;
    let c = |id: &str| r.claim(id).unwrap();
    let expected = if r.value("tokio", "nofile", helpers::q9::RAISED).unwrap() >= 2_000.0 {
        Verdict::Refined
    } else {
        Verdict::NotMeasured
    };
    assert_eq!(c("9.5").rust.verdict, expected, "{}", c("9.5").rust.evidence);
    assert!(c("9.5").rust.evidence.contains("Under the lab's lowered limit of 256"), "{}", c("9.5").rust.evidence);
    assert_eq!(c("9.2").rust.verdict, Verdict::DoesNotApply);
    assert!([Verdict::Confirmed, Verdict::Refined].contains(&c("9.2").python.verdict), "{}", c("9.2").python.evidence);
    assert!(r.value("python", "gc_ms", 20_000.0).unwrap() > 0.0);
    assert!(common::wait_for(3.0, || common::processes_with_env("LAB_TEST_MARK=q9-run").is_empty()));
}

#[test]
fn q6_task_memory_is_small_and_bounded_by_live_tasks() {
    let _one_at_a_time = serial();
    common::use_test_binary();
    let p = helpers::q6::Params {
        tasks: vec![1_000, 50_000],
        threads: vec![200],
        jobs: 20_000,
        limit: 100,
        python_max_tasks: 1_000,
        mimalloc: true,
    };
    let r = helpers::q6::run(&p).unwrap();
    check_schema(&r, &["tokio", "tokio mimalloc", "threads", "python coroutine", "tokio spawn all"]);
    let heap = r.value("tokio", "heap_bytes_per_task", 50_000.0).unwrap();
    assert!((64.0..4096.0).contains(&heap), "tokio heap bytes per task: {heap}");
    // A sleeper's timer entry is in its future: larger than the smallest task (pending()), still one allocation.
    let sleeper = |y: &str| r.value("tokio sleeping", y, 50_000.0).unwrap();
    assert!(sleeper("heap_bytes_per_task") > heap && sleeper("allocations_per_task") < 1.5);
    // A future that holds 1 KiB across its await costs at least 1 KiB per task.
    assert!(r.value("tokio holding 1 KiB", "heap_bytes_per_task", 50_000.0).unwrap() >= 1024.0);
    // Spawning every job keeps them all alive; a pool of 100 does not.
    let all = r.value("tokio spawn all", "peak_heap_mb", 20_000.0).unwrap();
    let pool = r.value("tokio worker pool", "peak_heap_mb", 20_000.0).unwrap();
    assert!(all > 5.0 * pool.max(0.01), "spawn all {all} MiB vs pool {pool} MiB");
    let py_all = r.value("python gather all", "peak_traced_mb", 20_000.0).unwrap();
    let py_pool = r.value("python worker pool", "peak_traced_mb", 20_000.0).unwrap();
    assert!(py_all > 5.0 * py_pool, "{py_all} vs {py_pool}");
    // Allocation counts and heap bytes are exact: the verdicts that read them cannot drift.
    let verdicts = |id: &str| {
        let c = r.claim(id).unwrap();
        (c.rust.verdict, c.python.verdict)
    };
    assert_eq!(verdicts("6.2"), (Verdict::DoesNotApply, Verdict::Confirmed), "a future stored inside its task");
    assert_eq!(verdicts("6.6"), (Verdict::Confirmed, Verdict::Confirmed), "a JoinHandle is 8 bytes");
    assert_eq!(verdicts("6.10"), (Verdict::Refined, Verdict::Confirmed), "memory in one block vs a graph");
    // Spawning all 20,000 jobs against a pool of 100: about 200x the memory, far above the line (sqrt 200).
    assert_eq!(verdicts("6.9"), (Verdict::Confirmed, Verdict::Confirmed));
}
