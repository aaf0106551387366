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
