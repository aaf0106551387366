//! A loopback TCP server that models a backend: `pool_size` "connections" (a semaphore), each held for
//! `service_ms` per request, an accept backlog, and an optional rate limit that answers 429 above `rate_per_s`.
//! It runs as its own child process (`lab server --config JSON`) so that a client's lowered open-files limit
//! does not starve it, and it ends when its parent does.
//!
//! Protocol, one line each way: `GET` -> `200` or `429`; `STATS` -> one JSON line of counters since the last
//! `STATS`; the connection closes after the answer.
//!
//! The server cannot cancel a request whose client has gone (the notes' servers cannot either), but it can tell
//! afterwards: when an answer is ready it peeks at the socket, and a closed one means the work was wasted.

use crate::error::{LabError, Result};
use serde::{Deserialize, Serialize};
use std::io::{BufRead, BufReader};
use std::os::fd::AsRawFd;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader as AsyncBufReader};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    pub pool_size: u64,
    pub service_ms: u64,
    pub backlog: u32,
    pub rate_per_s: Option<u64>,
}

/// Counters since the last `STATS` request.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ServerStats {
    pub served: u64,
    pub rejected: u64,
    /// Most requests waiting for a pool connection at once.
    pub max_queue: u64,
    /// Most client connections open at once.
    pub max_open: u64,
    pub accept_errors: u64,
    /// Requests waiting for a pool connection right now (abandoned ones included).
    #[serde(default)]
    pub queue_now: u64,
    /// Client connections open right now (this one included).
    #[serde(default)]
    pub open_now: u64,
    /// Requests served whose client had closed its connection by the time the answer was ready: wasted work.
    #[serde(default)]
    pub served_gone: u64,
    /// Of those, the ones whose client had gone before a pool connection came free: they gave up waiting for the
    /// pool (and were served anyway).
    #[serde(default)]
    pub starved: u64,
    /// Time pool connections were held (the service), microseconds: all requests, and the wasted ones.
    #[serde(default)]
    pub busy_us: u64,
    #[serde(default)]
    pub wasted_us: u64,
    /// From the first request's arrival to the last answer written, microseconds (0: no request).
    #[serde(default)]
    pub span_us: u64,
}

/// Microseconds since the server started: what the span's ends are kept in.
fn now_us() -> u64 {
    static EPOCH: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    EPOCH.get_or_init(std::time::Instant::now).elapsed().as_micros() as u64
}

#[derive(Default)]
struct Counters {
    served: AtomicU64,
    rejected: AtomicU64,
    queue: AtomicU64,
    max_queue: AtomicU64,
    open: AtomicU64,
    max_open: AtomicU64,
    accept_errors: AtomicU64,
    served_gone: AtomicU64,
    starved: AtomicU64,
    busy_us: AtomicU64,
    wasted_us: AtomicU64,
    /// The span's ends in `now_us`; `first_us` is 0 until a request arrives (`now_us() + 1` keeps 0 free).
    first_us: AtomicU64,
    last_us: AtomicU64,
}

impl Counters {
    fn now(&self) -> ServerStats {
        ServerStats {
            queue_now: self.queue.load(Ordering::Relaxed),
            open_now: self.open.load(Ordering::Relaxed),
            ..Default::default()
        }
    }

    fn take(&self) -> ServerStats {
        ServerStats {
            queue_now: self.queue.load(Ordering::Relaxed),
            open_now: self.open.load(Ordering::Relaxed),
            served: self.served.swap(0, Ordering::Relaxed),
            rejected: self.rejected.swap(0, Ordering::Relaxed),
            max_queue: self.max_queue.swap(self.queue.load(Ordering::Relaxed), Ordering::Relaxed),
            max_open: self.max_open.swap(self.open.load(Ordering::Relaxed), Ordering::Relaxed),
            accept_errors: self.accept_errors.swap(0, Ordering::Relaxed),
            served_gone: self.served_gone.swap(0, Ordering::Relaxed),
            starved: self.starved.swap(0, Ordering::Relaxed),
            busy_us: self.busy_us.swap(0, Ordering::Relaxed),
            wasted_us: self.wasted_us.swap(0, Ordering::Relaxed),
            span_us: {
                let (first, last) = (self.first_us.swap(0, Ordering::Relaxed), self.last_us.swap(0, Ordering::Relaxed));
                if first == 0 {
                    0
                } else {
                    last.saturating_sub(first)
                }
            },
        }
    }

    /// A request arrived: the span starts at the first one since the last `take`.
    fn arrived(&self) {
        let _ = self.first_us.compare_exchange(0, now_us() + 1, Ordering::Relaxed, Ordering::Relaxed);
    }

    /// A request was served, holding a pool connection for `held`; `gone` when its client had already closed.
    fn served(&self, held: Duration, gone: bool) {
        let us = held.as_micros() as u64;
        self.served.fetch_add(1, Ordering::Relaxed);
        self.busy_us.fetch_add(us, Ordering::Relaxed);
        if gone {
            self.served_gone.fetch_add(1, Ordering::Relaxed);
            self.wasted_us.fetch_add(us, Ordering::Relaxed);
        }
    }
}

/// Whether the peer of `fd` has closed its end (or reset it): a peek that finds the end of the stream. The
/// client sends one line and waits, so nothing else can be waiting to be read.
fn peer_gone(fd: std::os::fd::RawFd) -> bool {
    let mut byte = 0u8;
    // SAFETY: a non-blocking peek of one byte into a buffer we own, on a socket this task holds open.
    let n = unsafe { libc::recv(fd, (&mut byte as *mut u8).cast(), 1, libc::MSG_PEEK | libc::MSG_DONTWAIT) };
    // EAGAIN: open, nothing to read; EINTR: interrupted, no news either way.
    n == 0 || (n < 0 && !matches!(std::io::Error::last_os_error().raw_os_error(), Some(libc::EAGAIN | libc::EINTR)))
}

/// A token bucket refilled `rate` times a second, at most one second's worth of burst.
struct RateLimit {
    rate: f64,
    state: std::sync::Mutex<(f64, std::time::Instant)>,
}

impl RateLimit {
    fn allow(&self) -> bool {
        let Ok(mut s) = self.state.lock() else { return true };
        let now = std::time::Instant::now();
        s.0 = (s.0 + now.duration_since(s.1).as_secs_f64() * self.rate).min(self.rate);
        s.1 = now;
        if s.0 >= 1.0 {
            s.0 -= 1.0;
            true
        } else {
            false
        }
    }
}

/// Descriptors the server asks for: more than the most connections any client here opens at once (q9's
/// `server_tasks` is at most 100,000), so the server is not the one that runs out.
const SERVER_NOFILE: u64 = 1 << 17;

/// Raises this process's open-files limit: the soft limit to the hard one, and the hard one too where the process
/// may (root, up to `fs.nr_open`), to `SERVER_NOFILE`. The limit it got is in `/proc/<pid>/limits`
/// (`Server::nofile`).
fn raise_nofile() {
    let _ = crate::process::raise_nofile(SERVER_NOFILE);
}

/// The server side, in the `lab server` child: prints `listening <port>`, then serves until stdin closes.
pub fn serve(cfg: &ServerConfig) -> Result<()> {
    raise_nofile();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| LabError::other(format!("server runtime: {e}")))?;
    rt.block_on(async {
        let socket = tokio::net::TcpSocket::new_v4()?;
        socket.set_reuseaddr(true)?;
        socket.bind("127.0.0.1:0".parse().map_err(|e| LabError::other(format!("{e}")))?)?;
        let listener = socket.listen(cfg.backlog)?;
        println!("listening {}", listener.local_addr()?.port());
        use std::io::Write;
        std::io::stdout().flush()?;
        // The parent holds our stdin: when it goes, so do we.
        tokio::task::spawn_blocking(|| {
            let mut sink = String::new();
            while std::io::stdin().read_line(&mut sink).map(|n| n > 0).unwrap_or(false) {}
            std::process::exit(0);
        });
        let pool = Arc::new(tokio::sync::Semaphore::new(cfg.pool_size as usize));
        let counters = Arc::new(Counters::default());
        let limit = cfg.rate_per_s.map(|r| {
            Arc::new(RateLimit { rate: r as f64, state: std::sync::Mutex::new((r as f64, std::time::Instant::now())) })
        });
        let service = Duration::from_millis(cfg.service_ms);
        loop {
            let (stream, _) = match listener.accept().await {
                Ok(c) => c,
                Err(_) => {
                    counters.accept_errors.fetch_add(1, Ordering::Relaxed);
                    tokio::time::sleep(Duration::from_millis(1)).await;
                    continue;
                }
            };
            let (pool, counters, limit) = (pool.clone(), counters.clone(), limit.clone());
            tokio::spawn(async move {
                let open = counters.open.fetch_add(1, Ordering::Relaxed) + 1;
                counters.max_open.fetch_max(open, Ordering::Relaxed);
                let (rd, mut wr) = stream.into_split();
                let mut line = String::new();
                let _ = AsyncBufReader::new(rd).read_line(&mut line).await;
                let answer = match line.trim() {
                    "STATS" => serde_json::to_string(&counters.take()).unwrap_or_default(),
                    "NOW" => serde_json::to_string(&counters.now()).unwrap_or_default(),
                    _ if limit.as_ref().is_some_and(|l| !l.allow()) => {
                        counters.rejected.fetch_add(1, Ordering::Relaxed);
                        "429".to_string()
                    }
                    "GET" => {
                        counters.arrived();
                        let q = counters.queue.fetch_add(1, Ordering::Relaxed) + 1;
                        counters.max_queue.fetch_max(q, Ordering::Relaxed);
                        let permit = pool.acquire().await;
                        counters.queue.fetch_sub(1, Ordering::Relaxed);
                        if peer_gone(wr.as_ref().as_raw_fd()) {
                            counters.starved.fetch_add(1, Ordering::Relaxed);
                        }
                        let held = std::time::Instant::now();
                        tokio::time::sleep(service).await;
                        drop(permit);
                        counters.served(held.elapsed(), peer_gone(wr.as_ref().as_raw_fd()));
                        "200".to_string()
                    }
                    // An empty line (a client that closed before asking) or anything else is not a request.
                    _ => "400".to_string(),
                };
                let _ = wr.write_all(format!("{answer}\n").as_bytes()).await;
                if answer == "200" {
                    counters.last_us.fetch_max(now_us() + 1, Ordering::Relaxed);
                }
                counters.open.fetch_sub(1, Ordering::Relaxed);
            });
        }
    })
}

/// The parent's handle: starts `lab server`, knows its port, asks for stats, and kills it when dropped.
pub struct Server {
    child: Child,
    pub port: u16,
}

impl Server {
    pub fn start(cfg: &ServerConfig) -> Result<Server> {
        let exe = std::env::current_exe()?;
        let json = serde_json::to_string(cfg).map_err(|e| LabError::other(e.to_string()))?;
        let mut cmd = Command::new(exe);
        cmd.args(["server", "--config", &json]).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::inherit());
        let mut child = crate::process::spawn_registered(&mut cmd)?;
        let out = child.stdout.take().ok_or_else(|| LabError::child("server started without stdout"))?;
        let mut line = String::new();
        BufReader::new(out).read_line(&mut line)?;
        let port = line
            .trim()
            .strip_prefix("listening ")
            .and_then(|p| p.parse().ok())
            .ok_or_else(|| LabError::child(format!("the loopback server did not start: {line:?}")))?;
        Ok(Server { child, port })
    }

    /// The server's soft open-files limit in force, read from `/proc/<pid>/limits`; None where unreadable.
    pub fn nofile(&self) -> Option<u64> {
        let limits = std::fs::read_to_string(format!("/proc/{}/limits", self.child.id())).ok()?;
        let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
        line.trim_start_matches("Max open files").split_whitespace().next()?.parse().ok()
    }

    /// Counters since the last call.
    pub fn stats(&self) -> Result<ServerStats> {
        self.ask("STATS")
    }

    /// Waits until the server has finished every request it holds (requests whose clients timed out are still
    /// served: the server cannot know), so that one run does not start in the previous one's backlog.
    pub fn drain(&self, timeout: Duration) -> Result<()> {
        let t0 = std::time::Instant::now();
        loop {
            let now = self.ask("NOW")?;
            if now.queue_now == 0 && now.open_now <= 1 {
                return Ok(());
            }
            if t0.elapsed() > timeout {
                return Err(LabError::other(format!(
                    "the loopback server still held {} queued requests after {:.0} s",
                    now.queue_now,
                    timeout.as_secs_f64()
                )));
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    fn ask(&self, what: &str) -> Result<ServerStats> {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(("127.0.0.1", self.port))?;
        s.write_all(format!("{what}\n").as_bytes())?;
        let mut text = String::new();
        s.read_to_string(&mut text)?;
        serde_json::from_str(text.trim()).map_err(|e| LabError::child(format!("server stats: {e}")))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        crate::process::forget(self.child.id());
    }
}
