//! 4.3 and 4.8, the answered requests' latency (from submission: the caller's wait, the permit included) with
//! timeouts counted as failures (4.4), not as latency; and 4.5, "possible crash", judged in both languages on the
//! same program: the notes' asyncio.gather without return_exceptions, and its tokio twin.

use super::*;
use crate::units::Unit;

/// Answered requests' latency from submission, without a limit over with the bounded run's.
const ANSWERED_P50: Quantity =
    Quantity::new("q4: answered requests' p50 from submission, no limit / bounded", Unit::Ratio);
const ANSWERED_P99: Quantity =
    Quantity::new("q4: answered requests' p99 from submission, no limit / bounded", Unit::Ratio);
/// Service time (from the permit to the answer), without a limit over with it.
const SERVICE_P50: Quantity = Quantity::new("q4: service p50 (after the permit), no limit / bounded", Unit::Ratio);
const SERVICE_P99: Quantity = Quantity::new("q4: service p99 (after the permit), no limit / bounded", Unit::Ratio);
/// The notes' program raised: an error escaped gather.
const RAISED: Quantity = Quantity::new("q4: the notes' program (gather) raised, no limit", Unit::Count);

/// Latency "increases" when a quantile without a limit is at least this many times the bounded run's.
const INCREASED: f64 = 2.0;

/// "Increased latency" (p50) and "increased tail latency" (p99): the answered requests' latency from submission,
/// without a limit against the bounded run, at least doubled (confirmed); else their service time alone (after the
/// permit) at least doubled (refined: each answer took longer to serve, but the caller no longer queued for a
/// permit, so its wait moved rather than grew); else contradicted. Timed-out requests are failures (4.4), not
/// latencies; without a limit no answered request can wait longer than the timeout, which the evidence says.
fn latency_rule(p: &Params, c: &Client, q: f64, name: &str, quantities: [Quantity; 2]) -> Result<Finding> {
    let Some(pr) = pair(p) else { return Ok(no_pair(p)) };
    let pct = (q * 100.0).round() as u32;
    let (ok_u, ok_b) = (c.v("ok", pr.unlimited)?, c.v("ok", pr.bounded)?);
    if ok_u == 0.0 || ok_b == 0.0 {
        return Ok(Finding::not_measured(format!(
            "{} answered none of the requests in one of the runs ({ok_u:.0} without a limit, {ok_b:.0} with it): no \
             latency to compare; the failures are 4.4's.",
            c.label
        )));
    }
    let (unlimited, bounded) = (run_name(pr.unlimited, p), run_name(pr.bounded, p));
    let at = |y: &str, x: f64| c.v(&format!("{y}_p{pct}_ms"), x);
    let (au, ab) = (at("answered", pr.unlimited)?, at("answered", pr.bounded)?);
    let (su, sb) = (at("service", pr.unlimited)?, at("service", pr.bounded)?);
    let from_submission = quantities[0].above(
        c.r,
        &format!(
            "{} {name} latency of the answered requests from submission, {unlimited} ({} of {}) / {bounded} ({} of \
             {})",
            c.label,
            fmt_ms(au),
            count(ok_u),
            fmt_ms(ab),
            count(ok_b)
        ),
        au / ab.max(1e-3),
        INCREASED,
    );
    let service = quantities[1].above(
        c.r,
        &format!("their {name} service time alone (from the permit), {} / {}", fmt_ms(su), fmt_ms(sb)),
        su / sb.max(1e-3),
        INCREASED,
    );
    let finding = grade(
        from_submission,
        service,
        [
            "Without a limit the answered requests waited longer from submission than behind it.",
            "Each answer took longer to serve without a limit (the server's queue), but the caller no longer waited \
             for a permit first: from submission, the wait moved rather than grew.",
            "Neither the caller's wait nor the service time grew without a limit.",
        ],
    );
    let failed = c.v("timeouts", pr.unlimited)?;
    let share = failed / p.requests as f64;
    // Where more than 1 - q of the requests got no answer, the caller's q quantile is a failure, not a latency.
    let tail = if share > 1.0 - q {
        format!(
            " Beyond the {:.0}th percentile no answer came at all: counted over every request, the {name} is a \
             failure.",
            (1.0 - share) * 100.0
        )
    } else {
        String::new()
    };
    Ok(finding.then(format!(
        "Counted apart, as failures (4.4): {failed:.0} of the {} requests timed out {unlimited}.{tail} The timeout \
         ({} ms) sits around the request, inside the permit: without a limit no answered request could wait longer.",
        p.requests, p.timeout_ms
    )))
}

pub(super) fn rule_4_3(p: &Params, c: &Client) -> Result<Finding> {
    latency_rule(p, c, 0.5, "median", [ANSWERED_P50, SERVICE_P50])
}

pub(super) fn rule_4_8(p: &Params, c: &Client) -> Result<Finding> {
    latency_rule(p, c, 0.99, "p99", [ANSWERED_P99, SERVICE_P99])
}

/// What the notes' program did in one run (`gather_*`, both clients).
struct Gather {
    raised: f64,
    /// The twin's code: 0 none, 1 a timeout, 2 an OS error, 3 another error, -1 still running at its budget.
    error: f64,
    errno: f64,
    after_ms: f64,
    unfinished: f64,
    left_running: f64,
}

impl Gather {
    /// None when the result has no such run (a result made before this client ran the notes' program).
    fn read(c: &Client, x: f64) -> Result<Option<Gather>> {
        let Ok(raised) = c.v("gather_raised", x) else { return Ok(None) };
        let v = |y: &str| c.v(y, x);
        Ok(Some(Gather {
            raised,
            error: v("gather_error")?,
            errno: v("gather_errno")?,
            after_ms: v("gather_after_ms")?,
            unfinished: v("gather_unfinished")?,
            left_running: v("gather_left_running")?,
        }))
    }

    /// "raised a timeout after 272 ms with 343 requests unfinished", "returned", "still running after 1.0 s".
    fn outcome(&self, c: &Client) -> String {
        if self.raised > 0.0 {
            let (what, after) = (error_name(c.name, self.error, self.errno), fmt_ms(self.after_ms));
            format!("raised {what} after {after} with {:.0} requests unfinished", self.unfinished)
        } else if self.error < 0.0 {
            format!("was still running after its budget ({})", fmt_ms(self.after_ms))
        } else {
            "returned: no request failed".into()
        }
    }
}

/// "Possible crash", judged in both languages on the same program: every request at once, no limit, awaited by a
/// gather that lets the first error escape (asyncio.gather without return_exceptions; its tokio twin awaits a
/// JoinSet and returns the first error with `?`). What "crash" means here: the error escapes the program's main
/// function, so the program ends with an error status; the process is not killed. Judged at the run without a
/// limit under the machine's own open-files limit (the notes' program as written); the run under the lowered
/// limit is told beside it.
pub(super) fn rule_4_5(p: &Params, c: &Client) -> Result<Finding> {
    let Some(g) = Gather::read(c, NONE)? else {
        return Ok(Finding::not_measured(format!(
            "This result has no run of the notes' program for {} (an older result).",
            c.label
        )));
    };
    if g.raised == 0.0 && g.error < 0.0 {
        return Ok(Finding::not_measured(format!(
            "The notes' program ({}, no limit) {}: it neither ended nor raised.",
            program(c),
            g.outcome(c)
        )));
    }
    let what = format!("The notes' program ({}) with no limit: the error that escaped", program(c));
    let cleanup = if c.name == "tokio" {
        "dropping them aborts them (the runtime's shutdown)"
    } else {
        "asyncio.run cancels them at exit"
    };
    let finding = RAISED.above(c.r, &what, g.raised, 0.0).confirm(
        &format!(
            "It {}: the error escapes gather and ends the program, which exits with an error status (the process is \
             not killed). The requests still in flight do not run on: {cleanup}.",
            g.outcome(c)
        ),
        "Gather returned: no request failed, so nothing escaped.",
    );
    let cleaned = format!("After the clean-up {:.0} requests were still running.", g.left_running);
    let lowered = match (p.nofile, Gather::read(c, UNDER_NOFILE)?) {
        (Some(n), Some(o)) => format!(" Under the lab's lowered open-files limit of {n}, it {}.", o.outcome(c)),
        _ => String::new(),
    };
    Ok(finding.then(cleaned).then(lowered))
}

/// The notes' program in the client's language.
fn program(c: &Client) -> &'static str {
    if c.name == "tokio" {
        "every request spawned at once, a JoinSet awaited until the first error, returned with `?`"
    } else {
        "asyncio.gather without return_exceptions"
    }
}
