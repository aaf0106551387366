//! Question 4's claims and headline: a pure function of a result (its params and series).
//!
//! Every rule reads one client's series: tokio's for the Rust verdict, asyncio's (`python`) for the Python one.
//! Most compare the run without a client limit with the bounded run (the smallest limit at or above the pool).

use super::*;
use crate::judging::{self, above, below};
use crate::result::Finding;
use crate::units::{fmt_ms, fmt_pct, fmt_ratio};
use Verdict::{Confirmed, Contradicted, Refined};

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
    let rules: [(&str, Rule); 8] = [
        ("4.1", rule_4_1),
        ("4.2", rule_4_2),
        ("4.3", rule_4_3),
        ("4.4", rule_4_4),
        ("4.5", rule_4_5),
        ("4.6", rule_4_6),
        ("4.7", rule_4_7),
        ("4.8", rule_4_8),
    ];
    rules.into_iter().map(|(id, rule)| claim(id, p, r, rule)).collect()
}

type Rule = fn(&Params, &Client) -> Result<Finding>;

/// One client's series in a result.
struct Client<'a> {
    r: &'a LabResult,
    /// "tokio" or "python".
    name: &'static str,
    /// How the evidence names it.
    label: &'static str,
}

impl Client<'_> {
    fn v(&self, y: &str, x: f64) -> Result<f64> {
        self.r.value(self.name, y, x)
    }
}

/// The claim `id` judged by `rule` on the tokio client's series (Rust) and the asyncio client's (Python).
fn claim(id: &str, p: &Params, r: &LabResult, rule: Rule) -> Result<Claim> {
    let rust = rule(p, &Client { r, name: "tokio", label: "tokio" })?;
    let python = judging::python(r, || rule(p, &Client { r, name: "python", label: "asyncio" }));
    Claim::new(id, rust, python)
}

/// The two runs most rules compare: a client limit below the number of requests (the smallest at or above the
/// pool, else the largest), and the run without a limit (or with one no smaller than the number of requests).
#[derive(Debug, Clone, Copy)]
struct Pair {
    bounded: f64,
    unlimited: f64,
}

fn pair(p: &Params) -> Option<Pair> {
    let below_requests = || p.limits.iter().flatten().copied().filter(|&l| l < p.requests);
    let bounded = below_requests().filter(|&l| l >= p.pool_size).min().or_else(|| below_requests().max())?;
    let unlimited = if p.limits.contains(&None) {
        NONE
    } else {
        p.limits.iter().flatten().copied().filter(|&l| l >= p.requests).max()? as f64
    };
    Some(Pair { bounded: bounded as f64, unlimited })
}

fn no_pair(p: &Params) -> Finding {
    Finding::not_measured(format!(
        "The limits {:?} lack a run with a limit below the {} requests or one without a limit: nothing to compare.",
        p.limits, p.requests
    ))
}

/// The runs without a client limit: the plain one (when run) and the one under the lowered open-files limit.
fn unlimited_runs(p: &Params) -> Vec<f64> {
    let plain = pair(p).map(|pr| pr.unlimited);
    plain.into_iter().chain(p.nofile.map(|_| UNDER_NOFILE)).collect()
}

/// "limit 50", "no limit", "no limit under nofile 256".
fn run_name(x: f64, p: &Params) -> String {
    match ClientLimit::from_x(x, p.nofile) {
        ClientLimit::Limit(l) if l >= p.requests => format!("limit {l} (no fewer than the requests)"),
        ClientLimit::Limit(l) => format!("limit {l}"),
        ClientLimit::Unlimited => "no limit".into(),
        ClientLimit::UnlimitedUnderNofile(n) => format!("no limit under nofile {n}"),
    }
}

fn count(v: f64) -> String {
    format!("{v:.0}")
}

fn share(v: f64) -> String {
    format!("{:.1}%", v * 100.0)
}

/// An open-files limit as a count, or "unlimited" for RLIM_INFINITY.
fn files(v: f64) -> String {
    if v >= 9.0e18 {
        "unlimited".into()
    } else {
        count(v)
    }
}

/// "Overload": more requests waited at the server than its pool serves in one round.
fn rule_4_1(p: &Params, c: &Client) -> Result<Finding> {
    let Some(pr) = pair(p) else { return Ok(no_pair(p)) };
    let queue = c.v("server_max_queue", pr.unlimited)?;
    let what = format!("{} client with {}: the server's queue peaked at", c.label, run_name(pr.unlimited, p));
    let finding = above(&what, queue, p.pool_size as f64, count).decide(
        Confirmed,
        Contradicted,
        &format!(
            "More requests waited than the pool of {} serves in one round of {} ms: the backend fell behind.",
            p.pool_size, p.service_ms
        ),
        &format!("The pool of {} served them with no more than one round waiting.", p.pool_size),
    );
    let bounded = c.v("server_max_queue", pr.bounded)?;
    Ok(finding.then(format!("With {}: {bounded:.0} waited at most.", run_name(pr.bounded, p))))
}

/// "Memory pressure": what the requests in flight add to the client's peak RSS, as a share of the bounded run's.
/// Pressure: they add at least twice what the whole client needs with a limit (+200%); growth: more than +20%
/// (peak RSS varies by a few hundred KiB from run to run; 1,000 requests in flight add several MiB).
fn rule_4_2(p: &Params, c: &Client) -> Result<Finding> {
    let Some(pr) = pair(p) else { return Ok(no_pair(p)) };
    let (b, u) = (c.v("peak_rss_mb", pr.bounded)?, c.v("peak_rss_mb", pr.unlimited)?);
    let what = format!(
        "{} peak RSS with {} ({u:.1} MiB) against {} ({b:.1} MiB), added",
        c.label,
        run_name(pr.unlimited, p),
        run_name(pr.bounded, p)
    );
    let machine = c.r.machine.memory_bytes as f64 / (1024.0 * 1024.0);
    let of_machine = if machine > 0.0 {
        format!(", {:.2}% of the machine's memory", (u - b) / machine * 100.0)
    } else {
        String::new()
    };
    let growth = format!("Memory grows with the requests in flight: {:.1} MiB more{of_machine}.", u - b);
    let pressure = above(&what, u / b - 1.0, 2.0, fmt_pct);
    if pressure.holds || pressure.close {
        return Ok(pressure.decide(Confirmed, Refined, &growth, &growth));
    }
    Ok(above(&what, u / b - 1.0, 0.2, fmt_pct).decide(
        Refined,
        Contradicted,
        &format!("{growth} Growth, not pressure: {} <= +200.0%, the line of pressure.", fmt_pct(u / b - 1.0)),
        "Memory did not grow measurably without a limit.",
    ))
}

/// The `q` quantile of a run's latency in ms, and its text. The series holds the successful requests only; a
/// request that timed out took at least the timeout, so when more than 1 - q of the requests that got an answer or
/// timed out did time out, the quantile is at least the timeout. None when every request failed otherwise.
fn latency(p: &Params, c: &Client, x: f64, y: &str, q: f64) -> Result<Option<(f64, String)>> {
    let (ok, timeouts) = (c.v("ok", x)?, c.v("timeouts", x)?);
    if ok + timeouts == 0.0 {
        return Ok(None);
    }
    let timed_out = timeouts / (ok + timeouts);
    if timed_out > 1.0 - q {
        let t = p.timeout_ms as f64;
        return Ok(Some((t, format!("at least {}, the timeout: {} timed out", fmt_ms(t), share(timed_out)))));
    }
    let v = c.v(y, x)?;
    Ok(Some((v, fmt_ms(v))))
}

/// "Increased latency" (p50) and "increased tail latency" (p99): the quantile without a limit at least twice the
/// bounded run's.
fn latency_rule(p: &Params, c: &Client, y: &str, q: f64, name: &str) -> Result<Finding> {
    let Some(pr) = pair(p) else { return Ok(no_pair(p)) };
    let (Some((b, bt)), Some((u, ut))) = (latency(p, c, pr.bounded, y, q)?, latency(p, c, pr.unlimited, y, q)?) else {
        return Ok(Finding::not_measured("Every request of one of the runs failed before an answer or a timeout."));
    };
    let what = format!(
        "{} {name} latency with {} ({ut}) / with {} ({bt})",
        c.label,
        run_name(pr.unlimited, p),
        run_name(pr.bounded, p)
    );
    Ok(above(&what, u / b, 2.0, fmt_ratio).decide(Confirmed, Contradicted, "", "").then(
        "A request's clock starts when it is sent: behind a client limit it waits in the semaphore first, \
               uncounted; without one it waits in the server's queue, counted.",
    ))
}

fn rule_4_3(p: &Params, c: &Client) -> Result<Finding> {
    latency_rule(p, c, "latency_p50_ms", 0.5, "median")
}

fn rule_4_8(p: &Params, c: &Client) -> Result<Finding> {
    latency_rule(p, c, "latency_p99_ms", 0.99, "p99")
}

/// "Timeouts": removing the limit added timeouts for more than 1 in 100 requests.
fn rule_4_4(p: &Params, c: &Client) -> Result<Finding> {
    let Some(pr) = pair(p) else { return Ok(no_pair(p)) };
    let (b, u) = (c.v("timeouts", pr.bounded)?, c.v("timeouts", pr.unlimited)?);
    let what = format!(
        "{} timeouts with {} ({u:.0}) less those with {} ({b:.0}), as a share of the {} requests",
        c.label,
        run_name(pr.unlimited, p),
        run_name(pr.bounded, p),
        p.requests
    );
    Ok(above(&what, (u - b) / p.requests as f64, 0.01, share).decide(
        Confirmed,
        Contradicted,
        &format!(
            "A request's wait in the server's queue counts against its {} ms timeout, so the ones at the back give \
             up; the server, which cannot know, still serves them later.",
            p.timeout_ms
        ),
        &format!("Without a limit, the waits stayed within the {} ms timeout for all but a few.", p.timeout_ms),
    ))
}

/// "Possible crash": a client that crashed leaves requests without an outcome (or no result at all). Requests that
/// all ended counted, some in errors, are refined: no crash, but errors that would end a program that lets the
/// first one escape. No errors at all contradicts it.
fn rule_4_5(p: &Params, c: &Client) -> Result<Finding> {
    let runs = unlimited_runs(p);
    if runs.is_empty() {
        return Ok(no_pair(p));
    }
    let (mut lost, mut errors) = (0.0, 0.0);
    for &x in &runs {
        let v = |y: &str| c.v(y, x);
        let failed = v("timeouts")? + v("conn_errors")? + v("emfile")? + v("addr_not_avail")?;
        lost += p.requests as f64 - (v("ok")? + v("rejected")? + failed);
        errors += failed;
    }
    let names: Vec<String> = runs.iter().map(|&x| run_name(x, p)).collect();
    let lost_what = format!("{} requests without an outcome ({})", c.label, names.join("; "));
    if lost > 0.0 {
        return Ok(above(&lost_what, lost, 0.0, count).decide(
            Confirmed,
            Contradicted,
            "The client stopped before every request ended: a crash, or requests dropped.",
            "",
        ));
    }
    let kept = below(&lost_what, lost, 1.0, count);
    let err_what = "requests that ended in a timeout, a connection error or EMFILE";
    Ok(kept.and(above(err_what, errors, 0.0, count)).decide(
        Refined,
        Contradicted,
        "No crash: the client counted every request, the failures as values. A program that lets the first error \
         escape (asyncio.gather without return_exceptions, unwrap on a failed connect) stops there.",
        "Nothing failed without a limit, so nothing could bring a client down.",
    ))
}

/// "Connection pool exhaustion": a request waits at the server only when every pool connection is in use.
fn rule_4_6(p: &Params, c: &Client) -> Result<Finding> {
    let Some(pr) = pair(p) else { return Ok(no_pair(p)) };
    let (b, u) = (c.v("server_max_queue", pr.bounded)?, c.v("server_max_queue", pr.unlimited)?);
    let what = format!(
        "{} client with {}: requests waiting for one of the {} pool connections, at most",
        c.label,
        run_name(pr.unlimited, p),
        p.pool_size
    );
    let finding = above(&what, u, 0.0, count).decide(
        Confirmed,
        Contradicted,
        &format!("A request waits only when all {} connections are in use: the pool ran out.", p.pool_size),
        "No request waited for a pool connection: the pool never ran out.",
    );
    Ok(finding.then(format!("With {}: {b:.0}.", run_name(pr.bounded, p))))
}

/// "Open file descriptor limits": EMFILE without a client limit, under the open-files limit the run recorded as
/// in force; without EMFILE, the peak of open descriptors against that limit.
fn rule_4_7(p: &Params, c: &Client) -> Result<Finding> {
    let mut runs = Vec::new();
    for x in unlimited_runs(p) {
        let Ok(limit) = c.v("nofile_in_force", x) else {
            return Ok(Finding::not_measured("This result does not record the open-files limit in force."));
        };
        runs.push((x, c.v("emfile", x)?, c.v("peak_fds", x)?, limit));
    }
    let context = "Each request in flight holds a socket; the lowered limit is set in the lab child only.";
    if let Some(&(x, emfile, _, limit)) = runs.iter().filter(|r| r.1 > 0.0).max_by(|a, b| a.1.total_cmp(&b.1)) {
        let what = format!(
            "{} with {}: requests failed with EMFILE under {} open files in force,",
            c.label,
            run_name(x, p),
            files(limit)
        );
        return Ok(above(&what, emfile, 0.0, count)
            .decide(Confirmed, Contradicted, "The open-files limit capped the requests in flight.", "")
            .then(context));
    }
    let Some(&(x, _, fds, limit)) = runs.iter().max_by(|a, b| (a.2 / a.3).total_cmp(&(b.2 / b.3))) else {
        return Ok(no_pair(p));
    };
    let what = format!("{} with {}: no EMFILE, peak open descriptors", c.label, run_name(x, p));
    Ok(below(&what, fds, limit, files)
        .decide(
            Contradicted,
            Confirmed,
            "The requests in flight stayed under the open-files limit in force: it did not bind at this scale.",
            "The descriptors reached the open-files limit in force.",
        )
        .then(context))
}

#[cfg(test)]
#[path = "judge_tests.rs"]
mod tests;
