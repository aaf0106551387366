//! Question 9's charts, and the sentences the notebook's prose prints from a run's numbers.

use super::*;
use crate::chart::{lines, stacked_bars, Categories, LineSpec};
use crate::units::fmt_ms;
use plotters::prelude::SeriesLabelPosition as Corner;

/// Runtime and time to spawn vs the number of tasks.
pub fn runtime_chart(r: &LabResult) -> Result<Chart> {
    lines(
        r,
        &LineSpec::new("wall_s", "Runtime (and time to spawn) vs tasks", "tasks (log)", "s (log)")
            .also(&["spawn_s"])
            .names(&[("wall_s", "whole run"), ("spawn_s", "spawning")])
            .log_x()
            .log_y()
            .legend(Corner::UpperLeft),
    )
}

/// Peak resident memory vs the number of tasks; the title says whether the peaks are since each run's reset.
pub fn memory_chart(r: &LabResult) -> Result<Chart> {
    let title = crate::peak::Peak::chart_title(r, "Peak resident memory vs tasks");
    lines(
        r,
        &LineSpec::new("peak_rss_mb", &title, "tasks (log)", "MiB (log)").log_x().log_y().legend(Corner::UpperLeft),
    )
}

/// How late the sleeps woke (p50, p99, max) vs the number of tasks.
pub fn lateness_chart(r: &LabResult) -> Result<Chart> {
    lines(
        r,
        &LineSpec::new("lateness_p99_ms", "How late a 100 ms sleep wakes vs tasks", "tasks (log)", "ms (log)")
            .also(&["lateness_p50_ms", "lateness_max_ms"])
            .names(&[("lateness_p99_ms", "p99"), ("lateness_p50_ms", "p50"), ("lateness_max_ms", "max")])
            .panels(&[("Rust: tokio", &["tokio"]), ("Python: asyncio", &["python"])])
            .log_x()
            .log_y()
            .legend(Corner::UpperLeft),
    )
}

/// Event-loop lag (heartbeat p99) vs the number of tasks.
pub fn lag_chart(r: &LabResult) -> Result<Chart> {
    lines(
        r,
        &LineSpec::new("lag_p99_ms", "Event-loop lag (heartbeat p99) vs tasks", "tasks (log)", "ms (log)")
            .log_x()
            .log_y()
            .legend(Corner::UpperLeft),
    )
}

/// Python's garbage collections per generation vs the number of tasks; the title gives the interpreter's
/// generation-0 threshold where the run recorded it.
pub fn gc_chart(r: &LabResult) -> Result<Chart> {
    let threshold = r.series("python", "gc_threshold0").and_then(|s| s.points.first()).map(|p| p[1]);
    let title = match threshold {
        Some(t) => format!("Python garbage collections during the run (gen-0 threshold {t:.0})"),
        None => "Python garbage collections during the run".to_string(),
    };
    lines(
        r,
        &LineSpec::new("gc_gen0", &title, "tasks (log)", "collections (log)")
            .also(&["gc_gen1", "gc_gen2"])
            .names(&[("gc_gen0", "generation 0"), ("gc_gen1", "generation 1"), ("gc_gen2", "generation 2")])
            .only(&["python"])
            .log_x()
            // Each generation runs about a tenth as often as the one below: on a linear axis the oldest lies flat
            // on zero.
            .log_y()
            .legend(Corner::UpperLeft),
    )
}

/// A result's params, defaults filled in (a result records them all; a hand-made one may not).
fn params_of(r: &LabResult) -> Result<Params> {
    serde_json::from_value(r.params.clone())
        .map_err(|e| LabError::other(format!("q9: this result's params do not parse: {e}")))
}

/// Time Python's collector ran (all generations) and its longest pause vs the number of tasks.
pub fn gc_time_chart(r: &LabResult) -> Result<Chart> {
    lines(
        r,
        &LineSpec::new("gc_ms", "Python: time collecting and the longest pause vs tasks", "tasks (log)", "ms (log)")
            .also(&["gc_max_pause_ms"])
            .names(&[("gc_ms", "time collecting"), ("gc_max_pause_ms", "longest pause")])
            .only(&["python"])
            .log_x()
            .log_y()
            .legend(Corner::UpperLeft),
    )
}

/// Goodput (answers within the client's timeout, per second) and what the server served vs the load offered, with
/// the model min(offered, capacity).
pub fn goodput_chart(r: &LabResult) -> Result<Chart> {
    let c = params_of(r)?.collapse;
    let title = format!(
        "Goodput vs offered load (capacity {:.0}/s, timeout {} ms, {} retries)",
        c.capacity_per_s(),
        c.timeout_ms,
        c.retries
    );
    lines(
        r,
        &LineSpec::new("goodput_per_s", &title, "offered load (requests/s)", "requests/s")
            .also(&["server_served_per_s"])
            .names(&[("goodput_per_s", "goodput"), ("server_served_per_s", "served by the server")])
            .legend(Corner::UpperRight),
    )
}

/// Outcomes of the requests sent all at once: without a limit under the lab's open-files limit, without one under
/// the limit raised above the requests (where it could be), and with the client-side limit. Each category names
/// the open-files limit its clients ran under.
pub fn server_chart(r: &LabResult) -> Result<Chart> {
    let p = params_of(r)?;
    let (limit, tasks) = (p.server_limit as f64, p.server_tasks as f64);
    let nofile = |x: f64| r.value("tokio", "nofile", x).or_else(|_| r.value("python", "nofile", x));
    let label = |x: f64, what: &str| match nofile(x) {
        Ok(n) => format!("{what}, nofile {n:.0}"),
        Err(_) => what.to_string(),
    };
    let raised_run = r.value("tokio", "ok", RAISED).or_else(|_| r.value("python", "ok", RAISED));
    let title = match (raised_run, nofile(RAISED)) {
        (Err(_), Ok(n)) if n < tasks => {
            format!("Requests all at once (the raised-limit run skipped: nofile stays {n:.0})")
        }
        _ => "Requests all at once against the loopback server".to_string(),
    };
    stacked_bars(
        r,
        &["tokio", "python"],
        &[
            ("ok", "ok"),
            ("timeouts", "timeout"),
            ("conn_errors", "connection error"),
            ("emfile", "EMFILE"),
            ("addr_not_avail", "EADDRNOTAVAIL"),
        ],
        &Categories {
            title,
            x_label: "client-side limit, open-files limit".into(),
            y_label: "requests".into(),
            categories: vec![
                (0.0, label(0.0, "none")),
                (RAISED, label(RAISED, "none")),
                (limit, label(limit, &format!("{limit:.0}"))),
            ],
            log_y: false,
        },
    )
}

/// The sentence the notebook's prose prints about the sweep: goodput at capacity and at the highest load, what
/// the server served there, and the retries' extra attempts, per client.
pub fn collapse_numbers(r: &LabResult) -> Result<String> {
    let p = params_of(r)?;
    let Some((at_cap, top)) = p.collapse.points() else {
        return Ok("The offered-load sweep was skipped (collapse.loads is empty).".into());
    };
    let lines: Vec<String> = ["tokio", "python"]
        .iter()
        .filter_map(|name| {
            let v = |y: &str, x: f64| r.value(name, y, x).ok();
            Some(format!(
                "{}: goodput {:.0}/s at {at_cap:.0}/s offered, {:.0}/s at {top:.0}/s offered, while the server served \
                 {:.0}/s and got {:.0} attempts/s (retries included)",
                judge::side(name),
                v("goodput_per_s", at_cap)?,
                v("goodput_per_s", top)?,
                v("server_served_per_s", top)?,
                v("attempts_per_s", top)?
            ))
        })
        .collect();
    if lines.is_empty() {
        return Err(LabError::other("q9: no sweep series (goodput_per_s) in this result"));
    }
    Ok(lines.join("\n"))
}

/// The sentence the notebook's prose prints about the raised open-files limit: the limit each client ran under,
/// and what failed, or why that run was skipped.
pub fn raised_numbers(r: &LabResult) -> Result<String> {
    let tasks = params_of(r)?.server_tasks as f64;
    let lines: Vec<String> = ["tokio", "python"]
        .iter()
        .filter_map(|name| {
            let v = |y: &str| r.value(name, y, RAISED).ok();
            let nofile = v("nofile")?;
            let side = judge::side(name);
            Some(match v("ok") {
                Some(ok) => format!(
                    "{side}: {tasks:.0} requests at once under an open-files limit of {nofile:.0}: {ok:.0} ok, {:.0} \
                     EMFILE, {:.0} EADDRNOTAVAIL, {:.0} timeouts; the server held at most {:.0} connections",
                    v("emfile").unwrap_or(0.0),
                    v("addr_not_avail").unwrap_or(0.0),
                    v("timeouts").unwrap_or(0.0),
                    v("server_max_open").unwrap_or(0.0)
                ),
                None => format!(
                    "{side}: the open-files limit went no higher than {nofile:.0} (wanted {:.0}{}), below the {tasks:.0} \
                     requests: the run was skipped",
                    v("nofile_wanted").unwrap_or(0.0),
                    if v("nofile_refused") == Some(1.0) { "; raising the hard limit was refused" } else { "" }
                ),
            })
        })
        .collect();
    if lines.is_empty() {
        return Ok("No run under a raised open-files limit (raise_nofile: false, or an older result).".into());
    }
    Ok(lines.join("\n"))
}

/// The sentence the notebook's prose prints about the collector: passes, time collecting, its share of the run and
/// the longest pause at each task count.
pub fn gc_numbers(r: &LabResult) -> Result<String> {
    let s = r.series("python", "gc_ms").ok_or_else(|| LabError::other("q9: no series `gc_ms` in this result"))?;
    let lines: Vec<String> = s
        .points
        .iter()
        .filter_map(|&[n, ms]| {
            let v = |y: &str| r.value("python", y, n).ok();
            let passes = v("gc_gen0")? + v("gc_gen1")? + v("gc_gen2")?;
            Some(format!(
                "{n:.0} tasks: {passes:.0} passes, {} collecting, {} of the run, longest pause {}",
                fmt_ms(ms),
                judge::share(ms / 1000.0 / v("wall_s")?.max(1e-9)),
                fmt_ms(v("gc_max_pause_ms")?)
            ))
        })
        .collect();
    Ok(lines.join("\n"))
}
