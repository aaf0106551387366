//! Question 5's claims and headline: a pure function of a result (its params and series).
//!
//! Every rule reads one runtime's series: tokio's for the Rust verdict, asyncio's (`python`) for the Python one.

use super::*;
use crate::judging::{self, Fails, Holds, Quantity};
use crate::questions::q3::ideal_s;
use crate::result::Finding;
use crate::units::Unit;
use crate::units::{fmt_pct, fmt_s};

const ADDED: Quantity = Quantity::new("q5: runtime added / sleep added, shortest to longest latency", Unit::Ratio);
const OFF_AT_LONGEST: Quantity = Quantity::new("q5: |measured / formula - 1| at the longest latency", Unit::Percent);
const OFF_WORST: Quantity = Quantity::new("q5: |measured / formula - 1|, worst latency of the sweep", Unit::Percent);
const CLOSEST: Quantity = Quantity::new("q5: measured / model - 1, the run closest to the model", Unit::Change);
const IN_FLIGHT: Quantity = Quantity::new("q5: sleeps in flight on average at the longest latency", Unit::Number);
const FILLED: Quantity =
    Quantity::new("q5: share of the permits busy on average at the longest latency", Unit::Percent);
const PER_WAVE_PART: Quantity = Quantity::new("q5: per-wave share of the excess at the notes' waves", Unit::Percent);

pub fn headline(p: &Params, r: &LabResult) -> Result<String> {
    let lat = p.latencies_ms.iter().copied().max().unwrap_or(1);
    let f = notes_s(p.tasks, p.limit, lat);
    let mut parts = Vec::new();
    for name in ["tokio", "python"] {
        if let Ok(v) = r.value(name, "runtime_s", lat as f64) {
            parts.push(format!("{name} {} ({})", fmt_s(v), fmt_pct(v / f - 1.0)));
        }
    }
    Ok(format!("{} tasks, limit {}, sleep {lat} ms: formula {}; {}", p.tasks, p.limit, fmt_s(f), parts.join(", ")))
}

pub fn claims(p: &Params, r: &LabResult) -> Result<Vec<Claim>> {
    let rules: [(&str, Rule); 4] = [("5.1", rule_5_1), ("5.2", rule_5_2), ("5.3", rule_5_3), ("5.4", rule_5_4)];
    rules.into_iter().map(|(id, rule)| claim(id, p, r, rule)).collect()
}

type Rule = fn(&Params, &Side) -> Result<Finding>;

/// One runtime's series in a result.
struct Side<'a> {
    r: &'a LabResult,
    /// "tokio" or "python".
    name: &'static str,
    /// How the evidence names it.
    label: &'static str,
}

impl Side<'_> {
    fn v(&self, y: &str, latency_ms: u64) -> Result<f64> {
        self.r.value(self.name, y, latency_ms as f64)
    }
}

/// The claim `id` judged by `rule` on tokio's series (Rust) and on asyncio's (Python, when the twin ran).
fn claim(id: &str, p: &Params, r: &LabResult, rule: Rule) -> Result<Claim> {
    let rust = judging::rust(|| rule(p, &Side { r, name: "tokio", label: "tokio" }));
    let python = judging::python(r, || rule(p, &Side { r, name: "python", label: "asyncio" }));
    Claim::new(id, rust, python)
}

/// The latencies swept, shortest first, each once.
fn sweep(p: &Params) -> Vec<u64> {
    let mut l = p.latencies_ms.clone();
    l.sort_unstable();
    l.dedup();
    l
}

/// The longest latency swept: the notes' question (1 s) at the defaults.
fn longest(p: &Params) -> u64 {
    p.latencies_ms.iter().copied().max().unwrap_or(1)
}

/// "Runtime increases": of the sleep added between the shortest and the longest latency (ceil(N/c) waves of
/// it), more than half shows up in the runtime. All of it does when each wave lasts one sleep.
fn rule_5_1(p: &Params, s: &Side) -> Result<Finding> {
    let (lats, waves) = (sweep(p), p.tasks.div_ceil(p.limit));
    let (lo, hi) = (lats[0], longest(p));
    if lo == hi {
        return Ok(Finding::not_measured("One latency only: nothing to compare it with."));
    }
    let (t_lo, t_hi) = (s.v("runtime_s", lo)?, s.v("runtime_s", hi)?);
    let added = ideal_s(p.tasks, p.limit, hi) - ideal_s(p.tasks, p.limit, lo);
    let what = format!(
        "{} took {} at {lo} ms and {} at {hi} ms: the added {} over the added sleep, {waves} waves x {} ms = {},",
        s.label,
        fmt_s(t_lo),
        fmt_s(t_hi),
        fmt_s(t_hi - t_lo),
        hi - lo,
        fmt_s(added)
    );
    Ok(ADDED.above(s.r, &what, (t_hi - t_lo) / added, 0.5).confirm(
        "Each wave lasts one sleep, so a longer sleep lengthens every wave.",
        "Less than half the added sleep reached the runtime.",
    ))
}

/// "≈": within 5%. At 1 s tokio and asyncio miss by about 1% or less; at 10 ms tokio's timer alone, which rounds
/// each deadline up to the next millisecond, adds 5-10% a wave, so the shortest sleeps sit clearly above it.
const ABOUT: f64 = 0.05;

/// "Runtime ≈ (N / concurrency) × latency": within 5% at the longest latency (the notes' question), and at every
/// latency of the sweep for a full confirmation; only at the longest is refined. The wave sweep then says whether
/// what the formula leaves out is paid per wave or once per run.
fn rule_5_2(p: &Params, s: &Side) -> Result<Finding> {
    let hi = longest(p);
    let err = |l: u64| s.v("error_pct", l).map(|e| e.abs() / 100.0);
    let at_hi =
        OFF_AT_LONGEST.below(s.r, &format!("{} at {hi} ms: |measured / formula - 1|", s.label), err(hi)?, ABOUT);
    let ceil = if p.tasks.is_multiple_of(p.limit) {
        String::new()
    } else {
        format!(
            " Here N / concurrency = {:.2} is not whole: the run takes ceil = {} waves.",
            p.tasks as f64 / p.limit as f64,
            p.tasks.div_ceil(p.limit)
        )
    };
    if !at_hi.holds && !at_hi.close {
        return Ok(at_hi
            .confirm("", "The formula is off at the notes' own latency.")
            .then(ceil)
            .then(excess_split(p, s)));
    }
    let mut worst = (hi, err(hi)?);
    for l in sweep(p) {
        let e = err(l)?;
        if e > worst.1 {
            worst = (l, e);
        }
    }
    // From the runtime itself, so a result saved before `residual_ms` existed is judged alike.
    let excess_ms = (s.v("runtime_s", worst.0)? - ideal_s(p.tasks, p.limit, worst.0)) * 1000.0;
    let every = OFF_WORST.below(s.r, &format!("the worst of the sweep, at {} ms", worst.0), worst.1, ABOUT);
    Ok(at_hi
        .and(every)
        .decide(
            Holds::Confirmed,
            Fails::Refined,
            "What the formula leaves out is small against every sleep of the sweep.",
            &format!(
                "The formula leaves out a cost ({excess_ms:.1} ms over ceil(N / c) x latency at {} ms), which \
                 matters when the sleep is short.",
                worst.0
            ),
        )
        .then(ceil)
        .then(excess_split(p, s)))
}

/// The excess over waves x latency is "mostly per wave" when, at the notes' ceil(N / c) waves, the slope's part
/// (slope x waves) is more than half of slope x waves + intercept. A negative part is noise about zero and
/// counts as zero.
const PER_WAVE: f64 = 0.5;

/// What the wave sweep says about the excess: a line through (waves, excess ms) at one latency, whose slope is a
/// cost per wave and whose intercept a cost per run; weighed at the main sweep's waves, a parameter.
fn excess_split(p: &Params, s: &Side) -> String {
    let Some(by_waves) = s.r.series(s.name, "wave_residual_ms") else {
        return "This result has no wave sweep (waves: []), so whether that cost is paid per wave or once per run \
                is not measured."
            .into();
    };
    let Some((per_run, per_wave)) = fit(&by_waves.points) else {
        return "The wave sweep has one wave count only: no slope to tell a cost per wave from one per run.".into();
    };
    let xs = by_waves.points.iter().map(|p| p[0]);
    let (lo, hi) = xs.fold((f64::MAX, f64::MIN), |(l, h), x| (l.min(x), h.max(x)));
    let w = p.tasks.div_ceil(p.limit);
    let fitted = format!(
        "{} at {} ms, {lo:.0} to {hi:.0} waves: excess = {per_run:.2} ms per run + {per_wave:.3} ms x waves",
        s.label, p.wave_latency_ms
    );
    let (wave_part, run_part) = ((per_wave * w as f64).max(0.0), per_run.max(0.0));
    if wave_part + run_part <= 0.0 {
        return format!("{fitted}: no excess to split.");
    }
    // Context, not a verdict: the test only words the comparison.
    let t = PER_WAVE_PART.above(
        s.r,
        &format!(
            "{fitted}; at the notes' {w} waves the per-wave part ({wave_part:.2} ms of {:.2} ms) is a share of",
            wave_part + run_part
        ),
        wave_part / (wave_part + run_part),
        PER_WAVE,
    );
    let near = if t.close { " (near the line: both parts matter)" } else { "" };
    if t.holds {
        format!(
            "{}: mostly per wave{near}. Each wave lasts longer than its sleep: the model that holds is \
             ceil(N / c) x (latency + {per_wave:.2} ms).",
            t.text
        )
    } else {
        format!(
            "{}: mostly per run{near}. The cost does not depend on how the N tasks are grouped into waves: the \
             model that holds is ceil(N / c) x latency + {per_run:.1} ms.",
            t.text
        )
    }
}

/// "Async doesn't magically make latency disappear": no run finishes more than 1% before its ceil(N/c) waves of
/// one sleep each.
fn rule_5_3(p: &Params, s: &Side) -> Result<Finding> {
    let mut fastest: Option<(u64, f64)> = None;
    for l in sweep(p) {
        let ratio = s.v("runtime_s", l)? / ideal_s(p.tasks, p.limit, l);
        if fastest.is_none_or(|f| ratio < f.1) {
            fastest = Some((l, ratio));
        }
    }
    let Some((l, ratio)) = fastest else { return Ok(Finding::not_measured("No latency was swept.")) };
    let waves = p.tasks.div_ceil(p.limit);
    let what = format!(
        "{}'s closest run to ceil(N / c) x latency, at {l} ms ({} against {}): measured / model - 1",
        s.label,
        fmt_s(ratio * ideal_s(p.tasks, p.limit, l)),
        fmt_s(ideal_s(p.tasks, p.limit, l))
    );
    Ok(CLOSEST.above(s.r, &what, ratio - 1.0, -0.01).confirm(
        &format!(
            "With {} permits, {waves} waves of one sleep each pass one after another; async fills each wave.",
            p.limit
        ),
        "A run finished before its waves of sleep could have: the sleeps were cut short.",
    ))
}

/// "It just overlaps waiting": at the longest latency, N x latency / runtime sleeps were in flight on average.
/// Overlap means more than 1.5 at once; filling the semaphore, more than half its permits.
fn rule_5_4(p: &Params, s: &Side) -> Result<Finding> {
    let hi = longest(p);
    let t = s.v("runtime_s", hi)?;
    let serial = p.tasks as f64 * hi as f64 / 1000.0;
    let overlap = serial / t;
    let what = format!(
        "{} at {hi} ms: {} sleeps back to back would take {}, the run took {}: sleeps in flight on average",
        s.label,
        p.tasks,
        fmt_s(serial),
        fmt_s(t)
    );
    let overlapped = IN_FLIGHT.above(s.r, &what, overlap, 1.5);
    if !overlapped.holds && !overlapped.close {
        return Ok(
            overlapped.confirm("", &format!("With {} permit(s) the sleeps ran nearly one after another.", p.limit))
        );
    }
    let filled = FILLED.above(s.r, &format!("as a share of the {} permits", p.limit), overlap / p.limit as f64, 0.5);
    Ok(overlapped.and(filled).decide(
        Holds::Confirmed,
        Fails::Refined,
        "Each task still slept its full latency; async ran the waits side by side.",
        "The waits overlapped, but fewer than half the permits were busy on average: something besides the sleeps \
         (per-task work, the timer) took much of the time.",
    ))
}

#[cfg(test)]
#[path = "judge_tests.rs"]
mod tests;
