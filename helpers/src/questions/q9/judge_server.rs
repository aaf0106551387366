//! Question 9's server mode: `server_tasks` requests at once against the loopback server, without a limit (under
//! the lab's lowered open-files limit, then under one raised above the requests) and with `server_limit` in flight;
//! and the offered-load sweep. 9.5 "too many open files" and 9.7 why it became unstable (a cause, attributed by
//! failure type first) are judged on the run under the raised limit: under the lowered one EMFILE fails the
//! requests first by design (the descriptor story, shown, not judged). Where the limit could not be raised above the
//! requests they are not measured, saying why. 9.8, the collapse, is judged on the sweep: goodput past capacity.

use super::*;
use crate::judging::{cause_of, grade};
use crate::peak::Peak;
use crate::units::Unit;

const EMFILES: Quantity = Quantity::new("q9: requests failed with EMFILE, all at once", Unit::Count);
const FAILED: Quantity = Quantity::new("q9: requests failed or timed out, all at once", Unit::Percent);
const GOODPUT: Quantity = Quantity::new("q9: goodput at the highest offered load / goodput at capacity", Unit::Ratio);
const QUEUES: Quantity = Quantity::new("q9: hard-limit failures (EMFILE, EADDRNOTAVAIL) / all failures", Unit::Percent);
const CPU: Quantity = Quantity::new("q9: the client's cores busy / the cores it can use", Unit::Percent);

/// "Unstable": more than this share of the requests sent at once failed or timed out.
const UNSTABLE: f64 = 0.01;
/// The CPU is the limit when the client keeps this share of its cores busy (tokio: every core; asyncio: its one
/// loop thread).
const CPU_SATURATED: f64 = 0.9;
/// Failures are "a hard limit" when most were EMFILE or EADDRNOTAVAIL rather than timeouts and resets.
const LIMIT_ERRORS: f64 = 0.5;
/// "Collapse": past capacity, goodput fell below half of what it was at capacity while the load offered grew.
const COLLAPSED: f64 = 0.5;
/// Goodput within a tenth of what it was at capacity held (a plateau); between the two lines, degraded.
const DEGRADED: f64 = 0.9;
/// A sweep point judges the server only where the client offered (nearly) the load asked: below this share of it,
/// the client was the limit.
const KEPT: f64 = 0.9;

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

/// The all-at-once run a rule judges: the one under the raised limit where the result has it (else not measured
/// when the limit stayed below the requests, saying why); in a result without it (an older lab's, or
/// `raise_nofile: false`), the one under the lab's limit, unless that limit forced the outcome.
fn all_at_once(p: &Params, r: &LabResult, name: &str) -> Result<std::result::Result<(f64, Outcomes), Finding>> {
    if let Ok(nofile) = r.value(name, "nofile", RAISED) {
        if nofile < p.server_tasks as f64 {
            return Ok(Err(not_raised(p, r, name, nofile)));
        }
        return Ok(Ok((RAISED, outcomes(r, name, RAISED)?)));
    }
    let o = outcomes(r, name, 0.0)?;
    Ok(match forced_by_nofile(p, r, name, &o) {
        Some(f) => Err(f),
        None => Ok((0.0, o)),
    })
}

/// Not measured: the open-files limit could not be raised to the requests sent at once, so the run that would show
/// what fails next was skipped (under it, EMFILE would fail them first again, by design).
fn not_raised(p: &Params, r: &LabResult, name: &str, nofile: f64) -> Finding {
    let wanted = r.value(name, "nofile_wanted", RAISED).map_or(String::new(), |w| format!(" (wanted {w:.0})"));
    let why = match r.value(name, "nofile_refused", RAISED) {
        Ok(v) if v > 0.0 => {
            "raising the hard limit was refused: setrlimit needs CAP_SYS_RESOURCE, which root lacks in a container \
             that drops it"
        }
        _ => "the hard limit or the kernel's ceiling (fs.nr_open) held it there",
    };
    Finding::not_measured(format!(
        "{}'s open-files limit could be raised only to {nofile:.0}{wanted} for the {} requests sent at once: \
         {why}. Under a limit below the requests EMFILE fails them first by design, so that run was skipped, and \
         what fails next is not measured on this machine.",
        side(name),
        p.server_tasks
    ))
}

/// The lowered run, as the descriptor story: what EMFILE looks like under the lab's limit.
fn lowered_story(p: &Params, r: &LabResult, name: &str) -> String {
    match (r.value(name, "nofile", 0.0), r.value(name, "emfile", 0.0)) {
        (Ok(nofile), Ok(emfile)) if nofile < p.server_tasks as f64 => format!(
            "Under the lab's lowered limit of {nofile:.0} (a common default), {emfile:.0} of the {} requests failed \
             with EMFILE: what the error looks like, certain there by design.",
            p.server_tasks
        ),
        _ => String::new(),
    }
}

/// 9.5: requests that failed with EMFILE when all were sent at once, under the limit raised above them (or, in a
/// result without that run, the lab's own where it did not force the outcome).
pub(super) fn too_many_open_files(p: &Params, r: &LabResult, name: &str) -> Result<Finding> {
    let story = lowered_story(p, r, name);
    let (x, o) = match all_at_once(p, r, name)? {
        Ok(run) => run,
        Err(f) if r.value(name, "nofile", RAISED).is_ok() => return Ok(f.then(story)),
        Err(f) => {
            // No run under a raised limit, and the lowered one forced the outcome: say what it shows.
            return Ok(f.then(format!(
                "It shows what the error looks like: possible wherever more connections are open at once than the \
                 limit allows. Sleeping tasks alone open no descriptors; their {} connections do.",
                p.server_tasks
            )));
        }
    };
    let nofile = r.value(name, "nofile", x).map_or("(not recorded)".into(), |n| format!("{n:.0}"));
    let set = if x == RAISED { "raised by the lab above the requests" } else { "set by the lab" };
    let fds = r.value(name, "peak_fds", x).map(|f| format!(", at most {f:.0} descriptors open")).unwrap_or_default();
    let ports = r.value(name, "ephemeral_ports", x).map(|n| format!(" and {n:.0} ephemeral ports")).unwrap_or_default();
    Ok(EMFILES
        .above(
            r,
            &format!(
                "{} requests at once from {} under an open-files limit of {nofile} ({set}){fds}: EMFILE errors",
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
        .then(format!("Each connection holds a descriptor{ports}; whichever runs out first fails the next connect."))
        .then(if x == RAISED { story } else { String::new() }))
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

/// 9.7 "unstable not because of CPU, but because of scheduler pressure and memory overhead", a cause, read on the
/// run under the raised open-files limit: the requests sent at once must fail (else contradicted), and the reason
/// must hold: the failures mostly timeouts and resets (queues), not a hard limit, with the CPU not saturated
/// (confirmed); a hard limit (ports, or descriptors still) or a saturated CPU is refined, "unstable, but not for
/// that reason". Not measured where the limit could not be raised above the requests (or, in a result without
/// that run, where the lab's lowered limit failed them first).
pub(super) fn instability(p: &Params, r: &LabResult, name: &str) -> Result<Finding> {
    let (x, o) = match all_at_once(p, r, name)? {
        Ok(run) => run,
        Err(f) => return Ok(f.then(memory_context(r, name))),
    };
    let capacity = if name == "tokio" { r.machine.cores.max(1) as f64 } else { 1.0 };
    let busy = r.value(name, "client_cpu_busy", x)?;
    let raised = if x == RAISED { ", the open-files limit raised above them" } else { "" };
    let unstable = FAILED.above(
        r,
        &format!("{} requests at once from {}, none limited{raised}: failed or timed out", p.server_tasks, side(name)),
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

/// 9.8 "This is how production systems collapse", on the offered-load sweep: goodput at the highest offered load
/// (a point the params fix) against goodput at capacity (the highest load at or below it). Below half: collapsed
/// (confirmed); below nine tenths: degraded, not collapsed (refined); else it held, a plateau (contradicted). Not
/// measured where the client could not offer the load asked (it, not the server, was the limit there).
pub(super) fn collapse(p: &Params, r: &LabResult, name: &str) -> Result<Finding> {
    let c = &p.collapse;
    let Some((at_cap, top)) = c.points() else {
        return Ok(Finding::not_measured("The offered-load sweep was skipped (collapse.loads is empty)."));
    };
    if name == "python" && !c.python {
        return Ok(Finding::not_measured("The asyncio client did not run the sweep (collapse.python: false)."));
    }
    let v = |y: &str, x: f64| r.value(name, y, x);
    let kept = v("offered_kept_per_s", top)?;
    if kept < KEPT * top {
        return Ok(Finding::not_measured(format!(
            "{} offered only {kept:.0} requests/s of the {top:.0}/s asked at the sweep's highest point (under {:.0}% \
             of it): the client, not the server, was the limit there, so its goodput says nothing of a collapse.",
            side(name),
            KEPT * 100.0
        )));
    }
    let (good_cap, good_top) = (v("goodput_per_s", at_cap)?, v("goodput_per_s", top)?);
    let capacity = c.capacity_per_s();
    let what = format!(
        "{}'s goodput at {top:.0} requests/s offered ({:.1}x capacity) {good_top:.0}/s / at {at_cap:.0}/s ({:.1}x) \
         {good_cap:.0}/s =",
        side(name),
        top / capacity,
        at_cap / capacity
    );
    let ratio = good_top / good_cap.max(1e-9);
    let finding = grade(
        GOODPUT.below(r, &what, ratio, COLLAPSED),
        GOODPUT.below(r, "the same ratio", ratio, DEGRADED),
        [
            "Past capacity the goodput collapsed, while the load offered only grew.",
            "Past capacity the goodput fell, but kept more than half of what it was at capacity: degraded, not \
             collapsed.",
            "Past capacity the goodput held: a plateau, not a collapse.",
        ],
    );
    let served = v("server_served_per_s", top)?;
    // The server's own count of answers to clients already gone, where recorded; else what it served beyond goodput.
    let wasted = v("server_wasted_per_s", top).unwrap_or(served - good_top);
    let attempts = v("attempts_per_s", top)?;
    let bounded = outcomes(r, name, p.server_limit as f64)
        .map(|b| {
            format!(
                " With at most {} in flight, the {} requests sent at once had {:.0} failures or timeouts.",
                p.server_limit, p.server_tasks, b.failed
            )
        })
        .unwrap_or_default();
    Ok(finding.then(format!(
        "At {top:.0}/s offered the server still served {served:.0}/s ({} of it to requests already given up) and \
         got {attempts:.0} attempts/s, retries included ({} retries of {} ms timeouts; capacity {capacity:.0}/s: {} \
         connections, {} ms each).{bounded}",
        share((wasted / served.max(1e-9)).max(0.0)),
        c.retries,
        c.timeout_ms,
        c.pool,
        c.service_ms
    )))
}
