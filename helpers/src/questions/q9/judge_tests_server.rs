//! q9's server-mode and sweep rules on synthetic results: 9.5 and 9.7 under the raised open-files limit (not
//! measured where it could not be raised), 9.8 on goodput past capacity; and the notebook's sentences and charts.

use super::*;

#[test]
fn too_many_open_files_is_judged_under_the_raised_limit_and_not_measured_where_it_could_not_be_raised() {
    let r = sample();
    // The limit went no higher than 20,000 for 50,000 requests: that run was skipped, and says why.
    let (rust, py) = of(&r, "9.5");
    assert_eq!((rust.verdict, py.verdict), (NotMeasured, NotMeasured));
    says(
        &rust,
        &[
            "tokio's open-files limit could be raised only to 20000 (wanted 51024) for the 50000 requests",
            "needs CAP_SYS_RESOURCE",
            "what fails next is not measured on this machine",
            "Under the lab's lowered limit of 1024 (a common default), 44789 of the 50000 requests failed with EMFILE",
        ],
    );
    // Held below the requests by something else than a refusal (fs.nr_open, say): said so.
    let mut r2 = r.clone();
    set(&mut r2, "tokio", "limit", "nofile_refused", RAISED, 0.0);
    says(&of(&r2, "9.5").0, &["the hard limit or the kernel's ceiling (fs.nr_open) held it there"]);
    // Under a limit raised above the requests: EMFILE there confirms it, none refines it.
    let mut r2 = raised(r.clone());
    set(&mut r2, "tokio", "limit", "emfile", RAISED, 2_000.0);
    let (rust, py) = of(&r2, "9.5");
    assert_eq!((rust.verdict, py.verdict), (Confirmed, Refined), "{}", rust.evidence);
    says(
        &rust,
        &[
            "limit of 65536 (raised by the lab above the requests), at most 28300 descriptors open",
            "EMFILE errors 2000 > 0: confirmed",
            "28232 ephemeral",
            "Under the lab's lowered limit of 1024",
        ],
    );
    says(&py, &["EMFILE errors 0 <= 0: refined", "Possible, not seen at this limit (2000 ok, 28000 EADDRNOTAVAIL"]);
    // A result without the raised run (an older lab's): the lowered run, forced, is not measured, as before.
    let mut old = r.clone();
    for s in old.series.iter_mut() {
        s.points.retain(|p| p[0] != RAISED);
    }
    let (rust, _) = of(&old, "9.5");
    assert_eq!(rust.verdict, NotMeasured);
    says(
        &rust,
        &["44789 of the 50000 requests", "fails first by the experiment's design", "their 50000 connections do"],
    );
    // ... and judged where its limit did not force the outcome.
    set(&mut old, "tokio", "limit", "nofile", 0.0, 65_536.0);
    set(&mut old, "tokio", "limit", "emfile", 0.0, 0.0);
    set(&mut old, "tokio", "limit", "ok", 0.0, 50_000.0);
    let (rust, _) = of(&old, "9.5");
    assert_eq!(rust.verdict, Refined);
    says(&rust, &["limit of 65536 (set by the lab)", "EMFILE errors 0 <= 0: refined", "Possible, not seen"]);
}

#[test]
fn instability_where_the_limit_could_not_be_raised_is_not_measured() {
    let r = sample();
    let (rust, py) = of(&r, "9.7");
    assert_eq!((rust.verdict, py.verdict), (NotMeasured, NotMeasured));
    says(
        &rust,
        &[
            "tokio's open-files limit could be raised only to 20000 (wanted 51024)",
            "what fails next is not measured on this machine",
            "Memory: peak RSS (since reset) 27.0 MiB at 50000 sleeping tasks",
        ],
    );
    // Without the raised run (an older result), the lowered run forced the outcome: not measured, as before.
    let mut old = r.clone();
    for s in old.series.iter_mut() {
        s.points.retain(|p| p[0] != RAISED);
    }
    says(
        &of(&old, "9.7").0,
        &["44789 of the 50000 requests sent at once from tokio failed with EMFILE under the open-files limit of 1024"],
    );
}

#[test]
fn instability_is_attributed_by_failure_type_first_then_the_cpu() {
    let mut r = raised(sample());
    // Under the raised limit, most failures EADDRNOTAVAIL: a hard limit, unstable but not for the notes' reason.
    let (rust, py) = of(&r, "9.7");
    assert_eq!((rust.verdict, py.verdict), (Refined, Refined));
    says(
        &rust,
        &[
            "none limited, the open-files limit raised above them: failed or timed out 96.0% > 1%: true.",
            "Is it the reason? EMFILE and EADDRNOTAVAIL of the 48000 failures 58.3% >= 50%",
            "what ran out was a hard limit",
        ],
    );
    // Failures that were timeouts while the CPU had room: scheduler pressure, confirmed.
    set(&mut r, "python", "limit", "addr_not_avail", RAISED, 4_000.0);
    set(&mut r, "python", "limit", "timeouts", RAISED, 40_000.0);
    set(&mut r, "python", "limit", "client_cpu_busy", RAISED, 0.54);
    let (_, py) = of(&r, "9.7");
    assert_eq!(py.verdict, Confirmed);
    says(&py, &["9.09% < 50%", "cores busy 0.54 of 1 (its loop thread) 54.0% < 90%: confirmed", "scheduler pressure"]);
    // A saturated CPU: the reason the notes rule out.
    set(&mut r, "python", "limit", "client_cpu_busy", RAISED, 1.0);
    let (_, py) = of(&r, "9.7");
    assert_eq!(py.verdict, Refined);
    says(&py, &["100% >= 90%: refined", "with the CPU saturated"]);
    // Nothing failed: nothing became unstable.
    for y in ["addr_not_avail", "timeouts"] {
        set(&mut r, "tokio", "limit", y, RAISED, 0.0);
    }
    let (rust, _) = of(&r, "9.7");
    assert_eq!(rust.verdict, Contradicted);
    says(&rust, &["failed or timed out 0.00% <= 1%: contradicted", "did not fail"]);
}

#[test]
fn collapse_is_goodput_past_capacity_falling_below_half_of_goodput_at_capacity() {
    let mut r = sample();
    let (rust, py) = of(&r, "9.8");
    assert_eq!((rust.verdict, py.verdict), (Confirmed, Confirmed));
    says(
        &rust,
        &[
            "tokio's goodput at 800 requests/s offered (4.0x capacity) 31/s / at 200/s (1.0x) 176/s = 0.176x < 0.5x: \
             confirmed",
            "the server still served 176/s (81.8% of it to requests already given up) and got 1301 attempts/s",
            "With at most 500 in flight, the 50000 requests sent at once had 0 failures or timeouts.",
        ],
    );
    // Judged at the point the params fix (the highest load), never the one that confirms best.
    set(&mut r, "tokio", "offered_per_s", "goodput_per_s", 800.0, 120.0);
    let (rust, _) = of(&r, "9.8");
    assert_eq!(rust.verdict, Refined);
    says(&rust, &["0.682x >= 0.5x, and the same ratio 0.682x < 0.9x: refined", "degraded, not collapsed"]);
    set(&mut r, "tokio", "offered_per_s", "goodput_per_s", 800.0, 190.0);
    let (rust, _) = of(&r, "9.8");
    assert_eq!(rust.verdict, Contradicted);
    says(&rust, &["1.08x >= 0.9x: contradicted", "a plateau, not a collapse"]);
    // A client that could not offer the load: not measured, the client was the limit.
    set(&mut r, "python", "offered_per_s", "offered_kept_per_s", 800.0, 500.0);
    let (_, py) = of(&r, "9.8");
    assert_eq!(py.verdict, NotMeasured);
    says(&py, &["asyncio offered only 500 requests/s of the 800/s asked", "the client, not the server, was the limit"]);
    // The sweep skipped, or the asyncio client left out of it.
    r.params = serde_json::json!({"collapse": {"python": false}});
    assert_eq!(verdicts(&r, "9.8"), (Contradicted, NotMeasured));
    says(&of(&r, "9.8").1, &["collapse.python: false"]);
    r.params = serde_json::json!({"collapse": {"loads": []}});
    assert_eq!(verdicts(&r, "9.8"), (NotMeasured, NotMeasured));
    // The reference and the judged point come from the params: here 2x is the highest load.
    r.params = serde_json::json!({"collapse": {"loads": [0.5, 1.0, 2.0]}});
    let (rust, _) = of(&r, "9.8");
    assert_eq!(rust.verdict, Confirmed);
    says(&rust, &["at 400 requests/s offered (2.0x capacity) 43/s / at 200/s (1.0x) 176/s = 0.244x"]);
}

#[test]
fn the_notebooks_sentences_and_charts_read_the_run() {
    let r = sample();
    let s = collapse_numbers(&r).unwrap();
    assert!(
        s.starts_with(
            "tokio: goodput 176/s at 200/s offered, 31/s at 800/s offered, while the server served 176/s and got \
             1301 attempts/s (retries included)\nasyncio: "
        ),
        "{s}"
    );
    let s = raised_numbers(&r).unwrap();
    assert!(
        s.starts_with(
            "tokio: the open-files limit went no higher than 20000 (wanted 51024; raising the hard limit was \
             refused), below the 50000 requests: the run was skipped"
        ),
        "{s}"
    );
    let s = raised_numbers(&raised(r.clone())).unwrap();
    assert!(
        s.starts_with(
            "tokio: 50000 requests at once under an open-files limit of 65536: 2000 ok, 0 EMFILE, 28000 \
             EADDRNOTAVAIL, 20000 timeouts"
        ),
        "{s}"
    );
    let s = gc_numbers(&r).unwrap();
    assert_eq!(
        s,
        "1000 tasks: 17 passes, 1.60 ms collecting, 1.3% of the run, longest pause 0.600 ms\n50000 tasks: 1000 \
         passes, 660 ms collecting, 27.5% of the run, longest pause 144 ms"
    );
    for chart in [server_chart(&r), server_chart(&raised(r.clone())), goodput_chart(&r), gc_time_chart(&r)] {
        chart.unwrap();
    }
    // Without the sweep or the timed collector (an older result), the sentences say what is missing.
    let mut old = r.clone();
    old.series.retain(|s| s.x != "offered_per_s" && s.y != "gc_ms");
    assert!(collapse_numbers(&old).is_err());
    assert!(gc_numbers(&old).is_err());
    // Skipped by the params: said so, not an error in the notebook.
    let mut skipped = r.clone();
    skipped.params = serde_json::json!({"collapse": {"loads": []}, "raise_nofile": false});
    skipped.series.retain(|s| !s.points.iter().any(|p| p[0] == RAISED));
    assert_eq!(collapse_numbers(&skipped).unwrap(), "The offered-load sweep was skipped (collapse.loads is empty).");
    assert!(raised_numbers(&skipped).unwrap().starts_with("No run under a raised open-files limit"));
}
