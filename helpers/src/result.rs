//! The result JSON every experiment returns, on both sides of the runner. Later experiments extend it
//! (new series, new claims, new optional fields); they never change what is here.

use crate::error::{LabError, Result};
use serde::{Deserialize, Serialize};

/// The machine a result came from, so a JSON file describes itself.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Machine {
    /// Cores this process may use (`available_parallelism`: honours affinity and cgroup limits).
    pub cores: usize,
    pub memory_bytes: u64,
    pub cpu: String,
    pub os: String,
    pub rustc: String,
    /// The Python that ran the twins, or a note saying none ran.
    pub python: String,
    /// Whether that Python has a GIL (`sys._is_gil_enabled()`; free-threaded CPython does not). None: no Python
    /// ran, or a result older than this field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub python_gil: Option<bool>,
    /// The memory limit of this process's cgroup, where one is set below the machine's memory. None: no limit, or
    /// a result older than this field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_limit_bytes: Option<u64>,
}

impl Machine {
    /// "1 core", "16 cores".
    /// The memory this process may use: its cgroup's limit where one is set, else the machine's.
    pub fn memory_available_bytes(&self) -> u64 {
        self.memory_limit_bytes.map_or(self.memory_bytes, |l| l.min(self.memory_bytes))
    }

    pub fn cores_label(&self) -> String {
        format!("{} core{}", self.cores, if self.cores == 1 { "" } else { "s" })
    }

    /// The machine in one line, wherever a page names it (a result's summary, the ledger, the report banner
    /// and index, through `lab ledger --json`): "2 cores, AMD EPYC 7B13, 7.8 GiB, Linux (Debian GNU/Linux 12);
    /// rustc 1.95.0; Python 3.11.7".
    pub fn describe(&self) -> String {
        let gib = self.memory_bytes as f64 / (1u64 << 30) as f64;
        format!("{}, {}, {gib:.1} GiB, {}; {}; {}", self.cores_label(), self.cpu, self.os, self.rustc, self.python)
    }
}

/// One line on a chart: `points` are `[x, y]`, y being the median over repeats;
/// `min`/`max` (same length as `points`, empty when there was one repeat) give the spread.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Series {
    pub name: String,
    pub x: String,
    pub y: String,
    pub points: Vec<[f64; 2]>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub min: Vec<f64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub max: Vec<f64>,
}

impl Series {
    pub fn new(name: &str, x: &str, y: &str) -> Self {
        Series { name: name.into(), x: x.into(), y: y.into(), ..Default::default() }
    }

    /// Adds a point whose y is summarised from repeats (median; min and max kept when there are several).
    pub fn push_samples(&mut self, x: f64, samples: &[f64]) {
        let s = crate::stats::Summary::of(samples);
        self.points.push([x, s.median]);
        if samples.len() > 1 || !self.min.is_empty() {
            self.min.push(s.min);
            self.max.push(s.max);
        }
    }

    /// The y at `x`, if this series has a point there.
    pub fn at(&self, x: f64) -> Option<f64> {
        self.points.iter().find(|p| (p[0] - x).abs() < 1e-9).map(|p| p[1])
    }
}

pub use crate::verdict_types::{Finding, Verdict};

/// One line of the learner's notes, quoted, with a verdict for Rust and one for Python, each with the numbers
/// behind it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Claim {
    pub id: String,
    pub claim: String,
    pub rust: Finding,
    pub python: Finding,
}

/// The result format written today: 2 since results say where they came from and each claim carries a Rust and a
/// Python verdict.
pub const SCHEMA: u32 = 2;

/// Everything one experiment run produced.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct LabResult {
    /// The result format's version (`SCHEMA`); files without one are older.
    #[serde(default)]
    pub schema: u32,
    pub experiment: String,
    /// Where the result came from: the lab's version, the git commit it was built from (when it was built from
    /// a checkout), and when the run started and finished (RFC 3339, UTC).
    #[serde(default)]
    pub lab_version: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub commit: String,
    #[serde(default)]
    pub started: String,
    #[serde(default)]
    pub finished: String,
    /// The parameters with defaults applied.
    pub params: serde_json::Value,
    pub machine: Machine,
    /// One sentence with the run's key number, for summaries and the report index.
    #[serde(default)]
    pub headline: String,
    pub series: Vec<Series>,
    pub claims: Vec<Claim>,
    /// What each task did over time, per variant, where time is the story (`timeline`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub timelines: Vec<crate::timeline::Timeline>,
}

impl LabResult {
    /// The series called `name` that measures `y`.
    pub fn series(&self, name: &str, y: &str) -> Option<&Series> {
        self.series.iter().find(|s| s.name == name && s.y == y)
    }

    /// The measured `y` of series `name` at `x`, or an error that says what is missing.
    pub fn value(&self, name: &str, y: &str, x: f64) -> Result<f64> {
        let s = self.series(name, y).ok_or_else(|| {
            LabError::other(format!("{}: no series `{name}` measuring `{y}` in this result", self.experiment))
        })?;
        s.at(x).ok_or_else(|| {
            LabError::other(format!("{}: series `{name}` has no point at {} = {x}", self.experiment, s.x))
        })
    }

    /// Every series measuring `y`, in order.
    pub fn series_of(&self, y: &str) -> Vec<&Series> {
        self.series.iter().filter(|s| s.y == y).collect()
    }

    /// The timeline of variant `name`.
    pub fn timeline(&self, name: &str) -> Option<&crate::timeline::Timeline> {
        self.timelines.iter().find(|t| t.name == name)
    }

    pub fn claim(&self, id: &str) -> Option<&Claim> {
        self.claims.iter().find(|c| c.id == id)
    }

    /// The result as one line of JSON: a run with timelines holds thousands of short rows, which indented JSON
    /// would make three times larger (`jq .` shows it indented).
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string(self).map_err(|e| LabError::other(format!("cannot encode result: {e}")))
    }

    pub fn from_json(json: &str) -> Result<Self> {
        serde_json::from_str(json).map_err(|e| LabError::child(format!("result JSON does not parse: {e}")))
    }
}

/// Loads a result written by `lab ... > file.json` (for example on a bigger machine), to chart beside a local run.
pub fn load(path: impl AsRef<std::path::Path>) -> Result<LabResult> {
    let path = path.as_ref();
    let text = std::fs::read_to_string(path)
        .map_err(|e| LabError::other(format!("cannot read result file {}: {e}", path.display())))?;
    LabResult::from_json(&text).map_err(|e| LabError::other(format!("{}: {}", path.display(), e.message)))
}

impl LabResult {
    /// The file name a result is saved under: one per experiment and machine size, so the latest run replaces
    /// the one before it (`make bench` writes the same names).
    pub fn file_name(&self) -> String {
        format!("{}-{}cores.json", self.experiment, self.machine.cores)
    }

    /// Writes the result as JSON into `dir` (created when missing) and returns the file's path.
    pub fn save(&self, dir: impl AsRef<std::path::Path>) -> Result<std::path::PathBuf> {
        let dir = dir.as_ref();
        std::fs::create_dir_all(dir)
            .map_err(|e| LabError::other(format!("cannot create the results folder {}: {e}", dir.display())))?;
        let path = dir.join(self.file_name());
        std::fs::write(&path, self.to_json()? + "\n")
            .map_err(|e| LabError::other(format!("cannot write {}: {e}", path.display())))?;
        Ok(path)
    }
}
