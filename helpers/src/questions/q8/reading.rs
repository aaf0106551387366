//! How question 8's rules read a result: the size the claims are judged at, the smallest size they grow from, and
//! the comparisons between sizes and between strategies, each a named quantity stated with its numbers.

use super::{Params, PARALLEL};
use crate::error::Result;
use crate::judging::{python, rust, Quantity, Test};
use crate::result::{Claim, Finding, LabResult};
use crate::units::fmt_ms;
use crate::units::Unit;

/// The size the claims are judged at: `judge_doc_bytes`, or the largest size for results saved before it existed
/// (whose sweep may not hold the default).
pub(super) fn judged(p: &Params) -> f64 {
    let big = if p.doc_bytes.contains(&p.judge_doc_bytes) {
        p.judge_doc_bytes
    } else {
        p.doc_bytes.iter().copied().max().unwrap_or(0)
    };
    big as f64
}

/// The smallest size, the baseline of the claims about growth.
pub(super) fn smallest(p: &Params) -> f64 {
    p.doc_bytes.iter().copied().min().unwrap_or(0) as f64
}

/// A claim judged on the inline strategies of both languages with the same rule.
pub(super) fn inline(id: &str, r: &LabResult, judge: impl Fn(&str) -> Result<Finding>) -> Result<Claim> {
    Claim::new(id, rust(|| judge("inline current_thread")), python(r, || judge("python inline")))
}

/// The two sizes a growth claim compares, or why it cannot.
pub(super) fn growth(p: &Params) -> Result<(f64, f64)> {
    let (small, big) = (smallest(p), judged(p));
    if small >= big {
        return Err(crate::error::LabError::other(format!(
            "the judged size ({big:.0} bytes) is the smallest of the sweep: nothing to compare it with"
        )));
    }
    Ok((small, big))
}

pub(super) fn cores(v: f64) -> String {
    format!("{v:.2}")
}

/// The growths the claims read, each its own quantity: the value at the judged size over the smallest's.
pub(super) const LAG_P99_GREW: Quantity = Quantity::new("q8: heartbeat p99, judged size / smallest", Unit::Ratio);
pub(super) const LAG_MAX_GREW: Quantity =
    Quantity::new("q8: heartbeat lateness (max), judged size / smallest", Unit::Ratio);
pub(super) const PING_P50_GREW: Quantity = Quantity::new("q8: light request p50, judged size / smallest", Unit::Ratio);
pub(super) const PING_P99_GREW: Quantity = Quantity::new("q8: light request p99, judged size / smallest", Unit::Ratio);
/// A pool's light-request p99 at the judged size over the inline p99 at the smallest size (an idle loop's).
const OFF_LOOP_P99: Quantity =
    Quantity::new("q8: light request p99, a pool at the judged size / inline at the smallest", Unit::Ratio);
/// The same for the pool sent each whole document, pickled in the parent.
const SENT_WHOLE_P99: Quantity = Quantity::new(
    "q8: light request p99, the pool sent whole documents at the judged size / inline at the smallest",
    Unit::Ratio,
);
/// Cores busy at the judged size, of Python's threads (asyncio.to_thread) and of a pool: about parallelism, so
/// they need two cores.
const THREADS_BUSY: Quantity = Quantity::parallel("q8: Python threads' cores busy at the judged size", Unit::Number);
const POOL_BUSY: Quantity = Quantity::parallel("q8: a pool's cores busy at the judged size", Unit::Number);

/// `name`'s `y` at the judged size over its value at the smallest size, as a test of growth.
pub(super) fn grew(r: &LabResult, p: &Params, q: Quantity, name: &str, y: &str, what: &str, line: f64) -> Result<Test> {
    let (small, big) = growth(p)?;
    let (a, b) = (r.value(name, y, big)?, r.value(name, y, small)?);
    Ok(q.above(
        r,
        &format!("{what}, {name}, {big:.0} / {small:.0} bytes ({} / {})", fmt_ms(a), fmt_ms(b)),
        a / b.max(1e-6),
        line,
    ))
}

/// Requests beside `pool` at the judged size against requests beside `inline` at the smallest size (a loop with
/// next to nothing to do), and the ratio: a pool that frees the loop keeps the p99 within `line` times that.
fn off_loop(r: &LabResult, p: &Params, pool: &str, inline: &str) -> Result<(String, f64)> {
    let (small, big) = growth(p)?;
    let (a, b) = (r.value(pool, "ping_p99_ms", big)?, r.value(inline, "ping_p99_ms", small)?);
    let what = format!(
        "light request p99, {pool} at {big:.0} bytes / {inline} at {small:.0} bytes ({} / {})",
        fmt_ms(a),
        fmt_ms(b)
    );
    Ok((what, a / b.max(1e-6)))
}

/// The pool kept the loop near idle: its p99 within `line` times the idle loop's.
pub(super) fn near_idle(r: &LabResult, p: &Params, pool: &str, inline: &str, line: f64) -> Result<Test> {
    let (what, v) = off_loop(r, p, pool, inline)?;
    Ok(OFF_LOOP_P99.below(r, &what, v, line))
}

/// A pool sent each whole document: the same comparison as `near_idle`, its own quantity (another pool's number).
pub(super) fn sent_whole(r: &LabResult, p: &Params, pool: &str, inline: &str, line: f64) -> Result<Test> {
    let (what, v) = off_loop(r, p, pool, inline)?;
    Ok(SENT_WHOLE_P99.below(r, &what, v, line))
}

/// Python's threads (`name`) kept at most about one core busy at the judged size: they took turns.
pub(super) fn turns(r: &LabResult, p: &Params, name: &str) -> Result<Test> {
    let (what, v) = busy(r, p, name)?;
    Ok(THREADS_BUSY.below(r, &what, v, PARALLEL))
}

/// Python's threads (`name`) kept several cores busy at the judged size: the same number, the other way.
pub(super) fn threads_in_parallel(r: &LabResult, p: &Params, name: &str) -> Result<Test> {
    let (what, v) = busy(r, p, name)?;
    Ok(THREADS_BUSY.above(r, &what, v, PARALLEL))
}

/// A pool (`name`) kept several cores busy at the judged size.
pub(super) fn parallel(r: &LabResult, p: &Params, name: &str) -> Result<Test> {
    let (what, v) = busy(r, p, name)?;
    Ok(POOL_BUSY.above(r, &what, v, PARALLEL))
}

fn busy(r: &LabResult, p: &Params, name: &str) -> Result<(String, f64)> {
    let big = judged(p);
    Ok((format!("{name} cores busy at {big:.0} bytes"), r.value(name, "cores_busy", big)?))
}

/// Which Python ran: with or without a GIL (said in the evidence, never assumed by a rule).
pub(super) fn gil_line(r: &LabResult) -> &'static str {
    match r.machine.python_gil {
        Some(true) => "This CPython has a GIL.",
        Some(false) => "This CPython is free-threaded (no GIL).",
        None => "",
    }
}

/// One open-loop run at the judged load: its requests' latency (from when each was due), its serializations'
/// median time, the work's share of one core, how many requests, and the offered rate.
pub(super) struct Open {
    pub name: String,
    pub p50: f64,
    pub p99: f64,
    pub service: f64,
    pub busy: f64,
    pub requests: f64,
    pub rate: f64,
}

/// The load the open-loop claims are judged at, % of what one core serializes.
pub(super) fn open_judged(p: &Params) -> f64 {
    p.open_judge_pct as f64
}

/// `name`'s open-loop run at the judged load.
pub(super) fn open(r: &LabResult, p: &Params, name: &str) -> Result<Open> {
    let at = open_judged(p);
    let v = |y: &str| r.value(name, y, at);
    Ok(Open {
        name: name.to_string(),
        p50: v("open_p50_ms")?,
        p99: v("open_p99_ms")?,
        service: v("open_service_ms")?,
        busy: v("open_busy")?,
        requests: v("open_requests")?,
        rate: v("open_rate_per_s")?,
    })
}

/// The serializations' share of the loop's time at or above this: the loop could not keep up (a busy machine, or
/// a calibration that came out fast), so the queue grew for the whole run and the tail is that backlog.
pub(super) const OVERLOADED: f64 = 0.95;
/// A p99 of its own needs this many requests: below, it is the slowest one or two.
pub(super) const FEW: f64 = 100.0;
const OPEN_BUSY: Quantity =
    Quantity::new("q8: open loop, the serializations' share of one core at the judged load", Unit::Percent);
const OPEN_COUNT: Quantity = Quantity::new("q8: open loop, requests served at the judged load", Unit::Count);

/// Why an inline open-loop run cannot show the shape of a tail at partial load, if it cannot: the loop was
/// overloaded, or too few requests for a p99.
pub(super) fn open_unjudged(r: &LabResult, p: &Params, o: &Open) -> Option<Finding> {
    let pct = p.open_judge_pct;
    let full = OPEN_BUSY.above(r, &format!("at {pct}% offered, {} spent serializing", o.name), o.busy, OVERLOADED);
    if full.holds {
        return Some(Finding::not_measured(format!(
            "{}: the loop could not keep up (a busy machine, or a calibration that came out fast), so its queue grew \
             for the whole run and the p99 measures that backlog, not the tail of a loop at partial load.",
            full.text
        )));
    }
    let few = OPEN_COUNT.below(r, &format!("{} requests served at {pct}%", o.name), o.requests, FEW);
    few.holds
        .then(|| Finding::not_measured(format!("{}: too few for a p99 of their own (raise open_requests).", few.text)))
}

/// A variant's open-loop p99 over its own serialization time, and how the evidence names it.
pub(super) fn open_tail(p: &Params, o: &Open) -> (String, f64) {
    (
        format!(
            "open loop at {}% ({:.0} requests/s, {} arrivals), {}: request p99 / one serialization ({} / {})",
            p.open_judge_pct,
            o.rate,
            arrivals(p),
            o.name,
            fmt_ms(o.p99),
            fmt_ms(o.service)
        ),
        o.p99 / o.service.max(1e-6),
    )
}

pub(super) fn arrivals(p: &Params) -> &'static str {
    match p.open_arrivals {
        super::Arrivals::Poisson => "Poisson",
        super::Arrivals::Fixed => "evenly spaced",
    }
}
