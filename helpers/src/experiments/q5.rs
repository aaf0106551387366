//! Question 5: "If we change sleep to 1 second, what will async runtime become?"
//! The notes' formula, runtime ≈ (N / concurrency) × latency, measured against tokio and Python asyncio for a
//! sweep of latencies; the residual per wave shows the timer's granularity.

use crate::error::{LabError, Result};
use crate::params::{in_range, list_in_range, ExperimentParams, Flavor};
use serde::{Deserialize, Serialize};

/// Parameters of `lab q5`. Defaults are the notes' numbers.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Params {
    /// Tasks per run, 1 .. 1,000,000.
    pub tasks: u64,
    /// Semaphore size (the notes' "concurrency"), 1 .. tasks.
    pub limit: u64,
    /// Sleep per task to sweep, ms, each 1 .. 60,000, at most 12 values.
    pub latencies_ms: Vec<u64>,
    /// Runs of every variant, interleaved. 1 .. 10.
    pub repeats: u64,
    /// Run the Python asyncio twin beside Rust.
    pub python: bool,
    /// tokio scheduler: "multi_thread" or "current_thread".
    pub runtime: Flavor,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            tasks: 1000,
            limit: 100,
            latencies_ms: vec![10, 50, 100, 500, 1000],
            repeats: 1,
            python: true,
            runtime: Flavor::MultiThread,
        }
    }
}

/// The notes' formula, (N / concurrency) × latency, in seconds.
pub fn notes_s(tasks: u64, limit: u64, latency_ms: u64) -> f64 {
    tasks as f64 / limit as f64 * latency_ms as f64 / 1000.0
}

impl ExperimentParams for Params {
    const NAME: &'static str = "q5";

    fn validate(&self) -> Result<()> {
        in_range("tasks", self.tasks, 1, 1_000_000)?;
        if self.limit < 1 || self.limit > self.tasks {
            return Err(LabError::invalid(format!(
                "limit must be between 1 and tasks ({}); got {}",
                self.tasks, self.limit
            )));
        }
        list_in_range("latencies_ms", &self.latencies_ms, 12, 1, 60_000)?;
        in_range("repeats", self.repeats, 1, 10)?;
        Ok(())
    }

    fn estimate_s(&self) -> f64 {
        let variants = if self.python { 2.0 } else { 1.0 };
        let per_rep: f64 = self.latencies_ms.iter().map(|&l| super::q3::ideal_s(self.tasks, self.limit, l)).sum();
        per_rep * variants * self.repeats as f64
    }
}

#[cfg(feature = "experiments")]
pub use run::execute;

#[cfg(feature = "experiments")]
mod run {
    use super::*;
    use crate::experiments::common;
    use crate::experiments::q3::ideal_s;
    use crate::progress::Progress;
    use crate::result::{Claim, LabResult, Series, Verdict};
    use crate::twin;
    use crate::verdict::{fmt_pct, fmt_s};
    use crate::workload::sleepers;
    use std::time::Duration;

    #[derive(Default, Clone)]
    struct Samples {
        runtime_s: Vec<f64>,
        p50_ms: Vec<f64>,
        p99_ms: Vec<f64>,
    }

    /// Runs the experiment in this process (the `lab` binary); progress goes to stderr.
    pub fn execute(p: &Params) -> Result<LabResult> {
        let (py, machine) = common::setup(p.python)?;
        let names: Vec<&str> = if py.is_some() { vec!["tokio", "python"] } else { vec!["tokio"] };
        let mut progress = Progress::new("q5", p.repeats as usize * p.latencies_ms.len() * names.len());
        progress.note(&format!(
            "{} tasks, limit {}, latencies {:?} ms, {} repeat(s); about {:.0} s",
            p.tasks,
            p.limit,
            p.latencies_ms,
            p.repeats,
            p.estimate_s()
        ));
        let params_json = common::params_json(p)?;
        let mut samples = vec![vec![Samples::default(); p.latencies_ms.len()]; names.len()];
        for rep in 0..p.repeats {
            for (li, &lat) in p.latencies_ms.iter().enumerate() {
                for (vi, name) in names.iter().enumerate() {
                    progress.begin(&format!("{name} latency={lat} ms (repeat {})", rep + 1));
                    let (wall, p50, p99) = match (*name, py.as_ref()) {
                        ("python", Some(py)) => {
                            let r = twin::run(py, "q5_latency.py", &params_json, &["--latency-ms", &lat.to_string()])?;
                            let x = lat as f64;
                            (
                                r.value("python", "runtime_s", x)?,
                                r.value("python", "lateness_p50_ms", x)?,
                                r.value("python", "lateness_p99_ms", x)?,
                            )
                        }
                        _ => {
                            let r = sleepers::tokio_gated(
                                p.tasks as usize,
                                p.limit as usize,
                                Duration::from_millis(lat),
                                p.runtime,
                            )?;
                            (r.section.wall_s, r.lateness.p50_ms, r.lateness.p99_ms)
                        }
                    };
                    let s = &mut samples[vi][li];
                    s.runtime_s.push(wall);
                    s.p50_ms.push(p50);
                    s.p99_ms.push(p99);
                    let f = notes_s(p.tasks, p.limit, lat);
                    progress.end(&format!("{} (formula {}, {})", fmt_s(wall), fmt_s(f), fmt_pct(wall / f - 1.0)));
                }
            }
        }

        let waves = p.tasks.div_ceil(p.limit) as f64;
        let mut series = Vec::new();
        for (vi, name) in names.iter().enumerate() {
            let mut runtime = Series::new(name, "latency_ms", "runtime_s");
            let mut vs = Series::new(name, "predicted_s", "measured_s");
            let mut err = Series::new(name, "latency_ms", "error_pct");
            let mut resid = Series::new(name, "latency_ms", "residual_per_wave_ms");
            let mut p50 = Series::new(name, "latency_ms", "lateness_p50_ms");
            let mut p99 = Series::new(name, "latency_ms", "lateness_p99_ms");
            for (li, &lat) in p.latencies_ms.iter().enumerate() {
                let s = &samples[vi][li];
                let x = lat as f64;
                let f = notes_s(p.tasks, p.limit, lat);
                let ideal = ideal_s(p.tasks, p.limit, lat);
                runtime.push_samples(x, &s.runtime_s);
                vs.push_samples(f, &s.runtime_s);
                let e: Vec<f64> = s.runtime_s.iter().map(|w| (w / f - 1.0) * 100.0).collect();
                err.push_samples(x, &e);
                let rw: Vec<f64> = s.runtime_s.iter().map(|w| (w - ideal) * 1000.0 / waves).collect();
                resid.push_samples(x, &rw);
                p50.push_samples(x, &s.p50_ms);
                p99.push_samples(x, &s.p99_ms);
            }
            series.extend([runtime, vs, err, resid, p50, p99]);
        }
        let mut ideal = Series::new("ideal", "latency_ms", "runtime_s");
        let mut diag = Series::new("ideal", "predicted_s", "measured_s");
        for &lat in &p.latencies_ms {
            ideal.points.push([lat as f64, ideal_s(p.tasks, p.limit, lat)]);
            let f = notes_s(p.tasks, p.limit, lat);
            diag.points.push([f, f]);
        }
        series.extend([ideal, diag]);

        common::finish(p, machine, series, claims, headline)
    }

    fn headline(p: &Params, r: &LabResult) -> Result<String> {
        let lat = p.latencies_ms.iter().copied().max().unwrap_or(1);
        let f = notes_s(p.tasks, p.limit, lat);
        let mut parts = Vec::new();
        for name in ["tokio", "python"] {
            if let Ok(v) = r.value(name, "runtime_s", lat as f64) {
                parts.push(format!("{name} {} ({})", fmt_s(v), fmt_pct(v / f - 1.0)));
            }
        }
        Ok(format!("{} tasks, limit {}, sleep {lat} ms: formula {}; {}", p.tasks, p.limit, fmt_s(f), parts.join(", ")))
    }

    fn claims(p: &Params, r: &LabResult) -> Result<Vec<Claim>> {
        let lats = &p.latencies_ms;
        let (lo, hi) = (lats.iter().copied().min().unwrap_or(1), lats.iter().copied().max().unwrap_or(1));
        let t_lo = r.value("tokio", "runtime_s", lo as f64)?;
        let t_hi = r.value("tokio", "runtime_s", hi as f64)?;
        let mut sorted = lats.clone();
        sorted.sort_unstable();
        sorted.dedup();
        let runtimes: Vec<f64> = sorted.iter().filter_map(|&l| r.value("tokio", "runtime_s", l as f64).ok()).collect();
        let rising = runtimes.windows(2).all(|w| w[1] > w[0]);
        let mut out = vec![Claim {
            id: "5.1".into(),
            claim: "runtime increases.".into(),
            verdict: if rising { Verdict::Confirmed } else { Verdict::Refined },
            evidence: format!(
                "tokio took {} at {lo} ms and {} at {hi} ms: {:.1}x longer for {:.1}x the sleep{}.",
                fmt_s(t_lo),
                fmt_s(t_hi),
                t_hi / t_lo,
                hi as f64 / lo as f64,
                if rising { ", rising at every step of the sweep" } else { ", though not at every step" }
            ),
        }];

        let mut worst: Vec<String> = Vec::new();
        let mut max_err: f64 = 0.0;
        let mut err_at_hi = Vec::new();
        for name in ["tokio", "python"] {
            let Some(errs) = r.series(name, "error_pct") else {
                continue;
            };
            let errs_text: Vec<String> =
                errs.points.iter().map(|pt| format!("{:.0} ms {:+.1}%", pt[0], pt[1])).collect();
            worst.push(format!("{name}: {}", errs_text.join(", ")));
            for pt in &errs.points {
                max_err = max_err.max(pt[1].abs());
            }
            if let Some(e) = errs.at(hi as f64) {
                err_at_hi.push(format!("{name} {e:+.2}%"));
            }
        }
        let resid = r
            .series("tokio", "residual_per_wave_ms")
            .map(|s| s.points.iter().map(|p| p[1]).sum::<f64>() / s.points.len().max(1) as f64)
            .unwrap_or(0.0);
        let divides = p.tasks.is_multiple_of(p.limit);
        out.push(Claim {
            id: "5.2".into(),
            claim: "Runtime ≈ (1000 / concurrency) × latency".into(),
            verdict: if max_err <= 5.0 && divides { Verdict::Confirmed } else { Verdict::Refined },
            evidence: format!(
                "The formula (N / concurrency) x latency missed by, per latency: {}. At {hi} ms: {}. Each wave adds about \
                 {resid:.2} ms in tokio (the 1 ms timer rounds every deadline up), so the true model is \
                 ceil(N / concurrency) x (latency + overhead){}.",
                worst.join("; "),
                err_at_hi.join(", "),
                if divides {
                    String::new()
                } else {
                    format!(
                        "; here N/concurrency is not whole, so the ceil adds a partial wave of {} tasks",
                        p.tasks % p.limit
                    )
                }
            ),
        });

        let min_ratio = sorted
            .iter()
            .filter_map(|&l| r.value("tokio", "runtime_s", l as f64).ok().map(|v| v / ideal_s(p.tasks, p.limit, l)))
            .fold(f64::INFINITY, f64::min);
        out.push(Claim {
            id: "5.3".into(),
            claim: "Async doesn’t magically make latency disappear.".into(),
            verdict: if min_ratio >= 0.99 { Verdict::Confirmed } else { Verdict::Contradicted },
            evidence: format!(
                "No run beat ceil(N / concurrency) x latency: the fastest was {:.4}x of it. With {} permits, \
                 {} waves of one sleep each must pass one after another.",
                min_ratio,
                p.limit,
                p.tasks.div_ceil(p.limit)
            ),
        });

        let overlap = p.tasks as f64 * hi as f64 / 1000.0 / t_hi;
        out.push(Claim {
            id: "5.4".into(),
            claim: "It just overlaps waiting.".into(),
            verdict: Verdict::Confirmed,
            evidence: format!(
                "At {hi} ms, {} sleeps back to back would take {}; tokio finished in {}: {overlap:.1} sleeps \
                 overlapped on average, against a limit of {}.",
                p.tasks,
                fmt_s(p.tasks as f64 * hi as f64 / 1000.0),
                fmt_s(t_hi),
                p.limit
            ),
        });
        Ok(out)
    }
}
