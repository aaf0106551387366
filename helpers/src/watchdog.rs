//! The budget's enforcing side, inside `lab`: a thread that polls wall time and resident memory (this process
//! and its registered children) and stops the run with exit code 3 on a breach.

use crate::budget::Budget;
use crate::error::{LabError, Result};
use crate::measure::memory;
use crate::process::{self, exit_with};
use crate::progress;
use std::time::{Duration, Instant};

/// Applies the open-files limit to this process (children inherit it).
pub fn apply_nofile(budget: &Budget) -> Result<()> {
    if let Some(n) = budget.nofile {
        process::set_soft_nofile(n)?;
    }
    Ok(())
}

/// Resident bytes of the registered children.
pub fn children_rss() -> u64 {
    process::registered().into_iter().filter_map(memory::rss_of).sum()
}

/// Starts the watchdog thread: polls wall time and memory every 20 ms for the life of the process.
pub fn start(budget: &Budget) {
    let budget = budget.clone();
    let t0 = Instant::now();
    let spawned = std::thread::Builder::new().name("watchdog".into()).spawn(move || loop {
        std::thread::sleep(Duration::from_millis(20));
        let wall = t0.elapsed().as_secs_f64();
        if wall > budget.max_wall_s {
            exit_with(&LabError::budget(format!(
                "wall-time budget of {} s exceeded after {wall:.1} s during {}; raise it with \
                 Budget {{ max_wall_s, .. }} (CLI: --max-wall-s) or use smaller parameters",
                budget.max_wall_s,
                progress::phase()
            )));
        }
        let rss = memory::rss_bytes() + children_rss();
        if rss > budget.max_rss_mb * 1024 * 1024 {
            exit_with(&LabError::budget(format!(
                "memory budget of {} MiB exceeded ({} MiB resident) during {}; raise it with \
                 Budget {{ max_rss_mb, .. }} (CLI: --max-rss-mb) or use smaller parameters",
                budget.max_rss_mb,
                rss / (1024 * 1024),
                progress::phase()
            )));
        }
    });
    if let Err(e) = spawned {
        exit_with(&LabError::other(format!("cannot start the budget watchdog: {e}")));
    }
}

/// Exits (killing the children) as soon as stdin closes: the runner holds the other end, so this fires when
/// the notebook kernel that started the run is gone.
pub fn exit_when_stdin_closes() {
    let _ = std::thread::Builder::new().name("stdin-watch".into()).spawn(|| {
        use std::io::Read;
        let mut buf = [0u8; 64];
        let mut stdin = std::io::stdin();
        while matches!(stdin.read(&mut buf), Ok(n) if n > 0) {}
        process::kill_all();
        std::process::exit(1);
    });
}
