//! The ledger as data, every verdict and sentence already decided: what notebook 00's HTML
//! (`display::ledger_html`) draws and what `lab ledger --json` prints for the report index's template, so neither
//! the HTML nor the Python side derives a status, a count or a machine line of its own.

use super::{Ledger, Status};
use crate::result::Machine;
use serde::Serialize;
use std::collections::BTreeMap;
use std::time::SystemTime;

/// How long the evidence's first sentence may be in a table cell.
pub const EVIDENCE_CHARS: usize = 170;

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
}

#[derive(Debug, Clone, Serialize)]
pub struct MachineView {
    /// Short, for column headers: "2 cores · AMD EPYC 7B13".
    pub label: String,
    /// `Machine::describe`: cores, CPU, memory, OS, rustc, Python.
    pub line: String,
    pub machine: Machine,
    /// How many claims ended in each status (every status, zeros included).
    pub counts: Languages<BTreeMap<Status, usize>>,
    /// The summary line's parts, in order; a zero "not run" or "not measured" is left out.
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
    pub status: Status,
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

/// One claim on one machine. Not measured there: both statuses say so and there is no evidence.
#[derive(Debug, Clone, Serialize)]
pub struct Judged {
    pub measured: bool,
    pub rust: Mark,
    pub python: Mark,
    pub evidence: Option<String>,
    /// The evidence's first sentence (its key number), at most `EVIDENCE_CHARS` characters.
    pub evidence_first: Option<String>,
    /// The result file the verdict comes from.
    pub file: Option<String>,
}

/// A status and its words: `{"status": "python-only", "label": "Python only"}`.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Mark {
    pub status: Status,
    pub label: &'static str,
}

impl From<Status> for Mark {
    fn from(status: Status) -> Mark {
        Mark { status, label: status.label() }
    }
}

/// The statuses each language's summary names, in order, with their words there.
const RUST_PARTS: [(Status, &str); 5] = [
    (Status::Confirmed, "confirmed"),
    (Status::Refined, "refined"),
    (Status::Contradicted, "contradicted"),
    (Status::PythonOnly, "hold only for Python"),
    (Status::NotMeasured, "not measured"),
];
const PYTHON_PARTS: [(Status, &str); 5] = [
    (Status::Confirmed, "confirmed"),
    (Status::Refined, "refined"),
    (Status::Contradicted, "contradicted"),
    (Status::NotRun, "not run"),
    (Status::NotMeasured, "not measured"),
];

fn parts(order: &[(Status, &'static str)], count: impl Fn(Status) -> usize) -> Vec<Part> {
    order
        .iter()
        .map(|&(status, text)| Part { status, count: count(status), text })
        .filter(|p| p.count > 0 || !matches!(p.status, Status::NotRun | Status::NotMeasured))
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
                let all = |n: [usize; 6]| Status::ALL.iter().map(|&st| (st, n[st.index()])).collect();
                MachineView {
                    label: s.label(),
                    line: s.machine.describe(),
                    machine: s.machine.clone(),
                    counts: Languages { rust: all(c.rust), python: all(c.python) },
                    summary: Languages {
                        rust: parts(&RUST_PARTS, |st| c.rust(st)),
                        python: parts(&PYTHON_PARTS, |st| c.python(st)),
                    },
                    results: s
                        .results
                        .iter()
                        .map(|r| FileView {
                            path: r.path.display().to_string(),
                            file: file_name(&r.path),
                            experiment: r.result.experiment.clone(),
                            modified: utc(r.modified),
                            modified_unix: r.modified.duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_secs()),
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
                            rust: e.rust.into(),
                            python: e.python.into(),
                            evidence: Some(e.claim.evidence.clone()),
                            evidence_first: Some(first_sentence(&e.claim.evidence, EVIDENCE_CHARS)),
                            file: Some(file_name(&e.from.path)),
                        },
                        None => Judged {
                            measured: false,
                            rust: Status::NotMeasured.into(),
                            python: Status::NotMeasured.into(),
                            evidence: None,
                            evidence_first: None,
                            file: None,
                        },
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
        }
    }

    /// `lab ledger --json`: the view, pretty-printed.
    pub fn to_json(&self) -> crate::error::Result<String> {
        serde_json::to_string_pretty(&self.view())
            .map_err(|e| crate::error::LabError::other(format!("cannot encode the ledger: {e}")))
    }
}

/// The evidence's first sentence (its key number), cut to `max` characters; the whole text goes in a tooltip.
pub fn first_sentence(text: &str, max: usize) -> String {
    let end =
        text.char_indices().find(|&(i, c)| i >= 40 && c == '.' && text[i + 1..].starts_with(' ')).map(|(i, _)| i + 1);
    let s = &text[..end.unwrap_or(text.len())];
    if s.chars().count() <= max {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(max).collect::<String>().trim_end())
    }
}

/// `t` as "YYYY-MM-DD HH:MM UTC" (civil-from-days: no date crate for one line of text).
pub fn utc(t: SystemTime) -> String {
    let secs = t.duration_since(SystemTime::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02} {:02}:{:02} UTC", rem / 3600, rem % 3600 / 60)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::result::{Claim, LabResult, Verdict};
    use std::path::PathBuf;
    use std::time::Duration;

    fn loaded(experiment: &str, cores: usize, claims: &[(&str, Verdict)]) -> crate::ledger::Loaded {
        let cat = crate::claims::catalogue().unwrap();
        let machine = Machine {
            cores,
            memory_bytes: 8 << 30,
            cpu: "A <fast> CPU".into(),
            os: "Linux".into(),
            rustc: "rustc 1.95.0".into(),
            python: "Python 3.11.7".into(),
        };
        let claims = claims
            .iter()
            .map(|(id, v)| Claim {
                id: (*id).into(),
                claim: cat.claim(id).unwrap().quote.clone(),
                verdict: *v,
                evidence: "The limit was the bottleneck at every size we tried. Then more words follow here.".into(),
            })
            .collect();
        let result = LabResult {
            experiment: experiment.into(),
            params: serde_json::json!({}),
            machine,
            headline: String::new(),
            series: Vec::new(),
            claims,
        };
        crate::ledger::Loaded {
            result,
            path: PathBuf::from(format!("results/{experiment}-{cores}cores.json")),
            modified: SystemTime::UNIX_EPOCH + Duration::from_secs(86_400 + 61),
        }
    }

    #[test]
    fn the_json_parses_and_holds_every_claim_of_the_catalogue() {
        let l = Ledger::from_loaded(
            vec![loaded("q3", 16, &[("3.2", Verdict::Refined)]), loaded("q2", 2, &[("2.1", Verdict::PythonOnly)])],
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

        let m = &v["machines"][0];
        assert_eq!(m["label"], "2 cores · A <fast> CPU", "fewest cores first");
        assert_eq!(m["line"], "2 cores, A <fast> CPU, 8.0 GiB, Linux; rustc 1.95.0; Python 3.11.7");
        assert_eq!(m["line"], l.sources[0].machine.describe());
        assert_eq!(m["machine"]["memory_bytes"], 8u64 << 30);
        assert_eq!(m["results"][0]["file"], "q2-2cores.json");
        assert_eq!(m["results"][0]["modified"], "1970-01-02 00:01 UTC");
        let total = expected.len();
        assert_eq!(m["counts"]["rust"]["python-only"], 1);
        assert_eq!(m["counts"]["rust"]["not-measured"], total - 1);
        assert_eq!(m["counts"]["python"]["not-run"], 0);
        let rust: Vec<String> =
            m["summary"]["rust"].as_array().unwrap().iter().map(|p| format!("{} {}", p["count"], p["text"])).collect();
        let n = total - 1;
        assert_eq!(
            rust,
            [
                "0 \"confirmed\"",
                "0 \"refined\"",
                "0 \"contradicted\"",
                "1 \"hold only for Python\"",
                &format!("{n} \"not measured\"")
            ]
        );
        let python: Vec<&str> =
            m["summary"]["python"].as_array().unwrap().iter().map(|p| p["status"].as_str().unwrap()).collect();
        assert_eq!(python, ["confirmed", "refined", "contradicted", "not-measured"], "a zero `not run` is left out");

        let claim = |id: &str| v["claims"].as_array().unwrap().iter().find(|c| c["id"] == id).unwrap().clone();
        let c = claim("2.1");
        assert_eq!(
            (c["question"].as_u64(), c["notebook"].as_str().is_some_and(|s| s.starts_with("02_"))),
            (Some(2), true)
        );
        let on2 = &c["machines"][0];
        assert_eq!(
            (on2["measured"].as_bool(), &on2["rust"]["status"], &on2["rust"]["label"]),
            (Some(true), &"python-only".into(), &"Python only".into())
        );
        assert_eq!(on2["python"]["status"], "confirmed");
        assert_eq!(on2["evidence_first"], "The limit was the bottleneck at every size we tried.");
        assert!(on2["evidence"].as_str().unwrap().ends_with("follow here."));
        let on16 = &c["machines"][1];
        assert_eq!((on16["measured"].as_bool(), &on16["rust"]["status"]), (Some(false), &"not-measured".into()));
        assert!(on16["evidence"].is_null());
        assert_eq!(claim("3.2")["machines"][1]["rust"]["status"], "refined");
    }
}
