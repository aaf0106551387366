//! 8.9-8.12, what moving the work off the loop does: async's lost advantage, native code, worker pools,
//! batching. Python's pools are judged on the pool whose workers build their documents (`FAIR_POOL`); the pool
//! that is sent each whole document, pickled in the parent, measures that hand-off and is told beside it.

use super::*;

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

/// 8.9 "So async loses its advantage": with the work inline the requests' p99 must grow (else contradicted); the
/// advantage is lost for good where the work on a pool left it far from an idle loop's (confirmed), and only while
/// the work is on the loop where the pool kept it near (refined).
pub(super) fn rule_8_9(p: &Params, r: &LabResult) -> Result<Claim> {
    let judge = |inline: &str, off: &str, offloaded: &str| -> Result<Finding> {
        Ok(two_step(
            grew(r, p, PING_P99_GREW, inline, "ping_p99_ms", "light request latency (p99)", GREW)?,
            far_from_idle(r, p, off, inline, FREED)?,
            Holds::Confirmed,
            Fails::Refined,
            Fails::Contradicted,
            [
                "Requests waited with the work offloaded too: moving it off the loop did not restore the loop's \
                 responsiveness.",
                &format!(
                    "Async lost its advantage only while the work ran on the loop: {offloaded}, requests were served \
                     while the serializations ran."
                ),
                "Requests beside large documents were served about as fast as beside small ones.",
            ],
        ))
    };
    let rust = rust(|| judge("inline current_thread", "rayon", "offloaded to rayon's pool"));
    let python = python(r, || {
        fair_pool(r, || {
            let offloaded = "offloaded to a pool whose workers build their own documents";
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
pub(super) fn rule_8_12(p: &Params, r: &LabResult) -> Result<Claim> {
    let judge = |batched: &str, single: &str| -> Result<Finding> {
        let (small, big) = (smallest(p), judged(p));
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
        .then(format!("{} documents per call.", p.batch)))
    };
    let rust = rust(|| judge("batched", "spawn_blocking"));
    Claim::new("8.12", rust, python(r, || judge("python batched", "python processes")))
}
