//! What removing the limit cost: goodput, with the server's work for clients that had gone (4.1), the client's
//! memory against the memory there is (4.2), and requests lost waiting for the server's pool (4.6).

use super::*;
use crate::peak;
use crate::units::Unit;

const QUEUE: Quantity = Quantity::new("q4: the server's queue at its peak, no limit, against the pool", Unit::Count);
const RSS_ADDED: Quantity = Quantity::new("q4: peak RSS, no limit / bounded, less one", Unit::Change);
const MACHINE_SHARE: Quantity = Quantity::new(
    "q4: memory the requests in flight added / the memory available (the cgroup's limit, else the machine's)",
    Unit::Percent,
);
const WAITERS_ADDED: Quantity =
    Quantity::new("q4: requests waiting for a pool connection at their peak, no limit less bounded", Unit::Count);
const STARVED_ADDED: Quantity = Quantity::new(
    "q4: requests that gave up waiting for a pool connection, no limit less bounded, share",
    Unit::Percent,
);
const GOODPUT_KEPT: Quantity = Quantity::new("q4: goodput, no limit / bounded", Unit::Ratio);
/// Pressure: what the requests in flight add takes a tenth of the machine's memory (9.1's line for "massive").
const PRESSURE: f64 = 0.1;
/// Goodput lost: below this share of the bounded run's (the same run's goodput varies by under a tenth here).
const GOODPUT_LINE: f64 = 0.8;

/// "Overload": what removing the limit cost the backend. Overload is goodput lost: answers the client received
/// per second of the server's time on the run (first arrival to last answer, the work for clients that had gone
/// included), without a limit against the bounded run, below 0.8 (run-to-run spread is under a tenth). Where
/// goodput held, a server queue longer than one round of the pool is a backlog, not an overload: refined. Neither:
/// contradicted. The server's work for clients that had gone (timed out) is told beside it.
pub(super) fn rule_4_1(p: &Params, c: &Client) -> Result<Finding> {
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
pub(super) fn rule_4_2(p: &Params, c: &Client) -> Result<Finding> {
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

/// "Connection pool exhaustion": the pool ran out when requests gave up waiting for one of its connections (their
/// client had gone before one came free), beyond the bounded run's: more than 1 in 100 requests, confirmed. Where
/// none starved but removing the limit added more waiters than the pool holds, every connection was in use with a
/// queue behind them, yet each waiter got one in time: refined. Neither: contradicted. Every limit at or above the
/// pool keeps it busy; only requests lost to the wait say it ran out.
pub(super) fn rule_4_6(p: &Params, c: &Client) -> Result<Finding> {
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
pub(super) fn drain_bound(p: &Params) -> String {
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
