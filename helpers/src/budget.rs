//! Budgets a run must stay within: wall time, resident memory (the `lab` process and its children) and open
//! files. The runner passes them to `lab` as flags; inside `lab` a watchdog enforces them and exits with code 3.

use crate::error::{LabError, Result};
use crate::params::in_range;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Budget {
    /// Wall-clock seconds for the whole run, 0.1 .. 86400.
    pub max_wall_s: f64,
    /// Resident memory of `lab` plus its children, in MiB, 16 .. 1048576.
    pub max_rss_mb: u64,
    /// Soft RLIMIT_NOFILE for the run (None: leave the limit as inherited), 16 .. 1048576.
    pub nofile: Option<u64>,
}

impl Default for Budget {
    fn default() -> Self {
        Budget { max_wall_s: 600.0, max_rss_mb: 4096, nofile: None }
    }
}

impl Budget {
    pub fn validate(&self) -> Result<()> {
        if !self.max_wall_s.is_finite() {
            return Err(LabError::invalid(format!(
                "max_wall_s must be between 0.1 and 86400; got {}",
                self.max_wall_s
            )));
        }
        in_range("max_wall_s", self.max_wall_s, 0.1, 86_400.0)?;
        in_range("max_rss_mb", self.max_rss_mb, 16, 1 << 20)?;
        if let Some(n) = self.nofile {
            in_range("nofile", n, 16, 1 << 20)?;
        }
        Ok(())
    }

    /// The `lab` command-line flags that carry this budget.
    pub fn to_args(&self) -> Vec<String> {
        let mut args = vec![
            "--max-wall-s".to_string(),
            format!("{}", self.max_wall_s),
            "--max-rss-mb".to_string(),
            self.max_rss_mb.to_string(),
        ];
        if let Some(n) = self.nofile {
            args.push("--nofile".into());
            args.push(n.to_string());
        }
        args
    }
}

#[cfg(feature = "experiments")]
pub mod watchdog {
    //! The enforcing side, inside `lab`.
    use super::Budget;
    use crate::error::{LabError, Result};
    use crate::measure::memory;
    use crate::{progress, twin};
    use std::time::{Duration, Instant};

    /// Applies the open-files limit to this process (children inherit it).
    pub fn apply_nofile(budget: &Budget) -> Result<()> {
        if let Some(n) = budget.nofile {
            set_soft_nofile(n)?;
        }
        Ok(())
    }

    /// Sets this process's soft open-files limit (at most the hard limit) and returns the previous one, so that an
    /// experiment can lower it for one run and restore it.
    pub fn set_soft_nofile(n: u64) -> Result<u64> {
        // SAFETY: plain libc calls on a struct we own.
        let mut lim: libc::rlimit = unsafe { std::mem::zeroed() };
        unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) };
        if n > lim.rlim_max as u64 {
            return Err(LabError::invalid(format!("nofile must be at most the hard limit {}; got {n}", lim.rlim_max)));
        }
        let old = lim.rlim_cur as u64;
        lim.rlim_cur = n as libc::rlim_t;
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &lim) } != 0 {
            return Err(LabError::other(format!("cannot set the open-files limit to {n}")));
        }
        Ok(old)
    }

    /// The soft open-files limit in force.
    pub fn nofile_in_force() -> u64 {
        let mut lim: libc::rlimit = unsafe { std::mem::zeroed() };
        unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) };
        lim.rlim_cur as u64
    }

    /// Ends the process the way a breach must: children first, then this process with the message and code 3.
    pub fn stop(err: &LabError) -> ! {
        twin::kill_all();
        eprintln!("error: {}", err.message);
        std::process::exit(err.exit_code())
    }

    /// Starts the watchdog thread: polls wall time and memory every 20 ms for the life of the process.
    pub fn start(budget: &Budget) {
        let budget = budget.clone();
        let t0 = Instant::now();
        let spawned = std::thread::Builder::new().name("watchdog".into()).spawn(move || loop {
            std::thread::sleep(Duration::from_millis(20));
            let wall = t0.elapsed().as_secs_f64();
            if wall > budget.max_wall_s {
                stop(&LabError::budget(format!(
                    "wall-time budget of {} s exceeded after {wall:.1} s during {}; raise it with \
                     Budget {{ max_wall_s, .. }} (CLI: --max-wall-s) or use smaller parameters",
                    budget.max_wall_s,
                    progress::phase()
                )));
            }
            let rss = memory::rss_bytes() + twin::children_rss();
            if rss > budget.max_rss_mb * 1024 * 1024 {
                stop(&LabError::budget(format!(
                    "memory budget of {} MiB exceeded ({} MiB resident) during {}; raise it with \
                     Budget {{ max_rss_mb, .. }} (CLI: --max-rss-mb) or use smaller parameters",
                    budget.max_rss_mb,
                    rss / (1024 * 1024),
                    progress::phase()
                )));
            }
        });
        if let Err(e) = spawned {
            stop(&LabError::other(format!("cannot start the budget watchdog: {e}")));
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
            twin::kill_all();
            std::process::exit(1);
        });
    }
}
