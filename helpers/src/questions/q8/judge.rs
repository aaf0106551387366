//! Question 8's claims and headline: a pure function of a result (its params and series).
//!
//! The claims are judged at `judge_doc_bytes` (the notes' large documents), against the smallest size of the
//! sweep where a claim is about growth; the tail's shape (8.5) and async against a pool (8.9) at the open loop's
//! `open_judge_pct`, where requests arrive on their own schedule and the loop is busy only part of the time. Every
//! comparison is within one run: a ratio between sizes, between strategies, or CPU time / wall time.

use super::*;
use crate::judging::{cause_of, mechanism, python, rust, two_step, Fails, Holds, Lang, Quantity, Test};
use crate::peak;
use crate::result::{Claim, Finding, LabResult};
use crate::units::Unit;
use crate::units::{fmt_mib, fmt_ms};
use reading::*;

#[path = "reading.rs"]
mod reading;

/// More cores busy than this is CPU parallelism; one thread stays near 1.0 (the policy's line).
pub(super) const PARALLEL: f64 = crate::judging::PARALLEL_LINE;
/// "Grew" / "blocked": at least this many times the small documents' value, or the other strategy's.
const GREW: f64 = 10.0;
/// A pool keeps the loop responsive when its requests' p99 stays within this many times the p99 beside the smallest
/// documents inline (an idle loop's: about its timer's granularity). Judged on pools no larger than the cores
/// (rayon; the process pool): with more threads than cores (spawn_blocking's 16) the loop's thread waits its turn.
const FREED: f64 = 20.0;

/// The Python pool 8.9 and 8.11 judge: a process pool whose workers build their documents and send back bytes,
/// so that what crosses to the worker is small next to the work (as a server's request to an inference worker is).
const FAIR_POOL: &str = BUILT_IN_WORKER;
/// The pool the parent sends each whole document, pickled in the parent under its GIL: the worst case, told beside.
const PICKLING_POOL: &str = "python processes";

const TIME_PER_DOC: Quantity = Quantity::new("q8: time per document, judged size / smallest", Unit::Ratio);
const DOCS_FELL: Quantity = Quantity::new("q8: documents per second, judged size / smallest", Unit::Ratio);
const BYTES_FELL: Quantity = Quantity::new("q8: MB per second, judged size / smallest", Unit::Ratio);
const MEMORY_GREW: Quantity =
    Quantity::new("q8: peak RSS growth, smallest to judged size, against the document's", Unit::Mib);
const BATCH_GAIN: Quantity = Quantity::new("q8: MB/s, batched / one call per document, smallest size", Unit::Ratio);
const BATCH_GAIN_JUDGED: Quantity =
    Quantity::new("q8: MB/s, batched / one call per document, judged size", Unit::Ratio);

pub fn headline(p: &Params, r: &LabResult) -> Result<String> {
    let big = judged(p);
    let rust = r.value("inline current_thread", "mb_per_s", big)?;
    let py = r.value("python inline", "mb_per_s", big).ok();
    Ok(format!(
        "{} documents, one thread: serde_json {rust:.0} MB/s{}; heartbeat p99 inline {} vs spawn_blocking {}",
        crate::chart::bytes(big),
        py.map(|v| format!(", json.dumps {v:.0} MB/s ({:.1}x)", rust / v)).unwrap_or_default(),
        fmt_ms(r.value("inline current_thread", "lag_p99_ms", big)?),
        fmt_ms(r.value("spawn_blocking", "lag_p99_ms", big)?)
    ))
}

pub fn claims(p: &Params, r: &LabResult) -> Result<Vec<Claim>> {
    let rules: [fn(&Params, &LabResult) -> Result<Claim>; 12] = [
        rule_8_1, rule_8_2, rule_8_3, rule_8_4, rule_8_5, rule_8_6, rule_8_7, rule_8_8, rule_8_9, rule_8_10, rule_8_11,
        rule_8_12,
    ];
    rules.iter().map(|rule| rule(p, r)).collect()
}

/// 8.1 "CPU-bound work increases": the time to serialize one document (inline, one thread) must grow with the
/// document, by at least a tenth of the size ratio (serialization is linear in the bytes written).
fn rule_8_1(p: &Params, r: &LabResult) -> Result<Claim> {
    let judge = |name: &str| -> Result<Finding> {
        let (small, big) = growth(p)?;
        let per_doc = |s: f64| -> Result<f64> { Ok(r.value(name, "wall_s", s)? * 1000.0 / p.tasks as f64) };
        let (a, b) = (per_doc(big)?, per_doc(small)?);
        let line = (big / small / 10.0).max(1.5);
        Ok(TIME_PER_DOC
            .above(
                r,
                &format!("time per document, {name}, {big:.0} / {small:.0} bytes ({} / {})", fmt_ms(a), fmt_ms(b)),
                a / b,
                line,
            )
            .confirm(
                "Each document is a walk over every value and a write of every byte: more bytes, more CPU.",
                "The work per document did not grow with the document.",
            ))
    };
    inline("8.1", r, judge)
}

/// What Rust has where the claims rest on the GIL: serde_json on other threads, in parallel, and the loop's lag.
fn rust_instead(p: &Params, r: &LabResult) -> Result<String> {
    let big = judged(p);
    Ok(format!(
        "at {big:.0} bytes serde_json on spawn_blocking kept {} cores busy and on rayon {}, while the loop's \
         heartbeat p99 was {} and {} (inline: {}).",
        cores(r.value("spawn_blocking", "cores_busy", big)?),
        cores(r.value("rayon", "cores_busy", big)?),
        fmt_ms(r.value("spawn_blocking", "lag_p99_ms", big)?),
        fmt_ms(r.value("rayon", "lag_p99_ms", big)?),
        fmt_ms(r.value("inline current_thread", "lag_p99_ms", big)?)
    ))
}

/// Python's threads, for a Python without the GIL.
fn python_threads(p: &Params, r: &LabResult) -> Result<String> {
    let big = judged(p);
    Ok(format!(
        "at {big:.0} bytes json.dumps on asyncio.to_thread kept {} cores busy, the loop's heartbeat p99 {}.",
        cores(r.value("python to_thread", "cores_busy", big)?),
        fmt_ms(r.value("python to_thread", "lag_p99_ms", big)?)
    ))
}

fn lacked() -> Result<Finding> {
    Err(LabError::other("Rust lacks this mechanism: only its analogue is measured"))
}

/// 8.2 "GIL contention increases": Python's threads must take turns (no parallelism, so two cores needed) and
/// the loop's wait for the GIL must grow with the document. It rests on the GIL: Rust has none.
fn rule_8_2(p: &Params, r: &LabResult) -> Result<Claim> {
    let rust = mechanism(r, "8.2", Lang::Rust, || rust_instead(p, r), lacked)?;
    let python = mechanism(
        r,
        "8.2",
        Lang::Python,
        || python_threads(p, r),
        || {
            let took_turns = turns(r, p, "python to_thread")?;
            let wait = grew(r, p, LAG_P99_GREW, "python to_thread", "lag_p99_ms", "heartbeat p99", GREW)?;
            Ok(took_turns
                .and(wait)
                .confirm(
                    "The threads took turns, and the loop's thread waited longer for the GIL the longer each \
                     json.dumps call held it.",
                    "Either the threads ran in parallel or the loop's wait did not grow with the documents.",
                )
                .then(gil_line(r)))
        },
    )?;
    Claim::new("8.2", rust, python)
}

/// 8.3 "Event loop blocks longer": the heartbeat's worst lateness with the work inline must grow with the
/// documents.
fn rule_8_3(p: &Params, r: &LabResult) -> Result<Claim> {
    let judge = |name: &str| -> Result<Finding> {
        Ok(grew(r, p, LAG_MAX_GREW, name, "lag_max_ms", "heartbeat lateness (max)", GREW)?.confirm(
            &format!("The loop ran the serializations back to back ({} were ready at once) before its timer.", p.tasks),
            "The loop's longest stall did not grow with the documents.",
        ))
    };
    inline("8.3", r, judge)
}

/// 8.4 "Latency increases": a light request's typical (median) latency beside inline serializations must grow
/// with the documents.
fn rule_8_4(p: &Params, r: &LabResult) -> Result<Claim> {
    let judge = |name: &str| -> Result<Finding> {
        Ok(grew(r, p, PING_P50_GREW, name, "ping_p50_ms", "light request latency (p50)", GREW)?.confirm(
            "A request that arrives while a serialization runs on the loop waits for it to finish.",
            "The typical request did not wait much longer beside larger documents.",
        ))
    };
    inline("8.4", r, judge)
}

/// Open loop: the slowest requests "spike" when their p99 exceeds this many times one serialization. A request that
/// finds the loop free takes one serialization (1x); above 3x the slowest 1% waited behind at least two others'
/// serializations on the loop. Queueing theory puts the lines apart: evenly spaced arrivals below 100% load give
/// 1x (nobody waits), a pool of two threads at 80% of one core about 2x (M/D/2), one loop thread about 8x (M/D/1,
/// Poisson arrivals; 5x at the 5th percentile of 200-request runs).
pub(super) const SPIKE: f64 = 3.0;
/// Open loop: a variant's request p99 over its own serialization time at the judged load.
pub(super) const OPEN_TAIL: Quantity =
    Quantity::new("q8: open-loop request p99 / one serialization, at the judged load", Unit::Ratio);

/// The open-loop variant each language's offloaded numbers come from, told beside (Rust) or judged (8.9).
pub(super) fn offloaded(lang: Lang) -> &'static str {
    match lang {
        Lang::Rust => "rayon",
        Lang::Python => FAIR_POOL,
    }
}

/// 8.5 "Tail latency spikes": the requests' p99 beside inline serializations must grow with the documents (the
/// closed-loop sweep; else contradicted). Its shape is judged where the loop is busy only part of the time:
/// requests arriving on their own schedule (open loop) at `open_judge_pct`% of what one core serializes, each
/// serializing `open_doc_bytes` inline. A p99 above `SPIKE` times one serialization is a spike (confirmed); below
/// it, the tail moved with everything else (refined). Not measured where that run overloaded the loop.
fn rule_8_5(p: &Params, r: &LabResult) -> Result<Claim> {
    let judge = |name: &str, lang: Lang| -> Result<Finding> {
        let rose = grew(r, p, PING_P99_GREW, name, "ping_p99_ms", "light request latency (p99)", GREW)?;
        let o = open(r, p, name)?;
        if rose.holds {
            if let Some(f) = open_unjudged(r, p, &o) {
                return Ok(f);
            }
        }
        let (what, v) = open_tail(p, &o);
        let off = offloaded(lang);
        let beside = match open(r, p, off) {
            Ok(b) => format!(
                " On {off}, at the same rate, the p99 was {} ({:.1}x one serialization).",
                fmt_ms(b.p99),
                b.p99 / b.service.max(1e-6)
            ),
            Err(_) => String::new(),
        };
        Ok(two_step(
            rose,
            OPEN_TAIL.above(r, &what, v, SPIKE),
            Holds::Confirmed,
            Fails::Refined,
            Fails::Contradicted,
            [
                "The slowest requests waited behind several others' serializations on the loop while the typical \
                 one waited for few: a spike in the tail, at a load the loop keeps up with.",
                "The tail rose with the documents, but with requests arriving on their own schedule at this load \
                 even the slowest took under three serializations' time: it moved with the whole distribution, no \
                 spike of its own.",
                "The slowest requests did not wait much longer beside larger documents.",
            ],
        )
        .then(format!(
            "The open-loop p99 / p50 was {:.1}x ({} / {}).{beside}",
            o.p99 / o.p50.max(1e-6),
            fmt_ms(o.p99),
            fmt_ms(o.p50)
        )))
    };
    Claim::new(
        "8.5",
        rust(|| judge("inline current_thread", Lang::Rust)),
        python(r, || judge("python inline", Lang::Python)),
    )
}

/// 8.6 "Throughput drops": documents per second must fall (else contradicted); confirmed if bytes per second
/// fall too (the serializer itself slowed), refined if only documents per second did (each carries more bytes).
fn rule_8_6(p: &Params, r: &LabResult) -> Result<Claim> {
    let judge = |name: &str| -> Result<Finding> {
        let (small, big) = growth(p)?;
        let fell = |q: Quantity, y: &str, unit: &str, line: f64| -> Result<Test> {
            let (a, b) = (r.value(name, y, big)?, r.value(name, y, small)?);
            Ok(q.below(r, &format!("{unit}, {name}, {big:.0} / {small:.0} bytes ({a:.1} / {b:.1})"), a / b, line))
        };
        Ok(two_step(
            fell(DOCS_FELL, "docs_per_s", "documents per second", 0.5)?,
            fell(BYTES_FELL, "mb_per_s", "MB per second", 0.33)?,
            Holds::Confirmed,
            Fails::Refined,
            Fails::Contradicted,
            [
                "Fewer documents and fewer bytes per second: the serializer itself slowed on larger documents.",
                "Fewer documents per second, but bytes per second held above a third: the serializer's pace per byte \
                 is not what fell; each document carried more work (and on the loop, nothing else ran meanwhile: \
                 8.4).",
                "Documents per second did not fall by half.",
            ],
        ))
    };
    inline("8.6", r, judge)
}

/// 8.7 "Memory grows due to larger objects": the peak resident memory must grow by at least the growth of one
/// document's JSON (the output string alone is that large). Where the kernel refused the peak reset, the peaks are
/// the process's lifetime peaks, which include earlier runs: their growth is not the documents', so not measured.
fn rule_8_7(p: &Params, r: &LabResult) -> Result<Claim> {
    let judge = |name: &str| -> Result<Finding> {
        let (small, big) = growth(p)?;
        let (a, b) = (r.value(name, "peak_rss_mb", big)?, r.value(name, "peak_rss_mb", small)?);
        let so =
            format!("the growth of its peaks ({} -> {}) cannot be put down to the documents", fmt_mib(b), fmt_mib(a));
        let kind = match peak::judged(r, &[(name, small), (name, big)], &so) {
            Ok(kind) => kind,
            Err(not_measured) => return Ok(not_measured),
        };
        let doc = (big - small) / (1024.0 * 1024.0);
        let what =
            format!("{} growth, {name}, {small:.0} -> {big:.0} bytes ({} -> {})", kind.rss(), fmt_mib(b), fmt_mib(a));
        Ok(MEMORY_GREW.above(r, &what, a - b, doc).confirm(
            "The line is the document's own growth in JSON bytes: the document as values in memory (several times \
             its JSON) and its output string both grew.",
            "Memory grew by less than the document did.",
        ))
    };
    inline("8.7", r, judge)
}

/// 8.8 "Serialization happens in Python space -> GIL locked -> no parallelism", a chain of reasons: json.dumps on
/// threads must keep no more than one core busy (else contradicted; two cores needed), and the reason given must
/// hold: confirmed if it ran in Python bytecode, refined if in C (no parallelism, for another reason: C code that
/// holds the GIL). It rests on the GIL: Rust has none.
fn rule_8_8(p: &Params, r: &LabResult) -> Result<Claim> {
    let big = judged(p);
    let rust = mechanism(r, "8.8", Lang::Rust, || rust_instead(p, r), lacked)?;
    let python = mechanism(
        r,
        "8.8",
        Lang::Python,
        || python_threads(p, r),
        || {
            let in_c = r.value("python json", "in_c", big)? >= 0.5;
            let place = Test::fact(
                "q8: json.dumps ran in Python bytecode",
                if in_c { "json.dumps ran in C (the _json accelerator)" } else { "json.dumps ran in Python bytecode" },
                !in_c,
            );
            Ok(cause_of(
                turns(r, p, "python to_thread")?,
                place,
                [
                    "Python code under the GIL: the threads took turns.",
                    "No parallelism, though not from Python bytecode: json.dumps runs in C, but it walks Python \
                     objects, which needs the GIL even in C, and it holds it for the whole call, so the threads took \
                     turns all the same.",
                    "The threads serialized in parallel.",
                ],
            )
            .then(gil_line(r)))
        },
    )?;
    Claim::new("8.8", rust, python)
}

#[path = "judge_pools.rs"]
mod pools;
use pools::{rule_8_10, rule_8_11, rule_8_12, rule_8_9};

#[cfg(test)]
#[path = "judge_tests.rs"]
mod tests;
