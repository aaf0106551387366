//! Question 9's server mode: `server_tasks` requests at once against the loopback server, without a limit and
//! with `server_limit` in flight. 9.5 "too many open files"; 9.7 why it became unstable, a cause, attributed by
//! failure type first; 9.8 the collapse and its fix. Where the lab's own lowered open-files limit failed the
//! requests first (EMFILE, the limit below the requests sent), the outcome was set by the experiment's design:
//! 9.7 and 9.8 are not measured on it.

use super::*;
use crate::judging::cause_of;
use crate::peak::Peak;

const EMFILES: Quantity = Quantity::new("q9: requests failed with EMFILE, all at once", count);
const FAILED: Quantity = Quantity::new("q9: requests failed or timed out, all at once", share);
const FAILED_BOUNDED: Quantity = Quantity::new("q9: requests failed or timed out, with the client limit", share);
const QUEUES: Quantity = Quantity::new("q9: hard-limit failures (EMFILE, EADDRNOTAVAIL) / all failures", share);
const CPU: Quantity = Quantity::new("q9: the client's cores busy / the cores it can use", share);

/// "Unstable": more than this share of the requests sent at once failed or timed out.
const UNSTABLE: f64 = 0.01;
/// "Collapse": most requests failed.
const COLLAPSE: f64 = 0.5;
/// The CPU is the limit when the client keeps this share of its cores busy (tokio: every core; asyncio: its one
/// loop thread).
const CPU_SATURATED: f64 = 0.9;
/// Failures are "a hard limit" when most were EMFILE or EADDRNOTAVAIL rather than timeouts and resets.
const LIMIT_ERRORS: f64 = 0.5;

/// The server mode's outcome counts for `name` at `x` (0: no limit).
pub(super) struct Outcomes {
    ok: f64,
    emfile: f64,
    addr: f64,
    timeouts: f64,
    failed: f64,
}

pub(super) fn outcomes(r: &LabResult, name: &str, x: f64) -> Result<Outcomes> {
    let v = |y: &str| r.value(name, y, x);
    let (ok, emfile, addr, timeouts) = (v("ok")?, v("emfile")?, v("addr_not_avail")?, v("timeouts")?);
    Ok(Outcomes { ok, emfile, addr, timeouts, failed: emfile + addr + timeouts + v("conn_errors")? })
}

/// 9.5: requests that failed with EMFILE when all were sent at once, under the recorded open-files limit.
pub(super) fn too_many_open_files(p: &Params, r: &LabResult, name: &str) -> Result<Finding> {
    let o = outcomes(r, name, 0.0)?;
    // Under the lab's own limit below the requests sent, EMFILE is certain: a demonstration, not a finding.
    if let Some(f) = forced_by_nofile(p, r, name, &o) {
        return Ok(f.then(format!(
            "It shows what the error looks like: possible wherever more connections are open at once than the \
             limit allows. Sleeping tasks alone open no descriptors; their {} connections do.",
            p.server_tasks
        )));
    }
    let nofile = r.value(name, "nofile", 0.0).map_or("(not recorded)".into(), |n| format!("{n:.0}"));
    let fds = r.value(name, "peak_fds", 0.0).map(|f| format!(", at most {f:.0} descriptors open")).unwrap_or_default();
    let ports =
        r.value(name, "ephemeral_ports", 0.0).map(|n| format!(" and {n:.0} ephemeral ports")).unwrap_or_default();
    Ok(EMFILES
        .above(
            r,
            &format!(
                "{} requests at once from {} under an open-files limit of {nofile} (set by the lab; a common default \
                 soft limit){fds}: EMFILE errors",
                p.server_tasks,
                side(name)
            ),
            o.emfile,
            0.0,
        )
        .decide(
            Holds::Confirmed,
            Fails::Refined,
            &format!("({:.0} ok, {:.0} EADDRNOTAVAIL, {:.0} timeouts.)", o.ok, o.addr, o.timeouts),
            &format!(
                "Possible, not seen at this limit ({:.0} ok, {:.0} EADDRNOTAVAIL, {:.0} timeouts): a socket per \
             request in flight, so EMFILE needs more connections open at once than the limit.",
                o.ok, o.addr, o.timeouts
            ),
        )
        .then(format!("Each connection holds a descriptor{ports}; whichever runs out first fails the next connect.")))
}

/// Where most failures were EMFILE under an open-files limit below the requests sent, that limit (the lab's own,
/// lowered) failed them first, by design: nothing else could show. Not measured, saying so.
fn forced_by_nofile(p: &Params, r: &LabResult, name: &str, o: &Outcomes) -> Option<Finding> {
    let nofile = r.value(name, "nofile", 0.0).ok()?;
    let forced = o.emfile > (o.failed - o.emfile) && nofile < p.server_tasks as f64 && o.failed > 0.0;
    forced.then(|| {
        Finding::not_measured(format!(
            "{} of the {} requests sent at once from {} failed with EMFILE under the open-files limit of {nofile:.0} \
             the lab set (fewer descriptors than requests): that limit fails first by the experiment's design, \
             before scheduling or memory could matter, so what would fail next is not measured on this run.",
            o.emfile,
            p.server_tasks,
            side(name)
        ))
    })
}

/// 9.7 "unstable not because of CPU, but because of scheduler pressure and memory overhead", a cause: the requests
/// sent at once must fail (else contradicted), and the reason must hold: the failures mostly timeouts and resets
/// (queues), not a hard limit, with the CPU not saturated (confirmed); a hard limit or a saturated CPU is refined,
/// "unstable, but not for that reason". Not measured where the lab's lowered open-files limit failed them first.
pub(super) fn instability(p: &Params, r: &LabResult, name: &str) -> Result<Finding> {
    let o = outcomes(r, name, 0.0)?;
    if let Some(f) = forced_by_nofile(p, r, name, &o) {
        return Ok(f.then(memory_context(r, name)));
    }
    let capacity = if name == "tokio" { r.machine.cores.max(1) as f64 } else { 1.0 };
    let busy = r.value(name, "client_cpu_busy", 0.0)?;
    let unstable = FAILED.above(
        r,
        &format!("{} requests at once from {}, none limited: failed or timed out", p.server_tasks, side(name)),
        o.failed / p.server_tasks as f64,
        UNSTABLE,
    );
    let queues = QUEUES.below(
        r,
        &format!("EMFILE and EADDRNOTAVAIL of the {:.0} failures", o.failed),
        (o.emfile + o.addr) / o.failed.max(1.0),
        LIMIT_ERRORS,
    );
    let cpu = CPU.below(
        r,
        &format!(
            "cores busy {busy:.2} of {capacity:.0} ({})",
            if name == "tokio" { "its workers" } else { "its loop thread" }
        ),
        busy / capacity,
        CPU_SATURATED,
    );
    let not_why = if !queues.holds {
        "Unstable, but what ran out was a hard limit (descriptors or ports), neither the scheduler nor memory."
    } else {
        "Unstable, but with the CPU saturated: the reason the notes rule out."
    };
    Ok(cause_of(
        unstable,
        queues.and(cpu),
        [
            "Most failures were timeouts and resets while the CPU had room: requests waited in queues too long \
             (scheduler pressure).",
            not_why,
            "The requests did not fail at this load.",
        ],
    )
    .then(memory_context(r, name)))
}

/// Peak memory at the largest count, for 9.7's "memory overhead" (a number, not an outcome): none where the reset
/// was refused (a lifetime peak), saying so.
fn memory_context(r: &LabResult, name: &str) -> String {
    counts(r, name)
        .and_then(|(_, n)| Ok((n, r.value(name, "peak_rss_mb", n)?, Peak::of_run(r, name, n))))
        .map(|(n, m, kind)| match kind {
            Peak::Lifetime => format!("Memory at {n:.0} sleeping tasks: not measured, the peak reset was refused."),
            _ => format!("Memory: {} {} at {n:.0} sleeping tasks (9.1).", kind.rss(), fmt_mib(m)),
        })
        .unwrap_or_default()
}

/// 9.8 "This is how production systems collapse": most requests sent at once must fail (else contradicted), and
/// the client limit must keep the same requests up (confirmed; refined if it did not). Not measured where the
/// lab's lowered open-files limit made the collapse certain.
pub(super) fn collapse(p: &Params, r: &LabResult, name: &str) -> Result<Finding> {
    let all = p.server_tasks as f64;
    let (free, bounded) = (outcomes(r, name, 0.0)?, outcomes(r, name, p.server_limit as f64)?);
    if let Some(f) = forced_by_nofile(p, r, name, &free) {
        return Ok(f.then(format!(
            "With at most {} in flight the same requests had {:.0} failures or timeouts.",
            p.server_limit, bounded.failed
        )));
    }
    Ok(two_step(
        FAILED.above(
            r,
            &format!("{} requests at once from {}, none limited: failed or timed out", p.server_tasks, side(name)),
            free.failed / all,
            COLLAPSE,
        ),
        FAILED_BOUNDED.below(r, &format!("with at most {} in flight", p.server_limit), bounded.failed / all, UNSTABLE),
        Holds::Confirmed,
        Fails::Refined,
        Fails::Contradicted,
        [
            "Unbounded concurrency brought it down, and a bound kept the same requests up.",
            "The bound did not keep every request up: the collapse is not only about concurrency.",
            "Most requests were served: no collapse at this load.",
        ],
    ))
}
