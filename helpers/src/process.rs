//! Process plumbing, in one place: children that die with their parent, process groups killed whole, the
//! registry of the children a run started (so budgets can count and kill them), and the open-files limit.

use crate::error::{LabError, Result};
use std::os::unix::process::CommandExt;
use std::process::Command;
use std::sync::Mutex;

/// Makes a child get SIGKILL when the thread that spawned it exits. evcxr's Stop button SIGKILLs the process
/// running the cells, so this is what ends a run the user interrupted.
pub fn die_with_parent(cmd: &mut Command) {
    let parent = std::process::id() as libc::pid_t;
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            // The parent may have died before prctl took effect.
            if libc::getppid() != parent {
                libc::_exit(1);
            }
            Ok(())
        });
    }
}

/// SIGKILLs every process in group `pgid`.
pub fn kill_group(pgid: u32) {
    // SAFETY: killpg(2) on a group this process created.
    unsafe { libc::killpg(pgid as libc::pid_t, libc::SIGKILL) };
}

/// Kills a child's whole process group when dropped, however the run ends.
pub struct GroupGuard(pub u32);

impl Drop for GroupGuard {
    fn drop(&mut self) {
        kill_group(self.0);
    }
}

/// Children alive now, so the watchdog can count their memory and kill them on a breach.
static CHILDREN: Mutex<Vec<u32>> = Mutex::new(Vec::new());

/// Starts `cmd` as a child that dies with this process and is registered; call `forget(pid)` once it has been
/// waited for.
pub fn spawn_registered(cmd: &mut Command) -> Result<std::process::Child> {
    die_with_parent(cmd);
    let child = cmd.spawn().map_err(|e| LabError::child(format!("cannot start {:?}: {e}", cmd.get_program())))?;
    if let Ok(mut k) = CHILDREN.lock() {
        k.push(child.id());
    }
    Ok(child)
}

/// Stops counting a child that has exited.
pub fn forget(pid: u32) {
    if let Ok(mut k) = CHILDREN.lock() {
        k.retain(|&p| p != pid);
    }
}

/// The registered children's pids.
pub fn registered() -> Vec<u32> {
    CHILDREN.lock().map(|k| k.clone()).unwrap_or_default()
}

/// SIGKILLs every registered child.
pub fn kill_all() {
    for pid in registered() {
        // SAFETY: kill(2) on a pid we started and have not reaped yet.
        unsafe { libc::kill(pid as libc::pid_t, libc::SIGKILL) };
    }
}

/// Ends this process with an error: children first, then one `error: ...` line on stderr and the error's exit
/// code (2 bad input, 3 budget, 1 otherwise).
pub fn exit_with(err: &LabError) -> ! {
    kill_all();
    eprintln!("error: {}", err.message);
    std::process::exit(err.exit_code())
}

fn nofile_limits() -> libc::rlimit {
    // SAFETY: getrlimit fills a struct we own.
    let mut lim: libc::rlimit = unsafe { std::mem::zeroed() };
    unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) };
    lim
}

/// Sets this process's soft open-files limit (at most the hard limit) and returns the previous one, so that an
/// experiment can lower it for one run and restore it. Children inherit it.
pub fn set_soft_nofile(n: u64) -> Result<u64> {
    let mut lim = nofile_limits();
    if n > lim.rlim_max {
        return Err(LabError::invalid(format!("nofile must be at most the hard limit {}; got {n}", lim.rlim_max)));
    }
    let old = lim.rlim_cur;
    lim.rlim_cur = n as libc::rlim_t;
    // SAFETY: setrlimit with a struct we own.
    if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &lim) } != 0 {
        return Err(LabError::other(format!("cannot set the open-files limit to {n}")));
    }
    Ok(old)
}

/// The soft open-files limit in force.
pub fn nofile_in_force() -> u64 {
    nofile_limits().rlim_cur
}

/// What `raise_nofile` did: the limits before (to restore), the soft limit now in force, and, where that is short
/// of the count wanted, why.
#[derive(Debug, Clone, PartialEq)]
pub struct Raised {
    /// (soft, hard) before the raise.
    pub before: (u64, u64),
    /// The soft limit in force after it.
    pub in_force: u64,
    /// Why `in_force` is below the count wanted; None when it is not.
    pub short: Option<String>,
    /// Whether raising the hard limit was refused (EPERM: the process lacks CAP_SYS_RESOURCE).
    pub refused: bool,
}

/// The (soft, hard) limits to ask for to have at least `wanted` descriptors, from `soft`/`hard` in force and the
/// kernel's ceiling `nr_open` (`fs.nr_open`, what a hard limit may reach at most, for root too). Never lowers
/// either. The second value says when even that is short of `wanted` and why.
fn nofile_plan(soft: u64, hard: u64, wanted: u64, nr_open: Option<u64>) -> ((u64, u64), Option<String>) {
    if soft >= wanted {
        return ((soft, hard), None);
    }
    if hard >= wanted {
        return ((wanted, hard), None);
    }
    match nr_open {
        Some(ceiling) if ceiling < wanted => {
            let top = ceiling.max(hard);
            ((top, top), Some(format!("fs.nr_open is {ceiling}, below the {wanted} wanted")))
        }
        _ => ((wanted, wanted), None),
    }
}

/// Raises this process's open-files limit to at least `wanted`: the soft limit up to the hard one, and the hard
/// one too where the process may (root, or CAP_SYS_RESOURCE, up to `fs.nr_open`). Where it may not, the soft limit
/// goes as far as the hard one and `short` says why. Children inherit it; `restore_nofile(raised.before)` puts
/// the old limits back.
pub fn raise_nofile(wanted: u64) -> Result<Raised> {
    let lim = nofile_limits();
    let before = (lim.rlim_cur, lim.rlim_max);
    let nr_open = std::fs::read_to_string("/proc/sys/fs/nr_open").ok().and_then(|s| s.trim().parse().ok());
    let ((soft, hard), mut short) = nofile_plan(before.0, before.1, wanted, nr_open);
    let mut refused = false;
    if (soft, hard) != before {
        if let Err(err) = setrlimit_nofile(soft, hard) {
            // EPERM: raising the hard limit needs CAP_SYS_RESOURCE. Go as far as the hard limit allows.
            refused = true;
            // SAFETY: geteuid has no preconditions.
            let who = if unsafe { libc::geteuid() } == 0 {
                "this process is root without CAP_SYS_RESOURCE, as in a container that drops it"
            } else {
                "that needs root (CAP_SYS_RESOURCE)"
            };
            short = Some(format!("raising the hard limit from {} to {hard} was refused ({err}): {who}", before.1));
            if before.0 < before.1 {
                set_nofile(before.1, before.1)?;
            }
        }
    }
    let in_force = nofile_in_force();
    if in_force < wanted && short.is_none() {
        short = Some(format!("the limit in force is {in_force}"));
    }
    Ok(Raised { before, in_force, short: short.filter(|_| in_force < wanted), refused })
}

/// Puts back the (soft, hard) limits `raise_nofile` found (lowering a hard limit is always allowed).
pub fn restore_nofile(before: (u64, u64)) -> Result<()> {
    set_nofile(before.0, before.1)
}

fn set_nofile(soft: u64, hard: u64) -> Result<()> {
    setrlimit_nofile(soft, hard)
        .map_err(|e| LabError::other(format!("cannot set the open-files limit to {soft} (hard {hard}): {e}")))
}

fn setrlimit_nofile(soft: u64, hard: u64) -> std::io::Result<()> {
    let lim = libc::rlimit { rlim_cur: soft as libc::rlim_t, rlim_max: hard as libc::rlim_t };
    // SAFETY: setrlimit with a struct we own.
    if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &lim) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plan_raises_the_soft_limit_then_the_hard_one_up_to_the_kernels_ceiling() {
        // Enough already: nothing changes, nothing lowered.
        assert_eq!(nofile_plan(20_000, 20_000, 1_000, Some(1 << 20)), ((20_000, 20_000), None));
        // The hard limit allows it: only the soft one moves.
        assert_eq!(nofile_plan(1_024, 65_536, 51_024, Some(1 << 20)), ((51_024, 65_536), None));
        // Above the hard limit: both move (where the process may; `raise_nofile` says so where it may not).
        assert_eq!(nofile_plan(20_000, 20_000, 51_024, Some(1 << 20)), ((51_024, 51_024), None));
        // Above fs.nr_open: as far as the kernel allows, and why it falls short.
        let (limits, short) = nofile_plan(1_024, 4_096, 51_024, Some(10_000));
        assert_eq!(limits, (10_000, 10_000));
        assert_eq!(short.as_deref(), Some("fs.nr_open is 10000, below the 51024 wanted"));
    }

    #[test]
    fn raising_to_what_is_in_force_changes_nothing_and_restores() {
        let now = nofile_in_force();
        let r = raise_nofile(now).unwrap();
        assert_eq!((r.in_force, r.short, r.refused), (now, None, false));
        restore_nofile(r.before).unwrap();
        assert_eq!(nofile_in_force(), now);
    }
}
