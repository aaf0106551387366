//! The claim ledger: every claim of the notes (claims.json) against the latest result of each experiment, per
//! machine. Results are JSON files (`LabResult`) in one or more folders: the ones notebook runs save, `make bench`
//! writes, or someone copied from a bigger machine. `view` turns it into data (`lab ledger --json`, which the report
//! index renders); notebook 00 draws that data with `display::ledger_html`.

use crate::claims::{catalogue, Catalogue, Quote};
use crate::error::{LabError, Result};
use crate::result::{Claim, LabResult, Machine, Verdict};
use serde::{Serialize, Serializer};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

pub mod view;
pub use view::{first_sentence, utc, View};

/// One result file as read.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub result: LabResult,
    pub path: PathBuf,
    pub modified: SystemTime,
}

/// The results of one machine: the latest file of each experiment.
#[derive(Debug, Clone)]
pub struct Source {
    pub machine: Machine,
    pub results: Vec<Loaded>,
}

impl Source {
    pub fn result(&self, experiment: &str) -> Option<&Loaded> {
        self.results.iter().find(|l| l.result.experiment == experiment)
    }

    /// A short name for column headers: "2 cores · AMD EPYC 7B13".
    pub fn label(&self) -> String {
        machine_label(&self.machine)
    }
}

/// A machine's short name, for column headers and chart captions: "2 cores · AMD EPYC 7B13" (`Machine::describe`
/// is the whole line).
pub fn machine_label(m: &Machine) -> String {
    format!("{} · {}", m.cores_label(), m.cpu)
}

/// How one claim fared in one language on one machine. In JSON, its `key`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    Confirmed,
    Refined,
    Contradicted,
    /// Rust's column for a claim that holds only for Python (the GIL, asyncio, the GC).
    PythonOnly,
    /// Python's column when the result was made with `python: false`.
    NotRun,
    /// No result of this machine judges the claim.
    NotMeasured,
}

impl Status {
    pub const ALL: [Status; 6] = [
        Status::Confirmed,
        Status::Refined,
        Status::Contradicted,
        Status::PythonOnly,
        Status::NotRun,
        Status::NotMeasured,
    ];

    /// Its name in JSON and in CSS classes: "confirmed", "python-only", "not-measured".
    pub fn key(self) -> &'static str {
        match self {
            Status::Confirmed => "confirmed",
            Status::Refined => "refined",
            Status::Contradicted => "contradicted",
            Status::PythonOnly => "python-only",
            Status::NotRun => "not-run",
            Status::NotMeasured => "not-measured",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Confirmed => "confirmed",
            Status::Refined => "refined",
            Status::Contradicted => "contradicted",
            Status::PythonOnly => "Python only",
            Status::NotRun => "not run",
            Status::NotMeasured => "not measured",
        }
    }

    /// Its place in `Counts`' arrays: the order of the variants above.
    fn index(self) -> usize {
        self as usize
    }
}

impl Serialize for Status {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.key())
    }
}

/// One claim as one machine's result judged it.
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    pub claim: &'a Claim,
    pub from: &'a Loaded,
    pub rust: Status,
    pub python: Status,
}

/// How many claims ended in each status, for Rust and for Python.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    pub rust: [usize; 6],
    pub python: [usize; 6],
}

impl Counts {
    pub fn rust(&self, s: Status) -> usize {
        self.rust[s.index()]
    }
    pub fn python(&self, s: Status) -> usize {
        self.python[s.index()]
    }
}

/// Every machine's latest results, and the files that could not be read.
#[derive(Debug, Clone)]
pub struct Ledger {
    pub catalogue: &'static Catalogue,
    pub dirs: Vec<PathBuf>,
    pub sources: Vec<Source>,
    /// "path: why" for each JSON file that is not a result.
    pub unreadable: Vec<String>,
}

fn json_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            json_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "json") {
            out.push(p);
        }
    }
}

/// Results of one machine go together: the same cores, CPU, memory and OS.
fn same_machine(a: &Machine, b: &Machine) -> bool {
    a.cores == b.cores && a.cpu == b.cpu && a.memory_bytes == b.memory_bytes && a.os == b.os
}

impl Ledger {
    /// Reads every `*.json` result under `dirs` (recursively). A folder that does not exist holds no results;
    /// it is not an error, so a fresh clone shows an empty ledger that says how to fill it.
    pub fn load<P: AsRef<Path>>(dirs: &[P]) -> Result<Ledger> {
        let mut files = Vec::new();
        for d in dirs {
            json_files(d.as_ref(), &mut files);
        }
        files.sort();
        let mut loaded = Vec::new();
        let mut unreadable = Vec::new();
        for path in files {
            match crate::result::load(&path) {
                Ok(result) => {
                    let modified =
                        std::fs::metadata(&path).and_then(|m| m.modified()).unwrap_or(SystemTime::UNIX_EPOCH);
                    loaded.push(Loaded { result, path, modified });
                }
                Err(e) => unreadable.push(e.message),
            }
        }
        Self::from_loaded(loaded, dirs.iter().map(|d| d.as_ref().to_path_buf()).collect(), unreadable)
    }

    /// Groups results by machine and keeps the latest of each experiment; machines in order of cores.
    pub fn from_loaded(loaded: Vec<Loaded>, dirs: Vec<PathBuf>, unreadable: Vec<String>) -> Result<Ledger> {
        let mut sources: Vec<Source> = Vec::new();
        for l in loaded {
            let i = match sources.iter().position(|s| same_machine(&s.machine, &l.result.machine)) {
                Some(i) => i,
                None => {
                    sources.push(Source { machine: l.result.machine.clone(), results: Vec::new() });
                    sources.len() - 1
                }
            };
            let results = &mut sources[i].results;
            match results.iter().position(|o| o.result.experiment == l.result.experiment) {
                Some(j) if results[j].modified >= l.modified => {}
                Some(j) => results[j] = l,
                None => results.push(l),
            }
        }
        for s in &mut sources {
            s.results.sort_by(|a, b| a.result.experiment.cmp(&b.result.experiment));
        }
        sources.sort_by(|a, b| a.machine.cores.cmp(&b.machine.cores).then(a.machine.cpu.cmp(&b.machine.cpu)));
        Ok(Ledger { catalogue: catalogue()?, dirs, sources, unreadable })
    }

    /// How `source`'s latest results judged claim `quote`. A result whose quote differs (made by an older lab)
    /// does not count.
    pub fn entry(&self, source: usize, quote: &Quote) -> Option<Entry<'_>> {
        let question = self.catalogue.question(quote.question)?;
        let from = self.sources.get(source)?.result(&question.experiment)?;
        let claim = from.result.claims.iter().find(|c| c.id == quote.id && c.claim == quote.quote)?;
        let rust = match claim.verdict {
            Verdict::Confirmed => Status::Confirmed,
            Verdict::Refined => Status::Refined,
            Verdict::Contradicted => Status::Contradicted,
            Verdict::PythonOnly => Status::PythonOnly,
        };
        // The verdict is one judgement of the claim; for Python it is the same judgement when the twin ran,
        // except that a claim holding only for Python holds for Python.
        let python = if claim.verdict == Verdict::PythonOnly {
            Status::Confirmed
        } else if from.result.machine.python.starts_with("not run") {
            Status::NotRun
        } else {
            rust
        };
        Some(Entry { claim, from, rust, python })
    }

    /// Every claim's status on `source`, counted.
    pub fn counts(&self, source: usize) -> Counts {
        let mut c = Counts::default();
        for quote in &self.catalogue.claims {
            let (r, p) =
                self.entry(source, quote).map_or((Status::NotMeasured, Status::NotMeasured), |e| (e.rust, e.python));
            c.rust[r.index()] += 1;
            c.python[p.index()] += 1;
        }
        c
    }

    /// The latest result of `experiment` on each machine that has one.
    pub fn latest(&self, experiment: &str) -> Vec<&Loaded> {
        self.sources.iter().filter_map(|s| s.result(experiment)).collect()
    }

    /// An error that says where results come from, for callers that need at least one.
    pub fn require_results(&self) -> Result<()> {
        if self.sources.is_empty() {
            let dirs: Vec<String> = self.dirs.iter().map(|d| d.display().to_string()).collect();
            return Err(LabError::other(format!(
                "no results in {}: run the notebooks 01-09 (each run saves its result there) or `make bench`",
                dirs.join(", ")
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::result::Claim;
    use std::time::Duration;

    fn result(experiment: &str, cores: usize, python: &str, claims: &[(&str, Verdict)]) -> LabResult {
        let cat = catalogue().unwrap();
        LabResult {
            experiment: experiment.into(),
            params: serde_json::json!({}),
            machine: Machine { cores, cpu: "cpu".into(), python: python.into(), ..Default::default() },
            headline: String::new(),
            series: Vec::new(),
            claims: claims
                .iter()
                .map(|(id, v)| Claim {
                    id: (*id).into(),
                    claim: cat.claim(id).unwrap().quote.clone(),
                    verdict: *v,
                    evidence: "because".into(),
                })
                .collect(),
            ..Default::default()
        }
    }

    fn loaded(r: LabResult, secs: u64) -> Loaded {
        Loaded {
            result: r,
            path: PathBuf::from("x.json"),
            modified: SystemTime::UNIX_EPOCH + Duration::from_secs(secs),
        }
    }

    #[test]
    fn machines_are_columns_and_the_latest_result_of_each_wins() {
        let old = result("q3", 2, "Python 3.11", &[("3.2", Verdict::Confirmed)]);
        let new = result("q3", 2, "Python 3.11", &[("3.2", Verdict::Contradicted)]);
        let big = result("q3", 16, "not run (python: false)", &[("3.2", Verdict::Refined)]);
        let l = Ledger::from_loaded(vec![loaded(big, 5), loaded(new, 9), loaded(old, 1)], vec![], vec![]).unwrap();
        assert_eq!(l.sources.len(), 2);
        assert_eq!(l.sources[0].machine.cores, 2, "fewest cores first");
        let q = l.catalogue.claim("3.2").unwrap();
        assert_eq!(l.entry(0, q).unwrap().rust, Status::Contradicted, "the newer file wins");
        let e = l.entry(1, q).unwrap();
        assert_eq!((e.rust, e.python), (Status::Refined, Status::NotRun));
        assert_eq!(l.latest("q3").len(), 2);
    }

    #[test]
    fn counts_cover_every_claim_and_python_only_holds_for_python() {
        let r = result("q2", 2, "Python 3.11", &[("2.1", Verdict::PythonOnly), ("2.3", Verdict::Confirmed)]);
        let l = Ledger::from_loaded(vec![loaded(r, 1)], vec![], vec![]).unwrap();
        let c = l.counts(0);
        let total = l.catalogue.claims.len();
        assert_eq!(c.rust.iter().sum::<usize>(), total);
        assert_eq!(c.python.iter().sum::<usize>(), total);
        assert_eq!((c.rust(Status::PythonOnly), c.python(Status::Confirmed)), (1, 2));
        assert_eq!(c.rust(Status::NotMeasured), total - 2);
    }

    #[test]
    fn a_claim_quoted_differently_by_an_older_result_does_not_count() {
        let mut r = result("q3", 2, "Python 3.11", &[("3.2", Verdict::Confirmed)]);
        r.claims[0].claim = "an older wording".into();
        let l = Ledger::from_loaded(vec![loaded(r, 1)], vec![], vec![]).unwrap();
        assert!(l.entry(0, l.catalogue.claim("3.2").unwrap()).is_none());
    }

    #[test]
    fn a_missing_folder_is_an_empty_ledger_and_bad_files_are_listed() {
        let dir = std::env::temp_dir().join(format!("lab-ledger-test-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(dir.join("sub/bad.json"), "{}").unwrap();
        result("q3", 2, "Python", &[("3.2", Verdict::Confirmed)]).save(&dir).unwrap();
        let l = Ledger::load(&[dir.clone(), dir.join("missing")]).unwrap();
        assert_eq!(l.sources.len(), 1);
        assert_eq!(l.unreadable.len(), 1, "{:?}", l.unreadable);
        assert!(l.unreadable[0].contains("bad.json"));
        let empty = Ledger::load(&[dir.join("missing")]).unwrap();
        assert!(empty.require_results().unwrap_err().message.contains("no results in"));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
