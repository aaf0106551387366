//! Shared by the integration tests: the `lab` binary cargo built for them, and a look at live processes.

#![allow(dead_code)]

use std::path::PathBuf;

/// Points the runner at the `lab` binary built for these tests (no release build needed), and the results it
/// saves at a folder of this test process, so tests never replace the user's results.
pub fn use_test_binary() -> PathBuf {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_lab"));
    std::env::set_var("LAB_BIN", &bin);
    std::env::set_var("LAB_RESULTS", test_results_dir());
    bin
}

/// Where runs of this test process save their results.
pub fn test_results_dir() -> PathBuf {
    std::env::temp_dir().join(format!("lab-test-results-{}", std::process::id()))
}

/// Pids of live (not zombie) processes whose `/proc/<pid>/<file>` contains `marker`.
fn processes_where(file: &str, marker: &str) -> Vec<u32> {
    let me = std::process::id();
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
        if pid == me {
            continue;
        }
        let Ok(text) = std::fs::read(entry.path().join(file)) else { continue };
        let stat = std::fs::read_to_string(entry.path().join("stat")).unwrap_or_default();
        let zombie = stat.rsplit(')').next().map(|s| s.trim_start().starts_with('Z')).unwrap_or(false);
        if !zombie && String::from_utf8_lossy(&text).contains(marker) {
            found.push(pid);
        }
    }
    found
}

/// Pids of live `lab` or Python processes whose command line contains `marker` (other programs, a browser say,
/// can carry the same digits in their arguments).
pub fn processes_with(marker: &str) -> Vec<u32> {
    processes_where("cmdline", marker)
        .into_iter()
        .filter(|pid| {
            let cmd = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            let argv0 = String::from_utf8_lossy(cmd.split(|&b| b == 0).next().unwrap_or_default()).into_owned();
            let name = argv0.rsplit('/').next().unwrap_or_default();
            name == "lab" || name.starts_with("python")
        })
        .collect()
}

/// Pids of live processes whose environment holds `marker` (workers have no distinctive command line).
pub fn processes_with_env(marker: &str) -> Vec<u32> {
    processes_where("environ", marker)
}

/// Waits up to `secs` for `cond`.
pub fn wait_for(secs: f64, mut cond: impl FnMut() -> bool) -> bool {
    let t0 = std::time::Instant::now();
    while t0.elapsed().as_secs_f64() < secs {
        if cond() {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    cond()
}
