//! Resident memory from `/proc`: current (VmRSS) and peak (VmHWM) of a process; the peak can be reset so each
//! variant of an experiment gets its own.

/// Reads a `kB` field of `/proc/<pid>/status` as bytes.
fn status_field(pid: &str, field: &str) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = text.lines().find(|l| l.starts_with(field))?;
    let kb: u64 = line[field.len()..].trim().trim_end_matches("kB").trim().parse().ok()?;
    Some(kb * 1024)
}

/// Resident set size of this process now, in bytes (0 where /proc is absent).
pub fn rss_bytes() -> u64 {
    status_field("self", "VmRSS:").unwrap_or(0)
}

/// Peak resident set size of this process since start or the last `reset_peak`, in bytes.
pub fn peak_rss_bytes() -> u64 {
    status_field("self", "VmHWM:").unwrap_or(0)
}

/// Virtual size of this process (VmSize), in bytes: address space reserved, resident or not.
pub fn virtual_bytes() -> u64 {
    status_field("self", "VmSize:").unwrap_or(0)
}

/// Resident set size of another process (a child), in bytes; None once it has gone.
pub fn rss_of(pid: u32) -> Option<u64> {
    status_field(&pid.to_string(), "VmRSS:")
}

/// Resets VmHWM to the current RSS (Linux `clear_refs` 5). Returns false where the kernel refuses.
pub fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// Open file descriptors of this process.
pub fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").map(|d| d.count()).unwrap_or(0)
}
