//! How a claim fared, in one language: the verdict, the sentence that shows why, and how the rule decided it.
//! Findings are made by `judging` only (its tests and the policy's shapes); a judge never writes a verdict.

use serde::{Deserialize, Serialize};

/// How a claim fared in one language.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Confirmed,
    Refined,
    Contradicted,
    /// The run did not measure what the rule needs (a twin switched off, a part skipped, one core).
    NotMeasured,
    /// The claim is about a mechanism this language does not have (the GIL, for Rust); its analogue is measured.
    DoesNotApply,
    /// The claim defines its terms: nothing measured could contradict it, so it is shown as what it is and never
    /// counted among the confirmed.
    Definition,
}

impl Verdict {
    pub const ALL: [Verdict; 6] = [
        Verdict::Confirmed,
        Verdict::Refined,
        Verdict::Contradicted,
        Verdict::NotMeasured,
        Verdict::DoesNotApply,
        Verdict::Definition,
    ];

    /// Its name in JSON and in CSS classes: "confirmed", "not-measured", "does-not-apply".
    pub fn key(self) -> &'static str {
        match self {
            Verdict::Confirmed => "confirmed",
            Verdict::Refined => "refined",
            Verdict::Contradicted => "contradicted",
            Verdict::NotMeasured => "not-measured",
            Verdict::DoesNotApply => "does-not-apply",
            Verdict::Definition => "definition",
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
            Verdict::Definition => "definition",
        }
    }

    /// What the verdict means, in one sentence: the key under the ledger.
    pub fn meaning(self) -> &'static str {
        match self {
            Verdict::Confirmed => "the run's numbers show the claim, past the rule's line.",
            Verdict::Refined => "true, with a correction the numbers show (or too close to the line to call).",
            Verdict::Contradicted => "the run's numbers show the opposite.",
            Verdict::NotMeasured => {
                "the run lacks what the rule needs (a part switched off, one core, a limit that \
                                     failed first); the evidence says what."
            }
            Verdict::DoesNotApply => {
                "the claim is about a mechanism this language lacks (the GIL, coroutine objects, a \
                                      garbage collector); the evidence gives its measured analogue."
            }
            Verdict::Definition => "the claim defines its terms: nothing measured could contradict it.",
        }
    }
}

/// How a rule reached a finding: what `judging`'s policy checks read (never serialized; a finding read back from
/// JSON has none).
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// The rule's shape: a plain test, a cause (the reason tested against the outcome), a mechanism the language
    /// lacks, a definition, or nothing measured.
    pub rule: Rule,
    /// The comparison that decided, when one did.
    pub test: Option<Decided>,
}

/// The shapes a rule may take (`judging`'s constructors).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rule {
    Test,
    Cause,
    Lacks,
    Definition,
    NotMeasured,
}

impl Rule {
    pub fn key(self) -> &'static str {
        match self {
            Rule::Test => "test",
            Rule::Cause => "cause",
            Rule::Lacks => "lacks",
            Rule::Definition => "definition",
            Rule::NotMeasured => "not-measured",
        }
    }
}

/// The comparison that decided a finding: its quantity, its line, and on which side the value fell.
#[derive(Debug, Clone, PartialEq)]
pub struct Decided {
    /// The quantity's id (`judging::Quantity`): one number, named once, wherever a rule compares it.
    pub quantity: &'static str,
    pub line: f64,
    /// The claim predicts a value above the line (else below it).
    pub above: bool,
    /// The value lay where the claim predicts it.
    pub held: bool,
    /// Within `judging::CLOSE` of the line.
    pub close: bool,
}

/// One language's verdict on a claim and the sentence that shows why.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Finding {
    pub verdict: Verdict,
    pub evidence: String,
    /// The number the rule compared with its threshold (set by `judging::Test::decide`), so that repeated runs
    /// can show how far it moves (`make soak`). Absent from findings no comparison decided.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compared: Option<Compared>,
    /// How it was decided (set by `judging`; None when read back from a file).
    #[serde(skip)]
    pub(crate) decision: Option<Box<Decision>>,
}

/// Two findings are equal when they say the same: how a rule reached one is not part of what it says.
impl PartialEq for Finding {
    fn eq(&self, other: &Finding) -> bool {
        (self.verdict, &self.evidence, &self.compared) == (other.verdict, &other.evidence, &other.compared)
    }
}

/// A measured value and the threshold a rule held it against, in the rule's own units.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Compared {
    pub value: f64,
    pub line: f64,
    /// What was compared, as the evidence names it.
    pub what: String,
    /// The quantity's id (`judging::Quantity`), the same wherever a rule compares that number.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub quantity: String,
}

impl Finding {
    /// A finding decided by `rule`: for `judging` only (a layout test keeps judges from calling it).
    pub(crate) fn decided(verdict: Verdict, evidence: impl Into<String>, decision: Decision) -> Finding {
        Finding { verdict, evidence: evidence.into(), compared: None, decision: Some(Box::new(decision)) }
    }

    /// Nothing measured: the run lacks what the rule needs, and `why` says what.
    pub fn not_measured(why: impl Into<String>) -> Finding {
        Finding::decided(Verdict::NotMeasured, why, Decision { rule: Rule::NotMeasured, test: None })
    }

    /// How it was decided, when it was decided in this process.
    pub fn decision(&self) -> Option<&Decision> {
        self.decision.as_deref()
    }

    /// Adds a sentence of context after the evidence (what the numbers mean; never an outcome).
    pub fn then(mut self, more: impl AsRef<str>) -> Finding {
        let more = more.as_ref().trim();
        if !more.is_empty() {
            self.evidence = format!("{} {more}", self.evidence.trim_end());
        }
        self
    }

    /// A finding with any verdict, for tests of what renders findings (the ledger, the report).
    #[cfg(test)]
    pub fn fixture(verdict: Verdict, evidence: impl Into<String>) -> Finding {
        Finding { verdict, evidence: evidence.into(), compared: None, decision: None }
    }
}
