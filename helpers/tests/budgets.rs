//! Budgets stop a run with a clear error and leave no process behind; so does killing the process that started
//! a run (what evcxr's Stop button does to the cell process).

mod common;

use helpers::error::ErrorKind;
use helpers::q3;
use helpers::Budget;
use std::process::Command;
use std::time::Duration;

/// These tests look for leftover processes by marker: run them one at a time so that none sees another's.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

#[test]
fn a_run_over_its_wall_time_budget_is_killed_and_reported() {
    let _one_at_a_time = serial();
    common::use_test_binary();
    // latency_ms 1733 marks this run's processes on their command lines.
    let p = q3::Params { tasks: 10, latency_ms: 1733, limits: vec![10], overhead_tasks: 0, ..Default::default() };
    let budget = Budget { max_wall_s: 0.5, ..Default::default() };
    let err = helpers::runner::run_lab(
        &helpers::runner::lab_binary().unwrap(),
        &[
            "q3".into(),
            "--params".into(),
            serde_json::to_string(&p).unwrap(),
            "--max-wall-s".into(),
            "0.5".into(),
            "--no-estimate-check".into(),
        ],
        budget.max_wall_s + 10.0,
    )
    .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Budget, "{err}");
    assert!(err.message.contains("wall-time budget of 0.5 s exceeded"), "{err}");
    assert!(err.message.contains("during tokio limit=10"), "{err}");
    assert!(common::wait_for(2.0, || common::processes_with("1733").is_empty()), "a process outlived the run");
}

#[test]
fn a_run_over_its_memory_budget_is_killed_and_reported() {
    let _one_at_a_time = serial();
    common::use_test_binary();
    // 2000 threads at once: far above 64 MiB resident.
    let p = q3::Params {
        tasks: 2000,
        latency_ms: 1499,
        limits: vec![2000],
        overhead_tasks: 0,
        python: false,
        ..Default::default()
    };
    let err = helpers::q3::run_with(&p, &Budget { max_rss_mb: 64, ..Default::default() }).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Budget, "{err}");
    assert!(err.message.contains("memory budget of 64 MiB exceeded"), "{err}");
    assert!(common::wait_for(2.0, || common::processes_with("1499").is_empty()));
}

#[test]
fn the_cli_exits_3_on_a_budget_breach() {
    let _one_at_a_time = serial();
    let out = Command::new(env!("CARGO_BIN_EXE_lab"))
        .args(["q3", "--params", r#"{"tasks":10,"latency_ms":1201,"limits":[1]}"#, "--max-wall-s", "0.3"])
        .arg("--no-estimate-check") // past the estimate check: the watchdog must stop it
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.lines().last().unwrap().starts_with("error: wall-time budget of 0.3 s exceeded"), "{stderr}");
}

/// Run only as the child of the next test: starts a long run and blocks in it until killed.
#[test]
#[ignore]
fn child_starts_a_long_run() {
    if std::env::var("LAB_TEST_CHILD").is_err() {
        return;
    }
    common::use_test_binary();
    // tokio and threads take 1.9 s each, then the Python twin starts; the parent kills us while it runs.
    let p = q3::Params { tasks: 10, latency_ms: 1907, limits: vec![10], overhead_tasks: 0, ..Default::default() };
    let _ = helpers::q3::run(&p);
}

#[test]
fn killing_the_process_that_started_a_run_leaves_no_lab_or_python_behind() {
    let _one_at_a_time = serial();
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--ignored", "--exact", "child_starts_a_long_run", "--nocapture"])
        .env("LAB_TEST_CHILD", "1")
        .env("LAB_TEST_MARK", "q3-killed-parent")
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait until both the `lab` child and its Python twin are running (their command lines carry 1907).
    let both = common::wait_for(30.0, || {
        let pids = common::processes_with("1907");
        let cmdlines: Vec<String> = pids
            .iter()
            .filter_map(|p| std::fs::read(format!("/proc/{p}/cmdline")).ok())
            .map(|c| String::from_utf8_lossy(&c).into_owned())
            .collect();
        cmdlines.iter().any(|c| c.contains("q3_semaphore.py")) && cmdlines.iter().any(|c| c.contains("--watch-stdin"))
    });
    child.kill().unwrap(); // SIGKILL, like evcxr's interrupt
    let _ = child.wait();
    assert!(both, "the run never reached its Python twin");
    std::thread::sleep(Duration::from_millis(100));
    // Found by the environment they inherited: "1907" alone also turns up in other programs' arguments.
    let marker = "LAB_TEST_MARK=q3-killed-parent";
    assert!(
        common::wait_for(3.0, || common::processes_with_env(marker).is_empty()),
        "left behind: {:?}",
        common::processes_with_env(marker)
    );
}

/// Run only as the child of the next test: a q2 run whose worker processes are busy when it is killed.
#[test]
#[ignore]
fn child_starts_a_process_pool_run() {
    if std::env::var("LAB_TEST_CHILD").is_err() {
        return;
    }
    common::use_test_binary();
    // Sequential, threads and the GIL model take about 5 s, then the worker processes run for several seconds.
    let p = helpers::q2::Params {
        jobs: 40,
        job_ms: 50.0,
        workers: vec![4],
        repeats: 3,
        python: false,
        ..Default::default()
    };
    let _ = helpers::q2::run(&p);
}

#[test]
fn killing_a_run_mid_way_leaves_no_lab_worker_behind() {
    let _one_at_a_time = serial();
    let marker = "LAB_TEST_MARK=q2-pool-kill";
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--ignored", "--exact", "child_starts_a_process_pool_run", "--nocapture"])
        .env("LAB_TEST_CHILD", "1")
        .env("LAB_TEST_MARK", "q2-pool-kill")
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // The test process, `lab`, and at least one `lab worker`.
    let workers_up = common::wait_for(60.0, || {
        common::processes_with_env(marker)
            .iter()
            .any(|p| std::fs::read(format!("/proc/{p}/cmdline")).map(|c| c.ends_with(b"worker\0")).unwrap_or(false))
    });
    child.kill().unwrap();
    let _ = child.wait();
    assert!(workers_up, "no lab worker started");
    assert!(
        common::wait_for(3.0, || common::processes_with_env(marker).is_empty()),
        "left behind: {:?}",
        common::processes_with_env(marker)
    );
}

#[test]
fn a_budget_breach_with_workers_running_leaves_none_behind() {
    let _one_at_a_time = serial();
    common::use_test_binary();
    // Inherited by `lab` and its workers; removed again below (the tests run one at a time).
    std::env::set_var("LAB_TEST_MARK", "q2-budget");
    let p = helpers::q2::Params {
        jobs: 400,
        job_ms: 50.0,
        workers: vec![4],
        repeats: 1,
        python: false,
        crossover_job_us: vec![10],
        payload_bytes: vec![100],
        ..Default::default()
    };
    let budget = Budget { max_wall_s: 40.0, ..Default::default() };
    // Well within the estimate check, but the watchdog stops it at 1.5 s: pass the budget straight to lab.
    let err = helpers::runner::run_lab(
        &helpers::runner::lab_binary().unwrap(),
        &[
            "q2".into(),
            "--params".into(),
            serde_json::to_string(&p).unwrap(),
            "--max-wall-s".into(),
            "1.5".into(),
            "--no-estimate-check".into(),
        ],
        budget.max_wall_s,
    )
    .unwrap_err();
    std::env::remove_var("LAB_TEST_MARK");
    assert_eq!(err.kind, ErrorKind::Budget, "{err}");
    assert!(common::wait_for(3.0, || common::processes_with_env("LAB_TEST_MARK=q2-budget").is_empty()));
}

#[test]
fn the_cli_refuses_an_estimate_over_its_budget_before_running() {
    let out = Command::new(env!("CARGO_BIN_EXE_lab"))
        .args(["q3", "--params", r#"{"latency_ms":60000}"#, "--max-wall-s", "10"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!((out.status.code(), out.stdout.is_empty()), (Some(2), true), "{stderr}");
    assert!(stderr.contains("over the wall-time budget of 10 s") && stderr.contains("--max-wall-s"), "{stderr}");
}
