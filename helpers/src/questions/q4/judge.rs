//! Question 4's claims and headline: a pure function of a result (its params and series).
//!
//! Every rule reads one client's series: tokio's for the Rust verdict, asyncio's (`python`) for the Python one.
//! Most compare the run without a client limit with the bounded run (the smallest limit at or above the pool).

use super::*;
use crate::judging::{self, grade, Quantity};
use crate::peak;
use crate::result::Finding;
use crate::units::{fmt_mib, fmt_ms, fmt_pct, fmt_s};

const QUEUE: Quantity = Quantity::new("q4: the server's queue at its peak, no limit, against the pool", count);
const RSS_ADDED: Quantity = Quantity::new("q4: peak RSS, no limit / bounded, less one", fmt_pct);
const MACHINE_SHARE: Quantity = Quantity::new(
    "q4: memory the requests in flight added / the memory available (the cgroup's limit, else the machine's)",
    |v| format!("{:.2}%", v * 100.0),
);
/// Pressure: what the requests in flight add takes a tenth of the machine's memory (9.1's line for "massive").
const PRESSURE: f64 = 0.1;
const TIMEOUTS_ADDED: Quantity = Quantity::new("q4: timeouts added by removing the limit, share of requests", share);
const WAITERS_ADDED: Quantity =
    Quantity::new("q4: requests waiting for a pool connection at their peak, no limit less bounded", count);
const STARVED_ADDED: Quantity =
    Quantity::new("q4: requests that gave up waiting for a pool connection, no limit less bounded, share", share);
const GOODPUT_KEPT: Quantity = Quantity::new("q4: goodput, no limit / bounded", |v| format!("{v:.2}x"));
/// Goodput lost: below this share of the bounded run's (the same run's goodput varies by under a tenth here).
const GOODPUT_LINE: f64 = 0.8;
const EMFILES: Quantity = Quantity::new("q4: requests failed with EMFILE, no limit, the limit in force", count);
const FDS_PER_REQUEST: Quantity =
    Quantity::new("q4: peak open descriptors per request in flight, no limit", |v| format!("{v:.2}"));

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
        ("4.1", rule_4_1),
        ("4.2", rule_4_2),
        ("4.3", parts::rule_4_3),
        ("4.4", rule_4_4),
        ("4.5", parts::rule_4_5),
        ("4.6", rule_4_6),
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

/// "Overload": what removing the limit cost the backend. Overload is goodput lost: answers the client received
/// per second of the server's time on the run (first arrival to last answer, the work for clients that had gone
/// included), without a limit against the bounded run, below 0.8 (run-to-run spread is under a tenth). Where
/// goodput held, a server queue longer than one round of the pool is a backlog, not an overload: refined. Neither:
/// contradicted. The server's work for clients that had gone (timed out) is told beside it.
fn rule_4_1(p: &Params, c: &Client) -> Result<Finding> {
    let Some(pr) = pair(p) else { return Ok(no_pair(p)) };
    let (gb, gu) = (c.v("goodput_per_s", pr.bounded)?, c.v("goodput_per_s", pr.unlimited)?);
    if gb <= 0.0 {
        return Ok(Finding::not_measured(format!(
            "{} with {} received no answer: there is no goodput to compare with.",
            c.label,
            run_name(pr.bounded, p)
        )));
    }
    let queue = c.v("server_max_queue", pr.unlimited)?;
    let finding = grade(
        GOODPUT_KEPT.below(
            c.r,
            &format!(
                "{} goodput (answers received per second of the server's time on the run) with {} ({gu:.0}/s) \
                 against {} ({gb:.0}/s), kept",
                c.label,
                run_name(pr.unlimited, p),
                run_name(pr.bounded, p)
            ),
            gu / gb,
            GOODPUT_LINE,
        ),
        QUEUE.above(
            c.r,
            &format!("the server's queue with {} peaked at", run_name(pr.unlimited, p)),
            queue,
            p.pool_size as f64,
        ),
        [
            "Removing the limit cost goodput: the backend spent its time on requests nobody was waiting for any \
             more.",
            &format!(
                "The backend fell behind (more waited than the pool of {} serves in one round of {} ms), but goodput \
                 held: a backlog the clients waited out, not an overload.",
                p.pool_size, p.service_ms
            ),
            &format!("Goodput held and the pool of {} kept up: no overload.", p.pool_size),
        ],
    );
    let wasted = |x: f64| -> Result<String> {
        Ok(format!(
            "with {}, the server served {:.0} requests after their client had gone ({} of its {} of pool-connection \
             time)",
            run_name(x, p),
            c.v("server_served_gone", x)?,
            fmt_s(c.v("server_wasted_s", x)?),
            fmt_s(c.v("server_wasted_s", x)? + c.v("server_useful_s", x)?)
        ))
    };
    Ok(finding.then(format!("Wasted work: {}; {}.", wasted(pr.unlimited)?, wasted(pr.bounded)?)).then(drain_bound(p)))
}

/// "Memory pressure": what the requests in flight add to the client's peak RSS. Pressure: a tenth of the machine's
/// memory (the share 9.1 calls massive); growth: more than +20% of the bounded run's peak (peak RSS varies by a few
/// hundred KiB from run to run; 1,000 requests in flight add several MiB). Not measured where the kernel refused a
/// reset: a lifetime peak includes earlier runs, not only the requests in flight.
fn rule_4_2(p: &Params, c: &Client) -> Result<Finding> {
    let Some(pr) = pair(p) else { return Ok(no_pair(p)) };
    let (b, u) = (c.v("peak_rss_mb", pr.bounded)?, c.v("peak_rss_mb", pr.unlimited)?);
    let so = format!(
        "the peak with {} against {} cannot be put down to the requests in flight",
        run_name(pr.unlimited, p),
        run_name(pr.bounded, p)
    );
    let kind = match peak::judged(c.r, &[(c.name, pr.bounded), (c.name, pr.unlimited)], &so) {
        Ok(kind) => kind,
        Err(not_measured) => return Ok(not_measured),
    };
    let what = format!(
        "{} {} with {} ({u:.1} MiB) against {} ({b:.1} MiB), added",
        c.label,
        kind.rss(),
        run_name(pr.unlimited, p),
        run_name(pr.bounded, p)
    );
    let m = &c.r.machine;
    let available = m.memory_available_bytes() as f64 / (1024.0 * 1024.0);
    if available <= 0.0 {
        return Ok(Finding::not_measured(
            "This result does not record the machine's memory: pressure is a share of it.",
        ));
    }
    let of = if m.memory_limit_bytes.is_some_and(|l| l < m.memory_bytes) { "cgroup's limit" } else { "machine's" };
    let added = u - b;
    let finding = grade(
        MACHINE_SHARE.above(
            c.r,
            &format!(
                "{} requests in flight without a limit added {} ({}: {} with {}, {} with {}), of the {of} {}",
                c.label,
                fmt_mib(added),
                kind.rss(),
                fmt_mib(u),
                run_name(pr.unlimited, p),
                fmt_mib(b),
                run_name(pr.bounded, p),
                if available >= 1024.0 { format!("{:.1} GiB", available / 1024.0) } else { fmt_mib(available) }
            ),
            added / available,
            PRESSURE,
        ),
        RSS_ADDED.above(c.r, &what, u / b - 1.0, 0.2),
        [
            "The requests in flight took a real share of the memory there is: memory pressure.",
            "Memory grows with the requests in flight, but this is growth, not pressure: a small share of the \
             memory there is.",
            "Without a limit, memory grew by less than a fifth of the client's own: neither pressure nor real growth.",
        ],
    );
    // What pressure would take here, so that a refined verdict says how far it was.
    let per_request = available * PRESSURE / p.requests as f64;
    let finding = finding.then(format!(
        "A tenth of that memory would take {} a request in flight for {} requests.",
        fmt_mib(per_request),
        p.requests
    ));
    // The kernel's own word on pressure, where it offers one: machine-wide, so other work counts too.
    Ok(finding.then(match c.v("memory_stall_ms", pr.unlimited) {
        Ok(ms) => format!(
            "The kernel counted {} of memory stall (/proc/pressure/memory, some) over the run with {}.",
            fmt_ms(ms),
            run_name(pr.unlimited, p)
        ),
        Err(_) => "This run has no kernel memory-pressure reading (/proc/pressure/memory).".into(),
    }))
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
        .then(drain_bound(p)))
}

/// "Connection pool exhaustion": the pool ran out when requests gave up waiting for one of its connections (their
/// client had gone before one came free), beyond the bounded run's: more than 1 in 100 requests, confirmed. Where
/// none starved but removing the limit added more waiters than the pool holds, every connection was in use with a
/// queue behind them, yet each waiter got one in time: refined. Neither: contradicted. Every limit at or above the
/// pool keeps it busy; only requests lost to the wait say it ran out.
fn rule_4_6(p: &Params, c: &Client) -> Result<Finding> {
    let Some(pr) = pair(p) else { return Ok(no_pair(p)) };
    let (b, u) = (c.v("server_max_queue", pr.bounded)?, c.v("server_max_queue", pr.unlimited)?);
    let (sb, su) = (c.v("server_starved", pr.bounded)?, c.v("server_starved", pr.unlimited)?);
    let starved = format!(
        "{} requests that gave up waiting for one of the server's {} pool connections, {} ({su:.0}) less {} \
         ({sb:.0}), as a share of the {} requests",
        c.label,
        p.pool_size,
        run_name(pr.unlimited, p),
        run_name(pr.bounded, p),
        p.requests
    );
    let waiters = format!(
        "requests waiting for a pool connection at their peak, {} ({u:.0}) less {} ({b:.0})",
        run_name(pr.unlimited, p),
        run_name(pr.bounded, p)
    );
    Ok(grade(
        STARVED_ADDED.above(c.r, &starved, (su - sb) / p.requests as f64, 0.01),
        WAITERS_ADDED.above(c.r, &waiters, u - b, p.pool_size as f64),
        [
            "The pool ran out: requests gave up before one of its connections came free (and the server, which \
             cannot know, served them anyway).",
            &format!(
                "Every one of the {} connections was in use with a queue behind them, but each waiter got one before \
                 it gave up: saturated, not exhausted.",
                p.pool_size
            ),
            "No more requests waited for the pool than with the limit: it never ran out.",
        ],
    ))
}

/// What the pool can do at best, from the params alone: the time it needs to drain the requests, and how many it can
/// answer within the timeout. Where the timeout is shorter than the drain, the timeouts are certain before the run.
fn drain_bound(p: &Params) -> String {
    let drain_ms = p.requests.div_ceil(p.pool_size) * p.service_ms;
    if drain_ms <= p.timeout_ms {
        return format!(
            "At best the pool of {} x {} ms drains the {} requests in {drain_ms} ms, within the {} ms timeout.",
            p.pool_size, p.service_ms, p.requests, p.timeout_ms
        );
    }
    let answerable = (p.timeout_ms / p.service_ms * p.pool_size).min(p.requests);
    format!(
        "At best the pool of {} x {} ms drains the {} requests in {drain_ms} ms: sent all at once, at most {answerable} \
         can be answered within the {} ms timeout, so timeouts are certain at these parameters.",
        p.pool_size, p.service_ms, p.requests, p.timeout_ms
    )
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

/// 4.3 and 4.8 (latency from submission) and 4.5 (the notes' own program).
#[path = "judge_parts.rs"]
mod parts;

#[cfg(test)]
#[path = "judge_tests.rs"]
mod tests;
