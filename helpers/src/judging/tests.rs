use super::fixture::{on_cores, result};
use super::*;
use crate::result::Verdict;
use crate::units::Unit;
use crate::verdict_types::{Compared, Rule};

const LAG: Quantity = Quantity::new("test: heartbeat p99", Unit::Ms);
const BUSY: Quantity = Quantity::parallel("test: cores busy", Unit::Number);

fn r() -> crate::result::LabResult {
    result("q1", serde_json::json!({}))
}

#[test]
fn a_test_says_the_numbers_the_sign_and_the_verdict_of_its_branch() {
    let f = LAG.above(&r(), "heartbeat p99", 762.0, 50.0).confirm("The loop was blocked.", "The loop ran on.");
    assert_eq!(f.verdict, Verdict::Confirmed);
    assert_eq!(f.evidence, "heartbeat p99 762 ms > 50 ms: confirmed. The loop was blocked.");
    let f = LAG.above(&r(), "heartbeat p99", 5.0, 50.0).confirm("a", "b");
    assert_eq!(
        (f.verdict, f.evidence.as_str()),
        (Verdict::Contradicted, "heartbeat p99 5.00 ms <= 50 ms: contradicted. b")
    );
    // What decided is recorded for the policy's checks: the quantity, its line, the side.
    let d = f.decision().unwrap();
    assert_eq!(d.rule, Rule::Test);
    let t = d.test.as_ref().unwrap();
    assert_eq!((t.quantity, t.line, t.above, t.held, t.close), ("test: heartbeat p99", 50.0, true, false, false));
}

#[test]
fn a_test_that_holds_may_refine_and_one_that_fails_may_refine() {
    let t = LAG.below(&r(), "p99", 2.0, 10.0);
    assert_eq!(t.decide(Holds::Refined, Fails::Contradicted, "true, but", "no").verdict, Verdict::Refined);
    let t = LAG.below(&r(), "p99", 20.0, 10.0);
    assert_eq!(t.decide(Holds::Confirmed, Fails::Refined, "yes", "partly").verdict, Verdict::Refined);
}

#[test]
fn close_to_the_line_is_refined_and_says_so() {
    let f = LAG.below(&r(), "p99", 9.6, 10.0).confirm("", "");
    assert_eq!(f.verdict, Verdict::Refined);
    assert!(f.evidence.contains("9.60 ms < 10 ms: refined (within 10% of the line"), "{}", f.evidence);
    assert!(f.decision().unwrap().test.as_ref().unwrap().close);
    // When both branches agree there is nothing to hedge.
    let f = LAG.below(&r(), "p99", 9.6, 10.0).decide(Holds::Refined, Fails::Refined, "", "");
    assert!(!f.evidence.contains("within"), "{}", f.evidence);
}

#[test]
fn a_finding_keeps_the_number_its_test_compared() {
    let f = LAG.above(&r(), "p99", 762.0, 50.0).confirm("", "");
    let want = Compared { value: 762.0, line: 50.0, what: "p99".into(), quantity: "test: heartbeat p99".into() };
    assert_eq!(f.compared, Some(want));
    let json = serde_json::to_string(&f).unwrap();
    assert!(
        json.contains(r#""compared":{"value":762.0,"line":50.0,"what":"p99","quantity":"test: heartbeat p99"}"#),
        "{json}"
    );
    // Read back, it says the same (how it was decided is not part of what it says, and is not written).
    let back: Finding = serde_json::from_str(&json).unwrap();
    assert_eq!(back, f);
    assert!(back.decision().is_none());
    let f = Finding::not_measured("x");
    assert_eq!(f.compared, None);
    assert!(!serde_json::to_string(&f).unwrap().contains("compared"));
    let back: Finding = serde_json::from_str(r#"{"verdict":"refined","evidence":"e"}"#).unwrap();
    assert_eq!(back.compared, None);
    // `and`: the first test's number when it fails, else the second's.
    let (a, b) = (|v| LAG.above(&r(), "a", v, 1.0), |v| LAG.below(&r(), "b", v, 1.0));
    assert_eq!(a(0.5).and(b(0.5)).compared.unwrap().what, "a");
    assert_eq!(a(2.0).and(b(2.0)).compared.unwrap().what, "b");
}

#[test]
fn and_holds_only_when_both_do() {
    let t = LAG.above(&r(), "a", 2.0, 1.0).and(LAG.below(&r(), "b", 2.0, 1.0));
    assert!(!t.holds);
    assert_eq!(t.text, "a 2.00 ms > 1 ms, and b 2.00 ms >= 1 ms");
}

#[test]
fn two_step_takes_the_premise_then_the_refinement() {
    let b = ["both", "first only", "premise failed"];
    let step = |x: f64, y: f64| {
        two_step(
            LAG.above(&r(), "a", x, 10.0),
            LAG.above(&r(), "b", y, 10.0),
            Holds::Confirmed,
            Fails::Refined,
            Fails::Contradicted,
            b,
        )
    };
    let f = step(20.0, 20.0);
    assert_eq!(
        (f.verdict, f.evidence.as_str()),
        (Verdict::Confirmed, "a 20.0 ms > 10 ms, and b 20.0 ms > 10 ms: confirmed. both")
    );
    let f = step(20.0, 2.0);
    assert_eq!(f.verdict, Verdict::Refined);
    assert!(f.evidence.ends_with("first only"), "{}", f.evidence);
    assert_eq!(f.decision().unwrap().test.as_ref().unwrap().line, 10.0);
    let f = step(2.0, 20.0);
    assert_eq!(
        (f.verdict, f.evidence.as_str()),
        (Verdict::Contradicted, "a 2.00 ms <= 10 ms: contradicted. premise failed")
    );
    // A premise near its line: not a clear outcome, whatever the refinement says.
    assert_eq!(step(10.5, 2.0).verdict, Verdict::Refined);
    assert!(step(10.5, 20.0).evidence.contains("within 10%"));
}

#[test]
fn grade_confirms_on_the_strong_line_refines_on_the_weak_and_else_contradicts() {
    let g =
        |v: f64| grade(LAG.above(&r(), "x", v, 100.0), LAG.above(&r(), "x", v, 10.0), ["strong", "weak", "neither"]);
    assert_eq!(g(500.0).verdict, Verdict::Confirmed);
    assert_eq!(g(50.0).verdict, Verdict::Refined);
    assert!(g(50.0).evidence.ends_with("weak"), "{}", g(50.0).evidence);
    assert_eq!(g(2.0).verdict, Verdict::Contradicted);
    assert_eq!(g(95.0).verdict, Verdict::Refined);
}

#[test]
fn a_quantity_about_parallelism_is_not_measured_on_one_core_and_judged_on_two_or_more() {
    for cores in [1, 2, 16, 64] {
        let r = on_cores(r(), cores);
        let f = BUSY.below(&r, "asyncio cores busy", 1.0, 1.5).confirm("one core", "more");
        if cores < PARALLEL_CORES {
            assert_eq!(f.verdict, Verdict::NotMeasured, "{cores} cores");
            assert!(f.evidence.contains("one core cannot show parallelism either way"), "{}", f.evidence);
            assert!(
                f.evidence.starts_with("asyncio cores busy 1.00 against a line of 1.5: not measured."),
                "{}",
                f.evidence
            );
        } else {
            assert_eq!(f.verdict, Verdict::Confirmed, "{cores} cores");
        }
        // A quantity that is not about parallelism is judged on any machine.
        assert_eq!(LAG.above(&r, "p99", 762.0, 50.0).confirm("", "").verdict, Verdict::Confirmed);
        // A rule that combines the two needs the cores too.
        let both = LAG.above(&r, "p99", 762.0, 50.0).and(BUSY.below(&r, "busy", 1.0, 1.5)).confirm("", "");
        assert_eq!(both.verdict == Verdict::NotMeasured, cores < PARALLEL_CORES);
    }
}

#[test]
fn async_parallelism_needs_spare_cores_then_refines_on_worker_threads_and_contradicts_beyond_them() {
    let says = ["one core", "worker threads", "beyond threads"];
    let judge = |r: &crate::result::LabResult, capacity: f64, pairs: Vec<(&'static str, f64, &'static str, f64)>| {
        async_parallelism(r, &AsyncRuns { capacity: ("rayon", capacity), pairs }, says).unwrap()
    };
    let r2 = r();
    // Rust on two cores: the multi-threaded runtime used both, as rayon did: the threads' parallelism, refined.
    let f = judge(
        &r2,
        1.98,
        vec![("tokio multi_thread", 1.97, "rayon", 1.98), ("current_thread", 1.0, "sequential", 1.01)],
    );
    assert_eq!(f.verdict, Verdict::Refined, "{}", f.evidence);
    assert!(
        f.evidence
            .starts_with("with rayon at 1.98 cores busy, the cores busy of tokio multi_thread / rayon (1.97 / 1.98)"),
        "{}",
        f.evidence
    );
    assert!(f.evidence.ends_with("worker threads"), "{}", f.evidence);
    // A loop that kept one core while the cores were there: confirmed.
    let f = judge(&r2, 1.9, vec![("asyncio", 1.0, "sequential", 1.0)]);
    assert_eq!(f.verdict, Verdict::Confirmed, "{}", f.evidence);
    // Async beyond its own threads: contradicted.
    let f = judge(&r2, 1.98, vec![("tokio multi_thread", 1.97, "rayon", 1.0)]);
    assert_eq!(f.verdict, Verdict::Contradicted, "{}", f.evidence);
    // No cores to spare (a busy machine), or one core: not measured.
    let f = judge(&r2, 1.0, vec![("asyncio", 1.0, "sequential", 1.0)]);
    assert_eq!(f.verdict, Verdict::NotMeasured);
    assert!(f.evidence.contains("no cores to spare"), "{}", f.evidence);
    let f = judge(&on_cores(r(), 1), 1.0, vec![("asyncio", 1.0, "sequential", 1.0)]);
    assert_eq!(f.verdict, Verdict::NotMeasured);
    assert!(f.evidence.contains("one core cannot show parallelism either way"), "{}", f.evidence);
}

#[test]
fn a_cause_is_confirmed_only_when_the_reason_explains_the_outcome() {
    let r = r();
    let fact = || LAG.below(&r, "sleep CPU / spin CPU", 0.001, 0.1).confirm("Sleep uses no CPU.", "It does.");
    let explains = |v: f64| LAG.below(&r, "blocking sleep wall / serial", v, 0.5);
    let f = cause(fact(), explains(0.1), "It is the reason.", "Not the reason.");
    assert_eq!(f.verdict, Verdict::Confirmed);
    assert_eq!(f.decision().unwrap().rule, Rule::Cause);
    let f = cause(fact(), explains(1.0), "It is the reason.", "Not the reason.");
    assert_eq!(f.verdict, Verdict::Refined);
    assert!(f.evidence.contains(": true. Sleep uses no CPU. Is it the reason?"), "{}", f.evidence);
    assert_eq!(f.evidence.matches("refined").count(), 1, "{}", f.evidence);
    assert!(f.evidence.ends_with("Not the reason."), "{}", f.evidence);
    let false_fact = LAG.below(&r, "sleep CPU / spin CPU", 0.9, 0.1).confirm("", "It does use CPU.");
    let f = cause(false_fact, explains(0.1), "", "");
    assert_eq!((f.verdict, f.decision().unwrap().rule), (Verdict::Contradicted, Rule::Cause));
    let f = cause_of(LAG.above(&r, "a", 2.0, 1.0), LAG.above(&r, "b", 0.5, 1.0), ["yes", "not why", "no"]);
    assert_eq!((f.verdict, f.decision().unwrap().rule), (Verdict::Refined, Rule::Cause));
}

#[test]
fn a_mechanism_the_language_lacks_does_not_apply_with_its_analogue_measured() {
    let r = r();
    let analogue = || Ok("a lock held while computing kept 1.00 cores busy.".to_string());
    let present = || Ok(LAG.above(&r, "x", 2.0, 1.0).confirm("", ""));
    let f = mechanism(&r, "2.2", Lang::Rust, analogue, present).unwrap();
    assert_eq!(f.verdict, Verdict::DoesNotApply);
    assert_eq!(f.evidence, "Rust has no GIL. Measured instead: a lock held while computing kept 1.00 cores busy.");
    assert_eq!(f.decision().unwrap().rule, Rule::Lacks);
    // Python with a GIL has it: its own rule decides. Free-threaded, it lacks it.
    assert_eq!(mechanism(&r, "2.2", Lang::Python, analogue, present).unwrap().verdict, Verdict::Confirmed);
    let free = fixture::free_threaded(r.clone());
    let f = mechanism(&free, "2.2", Lang::Python, analogue, present).unwrap();
    assert_eq!(f.verdict, Verdict::DoesNotApply);
    assert!(f.evidence.starts_with("This Python runs free-threaded"), "{}", f.evidence);
    // A claim that names no mechanism is a rule's mistake, said as an error.
    assert!(mechanism(&r, "3.1", Lang::Rust, analogue, present).is_err());
    // A missing analogue is said, not guessed.
    let f =
        mechanism(&r, "9.2", Lang::Rust, || Err(crate::error::LabError::other("no series `tokio`")), present).unwrap();
    assert!(f.evidence.contains("Its analogue is not in this result (no series `tokio`)"), "{}", f.evidence);
}

#[test]
fn claim_new_refuses_a_finding_whose_shape_does_not_fit_the_claims_kind() {
    use crate::claims::{fits, Kind, Quote};
    use crate::result::Claim;
    let r = r();
    let test = || LAG.above(&r, "x", 2.0, 1.0).confirm("", "");
    let nm = || Finding::not_measured("x");
    // A definition: only a definition (or nothing measured) fits it, and a definition fits nothing else.
    let def = Quote { kind: Kind::Definition, ..crate::claims::catalogue().unwrap().claim("1.3").unwrap().clone() };
    assert!(fits(&def, &definition("d")).is_ok() && fits(&def, &nm()).is_ok());
    assert!(fits(&def, &test()).unwrap_err().contains("a definition is shown as one"));
    let e = Claim::new("1.3", definition("d"), nm()).unwrap_err();
    assert!(e.message.contains("only a claim marked a definition"), "{e}");
    // 7.1 is a cause: a plain test does not fit it.
    let e = Claim::new("7.1", test(), nm()).unwrap_err();
    assert!(e.message.contains("a cause must be tested as one"), "{e}");
    assert!(Claim::new("7.1", cause(test(), LAG.above(&r, "y", 2.0, 1.0), "", ""), nm()).is_ok());
    // "Does not apply" needs a mechanism named in claims.json.
    let lacks = mechanism(&r, "2.2", Lang::Rust, || Ok("x".into()), || Ok(nm())).unwrap();
    assert!(Claim::new("2.2", lacks.clone(), nm()).is_ok());
    let e = Claim::new("3.1", lacks, nm()).unwrap_err();
    assert!(e.message.contains("needs the mechanism"), "{e}");
    // An unmeasured claim takes nothing but "not measured".
    assert!(Claim::new("6.12", nm(), nm()).is_ok());
    assert!(Claim::new("6.12", test(), nm()).is_err());
}

#[test]
fn rust_is_not_measured_without_its_series() {
    let r = crate::result::LabResult { experiment: "q7".into(), ..Default::default() };
    let f = rust(|| Ok(LAG.above(&r, "x", r.value("spin", "wall_s", 1.0)?, 1.0).confirm("", "")));
    assert_eq!(f.verdict, Verdict::NotMeasured);
    assert!(f.evidence.contains("no series `spin` measuring `wall_s`"), "{}", f.evidence);
}

#[test]
fn python_is_not_measured_without_the_twin_or_its_series() {
    let mut r = r();
    r.machine.python = "not run (python: false)".into();
    let f = python(&r, || Ok(LAG.above(&r, "x", 2.0, 1.0).confirm("", "")));
    assert_eq!(f.verdict, Verdict::NotMeasured);
    r.machine.python = "Python 3.11.7".into();
    r.experiment = "q3".into();
    let f = python(&r, || Ok(LAG.above(&r, "x", r.value("python", "y", 1.0)?, 1.0).confirm("", "")));
    assert_eq!(f.verdict, Verdict::NotMeasured);
    assert!(f.evidence.contains("no series `python` measuring `y`"), "{}", f.evidence);
}
