//! Question 4's claims and headline: a pure function of a result (its params and series).
//!
//! Every rule reads one client's series: tokio's for the Rust verdict, asyncio's (`python`) for the Python one.
//! Most compare the run without a client limit with the bounded run (the smallest limit at or above the pool).

use super::*;
use crate::judging::{self, grade, Quantity};
use crate::result::Finding;
use crate::units::Unit;
use crate::units::{fmt_mib, fmt_ms, fmt_s};

const TIMEOUTS_ADDED: Quantity =
    Quantity::new("q4: timeouts added by removing the limit, share of requests", Unit::Percent);
const EMFILES: Quantity = Quantity::new("q4: requests failed with EMFILE, no limit, the limit in force", Unit::Count);
const FDS_PER_REQUEST: Quantity =
    Quantity::new("q4: peak open descriptors per request in flight, no limit", Unit::Number);

/// Where the unlimited runs sit in the series.
const NONE: f64 = ClientLimit::Unlimited.x();
const UNDER_NOFILE: f64 = ClientLimit::UnlimitedUnderNofile(0).x();

pub fn headline(p: &Params, r: &LabResult) -> Result<String> {
    // The runs the rules compare; a number the result lacks (an older lab's) reads "n/a" rather than failing.
    let Some(pr) = pair(p) else {
        return Ok(format!("{} requests, pool {}: no pair of runs to compare", p.requests, p.pool_size));
    };
    let v = |y: &str, x: f64, unit: fn(f64) -> String| r.value("tokio", y, x).map_or_else(|_| "n/a".into(), unit);
    let side = |x: f64| {
        format!(
            "{} p99 {} from submission ({} service) with {} timeouts in {}",
            run_name(x, p),
            v("from_submit_p99_ms", x, fmt_ms),
            v("service_p99_ms", x, fmt_ms),
            v("timeouts", x, count),
            v("wall_s", x, fmt_s)
        )
    };
    let emfile = r.value("tokio", "emfile", UNDER_NOFILE).ok();
    Ok(format!(
        "{} requests, pool {}: {}; {}{}",
        p.requests,
        p.pool_size,
        side(pr.bounded),
        side(pr.unlimited),
        emfile.map(|e| format!("; under nofile {}: {e:.0} EMFILE", p.nofile.unwrap_or(0))).unwrap_or_default()
    ))
}

pub fn claims(p: &Params, r: &LabResult) -> Result<Vec<Claim>> {
    let rules: [(&str, Rule); 8] = [
        ("4.1", costs::rule_4_1),
        ("4.2", costs::rule_4_2),
        ("4.3", parts::rule_4_3),
        ("4.4", rule_4_4),
        ("4.5", parts::rule_4_5),
        ("4.6", costs::rule_4_6),
        ("4.7", rule_4_7),
        ("4.8", parts::rule_4_8),
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
    // A result saved by an older lab may lack a series a rule reads: that claim is not measured, not an error.
    let rust = judging::rust(|| rule(p, &Client { r, name: "tokio", label: "tokio" }));
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

/// An open-files limit as a count, or "unlimited" for RLIM_INFINITY.
fn files(v: f64) -> String {
    if v >= 9.0e18 {
        "unlimited".into()
    } else {
        count(v)
    }
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
    Ok(TIMEOUTS_ADDED
        .above(c.r, &what, (u - b) / p.requests as f64, 0.01)
        .confirm(
            &format!(
            "A request's wait in the server's queue counts against its {} ms timeout, so the ones at the back give \
             up; the server served {} requests after their client had gone.",
            p.timeout_ms,
            c.v("server_served_gone", pr.unlimited).map_or("an unrecorded number of".into(), count)
        ),
            &format!(
                "Without a limit, the waits stayed within the {} ms timeout for all but at most 1 in 100 requests.",
                p.timeout_ms
            ),
        )
        .then(format!(
        "The timeout sits around the request, inside the permit (as `async with sem: await wait_for(...)` puts it), \
         so with {} no request could time out while it waited for a permit: its callers waited up to {} from \
         submission (p99), uncounted here.",
        run_name(pr.bounded, p),
        c.v("from_submit_p99_ms", pr.bounded).map_or("n/a".into(), fmt_ms)
    ))
        .then(costs::drain_bound(p)))
}

/// "Open file descriptor limits", judged at the run without a limit under the machine's own open-files limit (the
/// point the claim is about, fixed before the run): EMFILE there confirms it. Without EMFILE, the descriptors must
/// follow the requests in flight (at least one for every two requests sent at once), which makes the limit one that
/// binds once the requests in flight pass it: refined, with the limit in force; else contradicted (connections
/// shared). The run under the lab's lowered limit, where EMFILE is certain by design, is told beside it.
fn rule_4_7(p: &Params, c: &Client) -> Result<Finding> {
    let Some(pr) = pair(p) else { return Ok(no_pair(p)) };
    let x = pr.unlimited;
    let Ok(limit) = c.v("nofile_in_force", x) else {
        return Ok(Finding::not_measured("This result does not record the open-files limit in force."));
    };
    let (emfile, fds) = (c.v("emfile", x)?, c.v("peak_fds", x)?);
    let at = format!("{} with {} under the open-files limit in force ({})", c.label, run_name(x, p), files(limit));
    let finding = grade(
        EMFILES.above(c.r, &format!("{at}: requests failed with EMFILE"), emfile, 0.0),
        FDS_PER_REQUEST.above(
            c.r,
            &format!("peak open descriptors {fds:.0} for {} requests sent at once, per request", p.requests),
            fds / p.requests as f64,
            0.5,
        ),
        [
            "The open-files limit capped the requests in flight.",
            &format!(
                "Not hit at this limit, but each request in flight held a descriptor: a soft limit below the requests \
                 in flight would bind (the common default is 1024; this process had {}).",
                files(limit)
            ),
            "The descriptors did not follow the requests in flight: connections were shared, so the limit was far.",
        ],
    );
    let lowered = match (p.nofile, c.v("emfile", UNDER_NOFILE)) {
        (Some(n), Ok(e)) => format!(
            " Under the lab's lowered limit of {n} (set in the lab child only, to show what binding looks like), \
             {e:.0} requests failed with EMFILE."
        ),
        _ => String::new(),
    };
    Ok(finding.then(lowered))
}

/// 4.1, 4.2 and 4.6: what removing the limit cost (goodput, the client's memory, requests lost to the pool's wait).
#[path = "judge_costs.rs"]
mod costs;

/// 4.3 and 4.8 (latency from submission) and 4.5 (the notes' own program).
#[path = "judge_parts.rs"]
mod parts;

#[cfg(test)]
#[path = "judge_tests.rs"]
mod tests;
