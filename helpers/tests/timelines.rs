//! The timelines `lab q3` and `lab q5` record, from small runs: what the counts and spans say holds for every
//! runtime, Rust's and the Python twin's.

mod common;

use helpers::timeline::Timeline;
use helpers::{q3, q5};

/// What every gated-sleep timeline says, whatever the runtime: `limit` permits held and never more, every task
/// waiting at the start but those that got a permit at once, none at the end, and each span whole.
fn check_gated(t: &Timeline, tasks: u64, limit: u64) {
    let name = &t.name;
    assert_eq!(t.instants, ["spawned", "permit", "finished"], "{name}");
    let (held, waiting) = (&t.counts[0], &t.counts[1]);
    assert_eq!((held.name.as_str(), waiting.name.as_str()), ("holding a permit", "waiting for a permit"));
    assert_eq!(held.max(), limit as f64, "{name}: at most the limit, and reaching it: {:?}", held.points);
    let at_least = (tasks - limit) as f64;
    assert!((at_least..=tasks as f64).contains(&waiting.max()), "{name}: {} waiting at most", waiting.max());
    for c in [held, waiting] {
        assert_eq!(c.points.last().unwrap()[1], 0.0, "{name}: {} at the end", c.name);
    }
    assert_eq!((t.total, t.spans.len()), (tasks, tasks as usize), "{name}");
    assert!(t.spans.len() <= helpers::timeline::MAX_SPANS);
    assert_eq!(t.sampling, format!("all {tasks} tasks"), "{name}");
    for s in &t.spans {
        let (spawned, permit, done) = (s.at(0).unwrap(), s.at(1).unwrap(), s.at(2).unwrap());
        assert!(spawned <= permit && permit < done && done <= t.end_ms, "{name}: task {}: {:?}", s.task, s.at);
    }
}

#[test]
fn q3_records_each_runtime_at_the_reference_limit_and_charts_it() {
    common::use_test_binary();
    let (tasks, limit) = (200, 20);
    let p = q3::Params { tasks, latency_ms: 20, limits: vec![10, limit], overhead_tasks: 0, ..Default::default() };
    let r = helpers::q3::run(&p).unwrap();
    let names: Vec<&str> = r.timelines.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["tokio", "threads", "python"]);
    for t in &r.timelines {
        assert_eq!(t.at, "limit 20, repeat 1", "the limit nearest the notes' 100");
        check_gated(t, tasks, limit);
        // Each task sleeps its 20 ms after its permit, less nothing.
        assert!(t.spans.iter().all(|s| s.at(2).unwrap() - s.at(1).unwrap() >= 19.9), "{}", t.name);
    }
    let threads = r.timeline("threads").unwrap();
    assert_eq!(threads.lanes.len(), limit as usize, "a lane per thread of the pool");
    assert!(threads.spans.iter().all(|s| s.at(0) == Some(0.0)), "every job exists from the start");
    let alt = q3::in_flight_chart(&r).unwrap().alt;
    assert!(alt.contains("threads (limit 20, repeat 1, 200 in all): holding a permit at most 20,"), "{alt}");
    assert!(q3::lifetimes_chart(&r).unwrap().alt.contains("python: 60 drawn of 200 (all 200 tasks)"));

    let off = helpers::q3::run(&q3::Params { timeline: false, python: false, ..p }).unwrap();
    assert!(off.timelines.is_empty());
    assert!(q3::in_flight_chart(&off).unwrap_err().message.contains("timeline: false"));
}

#[test]
fn q5_records_the_notes_waves_at_the_short_sleep_and_reads_their_period() {
    common::use_test_binary();
    let (tasks, limit) = (200, 20);
    let p = q5::Params {
        tasks,
        limit,
        latencies_ms: vec![20],
        waves: vec![1, 10],
        wave_latency_ms: 10,
        ..Default::default()
    };
    let r = helpers::q5::run(&p).unwrap();
    let names: Vec<&str> = r.timelines.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["tokio", "python"]);
    for t in &r.timelines {
        assert_eq!(t.at, "10 waves of 10 ms, limit 20, repeat 1");
        check_gated(t, tasks, limit);
    }
    let periods = q5::wave_periods(&r).unwrap();
    for line in periods.lines() {
        // "tokio: a wave every 11.24 ms ...": never shorter than the sleep, and not ten times it.
        let ms: f64 = line.split("a wave every ").nth(1).unwrap().split(' ').next().unwrap().parse().unwrap();
        assert!((10.0..100.0).contains(&ms), "{line}");
    }
    assert_eq!(periods.lines().count(), 2, "{periods}");
}
