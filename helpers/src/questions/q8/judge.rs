//! Question 8's claims and headline: a pure function of a result (its params and series).
//!
//! The claims are judged at `judge_doc_bytes` (the notes' large documents), against the smallest size of the
//! sweep where a claim is about growth. Every comparison is within one run: a ratio between sizes, between
//! strategies, or CPU time / wall time.

use super::*;
use crate::judging::legacy::{above, below, two_step, Test};
use crate::judging::{python, rust};
use crate::peak;
use crate::result::{Claim, Finding, LabResult, Verdict};
use crate::units::{fmt_mib, fmt_ms};
use reading::*;

#[path = "reading.rs"]
mod reading;

/// More cores busy than this is CPU parallelism; one thread stays near 1.0.
pub(super) const PARALLEL: f64 = 1.5;
/// "Grew" / "blocked": at least this many times the small documents' value, or the other strategy's.
const GREW: f64 = 10.0;
/// A pool keeps the loop responsive when its requests' p99 stays within this many times the p99 beside the smallest
/// documents inline (an idle loop's: about its timer's granularity). Judged on pools no larger than the cores
/// (rayon; the process pool): with more threads than cores (spawn_blocking's 16) the loop's thread waits its turn.
const FREED: f64 = 20.0;
/// A tail "stands out" when the p99 is this many times the median.
const TAIL: f64 = 3.0;
/// Batching "pays" at this many times the throughput of one call per document (and costs below its inverse).
const PAYS: f64 = 2.0;

pub fn headline(p: &Params, r: &LabResult) -> Result<String> {
    let big = judged(p);
    let rust = r.value("inline current_thread", "mb_per_s", big)?;
    let py = r.value("python inline", "mb_per_s", big).ok();
    Ok(format!(
        "{big:.0}-byte documents, one thread: serde_json {rust:.0} MB/s{}; heartbeat p99 inline {} vs spawn_blocking {}",
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
        Ok(above(
            &format!("time per document, {name}, {big:.0} / {small:.0} bytes ({} / {})", fmt_ms(a), fmt_ms(b)),
            a / b,
            line,
            x,
        )
        .confirm(
            "Each document is a walk over every value and a write of every byte: more bytes, more CPU.",
            "The work per document did not grow with the document.",
        ))
    };
    inline("8.1", r, judge)
}

/// 8.2 "GIL contention increases": Python's threads must take turns (no parallelism) and the loop's wait for
/// the GIL must grow with the document. Rust has no GIL.
fn rule_8_2(p: &Params, r: &LabResult) -> Result<Claim> {
    let big = judged(p);
    let rust = rust(|| {
        Ok(Finding::does_not_apply(format!(
            "Rust has no GIL. What it has instead, measured at {big:.0} bytes: serde_json on spawn_blocking kept {} \
             cores busy and on rayon {}, while the loop's heartbeat p99 was {} and {} (inline: {}).",
            cores(r.value("spawn_blocking", "cores_busy", big)?),
            cores(r.value("rayon", "cores_busy", big)?),
            fmt_ms(r.value("spawn_blocking", "lag_p99_ms", big)?),
            fmt_ms(r.value("rayon", "lag_p99_ms", big)?),
            fmt_ms(r.value("inline current_thread", "lag_p99_ms", big)?)
        )))
    });
    let python = python(r, || {
        let took_turns = turns(r, p, "python to_thread")?;
        let wait = grew(r, p, "python to_thread", "lag_p99_ms", "heartbeat p99", GREW)?;
        Ok(took_turns
            .and(wait)
            .confirm(
                "The threads took turns, and the loop's thread waited longer for the GIL the longer each json.dumps \
                 call held it.",
                "Either the threads ran in parallel or the loop's wait did not grow with the documents.",
            )
            .then(gil_line(r)))
    });
    Claim::new("8.2", rust, python)
}

/// 8.3 "Event loop blocks longer": the heartbeat's worst lateness with the work inline must grow with the
/// documents.
fn rule_8_3(p: &Params, r: &LabResult) -> Result<Claim> {
    let judge = |name: &str| -> Result<Finding> {
        Ok(grew(r, p, name, "lag_max_ms", "heartbeat lateness (max)", GREW)?.confirm(
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
        Ok(grew(r, p, name, "ping_p50_ms", "light request latency (p50)", GREW)?.confirm(
            "A request that arrives while a serialization runs on the loop waits for it to finish.",
            "The typical request did not wait much longer beside larger documents.",
        ))
    };
    inline("8.4", r, judge)
}

/// 8.5 "Tail latency spikes": the requests' p99 must grow with the documents (else contradicted), and stand out
/// from their median (confirmed) rather than move with it (refined: latency rose across the board).
fn rule_8_5(p: &Params, r: &LabResult) -> Result<Claim> {
    let judge = |name: &str| -> Result<Finding> {
        let rose = grew(r, p, name, "ping_p99_ms", "light request latency (p99)", GREW)?;
        let big = judged(p);
        let (p99, p50) = (r.value(name, "ping_p99_ms", big)?, r.value(name, "ping_p50_ms", big)?);
        let tail = above(
            &format!("p99 / p50 at {big:.0} bytes ({} / {})", fmt_ms(p99), fmt_ms(p50)),
            p99 / p50.max(1e-6),
            TAIL,
            x,
        );
        Ok(two_step(
            rose,
            tail,
            [Verdict::Confirmed, Verdict::Refined, Verdict::Contradicted],
            [
                "Most requests were served on time; the unlucky ones waited for every serialization queued ahead.",
                "The tail rose, but so did the median: at this size the loop is blocked for most of the run, so \
                 nearly every request waits. A shift of the whole distribution, not a spike in its tail.",
                "The slowest requests did not wait much longer beside larger documents.",
            ],
        ))
    };
    inline("8.5", r, judge)
}

/// 8.6 "Throughput drops": documents per second must fall (else contradicted); confirmed if bytes per second
/// fall too (the serializer itself slowed), refined if only documents per second did (each carries more bytes).
fn rule_8_6(p: &Params, r: &LabResult) -> Result<Claim> {
    let judge = |name: &str| -> Result<Finding> {
        let (small, big) = growth(p)?;
        let fell = |y: &str, unit: &str, line: f64| -> Result<Test> {
            let (a, b) = (r.value(name, y, big)?, r.value(name, y, small)?);
            Ok(below(&format!("{unit}, {name}, {big:.0} / {small:.0} bytes ({a:.1} / {b:.1})"), a / b, line, |v| {
                format!("{v:.3}x")
            }))
        };
        Ok(two_step(
            fell("docs_per_s", "documents per second", 0.5)?,
            fell("mb_per_s", "MB per second", 0.33)?,
            [Verdict::Confirmed, Verdict::Refined, Verdict::Contradicted],
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
        Ok(above(
            &format!("{} growth, {name}, {small:.0} -> {big:.0} bytes ({} -> {})", kind.rss(), fmt_mib(b), fmt_mib(a)),
            a - b,
            doc,
            fmt_mib,
        )
        .confirm(
            "The line is the document's own growth in JSON bytes: the document as values in memory (several times \
             its JSON) and its output string both grew.",
            "Memory grew by less than the document did.",
        ))
    };
    inline("8.7", r, judge)
}

/// 8.8 "Serialization happens in Python space -> GIL locked -> no parallelism": json.dumps on threads must keep
/// no more than one core busy (else contradicted); confirmed if it ran in Python bytecode, refined if in C (the
/// conclusion holds for another reason: C code that holds the GIL).
fn rule_8_8(p: &Params, r: &LabResult) -> Result<Claim> {
    let big = judged(p);
    let rust = rust(|| {
        Ok(Finding::does_not_apply(format!(
            "Rust has no GIL and serde_json is compiled code. Measured instead at {big:.0} bytes: on rayon it kept {} \
             cores busy at {:.0} MB/s, against {:.0} MB/s inline on one thread.",
            cores(r.value("rayon", "cores_busy", big)?),
            r.value("rayon", "mb_per_s", big)?,
            r.value("inline current_thread", "mb_per_s", big)?
        )))
    });
    let python = python(r, || {
        let in_c = r.value("python json", "in_c", big)? >= 0.5;
        let place = Test {
            text: if in_c {
                "json.dumps ran in C (the _json accelerator)"
            } else {
                "json.dumps ran in Python bytecode"
            }
            .into(),
            holds: !in_c,
            close: false,
            compared: None, // a fact, not a number against a line
        };
        Ok(two_step(
            turns(r, p, "python to_thread")?,
            place,
            [Verdict::Confirmed, Verdict::Refined, Verdict::Contradicted],
            [
                "Python code under the GIL: the threads took turns.",
                "No parallelism, but not because the work is in Python space: json.dumps is C, and it holds the GIL \
                 for the whole call, so the threads took turns all the same.",
                "The threads serialized in parallel.",
            ],
        )
        .then(gil_line(r)))
    });
    Claim::new("8.8", rust, python)
}

/// What a process pool costs the loop's process, whatever the outcome.
const PICKLING: &str = "A process pool pickles each document in the parent to send it to a worker, and pickling \
                        holds the parent's GIL while it runs.";

/// 8.9 "So async loses its advantage": with the work inline the requests' p99 must grow (else contradicted);
/// refined when the work on a pool kept it far lower (the advantage is lost only while the work is on the loop).
fn rule_8_9(p: &Params, r: &LabResult) -> Result<Claim> {
    let judge = |inline: &str, off: &str| -> Result<Finding> {
        Ok(two_step(
            grew(r, p, inline, "ping_p99_ms", "light request latency (p99)", GREW)?,
            near_idle(r, p, off, inline, FREED)?,
            [Verdict::Refined, Verdict::Confirmed, Verdict::Contradicted],
            [
                "Async lost its advantage only while the work ran on the loop: offloaded, requests were served \
                 while the serializations ran.",
                "Requests waited with the work offloaded too: moving it off the loop did not restore the loop's \
                 responsiveness.",
                "Requests beside large documents were served about as fast as beside small ones.",
            ],
        ))
    };
    let rust = rust(|| judge("inline current_thread", "rayon"));
    let python = python(r, || Ok(judge("python inline", "python processes")?.then(PICKLING)));
    Claim::new("8.9", rust, python)
}

/// 8.10 "Offload heavy compute to C/CUDA": json.dumps is C already; it must run in parallel on threads to count
/// as a cure (confirmed), else native code alone was not enough (refined). Rust is native code throughout.
fn rule_8_10(p: &Params, r: &LabResult) -> Result<Claim> {
    let big = judged(p);
    let rust = rust(|| {
        Ok(Finding::does_not_apply(format!(
            "Rust is compiled to native code: there is no interpreter to offload from. serde_json ran at {:.0} MB/s \
             inline on one thread and {:.0} MB/s on rayon at {big:.0} bytes.",
            r.value("inline current_thread", "mb_per_s", big)?,
            r.value("rayon", "mb_per_s", big)?
        )))
    });
    let python = python(r, || {
        if r.value("python json", "in_c", big)? < 0.5 {
            return Ok(Finding::not_measured("This Python's json.dumps ran in bytecode: C code was not measured."));
        }
        Ok(turns(r, p, "python to_thread")?
            .decide(
                Verdict::Refined,
                Verdict::Confirmed,
                "Native code alone was not enough: json.dumps is already C and it still held the GIL, so threads took \
                 turns. C helps when it releases the GIL or runs in another process.",
                "json.dumps, C code, ran in parallel on threads: native code without a GIL to hold.",
            )
            .then(format!(
                "json.dumps (C) ran at {:.0} MB/s inline. {}",
                r.value("python inline", "mb_per_s", big)?,
                gil_line(r)
            )))
    });
    Claim::new("8.10", rust, python)
}

/// 8.11 "Use worker pools": a pool must keep requests flowing (their p99 near an idle loop's; else contradicted)
/// and use the cores (confirmed; refined if it kept the loop free without parallel work).
fn rule_8_11(p: &Params, r: &LabResult) -> Result<Claim> {
    let judge = |inline: &str, pool: &str| -> Result<Finding> {
        Ok(two_step(
            near_idle(r, p, pool, inline, FREED)?,
            parallel(r, p, pool)?,
            [Verdict::Confirmed, Verdict::Refined, Verdict::Contradicted],
            [
                "The pool ran the serializations on other threads or processes, in parallel, and the loop served \
                 requests meanwhile.",
                "The loop stayed responsive, but the pool did not run the work in parallel.",
                "The pool did not keep requests flowing: they waited far longer than beside an idle loop.",
            ],
        ))
    };
    let rust = rust(|| judge("inline current_thread", "rayon"));
    let python = python(r, || Ok(judge("python inline", "python processes")?.then(PICKLING)));
    Claim::new("8.11", rust, python)
}

/// 8.12 "Batch operations": at the judged size, batching must not cost throughput (at least half that of one
/// call per document; else contradicted), and pays when it doubles it (confirmed; refined in between). Hand-offs
/// cost about the same whatever the document, so the gain depends on the size: the smallest size is told too.
fn rule_8_12(p: &Params, r: &LabResult) -> Result<Claim> {
    let judge = |batched: &str, single: &str| -> Result<Finding> {
        let big = judged(p);
        let gain =
            |s: f64| -> Result<(f64, f64)> { Ok((r.value(batched, "mb_per_s", s)?, r.value(single, "mb_per_s", s)?)) };
        let (a, b) = gain(big)?;
        let what = format!("MB/s, {batched} / {single} at {big:.0} bytes ({a:.1} / {b:.1})");
        let small = smallest(p);
        let context = match gain(small) {
            Ok((c, d)) if small < big => format!(" At {small:.0} bytes: {c:.1} / {d:.1} MB/s, {}.", x(c / d)),
            _ => String::new(),
        };
        Ok(two_step(
            above(&what, a / b, 1.0 / PAYS, x),
            above("the ratio", a / b, PAYS, x),
            [Verdict::Confirmed, Verdict::Refined, Verdict::Contradicted],
            [
                "Fewer hand-offs paid at this size.",
                "Batching changed throughput little at this size: a hand-off costs about the same whatever the \
                 document, so it matters where a document is small and hardly where it is large.",
                "Batching cost throughput at this size: fewer calls left less work to run at once.",
            ],
        )
        .then(format!("{} documents per call.{context}", p.batch)))
    };
    let rust = rust(|| judge("batched", "spawn_blocking"));
    Claim::new("8.12", rust, python(r, || judge("python batched", "python processes")))
}

#[cfg(test)]
#[path = "judge_tests.rs"]
mod tests;
