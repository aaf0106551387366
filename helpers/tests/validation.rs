//! Bad parameters are refused before anything runs, with a message naming the field, the value and the limit;
//! the CLI turns them into one line on stderr and exit status 2.

mod common;

use helpers::error::ErrorKind;
use helpers::params::ExperimentParams;
use helpers::{q3, q5};
use std::process::Command;

fn q3_err(json: &str) -> String {
    let e = q3::Params::from_json(json).expect_err(json);
    assert_eq!(e.kind, ErrorKind::InvalidParams, "{json}: {e}");
    e.message
}

fn q5_err(json: &str) -> String {
    let e = q5::Params::from_json(json).expect_err(json);
    assert_eq!(e.kind, ErrorKind::InvalidParams, "{json}: {e}");
    e.message
}

#[test]
fn defaults_are_the_notes_numbers_and_valid() {
    let p = q3::Params::from_json("{}").unwrap();
    assert_eq!((p.tasks, p.latency_ms, p.limits.clone(), p.repeats), (1000, 100, vec![10, 50, 100, 200, 1000], 1));
    let p = q5::Params::from_json("{}").unwrap();
    assert_eq!((p.tasks, p.limit, p.latencies_ms.clone()), (1000, 100, vec![10, 50, 100, 500, 1000]));
}

#[test]
fn q3_rejects_each_bad_parameter() {
    assert_eq!(q3_err(r#"{"tasks":0}"#), "tasks must be between 1 and 1000000; got 0");
    assert_eq!(q3_err(r#"{"tasks":2000000}"#), "tasks must be between 1 and 1000000; got 2000000");
    assert!(q3_err(r#"{"tasks":-5}"#).contains("field `tasks`"));
    assert!(q3_err(r#"{"tasks":"many"}"#).contains("field `tasks`: invalid type: string \"many\""));
    assert!(q3_err(r#"{"latency_ms":0}"#).starts_with("latency_ms must be between 1 and 60000"));
    assert!(q3_err(r#"{"limits":[0]}"#).contains("each limit must be between 1 and 1000"));
    assert!(q3_err(r#"{"limits":[10, 5000]}"#).contains("got 5000"));
    assert!(q3_err(r#"{"limits":[]}"#).contains("limits must hold between 1 and 12 values; got 0"));
    assert!(q3_err(r#"{"limits":10}"#).contains("field `limits`: invalid type"));
    assert!(q3_err(r#"{"repeats":11}"#).contains("repeats must be between 1 and 10; got 11"));
    assert!(q3_err(r#"{"runtime":"fast"}"#).contains("field `runtime`: unknown variant `fast`"));
    assert!(q3_err(r#"{"limit":100}"#).contains("unknown field `limit`"));
    assert!(q3_err("[1, 2]").contains("q3 params must be a JSON object"));
}

#[test]
fn q5_rejects_each_bad_parameter() {
    assert_eq!(q5_err(r#"{"limit":0}"#), "limit must be between 1 and tasks (1000); got 0");
    assert_eq!(q5_err(r#"{"limit":1001}"#), "limit must be between 1 and tasks (1000); got 1001");
    assert!(q5_err(r#"{"latencies_ms":[10, 0]}"#).contains("each of latencies_ms must be between 1 and 60000; got 0"));
    assert!(q5_err(r#"{"latencies_ms":[]}"#).contains("between 1 and 12 values"));
    assert!(q5_err(r#"{"tasks":1.5}"#).contains("field `tasks`: invalid type: floating point"));
    assert!(q5_err(r#"{"python":"yes"}"#).contains("field `python`"));
    assert!(q5_err(r#"{"concurrency":100}"#).contains("unknown field `concurrency`"));
}

#[test]
fn the_runner_refuses_bad_params_and_over_budget_estimates_before_starting_anything() {
    // LAB_BIN pointing nowhere proves no binary was needed: validation comes first.
    std::env::set_var("LAB_BIN", "/nonexistent/lab");
    let e = helpers::q3::run(&q3::Params { limits: vec![0], ..Default::default() }).unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidParams);
    assert!(e.to_string().starts_with("Error: each limit must be between 1 and"), "{e}");
    let slow = q3::Params { limits: vec![1], ..Default::default() }; // 1000 x 100 ms in a row, three times
    let budget = helpers::Budget { max_wall_s: 60.0, ..Default::default() };
    let e = helpers::q3::run_with(&slow, &budget).unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidParams);
    assert!(e.message.contains("over the wall-time budget of 60 s; use smaller values"), "{e}");
    let e = helpers::q3::run_with(&q3::Params::default(), &helpers::Budget { max_rss_mb: 1, ..Default::default() })
        .unwrap_err();
    assert!(e.message.contains("max_rss_mb must be between 16"), "{e}");
}

fn lab(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_lab")).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_cli_exits_2_with_one_line_on_bad_input() {
    for (args, expect) in [
        (vec!["q3", "--params", r#"{"tasks":0}"#], "error: tasks must be between 1 and 1000000; got 0"),
        (vec!["q3", "--params", "{not json"], "error: q3 params are not valid JSON"),
        (vec!["q9x"], "error: unknown experiment \"q9x\""),
        (vec!["q5", "--bogus"], "error: unexpected argument '--bogus'"),
        (vec!["server", "--cfg", "{}"], "error: unexpected argument '--cfg'"),
        (vec!["ledger", "--links", "pdf", "."], "error: invalid value 'pdf' for '--links"),
        (vec![], "error: 'lab' requires a subcommand"),
        (vec!["q5", "--max-wall-s", "soon"], "error: --max-wall-s must be a number"),
    ] {
        let (code, stdout, stderr) = lab(&args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stdout.is_empty(), "{args:?} printed {stdout}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.starts_with(expect), "{args:?}: {stderr}");
    }
}

#[test]
fn lab_list_gives_every_experiment_with_its_defaults() {
    let (code, stdout, _) = lab(&["list"]);
    assert_eq!(code, 0);
    let list: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let names: Vec<&str> = list.as_array().unwrap().iter().map(|e| e["name"].as_str().unwrap()).collect();
    let registry: Vec<&str> = helpers::registry::all().iter().map(|q| q.name).collect();
    assert_eq!(names, registry);
    let (code, stdout, _) = lab(&["list", "--names"]);
    assert_eq!((code, stdout.split_whitespace().collect::<Vec<_>>()), (0, registry));
    assert_eq!(list[2]["params"]["limits"], serde_json::json!([10, 50, 100, 200, 1000]));
    assert_eq!(list[4]["params"]["latencies_ms"], serde_json::json!([10, 50, 100, 500, 1000]));
}

#[test]
fn q1_rejects_each_bad_parameter() {
    let err = |json: &str| {
        let e = helpers::q1::Params::from_json(json).expect_err(json);
        assert_eq!(e.kind, ErrorKind::InvalidParams, "{json}: {e}");
        e.message
    };
    assert_eq!(err(r#"{"jobs":0}"#), "jobs must be between 1 and 1000; got 0");
    assert!(err(r#"{"jobs":-1}"#).contains("field `jobs`"));
    assert_eq!(err(r#"{"job_ms":0.01}"#), "job_ms must be between 0.1 and 10000; got 0.01");
    assert!(err(r#"{"job_ms":"slow"}"#).contains("field `job_ms`: invalid type: string"));
    assert!(err(r#"{"yield_every_us":5}"#).contains("yield_every_us must be between 10 and 1000000; got 5"));
    assert!(err(r#"{"repeats":0}"#).contains("repeats must be between 1 and 10; got 0"));
    assert!(err(r#"{"workers":4}"#).contains("unknown field `workers`"));
}

#[test]
fn q2_rejects_each_bad_parameter() {
    let err = |json: &str| {
        let e = helpers::q2::Params::from_json(json).expect_err(json);
        assert_eq!(e.kind, ErrorKind::InvalidParams, "{json}: {e}");
        e.message
    };
    assert_eq!(err(r#"{"jobs":0}"#), "jobs must be between 1 and 10000; got 0");
    assert!(err(r#"{"workers":[]}"#).contains("workers must hold between 1 and 8 values; got 0"));
    assert!(err(r#"{"workers":[0]}"#).contains("each of workers must be between 1 and 64; got 0"));
    assert!(err(r#"{"workers":[1000]}"#).contains("got 1000"));
    assert!(err(r#"{"payload_bytes":[0]}"#).contains("each of payload_bytes must be between 100 and 50000000; got 0"));
    assert!(err(r#"{"payload_bytes":[100000000000]}"#).contains("got 100000000000"));
    assert!(err(r#"{"payload_bytes":"1MB"}"#).contains("field `payload_bytes`: invalid type: string"));
    assert!(err(r#"{"crossover_job_us":[0]}"#).contains("each of crossover_job_us must be between 1 and 1000000"));
    assert!(err(r#"{"job_ms":-1}"#).contains("job_ms must be between 0.01 and 10000; got -1"));
    assert!(err(r#"{"threads":4}"#).contains("unknown field `threads`"));
}

#[test]
fn q7_rejects_each_bad_parameter() {
    let err = |json: &str| {
        let e = helpers::q7::Params::from_json(json).expect_err(json);
        assert_eq!(e.kind, ErrorKind::InvalidParams, "{json}: {e}");
        e.message
    };
    assert!(err(r#"{"tasks":[0]}"#).contains("each of tasks must be between 1 and 100000; got 0"));
    assert!(err(r#"{"tasks":[]}"#).contains("tasks must hold between 1 and 8 values; got 0"));
    assert!(err(r#"{"tasks":100}"#).contains("field `tasks`: invalid type: integer"));
    assert_eq!(err(r#"{"duration_ms":0}"#), "duration_ms must be between 1 and 10000; got 0");
    assert!(err(r#"{"sleep_ms":5}"#).contains("unknown field `sleep_ms`"));
}

#[test]
fn q8_rejects_each_bad_parameter_and_runs_over_the_memory_budget() {
    let err = |json: &str| {
        let e = helpers::q8::Params::from_json(json).expect_err(json);
        assert_eq!(e.kind, ErrorKind::InvalidParams, "{json}: {e}");
        e.message
    };
    assert!(err(r#"{"doc_bytes":[0]}"#).contains("each of doc_bytes must be between 100 and 50000000; got 0"));
    assert!(err(r#"{"doc_bytes":[60000000]}"#).contains("got 60000000"));
    assert!(err(r#"{"doc_bytes":"big"}"#).contains("field `doc_bytes`: invalid type: string"));
    assert_eq!(err(r#"{"tasks":0}"#), "tasks must be between 1 and 10000; got 0");
    assert_eq!(err(r#"{"tasks":4,"batch":5}"#), "batch must be between 1 and tasks (4); got 5");
    assert!(err(r#"{"ping_ms":0}"#).contains("ping_ms must be between 1 and 1000; got 0"));
    assert_eq!(
        err(r#"{"doc_bytes":[1000,2000000]}"#),
        "judge_doc_bytes must be one of doc_bytes [1000, 2000000]; got 10000000"
    );
    // The open loop's: a size, loads (one of them judged), enough requests, a known arrival process.
    assert_eq!(err(r#"{"open_doc_bytes":50}"#), "open_doc_bytes must be between 100 and 5000000; got 50");
    assert_eq!(err(r#"{"open_load_pct":[]}"#), "open_load_pct must hold between 1 and 4 values; got 0");
    assert!(err(r#"{"open_load_pct":[50,300]}"#).contains("each of open_load_pct must be between 5 and 200; got 300"));
    assert_eq!(err(r#"{"open_load_pct":[50]}"#), "open_judge_pct must be one of open_load_pct [50]; got 80");
    assert_eq!(err(r#"{"open_requests":10}"#), "open_requests must be between 20 and 20000; got 10");
    assert_eq!(err(r#"{"open_requests_rust":30000}"#), "open_requests_rust must be between 20 and 20000; got 30000");
    assert!(err(r#"{"open_arrivals":"bursty"}"#).contains("unknown variant `bursty`, expected `poisson` or `fixed`"));
    // Over the memory budget: refused before anything runs (no binary needed).
    std::env::set_var("LAB_BIN", "/nonexistent/lab");
    let big = helpers::q8::Params {
        tasks: 100,
        doc_bytes: vec![50_000_000],
        batch: 1,
        judge_doc_bytes: 50_000_000,
        python: false,
        ..Default::default()
    };
    let e = helpers::q8::run(&big).unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidParams, "{e}");
    assert!(e.message.contains("MiB of memory, over the memory budget of 4096 MiB"), "{e}");
}

#[test]
fn q4_rejects_each_bad_parameter() {
    let err = |json: &str| {
        let e = helpers::q4::Params::from_json(json).expect_err(json);
        assert_eq!(e.kind, ErrorKind::InvalidParams, "{json}: {e}");
        e.message
    };
    assert_eq!(err(r#"{"requests":0}"#), "requests must be between 1 and 20000; got 0");
    assert!(
        err(r#"{"limits":[0]}"#).contains("each limit must be between 1 and requests (1000) or null for none; got 0")
    );
    assert!(err(r#"{"limits":[]}"#).contains("limits must hold between 1 and 8 values"));
    assert!(err(r#"{"limits":["none"]}"#).contains("field `limits"));
    assert_eq!(err(r#"{"nofile":8}"#), "nofile must be between 32 and 1048576; got 8");
    assert_eq!(err(r#"{"pool_size":0}"#), "pool_size must be between 1 and 10000; got 0");
    assert!(err(r#"{"timeout_ms":-5}"#).contains("field `timeout_ms`"));
    assert!(err(r#"{"rate_per_s":0}"#).contains("rate_per_s must be between 1 and 1000000; got 0"));
    assert!(err(r#"{"concurrency":5}"#).contains("unknown field `concurrency`"));
}

#[test]
fn q9_rejects_each_bad_parameter() {
    let err = |json: &str| {
        let e = helpers::q9::Params::from_json(json).expect_err(json);
        assert_eq!(e.kind, ErrorKind::InvalidParams, "{json}: {e}");
        e.message
    };
    assert!(err(r#"{"tasks":[0]}"#).contains("each of tasks must be between 1 and 2000000; got 0"));
    assert!(err(r#"{"tasks":[3000000]}"#).contains("got 3000000"));
    assert_eq!(err(r#"{"latency_ms":0}"#), "latency_ms must be between 1 and 60000; got 0");
    assert_eq!(err(r#"{"server_tasks":200000}"#), "server_tasks must be between 0 and 100000; got 200000");
    assert_eq!(err(r#"{"server_limit":0}"#), "server_limit must be between 1 and server_tasks (50000); got 0");
    assert!(err(r#"{"tasks":"many"}"#).contains("field `tasks`: invalid type: string"));
    assert_eq!(err(r#"{"nofile":8}"#), "nofile must be between 32 and 1048576; got 8");
    // The offered-load sweep: a reference at or below capacity and a judged point above it, fixed before the run.
    assert!(err(r#"{"collapse":{"loads":[2.0,1.0]}}"#).contains("collapse.loads must be ascending"));
    assert!(err(r#"{"collapse":{"loads":[2.0,4.0]}}"#).contains("a load at or below 1 (capacity) and end above 1"));
    assert!(err(r#"{"collapse":{"loads":[0.5,1.0]}}"#).contains("end above 1"));
    assert!(err(r#"{"collapse":{"loads":[0.01,2.0]}}"#).contains("each of collapse.loads must be between 0.05 and 20"));
    assert_eq!(err(r#"{"collapse":{"timeout_ms":5}}"#), "collapse.timeout_ms must be between 10 and 10000; got 5");
    assert_eq!(err(r#"{"collapse":{"retries":9}}"#), "collapse.retries must be between 0 and 5; got 9");
    assert!(err(r#"{"collapse":{"pool":1000,"seconds":10,"loads":[1,20]}}"#).contains("at most 100000"));
    assert!(err(r#"{"collapse":{"rate":5}}"#).contains("unknown field `rate`"));
    assert!(helpers::q9::Params::from_json(r#"{"collapse":{"loads":[]}}"#).is_ok(), "an empty sweep is skipped");
    // Over the memory budget: refused before anything runs.
    std::env::set_var("LAB_BIN", "/nonexistent/lab");
    let big = helpers::q9::Params { tasks: vec![2_000_000], python_max_tasks: 0, ..Default::default() };
    let e = helpers::q9::run_with(&big, &helpers::Budget { max_rss_mb: 512, ..Default::default() }).unwrap_err();
    assert!(e.message.contains("over the memory budget of 512 MiB"), "{e}");
}

#[test]
fn q6_rejects_each_bad_parameter() {
    let err = |json: &str| {
        let e = helpers::q6::Params::from_json(json).expect_err(json);
        assert_eq!(e.kind, ErrorKind::InvalidParams, "{json}: {e}");
        e.message
    };
    assert!(err(r#"{"tasks":[0]}"#).contains("each of tasks must be between 1 and 2000000; got 0"));
    assert!(err(r#"{"threads":[50000]}"#).contains("each of threads must be between 1 and 20000; got 50000"));
    assert_eq!(err(r#"{"jobs":10,"limit":11}"#), "limit must be between 1 and jobs (10); got 11");
    assert!(err(r#"{"mimalloc":"yes"}"#).contains("field `mimalloc`: invalid type"));
    // Over the memory budget: refused before anything runs.
    std::env::set_var("LAB_BIN", "/nonexistent/lab");
    let big = helpers::q6::Params { tasks: vec![2_000_000], python_max_tasks: 0, ..Default::default() };
    let e = helpers::q6::run_with(&big, &helpers::Budget { max_rss_mb: 1024, ..Default::default() }).unwrap_err();
    assert!(e.message.contains("over the memory budget of 1024 MiB"), "{e}");
}

#[test]
fn lab_help_and_version_exit_0_and_hide_the_internal_commands() {
    let (code, stdout, stderr) = lab(&["--help"]);
    assert_eq!(code, 0, "{stderr}");
    for q in helpers::registry::all() {
        assert!(stdout.contains(&format!("  {}  ", q.name)) || stdout.contains(&format!("  {} ", q.name)), "{stdout}");
    }
    for hidden in ["worker", "server", "q6-tasks"] {
        assert!(!stdout.contains(hidden), "{hidden} shows in the help: {stdout}");
    }
    let (code, stdout, _) = lab(&["--version"]);
    assert_eq!((code, stdout.starts_with("lab ")), (0, true), "{stdout}");
    let (code, stdout, _) = lab(&["q3", "--help"]);
    assert_eq!(code, 0);
    assert!(stdout.contains("Why did semaphore=100 give near-perfect scaling?") && stdout.contains("--params"));
}

#[test]
fn lab_judge_rejudges_a_saved_result_and_names_a_bad_file() {
    let dir = std::env::temp_dir().join(format!("lab-judge-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (code, stdout, stderr) =
        lab(&["q7", "--params", r#"{"tasks":[10],"duration_ms":5,"python":false}"#, "--max-wall-s", "60"]);
    assert_eq!(code, 0, "{stderr}");
    let good = dir.join("q7.json");
    std::fs::write(&good, &stdout).unwrap();
    let written: helpers::LabResult = serde_json::from_str(&stdout).unwrap();
    let (code, out, stderr) = lab(&["judge", good.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    let judged: helpers::LabResult = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(judged.claims, written.claims, "re-judging reproduces the verdicts the run wrote");

    let mut cut: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    cut["series"] = serde_json::json!([]);
    let bad = dir.join("cut.json");
    std::fs::write(&bad, cut.to_string()).unwrap();
    let not_json = dir.join("not.json");
    std::fs::write(&not_json, "hello").unwrap();
    for (file, expect) in [(&bad, "no series"), (&not_json, "does not parse")] {
        let (code, out, stderr) = lab(&["judge", file.to_str().unwrap()]);
        assert_eq!((code, out.as_str()), (2, ""), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains(file.to_str().unwrap()) && stderr.contains(expect), "{stderr}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
