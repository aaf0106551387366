//! Question 4: "If you remove semaphore limit entirely (1000 concurrent), what do you predict will happen?"
//! `requests` one-shot requests against a loopback server with a small backend pool, with client-side limits
//! from 10 to none, and once more without a limit under a lowered open-files limit (EMFILE shown safely, in the
//! `lab` child only). Python's asyncio client runs against the same server.

use crate::error::{LabError, Result};
use crate::params::{in_range, ExperimentParams};
use serde::{Deserialize, Serialize};

/// Parameters of `lab q4`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Params {
    /// Requests per run, 1 .. 20,000 (each holds an open socket while in flight).
    pub requests: u64,
    /// Client-side concurrency limits; `null` means no limit. Each 1 .. requests, at most 8 values.
    pub limits: Vec<Option<u64>>,
    /// The server's backend pool ("connections"), 1 .. 10,000.
    pub pool_size: u64,
    /// How long a request holds a pool connection, ms, 1 .. 10,000.
    pub service_ms: u64,
    /// The server's accept backlog, 1 .. 65,535.
    pub backlog: u32,
    /// Client timeout per request (connect + answer), ms, 1 .. 60,000.
    pub timeout_ms: u64,
    /// Server rate limit: requests per second above which it answers 429 (null: none), 1 .. 1,000,000.
    pub rate_per_s: Option<u64>,
    /// Soft open-files limit for one extra run with no client limit (null: skip it), 32 .. 1,048,576.
    pub nofile: Option<u64>,
    /// Run the Python asyncio client against the same server.
    pub python: bool,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            requests: 1000,
            limits: vec![Some(10), Some(50), Some(100), Some(200), Some(1000), None],
            pool_size: 50,
            service_ms: 20,
            backlog: 1024,
            timeout_ms: 250,
            rate_per_s: None,
            nofile: Some(256),
            python: true,
        }
    }
}

/// The x a limit is charted at: the limit, 0 for none, -1 for none under the lowered open-files limit.
pub fn limit_x(limit: Option<u64>) -> f64 {
    limit.map_or(0.0, |l| l as f64)
}

/// A limit's label on charts and in evidence.
pub fn limit_label(x: f64, nofile: Option<u64>) -> String {
    if x == 0.0 {
        "none".into()
    } else if x < 0.0 {
        format!("nofile {}", nofile.unwrap_or(0))
    } else {
        format!("{x:.0}")
    }
}

impl ExperimentParams for Params {
    const NAME: &'static str = "q4";

    fn validate(&self) -> Result<()> {
        in_range("requests", self.requests, 1, 20_000)?;
        if self.limits.is_empty() || self.limits.len() > 8 {
            return Err(LabError::invalid(format!(
                "limits must hold between 1 and 8 values; got {}",
                self.limits.len()
            )));
        }
        for l in self.limits.iter().flatten() {
            if *l < 1 || *l > self.requests {
                return Err(LabError::invalid(format!(
                    "each limit must be between 1 and requests ({}) or null for none; got {l}",
                    self.requests
                )));
            }
        }
        in_range("pool_size", self.pool_size, 1, 10_000)?;
        in_range("service_ms", self.service_ms, 1, 10_000)?;
        in_range("backlog", self.backlog, 1, 65_535)?;
        in_range("timeout_ms", self.timeout_ms, 1, 60_000)?;
        if let Some(r) = self.rate_per_s {
            in_range("rate_per_s", r, 1, 1_000_000)?;
        }
        if let Some(n) = self.nofile {
            in_range("nofile", n, 32, 1 << 20)?;
        }
        Ok(())
    }

    fn estimate_s(&self) -> f64 {
        let service = self.service_ms as f64 / 1000.0;
        let pool_bound = (self.requests as f64 / self.pool_size as f64).ceil() * service;
        let runs: f64 = self
            .limits
            .iter()
            .map(|l| match l {
                Some(l) => ((self.requests as f64 / *l as f64).ceil() * service).max(pool_bound),
                None => pool_bound,
            })
            .sum::<f64>()
            + if self.nofile.is_some() { pool_bound } else { 0.0 };
        // Timeouts cut runs short, so this is an upper bound; Python starts in about 0.1 s a run.
        runs * if self.python { 2.0 } else { 1.0 } + self.limits.len() as f64 * 0.2 + 1.0
    }
}

#[cfg(feature = "experiments")]
pub use run::execute;

#[cfg(feature = "experiments")]
mod run {
    use super::*;
    use crate::budget::watchdog::set_soft_nofile;
    use crate::experiments::common;
    use crate::measure::memory;
    use crate::progress::Progress;
    use crate::result::{Claim, LabResult, Series, Verdict};
    use crate::twin;
    use crate::verdict::{fmt_ms, fmt_s, or_not_run};
    use crate::workload::client;
    use crate::workload::server::{Server, ServerConfig};
    use std::time::Duration;

    /// Every y measured per run, in series order.
    pub const YS: [&str; 14] = [
        "ok",
        "timeouts",
        "rejected",
        "conn_errors",
        "emfile",
        "addr_not_avail",
        "latency_p50_ms",
        "latency_p99_ms",
        "latency_max_ms",
        "peak_fds",
        "peak_rss_mb",
        "wall_s",
        "server_max_queue",
        "server_max_open",
    ];

    fn tokio_run(p: &Params, port: u16, limit: Option<u64>, nofile: Option<u64>) -> Result<[f64; 12]> {
        let rt = crate::workload::runtime(crate::params::Flavor::MultiThread)?;
        memory::reset_peak();
        let old = match nofile {
            Some(n) => Some(set_soft_nofile(n)?),
            None => None,
        };
        let r = rt.block_on(client::run(port, p.requests, limit, Duration::from_millis(p.timeout_ms)));
        if let Some(old) = old {
            set_soft_nofile(old)?;
        }
        let o = &r.outcomes;
        Ok([
            o.ok as f64,
            o.timeouts as f64,
            o.rejected as f64,
            o.conn_errors as f64,
            o.emfile as f64,
            o.addr_not_avail as f64,
            r.latency.p50_ms,
            r.latency.p99_ms,
            r.latency.max_ms,
            r.peak_fds as f64,
            memory::peak_rss_bytes() as f64 / (1024.0 * 1024.0),
            r.wall_s,
        ])
    }

    pub fn execute(p: &Params) -> Result<LabResult> {
        let (py, machine) = common::setup(p.python)?;
        let params = common::params_json(p)?;
        let clients: Vec<&str> = if py.is_some() { vec!["tokio", "python"] } else { vec!["tokio"] };
        // Each limit, then the unlimited run under the lowered open-files limit.
        let mut runs: Vec<(Option<u64>, Option<u64>)> = p.limits.iter().map(|l| (*l, None)).collect();
        if let Some(n) = p.nofile {
            runs.push((None, Some(n)));
        }
        let mut progress = Progress::new("q4", runs.len() * clients.len());
        let server = Server::start(&ServerConfig {
            pool_size: p.pool_size,
            service_ms: p.service_ms,
            backlog: p.backlog,
            rate_per_s: p.rate_per_s,
        })?;
        progress.note(&format!(
            "{} requests against a loopback server (port {}, pool {}, {} ms per request), timeout {} ms; about {:.0} s",
            p.requests,
            server.port,
            p.pool_size,
            p.service_ms,
            p.timeout_ms,
            p.estimate_s()
        ));
        let mut series: Vec<Series> =
            clients.iter().flat_map(|c| YS.iter().map(move |y| Series::new(c, "limit", y))).collect();
        server.stats()?; // start the counters from zero
        for &(limit, nofile) in &runs {
            let x = if nofile.is_some() { -1.0 } else { limit_x(limit) };
            for (ci, client) in clients.iter().enumerate() {
                progress.begin(&format!("{client} client, limit {}", limit_label(x, p.nofile)));
                let mut v = [0.0; 14];
                if *client == "tokio" {
                    v[..12].copy_from_slice(&tokio_run(p, server.port, limit, nofile)?);
                } else {
                    let py = py.as_ref().ok_or_else(|| LabError::other("no Python"))?;
                    let limit_arg = limit.map_or("none".to_string(), |l| l.to_string());
                    let mut args =
                        vec!["--port".to_string(), server.port.to_string(), "--limit".to_string(), limit_arg];
                    if let Some(n) = nofile {
                        args.extend(["--nofile".to_string(), n.to_string()]);
                    }
                    let args: Vec<&str> = args.iter().map(String::as_str).collect();
                    let r = twin::run(py, "q4_client.py", &params, &args)?;
                    for (k, y) in YS[..12].iter().enumerate() {
                        v[k] = r.value("python", y, x)?;
                    }
                }
                // Abandoned requests are still queued at the server: let it finish them before the next run.
                server.drain(Duration::from_secs(120))?;
                let stats = server.stats()?;
                v[12] = stats.max_queue as f64;
                v[13] = stats.max_open as f64;
                for (k, value) in v.iter().enumerate() {
                    series[ci * YS.len() + k].points.push([x, *value]);
                }
                progress.end(&format!(
                    "{} ok, {} timeouts, {} errors ({} EMFILE); p99 {}; server queue peak {}; {}",
                    v[0],
                    v[1],
                    v[3] + v[4] + v[5],
                    v[4],
                    fmt_ms(v[7]),
                    v[12],
                    fmt_s(v[11])
                ));
            }
        }
        drop(server);
        common::finish(p, machine, series, claims, headline)
    }

    fn headline(p: &Params, r: &LabResult) -> Result<String> {
        let v = |y: &str, x: f64| r.value("tokio", y, x);
        Ok(format!(
            "{} requests, pool {}: limit {} p99 {} with {} timeouts; no limit p99 {} with {} timeouts{}",
            p.requests,
            p.pool_size,
            p.pool_size,
            fmt_ms(v("latency_p99_ms", p.pool_size as f64).or_else(|_| v("latency_p99_ms", 50.0)).unwrap_or(0.0)),
            v("timeouts", p.pool_size as f64).or_else(|_| v("timeouts", 50.0)).unwrap_or(0.0),
            fmt_ms(v("latency_p99_ms", 0.0)?),
            v("timeouts", 0.0)?,
            v("emfile", -1.0)
                .map(|e| format!("; under nofile {}: {e:.0} EMFILE", p.nofile.unwrap_or(0)))
                .unwrap_or_default()
        ))
    }

    fn claims(p: &Params, r: &LabResult) -> Result<Vec<Claim>> {
        // The bounded reference: the smallest limit at or above the pool size (else the largest limit run).
        let bounded = p
            .limits
            .iter()
            .flatten()
            .copied()
            .filter(|&l| l >= p.pool_size)
            .min()
            .or(p.limits.iter().flatten().copied().max())
            .unwrap_or(p.pool_size) as f64;
        let none = 0.0;
        let has_none = p.limits.contains(&None);
        let t = |y: &str, x: f64| r.value("tokio", y, x);
        let py = |y: &str, x: f64| r.value("python", y, x).ok();
        let opt = |o: Option<f64>| or_not_run(o, |v| format!("{v:.0}"));
        let optms = |o: Option<f64>| or_not_run(o, fmt_ms);
        let x_none = if has_none { none } else { p.limits.iter().flatten().copied().max().unwrap_or(1) as f64 };
        let label = |x: f64| limit_label(x, p.nofile);
        let q_b = t("server_max_queue", bounded)?;
        let q_n = t("server_max_queue", x_none)?;
        let p50_b = t("latency_p50_ms", bounded)?;
        let p50_n = t("latency_p50_ms", x_none)?;
        let p99_b = t("latency_p99_ms", bounded)?;
        let p99_n = t("latency_p99_ms", x_none)?;
        let to_b = t("timeouts", bounded)?;
        let to_n = t("timeouts", x_none)?;
        let rss_lo = t("peak_rss_mb", p.limits.iter().flatten().copied().min().unwrap_or(1) as f64)?;
        let rss_n = t("peak_rss_mb", x_none)?;
        let fds_n = t("peak_fds", x_none)?;
        let emfile = t("emfile", -1.0).ok();
        let mut out = vec![Claim {
            id: "4.1".into(),
            claim: "overload".into(),
            verdict: Verdict::Confirmed,
            evidence: format!(
                "With limit {}, up to {q_n:.0} requests waited at once for the server's {} pool connections; with \
                 limit {bounded:.0}, {q_b:.0}. The server took every connection and queued the excess: the overload \
                 is a queue at the scarce resource.",
                label(x_none),
                p.pool_size
            ),
        }];
        out.push(Claim {
            id: "4.2".into(),
            claim: "memory pressure".into(),
            verdict: if rss_n > 2.0 * rss_lo + 100.0 { Verdict::Confirmed } else { Verdict::Refined },
            evidence: format!(
                "The tokio client peaked at {rss_n:.1} MiB resident with {} requests in flight against {rss_lo:.1} \
                 MiB at the smallest limit; the Python client {} MiB against {} MiB. A few thousand in-flight \
                 requests are megabytes, not pressure; memory per live task is notebook 06's subject.",
                p.requests,
                opt(py("peak_rss_mb", x_none)),
                opt(py("peak_rss_mb", p.limits.iter().flatten().copied().min().unwrap_or(1) as f64))
            ),
        });
        out.push(Claim {
            id: "4.3".into(),
            claim: "increased latency".into(),
            verdict: if p50_n > 1.5 * p50_b { Verdict::Confirmed } else { Verdict::Refined },
            evidence: format!(
                "Median latency of successful requests: {} at limit {bounded:.0}, {} at limit {} (Python {} and {}). \
                 The requests wait in the server's queue instead of the client's semaphore; the total time hardly \
                 changes, but each request now counts the waiting.",
                fmt_ms(p50_b),
                fmt_ms(p50_n),
                label(x_none),
                optms(py("latency_p50_ms", bounded)),
                optms(py("latency_p50_ms", x_none))
            ),
        });
        out.push(Claim {
            id: "4.4".into(),
            claim: "timeouts".into(),
            verdict: if to_n > to_b { Verdict::Confirmed } else { Verdict::Refined },
            evidence: format!(
                "With a {} ms timeout: {to_b:.0} timeouts at limit {bounded:.0}, {to_n:.0} at limit {} (Python {} and \
                 {}). A queued request's wait counts against its timeout, so the ones at the back give up.",
                p.timeout_ms,
                label(x_none),
                opt(py("timeouts", bounded)),
                opt(py("timeouts", x_none))
            ),
        });
        out.push(Claim {
            id: "4.5".into(),
            claim: "possible crash".into(),
            verdict: Verdict::Contradicted,
            evidence: format!(
                "Nothing crashed: every run ended with each request counted as a success, a timeout or an error{}, \
                 in Rust and in Python, and the server kept serving. Overload shows up as errors and latency; a \
                 crash would need memory to run out, which takes far more than {} requests (notebook 09).",
                emfile.map(|e| format!(" ({e:.0} EMFILE under the lowered limit)")).unwrap_or_default(),
                p.requests
            ),
        });
        out.push(Claim {
            id: "4.6".into(),
            claim: "Connection pool exhaustion".into(),
            verdict: Verdict::Confirmed,
            evidence: format!(
                "The server's pool of {} was exhausted whenever more than {} requests were in flight: its wait queue \
                 peaked at {q_n:.0} without a client limit and at {q_b:.0} with limit {bounded:.0}.",
                p.pool_size, p.pool_size
            ),
        });
        out.push(Claim {
            id: "4.7".into(),
            claim: "Open file descriptor limits".into(),
            verdict: if emfile.unwrap_or(0.0) > 0.0 { Verdict::Confirmed } else { Verdict::Refined },
            evidence: format!(
                "Each request in flight holds a socket: the unlimited client peaked at {fds_n:.0} open descriptors. \
                 Under a soft limit of {} ({}) the same run failed {} requests with EMFILE (Python: {}); this \
                 machine's limit in force is {}.",
                p.nofile.map_or("none".into(), |n| n.to_string()),
                "set in the lab child only, not in your shell",
                or_not_run(emfile, |e| format!("{e:.0}")),
                opt(py("emfile", -1.0)),
                crate::budget::watchdog::nofile_in_force()
            ),
        });
        out.push(Claim {
            id: "4.8".into(),
            claim: "Increased tail latency".into(),
            verdict: if p99_n > 1.5 * p99_b { Verdict::Confirmed } else { Verdict::Refined },
            evidence: format!(
                "p99 latency {} at limit {bounded:.0} and {} at limit {} (max {}); Python {} and {}.",
                fmt_ms(p99_b),
                fmt_ms(p99_n),
                label(x_none),
                fmt_ms(t("latency_max_ms", x_none)?),
                optms(py("latency_p99_ms", bounded)),
                optms(py("latency_p99_ms", x_none))
            ),
        });
        Ok(out)
    }
}
