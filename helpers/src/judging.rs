//! The judges' toolkit. A rule compares a measured number with a threshold, says both in its evidence, and
//! takes its verdict from the branch the numbers chose; a value near its threshold says so. What a run did not
//! measure is "not measured", never a guess.

use crate::result::{Finding, LabResult, Verdict};
use crate::verdict_types::Compared;

/// A value within this fraction of its threshold is "close to the line": the verdict says so.
pub const CLOSE: f64 = 0.1;

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
    let compared = Some(Compared { value, line, what: what.to_string() });
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
        let finding = Finding::new(verdict, format!("{}: {}{note}.", self.text, verdict.label())).then(because);
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

/// How a finding begins when the result lacked a series its rule needs (`python`, `rust`): the ledger shows such
/// a result as not measured, `lab judge` refuses it (`missing`).
pub const MISSING: &str = "Not in this result: ";

/// The first thing a judged result lacked that one of its rules needed, if any ("q7: no series `sleep` ...").
pub fn missing(r: &LabResult) -> Option<String> {
    r.claims
        .iter()
        .flat_map(|c| [&c.rust, &c.python])
        .find_map(|f| f.evidence.strip_prefix(MISSING).map(|m| m.trim_end_matches('.').to_string()))
}

/// The Python verdict of a rule that reads the twin's series: "not measured" when the twin did not run or the
/// series it needs is missing, with the reason.
pub fn python(r: &LabResult, rule: impl FnOnce() -> crate::error::Result<Finding>) -> Finding {
    if r.machine.python.starts_with("not run") {
        return Finding::not_measured("The Python twin did not run (python: false).");
    }
    rule().unwrap_or_else(|e| Finding::not_measured(format!("{MISSING}{}.", e.message)))
}

impl Test {
    /// The plain rule: confirmed when the test holds, contradicted when not.
    pub fn confirm(&self, because_yes: &str, because_no: &str) -> Finding {
        self.decide(Verdict::Confirmed, Verdict::Contradicted, because_yes, because_no)
    }
}

/// The Rust verdict of a rule, the mirror of `python`: "not measured" when the result lacks a series the rule
/// needs (a result saved by an older lab, or a hand-made one), with the reason.
pub fn rust(rule: impl FnOnce() -> crate::error::Result<Finding>) -> Finding {
    rule().unwrap_or_else(|e| Finding::not_measured(format!("{MISSING}{}.", e.message)))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::units::fmt_ms;

    #[test]
    fn a_test_says_the_numbers_the_sign_and_the_verdict_of_its_branch() {
        let t = above("heartbeat p99", 762.0, 50.0, fmt_ms);
        let f = t.decide(Verdict::Confirmed, Verdict::Contradicted, "The loop was blocked.", "The loop ran on.");
        assert_eq!(f.verdict, Verdict::Confirmed);
        assert_eq!(f.evidence, "heartbeat p99 762 ms > 50.0 ms: confirmed. The loop was blocked.");
        let f = above("heartbeat p99", 5.0, 50.0, fmt_ms).decide(Verdict::Confirmed, Verdict::Contradicted, "a", "b");
        assert_eq!(
            (f.verdict, f.evidence.as_str()),
            (Verdict::Contradicted, "heartbeat p99 5.00 ms <= 50.0 ms: contradicted. b")
        );
    }

    #[test]
    fn close_to_the_line_is_refined_and_says_so() {
        let f = below("p99", 9.6, 10.0, fmt_ms).decide(Verdict::Confirmed, Verdict::Contradicted, "", "");
        assert_eq!(f.verdict, Verdict::Refined);
        assert!(f.evidence.contains("9.60 ms < 10.0 ms: refined (within 10% of the line"), "{}", f.evidence);
        // When both branches agree there is nothing to hedge.
        let f = below("p99", 9.6, 10.0, fmt_ms).decide(Verdict::Refined, Verdict::Refined, "", "");
        assert!(!f.evidence.contains("within"), "{}", f.evidence);
    }

    #[test]
    fn a_finding_keeps_the_number_its_test_compared() {
        let f = above("p99", 762.0, 50.0, fmt_ms).decide(Verdict::Confirmed, Verdict::Contradicted, "", "");
        assert_eq!(f.compared, Some(Compared { value: 762.0, line: 50.0, what: "p99".into() }));
        let json = serde_json::to_string(&f).unwrap();
        assert!(json.contains(r#""compared":{"value":762.0,"line":50.0,"what":"p99"}"#), "{json}");
        // A finding no comparison decided has none, and its JSON says nothing of it.
        let f = Finding::not_measured("x");
        assert_eq!(f.compared, None);
        assert!(!serde_json::to_string(&f).unwrap().contains("compared"));
        let back: Finding = serde_json::from_str(r#"{"verdict":"refined","evidence":"e"}"#).unwrap();
        assert_eq!(back.compared, None);
        // `and`: the first test's number when it fails, else the second's.
        let (a, b) = (|v| above("a", v, 1.0, fmt_ms), |v| below("b", v, 1.0, fmt_ms));
        assert_eq!(a(0.5).and(b(0.5)).compared.unwrap().what, "a");
        assert_eq!(a(2.0).and(b(2.0)).compared.unwrap().what, "b");
    }

    #[test]
    fn and_holds_only_when_both_do() {
        let t = above("a", 2.0, 1.0, fmt_ms).and(below("b", 2.0, 1.0, fmt_ms));
        assert!(!t.holds);
        assert_eq!(t.text, "a 2.00 ms > 1.00 ms, and b 2.00 ms >= 1.00 ms");
    }

    #[test]
    fn two_step_takes_the_premise_then_the_refinement() {
        let v = [Verdict::Confirmed, Verdict::Refined, Verdict::Contradicted];
        let b = ["both", "first only", "premise failed"];
        let f = two_step(above("a", 20.0, 10.0, fmt_ms), above("b", 20.0, 10.0, fmt_ms), v, b);
        assert_eq!(
            (f.verdict, f.evidence.as_str()),
            (Verdict::Confirmed, "a 20.0 ms > 10.0 ms, and b 20.0 ms > 10.0 ms: confirmed. both")
        );
        let f = two_step(above("a", 20.0, 10.0, fmt_ms), above("b", 2.0, 10.0, fmt_ms), v, b);
        assert_eq!(f.verdict, Verdict::Refined);
        assert!(f.evidence.ends_with("first only"), "{}", f.evidence);
        let f = two_step(above("a", 2.0, 10.0, fmt_ms), above("b", 20.0, 10.0, fmt_ms), v, b);
        assert_eq!(
            (f.verdict, f.evidence.as_str()),
            (Verdict::Contradicted, "a 2.00 ms <= 10.0 ms: contradicted. premise failed")
        );
        // A premise near its line: not a clear outcome, whatever the refinement says.
        let v = [Verdict::Confirmed, Verdict::Confirmed, Verdict::Contradicted];
        let f = two_step(above("a", 10.5, 10.0, fmt_ms), above("b", 2.0, 10.0, fmt_ms), v, b);
        assert_eq!(f.verdict, Verdict::Refined);
    }

    #[test]
    fn rust_is_not_measured_without_its_series_and_confirm_is_the_plain_rule() {
        let r = LabResult { experiment: "q7".into(), ..Default::default() };
        let f = rust(|| Ok(Finding::new(Verdict::Confirmed, format!("{}", r.value("spin", "wall_s", 1.0)?))));
        assert_eq!(f.verdict, Verdict::NotMeasured);
        assert!(f.evidence.contains("no series `spin` measuring `wall_s`"), "{}", f.evidence);
        let f = below("p99", 2.0, 10.0, fmt_ms).confirm("fast", "slow");
        assert_eq!((f.verdict, f.evidence.as_str()), (Verdict::Confirmed, "p99 2.00 ms < 10.0 ms: confirmed. fast"));
        assert_eq!(below("p99", 20.0, 10.0, fmt_ms).confirm("fast", "slow").verdict, Verdict::Contradicted);
    }

    #[test]
    fn python_is_not_measured_without_the_twin_or_its_series() {
        let mut r = LabResult::default();
        r.machine.python = "not run (python: false)".into();
        let f = python(&r, || Ok(Finding::new(Verdict::Confirmed, "x")));
        assert_eq!(f.verdict, Verdict::NotMeasured);
        r.machine.python = "Python 3.11.7".into();
        r.experiment = "q3".into();
        let f = python(&r, || Ok(Finding::new(Verdict::Confirmed, format!("{}", r.value("python", "y", 1.0)?))));
        assert_eq!(f.verdict, Verdict::NotMeasured);
        assert!(f.evidence.contains("no series `python` measuring `y`"), "{}", f.evidence);
    }
}

/// Synthetic results for the judges' unit tests: a result of `experiment` with given params, points added one by
/// one, so each test states exactly the numbers its rule sees.
#[cfg(test)]
pub mod fixture {
    use crate::result::{Claim, LabResult, Machine, Series};

    /// Under `LAB_VERDICT_LOG=FILE`, every claim a rule builds during the unit tests is appended to FILE as
    /// "id rust python": `tests/test_judge_coverage.py` reads it to check that each claim reached at least two
    /// verdicts from the numbers alone.
    pub fn log_verdicts(c: &Claim) {
        use std::io::Write;
        let Some(path) = std::env::var_os("LAB_VERDICT_LOG") else { return };
        if let Ok(mut f) = std::fs::OpenOptions::new().create(true).append(true).open(path) {
            // One write per line: tests run on several threads.
            let _ = f.write_all(format!("{} {} {}\n", c.id, c.rust.verdict.key(), c.python.verdict.key()).as_bytes());
        }
    }

    /// Claim `id` as a question's rules (`claims`) judge `r` with params `p`.
    pub fn judged<P>(
        claims: fn(&P, &LabResult) -> crate::error::Result<Vec<Claim>>,
        p: &P,
        r: &LabResult,
        id: &str,
    ) -> Claim {
        let all = claims(p, r).unwrap_or_else(|e| panic!("judging {id}: {}", e.message));
        all.into_iter().find(|c| c.id == id).unwrap_or_else(|| panic!("no claim {id} judged"))
    }

    /// A claim's (Rust, Python) verdicts, for one-line asserts.
    pub fn verdicts(c: &Claim) -> (crate::result::Verdict, crate::result::Verdict) {
        (c.rust.verdict, c.python.verdict)
    }

    /// A result of `experiment` with `params` (missing fields take the defaults when a judge parses them), on a
    /// 2-core machine whose Python ran and has a GIL.
    pub fn result(experiment: &str, params: serde_json::Value) -> LabResult {
        LabResult {
            experiment: experiment.into(),
            params,
            machine: Machine {
                cores: 2,
                cpu: "test CPU".into(),
                python: "Python 3.11.7".into(),
                python_gil: Some(true),
                ..Default::default()
            },
            ..Default::default()
        }
    }

    /// Sets `y` of series `name` at `x` to `v` (the series is made on first use; `x_name` labels its x axis).
    pub fn set(r: &mut LabResult, name: &str, x_name: &str, y: &str, x: f64, v: f64) {
        let i = match r.series.iter().position(|s| s.name == name && s.y == y) {
            Some(i) => i,
            None => {
                r.series.push(Series::new(name, x_name, y));
                r.series.len() - 1
            }
        };
        let s = &mut r.series[i];
        match s.points.iter_mut().find(|p| (p[0] - x).abs() < 1e-9) {
            Some(p) => p[1] = v,
            None => s.points.push([x, v]),
        }
    }

    /// The claims of a result judged without the Python twin: every Python verdict "not measured", no Rust one.
    pub fn assert_only_python_not_measured(claims: &[Claim]) {
        for c in claims {
            assert_eq!(c.python.verdict, crate::result::Verdict::NotMeasured, "{}", c.id);
            assert_ne!(c.rust.verdict, crate::result::Verdict::NotMeasured, "{}", c.id);
        }
    }

    /// The same result as if the Python twin had not run.
    pub fn without_python(mut r: LabResult) -> LabResult {
        r.machine.python = "not run (python: false)".into();
        r.machine.python_gil = None;
        r.series.retain(|s| !s.name.starts_with("python"));
        r
    }
}
