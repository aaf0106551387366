//! Resident memory from `/proc`: current (VmRSS) and peak (VmHWM) of a process; the peak can be reset so each
//! variant of an experiment gets its own; and a process's memory split by sharing (USS, PSS) from smaps_rollup.

use crate::error::{LabError, Result};

/// Reads a `kB` field of `/proc/<pid>/status` as bytes.
fn status_field(pid: &str, field: &str) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    kb_field(&text, field)
}

/// The `kB` value of the line starting with `field` (e.g. "Pss:"), as bytes.
fn kb_field(text: &str, field: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.starts_with(field))?;
    let kb: u64 = line[field.len()..].trim().trim_end_matches("kB").trim().parse().ok()?;
    Some(kb * 1024)
}

/// Resident set size of this process now, in bytes (0 where /proc is absent).
pub fn rss_bytes() -> u64 {
    status_field("self", "VmRSS:").unwrap_or(0)
}

/// Peak resident set size of this process since start or the last `reset_peak` that worked, in bytes.
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

/// Resets VmHWM to the current RSS (Linux `clear_refs` 5). Returns false where the kernel refuses: the peak read
/// afterwards is then the process's lifetime peak, and callers must say so.
pub fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// A process's resident memory split by sharing, in bytes. A forked worker shares its parent's pages (code,
/// libraries, copy-on-write data) and RSS counts them in full in each process: USS is what the worker alone
/// holds (freed when it exits), PSS charges each shared page to its sharers in equal parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Shares {
    pub rss: u64,
    /// Unique set size: Private_Clean + Private_Dirty.
    pub uss: u64,
    /// Proportional set size: Pss.
    pub pss: u64,
}

/// Parses the text of `/proc/PID/smaps_rollup`; the error names the missing field.
pub fn parse_smaps_rollup(text: &str) -> std::result::Result<Shares, String> {
    let field = |f: &str| kb_field(text, f).ok_or_else(|| format!("no `{f}` line"));
    Ok(Shares { rss: field("Rss:")?, uss: field("Private_Clean:")? + field("Private_Dirty:")?, pss: field("Pss:")? })
}

/// RSS, USS and PSS of process `pid` from `/proc/PID/smaps_rollup` (Linux 4.14+; reading another process's needs
/// the right to ptrace it). The error says which file and why, for the result and the progress line.
pub fn shares_of(pid: u32) -> Result<Shares> {
    let path = format!("/proc/{pid}/smaps_rollup");
    let text = std::fs::read_to_string(&path).map_err(|e| LabError::other(format!("cannot read {path}: {e}")))?;
    parse_smaps_rollup(&text).map_err(|e| LabError::other(format!("{path}: {e}")))
}

/// Open file descriptors of this process.
pub fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").map(|d| d.count()).unwrap_or(0)
}

/// Time some task stalled waiting for memory, microseconds since boot (`/proc/pressure/memory`, the kernel's PSI
/// "some total"): the difference across a run is its memory stall. None where the kernel does not offer it.
pub fn memory_stall_us() -> Option<u64> {
    parse_pressure_some_total(&std::fs::read_to_string("/proc/pressure/memory").ok()?)
}

/// The `total=` of the `some` line of a PSI file.
pub fn parse_pressure_some_total(text: &str) -> Option<u64> {
    let some = text.lines().find(|l| l.starts_with("some "))?;
    some.split_whitespace().find_map(|f| f.strip_prefix("total="))?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pressure_total_is_read_from_the_some_line() {
        let text =
            "some avg10=0.00 avg60=0.00 avg300=0.00 total=1234\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=99\n";
        assert_eq!(parse_pressure_some_total(text), Some(1234));
        assert_eq!(parse_pressure_some_total("full total=3\n"), None);
    }

    #[test]
    fn smaps_rollup_gives_uss_as_the_private_pages_and_pss_as_is() {
        let text = "5635ebc1e000-7ffeb2782000 ---p 00000000 00:00 0  [rollup]\nRss:  1692 kB\nPss:  397 kB\n\
                    Pss_Dirty:  112 kB\nShared_Clean:  1536 kB\nPrivate_Clean:  44 kB\nPrivate_Dirty:  112 kB\n";
        let s = parse_smaps_rollup(text).unwrap();
        assert_eq!(s, Shares { rss: 1692 * 1024, uss: 156 * 1024, pss: 397 * 1024 });
        let e = parse_smaps_rollup("Rss: 10 kB\n").unwrap_err();
        assert_eq!(e, "no `Private_Clean:` line");
    }

    #[test]
    fn this_process_has_shares_no_larger_than_its_rss_or_a_named_error() {
        match shares_of(std::process::id()) {
            Ok(s) => assert!(s.uss <= s.pss && s.pss <= s.rss && s.rss > 0, "{s:?}"),
            Err(e) => assert!(e.message.contains("smaps_rollup"), "{}", e.message),
        }
        let e = shares_of(u32::MAX).unwrap_err();
        assert!(e.message.contains(&format!("/proc/{}/smaps_rollup", u32::MAX)), "{}", e.message);
    }
}
