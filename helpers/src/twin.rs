//! Python twins: standard-library scripts in `helpers/python/` that run an experiment's Python side with the same
//! parameters and print the same result JSON. `lab` starts them as children that die with it.

use crate::error::{LabError, Result};
use crate::process;
use crate::result::LabResult;
use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// The interpreter that runs the twins, and its version.
#[derive(Debug, Clone)]
pub struct Python {
    pub path: PathBuf,
    pub version: String,
    /// False on a free-threaded CPython (`sys._is_gil_enabled()`), true on every other.
    pub gil: bool,
}

/// Prints the interpreter's version and whether it has a GIL (only 3.13+ can be built without one).
const PROBE: &str = "import sys; print(sys.version.split()[0], getattr(sys, '_is_gil_enabled', lambda: True)())";

/// Finds Python: `$LAB_PYTHON`, else the lab's venv, else `python3` on PATH; says clearly when there is none.
pub fn find_python() -> Result<Python> {
    let mut candidates: Vec<PathBuf> = Vec::new();
    if let Some(p) = std::env::var_os("LAB_PYTHON") {
        candidates.push(PathBuf::from(p));
    } else {
        candidates.push(crate::paths::venv_python());
        candidates.push(PathBuf::from("python3"));
    }
    for path in &candidates {
        let out = Command::new(path).args(["-c", PROBE]).stdin(Stdio::null()).output();
        if let Ok(out) = out {
            if out.status.success() {
                let text = String::from_utf8_lossy(&out.stdout).to_string();
                let mut words = text.split_whitespace();
                let version = words.next().unwrap_or("unknown").to_string();
                let gil = words.next() != Some("False");
                return Ok(Python { path: path.clone(), version: format!("Python {version}"), gil });
            }
        }
    }
    let tried: Vec<String> = candidates.iter().map(|p| p.display().to_string()).collect();
    Err(LabError::other(format!(
        "no Python found (tried {}); set LAB_PYTHON to an interpreter, or set python: false to skip the \
         Python twin",
        tried.join(", ")
    )))
}

/// Runs `helpers/python/<script> --params <json> <extra...>` and parses its result JSON.
/// Its stderr (progress) passes through to ours.
pub fn run(py: &Python, script: &str, params: &serde_json::Value, extra: &[&str]) -> Result<LabResult> {
    let path = crate::paths::scripts_dir().join(script);
    if !path.exists() {
        return Err(LabError::other(format!(
            "Python twin {} is missing; set LAB_PYTHON_DIR to the lab's helpers/python folder",
            path.display()
        )));
    }
    let mut cmd = Command::new(&py.path);
    cmd.arg(&path)
        .arg("--params")
        .arg(params.to_string())
        .args(extra)
        // The twin reads its default params from this binary's registry (`lab list`): this very process's image,
        // which stays runnable while this process lives even if `cargo build` replaces the file meanwhile.
        .env("LAB_BIN", format!("/proc/{}/exe", std::process::id()))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    let mut child = process::spawn_registered(&mut cmd)?;
    let mut out = String::new();
    let read = child.stdout.take().map(|mut s| s.read_to_string(&mut out));
    let status = child.wait();
    process::forget(child.id());
    let status = status?;
    if let Some(Err(e)) = read {
        return Err(LabError::child(format!("reading {script}'s output: {e}")));
    }
    if !status.success() {
        return Err(LabError::child(format!(
            "Python twin {script} failed ({status}); see its message before this one"
        )));
    }
    LabResult::from_json(&out).map_err(|e| LabError::child(format!("Python twin {script}: {e}")))
}
