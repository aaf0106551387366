//! The ledger as data, every verdict and sentence already decided: what notebook 00's HTML
//! (`ledger::html::ledger_html`) draws and what `lab ledger --json` prints for the report index's template, so neither
//! the HTML nor the Python side derives a status, a count or a machine line of its own.

use super::Ledger;
use crate::result::{Finding, Machine, Verdict};
use serde::Serialize;
use std::collections::BTreeMap;
use std::time::SystemTime;

/// Everything the ledger shows.
#[derive(Debug, Clone, Serialize)]
pub struct View {
    /// The folders the results were read from.
    pub dirs: Vec<String>,
    /// How many claims the notes hold (claims.json).
    pub claim_count: usize,
    /// One per machine, fewest cores first: the order of the columns.
    pub machines: Vec<MachineView>,
    pub questions: Vec<QuestionView>,
    /// Every claim of the catalogue, in its order.
    pub claims: Vec<ClaimView>,
    /// "path: why" for each JSON file that is not a result.
    pub unreadable: Vec<String>,
    /// What each verdict means, in the order of `Verdict::ALL`: the key under the ledger.
    pub key: Vec<KeyView>,
}

/// One verdict in the ledger's key.
#[derive(Debug, Clone, Serialize)]
pub struct KeyView {
    pub status: Verdict,
    pub label: &'static str,
    pub meaning: &'static str,
}

/// The ledger's key: every verdict, its words and what it means.
pub fn key() -> Vec<KeyView> {
    Verdict::ALL.iter().map(|&v| KeyView { status: v, label: v.label(), meaning: v.meaning() }).collect()
}

#[derive(Debug, Clone, Serialize)]
pub struct MachineView {
    /// Short, for column headers: "2 cores · AMD EPYC 7B13".
    pub label: String,
    /// `Machine::describe`: cores, CPU, memory, OS, rustc, Python.
    pub line: String,
    pub machine: Machine,
    /// How many claims ended in each verdict (every verdict, zeros included), keyed "confirmed", "not-measured"...
    pub counts: Languages<BTreeMap<Verdict, usize>>,
    /// The summary line's parts, in order; a zero "does not apply" or "not measured" is left out.
    pub summary: Languages<Vec<Part>>,
    /// The result files the verdicts come from: the latest of each experiment.
    pub results: Vec<FileView>,
}

/// One value for Rust and one for Python.
#[derive(Debug, Clone, Serialize)]
pub struct Languages<T> {
    pub rust: T,
    pub python: T,
}

/// "11 confirmed", "1 hold only for Python".
#[derive(Debug, Clone, Serialize)]
pub struct Part {
    /// The verdict (in JSON its key: "confirmed", "does-not-apply", ...).
    pub status: Verdict,
    pub count: usize,
    pub text: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct FileView {
    pub path: String,
    pub file: String,
    pub experiment: String,
    /// "YYYY-MM-DD HH:MM UTC".
    pub modified: String,
    pub modified_unix: u64,
    /// When the run finished, from inside the file (RFC 3339).
    pub finished: String,
    /// The parameters this run changed from the defaults ("tasks = 100 (default 1000)"): a cut-down run must
    /// not pass for the notes' run.
    pub params_changed: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct QuestionView {
    pub number: u32,
    pub question: String,
    pub experiment: String,
    /// The notebook's file stem: `03_semaphore_scaling`.
    pub notebook: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ClaimView {
    pub id: String,
    pub question: u32,
    /// The notes' words.
    pub quote: String,
    pub notebook: String,
    /// One per machine, in the order of `View::machines`.
    pub machines: Vec<Judged>,
}

/// One claim on one machine. No result there judges it: both say "not measured" and there is no file.
#[derive(Debug, Clone, Serialize)]
pub struct Judged {
    pub measured: bool,
    pub rust: Mark,
    pub python: Mark,
    /// The result file the verdicts come from.
    pub file: Option<String>,
}

/// One language's verdict, its words and its evidence: `{"status": "does-not-apply", "label": "does not apply",
/// "evidence": "...", "reason": "...", "rule": "..."}`.
#[derive(Debug, Clone, Serialize)]
pub struct Mark {
    /// In JSON its key: "confirmed", "not-measured", ...
    pub status: Verdict,
    pub label: &'static str,
    /// All of it, as the run wrote it.
    pub evidence: String,
    /// What a learner reads first: `evidence::parts`.
    pub reason: String,
    /// The comparison that decided, with its numbers and line ("... 202x > 10x: confirmed."); empty where no
    /// comparison decided (a mechanism the language lacks, say).
    pub rule: String,
}

impl From<&Finding> for Mark {
    fn from(f: &Finding) -> Mark {
        let (rule, reason) = crate::evidence::parts(&f.evidence);
        Mark { status: f.verdict, label: f.verdict.label(), evidence: f.evidence.clone(), reason, rule }
    }
}

/// Every verdict, as the summaries count them; a zero "does not apply", "not measured" or "definition" is left out.
fn parts(count: impl Fn(Verdict) -> usize) -> Vec<Part> {
    Verdict::ALL
        .iter()
        .map(|&v| Part { status: v, count: count(v), text: v.label() })
        .filter(|p| {
            p.count > 0 || !matches!(p.status, Verdict::DoesNotApply | Verdict::NotMeasured | Verdict::Definition)
        })
        .collect()
}

/// The params of a result that differ from its experiment's defaults, as "field = value (default d)".
fn params_changed(r: &crate::result::LabResult) -> Vec<String> {
    let defaults = crate::registry::get(&r.experiment).and_then(|q| (q.defaults)()).unwrap_or_default();
    let (Some(given), Some(defaults)) = (r.params.as_object(), defaults.as_object()) else {
        return Vec::new();
    };
    given
        .iter()
        .filter(|(k, v)| defaults.get(*k) != Some(*v))
        .map(|(k, v)| match defaults.get(k) {
            Some(d) => format!("{k} = {v} (default {d})"),
            None => format!("{k} = {v}"),
        })
        .collect()
}

fn file_name(path: &std::path::Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

impl Ledger {
    /// The ledger as data, for the HTML and the JSON.
    pub fn view(&self) -> View {
        let machines = (0..self.sources.len())
            .map(|i| {
                let s = &self.sources[i];
                let c = self.counts(i);
                let all = |n: [usize; Verdict::ALL.len()]| Verdict::ALL.iter().map(|&v| (v, n[v.index()])).collect();
                MachineView {
                    label: s.label(),
                    line: s.machine.describe(),
                    machine: s.machine.clone(),
                    counts: Languages { rust: all(c.rust), python: all(c.python) },
                    summary: Languages { rust: parts(|v| c.rust(v)), python: parts(|v| c.python(v)) },
                    results: s
                        .results
                        .iter()
                        .map(|r| FileView {
                            path: r.path.display().to_string(),
                            file: file_name(&r.path),
                            experiment: r.result.experiment.clone(),
                            modified: utc(r.modified),
                            modified_unix: r.modified.duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_secs()),
                            finished: r.result.finished.clone(),
                            params_changed: params_changed(&r.result),
                        })
                        .collect(),
                }
            })
            .collect();
        let claims = self
            .catalogue
            .claims
            .iter()
            .map(|quote| ClaimView {
                id: quote.id.clone(),
                question: quote.question,
                quote: quote.quote.clone(),
                notebook: self.catalogue.question(quote.question).map(|q| q.notebook.clone()).unwrap_or_default(),
                machines: (0..self.sources.len())
                    .map(|i| match self.entry(i, quote) {
                        Some(e) => Judged {
                            measured: true,
                            rust: (&e.claim.rust).into(),
                            python: (&e.claim.python).into(),
                            file: Some(file_name(&e.from.path)),
                        },
                        None => {
                            let none = Finding::not_measured("No result of this machine judges this claim.");
                            Judged { measured: false, rust: (&none).into(), python: (&none).into(), file: None }
                        }
                    })
                    .collect(),
            })
            .collect();
        View {
            dirs: self.dirs.iter().map(|d| d.display().to_string()).collect(),
            claim_count: self.catalogue.claims.len(),
            machines,
            questions: self
                .catalogue
                .questions
                .iter()
                .map(|q| QuestionView {
                    number: q.number,
                    question: q.question.clone(),
                    experiment: q.experiment.clone(),
                    notebook: q.notebook.clone(),
                })
                .collect(),
            claims,
            unreadable: self.unreadable.clone(),
            key: key(),
        }
    }

    /// `lab ledger --json`: the view, pretty-printed.
    pub fn to_json(&self) -> crate::error::Result<String> {
        serde_json::to_string_pretty(&self.view())
            .map_err(|e| crate::error::LabError::other(format!("cannot encode the ledger: {e}")))
    }
}

pub use crate::units::utc;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::judging::fixture;
    use crate::result::{Claim, LabResult, SCHEMA};
    use std::path::PathBuf;
    use std::time::Duration;

    fn loaded(experiment: &str, cores: usize, claims: &[(&str, Verdict, Verdict)]) -> crate::ledger::Loaded {
        let mut result = fixture::result(experiment, serde_json::json!({"jobs": 5}));
        result.schema = SCHEMA;
        result.machine = Machine {
            cores,
            memory_bytes: 8 << 30,
            cpu: "A <fast> CPU".into(),
            os: "Linux".into(),
            rustc: "rustc 1.95.0".into(),
            python: "Python 3.11.7".into(),
            python_gil: Some(true),
            memory_limit_bytes: None,
        };
        let because = "The limit was the bottleneck at every size we tried. Then more words follow here.";
        result.claims = claims
            .iter()
            .map(|(id, r, p)| Claim::new(id, Finding::fixture(*r, because), Finding::fixture(*p, because)).unwrap())
            .collect();
        crate::ledger::Loaded {
            result,
            path: PathBuf::from(format!("results/{experiment}-{cores}cores.json")),
            modified: SystemTime::UNIX_EPOCH + Duration::from_secs(86_400 + 61),
        }
    }

    #[test]
    fn the_json_parses_and_holds_every_claim_of_the_catalogue() {
        let l = Ledger::from_loaded(
            vec![
                loaded("q3", 16, &[("3.2", Verdict::Refined, Verdict::Confirmed)]),
                loaded("q2", 2, &[("2.1", Verdict::DoesNotApply, Verdict::Confirmed)]),
            ],
            vec![PathBuf::from("results")],
            vec!["bad.json: not a result".into()],
        )
        .unwrap();
        let v: serde_json::Value = serde_json::from_str(&l.to_json().unwrap()).unwrap();
        let ids: Vec<&str> = v["claims"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
        let expected: Vec<&str> = l.catalogue.claims.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, expected);
        assert_eq!(v["claim_count"], expected.len());
        assert_eq!(v["questions"].as_array().unwrap().len(), l.catalogue.questions.len());
        assert_eq!(v["unreadable"][0], "bad.json: not a result");
        // The key names every verdict, the definition among them.
        assert_eq!(v["key"].as_array().unwrap().len(), Verdict::ALL.len());
        assert_eq!(v["key"][5]["status"], "definition");
        assert!(v["key"][5]["meaning"].as_str().unwrap().contains("nothing measured could contradict it"));

        let m = &v["machines"][0];
        assert_eq!(m["label"], "2 cores · A <fast> CPU", "fewest cores first");
        assert_eq!(m["line"], l.sources[0].machine.describe());
        assert_eq!(m["results"][0]["file"], "q2-2cores.json");
        assert_eq!(m["results"][0]["modified"], "1970-01-02 00:01 UTC");
        assert_eq!(m["results"][0]["params_changed"][0], "jobs = 5 (default 16)", "a cut-down run says so");
        let total = expected.len();
        assert_eq!(m["counts"]["rust"]["does-not-apply"], 1);
        assert_eq!(m["counts"]["rust"]["not-measured"], total - 1);
        assert_eq!(m["counts"]["python"]["confirmed"], 1);
        let rust: Vec<String> =
            m["summary"]["rust"].as_array().unwrap().iter().map(|p| format!("{} {}", p["count"], p["text"])).collect();
        let n = total - 1;
        let expect = [
            "0 \"confirmed\"",
            "0 \"refined\"",
            "0 \"contradicted\"",
            &format!("{n} \"not measured\""),
            "1 \"does not apply\"",
        ];
        assert_eq!(rust, expect);
        let python: Vec<&str> =
            m["summary"]["python"].as_array().unwrap().iter().map(|p| p["status"].as_str().unwrap()).collect();
        assert_eq!(
            python,
            ["confirmed", "refined", "contradicted", "not-measured"],
            "a zero `does not apply` is left out"
        );

        let claim = |id: &str| v["claims"].as_array().unwrap().iter().find(|c| c["id"] == id).unwrap().clone();
        let c = claim("2.1");
        assert_eq!(
            (c["question"].as_u64(), c["notebook"].as_str().is_some_and(|s| s.starts_with("02_"))),
            (Some(2), true)
        );
        let on2 = &c["machines"][0];
        assert_eq!(
            (on2["measured"].as_bool(), &on2["rust"]["status"], &on2["rust"]["label"]),
            (Some(true), &"does-not-apply".into(), &"does not apply".into())
        );
        assert_eq!(on2["python"]["status"], "confirmed");
        assert_eq!(
            on2["python"]["reason"],
            "The limit was the bottleneck at every size we tried. Then more words follow here."
        );
        assert_eq!(on2["python"]["rule"], "");
        assert!(on2["rust"]["evidence"].as_str().unwrap().ends_with("follow here."));
        let on16 = &c["machines"][1];
        assert_eq!((on16["measured"].as_bool(), &on16["rust"]["status"]), (Some(false), &"not-measured".into()));
        assert!(on16["file"].is_null());
        assert_eq!(claim("3.2")["machines"][1]["rust"]["status"], "refined");
        let _ = LabResult::default();
    }
}
