//! The learner's notes as a catalogue (`helpers/claims.json`): each question, each claim with its id and quoted
//! words, and the lines that assert nothing measurable. Every result's claims are checked against it, so a verdict
//! can only cite a claim that is in the notes, under its own question, in the notes' own words.

use crate::error::{LabError, Result};
use crate::result::{Claim, Finding};
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

/// One claim: `id` is `question.n`; `quote` is the notes' words, unchanged.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Quote {
    pub id: String,
    pub question: u32,
    pub quote: String,
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
    /// Claim `id` judged for Rust and for Python, quoting the notes' words for it from the catalogue.
    pub fn new(id: &str, rust: Finding, python: Finding) -> Result<Claim> {
        let quote = catalogue()?
            .claim(id)
            .ok_or_else(|| LabError::other(format!("claim `{id}` is not in claims.json (the notes' claims)")))?;
        let claim = Claim { id: id.into(), claim: quote.quote.clone(), rust, python };
        #[cfg(test)]
        crate::judging::fixture::log_verdicts(&claim);
        Ok(claim)
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
        let f = Finding::new(crate::result::Verdict::Confirmed, "x");
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
