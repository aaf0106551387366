//! The judging policy's shapes beyond a plain test, one for every question: a cause (the reason tested against
//! the outcome), a mechanism a language lacks (does not apply, its analogue measured), a definition, and the one
//! rule every claim about async and CPU parallelism shares.

use super::test::{Fails, Holds, Quantity, Test};
use super::MISSING;
use crate::claims::{catalogue, Mechanism};
use crate::error::{LabError, Result};
use crate::result::{LabResult, Machine};
use crate::units::Unit;
use crate::verdict_types::{Decision, Finding, Rule, Verdict};

/// Where the notes give X as the reason for Y: `fact` (X, already decided) must hold, and `explains` (a test
/// that X accounts for Y: a control where X holds too, or where X is absent) decides whether it is the reason.
/// X false: the fact's verdict (contradicted). X true and the reason: confirmed. X true but not the reason:
/// refined, "true, but not why". A fact only refined stays refined, with the explanation's test beside it.
pub fn cause(fact: Finding, explains: Test, because_yes: &str, because_no: &str) -> Finding {
    let as_cause = |mut f: Finding| {
        if let Some(d) = f.decision.as_mut() {
            if d.rule == Rule::Test {
                d.rule = Rule::Cause;
            }
        }
        f
    };
    // The fact's own verdict word becomes "true" / "true in part": the claim's verdict is named once, at the end.
    let relabel =
        |f: &Finding, to: &str| f.evidence.replacen(&format!(": {}", f.verdict.label()), &format!(": {to}"), 1);
    match fact.verdict {
        Verdict::Confirmed => {
            let e = explains.decide_as(Rule::Cause, Holds::Confirmed, Fails::Refined, because_yes, because_no);
            if e.verdict == Verdict::NotMeasured {
                return Finding::not_measured(format!("{} Is it the reason? {}", relabel(&fact, "true"), e.evidence));
            }
            let evidence = format!("{} Is it the reason? {}", relabel(&fact, "true"), e.evidence);
            Finding { evidence, ..e }
        }
        Verdict::Refined => {
            let e = explains.decide_as(Rule::Cause, Holds::Confirmed, Fails::Refined, because_yes, because_no);
            let evidence = relabel(&fact, "true in part");
            let f = as_cause(Finding { evidence, ..fact });
            let said = relabel(&e, if e.verdict == Verdict::Confirmed { "yes" } else { "no" });
            f.then(format!("Is it the reason? {said} So: refined."))
        }
        _ => as_cause(fact),
    }
}

/// A cause decided in two tests, X then whether X explains Y (`because`: explained, not the reason, X false), with
/// `cause`'s verdicts and evidence.
pub fn cause_of(fact: Test, explains: Test, because: [&str; 3]) -> Finding {
    cause(fact.confirm("", because[2]), explains, because[0], because[1])
}

/// A claim that defines its terms: shown as a definition, never counted among the confirmed. `why` says why
/// nothing measured could contradict it, and where its consequence is measured.
pub fn definition(why: impl Into<String>) -> Finding {
    Finding::decided(Verdict::Definition, why, Decision { rule: Rule::Definition, test: None })
}

/// The two languages a claim is judged in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Rust,
    Python,
}

impl Lang {
    pub fn name(self) -> &'static str {
        match self {
            Lang::Rust => "Rust",
            Lang::Python => "Python",
        }
    }
}

/// Whether `lang`, as it ran on `machine`, lacks `m`. Rust lacks them all; Python lacks only the GIL, and only
/// where the result says it ran free-threaded.
pub fn lacks(lang: Lang, m: Mechanism, machine: &Machine) -> bool {
    match lang {
        Lang::Rust => true,
        Lang::Python => m == Mechanism::Gil && machine.python_gil == Some(false),
    }
}

/// Claim `id`, resting on the mechanism claims.json names for it, in `lang`: where the language lacks it, "does
/// not apply" with `analogue` (what the language has instead, measured and named); where it has it, `present`,
/// the claim's own rule. Not measured where the Python twin did not run or a series is missing.
pub fn mechanism(
    r: &LabResult,
    id: &str,
    lang: Lang,
    analogue: impl FnOnce() -> Result<String>,
    present: impl FnOnce() -> Result<Finding>,
) -> Result<Finding> {
    let quote = catalogue()?.claim(id).ok_or_else(|| LabError::other(format!("claim `{id}` is not in claims.json")))?;
    let m = quote.mechanism.ok_or_else(|| LabError::other(format!("claims.json names no mechanism for claim {id}")))?;
    if lang == Lang::Python && r.machine.python.starts_with("not run") {
        return Ok(Finding::not_measured("The Python twin did not run (python: false)."));
    }
    if !lacks(lang, m, &r.machine) {
        return Ok(present().unwrap_or_else(|e| Finding::not_measured(format!("{MISSING}{}.", e.message))));
    }
    let instead = match analogue() {
        Ok(a) => a,
        Err(e) => format!("Its analogue is not in this result ({}).", e.message),
    };
    let lacking = match (lang, m) {
        (Lang::Python, _) => "This Python runs free-threaded: it has no GIL.".to_string(),
        (_, m) => format!("{} has no {}.", lang.name(), m.name()),
    };
    Ok(Finding::decided(
        Verdict::DoesNotApply,
        format!("{lacking} Measured instead: {instead}"),
        Decision { rule: Rule::Lacks, test: None },
    ))
}

/// Async tasks' cores busy over the cores busy of the same threads running the same jobs without async (tokio's
/// multi-threaded runtime over a plain thread pool of as many threads; one loop over one thread). Above
/// `ASYNC_GAIN_LINE`, async itself created parallelism; at about 1, whatever parallelism there was came from the
/// threads.
pub const ASYNC_GAIN: Quantity =
    Quantity::parallel("async-parallelism: cores busy, async tasks / the same threads without async", Unit::Ratio);
/// Well above the few percent two runs of the same threads differ by, and well below the 2x a second core gives.
pub const ASYNC_GAIN_LINE: f64 = 1.25;
/// A parallel baseline's cores busy (plain threads, a process pool): whether the machine had cores to spare.
pub const CAPACITY: Quantity = Quantity::parallel("async-parallelism: a parallel baseline's cores busy", Unit::Number);
/// The async tasks' cores busy: about one core, or more (on a runtime's worker threads).
pub const ASYNC_CORES: Quantity = Quantity::parallel("async-parallelism: the async tasks' cores busy", Unit::Number);
/// More cores busy than this is parallelism; one thread stays near 1.0.
pub const PARALLEL_LINE: f64 = 1.5;

/// What an async-parallelism rule reads: a parallel baseline that shows the cores were there (plain threads, or a
/// process pool), and each async variant beside the same threads without async (name, cores busy, threads' name,
/// their cores busy).
pub struct AsyncRuns<'a> {
    pub capacity: (&'a str, f64),
    pub pairs: Vec<(&'a str, f64, &'a str, f64)>,
}

/// Where a parallel baseline (a pool, plain threads) did not scale on a machine with cores enough, the run had no
/// cores to spare, so a claim about parallelism cannot come out either way on it: not measured, saying so. On too
/// few cores, None: the baseline's own test says that instead. `shows` names what the run could not show.
pub fn no_spare_cores(r: &LabResult, baseline: &Test, shows: &str) -> Option<Finding> {
    let judged = r.machine.cores >= super::PARALLEL_CORES;
    (judged && !baseline.holds && !baseline.close).then(|| {
        Finding::not_measured(format!(
            "{}: this run had no cores to spare (a busy machine, or jobs too short for a pool), so it could not show \
             {shows} either way.",
            baseline.text
        ))
    })
}

/// The one rule for every claim that async does not create CPU parallelism (1.1, 1.6, 7.3). First, the machine
/// must have had cores to spare: the parallel baseline above `PARALLEL_LINE` (else not measured: no run could show
/// parallelism). Then async must add nothing over its own threads (the worst variant within `ASYNC_GAIN_LINE` of
/// them; else contradicted). Then: async tasks that kept about one core busy confirm it; async tasks that ran in
/// parallel on a runtime's worker threads (tokio's multi-threaded runtime) refine it, the parallelism being the
/// threads'. `because`: confirmed, refined, contradicted.
pub fn async_parallelism(r: &LabResult, runs: &AsyncRuns, because: [&str; 3]) -> Result<Finding> {
    let (base, base_busy) = runs.capacity;
    let capacity = CAPACITY.above(r, &format!("{base} cores busy"), base_busy, PARALLEL_LINE);
    if let Some(f) = no_spare_cores(r, &capacity, "parallelism") {
        return Ok(f);
    }
    let worst = runs
        .pairs
        .iter()
        .rev() // a tie goes to the first pair listed (max_by keeps the last)
        .max_by(|a, b| (a.1 / a.3.max(1e-9)).total_cmp(&(b.1 / b.3.max(1e-9))))
        .ok_or_else(|| LabError::other("no async variant to compare with threads"))?;
    let busiest = runs.pairs.iter().map(|p| p.1).fold(0.0, f64::max);
    let others: Vec<String> = runs
        .pairs
        .iter()
        .filter(|p| p.0 != worst.0)
        .map(|p| format!("{} {:.2} against {} {:.2}", p.0, p.1, p.2, p.3))
        .collect();
    let gain = ASYNC_GAIN.below(
        r,
        &format!(
            "with {base} at {base_busy:.2} cores busy, the cores busy of {} / {} ({:.2} / {:.2}){}",
            worst.0,
            worst.2,
            worst.1,
            worst.3,
            if others.is_empty() { String::new() } else { format!(" (and {})", others.join("; ")) }
        ),
        worst.1 / worst.3.max(1e-9),
        ASYNC_GAIN_LINE,
    );
    let one_core = ASYNC_CORES.below(r, "the busiest async run's cores busy", busiest, PARALLEL_LINE);
    Ok(super::two_step(gain, one_core, Holds::Confirmed, Fails::Refined, Fails::Contradicted, because))
}
