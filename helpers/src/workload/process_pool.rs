//! A pool of worker processes: `lab worker` children fed one JSON line per request over a pipe, answering one
//! JSON line each. Serialization (serde_json) and the pipes are the inter-process costs being measured; a bare
//! echo (`lab worker --raw`, bytes straight back) times the pipe alone.

use super::cpu::spin;
use crate::error::{LabError, Result};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// What a worker is asked to do.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Request {
    /// Run the CPU kernel; answers {"x": result}.
    Spin { iters: u64, seed: u64 },
    /// Parse and send back the value; answers {"echo": value}.
    Echo(Value),
}

/// `Request::Echo` by reference, so that timing an echo does not time a copy of the document.
#[derive(Serialize)]
#[serde(rename_all = "snake_case")]
enum EchoRef<'a> {
    Echo(&'a Value),
}

/// The worker side: answers requests from stdin until it closes. Runs as `lab worker`.
pub fn serve() -> Result<()> {
    let stdin = std::io::stdin();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for line in stdin.lock().lines() {
        let line = line?;
        let answer = match serde_json::from_str::<Request>(&line) {
            Ok(Request::Spin { iters, seed }) => serde_json::json!({ "x": spin(iters, seed) }),
            Ok(Request::Echo(v)) => serde_json::json!({ "echo": v }),
            Err(e) => serde_json::json!({ "error": e.to_string() }),
        };
        serde_json::to_writer(&mut out, &answer).map_err(|e| LabError::other(e.to_string()))?;
        out.write_all(b"\n")?;
        out.flush()?;
    }
    Ok(())
}

/// The bare pipe's far end: writes back whatever bytes arrive, as they arrive, until stdin closes. Runs as
/// `lab worker --raw`: no serialization, no framing, so a round trip through it is the pipe and the process
/// switch alone.
pub fn serve_raw() -> Result<()> {
    let mut stdin = std::io::stdin().lock();
    let mut out = std::io::stdout().lock();
    let mut buf = [0u8; 4096];
    loop {
        let n = stdin.read(&mut buf)?;
        if n == 0 {
            return Ok(());
        }
        out.write_all(&buf[..n])?;
        out.flush()?;
    }
}

/// One worker process and its pipes.
pub struct Worker {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    line: String,
}

impl Worker {
    fn start() -> Result<Worker> {
        Worker::spawn(&["worker"])
    }

    fn spawn(args: &[&str]) -> Result<Worker> {
        let exe = std::env::current_exe()?;
        let mut cmd = Command::new(exe);
        cmd.args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::inherit());
        let mut child = crate::process::spawn_registered(&mut cmd)?;
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            return Err(LabError::child("a worker started without pipes"));
        };
        Ok(Worker { child, stdin, stdout: BufReader::new(stdout), line: String::new() })
    }

    /// Sends one request and waits for its answer.
    pub fn request(&mut self, req: &impl Serialize) -> Result<Value> {
        let mut bytes = serde_json::to_vec(req).map_err(|e| LabError::other(e.to_string()))?;
        bytes.push(b'\n');
        self.stdin.write_all(&bytes)?;
        self.stdin.flush()?;
        self.line.clear();
        if self.stdout.read_line(&mut self.line)? == 0 {
            return Err(LabError::child("a worker process exited before answering"));
        }
        let v: Value = serde_json::from_str(&self.line).map_err(|e| LabError::child(format!("worker: {e}")))?;
        match v.get("error") {
            Some(e) => Err(LabError::child(format!("worker: {e}"))),
            None => Ok(v),
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

// Killed and reaped when dropped: reaping is what adds a worker's CPU time to RUSAGE_CHILDREN (the cores-busy
// measure of the process pool), and no zombie outlives its pool.
impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        crate::process::forget(self.child.id());
    }
}

/// A bare pipe to another process (`lab worker --raw`), for one byte there and back at a time.
pub struct BarePipe {
    worker: Worker,
}

impl BarePipe {
    pub fn start() -> Result<BarePipe> {
        Ok(BarePipe { worker: Worker::spawn(&["worker", "--raw"])? })
    }

    /// Seconds for one byte there and back: the pipe and the process switch, nothing serialized.
    pub fn round_trip_s(&mut self) -> Result<f64> {
        let w = &mut self.worker;
        let mut byte = [0u8; 1];
        let t0 = Instant::now();
        w.stdin.write_all(b"x")?;
        w.stdin.flush()?;
        w.stdout.read_exact(&mut byte).map_err(|e| LabError::child(format!("the bare echo did not answer: {e}")))?;
        Ok(t0.elapsed().as_secs_f64())
    }
}

/// `n` worker processes, each answered once before `start` returns.
pub struct Pool {
    pub workers: Vec<Worker>,
}

impl Pool {
    pub fn start(n: usize) -> Result<Pool> {
        let mut workers = Vec::with_capacity(n);
        for _ in 0..n {
            workers.push(Worker::start()?);
        }
        for w in &mut workers {
            w.request(&Request::Echo(Value::Null))?;
        }
        Ok(Pool { workers })
    }

    /// Runs `jobs` kernel jobs of `iters` iterations over the workers (each takes the next job when free).
    pub fn run_jobs(&mut self, jobs: u64, iters: u64) -> Result<()> {
        let next = AtomicU64::new(0);
        std::thread::scope(|s| {
            let handles: Vec<_> = self
                .workers
                .iter_mut()
                .map(|w| {
                    let next = &next;
                    s.spawn(move || -> Result<()> {
                        loop {
                            let j = next.fetch_add(1, Ordering::Relaxed);
                            if j >= jobs {
                                return Ok(());
                            }
                            w.request(&Request::Spin { iters, seed: j })?;
                        }
                    })
                })
                .collect();
            handles.into_iter().try_for_each(|h| h.join().map_err(|_| LabError::other("a dispatcher panicked"))?)
        })
    }

    /// Seconds for one empty job (a kernel of no iterations) through the first worker: what the pool costs a task
    /// beyond its work (the request's JSON line, the pipe, the answer's).
    pub fn empty_job_s(&mut self) -> Result<f64> {
        let w = self.workers.first_mut().ok_or_else(|| LabError::other("the pool has no workers"))?;
        let t0 = Instant::now();
        w.request(&Request::Spin { iters: 0, seed: 0 })?;
        Ok(t0.elapsed().as_secs_f64())
    }

    /// Seconds for one echo of `doc` through the first worker: serialize, pipe, parse, serialize, pipe, parse.
    pub fn echo_s(&mut self, doc: &Value) -> Result<f64> {
        let w = self.workers.first_mut().ok_or_else(|| LabError::other("the pool has no workers"))?;
        let t0 = Instant::now();
        w.request(&EchoRef::Echo(doc))?;
        Ok(t0.elapsed().as_secs_f64())
    }

    /// Resident bytes of each worker now.
    pub fn rss(&self) -> Vec<u64> {
        self.workers.iter().filter_map(|w| crate::measure::memory::rss_of(w.pid())).collect()
    }

    /// RSS, USS and PSS of each worker now, or the first worker's error (smaps_rollup unreadable).
    pub fn shares(&self) -> Result<Vec<crate::measure::memory::Shares>> {
        self.workers.iter().map(|w| crate::measure::memory::shares_of(w.pid())).collect()
    }
}
