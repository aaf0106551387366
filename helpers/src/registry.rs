//! The one list of the lab's questions. The CLI (`lab list`, `lab qN`), the overview, the tests and the
//! Makefile (`lab list --names`) all read it; the question's words come from `claims.json`.

use crate::chart::Chart;
use crate::claims::catalogue;
use crate::error::{LabError, Result};
use crate::params::ExperimentParams;
use crate::questions::{self, q1, q2, q3, q4, q5, q6, q7, q8, q9};
use crate::result::LabResult;

/// One question of the notes, as the lab runs, judges and draws it.
pub struct Question {
    /// The experiment's name, as in `lab q3`.
    pub name: &'static str,
    /// Its parameters with their defaults, as JSON.
    pub defaults: fn() -> Result<serde_json::Value>,
    /// Judges a result of this experiment in place (claims and headline) with today's rules.
    pub judge: fn(&mut LabResult) -> Result<()>,
    /// The chart that answers the question at a glance (notebook 00).
    pub key_chart: fn(&LabResult) -> Result<Chart>,
    /// The Python twin's script in `helpers/python/`.
    pub twin: &'static str,
    /// Parses and validates params JSON, refuses an estimate over the budget, then measures in this process (the
    /// `lab` binary; the watchdog enforces the budget while it runs).
    #[cfg(feature = "experiments")]
    pub run: fn(&str, &crate::budget::Budget) -> Result<LabResult>,
}

impl Question {
    /// The question's words in the notes.
    pub fn question(&self) -> Result<&'static str> {
        Ok(&catalogue()?.question_of(self.name).ok_or_else(|| self.not_in_notes())?.question)
    }

    /// The notebook that answers it (`03_semaphore_scaling`).
    pub fn notebook(&self) -> Result<&'static str> {
        Ok(&catalogue()?.question_of(self.name).ok_or_else(|| self.not_in_notes())?.notebook)
    }

    fn not_in_notes(&self) -> LabError {
        LabError::other(format!("claims.json has no question for experiment `{}`", self.name))
    }
}

fn defaults<P: ExperimentParams>() -> Result<serde_json::Value> {
    serde_json::to_value(P::default()).map_err(|e| LabError::other(format!("cannot encode {} params: {e}", P::NAME)))
}

#[cfg(feature = "experiments")]
fn run<P: ExperimentParams>(
    json: &str,
    budget: &crate::budget::Budget,
    execute: fn(&P) -> Result<LabResult>,
) -> Result<LabResult> {
    let p = P::from_json(json)?;
    budget.admit(&p)?;
    execute(&p)
}

/// Fills one entry from a question module: its `Params`, `TWIN`, judge, key chart and `execute`.
macro_rules! question {
    ($q:ident, $key_chart:path) => {
        Question {
            name: $q::Params::NAME,
            defaults: defaults::<$q::Params>,
            judge: |r| questions::judge::<$q::Params>(r, $q::judge::claims, $q::judge::headline),
            key_chart: $key_chart,
            twin: $q::TWIN,
            #[cfg(feature = "experiments")]
            run: |json, budget| run::<$q::Params>(json, budget, $q::execute),
        }
    };
}

static QUESTIONS: [Question; 9] = [
    question!(q1, q1::speedup_chart),
    question!(q2, q2::speedup_chart),
    question!(q3, q3::runtime_chart),
    question!(q4, q4::latency_chart),
    question!(q5, q5::formula_chart),
    question!(q6, q6::per_task_chart),
    question!(q7, q7::runtime_chart),
    question!(q8, q8::lag_chart),
    question!(q9, q9::memory_chart),
];

/// Every question, in the notes' order.
pub fn all() -> &'static [Question] {
    &QUESTIONS
}

/// The names, "q1, q2, ...", for messages.
pub fn names() -> String {
    QUESTIONS.iter().map(|q| q.name).collect::<Vec<_>>().join(", ")
}

/// The question called `name`, or an error that lists the known ones.
pub fn get(name: &str) -> Result<&'static Question> {
    QUESTIONS
        .iter()
        .find(|q| q.name == name)
        .ok_or_else(|| LabError::invalid(format!("unknown experiment {name:?}; known: {}", names())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_question_of_the_notes_has_one_entry_and_a_twin() {
        let cat = catalogue().unwrap();
        assert_eq!(all().len(), cat.questions.len());
        for q in &cat.questions {
            let entry = get(&q.experiment).unwrap();
            assert_eq!(entry.question().unwrap(), q.question);
            let twin = crate::paths::scripts_dir().join(entry.twin);
            assert!(twin.is_file(), "{}: twin {} is missing", entry.name, twin.display());
            assert!((entry.defaults)().unwrap().is_object());
        }
        let e = get("q10").err().unwrap();
        assert!(e.message.contains("known: q1, q2"), "{e}");
    }
}
