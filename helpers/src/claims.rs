//! The learner's notes as a catalogue (`helpers/claims.json`): each question, each claim with its id and quoted
//! words, and the lines that assert nothing measurable. Every result's claims are checked against it, so a verdict
//! can only cite a claim that is in the notes, under its own question, in the notes' own words.

use crate::error::{LabError, Result};
use crate::result::{Claim, Finding};
use crate::verdict_types::Rule;
use serde::Deserialize;
use std::sync::OnceLock;

/// The catalogue's text, compiled in so a notebook, the `lab` binary and the tests all read the same one.
pub const CLAIMS_JSON: &str = include_str!("../claims.json");

/// One numbered question of the notes and the notebook that answers it.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Question {
    pub number: u32,
    /// The experiment (`q3`) whose results carry this question's claims.
    pub experiment: String,
    /// The notebook's file stem (`03_semaphore_scaling`).
    pub notebook: String,
    pub question: String,
}

/// One claim: `id` is `question.n`; `quote` is the notes' words, unchanged; `kind` what sort of claim it is, and
/// `mechanism` the mechanism it rests on where a language may lack it.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Quote {
    pub id: String,
    pub question: u32,
    pub quote: String,
    #[serde(default)]
    pub kind: Kind,
    #[serde(default)]
    pub mechanism: Option<Mechanism>,
    /// Why a definition cannot be measured, why an unmeasured claim is not, or what a cause's rule tests.
    #[serde(default)]
    pub why: Option<String>,
}

/// What sort of claim a line of the notes makes; it decides the shape its rule must take (`judging`).
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// Something that happens: a test over the run's numbers decides it.
    #[default]
    Fact,
    /// X given as the reason for Y: the rule tests that X holds and that X explains Y (`judging::cause`).
    Cause,
    /// A definition: shown as one, never counted among the confirmed (`judging::definition`).
    Definition,
    /// Nothing in the lab measures it; the finding says so and gives the nearest measured number.
    Unmeasured,
}

/// A mechanism a claim rests on that a language may not have: there its verdict is "does not apply", with the
/// measured analogue (`judging::mechanism`).
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Mechanism {
    /// CPython's global interpreter lock (free-threaded CPython has none).
    Gil,
    /// A coroutine as an object of its own (Rust: the future is a state machine stored in the task).
    CoroutineObjects,
    /// Stack frames per coroutine (Rust: locals held across an await are fields of the future).
    Frames,
    /// A future object allocated per await (Rust: awaited futures are fields of the state machine).
    FutureObjects,
    /// An interpreter whose heavy work one offloads to native code (Rust is native code).
    Interpreter,
    /// A tracing garbage collector (Rust frees each value when its owner drops it).
    GarbageCollector,
}

impl Mechanism {
    /// The mechanism in words, as "Rust has no ..." ends: "GIL".
    pub fn name(self) -> &'static str {
        match self {
            Mechanism::Gil => "GIL",
            Mechanism::CoroutineObjects => "coroutine objects",
            Mechanism::Frames => "stack frames for its tasks",
            Mechanism::FutureObjects => "future objects allocated per await",
            Mechanism::Interpreter => "interpreter to offload from",
            Mechanism::GarbageCollector => "garbage collector",
        }
    }
}

/// A line of the notes that is not a claim (a question, a heading, a remark), and why.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct NotClaim {
    pub quote: String,
    pub why: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Catalogue {
    pub source: String,
    pub questions: Vec<Question>,
    pub claims: Vec<Quote>,
    pub not_claims: Vec<NotClaim>,
}

impl Catalogue {
    pub fn parse(json: &str) -> Result<Catalogue> {
        serde_json::from_str(json).map_err(|e| LabError::other(format!("claims.json does not parse: {e}")))
    }

    pub fn claim(&self, id: &str) -> Option<&Quote> {
        self.claims.iter().find(|c| c.id == id)
    }

    pub fn question(&self, number: u32) -> Option<&Question> {
        self.questions.iter().find(|q| q.number == number)
    }

    /// The question answered by `experiment` (`q3`).
    pub fn question_of(&self, experiment: &str) -> Option<&Question> {
        self.questions.iter().find(|q| q.experiment == experiment)
    }

    /// Checks the claims one result of `experiment` judges: known ids, under this experiment's question, quoted
    /// exactly, each at most once.
    pub fn check(&self, experiment: &str, claims: &[Claim]) -> Result<()> {
        let question = self
            .question_of(experiment)
            .ok_or_else(|| LabError::other(format!("claims.json has no question for experiment `{experiment}`")))?;
        for (i, c) in claims.iter().enumerate() {
            let known = self.claim(&c.id).ok_or_else(|| {
                LabError::other(format!("{experiment}: claim `{}` is not in claims.json (the notes' claims)", c.id))
            })?;
            if known.question != question.number {
                return Err(LabError::other(format!(
                    "{experiment}: claim `{}` belongs to question {}, not to question {}",
                    c.id, known.question, question.number
                )));
            }
            if known.quote != c.claim {
                return Err(LabError::other(format!(
                    "{experiment}: claim `{}` quotes {:?}, but the notes say {:?}",
                    c.id, c.claim, known.quote
                )));
            }
            if claims[..i].iter().any(|o| o.id == c.id) {
                return Err(LabError::other(format!("{experiment}: claim `{}` is judged twice", c.id)));
            }
        }
        Ok(())
    }
}

impl Claim {
    /// Claim `id` judged for Rust and for Python, quoting the notes' words for it from the catalogue. Refuses
    /// findings whose shape does not fit the claim's kind: a definition judged as anything but one, a cause
    /// decided without testing the reason, a mechanism "does not apply" on a claim that names none.
    pub fn new(id: &str, rust: Finding, python: Finding) -> Result<Claim> {
        let quote = catalogue()?
            .claim(id)
            .ok_or_else(|| LabError::other(format!("claim `{id}` is not in claims.json (the notes' claims)")))?;
        for (lang, f) in [("Rust", &rust), ("Python", &python)] {
            fits(quote, f).map_err(|why| LabError::other(format!("claim {id}, {lang}: {why}")))?;
        }
        let claim = Claim { id: id.into(), claim: quote.quote.clone(), rust, python };
        #[cfg(test)]
        log_verdicts(&claim);
        Ok(claim)
    }
}

/// Whether a finding's shape fits its claim's kind (findings read from a file carry no decision and pass).
pub(crate) fn fits(quote: &Quote, f: &Finding) -> std::result::Result<(), String> {
    let Some(d) = f.decision() else { return Ok(()) };
    let kind = quote.kind;
    match d.rule {
        Rule::NotMeasured => Ok(()),
        Rule::Definition if kind == Kind::Definition => Ok(()),
        Rule::Definition => Err("only a claim marked a definition in claims.json is judged as one".into()),
        _ if kind == Kind::Definition => Err("a definition is shown as one (judging::definition)".into()),
        _ if kind == Kind::Unmeasured => Err("claims.json says nothing measures this claim".into()),
        Rule::Lacks if quote.mechanism.is_some() => Ok(()),
        Rule::Lacks => Err("\"does not apply\" needs the mechanism the claim rests on (claims.json)".into()),
        Rule::Test if kind == Kind::Cause => Err("a cause must be tested as one: does the reason explain the \
                                                  outcome (judging::cause)?"
            .into()),
        Rule::Cause if kind != Kind::Cause => Err("judging::cause is for claims marked a cause in claims.json".into()),
        Rule::Test | Rule::Cause => Ok(()),
    }
}

/// Under `LAB_VERDICT_LOG=FILE`, every claim a rule builds during the unit tests is appended to FILE as one JSON
/// line: its id and, per language, the verdict and how it was decided. `tests/test_judge_coverage.py` reads it to
/// check that each claim reached at least two verdicts from the numbers alone, and that the same quantity on the
/// same side of the same line always gave the same verdict.
#[cfg(test)]
fn log_verdicts(c: &Claim) {
    use std::io::Write;
    let Some(path) = std::env::var_os("LAB_VERDICT_LOG") else { return };
    let side = |f: &Finding| {
        let d = f.decision();
        let t = d.and_then(|d| d.test.as_ref());
        serde_json::json!({
            "verdict": f.verdict.key(),
            "rule": d.map(|d| d.rule.key()),
            "quantity": t.map(|t| t.quantity),
            "line": t.map(|t| t.line),
            "above": t.map(|t| t.above),
            "held": t.map(|t| t.held),
            "close": t.map(|t| t.close),
        })
    };
    let line = serde_json::json!({"id": c.id, "rust": side(&c.rust), "python": side(&c.python)});
    if let Ok(mut f) = std::fs::OpenOptions::new().create(true).append(true).open(path) {
        // One write per line: tests run on several threads.
        let _ = f.write_all(format!("{line}\n").as_bytes());
    }
}

/// The compiled-in catalogue, parsed once.
pub fn catalogue() -> Result<&'static Catalogue> {
    static CATALOGUE: OnceLock<std::result::Result<Catalogue, String>> = OnceLock::new();
    CATALOGUE
        .get_or_init(|| Catalogue::parse(CLAIMS_JSON).map_err(|e| e.message))
        .as_ref()
        .map_err(|m| LabError::other(m.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The notes' text: the fenced block of questions.md, one trimmed line per non-empty line.
    fn note_lines() -> Vec<&'static str> {
        let text = include_str!("../../questions.md");
        let block = text.split("```text\n").nth(1).and_then(|b| b.split("```").next()).unwrap_or("");
        block.lines().map(str::trim).filter(|l| !l.is_empty()).collect()
    }

    fn claim(id: &str, quote: &str) -> Claim {
        let f = Finding::fixture(crate::result::Verdict::Confirmed, "x");
        Claim { id: id.into(), claim: quote.into(), rust: f.clone(), python: f }
    }

    #[test]
    fn every_line_of_the_notes_is_a_claim_or_says_why_not() {
        let c = catalogue().unwrap();
        let lines = note_lines();
        assert!(lines.len() > 60, "questions.md's text block not found");
        for line in &lines {
            let claims = c.claims.iter().any(|q| line.contains(q.quote.as_str()) || q.quote.contains(line));
            let not = c.not_claims.iter().any(|n| n.quote == *line);
            assert!(claims != not, "line {line:?}: claim {claims}, listed as not a claim {not}");
        }
        for q in &c.claims {
            let found = lines.iter().filter(|l| l.contains(q.quote.as_str()) || q.quote.contains(**l)).count();
            assert!(found >= 1, "claim {} quotes words that are not in the notes: {:?}", q.id, q.quote);
        }
    }

    #[test]
    fn ids_are_unique_and_numbered_within_their_question() {
        let c = catalogue().unwrap();
        for q in &c.questions {
            let ids: Vec<&str> = c.claims.iter().filter(|x| x.question == q.number).map(|x| x.id.as_str()).collect();
            let expected: Vec<String> = (1..=ids.len()).map(|n| format!("{}.{n}", q.number)).collect();
            assert_eq!(ids, expected, "question {}", q.number);
        }
        assert!(c.claims.iter().all(|x| c.question(x.question).is_some()));
        assert_eq!(c.questions.len(), 9);
    }

    #[test]
    fn check_refuses_unknown_ids_other_questions_and_changed_words() {
        let c = catalogue().unwrap();
        let ok = claim("3.2", "thread is constantly utilized.");
        assert!(c.check("q3", std::slice::from_ref(&ok)).is_ok());
        let e = c.check("q3", &[claim("3.99", "x")]).unwrap_err();
        assert!(e.message.contains("`3.99` is not in claims.json"), "{e}");
        let e = c.check("q4", std::slice::from_ref(&ok)).unwrap_err();
        assert!(e.message.contains("belongs to question 3"), "{e}");
        let e = c.check("q3", &[claim("3.2", "threads are busy")]).unwrap_err();
        assert!(e.message.contains("the notes say"), "{e}");
        let e = c.check("q3", &[ok.clone(), ok]).unwrap_err();
        assert!(e.message.contains("judged twice"), "{e}");
        assert!(c.check("q10", &[]).is_err());
    }
}
