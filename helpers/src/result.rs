//! The result JSON every experiment returns, on both sides of the runner. Later experiments extend it
//! (new series, new claims, new optional fields); they never change what is here.

use crate::error::{LabError, Result};
use serde::{Deserialize, Serialize};
use serde_json::ser::Formatter;

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
}

impl Machine {
    /// "1 core", "16 cores".
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

    /// Indented JSON with each row on one line: an array inside an array (a point, a timeline's span) is written
    /// compact, so a result's thousands of points and spans take a line each, not five to eight.
    pub fn to_json(&self) -> Result<String> {
        let mut out = Vec::new();
        let mut ser = serde_json::Serializer::with_formatter(&mut out, Rows::default());
        self.serialize(&mut ser).map_err(|e| LabError::other(format!("cannot encode result: {e}")))?;
        String::from_utf8(out).map_err(|e| LabError::other(format!("cannot encode result: {e}")))
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

/// serde_json's pretty layout, except that an array nested in an array is written compact, with all it holds.
#[derive(Default)]
struct Rows {
    pretty: serde_json::ser::PrettyFormatter<'static>,
    /// Whether each open container is an array.
    open: Vec<bool>,
    /// How many of the open containers are written compact.
    compact: usize,
}

type Io = std::io::Result<()>;

impl Rows {
    /// Opens a container: compact inside a compact one, or for an array inside an array.
    fn open<W: ?Sized + std::io::Write>(&mut self, w: &mut W, array: bool) -> Io {
        let compact = self.compact > 0 || (array && self.open.last() == Some(&true));
        self.open.push(array);
        self.compact += usize::from(compact);
        match (compact, array) {
            (true, true) => serde_json::ser::CompactFormatter.begin_array(w),
            (true, false) => serde_json::ser::CompactFormatter.begin_object(w),
            (false, true) => self.pretty.begin_array(w),
            (false, false) => self.pretty.begin_object(w),
        }
    }

    fn close<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> Io {
        let array = self.open.pop().unwrap_or(false);
        let compact = self.compact > 0;
        self.compact -= usize::from(compact);
        match (compact, array) {
            (true, true) => serde_json::ser::CompactFormatter.end_array(w),
            (true, false) => serde_json::ser::CompactFormatter.end_object(w),
            (false, true) => self.pretty.end_array(w),
            (false, false) => self.pretty.end_object(w),
        }
    }
}

impl Formatter for Rows {
    fn begin_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> Io {
        self.open(w, true)
    }
    fn end_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> Io {
        self.close(w)
    }
    fn begin_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> Io {
        self.open(w, false)
    }
    fn end_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> Io {
        self.close(w)
    }
    fn begin_array_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W, first: bool) -> Io {
        if self.compact > 0 {
            serde_json::ser::CompactFormatter.begin_array_value(w, first)
        } else {
            self.pretty.begin_array_value(w, first)
        }
    }
    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> Io {
        if self.compact > 0 {
            Ok(())
        } else {
            self.pretty.end_array_value(w)
        }
    }
    fn begin_object_key<W: ?Sized + std::io::Write>(&mut self, w: &mut W, first: bool) -> Io {
        if self.compact > 0 {
            serde_json::ser::CompactFormatter.begin_object_key(w, first)
        } else {
            self.pretty.begin_object_key(w, first)
        }
    }
    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> Io {
        if self.compact > 0 {
            serde_json::ser::CompactFormatter.begin_object_value(w)
        } else {
            self.pretty.begin_object_value(w)
        }
    }
    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> Io {
        if self.compact > 0 {
            Ok(())
        } else {
            self.pretty.end_object_value(w)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timeline::{Span, Timeline};

    #[test]
    fn json_keeps_each_point_and_span_on_one_line_and_reads_back_the_same() {
        let r = LabResult {
            experiment: "q3".into(),
            params: serde_json::json!({"limits": [10, 100], "python": true}),
            series: vec![Series { points: vec![[10.0, 10.1], [100.0, 1.01]], ..Series::new("tokio", "limit", "s") }],
            timelines: vec![Timeline {
                name: "tokio".into(),
                spans: vec![Span { task: 7, lane: 0, at: vec![Some(0.5), None, Some(2.25)] }],
                ..Default::default()
            }],
            ..Default::default()
        };
        let json = r.to_json().unwrap();
        let lines: Vec<&str> = json.lines().map(str::trim).collect();
        for row in ["[10.0,10.1],", "[100.0,1.01]", "[7,0,[0.5,null,2.25]]", "\"experiment\": \"q3\","] {
            assert!(lines.contains(&row), "no line {row} in\n{json}");
        }
        assert!(lines.contains(&"\"limits\": ["), "a list of values in an object stays one a line:\n{json}");
        assert_eq!(LabResult::from_json(&json).unwrap(), r);
        let pretty = serde_json::to_string_pretty(&r).unwrap();
        let value = |text: &str| serde_json::from_str::<serde_json::Value>(text).unwrap();
        assert_eq!(value(&json), value(&pretty));
        assert!(json.len() < pretty.len());
    }
}
