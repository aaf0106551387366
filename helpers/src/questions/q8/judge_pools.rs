//! 8.9-8.12, what moving the work off the loop does: async's lost advantage, native code, worker pools,
//! batching. Python's pools are judged on the pool whose workers build their documents (`FAIR_POOL`); the pool
//! that is sent each whole document, pickled in the parent, measures that hand-off and is told beside it.

use super::*;
use crate::judging::no_spare_cores;
use crate::units::Unit;

/// The fair Python pool's verdict, or not measured where the result has only the pickling pool (an older run).
fn fair_pool(r: &LabResult, judge: impl FnOnce() -> Result<Finding>) -> Result<Finding> {
    if r.series(FAIR_POOL, "ping_p99_ms").is_none() {
        return Ok(Finding::not_measured(format!(
            "This result's only process pool ({PICKLING_POOL}) is sent each whole document, pickled in the parent \
             under its GIL: that measures the hand-off, not the pool. A pool whose workers build their own documents \
             ({FAIR_POOL}) is not in this result."
        )));
    }
    judge()
}

/// What the pickling pool did, beside the fair one: the worst case of a hand-off.
fn pickling_context(p: &Params, r: &LabResult) -> String {
    let big = judged(p);
    match r.value(PICKLING_POOL, "ping_p99_ms", big) {
        Ok(v) => format!(
            "The pool sent each whole document instead ({PICKLING_POOL}: pickled in the parent, which holds the \
             parent's GIL while it runs) left a light-request p99 of {} at {big:.0} bytes.",
            fmt_ms(v)
        ),
        Err(_) => String::new(),
    }
}

/// Async inline "loses" to a pool when, at the same offered rate, its requests' p99 is more than this many times
/// the pool's. A pool that adds nothing (one core, threads that take turns, or hand-offs as long as the work) gives
/// about 1x; at 80% of one core queueing theory puts one loop thread's p99 at about 3.5x a two-thread pool's (M/D/1
/// against M/D/2, Poisson arrivals, both variants seeing the same ones), about 2.3x with hand-offs of a third of the
/// work (1.7x in the 5th percentile of 200-request runs). Measured here at 500 kB: Rust 2.3x, Python 2.0x.
const LOSES: f64 = 1.5;
/// Open loop: inline's request p99 over a pool's at the same offered rate. The pool's edge is its other cores: a
/// quantity about parallelism.
/// A pool's tail spikes when its p99 stands this many times above its own median. Measured against the pool's
/// median, not one serialization, so that its hand-offs (a wake-up or two per request, a third of a 500-kB
/// serialization here) count once in both: two servers at 40% each give about 2x (M/D/2, Poisson arrivals; 2.8x in the
/// 95th percentile of 200-request runs), one loop thread about 3.3x.
const POOL_SPIKE: f64 = 3.0;
const POOL_SPREAD: Quantity =
    Quantity::new("q8: open-loop request p99 / p50 of a pool, at the judged load", Unit::Ratio);
const INLINE_OVER_POOL: Quantity =
    Quantity::parallel("q8: open-loop request p99, inline / a pool at the same rate, at the judged load", Unit::Ratio);

/// 8.9 "So async loses its advantage", judged where it is a fair race: requests arriving on their own schedule
/// (open loop) at `open_judge_pct`% of what one core serializes, served inline on the loop or offloaded (Rust: rayon,
/// a thread per core; Python: the process pool whose workers hold their own document). Inline must lose to the
/// pool at the same rate (p99 above `LOSES` times the pool's; else contradicted; two cores needed); the advantage is
/// lost for good where the pool's tail spiked too (its p99 above `POOL_SPIKE` times its own p50: confirmed), and only
/// while the work is on the loop where it did not (refined). Not measured where the inline run overloaded the loop,
/// or where the same pool kept no more than one core busy in the sweep (no cores to spare).
pub(super) fn rule_8_9(p: &Params, r: &LabResult) -> Result<Claim> {
    let judge = |inline: &str, off: &str, offloaded: &str| -> Result<Finding> {
        let (a, b) = (open(r, p, inline)?, open(r, p, off)?);
        if let Some(f) = open_unjudged(r, p, &a) {
            return Ok(f);
        }
        // A pool beats the loop with its other cores: where the same pool kept no more than one busy in the sweep,
        // this run had none to spare, and the race could not come out either way.
        if let Some(f) = no_spare_cores(r, &parallel(r, p, off)?, "whether a pool serves requests faster than the loop")
        {
            return Ok(f);
        }
        let lost = INLINE_OVER_POOL.above(
            r,
            &format!(
                "open loop at {}% ({:.0} requests/s, {} arrivals), request p99, {inline} / {off} ({} / {})",
                p.open_judge_pct,
                a.rate,
                arrivals(p),
                fmt_ms(a.p99),
                fmt_ms(b.p99)
            ),
            a.p99 / b.p99.max(1e-6),
            LOSES,
        );
        let spread = POOL_SPREAD.above(
            r,
            &format!("{off}: request p99 / p50 ({} / {})", fmt_ms(b.p99), fmt_ms(b.p50)),
            b.p99 / b.p50.max(1e-6),
            POOL_SPIKE,
        );
        Ok(two_step(
            lost,
            spread,
            Holds::Confirmed,
            Fails::Refined,
            Fails::Contradicted,
            [
                "Inline lost, and offloading did not rescue it: the pool's slowest requests stood far above its \
                 typical one too, so async with a pool kept no clear edge either.",
                &format!(
                    "Async lost its advantage only while the work ran on the loop: {offloaded}, at the same offered \
                     rate, the slowest requests stayed close to the typical one."
                ),
                "At the same offered rate, requests served inline on the loop were about as fast as offloaded ones: \
                 async lost nothing here.",
            ],
        ))
    };
    let rust = rust(|| judge("inline current_thread", "rayon", "offloaded to rayon's pool"));
    let python = python(r, || {
        fair_pool(r, || {
            let offloaded = "offloaded to a process pool whose workers hold their own documents";
            Ok(judge("python inline", FAIR_POOL, offloaded)?.then(pickling_context(p, r)))
        })
    });
    Claim::new("8.9", rust, python)
}

/// 8.10 "Offload heavy compute to C/CUDA": json.dumps is C already; C code that runs in parallel on threads is the
/// cure the notes mean (confirmed), C that still takes turns was not enough (refined). Two cores needed. Rust is
/// native code: there is no interpreter to offload from.
pub(super) fn rule_8_10(p: &Params, r: &LabResult) -> Result<Claim> {
    let big = judged(p);
    let native = || -> Result<String> {
        Ok(format!(
            "serde_json is native code, and ran at {:.0} MB/s inline on one thread and {:.0} MB/s on rayon at {big:.0} \
             bytes.",
            r.value("inline current_thread", "mb_per_s", big)?,
            r.value("rayon", "mb_per_s", big)?
        ))
    };
    let rust = mechanism(r, "8.10", Lang::Rust, native, || Err(LabError::other("Rust is native code")))?;
    let python = python(r, || {
        if r.value("python json", "in_c", big)? < 0.5 {
            return Ok(Finding::not_measured("This Python's json.dumps ran in bytecode: C code was not measured."));
        }
        Ok(threads_in_parallel(r, p, "python to_thread")?
            .decide(
                Holds::Confirmed,
                Fails::Refined,
                "json.dumps, C code, ran in parallel on threads: native code without a GIL to hold.",
                "Native code alone was not enough: json.dumps is already C and it still held the GIL, so threads \
                 took turns. C helps when it releases the GIL or runs in another process.",
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
/// and use the cores (confirmed; refined if it kept the loop free without parallel work; two cores needed). In
/// Python, judged on the pool whose workers build their documents; the pool sent each whole document (pickled in
/// the parent) must keep requests flowing too for a confirmation, else refined: a pool frees the loop only when
/// what it is sent is small next to the work.
pub(super) fn rule_8_11(p: &Params, r: &LabResult) -> Result<Claim> {
    let says = [
        "The pool ran the serializations on other threads or processes, in parallel, and the loop served requests \
         meanwhile.",
        "The loop stayed responsive, but the pool did not run the work in parallel.",
        "The pool did not keep requests flowing: they waited far longer than beside an idle loop.",
    ];
    let rust = rust(|| {
        let (inline, pool) = ("inline current_thread", "rayon");
        Ok(two_step(
            near_idle(r, p, pool, inline, FREED)?,
            parallel(r, p, pool)?,
            Holds::Confirmed,
            Fails::Refined,
            Fails::Contradicted,
            says,
        ))
    });
    let python = python(r, || {
        fair_pool(r, || {
            let inline = "python inline";
            let pickled = sent_whole(r, p, PICKLING_POOL, inline, FREED)?;
            let second = parallel(r, p, FAIR_POOL)?;
            let not_parallel = !second.holds;
            let why = if not_parallel {
                says[1]
            } else {
                "The pool whose workers build their documents freed the loop and ran in parallel, but the pool sent \
                 each whole document did not keep requests flowing: a pool frees the loop only when what it is sent \
                 is small next to the work (a document pickled in the parent holds the parent's GIL)."
            };
            Ok(two_step(
                near_idle(r, p, FAIR_POOL, inline, FREED)?,
                second.and(pickled),
                Holds::Confirmed,
                Fails::Refined,
                Fails::Contradicted,
                ["Both pools kept requests flowing, the fair one in parallel.", why, says[2]],
            ))
        })
    });
    Claim::new("8.11", rust, python)
}

/// Batching "pays" above this many times the throughput of one call per document: a fifth more, beyond the few
/// percent two runs differ by.
const PAYS_LINE: f64 = 1.2;

/// 8.12 "Batch operations": batching must pay at the smallest document, where a hand-off costs about as much as the
/// work it hands off (else contradicted: it did not pay even there); it pays everywhere if it pays at the judged
/// size too (confirmed), else only where the per-call cost matters (refined). Both points are fixed by the params.
/// The evidence puts each size's hand-off beside its work: per document, one call each against the work inline.
pub(super) fn rule_8_12(p: &Params, r: &LabResult) -> Result<Claim> {
    let judge = |batched: &str, single: &str, inline: &str| -> Result<Finding> {
        let (small, big) = (smallest(p), judged(p));
        // What a hand-off costs next to the work, per document: one call per document against the work alone.
        let per_doc = |name: &str, s: f64| -> Result<f64> { Ok(s / (r.value(name, "mb_per_s", s)? * 1e6) * 1e3) };
        let handoff = |s: f64, alone: &str| -> Result<String> {
            let (one, work) = (per_doc(single, s)?, per_doc(inline, s)?);
            Ok(format!(
                "{} against {}{alone} ({:.1}x) at {s:.0} bytes",
                fmt_ms(one),
                fmt_ms(work),
                one / work.max(1e-9)
            ))
        };
        let sizes = format!(
            "Per document, a call each took {}, and {}.",
            handoff(small, " for the work alone, inline")?,
            handoff(big, "")?
        );
        let gain =
            |s: f64| -> Result<(f64, f64)> { Ok((r.value(batched, "mb_per_s", s)?, r.value(single, "mb_per_s", s)?)) };
        let ((a, b), (c, d)) = (gain(small)?, gain(big)?);
        Ok(two_step(
            BATCH_GAIN.above(
                r,
                &format!("MB/s, {batched} / {single} at {small:.0} bytes, the smallest document ({a:.1} / {b:.1})"),
                a / b,
                PAYS_LINE,
            ),
            BATCH_GAIN_JUDGED.above(r, &format!("at {big:.0} bytes ({c:.1} / {d:.1})"), c / d, PAYS_LINE),
            Holds::Confirmed,
            Fails::Refined,
            Fails::Contradicted,
            [
                "Fewer hand-offs paid at both ends of the sweep.",
                "Batching paid where each document is small and a call's fixed cost is a large part of the work, and \
                 not where the document dwarfs the hand-off: it pays only where the per-call cost dominates.",
                "Batching did not pay even where each call's fixed cost matters most.",
            ],
        )
        .then(format!("{} documents per call. {sizes}", p.batch)))
    };
    let rust = rust(|| judge("batched", "spawn_blocking", "inline current_thread"));
    Claim::new("8.12", rust, python(r, || judge("python batched", "python processes", "python inline")))
}
