//! Question 4's claims and headline: a pure function of a result (its params and series).

use super::*;
use crate::result::{Claim, LabResult, Verdict};
use crate::units::{fmt_ms, or_not_run};

/// Where the unlimited runs sit in the series.
const NONE: f64 = ClientLimit::Unlimited.x();
const UNDER_NOFILE: f64 = ClientLimit::UnlimitedUnderNofile(0).x();

pub fn headline(p: &Params, r: &LabResult) -> Result<String> {
    let v = |y: &str, x: f64| r.value("tokio", y, x);
    Ok(format!(
        "{} requests, pool {}: limit {} p99 {} with {} timeouts; no limit p99 {} with {} timeouts{}",
        p.requests,
        p.pool_size,
        p.pool_size,
        fmt_ms(v("latency_p99_ms", p.pool_size as f64).or_else(|_| v("latency_p99_ms", 50.0)).unwrap_or(0.0)),
        v("timeouts", p.pool_size as f64).or_else(|_| v("timeouts", 50.0)).unwrap_or(0.0),
        fmt_ms(v("latency_p99_ms", NONE)?),
        v("timeouts", NONE)?,
        v("emfile", UNDER_NOFILE)
            .map(|e| format!("; under nofile {}: {e:.0} EMFILE", p.nofile.unwrap_or(0)))
            .unwrap_or_default()
    ))
}

pub fn claims(p: &Params, r: &LabResult) -> Result<Vec<Claim>> {
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
    let has_none = p.limits.contains(&None);
    let t = |y: &str, x: f64| r.value("tokio", y, x);
    let py = |y: &str, x: f64| r.value("python", y, x).ok();
    let opt = |o: Option<f64>| or_not_run(o, |v| format!("{v:.0}"));
    let optms = |o: Option<f64>| or_not_run(o, fmt_ms);
    let x_none = if has_none { NONE } else { p.limits.iter().flatten().copied().max().unwrap_or(1) as f64 };
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
    let emfile = t("emfile", UNDER_NOFILE).ok();
    let mut out = vec![Claim::new(
        "4.1",
        Verdict::Confirmed,
        format!(
            "With limit {}, up to {q_n:.0} requests waited at once for the server's {} pool connections; with \
             limit {bounded:.0}, {q_b:.0}. The server took every connection and queued the excess: the overload \
             is a queue at the scarce resource.",
            label(x_none),
            p.pool_size
        ),
    )?];
    out.push(Claim::new(
        "4.2",
        if rss_n > 2.0 * rss_lo + 100.0 { Verdict::Confirmed } else { Verdict::Refined },
        format!(
            "The tokio client peaked at {rss_n:.1} MiB resident with {} requests in flight against {rss_lo:.1} \
             MiB at the smallest limit; the Python client {} MiB against {} MiB. A few thousand in-flight \
             requests are megabytes, not pressure; memory per live task is notebook 06's subject.",
            p.requests,
            opt(py("peak_rss_mb", x_none)),
            opt(py("peak_rss_mb", p.limits.iter().flatten().copied().min().unwrap_or(1) as f64))
        ),
    )?);
    out.push(Claim::new(
        "4.3",
        if p50_n > 1.5 * p50_b { Verdict::Confirmed } else { Verdict::Refined },
        format!(
            "Median latency of successful requests: {} at limit {bounded:.0}, {} at limit {} (Python {} and {}). \
             The requests wait in the server's queue instead of the client's semaphore; the total time hardly \
             changes, but each request now counts the waiting.",
            fmt_ms(p50_b),
            fmt_ms(p50_n),
            label(x_none),
            optms(py("latency_p50_ms", bounded)),
            optms(py("latency_p50_ms", x_none))
        ),
    )?);
    out.push(Claim::new(
        "4.4",
        if to_n > to_b { Verdict::Confirmed } else { Verdict::Refined },
        format!(
            "With a {} ms timeout: {to_b:.0} timeouts at limit {bounded:.0}, {to_n:.0} at limit {} (Python {} and \
             {}). A queued request's wait counts against its timeout, so the ones at the back give up.",
            p.timeout_ms,
            label(x_none),
            opt(py("timeouts", bounded)),
            opt(py("timeouts", x_none))
        ),
    )?);
    out.push(Claim::new(
        "4.5",
        Verdict::Contradicted,
        format!(
            "Nothing crashed: every run ended with each request counted as a success, a timeout or an error{}, \
             in Rust and in Python, and the server kept serving. Overload shows up as errors and latency; a \
             crash would need memory to run out, which takes far more than {} requests (notebook 09).",
            emfile.map(|e| format!(" ({e:.0} EMFILE under the lowered limit)")).unwrap_or_default(),
            p.requests
        ),
    )?);
    out.push(Claim::new(
        "4.6",
        Verdict::Confirmed,
        format!(
            "The server's pool of {} was exhausted whenever more than {} requests were in flight: its wait queue \
             peaked at {q_n:.0} without a client limit and at {q_b:.0} with limit {bounded:.0}.",
            p.pool_size, p.pool_size
        ),
    )?);
    out.push(Claim::new(
        "4.7",
        if emfile.unwrap_or(0.0) > 0.0 { Verdict::Confirmed } else { Verdict::Refined },
        format!(
            "Each request in flight holds a socket: the unlimited client peaked at {fds_n:.0} open descriptors. \
             Under a soft limit of {} ({}) the same run failed {} requests with EMFILE (Python: {}); this \
             machine's limit in force is {}.",
            p.nofile.map_or("none".into(), |n| n.to_string()),
            "set in the lab child only, not in your shell",
            or_not_run(emfile, |e| format!("{e:.0}")),
            opt(py("emfile", UNDER_NOFILE)),
            crate::process::nofile_in_force()
        ),
    )?);
    out.push(Claim::new(
        "4.8",
        if p99_n > 1.5 * p99_b { Verdict::Confirmed } else { Verdict::Refined },
        format!(
            "p99 latency {} at limit {bounded:.0} and {} at limit {} (max {}); Python {} and {}.",
            fmt_ms(p99_b),
            fmt_ms(p99_n),
            label(x_none),
            fmt_ms(t("latency_max_ms", x_none)?),
            optms(py("latency_p99_ms", bounded)),
            optms(py("latency_p99_ms", x_none))
        ),
    )?);
    Ok(out)
}
