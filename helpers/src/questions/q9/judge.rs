//! Question 9's claims and headline: a pure function of a result (its params and series).
//!
//! The sleep mode is judged at 50,000 tasks (or the largest count a side ran) against the smallest count; the
//! server mode by the outcomes of the requests sent at once, without and with the client-side limit.

use super::*;
use crate::judging::legacy::{above, below, Test};
use crate::judging::{python, CLOSE};
use crate::peak::{self, Peak};
use crate::result::{Claim, Finding, LabResult, Verdict};
use crate::units::{fmt_mib, fmt_ms, fmt_ratio, fmt_s};

/// "Massive": the tasks' memory takes a tenth of the machine's.
const MASSIVE_SHARE: f64 = 0.10;
/// "Increased" / "longer": the value at 50,000 tasks is this many times the value at the smallest count.
const GROWTH: f64 = 3.0;
/// Event-loop lag that matters: a 1 ms heartbeat waking this late (p99), a tenth of a second — the delay a person
/// notices, and the tasks' own sleep at the defaults. (tokio's p99 at 50,000 tasks swings from 5 to 80 ms with the
/// load of this shared 2-core machine; asyncio's is seconds.)
const LAG_MS: f64 = 100.0;
/// "Unstable": more than this share of the requests sent at once failed or timed out.
const UNSTABLE: f64 = 0.01;
/// "Collapse": most requests failed.
const COLLAPSE: f64 = 0.5;
/// The CPU is the limit when the client keeps this share of its cores busy (tokio: every core; asyncio: its one
/// loop thread).
const CPU_SATURATED: f64 = 0.9;
/// Failures are "a hard limit" when most were EMFILE or EADDRNOTAVAIL rather than timeouts and resets.
const LIMIT_ERRORS: f64 = 0.5;

pub fn headline(p: &Params, r: &LabResult) -> Result<String> {
    let n = if p.tasks.contains(&50_000) { 50_000.0 } else { p.tasks.iter().copied().max().unwrap_or(1) as f64 };
    let t = |y: &str| r.value("tokio", y, n);
    let py = r.value("python", "peak_rss_mb", n).ok();
    Ok(format!(
        "{n:.0} tasks sleeping {} ms: tokio done in {} at {:.0} MiB peak{}; lag p99 {}",
        p.latency_ms,
        fmt_s(t("wall_s")?),
        t("peak_rss_mb")?,
        py.map(|m| format!(", Python {m:.0} MiB")).unwrap_or_default(),
        fmt_ms(t("lag_p99_ms")?)
    ))
    .map(|s| {
        s.replacen(&format!("tokio {} in", p.latency_ms), &format!("tokio sleeping {} ms done in", p.latency_ms), 1)
    })
}

pub fn claims(p: &Params, r: &LabResult) -> Result<Vec<Claim>> {
    Ok(vec![
        claim(r, "9.1", memory_growth)?,
        Claim::new("9.2", gc_in_rust(r), python(r, || gc_cycles(r)))?,
        claim(r, "9.3", queue_drain)?,
        claim(r, "9.4", latency_spread)?,
        server_claim(p, r, "9.5", too_many_open_files)?,
        claim(r, "9.6", loop_lag)?,
        server_claim(p, r, "9.7", instability)?,
        server_claim(p, r, "9.8", collapse)?,
    ])
}

/// A claim whose rule reads one side's series (`tokio` or `python`) the same way for both languages.
fn claim(r: &LabResult, id: &str, rule: fn(&LabResult, &str) -> Result<Finding>) -> Result<Claim> {
    Claim::new(id, rust(|| rule(r, "tokio")), python(r, || rule(r, "python")))
}

/// A claim about the server mode: not measured when it was skipped.
fn server_claim(
    p: &Params,
    r: &LabResult,
    id: &str,
    rule: fn(&Params, &LabResult, &str) -> Result<Finding>,
) -> Result<Claim> {
    if p.server_tasks == 0 {
        let skipped = || Finding::not_measured("The server mode was skipped (server_tasks = 0).");
        return Claim::new(id, skipped(), skipped());
    }
    Claim::new(id, rust(|| rule(p, r, "tokio")), python(r, || rule(p, r, "python")))
}

/// The Rust verdict of a rule, "not measured" when the result lacks what it reads (one task count, no series).
fn rust(rule: impl FnOnce() -> Result<Finding>) -> Finding {
    rule().unwrap_or_else(|e| Finding::not_measured(format!("Not in this result: {}.", e.message)))
}

/// The task counts a side's rules compare: the smallest it ran, and 50,000 (or the largest it ran).
fn counts(r: &LabResult, name: &str) -> Result<(f64, f64)> {
    let xs: Vec<f64> = r.series(name, "wall_s").map(|s| s.points.iter().map(|p| p[0]).collect()).unwrap_or_default();
    let lo = xs.iter().copied().fold(f64::INFINITY, f64::min);
    let n = if xs.contains(&50_000.0) { 50_000.0 } else { xs.iter().copied().fold(0.0, f64::max) };
    if xs.len() < 2 || lo >= n {
        return Err(LabError::other(format!("{name} ran fewer than two task counts, so nothing grows")));
    }
    Ok((lo, n))
}

/// The language a series speaks for, in evidence.
fn side(name: &str) -> &'static str {
    if name == "tokio" {
        "tokio"
    } else {
        "asyncio"
    }
}

fn share(v: f64) -> String {
    if v.abs() < 0.01 {
        format!("{:.2}%", v * 100.0)
    } else {
        format!("{:.1}%", v * 100.0)
    }
}

fn count(v: f64) -> String {
    format!("{v:.0}")
}

/// 9.1: the memory the tasks added, as a share of the machine's; not measured where a reset was refused (a lifetime
/// peak includes earlier runs, so the growth is not the tasks').
fn memory_growth(r: &LabResult, name: &str) -> Result<Finding> {
    let (lo, n) = counts(r, name)?;
    let grown = r.value(name, "peak_rss_mb", n)? - r.value(name, "peak_rss_mb", lo)?;
    let so = format!("the growth of {} cannot be put down to the tasks", fmt_mib(grown));
    let kind = match peak::judged(r, &[(name, lo), (name, n)], &so) {
        Ok(kind) => kind,
        Err(not_measured) => return Ok(not_measured),
    };
    let machine = r.machine.memory_bytes as f64 / (1024.0 * 1024.0);
    if machine <= 0.0 {
        return Err(LabError::other("the machine's memory is unknown"));
    }
    let per_task = grown * 1024.0 * 1024.0 / (n - lo);
    Ok(above(
        &format!(
            "{}'s {} growth from {lo:.0} to {n:.0} tasks, {} ({per_task:.0} bytes a task), over the machine's \
             {:.1} GiB",
            side(name),
            kind.rss(),
            fmt_mib(grown),
            machine / 1024.0
        ),
        grown / machine,
        MASSIVE_SHARE,
        share,
    )
    .decide(
        Verdict::Confirmed,
        Verdict::Refined,
        "Tens of thousands of live tasks take a real share of the machine.",
        &format!(
            "The tasks' memory is measurable, not massive: at this many bytes a task, a tenth of this machine \
             would hold about {:.1} million tasks.",
            MASSIVE_SHARE * machine * 1024.0 * 1024.0 / per_task.max(1.0) / 1e6
        ),
    ))
}

/// 9.2, Rust: no collector; what it has instead is the allocator, freeing each task as it completes.
fn gc_in_rust(r: &LabResult) -> Finding {
    let bytes = counts(r, "tokio").and_then(|(_, n)| Ok((n, r.value("tokio", "bytes_per_task", n)?)));
    Finding::does_not_apply(format!(
        "Rust has no garbage collector: a task's memory goes back to the allocator the moment it completes, with \
         no pass over live objects{}.",
        bytes.map(|(n, b)| format!(" ({b:.0} heap bytes a task at {n:.0} tasks)")).unwrap_or_default()
    ))
}

/// 9.2, Python: collector passes (all generations) at 50,000 tasks against the smallest count.
fn gc_cycles(r: &LabResult) -> Result<Finding> {
    let (lo, n) = counts(r, "python")?;
    let runs = |x: f64| -> Result<f64> {
        Ok(r.value("python", "gc_gen0", x)? + r.value("python", "gc_gen1", x)? + r.value("python", "gc_gen2", x)?)
    };
    let (at_lo, at_n) = (runs(lo)?, runs(n)?);
    Ok(above(
        &format!("collector passes {at_n:.0} at {n:.0} tasks / {at_lo:.0} at {lo:.0} (at least 1) ="),
        at_n / at_lo.max(1.0),
        GROWTH,
        fmt_ratio,
    )
    .decide(
        Verdict::Confirmed,
        Verdict::Contradicted,
        &format!(
            "Full (generation-2) passes: {:.0} at {n:.0} tasks. Every task, coroutine and future is a tracked \
             object, and a generation-0 pass runs every 700 new ones.",
            r.value("python", "gc_gen2", n)?
        ),
        "Every task, coroutine and future is a tracked object, yet the passes did not grow with them here.",
    ))
}

/// 9.3: how long the run queue took to drain once the timers fired — from the median wake to the last (max - p50
/// of the sleeps' lateness) — at 50,000 tasks against the smallest count.
fn queue_drain(r: &LabResult, name: &str) -> Result<Finding> {
    lateness_growth(
        r,
        name,
        "lateness_max_ms",
        "'s last sleeper woke after the median one by",
        "The timers fire together, so every woken task is queued at once and the last waits for all before it.",
        "The timers fire together, yet the queue of woken tasks drained about as fast as with few tasks.",
    )
}

/// 9.4: the spread of sleep lateness (p99 - p50) at 50,000 tasks against the smallest count.
fn latency_spread(r: &LabResult, name: &str) -> Result<Finding> {
    lateness_growth(
        r,
        name,
        "lateness_p99_ms",
        "'s sleep lateness p99 - p50:",
        "A task's place in the burst of wake-ups decides how late it runs.",
        "With this many tasks the burst of wake-ups is short next to the sleep itself.",
    )
}

/// How much `top` - p50 of the sleeps' lateness grew from the smallest count to 50,000 tasks, against `GROWTH`.
fn lateness_growth(r: &LabResult, name: &str, top: &str, what: &str, yes: &str, no: &str) -> Result<Finding> {
    let (lo, n) = counts(r, name)?;
    let gap = |x: f64| -> Result<f64> { Ok(r.value(name, top, x)? - r.value(name, "lateness_p50_ms", x)?) };
    let (at_lo, at_n) = (gap(lo)?, gap(n)?);
    Ok(above(
        &format!(
            "{}{what} {} at {n:.0} tasks / {} at {lo:.0} (at least 0.1 ms) =",
            side(name),
            fmt_ms(at_n),
            fmt_ms(at_lo)
        ),
        at_n / at_lo.max(0.1),
        GROWTH,
        fmt_ratio,
    )
    .decide(Verdict::Confirmed, Verdict::Contradicted, yes, no))
}

/// 9.6: how late a 1 ms heartbeat on the same loop woke (p99) at 50,000 tasks.
fn loop_lag(r: &LabResult, name: &str) -> Result<Finding> {
    let (lo, n) = counts(r, name)?;
    Ok(above(
        &format!(
            "{}'s heartbeat lag p99 at {n:.0} tasks ({} at {lo:.0})",
            side(name),
            fmt_ms(r.value(name, "lag_p99_ms", lo)?)
        ),
        r.value(name, "lag_p99_ms", n)?,
        LAG_MS,
        fmt_ms,
    )
    .decide(
        Verdict::Confirmed,
        Verdict::Contradicted,
        "The loop is busy creating, waking and finishing tasks in bursts; the heartbeat waits its turn.",
        "The loop answered its heartbeat within a tenth of a second while creating, waking and finishing the tasks.",
    ))
}

/// The server mode's outcome counts for `name` at `x` (0: no limit).
struct Outcomes {
    ok: f64,
    emfile: f64,
    addr: f64,
    timeouts: f64,
    failed: f64,
}

fn outcomes(r: &LabResult, name: &str, x: f64) -> Result<Outcomes> {
    let v = |y: &str| r.value(name, y, x);
    let (ok, emfile, addr, timeouts) = (v("ok")?, v("emfile")?, v("addr_not_avail")?, v("timeouts")?);
    Ok(Outcomes { ok, emfile, addr, timeouts, failed: emfile + addr + timeouts + v("conn_errors")? })
}

/// 9.5: requests that failed with EMFILE when all were sent at once, under the recorded open-files limit.
fn too_many_open_files(p: &Params, r: &LabResult, name: &str) -> Result<Finding> {
    let o = outcomes(r, name, 0.0)?;
    let nofile = r.value(name, "nofile", 0.0).map_or("(not recorded)".into(), |n| format!("{n:.0}"));
    let fds = r.value(name, "peak_fds", 0.0).map(|f| format!(", at most {f:.0} descriptors open")).unwrap_or_default();
    let ports =
        r.value(name, "ephemeral_ports", 0.0).map(|n| format!(" and {n:.0} ephemeral ports")).unwrap_or_default();
    Ok(above(
        &format!(
            "{} requests at once from {} under an open-files limit of {nofile}{fds}: EMFILE errors",
            p.server_tasks,
            side(name)
        ),
        o.emfile,
        0.0,
        count,
    )
    .decide(
        Verdict::Confirmed,
        Verdict::Refined,
        &format!("({:.0} ok, {:.0} EADDRNOTAVAIL, {:.0} timeouts.)", o.ok, o.addr, o.timeouts),
        &format!(
            "Possible, not seen at this limit ({:.0} ok, {:.0} EADDRNOTAVAIL, {:.0} timeouts): a socket per \
             request in flight, so EMFILE needs more connections open at once than the limit.",
            o.ok, o.addr, o.timeouts
        ),
    )
    .then(format!("Each connection holds a descriptor{ports}; whichever runs out first fails the next connect.")))
}

/// 9.7: did the requests sent at once fail, while the CPU had room, and from queues (timeouts) rather than a hard
/// limit (EMFILE, EADDRNOTAVAIL)?
fn instability(p: &Params, r: &LabResult, name: &str) -> Result<Finding> {
    let o = outcomes(r, name, 0.0)?;
    let capacity = if name == "tokio" { r.machine.cores.max(1) as f64 } else { 1.0 };
    let busy = r.value(name, "client_cpu_busy", 0.0)?;
    let unstable = above(
        &format!("{} requests at once from {}, none limited: failed or timed out", p.server_tasks, side(name)),
        o.failed / p.server_tasks as f64,
        UNSTABLE,
        share,
    );
    let cpu = below(
        &format!(
            "cores busy {busy:.2} of {capacity:.0} ({})",
            if name == "tokio" { "its workers" } else { "its loop thread" }
        ),
        busy / capacity,
        CPU_SATURATED,
        share,
    );
    let hard = above(
        &format!("EMFILE and EADDRNOTAVAIL of the {:.0} failures", o.failed),
        (o.emfile + o.addr) / o.failed.max(1.0),
        LIMIT_ERRORS,
        share,
    );
    let cause = hard.decide(
        Verdict::Refined,
        Verdict::Confirmed,
        "Unstable, and not from the CPU, but what ran out was a hard limit (descriptors or ports), neither the \
         scheduler nor memory.",
        "Most failures were timeouts and resets: requests waited in queues too long (scheduler pressure).",
    );
    let cause = gate(cpu, Verdict::Contradicted, "The CPU was saturated: it was a limit.", cause);
    Ok(gate(unstable, Verdict::Contradicted, "The requests did not fail at this load.", cause)
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

/// 9.8: did most requests fail without a limit, and did the limit keep them up?
fn collapse(p: &Params, r: &LabResult, name: &str) -> Result<Finding> {
    let all = p.server_tasks as f64;
    let (free, bounded) = (outcomes(r, name, 0.0)?, outcomes(r, name, p.server_limit as f64)?);
    let collapsed = above(
        &format!("{} requests at once from {}, none limited: failed or timed out", p.server_tasks, side(name)),
        free.failed / all,
        COLLAPSE,
        share,
    );
    let fixed = below(
        &format!("failed or timed out with at most {} in flight", p.server_limit),
        bounded.failed / all,
        UNSTABLE,
        share,
    )
    .decide(
        Verdict::Confirmed,
        Verdict::Refined,
        "Unbounded concurrency brought it down, and a bound kept the same requests up.",
        "The bound did not keep every request up: the collapse is not only about concurrency.",
    );
    Ok(gate(collapsed, Verdict::Contradicted, "Most requests were served: no collapse at this load.", fixed))
}

/// `g` must hold for `inner` to decide: when it fails, its own `no` decides (refined when close to the line and
/// `inner` would differ); when it holds, `inner` decides (its number is the one compared) and the evidence names
/// both comparisons.
fn gate(g: Test, no: Verdict, because_no: &str, inner: Finding) -> Finding {
    if !g.holds {
        return g.decide(inner.verdict, no, "", because_no);
    }
    let hedged = g.close && inner.verdict != no;
    let note = if hedged { format!(" (within {:.0}% of the line)", CLOSE * 100.0) } else { String::new() };
    let verdict = if hedged { Verdict::Refined } else { inner.verdict };
    Finding { compared: inner.compared, ..Finding::new(verdict, format!("{}{note}; {}", g.text, inner.evidence)) }
}

#[cfg(test)]
#[path = "judge_tests.rs"]
mod tests;
