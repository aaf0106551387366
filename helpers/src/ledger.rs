//! The claim ledger: every claim of the notes (claims.json) against the latest result of each experiment, per
//! machine. Results are JSON files (`LabResult`) in one or more folders: the ones notebook runs save, `make bench`
//! writes, or someone copied from a bigger machine. `view` turns it into data (`lab ledger --json`, which the report
//! index renders); notebook 00 draws that data with `html::ledger_html`. Every result is judged again with
//! today's rules as it is loaded.

use crate::claims::{catalogue, Catalogue, Quote};
use crate::error::{LabError, Result};
use crate::result::{Claim, LabResult, Machine, Verdict, SCHEMA};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

pub mod html;
pub mod view;
pub use view::{utc, View};

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

/// One claim as one machine's result judged it.
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    pub claim: &'a Claim,
    pub from: &'a Loaded,
}

/// How many claims ended in each verdict (`Verdict::ALL`'s order), for Rust and for Python.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    pub rust: [usize; Verdict::ALL.len()],
    pub python: [usize; Verdict::ALL.len()],
}

impl Counts {
    pub fn rust(&self, v: Verdict) -> usize {
        self.rust[v.index()]
    }
    pub fn python(&self, v: Verdict) -> usize {
        self.python[v.index()]
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

/// Results of one machine go together: the same cores, CPU, memory, OS, compiler and Python.
fn same_machine(a: &Machine, b: &Machine) -> bool {
    a.cores == b.cores
        && a.cpu == b.cpu
        && a.memory_bytes == b.memory_bytes
        && a.os == b.os
        && a.rustc == b.rustc
        && a.python == b.python
}

/// Judges a result again with today's rules (so an old file never shows a stale verdict), or says why it cannot.
fn rejudge(mut result: LabResult) -> Result<LabResult> {
    if result.schema < SCHEMA {
        return Err(LabError::other(format!(
            "made by an older lab (result format {}, this lab reads {SCHEMA}); run it again",
            result.schema
        )));
    }
    (crate::registry::get(&result.experiment)?.judge)(&mut result)?;
    Ok(result)
}

/// Which of two results of one experiment is newer: the time inside the file, then the file's time.
fn newer(a: &Loaded, b: &Loaded) -> bool {
    (a.result.finished.as_str(), a.modified) > (b.result.finished.as_str(), b.modified)
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
            match crate::result::load(&path).and_then(rejudge) {
                Ok(result) => {
                    let modified =
                        std::fs::metadata(&path).and_then(|m| m.modified()).unwrap_or(SystemTime::UNIX_EPOCH);
                    loaded.push(Loaded { result, path, modified });
                }
                Err(e) if e.message.starts_with(&path.display().to_string()) => unreadable.push(e.message),
                Err(e) => unreadable.push(format!("{}: {}", path.display(), e.message)),
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
                Some(j) if !newer(&l, &results[j]) => {}
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

    /// How `source`'s latest results judged claim `quote` (judged again with today's rules when loaded).
    pub fn entry(&self, source: usize, quote: &Quote) -> Option<Entry<'_>> {
        let question = self.catalogue.question(quote.question)?;
        let from = self.sources.get(source)?.result(&question.experiment)?;
        let claim = from.result.claims.iter().find(|c| c.id == quote.id)?;
        Some(Entry { claim, from })
    }

    /// Every claim's verdicts on `source`, counted; a claim no result judges is not measured in both.
    pub fn counts(&self, source: usize) -> Counts {
        let mut c = Counts::default();
        for quote in &self.catalogue.claims {
            let (r, p) = self.entry(source, quote).map_or((Verdict::NotMeasured, Verdict::NotMeasured), |e| {
                (e.claim.rust.verdict, e.claim.python.verdict)
            });
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
    use crate::judging::fixture;
    use std::time::Duration;

    /// A q7 result with the numbers its rules need, on a machine of `cores`, finished at `finished`.
    fn q7(cores: usize, finished: &str, python: bool) -> LabResult {
        let mut r = fixture::result("q7", serde_json::json!({"tasks": [10, 100], "duration_ms": 10}));
        r.schema = SCHEMA;
        r.machine.cores = cores;
        r.finished = finished.into();
        for name in ["sleep", "spin", "python sleep", "python spin"] {
            for (x, wall) in [(10.0, 0.0105), (100.0, 0.011)] {
                let wall = if name.ends_with("spin") { wall * x / 2.0 } else { wall };
                fixture::set(&mut r, name, "tasks", "wall_s", x, wall);
                fixture::set(&mut r, name, "tasks", "cpu_s", x, if name.ends_with("spin") { wall } else { 0.001 });
            }
        }
        if python {
            r
        } else {
            fixture::without_python(r)
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
    fn machines_are_columns_and_the_latest_result_by_its_own_time_wins() {
        let old = q7(2, "2026-01-01T00:00:00Z", true);
        let new = q7(2, "2026-02-01T00:00:00Z", false);
        let big = q7(16, "2026-01-01T00:00:00Z", true);
        // The older result's file is the newest on disk: the time inside the file decides.
        let l = Ledger::from_loaded(vec![loaded(big, 5), loaded(new, 1), loaded(old, 9)], vec![], vec![]).unwrap();
        assert_eq!(l.sources.len(), 3, "python not run is another machine description");
        let l = Ledger::from_loaded(
            vec![loaded(q7(2, "2026-01-01T00:00:00Z", true), 9), loaded(q7(2, "2026-02-01T00:00:00Z", true), 1)],
            vec![],
            vec![],
        )
        .unwrap();
        assert_eq!(l.sources.len(), 1);
        assert_eq!(l.sources[0].results[0].result.finished, "2026-02-01T00:00:00Z");
        assert_eq!(l.latest("q7").len(), 1);
    }

    #[test]
    fn counts_cover_every_claim_in_both_languages() {
        let l = Ledger::from_loaded(vec![loaded(q7(2, "t", false), 1)], vec![], vec![]).unwrap();
        let c = l.counts(0);
        let total = l.catalogue.claims.len();
        assert_eq!(c.rust.iter().sum::<usize>(), total);
        assert_eq!(c.python.iter().sum::<usize>(), total);
        let q7_claims = l.catalogue.claims.iter().filter(|c| c.question == 7).count();
        assert_eq!(c.python(Verdict::NotMeasured), total, "no twin: Python measured nothing");
        assert!(c.rust(Verdict::NotMeasured) >= total - q7_claims);
    }

    #[test]
    fn results_are_judged_again_and_old_formats_are_listed_not_shown() {
        let dir = std::env::temp_dir().join(format!("lab-ledger-test-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(dir.join("sub/bad.json"), "{}").unwrap();
        let mut stale = q7(2, "t", true);
        stale.claims = Vec::new(); // judged by nobody when saved: the ledger judges it itself
        stale.save(&dir).unwrap();
        let mut old = q7(4, "t", true);
        old.schema = 1;
        old.save(dir.join("sub")).unwrap();
        let l = Ledger::load(&[dir.clone(), dir.join("missing")]).unwrap();
        assert_eq!(l.sources.len(), 1);
        let claims = &l.sources[0].results[0].result.claims;
        assert_eq!(claims.len(), l.catalogue.claims.iter().filter(|c| c.question == 7).count());
        assert_eq!(l.unreadable.len(), 2, "{:?}", l.unreadable);
        assert!(l.unreadable.iter().any(|u| u.contains("bad.json")));
        assert!(l.unreadable.iter().any(|u| u.contains("q7-4cores.json") && u.contains("older lab")));
        let empty = Ledger::load(&[dir.join("missing")]).unwrap();
        assert!(empty.require_results().unwrap_err().message.contains("no results in"));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
