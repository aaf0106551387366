//! Question 8's claims and headline: a pure function of a result (its params and series).

use super::*;
use crate::result::{Claim, LabResult, Verdict};
use crate::units::{fmt_ms, or_not_run};

pub fn headline(p: &Params, r: &LabResult) -> Result<String> {
    let big = p.doc_bytes.iter().copied().max().unwrap_or(0) as f64;
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
    let big = p.doc_bytes.iter().copied().max().unwrap_or(0) as f64;
    let small = p.doc_bytes.iter().copied().min().unwrap_or(0) as f64;
    let v = |name: &str, y: &str, x: f64| r.value(name, y, x);
    let opt = |name: &str, y: &str, x: f64| r.value(name, y, x).ok();
    let f = |o: Option<f64>, unit: &str| or_not_run(o, |x| format!("{x:.2}{unit}"));
    let fm = |o: Option<f64>| or_not_run(o, fmt_ms);
    let ms_doc = |name: &str, x: f64| -> Result<f64> {
        Ok(v(name, "wall_s", x)? * 1000.0 * v(name, "cores_busy", x)?.max(1.0) / p.tasks as f64)
    };
    let one_big = v("one document", "serialize_ms", big)?;
    let one_small = v("one document", "serialize_ms", small)?;
    let inline_lag_big = v("inline current_thread", "lag_max_ms", big)?;
    let inline_lag_small = v("inline current_thread", "lag_max_ms", small)?;
    let inline_p99 = v("inline current_thread", "lag_p99_ms", big)?;
    let sb_p99 = v("spawn_blocking", "lag_p99_ms", big)?;
    let rayon_p99 = v("rayon", "lag_p99_ms", big)?;
    let ping_small = v("inline current_thread", "ping_p99_ms", small)?;
    let ping_big = v("inline current_thread", "ping_p99_ms", big)?;
    let sb_busy = v("spawn_blocking", "cores_busy", big)?;
    let cores = r.machine.cores;
    let mut out = vec![Claim::new(
        "8.1",
        Verdict::Confirmed,
        format!(
            "Serializing one document took {} at {small:.0} bytes and {} at {big:.0} bytes (serde_json), {} per \
             document in Python at {big:.0} bytes: CPU time grows in step with the size.",
            fmt_ms(one_small),
            fmt_ms(one_big),
            fm(ms_doc("python inline", big).ok())
        ),
    )?];
    out.push(Claim::new(
        "8.2",
        Verdict::PythonOnly,
        format!(
            "Python: json.dumps on asyncio.to_thread kept {} cores busy (no parallelism: the GIL is held for the \
             whole call) and the loop's heartbeat still waited up to {}. Rust has no GIL: the same work on \
             spawn_blocking kept {sb_busy:.2} of {cores} cores busy.",
            f(opt("python to_thread", "cores_busy", big), ""),
            fm(opt("python to_thread", "lag_max_ms", big))
        ),
    )?);
    out.push(Claim::new(
        "8.3",
        Verdict::Confirmed,
        format!(
            "The heartbeat on the loop that serializes inline waited up to {} with {small:.0}-byte documents and \
             {} with {big:.0}-byte ones (one document takes {}; {} were ready at once); Python inline: {}.",
            fmt_ms(inline_lag_small),
            fmt_ms(inline_lag_big),
            fmt_ms(one_big),
            p.tasks,
            fm(opt("python inline", "lag_max_ms", big))
        ),
    )?);
    out.push(Claim::new(
        "8.4",
        Verdict::Confirmed,
        format!(
            "A light ping task waited (p99) {} to run beside {small:.0}-byte serializations and {} beside \
             {big:.0}-byte ones, inline; {} with spawn_blocking; Python inline {}, processes {}.",
            fmt_ms(ping_small),
            fmt_ms(ping_big),
            fmt_ms(v("spawn_blocking", "ping_p99_ms", big)?),
            fm(opt("python inline", "ping_p99_ms", big)),
            fm(opt("python processes", "ping_p99_ms", big))
        ),
    )?);
    // The tail shows where blocking is intermittent: judge at the size with the largest p99 / p50.
    let (tail_x, p50, p99) = p
        .doc_bytes
        .iter()
        .filter_map(|&b| {
            let x = b as f64;
            Some((
                x,
                v("inline current_thread", "lag_p50_ms", x).ok()?,
                v("inline current_thread", "lag_p99_ms", x).ok()?,
            ))
        })
        .max_by(|a, b| (a.2 / a.1.max(1e-3)).total_cmp(&(b.2 / b.1.max(1e-3))))
        .unwrap_or((big, 0.0, 0.0));
    out.push(Claim::new(
        "8.5",
        if p99 > 5.0 * p50.max(0.001) { Verdict::Confirmed } else { Verdict::Refined },
        format!(
            "Inline at {tail_x:.0}-byte documents the heartbeat's median lateness was {} but its p99 {}: most \
             wake-ups are on time, the ones that queue behind serializations wait for all of them. At \
             {big:.0} bytes the loop is blocked for the whole run, so even the median is {}.",
            fmt_ms(p50),
            fmt_ms(p99),
            fmt_ms(v("inline current_thread", "lag_p50_ms", big)?)
        ),
    )?);
    let docs_small = v("inline current_thread", "docs_per_s", small)?;
    let docs_big = v("inline current_thread", "docs_per_s", big)?;
    let mbs_small = v("inline current_thread", "mb_per_s", small)?;
    let mbs_big = v("inline current_thread", "mb_per_s", big)?;
    out.push(Claim::new(
        "8.6",
        Verdict::Refined,
        format!(
            "Documents per second fell from {docs_small:.0} to {docs_big:.1} as documents grew {:.0}x, while bytes \
             per second stayed {mbs_small:.0} -> {mbs_big:.0} MB/s: the serializer's throughput does not drop, \
             each request simply carries more work — and while it runs on the loop, nothing else gets through \
             (8.4).",
            big / small
        ),
    )?);
    let rss_ct = v("inline current_thread", "peak_rss_mb", big)?;
    let rss_sb = v("spawn_blocking", "peak_rss_mb", big)?;
    out.push(Claim::new(
        "8.7",
        Verdict::Confirmed,
        format!(
            "Peak RSS at {small:.0} bytes: {:.0} MiB; at {big:.0} bytes: {rss_ct:.0} MiB serializing one at a time \
             and {rss_sb:.0} MiB on spawn_blocking, where all {} output strings are alive at once; Python \
             inline {} MiB.",
            v("inline current_thread", "peak_rss_mb", small)?,
            p.tasks,
            or_not_run(opt("python inline", "peak_rss_mb", big), |m| format!("{m:.0}"))
        ),
    )?);
    out.push(Claim::new(
        "8.8",
        Verdict::Refined,
        format!(
            "CPython's json.dumps runs in C (the _json accelerator), not in Python bytecode, but it does not \
             release the GIL: on to_thread it kept {} cores busy and ran at {} MB/s against {} inline. So the \
             conclusion holds for Python, for a different reason; Rust's serde_json ran at {mbs_big:.0} MB/s per \
             thread and {:.0} MB/s on rayon.",
            f(opt("python to_thread", "cores_busy", big), ""),
            f(opt("python to_thread", "mb_per_s", big), ""),
            f(opt("python inline", "mb_per_s", big), ""),
            v("rayon", "mb_per_s", big)?
        ),
    )?);
    out.push(Claim::new(
        "8.9",
        Verdict::Refined,
        format!(
            "Only while the work runs on the loop: inline, a ping waited {} (p99); with the same work on \
             spawn_blocking {} and rayon {}, Python processes {}. Async keeps its advantage for the waiting \
             part if the CPU part goes elsewhere.",
            fmt_ms(ping_big),
            fmt_ms(v("spawn_blocking", "ping_p99_ms", big)?),
            fmt_ms(v("rayon", "ping_p99_ms", big)?),
            fm(opt("python processes", "ping_p99_ms", big))
        ),
    )?);
    let py_mbs = opt("python inline", "mb_per_s", big);
    out.push(Claim::new(
        "8.10",
        Verdict::Refined,
        format!(
            "Native code helps twice only if it also releases the GIL: json.dumps is already C ({} MB/s) and \
             still serializes the program. serde_json, native and GIL-free, ran at {mbs_big:.0} MB/s on one \
             thread ({}x json.dumps) and scales over cores.",
            f(py_mbs, ""),
            py_mbs.map_or("n/a".into(), |m| format!("{:.1}", mbs_big / m))
        ),
    )?);
    out.push(Claim::new(
        "8.11",
        if sb_p99 <= 10.0 && rayon_p99 <= 10.0 { Verdict::Confirmed } else { Verdict::Refined },
        format!(
            "Heartbeat p99 at {big:.0} bytes: inline {}, spawn_blocking {}, rayon {} ({:.0} and {:.0} MB/s); \
             Python inline {}, processes {} ({} MB/s after pickling every document to a worker).",
            fmt_ms(inline_p99),
            fmt_ms(sb_p99),
            fmt_ms(rayon_p99),
            v("spawn_blocking", "mb_per_s", big)?,
            v("rayon", "mb_per_s", big)?,
            fm(opt("python inline", "lag_p99_ms", big)),
            fm(opt("python processes", "lag_p99_ms", big)),
            f(opt("python processes", "mb_per_s", big), "")
        ),
    )?);
    let b = v("batched", "mb_per_s", big)?;
    let sb = v("spawn_blocking", "mb_per_s", big)?;
    let b_small = v("batched", "mb_per_s", small)?;
    let sb_small = v("spawn_blocking", "mb_per_s", small)?;
    out.push(Claim::new(
        "8.12",
        if b_small > sb_small { Verdict::Confirmed } else { Verdict::Refined },
        format!(
            "{} documents per spawn_blocking call: {b_small:.0} MB/s against {sb_small:.0} MB/s one by one at \
             {small:.0} bytes, where hand-offs cost as much as the work; {b:.0} against {sb:.0} MB/s at {big:.0} \
             bytes, where they do not. Python, batches to the process pool: {} vs {} MB/s at {small:.0} bytes.",
            p.batch,
            f(opt("python batched", "mb_per_s", small), ""),
            f(opt("python processes", "mb_per_s", small), "")
        ),
    )?);
    Ok(out)
}
