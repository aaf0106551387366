//! TEMPORARY: the judges' toolkit before the judging policy (`judging`'s shapes), kept while the questions move
//! over one by one. Findings made here carry no decision, so the policy's checks do not see them. Deleted once no
//! judge imports it.

use super::CLOSE;
use crate::result::{Finding, Verdict};
use crate::verdict_types::Compared;

/// One comparison of a measured value with a threshold, in words.
#[derive(Debug, Clone, PartialEq)]
pub struct Test {
    /// "tokio 1.02 s / ideal 1.00 s = 1.020x <= 1.05x".
    pub text: String,
    pub holds: bool,
    /// Within `CLOSE` of the threshold, on either side.
    pub close: bool,
    /// The value and threshold themselves (`above`/`below` always set it; a test built by hand may not), handed
    /// to the finding by `decide`.
    pub compared: Option<Compared>,
}

fn test(what: &str, value: f64, op: &str, line: f64, unit: fn(f64) -> String, holds: bool) -> Test {
    let close = value.is_finite() && line != 0.0 && ((value - line) / line).abs() <= CLOSE;
    let sign = if holds { op.to_string() } else { negate(op).to_string() };
    let compared = Some(Compared { value, line, what: what.to_string(), quantity: String::new() });
    Test { text: format!("{what} {} {sign} {}", unit(value), unit(line)), holds, close, compared }
}

fn negate(op: &str) -> &'static str {
    match op {
        ">" => "<=",
        ">=" => "<",
        "<" => ">=",
        _ => ">",
    }
}

/// Holds when `value > line`.
pub fn above(what: &str, value: f64, line: f64, unit: fn(f64) -> String) -> Test {
    test(what, value, ">", line, unit, value > line)
}

/// Holds when `value < line`.
pub fn below(what: &str, value: f64, line: f64, unit: fn(f64) -> String) -> Test {
    test(what, value, "<", line, unit, value < line)
}

impl Test {
    /// The verdict `yes` when the test holds and `no` when it does not, with the evidence built from that branch:
    /// the comparison, the verdict, and `because_yes` or `because_no`. When the value sits close to the line and
    /// the branches disagree, the verdict is refined and the evidence says how close.
    pub fn decide(&self, yes: Verdict, no: Verdict, because_yes: &str, because_no: &str) -> Finding {
        let (mut verdict, because) = if self.holds { (yes, because_yes) } else { (no, because_no) };
        let mut note = String::new();
        if self.close && yes != no {
            verdict = Verdict::Refined;
            note = format!(" (within {:.0}% of the line, so not a clear outcome)", CLOSE * 100.0);
        }
        let finding = Finding::legacy(verdict, format!("{}: {}{note}.", self.text, verdict.label())).then(because);
        Finding { compared: self.compared.clone(), ..finding }
    }

    /// Both tests must hold (`and`), in one sentence. The number compared is the one that decided: the first
    /// test's when it fails, else the second's.
    pub fn and(self, other: Test) -> Test {
        Test {
            text: format!("{}, and {}", self.text, other.text),
            holds: self.holds && other.holds,
            close: (self.close && other.holds) || (other.close && self.holds) || (self.close && other.close),
            compared: if self.holds { other.compared } else { self.compared },
        }
    }
}

impl Test {
    /// The plain rule: confirmed when the test holds, contradicted when not.
    pub fn confirm(&self, because_yes: &str, because_no: &str) -> Finding {
        self.decide(Verdict::Confirmed, Verdict::Contradicted, because_yes, because_no)
    }
}

/// A claim with a premise and a refinement: `first` must hold for the claim to stand (else `verdicts[2]`, with
/// `because[2]`); when it holds, `second` chooses between `verdicts[0]` (both hold) and `verdicts[1]`. A premise
/// close to its line makes the outcome unclear too.
pub fn two_step(first: Test, second: Test, verdicts: [Verdict; 3], because: [&str; 3]) -> Finding {
    if !first.holds {
        return first.decide(verdicts[0], verdicts[2], "", because[2]);
    }
    let (i, other) = if second.holds { (0, verdicts[1]) } else { (1, verdicts[0]) };
    let v = verdicts[i];
    // Unclear when either value sits near its line and crossing it would change the verdict.
    let premise = first.close && v != verdicts[2];
    let refinement = second.close && v != other;
    let alt = if premise { verdicts[2] } else { other };
    let text = format!("{}, and {}", first.text, second.text);
    // The number that decided: the refinement's, unless the premise's closeness is what makes it unclear.
    let compared = if premise { first.compared } else { second.compared.or(first.compared) };
    Test { text, holds: true, close: premise || refinement, compared }.decide(v, alt, because[i], "")
}
