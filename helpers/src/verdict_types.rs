//! How a claim fared, in one language: the verdict and the sentence that shows why.

use serde::{Deserialize, Serialize};

/// How a claim fared in one language.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Confirmed,
    Refined,
    Contradicted,
    /// The run did not measure what the rule needs (a twin switched off, a part skipped).
    NotMeasured,
    /// The claim is about something this language does not have (the GIL, for Rust).
    DoesNotApply,
}

impl Verdict {
    pub const ALL: [Verdict; 5] =
        [Verdict::Confirmed, Verdict::Refined, Verdict::Contradicted, Verdict::NotMeasured, Verdict::DoesNotApply];

    /// Its name in JSON and in CSS classes: "confirmed", "not-measured", "does-not-apply".
    pub fn key(self) -> &'static str {
        match self {
            Verdict::Confirmed => "confirmed",
            Verdict::Refined => "refined",
            Verdict::Contradicted => "contradicted",
            Verdict::NotMeasured => "not-measured",
            Verdict::DoesNotApply => "does-not-apply",
        }
    }

    /// Its place in `ALL`.
    pub fn index(self) -> usize {
        self as usize
    }

    pub fn label(self) -> &'static str {
        match self {
            Verdict::Confirmed => "confirmed",
            Verdict::Refined => "refined",
            Verdict::Contradicted => "contradicted",
            Verdict::NotMeasured => "not measured",
            Verdict::DoesNotApply => "does not apply",
        }
    }
}

/// One language's verdict on a claim and the sentence that shows why.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Finding {
    pub verdict: Verdict,
    pub evidence: String,
    /// The number the rule compared with its threshold (set by `judging::Test::decide`), so that repeated runs
    /// can show how far it moves (`make soak`). Absent from findings no comparison decided.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compared: Option<Compared>,
}

/// A measured value and the threshold a rule held it against, in the rule's own units.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Compared {
    pub value: f64,
    pub line: f64,
    /// What was compared, as the evidence names it.
    pub what: String,
}

impl Finding {
    pub fn new(verdict: Verdict, evidence: impl Into<String>) -> Finding {
        Finding { verdict, evidence: evidence.into(), compared: None }
    }

    pub fn not_measured(why: impl Into<String>) -> Finding {
        Finding::new(Verdict::NotMeasured, why)
    }

    pub fn does_not_apply(why: impl Into<String>) -> Finding {
        Finding::new(Verdict::DoesNotApply, why)
    }

    /// Adds a sentence of context after the evidence (what the numbers mean; never an outcome).
    pub fn then(mut self, more: impl AsRef<str>) -> Finding {
        let more = more.as_ref().trim();
        if !more.is_empty() {
            self.evidence = format!("{} {more}", self.evidence.trim_end());
        }
        self
    }
}
