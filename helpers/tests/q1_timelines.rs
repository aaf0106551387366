//! `lab q1`'s timelines with small parameters: a span per job on the thread that ran it, the heartbeat's ticks as
//! marks, and nothing recorded with `timeline: false`. (Its own test binary: cargo runs test binaries one at a
//! time, so these CPU-bound runs never share the machine with `experiments`.)

mod common;

use helpers::result::LabResult;

#[test]
fn q1_timelines_show_each_jobs_thread_and_the_loop_blocked_while_it_computes() {
    common::use_test_binary();
    let p = helpers::q1::Params { jobs: 4, job_ms: 20.0, repeats: 1, python: false, ..Default::default() };
    let r = helpers::q1::run(&p).unwrap();
    assert_eq!(&LabResult::from_json(&r.to_json().unwrap()).unwrap(), &r, "timelines survive the JSON round trip");
    let tl = |name: &str| r.timeline(name).unwrap_or_else(|| panic!("no timeline of {name}"));
    let names =
        ["sequential", "tokio current_thread", "tokio multi_thread", "spawn_blocking", "rayon", "tokio yield_now"];
    assert_eq!(r.timelines.len(), names.len());
    for name in names {
        let t = tl(name);
        assert_eq!((t.spans.len(), t.total), (4, 4), "{name}: one span per job");
        assert_eq!(t.at, "repeat 1");
        for s in &t.spans {
            let (a, b) = (s.at(0).unwrap(), s.at(1).unwrap());
            assert!(0.0 <= a && a < b && b <= t.end_ms, "{name}: job {} ran {a}..{b} of {} ms", s.task, t.end_ms);
            assert!((s.lane as usize) < t.lanes.len(), "{name}: lane {} of {:?}", s.lane, t.lanes);
        }
        let m = t.marks.as_ref().unwrap_or_else(|| panic!("{name}: no heartbeat marks"));
        assert!(!m.points.is_empty() && m.points.iter().all(|p| p[0] >= 0.0), "{name}: {:?}", m.points);
    }
    // One loop thread: the jobs run on it back to back, and the heartbeat beside them on that thread ticks
    // between jobs only (the gap), late by at least half a job when it does.
    let ct = tl("tokio current_thread");
    assert_eq!(ct.lanes, ["loop thread 0"]);
    let ticks = &ct.marks.as_ref().unwrap().points;
    assert!(ticks.iter().any(|t| t[1] >= 10.0), "no tick 10 ms late: {ticks:?}");
    for s in &ct.spans {
        let (a, b) = (s.at(0).unwrap(), s.at(1).unwrap());
        let during: Vec<_> = ticks.iter().filter(|t| a + 0.01 < t[0] && t[0] < b - 0.01).collect();
        assert!(during.is_empty(), "ticks served while job {} ran {a}..{b} ms on the loop: {during:?}", s.task);
    }
    // The pools spread the jobs over their threads: one per core (at most the jobs), more than one on 2+ cores.
    let lanes = |name: &str| tl(name).lanes.len();
    for name in ["rayon", "tokio multi_thread"] {
        assert!(lanes(name) <= r.machine.cores.min(4), "{name}: {} lanes", lanes(name));
        if r.machine.cores > 1 {
            assert!(lanes(name) > 1, "{name}: every job on one thread of {} cores", r.machine.cores);
        }
    }
    assert!((1..=4).contains(&lanes("spawn_blocking")));

    // Off: the same run records nothing.
    let off = helpers::q1::run(&helpers::q1::Params { timeline: false, ..p }).unwrap();
    assert!(off.timelines.is_empty(), "{:?}", off.timelines.iter().map(|t| &t.name).collect::<Vec<_>>());
    assert!(off.value("tokio current_thread", "lag_max_ms", 4.0).is_ok());
}
