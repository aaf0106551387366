//! 4.3 and 4.8, latency from submission (the caller's wait, the permit included), and 4.5, "possible crash",
//! which for Python reads what the notes' own program did (asyncio.gather without return_exceptions).

use super::*;
use crate::judging::legacy::two_step;
use crate::units::fmt_ratio;

/// One quantile of a run's latency from submission.
struct Quantile {
    ms: f64,
    text: String,
    /// It falls among the requests that gave up at the timeout: they count when they gave up, so it is a lower
    /// bound on a wait for an answer that never came.
    gave_up: bool,
}

/// The `q` quantile of `y` (a latency from submission) in the run at `x`. The series counts the answered requests
/// and the timed-out ones at the moment they gave up; when more than 1 - q of those timed out, the quantile sits
/// among them. None when no request got an answer or timed out.
fn quantile(c: &Client, x: f64, y: &str, q: f64) -> Result<Option<Quantile>> {
    let (ok, timeouts) = (c.v("ok", x)?, c.v("timeouts", x)?);
    if ok + timeouts == 0.0 {
        return Ok(None);
    }
    let (ms, timed_out) = (c.v(y, x)?, timeouts / (ok + timeouts));
    let gave_up = timed_out > 1.0 - q;
    let text = if gave_up {
        format!("at least {}: {} gave up at the timeout", fmt_ms(ms), share(timed_out))
    } else {
        fmt_ms(ms)
    };
    Ok(Some(Quantile { ms, text, gave_up }))
}

/// "Increased latency" (p50) and "increased tail latency" (p99), from submission: the quantile without a limit at
/// least twice the bounded run's confirms. Below that, a quantile that fell among requests that gave up at the
/// timeout refines it (the tail turned into timeouts, not slower answers); one that did not contradicts it.
fn latency_rule(p: &Params, c: &Client, q: f64, name: &str) -> Result<Finding> {
    let Some(pr) = pair(p) else { return Ok(no_pair(p)) };
    let pct = (q * 100.0).round() as u32;
    let y = format!("from_submit_p{pct}_ms");
    let (Some(b), Some(u)) = (quantile(c, pr.bounded, &y, q)?, quantile(c, pr.unlimited, &y, q)?) else {
        return Ok(Finding::not_measured("Every request of one of the runs failed before an answer or a timeout."));
    };
    let (unlimited, bounded) = (run_name(pr.unlimited, p), run_name(pr.bounded, p));
    let what = format!(
        "{} {name} latency from submission with {unlimited} ({}) / with {bounded} ({})",
        c.label, u.text, b.text
    );
    let (no, because_no) = if u.gave_up && !b.gave_up {
        (
            Refined,
            format!(
                "Without a limit the {name} request got no answer: it gave up at the {} ms timeout. The wait turned \
                 into timeouts (4.4), not into slower answers.",
                p.timeout_ms
            ),
        )
    } else {
        (
            Contradicted,
            "Counted from submission, the wait moved rather than grew: behind the limit requests queue for a permit, \
             without it in the server's queue."
                .to_string(),
        )
    };
    let finding = above(&what, u.ms / b.ms, 2.0, fmt_ratio).decide(
        Confirmed,
        no,
        "Without a limit the requests wait longer from submission than behind it.",
        &because_no,
    );
    // Service time alone (after the permit) is the clock that hides the wait for a permit: shown, not judged.
    let service = |x: f64| -> Result<String> {
        Ok(if c.v("ok", x)? > 0.0 { fmt_ms(c.v(&format!("service_p{pct}_ms"), x)?) } else { "none answered".into() })
    };
    Ok(finding.then(format!(
        "Service time alone (from the permit to the answer), which leaves out the wait for a permit: {} with \
         {unlimited}, {} with {bounded}. The timeout ({} ms) sits around the request, inside the permit.",
        service(pr.unlimited)?,
        service(pr.bounded)?,
        p.timeout_ms
    )))
}

pub(super) fn rule_4_3(p: &Params, c: &Client) -> Result<Finding> {
    latency_rule(p, c, 0.5, "median")
}

pub(super) fn rule_4_8(p: &Params, c: &Client) -> Result<Finding> {
    latency_rule(p, c, 0.99, "p99")
}

/// "Possible crash". Python, when the result has it: the notes' own program (asyncio.gather without
/// return_exceptions, no limit, plainly and under the lowered open-files limit) crashed if gather raised, and
/// abandoned requests if some were unfinished then. Otherwise (tokio, or an older result): the counting clients.
pub(super) fn rule_4_5(p: &Params, c: &Client) -> Result<Finding> {
    let runs: Vec<Gather> =
        unlimited_xs(p).into_iter().filter_map(|x| Gather::read(c, x).transpose()).collect::<Result<_>>()?;
    if runs.is_empty() {
        return counted(p, c);
    }
    notes_program(p, &runs)
}

/// Where the notes' program may have run: without a limit, and under the lowered open-files limit.
fn unlimited_xs(p: &Params) -> Vec<f64> {
    std::iter::once(NONE).chain(p.nofile.map(|_| UNDER_NOFILE)).collect()
}

/// What the notes' program did in one run (`q4_client.py --variant gather`).
struct Gather {
    x: f64,
    raised: f64,
    /// The twin's code: 0 none, 1 TimeoutError, 2 OSError, 3 another exception, -1 still running at its budget.
    error: f64,
    errno: f64,
    after_ms: f64,
    unfinished: f64,
    left_running: f64,
}

impl Gather {
    /// None when the result has no such run (tokio, or a result made before the notes' program ran).
    fn read(c: &Client, x: f64) -> Result<Option<Gather>> {
        let Ok(raised) = c.v("gather_raised", x) else { return Ok(None) };
        let v = |y: &str| c.v(y, x);
        Ok(Some(Gather {
            x,
            raised,
            error: v("gather_error")?,
            errno: v("gather_errno")?,
            after_ms: v("gather_after_ms")?,
            unfinished: v("gather_unfinished")?,
            left_running: v("gather_left_running")?,
        }))
    }

    /// "raised TimeoutError after 272 ms with 343 unfinished", "returned", "still running after 1.0 s".
    fn outcome(&self) -> String {
        if self.raised > 0.0 {
            let (what, after) = (exception_name(self.error, self.errno), fmt_ms(self.after_ms));
            format!("raised {what} after {after} with {:.0} requests unfinished", self.unfinished)
        } else if self.error < 0.0 {
            format!("was still running after its budget ({})", fmt_ms(self.after_ms))
        } else {
            "returned: no request failed".into()
        }
    }
}

/// Judged on the run that went worst: one that raised with the most requests unfinished, else one that returned.
fn notes_program(p: &Params, runs: &[Gather]) -> Result<Finding> {
    let key = |g: &Gather| (g.raised > 0.0, g.error >= 0.0, g.unfinished);
    // Reversed so that a tie goes to the first run (max_by keeps the last): the plain one, the notes' as written.
    let Some(g) = runs.iter().rev().max_by(|a, b| key(a).partial_cmp(&key(b)).unwrap_or(std::cmp::Ordering::Equal))
    else {
        return Ok(no_pair(p));
    };
    let others: Vec<String> =
        runs.iter().filter(|o| o.x != g.x).map(|o| format!("With {}, it {}.", run_name(o.x, p), o.outcome())).collect();
    if g.raised == 0.0 && g.error < 0.0 {
        return Ok(Finding::not_measured(format!(
            "The notes' program (asyncio.gather, no limit) {}: it neither ended nor raised.",
            g.outcome()
        )));
    }
    let error = exception_name(g.error, g.errno);
    let program = format!("The notes' program (asyncio.gather without return_exceptions) with {}", run_name(g.x, p));
    let finding = two_step(
        above(&format!("{program}: gather raised"), g.raised, 0.0, count),
        above(&format!("requests of the {} still unfinished when it raised", p.requests), g.unfinished, 0.0, count),
        [Confirmed, Refined, Contradicted],
        [
            &format!(
                "It raised {error} after {}: the exception ends the program, and gather does not cancel the \
                 requests still in flight, which run on, abandoned.",
                fmt_ms(g.after_ms)
            ),
            &format!("It raised {error}, but only after the last request ended: it ends the program, abandoning none."),
            "Gather returned: no request failed, so nothing escaped.",
        ],
    );
    let cleanup = format!("The twin then cancelled what was left: {:.0} still running at its end.", g.left_running);
    Ok(finding.then(cleanup).then(others.join(" ")))
}

/// The counting clients: a client that crashed leaves requests without an outcome. Requests that all ended
/// counted, some in errors, are refined: no crash, but errors that would end a program that lets the first one
/// escape. No errors at all contradicts it.
fn counted(p: &Params, c: &Client) -> Result<Finding> {
    let runs = unlimited_runs(p);
    if runs.is_empty() {
        return Ok(no_pair(p));
    }
    let (mut lost, mut errors) = (0.0, 0.0);
    for &x in &runs {
        let v = |y: &str| c.v(y, x);
        let failed = v("timeouts")? + v("conn_errors")? + v("emfile")? + v("addr_not_avail")?;
        lost += p.requests as f64 - (v("ok")? + v("rejected")? + failed);
        errors += failed;
    }
    let names: Vec<String> = runs.iter().map(|&x| run_name(x, p)).collect();
    let lost_what = format!("{} requests without an outcome ({})", c.label, names.join("; "));
    if lost > 0.0 {
        return Ok(above(&lost_what, lost, 0.0, count).decide(
            Confirmed,
            Contradicted,
            "The client stopped before every request ended: a crash, or requests dropped.",
            "",
        ));
    }
    let kept = below(&lost_what, lost, 1.0, count);
    let err_what = "requests that ended in a timeout, a connection error or EMFILE";
    Ok(kept.and(above(err_what, errors, 0.0, count)).decide(
        Refined,
        Contradicted,
        "No crash: the client counted every request, the failures as values. A program that lets the first error \
         escape (asyncio.gather without return_exceptions, unwrap on a failed connect) stops there.",
        "Nothing failed without a limit, so nothing could bring a client down.",
    ))
}
