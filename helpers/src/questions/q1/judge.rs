//! Question 1's claims and headline: a pure function of a result (its params and series).

use super::*;
use crate::result::{Claim, LabResult, Verdict};
use crate::units::or_not_run;

pub fn headline(p: &Params, r: &LabResult) -> Result<String> {
    let x = p.jobs as f64;
    let mut parts = Vec::new();
    for name in ["tokio current_thread", "tokio multi_thread", "python asyncio", "python processes"] {
        if let Ok(v) = r.value(name, "speedup", x) {
            parts.push(format!("{name} {v:.2}x"));
        }
    }
    Ok(format!(
        "{} jobs x {} ms, speed-up over sequential on {}: {}",
        p.jobs,
        p.job_ms,
        r.machine.cores_label(),
        parts.join(", ")
    ))
}

pub fn claims(p: &Params, r: &LabResult) -> Result<Vec<Claim>> {
    let x = p.jobs as f64;
    let v = |name: &str, y: &str| r.value(name, y, x);
    let cores = r.machine.cores;
    let job = v("sequential", "wall_s")? / p.jobs as f64;
    let ct_speed = v("tokio current_thread", "speedup")?;
    let ct_busy = v("tokio current_thread", "cores_busy")?;
    let mt_speed = v("tokio multi_thread", "speedup")?;
    let mt_busy = v("tokio multi_thread", "cores_busy")?;
    let ct_lag = v("tokio current_thread", "lag_max_ms")?;
    let mt_lag = v("tokio multi_thread", "lag_max_ms")?;
    let sb_lag = v("spawn_blocking", "lag_p99_ms")?;
    let sb_speed = v("spawn_blocking", "speedup")?;
    let y_lag = v("tokio yield_now", "lag_p99_ms")?;
    let y_speed = v("tokio yield_now", "speedup")?;
    let ct_p99 = v("tokio current_thread", "lag_p99_ms")?;
    let py_async = v("python asyncio", "speedup").ok();
    let py_async_lag = v("python asyncio", "lag_max_ms").ok();
    let py_proc = v("python processes", "speedup").ok();
    let py_thread = v("python to_thread", "speedup").ok();
    let fmt_opt = |o: Option<f64>, unit: &str| or_not_run(o, |x| format!("{x:.2}{unit}"));

    let mut out = vec![Claim::new(
        "1.1",
        if ct_speed < 1.2 && mt_speed > 1.3 { Verdict::Refined } else { Verdict::Confirmed },
        format!(
            "On one event loop async bought nothing: tokio current_thread ran {} jobs of {:.0} ms at {ct_speed:.2}x \
             the sequential speed ({ct_busy:.2} cores busy), Python asyncio at {}. But async is not tied to \
             one thread in Rust: tokio's multi_thread runtime ran the same async tasks at {mt_speed:.2}x \
             ({mt_busy:.2} cores busy of {cores}) — parallel CPU work, paid for with a loop that answered \
             nothing for {mt_lag:.0} ms.",
            p.jobs,
            job * 1000.0,
            fmt_opt(py_async, "x"),
        ),
    )?];
    out.push(Claim::new(
        "1.2",
        Verdict::Confirmed,
        format!(
            "The same jobs with a yield_now().await every {} µs kept the heartbeat's p99 lateness at \
             {y_lag:.1} ms (against {ct_p99:.0} ms without yields) at a speed of {y_speed:.2}x sequential: the \
             loop can only switch where a task cooperates.",
            p.yield_every_us
        ),
    )?);
    out.push(Claim::new(
        "1.3",
        Verdict::Confirmed,
        format!(
            "Without an await inside the job, a 1 ms heartbeat on the same tokio loop woke {ct_lag:.0} ms late \
             ({:.1} jobs' worth: all {} jobs were ready at once and ran back to back before the loop looked at \
             its timers again); Python asyncio: {}.",
            ct_lag / (job * 1000.0),
            p.jobs,
            fmt_opt(py_async_lag, " ms")
        ),
    )?);
    out.push(Claim::new(
        "1.4",
        Verdict::Confirmed,
        format!(
            "The job is a loop of integer arithmetic ({:.0} ms here): nothing in it waits, so nothing in it \
             awaits. Adding await points by hand (yield_now) is possible and measured in 1.2.",
            job * 1000.0
        ),
    )?);
    out.push(Claim::new(
        "1.5",
        Verdict::Confirmed,
        format!(
            "Heartbeat lateness, worst case: {ct_lag:.0} ms with the jobs on the loop (current_thread), \
             {mt_lag:.0} ms on multi_thread (every worker busy), p99 {sb_lag:.1} ms with the jobs moved to \
             spawn_blocking (which also ran at {sb_speed:.2}x). Offloading is the fix in Rust as in Python."
        ),
    )?);
    out.push(Claim::new(
        "1.6",
        // Python-only where Rust's async reached CPU parallelism; on one core nothing can, so the claim holds.
        if mt_speed >= 1.4 { Verdict::PythonOnly } else { Verdict::Confirmed },
        format!(
            "Python: asyncio {}, to_thread {} (the GIL lets one thread compute at a time), ProcessPoolExecutor \
             {} sequential speed. Rust: async tasks on tokio's multi_thread runtime reached {mt_speed:.2}x on \
             {cores} core(s), because tokio's workers are real threads and Rust has no GIL; the limit there is \
             the cores, and the cost is a starved loop.",
            fmt_opt(py_async, "x"),
            fmt_opt(py_thread, "x"),
            fmt_opt(py_proc, "x"),
        ),
    )?);
    Ok(out)
}
