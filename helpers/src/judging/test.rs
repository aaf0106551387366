//! A rule's comparison: a named quantity against a line, in the claim's direction, decided into a finding by one
//! of a few fixed shapes. A test that holds never contradicts and one that fails never confirms (`Holds`,
//! `Fails`), so the same quantity on the same side of the same line gives the same verdict in every claim.

use super::CLOSE;
use crate::result::LabResult;
use crate::units::Unit;
use crate::verdict_types::{Compared, Decided, Decision, Finding, Rule, Verdict};

/// A number rules compare, named once: its id (the same wherever a rule compares that number), how it prints, and
/// whether it is about parallelism (then it needs two cores to say anything).
#[derive(Debug, Clone, Copy)]
pub struct Quantity {
    pub id: &'static str,
    unit: Unit,
    parallel: bool,
}

/// Fewer cores than this cannot show parallelism either way.
pub const PARALLEL_CORES: usize = 2;

impl Quantity {
    pub const fn new(id: &'static str, unit: Unit) -> Quantity {
        Quantity { id, unit, parallel: false }
    }

    /// A quantity about parallelism (cores busy, threads taking turns): on a machine with fewer than
    /// `PARALLEL_CORES` cores a rule that reads it is not measured.
    pub const fn parallel(id: &'static str, unit: Unit) -> Quantity {
        Quantity { id, unit, parallel: true }
    }

    pub fn is_parallel(&self) -> bool {
        self.parallel
    }

    /// The claim predicts `value > line`.
    pub fn above(&self, r: &LabResult, what: &str, value: f64, line: f64) -> Test {
        self.test(r, what, value, ">", line, value > line)
    }

    /// The claim predicts `value < line`.
    pub fn below(&self, r: &LabResult, what: &str, value: f64, line: f64) -> Test {
        self.test(r, what, value, "<", line, value < line)
    }

    fn test(&self, r: &LabResult, what: &str, value: f64, op: &str, line: f64, holds: bool) -> Test {
        let close = value.is_finite() && line != 0.0 && ((value - line) / line).abs() <= CLOSE;
        let sign = if holds { op } else { negate(op) };
        let cores = r.machine.cores;
        let (shown, line_shown) = self.unit.pair(value, line);
        Test {
            text: format!("{what} {shown} {sign} {line_shown}"),
            against: format!("{what} {shown} against a line of {line_shown}"),
            holds,
            close,
            compared: Some(Compared { value, line, what: what.to_string(), quantity: self.id.to_string() }),
            decided: Some(Decided { quantity: self.id, line, above: op == ">", held: holds, close }),
            short_of_cores: (self.parallel && cores < PARALLEL_CORES).then_some(cores),
        }
    }
}

fn negate(op: &str) -> &'static str {
    match op {
        ">" => "<=",
        _ => ">=",
    }
}

/// What a test that holds may conclude: the claim stands, or stands with a correction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holds {
    Confirmed,
    Refined,
}

/// What a test that fails may conclude: the claim stands only with a correction, or falls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fails {
    Refined,
    Contradicted,
}

impl Holds {
    fn verdict(self) -> Verdict {
        match self {
            Holds::Confirmed => Verdict::Confirmed,
            Holds::Refined => Verdict::Refined,
        }
    }
}

impl Fails {
    fn verdict(self) -> Verdict {
        match self {
            Fails::Refined => Verdict::Refined,
            Fails::Contradicted => Verdict::Contradicted,
        }
    }
}

/// One comparison of a measured value with a line, in words, written so that `holds` is what the claim predicts.
#[derive(Debug, Clone, PartialEq)]
pub struct Test {
    /// "tokio 1.02 s / ideal 1.00 s = 1.02x < 1.05x".
    pub text: String,
    pub holds: bool,
    /// Within `CLOSE` of the line, on either side.
    pub close: bool,
    /// The value and line, for `make soak`.
    pub compared: Option<Compared>,
    /// The quantity and side, for the policy's checks.
    decided: Option<Decided>,
    /// The machine's cores, when the quantity is about parallelism and they are too few to show it.
    short_of_cores: Option<usize>,
    /// The comparison without a side: "tokio cores busy 1.00 against a line of 1.50", for a rule that cannot judge.
    against: String,
}

/// The evidence of a rule that read parallelism on too few cores.
fn too_few_cores(text: &str, cores: usize) -> Finding {
    Finding::not_measured(format!(
        "{text}: not measured. This is about parallelism, and {} cannot show parallelism either way: the rule \
         needs at least {PARALLEL_CORES} cores (the cores this process may use, after affinity and CPU quotas).",
        if cores == 1 { "one core".to_string() } else { format!("{cores} cores") }
    ))
}

impl Test {
    /// A fact, not a number against a line (json.dumps ran in C): it decides like a test, named by `id` (its
    /// line is 0, its side whether it holds).
    pub fn fact(id: &'static str, text: impl Into<String>, holds: bool) -> Test {
        let decided = Some(Decided { quantity: id, line: 0.0, above: true, held: holds, close: false });
        let text = text.into();
        Test { against: text.clone(), text, holds, close: false, compared: None, decided, short_of_cores: None }
    }

    /// The verdict `yes` when the test holds and `no` when it fails, with the evidence built from that branch:
    /// the comparison, the verdict, and `because_yes` or `because_no`. A value close to the line, where the
    /// branches disagree, is refined, and the evidence says how close. On too few cores for a quantity about
    /// parallelism: not measured, saying why.
    pub fn decide(&self, yes: Holds, no: Fails, because_yes: &str, because_no: &str) -> Finding {
        self.decide_as(Rule::Test, yes, no, because_yes, because_no)
    }

    pub(super) fn decide_as(&self, rule: Rule, yes: Holds, no: Fails, because_yes: &str, because_no: &str) -> Finding {
        if let Some(cores) = self.short_of_cores {
            return too_few_cores(&self.against, cores);
        }
        let (mut verdict, because) = if self.holds { (yes.verdict(), because_yes) } else { (no.verdict(), because_no) };
        let mut note = String::new();
        if self.close && yes.verdict() != no.verdict() {
            verdict = Verdict::Refined;
            note = format!(" (within {:.0}% of the line, so not a clear outcome)", CLOSE * 100.0);
        }
        let decision = Decision { rule, test: self.decided.clone() };
        let mut f = Finding::decided(verdict, format!("{}: {}{note}.", self.text, verdict.label()), decision);
        f.compared = self.compared.clone();
        f.then(because)
    }

    /// The plain rule: confirmed when the test holds, contradicted when not.
    pub fn confirm(&self, because_yes: &str, because_no: &str) -> Finding {
        self.decide(Holds::Confirmed, Fails::Contradicted, because_yes, because_no)
    }

    /// Both tests must hold, in one sentence. What decided is the first test when it fails, else the second.
    pub fn and(self, other: Test) -> Test {
        let first_decides = !self.holds;
        Test {
            text: format!("{}, and {}", self.text, other.text),
            holds: self.holds && other.holds,
            close: (self.close && other.holds) || (other.close && self.holds) || (self.close && other.close),
            compared: if first_decides { self.compared } else { other.compared },
            decided: if first_decides { self.decided } else { other.decided },
            short_of_cores: self.short_of_cores.or(other.short_of_cores),
            against: format!("{}, and {}", self.against, other.against),
        }
    }
}

/// A claim with a premise and a refinement: `first` must hold for the claim to stand (else `first_fails`, with
/// `because[2]`); when it holds, `second` chooses between `both` and `second_fails`. A value near either line,
/// where crossing it would change the verdict, makes the outcome unclear: refined.
pub fn two_step(
    first: Test,
    second: Test,
    both: Holds,
    second_fails: Fails,
    first_fails: Fails,
    because: [&str; 3],
) -> Finding {
    two_step_as(Rule::Test, first, second, (both, second_fails, first_fails), because)
}

pub(super) fn two_step_as(
    rule: Rule,
    first: Test,
    second: Test,
    (both, second_fails, first_fails): (Holds, Fails, Fails),
    because: [&str; 3],
) -> Finding {
    if let Some(cores) = first.short_of_cores.or(second.short_of_cores) {
        return too_few_cores(&format!("{}, and {}", first.against, second.against), cores);
    }
    if !first.holds {
        return first.decide_as(rule, both, first_fails, "", because[2]);
    }
    let (v, other) =
        if second.holds { (both.verdict(), second_fails.verdict()) } else { (second_fails.verdict(), both.verdict()) };
    // Unclear when either value sits near its line and crossing it would change the verdict.
    let premise = first.close && v != first_fails.verdict();
    let refinement = second.close && v != other;
    let deciding = if premise { &first } else { &second };
    let text = format!("{}, and {}", first.text, second.text);
    let mut note = String::new();
    let verdict = if premise || refinement {
        note = format!(" (within {:.0}% of the line, so not a clear outcome)", CLOSE * 100.0);
        Verdict::Refined
    } else {
        v
    };
    let because = if second.holds { because[0] } else { because[1] };
    let decision = Decision { rule, test: deciding.decided.clone().or(first.decided.clone()) };
    let mut f = Finding::decided(verdict, format!("{text}: {}{note}.", verdict.label()), decision);
    f.compared = deciding.compared.clone().or(first.compared);
    f.then(because)
}

/// A claim with two strengths: confirmed when `strong` holds, refined when only `weak` does, contradicted when
/// neither (`because`: each branch's sentence). `weak`'s line sits on the near side of `strong`'s.
pub fn grade(strong: Test, weak: Test, because: [&str; 3]) -> Finding {
    if strong.holds || strong.close || strong.short_of_cores.is_some() {
        return strong.decide(Holds::Confirmed, Fails::Refined, because[0], because[1]);
    }
    // Both comparisons in the evidence: the strong line missed, then the weak one decided.
    let weak = Test {
        text: format!("{}, and {}", strong.text, weak.text),
        against: format!("{}, and {}", strong.against, weak.against),
        ..weak
    };
    weak.decide(Holds::Refined, Fails::Contradicted, because[1], because[2])
}
