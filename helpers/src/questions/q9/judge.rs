//! Question 9's claims and headline: a pure function of a result (its params and series).
//!
//! The sleep mode is judged at 50,000 tasks (or the largest count a side ran) against the smallest count; the
//! server mode by the outcomes of the requests sent at once under an open-files limit raised above them; the
//! collapse by the offered-load sweep's goodput past capacity.

use super::*;
use crate::judging::{mechanism, python, rust, two_step, Fails, Holds, Lang, Quantity};
use crate::peak;
use crate::result::{Claim, Finding, LabResult};
use crate::units::Unit;
use crate::units::{fmt_mib, fmt_ms, fmt_s};

#[path = "judge_server.rs"]
mod server;
use server::{collapse, instability, too_many_open_files};

const MEMORY_SHARE: Quantity = Quantity::new("q9: memory the tasks added / the machine's memory", Unit::Percent);
const GC_PASSES: Quantity = Quantity::new("q9: collector passes, 50,000 tasks / the smallest count", Unit::Ratio);
const GC_SHARE: Quantity = Quantity::new("q9: time collecting / the run's wall, 50,000 tasks", Unit::Percent);
const DRAIN: Quantity = Quantity::new("q9: last wake - median wake, 50,000 tasks / the smallest count", Unit::Ratio);
const SPREAD: Quantity = Quantity::new("q9: sleep lateness p99 - p50, 50,000 tasks / the smallest count", Unit::Ratio);
const LAG_GREW: Quantity =
    Quantity::new("q9: heartbeat lag p99 beyond the timer's 1 ms, 50,000 tasks / the smallest count", Unit::Ratio);
const LAG_VS_SLEEP: Quantity =
    Quantity::new("q9: heartbeat lag p99 at 50,000 tasks against a tenth of the sleep", Unit::Ms);

/// GC that matters: the collector took more than a twentieth of the run. Beneath it, a cost the spread between
/// repeats of one run here (a few percent of its wall) could hide; above it, the first thing a profile of the run
/// would show after the tasks' own work.
const GC_MATTERS: f64 = 0.05;
/// "Massive": the tasks' memory takes a tenth of the machine's.
const MASSIVE_SHARE: f64 = 0.10;
/// "Increased" / "longer": the value at 50,000 tasks is this many times the value at the smallest count.
const GROWTH: f64 = 3.0;
/// Event-loop lag that matters, once it has grown with the tasks: a 1 ms heartbeat waking later (p99) than this
/// share of the tasks' own sleep, so that the lag distorts the timing of the very tasks it schedules.
const LAG_SHARE_OF_SLEEP: f64 = 0.1;
/// What a free loop's 1 ms heartbeat is late by anyway: tokio's timer counts whole milliseconds and rounds a
/// deadline up. The lag's growth is read beyond it.
const TIMER_FLOOR_MS: f64 = 1.0;

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
        Claim::new(
            "9.2",
            mechanism(r, "9.2", Lang::Rust, || gc_in_rust(r), no_collector)?,
            python(r, || gc_cycles(r)),
        )?,
        claim(r, "9.3", queue_drain)?,
        claim(r, "9.4", latency_spread)?,
        server_claim(p, r, "9.5", too_many_open_files)?,
        Claim::new("9.6", rust(|| loop_lag(p, r, "tokio")), python(r, || loop_lag(p, r, "python")))?,
        server_claim(p, r, "9.7", instability)?,
        // The collapse is judged on the offered-load sweep, which runs whether or not the server mode does.
        Claim::new("9.8", rust(|| collapse(p, r, "tokio")), python(r, || collapse(p, r, "python")))?,
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

/// The task counts a side's rules compare: the smallest it ran, and 50,000 (or the largest it ran).
pub(super) fn counts(r: &LabResult, name: &str) -> Result<(f64, f64)> {
    let xs: Vec<f64> = r.series(name, "wall_s").map(|s| s.points.iter().map(|p| p[0]).collect()).unwrap_or_default();
    let lo = xs.iter().copied().fold(f64::INFINITY, f64::min);
    let n = if xs.contains(&50_000.0) { 50_000.0 } else { xs.iter().copied().fold(0.0, f64::max) };
    if xs.len() < 2 || lo >= n {
        return Err(LabError::other(format!("{name} ran fewer than two task counts, so nothing grows")));
    }
    Ok((lo, n))
}

/// The language a series speaks for, in evidence.
pub(super) fn side(name: &str) -> &'static str {
    if name == "tokio" {
        "tokio"
    } else {
        "asyncio"
    }
}

pub(super) fn share(v: f64) -> String {
    if v.abs() < 0.01 {
        format!("{:.2}%", v * 100.0)
    } else {
        format!("{:.1}%", v * 100.0)
    }
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
    Ok(MEMORY_SHARE
        .above(
            r,
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
        )
        .decide(
            Holds::Confirmed,
            Fails::Refined,
            "Tens of thousands of live tasks take a real share of the machine.",
            &format!(
                "The tasks' memory is measurable, not massive: at this many bytes a task, a tenth of this machine \
             would hold about {:.1} million tasks.",
                MASSIVE_SHARE * machine * 1024.0 * 1024.0 / per_task.max(1.0) / 1e6
            ),
        ))
}

/// 9.2, what Rust has instead of a collector: the allocator, freeing each task as it completes.
fn gc_in_rust(r: &LabResult) -> Result<String> {
    let (_, n) = counts(r, "tokio")?;
    Ok(format!(
        "a task's memory goes back to the allocator the moment it completes, with no pass over live objects \
         ({:.0} heap bytes a task at {n:.0} tasks).",
        r.value("tokio", "bytes_per_task", n)?
    ))
}

fn no_collector() -> Result<Finding> {
    Err(LabError::other("Rust has no garbage collector: only its analogue is measured"))
}

/// 9.2, Python: the collector's passes (all generations) at 50,000 tasks against the smallest count must grow with
/// the tasks (else contradicted); that they do is CPython's own arithmetic (a generation-0 pass every `threshold`
/// net new tracked objects), so what decides is whether they matter: the time spent collecting (timed around each
/// pass by `gc.callbacks`) over the run's wall at 50,000 tasks, above `GC_MATTERS` confirmed, below refined.
fn gc_cycles(r: &LabResult) -> Result<Finding> {
    let (lo, n) = counts(r, "python")?;
    let v = |y: &str, x: f64| r.value("python", y, x);
    let runs = |x: f64| -> Result<f64> { Ok(v("gc_gen0", x)? + v("gc_gen1", x)? + v("gc_gen2", x)?) };
    let (at_lo, at_n) = (runs(lo)?, runs(n)?);
    let threshold = v("gc_threshold0", n).map_or("700".to_string(), |t| format!("{t:.0}"));
    let (spent_ms, wall) = (v("gc_ms", n)?, v("wall_s", n)?);
    let (pause, pause_lo) = (v("gc_max_pause_ms", n)?, v("gc_max_pause_ms", lo)?);
    Ok(two_step(
        GC_PASSES.above(
            r,
            &format!("collector passes {at_n:.0} at {n:.0} tasks / {at_lo:.0} at {lo:.0} (at least 1) ="),
            at_n / at_lo.max(1.0),
            GROWTH,
        ),
        GC_SHARE.above(
            r,
            &format!("time collecting {} of the {} run at {n:.0} tasks", fmt_ms(spent_ms), fmt_s(wall)),
            spent_ms / 1000.0 / wall.max(1e-9),
            GC_MATTERS,
        ),
        Holds::Confirmed,
        Fails::Refined,
        Fails::Contradicted,
        [
            &format!(
                "Every task, coroutine and future is a tracked object, and CPython runs a generation-0 pass every \
                 {threshold} net new ones: the passes grow with the tasks, and at this many they cost a real share of \
                 the run."
            ),
            &format!(
                "The passes grow with the tasks (a generation-0 pass every {threshold} net new tracked objects, by \
                 CPython's own rule), but the time they took is a small share of the run."
            ),
            "Every task, coroutine and future is a tracked object, yet the passes did not grow with them: the \
             collector's thresholds were raised or it was disabled.",
        ],
    )
    .then(format!(
        "The longest pause, every task on the loop waiting through it: {} at {n:.0} tasks, {} at {lo:.0} (full, \
         generation-2, passes at {n:.0} tasks: {:.0}).",
        fmt_ms(pause),
        fmt_ms(pause_lo),
        v("gc_gen2", n)?
    )))
}

/// 9.3: how long the run queue took to drain once the timers fired — from the median wake to the last (max - p50
/// of the sleeps' lateness) — at 50,000 tasks against the smallest count.
fn queue_drain(r: &LabResult, name: &str) -> Result<Finding> {
    lateness_growth(
        r,
        DRAIN,
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
        SPREAD,
        name,
        "lateness_p99_ms",
        "'s sleep lateness p99 - p50:",
        "A task's place in the burst of wake-ups decides how late it runs.",
        "With this many tasks the burst of wake-ups is short next to the sleep itself.",
    )
}

/// How much `top` - p50 of the sleeps' lateness grew from the smallest count to 50,000 tasks, against `GROWTH`.
fn lateness_growth(
    r: &LabResult,
    q: Quantity,
    name: &str,
    top: &str,
    what: &str,
    yes: &str,
    no: &str,
) -> Result<Finding> {
    let (lo, n) = counts(r, name)?;
    let gap = |x: f64| -> Result<f64> { Ok(r.value(name, top, x)? - r.value(name, "lateness_p50_ms", x)?) };
    let (at_lo, at_n) = (gap(lo)?, gap(n)?);
    Ok(q.above(
        r,
        &format!(
            "{}{what} {} at {n:.0} tasks / {} at {lo:.0} (at least 0.1 ms) =",
            side(name),
            fmt_ms(at_n),
            fmt_ms(at_lo)
        ),
        at_n / at_lo.max(0.1),
        GROWTH,
    )
    .confirm(yes, no))
}

/// 9.6 "Event loop lag": a 1 ms heartbeat on the same loop must wake later (p99) at 50,000 tasks than at the
/// smallest count, by the growth 9.3 and 9.4 use (else contradicted), and then by more than a tenth of the tasks'
/// own sleep (confirmed) rather than less (refined: it grew, but stayed small).
fn loop_lag(p: &Params, r: &LabResult, name: &str) -> Result<Finding> {
    let (lo, n) = counts(r, name)?;
    let (at_lo, at_n) = (r.value(name, "lag_p99_ms", lo)?, r.value(name, "lag_p99_ms", n)?);
    let line = p.latency_ms as f64 * LAG_SHARE_OF_SLEEP;
    // Beyond the millisecond a timer may round a deadline up (tokio's granularity), which a free loop shows too.
    let beyond = |lag: f64| (lag - TIMER_FLOOR_MS).max(0.1);
    Ok(two_step(
        LAG_GREW.above(
            r,
            &format!(
                "{}'s heartbeat lag p99 beyond the timer's {TIMER_FLOOR_MS:.0} ms, {} at {n:.0} tasks / {} at {lo:.0} \
                 (at least 0.1 ms) =",
                side(name),
                fmt_ms(beyond(at_n)),
                fmt_ms(beyond(at_lo))
            ),
            beyond(at_n) / beyond(at_lo),
            GROWTH,
        ),
        LAG_VS_SLEEP.above(r, &format!("against a tenth of the tasks' {} ms sleep", p.latency_ms), at_n, line),
        Holds::Confirmed,
        Fails::Refined,
        Fails::Contradicted,
        [
            "The loop is busy creating, waking and finishing tasks in bursts; the heartbeat waits its turn, late \
             enough to shift the tasks' own timers.",
            "The lag grew with the tasks, but stayed small next to their sleep: measurable, not a stall.",
            "The heartbeat's lag beyond the timer's own millisecond grew less than threefold from the smallest count \
             to 50,000 tasks: not the growth the notes predict.",
        ],
    ))
}

#[cfg(test)]
#[path = "judge_tests.rs"]
mod tests;
