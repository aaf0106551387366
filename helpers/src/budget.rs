//! Budgets a run must stay within: wall time, resident memory (the `lab` process and its children) and open
//! files. The runner passes them to `lab` as flags; inside `lab` the `watchdog` enforces them and exits with code 3.

use crate::error::{LabError, Result};
use crate::params::{in_range, ExperimentParams};
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

    /// The largest budget `validate` allows: what admits any estimate (the watchdog still holds the real one).
    pub fn widest() -> Budget {
        Budget { max_wall_s: 86_400.0, max_rss_mb: 1 << 20, nofile: None }
    }

    /// Refuses, before anything runs, parameters whose estimate (time or memory) is over this budget, with the
    /// way to raise it.
    pub fn admit<P: ExperimentParams>(&self, p: &P) -> Result<()> {
        let estimate = p.estimate_s();
        if estimate > self.max_wall_s {
            return Err(LabError::invalid(format!(
                "these parameters need about {estimate:.0} s, over the wall-time budget of {} s; use smaller values \
             or raise it with run_with(&params, &Budget {{ max_wall_s: {:.0}.0, ..Budget::default() }}) \
             (lab: --max-wall-s {:.0})",
                self.max_wall_s,
                (estimate * 1.5).ceil(),
                (estimate * 1.5).ceil()
            )));
        }
        let mb = p.estimate_mb();
        if mb > self.max_rss_mb as f64 {
            return Err(LabError::invalid(format!(
                "these parameters need about {mb:.0} MiB of memory, over the memory budget of {} MiB; use smaller \
             values or raise it with run_with(&params, &Budget {{ max_rss_mb: {:.0}, ..Budget::default() }}) \
             (lab: --max-rss-mb {:.0})",
                self.max_rss_mb,
                (mb * 1.5).ceil(),
                (mb * 1.5).ceil()
            )));
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
