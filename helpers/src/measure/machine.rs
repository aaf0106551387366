//! Describes the machine a result came from (cores, memory, CPU, OS, compiler, Python).

use crate::result::Machine;
use sysinfo::{CpuRefreshKind, MemoryRefreshKind, RefreshKind, System};

/// Cores this process may run on: `available_parallelism` honours CPU affinity and cgroup quotas.
pub fn cores() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
}

/// Reads the machine; `python` is the version of the interpreter the twins use (or why there is none).
pub fn detect(python: &str) -> Machine {
    let sys = System::new_with_specifics(
        RefreshKind::nothing().with_cpu(CpuRefreshKind::nothing()).with_memory(MemoryRefreshKind::nothing().with_ram()),
    );
    // sysinfo reads cgroup v1 and v2; a "limit" at or above the machine's memory is no limit.
    let memory_limit_bytes = sys.cgroup_limits().map(|c| c.total_memory).filter(|&l| l > 0 && l < sys.total_memory());
    let cpu = sys.cpus().first().map(|c| c.brand().trim().to_string()).unwrap_or_default();
    Machine {
        cores: cores(),
        memory_bytes: sys.total_memory(),
        cpu: if cpu.is_empty() { "unknown CPU".into() } else { cpu },
        os: System::long_os_version().unwrap_or_else(|| std::env::consts::OS.to_string()),
        rustc: env!("LAB_RUSTC_VERSION").to_string(),
        python: python.to_string(),
        python_gil: None,
        memory_limit_bytes,
    }
}
