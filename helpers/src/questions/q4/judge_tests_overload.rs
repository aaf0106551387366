//! q4's rules on what overload costs: goodput (4.1), memory pressure (4.2), waits for the server's pool (4.6).

use super::*;

#[test]
fn rule_4_1_overload_is_goodput_lost_and_a_backlog_alone_is_refined() {
    let mut r = run();
    let c = judged(&r, "4.1");
    assert!(
        c.rust.evidence.contains("with no limit (1400/s) against limit 50 (2200/s), kept 0.636x < 0.8x: confirmed"),
        "{}",
        c.rust.evidence
    );
    assert!(
        c.rust.evidence.contains("with no limit, the server served 400 requests after their client had gone"),
        "{}",
        c.rust.evidence
    );
    assert!(c
        .rust
        .evidence
        .contains("drains the 1000 requests in 400 ms: sent all at once, at most 600 can be answered"));
    // Goodput held: the queue alone decides between a backlog (refined) and no overload (contradicted).
    with(&mut r, "tokio", 0.0, "goodput_per_s", 2100.0);
    with(&mut r, "python", 0.0, "goodput_per_s", 2100.0);
    with(&mut r, "tokio", 0.0, "server_max_queue", 20.0);
    let c = judged(&r, "4.1");
    assert_eq!(verdicts(&c), (Contradicted, Refined));
    assert!(c.rust.evidence.contains("20 <= 50: contradicted"), "{}", c.rust.evidence);
    assert!(c.python.evidence.contains("850 > 50: refined"), "{}", c.python.evidence);
    // No answer in the bounded run: nothing to compare with.
    with(&mut r, "tokio", 50.0, "goodput_per_s", 0.0);
    assert_eq!(verdicts(&judged(&r, "4.1")).0, NotMeasured);
}

#[test]
fn rule_4_2_pressure_is_a_share_of_the_machine_and_growth_a_fifth_of_the_client() {
    let mut r = run();
    let c = judged(&r, "4.2");
    let e = &c.rust.evidence;
    assert!(
        e.contains(
            "tokio requests in flight without a limit added 6.5 MiB (peak RSS (since reset): 13.7 MiB with no limit, 7.2 \
             MiB with limit 50), of the machine's 24.0 GiB 0.0264% <= 10%"
        ),
        "{e}"
    );
    assert!(
        e.contains("added +90.0% > +20%: refined. Memory grows with the requests in flight, but this is growth"),
        "{e}"
    );
    assert!(c.python.evidence.contains("added +30.0% > +20%: refined"), "{}", c.python.evidence);
    assert!(e.contains("The kernel counted 0 ms of memory stall"), "{e}");
    assert!(e.contains("A tenth of that memory would take 2.5 MiB a request in flight for 1000 requests."), "{e}");
    // A small machine, or a small cgroup limit on a big one: the same megabytes are pressure.
    r.machine.memory_bytes = 48 << 20;
    assert_eq!(verdicts(&judged(&r, "4.2")).0, Confirmed);
    r.machine.memory_bytes = 24 << 30;
    r.machine.memory_limit_bytes = Some(48 << 20);
    let c = judged(&r, "4.2");
    assert_eq!(c.rust.verdict, Confirmed);
    assert!(c.rust.evidence.contains("of the cgroup's limit 48.0 MiB"), "{}", c.rust.evidence);
    r.machine.memory_limit_bytes = None;
    // Without a kernel pressure reading, the evidence says so.
    r.series.retain(|s| s.y != "memory_stall_ms");
    assert!(judged(&r, "4.2").rust.evidence.contains("no kernel memory-pressure reading"));
    with(&mut r, "python", 0.0, "peak_rss_mb", 24.5);
    assert_eq!(verdicts(&judged(&r, "4.2")).1, Contradicted);
    // A refused reset: the peak is the process's lifetime peak, so not measured; an older result: said, and judged.
    with(&mut r, "python", 50.0, "peak_reset", 0.0);
    r.series.retain(|s| !(s.name == "tokio" && s.y == "peak_reset"));
    let c = judged(&r, "4.2");
    assert_eq!(verdicts(&c), (Refined, NotMeasured));
    assert!(c.rust.evidence.contains("peak RSS (reset not recorded) with no limit"), "{}", c.rust.evidence);
    let e = &c.python.evidence;
    assert!(
        e.contains("before the python run at limit 50 (peak_reset 0)") && e.contains("with no limit against"),
        "{e}"
    );
    // Without the machine's memory there is no share to take.
    r.machine.memory_bytes = 0;
    assert_eq!(verdicts(&judged(&r, "4.2")).0, NotMeasured);
}

#[test]
fn rule_4_6_the_pool_ran_out_where_requests_gave_up_waiting_for_it() {
    let mut r = run();
    let c = judged(&r, "4.6");
    assert!(
        c.rust
            .evidence
            .contains("no limit (380) less limit 50 (0), as a share of the 1000 requests 38.0% > 1%: confirmed"),
        "{}",
        c.rust.evidence
    );
    // None starved: a queue longer than the pool is saturation (refined); no more waiters than bounded: contradicted.
    with(&mut r, "tokio", 0.0, "server_starved", 0.0);
    with(&mut r, "python", 0.0, "server_starved", 0.0);
    with(&mut r, "python", 0.0, "server_max_queue", 1.0);
    let c = judged(&r, "4.6");
    assert_eq!(verdicts(&c), (Refined, Contradicted));
    assert!(c.rust.evidence.contains("no limit (800) less limit 50 (1) 799 > 50: refined"), "{}", c.rust.evidence);
    assert!(c.python.evidence.contains("0 <= 50: contradicted"), "{}", c.python.evidence);
}
