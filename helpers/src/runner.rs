//! Runs one experiment in a child `lab` process built in release mode: validates first, passes the budget,
//! forwards progress lines to the cell as they come, parses the result JSON. The child runs in its own process
//! group that is killed when the run ends, fails, or the kernel dies, so nothing outlives a run.

use crate::budget::Budget;
use crate::error::{ErrorKind, LabError, Result};
use crate::params::ExperimentParams;
use crate::result::LabResult;
use crate::{paths, process};
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

/// Seconds the runner waits beyond the wall-time budget before it kills the child itself.
const BACKSTOP_GRACE_S: f64 = 10.0;

/// Runs experiment `P::NAME` with the default budget (10 minutes, 4 GiB, inherited open-files limit).
pub fn run<P: ExperimentParams>(params: &P) -> Result<LabResult> {
    run_with(params, &Budget::default())
}

/// Runs experiment `P::NAME` within `budget`.
pub fn run_with<P: ExperimentParams>(params: &P, budget: &Budget) -> Result<LabResult> {
    params.validate()?;
    budget.validate()?;
    budget.admit(params)?;
    let json = serde_json::to_string(params).map_err(|e| LabError::other(format!("cannot encode params: {e}")))?;
    let bin = lab_binary()?;
    let mut args = vec![P::NAME.to_string(), "--params".into(), json];
    args.extend(budget.to_args());
    let result = run_lab(&bin, &args, budget.max_wall_s + BACKSTOP_GRACE_S)?;
    // Saved for the ledger (notebook 00 and the report index). The run itself succeeded, so a folder that
    // cannot be written is a note, not an error.
    match result.save(crate::paths::results_dir()) {
        Ok(path) => println!("result saved to {} (notebook 00 lists the latest of each)", path.display()),
        Err(e) => println!("note: the result was not saved: {}", e.message),
    }
    Ok(result)
}

/// Runs `lab <args> --watch-stdin` and returns its parsed result. Progress lines are printed as they arrive.
/// `backstop_s`: the runner kills the child's process group itself after this long.
pub fn run_lab(bin: &Path, args: &[String], backstop_s: f64) -> Result<LabResult> {
    let bin = bin.to_path_buf();
    let args = args.to_vec();
    // The child is spawned from a thread that lives exactly as long as the run: PDEATHSIG follows threads.
    let worker = std::thread::Builder::new()
        .name("lab-run".into())
        .spawn(move || run_lab_here(&bin, &args, backstop_s))
        .map_err(|e| LabError::other(format!("cannot start the runner thread: {e}")))?;
    worker.join().map_err(|_| LabError::other("the runner thread panicked"))?
}

fn run_lab_here(bin: &Path, args: &[String], backstop_s: f64) -> Result<LabResult> {
    let mut cmd = Command::new(bin);
    cmd.args(args)
        .arg("--watch-stdin")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    process::die_with_parent(&mut cmd);
    let mut child =
        cmd.spawn().map_err(|e| LabError::new(ErrorKind::Build, format!("cannot start {}: {e}", bin.display())))?;
    let _group = process::GroupGuard(child.id());
    // Held open for the whole run: when this process dies the pipe closes and `lab` exits.
    let _stdin = child.stdin.take();

    let stderr = child.stderr.take();
    let progress = std::thread::spawn(move || {
        // Every "error: " line: a Python twin's own message comes before lab's.
        let mut errors: Vec<String> = Vec::new();
        let Some(stderr) = stderr else {
            return errors;
        };
        for line in BufReader::new(stderr).lines().map_while(|l| l.ok()) {
            if let Some(msg) = line.strip_prefix("error: ") {
                errors.push(msg.to_string());
            } else {
                println!("{line}");
                let _ = std::io::stdout().flush();
            }
        }
        errors
    });
    let stdout = child.stdout.take();
    let output = std::thread::spawn(move || {
        let mut out = String::new();
        if let Some(mut s) = stdout {
            let _ = s.read_to_string(&mut out);
        }
        out
    });

    let t0 = Instant::now();
    let status = loop {
        match child.try_wait()? {
            Some(status) => break status,
            None if t0.elapsed().as_secs_f64() > backstop_s => {
                process::kill_group(child.id());
                let _ = child.wait();
                return Err(LabError::budget(format!(
                    "wall-time budget exceeded: the run was still going after {backstop_s:.0} s and was killed"
                )));
            }
            None => std::thread::sleep(Duration::from_millis(20)),
        }
    };
    // `lab` has exited: end whatever it left in its group (a pool worker still holding its pipes would keep the
    // readers below waiting for an end of file that never comes).
    process::kill_group(child.id());
    let errors = progress.join().unwrap_or_default();
    let out = output.join().unwrap_or_default();
    if !status.success() {
        let code = status.code().unwrap_or(1);
        let message =
            if errors.is_empty() { format!("lab exited with {status} and no message") } else { errors.join("; ") };
        return Err(LabError::new(LabError::kind_for_exit_code(code), message));
    }
    LabResult::from_json(&out)
}

/// The release `lab` binary: `$LAB_BIN` if set, else `target/release/lab` in the workspace, (re)built with cargo
/// when it is missing or older than the crate's sources.
pub fn lab_binary() -> Result<PathBuf> {
    if let Some(p) = std::env::var_os("LAB_BIN") {
        let p = PathBuf::from(p);
        return if p.is_file() {
            Ok(p)
        } else {
            Err(LabError::new(ErrorKind::Build, format!("LAB_BIN points to {}, which is not a file", p.display())))
        };
    }
    let ws = paths::workspace_dir();
    let bin = paths::lab_binary();
    let built = std::fs::metadata(&bin).and_then(|m| m.modified()).ok();
    let newest = newest_source(&ws);
    if built.is_none() || newest > built {
        build(&ws)?;
    }
    Ok(bin)
}

fn newest_in(dir: &Path, newest: &mut Option<SystemTime>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            newest_in(&p, newest);
        } else if let Ok(t) = e.metadata().and_then(|m| m.modified()) {
            if Some(t) > *newest {
                *newest = Some(t);
            }
        }
    }
}

/// The newest modification time among the files the binary is built from.
fn newest_source(ws: &Path) -> Option<SystemTime> {
    let mut newest = None;
    newest_in(&ws.join("helpers/src"), &mut newest);
    for f in ["helpers/Cargo.toml", "helpers/build.rs", "Cargo.toml", "Cargo.lock"] {
        if let Ok(t) = std::fs::metadata(ws.join(f)).and_then(|m| m.modified()) {
            if Some(t) > newest {
                newest = Some(t);
            }
        }
    }
    newest
}

fn build(ws: &Path) -> Result<()> {
    println!("building the release `lab` binary (a minute the first time; `make` does this ahead)...");
    let _ = std::io::stdout().flush();
    let out = Command::new("cargo")
        .args(["build", "--release", "--bin", "lab", "--manifest-path"])
        .arg(ws.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(ws.join("target"))
        .stdin(Stdio::null())
        .output()
        .map_err(|e| LabError::new(ErrorKind::Build, format!("cannot run cargo to build `lab`: {e}")))?;
    if !out.status.success() {
        let text = String::from_utf8_lossy(&out.stderr);
        let tail: Vec<&str> = text.lines().rev().take(15).collect::<Vec<_>>().into_iter().rev().collect();
        return Err(LabError::new(ErrorKind::Build, format!("building `lab` failed:\n{}", tail.join("\n"))));
    }
    Ok(())
}
