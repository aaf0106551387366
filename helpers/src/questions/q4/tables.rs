//! The notebook's tables: the numbers its prose talks about, printed from the run rather than typed in.

use super::*;
use crate::display::{CELL, TABLE};
use crate::units::{fmt_ms, fmt_s};

/// One HTML table: a header row and body rows, each cell escaped.
fn table(header: &[&str], rows: &[Vec<String>]) -> Html {
    let cell = |tag: &str, s: &str| format!("<{tag} style=\"{CELL}\">{}</{tag}>", Html::escape(s));
    let head: String = header.iter().map(|h| cell("th", h)).collect();
    let body: String =
        rows.iter().map(|r| format!("<tr>{}</tr>", r.iter().map(|c| cell("td", c)).collect::<String>())).collect();
    Html(format!("<table style=\"{TABLE}\"><tr>{head}</tr>{body}</table>"))
}

/// Per client and limit: the whole run's wall time, latency from submission and service time (p50, p99), and how
/// many requests were answered or timed out.
pub fn timings(r: &LabResult) -> Result<Html> {
    let nofile = r.params.get("nofile").and_then(|v| v.as_u64());
    let xs: Vec<f64> = r.series("tokio", "ok").map(|s| s.points.iter().map(|p| p[0]).collect()).unwrap_or_default();
    let mut rows = Vec::new();
    for client in ["tokio", "python"] {
        for &x in &xs {
            let v = |y: &str| r.value(client, y, x);
            let Ok(wall) = v("wall_s") else { continue };
            // A run with no answer has no service time, and none from submission without a timeout either.
            let answered = v("ok")? > 0.0;
            let timed = answered || v("timeouts")? > 0.0;
            let ms = |y: &str, has: bool| -> Result<String> { Ok(if has { fmt_ms(v(y)?) } else { "-".into() }) };
            rows.push(vec![
                client.to_string(),
                limit_label(x, nofile),
                fmt_s(wall),
                ms("from_submit_p50_ms", timed)?,
                ms("from_submit_p99_ms", timed)?,
                ms("service_p50_ms", answered)?,
                ms("service_p99_ms", answered)?,
                format!("{:.0}", v("ok")?),
                format!("{:.0}", v("timeouts")?),
            ]);
        }
    }
    if rows.is_empty() {
        return Err(LabError::other("q4: this result has no client runs to tabulate"));
    }
    let header = [
        "client",
        "limit",
        "wall time",
        "p50 from submission",
        "p99 from submission",
        "p50 service",
        "p99 service",
        "ok",
        "timeouts",
    ];
    Ok(table(&header, &rows))
}

/// Per client and limit: what the run cost the server and what came of it. Answers received, requests served after
/// their client had gone, the pool time each took, the server's time on the run and the goodput.
pub fn goodput_table(r: &LabResult) -> Result<Html> {
    let nofile = r.params.get("nofile").and_then(|v| v.as_u64());
    let xs: Vec<f64> = r.series("tokio", "ok").map(|s| s.points.iter().map(|p| p[0]).collect()).unwrap_or_default();
    let mut rows = Vec::new();
    for client in ["tokio", "python"] {
        for &x in &xs {
            let v = |y: &str| r.value(client, y, x);
            let Ok(goodput) = v("goodput_per_s") else { continue };
            rows.push(vec![
                client.to_string(),
                limit_label(x, nofile),
                format!("{:.0}", v("ok")?),
                format!("{:.0}", v("server_served_gone")?),
                fmt_s(v("server_useful_s")?),
                fmt_s(v("server_wasted_s")?),
                fmt_s(v("server_span_s")?),
                format!("{goodput:.0}/s"),
            ]);
        }
    }
    if rows.is_empty() {
        return Err(LabError::other("q4: this result has no goodput series (a result from an older lab?)"));
    }
    let header = [
        "client",
        "limit",
        "answers received",
        "served for clients gone",
        "pool time, useful",
        "pool time, wasted",
        "server's time on the run",
        "goodput",
    ];
    Ok(table(&header, &rows))
}

/// The exception `q4_client.py` reported by code (its ERRORS): the judge and this table name it alike.
pub(crate) fn exception_name(code: f64, errno: f64) -> String {
    match code as i64 {
        0 => "none".into(),
        1 => "TimeoutError".into(),
        2 if errno > 0.0 => format!("OSError ({})", std::io::Error::from_raw_os_error(errno as i32)),
        2 => "OSError".into(),
        -1 => "none: still running at its budget".into(),
        _ => "another exception".into(),
    }
}

/// The error that escaped the notes' program, by the code both clients report, in the client's own words.
pub(crate) fn error_name(client: &str, code: f64, errno: f64) -> String {
    match (client, code as i64) {
        ("tokio", 1) => "a timeout (tokio::time::error::Elapsed)".into(),
        ("tokio", 2) if errno > 0.0 => format!("an io::Error ({})", std::io::Error::from_raw_os_error(errno as i32)),
        ("tokio", 2) => "an io::Error".into(),
        ("tokio", 0) => "none".into(),
        ("tokio", -1) => "none: still running at its budget".into(),
        ("tokio", _) => "another error".into(),
        _ => exception_name(code, errno),
    }
}

/// What the notes' own program (every request at once, no limit, a gather that lets the first error escape) did
/// in each of its runs, tokio's and asyncio's.
pub fn notes_program_table(r: &LabResult) -> Result<Html> {
    let nofile = r.params.get("nofile").and_then(|v| v.as_u64());
    let mut rows = Vec::new();
    for (client, label) in [("tokio", "tokio (JoinSet, first error returned with ?)"), ("python", "asyncio.gather")] {
        let xs: Vec<f64> =
            r.series(client, "gather_raised").map(|s| s.points.iter().map(|p| p[0]).collect()).unwrap_or_default();
        for x in xs {
            let v = |y: &str| r.value(client, y, x);
            rows.push(vec![
                label.to_string(),
                limit_label(x, nofile),
                if v("gather_raised")? > 0.0 { "yes" } else { "no" }.to_string(),
                error_name(client, v("gather_error")?, v("gather_errno")?),
                fmt_ms(v("gather_after_ms")?),
                format!("{:.0}", v("gather_answered")?),
                format!("{:.0}", v("gather_unfinished")?),
                format!("{:.0}", v("gather_left_running")?),
            ]);
        }
    }
    if rows.is_empty() {
        return Err(LabError::other("q4: this result has no run of the notes' program"));
    }
    let header = [
        "program",
        "limit",
        "an error escaped",
        "error",
        "after",
        "answered by then",
        "unfinished then (cancelled at exit)",
        "still running after clean-up",
    ];
    Ok(table(&header, &rows))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::judging::fixture::{result, set};
    use serde_json::json;

    #[test]
    fn the_tables_print_the_runs_numbers_and_name_the_exception() {
        let mut r = result("q4", json!({"nofile": 256}));
        let ys = ["ok", "timeouts", "wall_s", "from_submit_p50_ms", "from_submit_p99_ms", "service_p50_ms"];
        for (k, y) in ys.iter().enumerate() {
            set(&mut r, "tokio", "limit", y, 50.0, 10.0 * (k + 1) as f64);
        }
        // A run without its service time is an error naming the series, not a panic.
        assert!(timings(&r).unwrap_err().message.contains("service_p99_ms"));
        set(&mut r, "tokio", "limit", "service_p99_ms", 50.0, 70.0);
        let t = timings(&r).unwrap().0;
        assert!(t.contains(&format!("<td style=\"{CELL}\">30.00 s</td>")), "{t}");
        assert!(notes_program_table(&r).is_err(), "no notes' program in this result");
        for (y, v) in [("gather_raised", 1.0), ("gather_error", 2.0), ("gather_errno", 24.0), ("gather_after_ms", 5.0)]
        {
            set(&mut r, "python", "limit", y, -1.0, v);
        }
        for y in ["gather_answered", "gather_unfinished", "gather_left_running"] {
            set(&mut r, "python", "limit", y, -1.0, 0.0);
        }
        let t = notes_program_table(&r).unwrap().0;
        assert!(t.contains("nofile 256") && t.contains("OSError (Too many open files (os error 24))"), "{t}");
        for (y, v) in [("gather_raised", 1.0), ("gather_error", 1.0), ("gather_errno", 0.0), ("gather_after_ms", 254.0)]
        {
            set(&mut r, "tokio", "limit", y, 0.0, v);
        }
        for y in ["gather_answered", "gather_unfinished", "gather_left_running"] {
            set(&mut r, "tokio", "limit", y, 0.0, 0.0);
        }
        let t = notes_program_table(&r).unwrap().0;
        assert!(t.contains("tokio (JoinSet") && t.contains("a timeout (tokio::time::error::Elapsed)"), "{t}");
    }
}
