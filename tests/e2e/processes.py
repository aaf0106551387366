"""This run's processes, found by the marker every one of them carries in its environment (children inherit it).

The end check finds exactly this run's JupyterLab, kernel, `lab`, Python and chromium processes, even orphaned ones,
and leaves everyone else's alone.
"""

import os
import signal
from pathlib import Path

from .steps import Failed, wait_for

MARKER = "LAB_E2E_RUN"  # environment variable carried by every process this run starts (value: the run's id)
TWIN = "q3_semaphore.py"


def marked_processes(run_id):
    """{pid: argv} of every process whose environment carries this run's marker (children inherit it)."""
    found = {}
    needle = f"{MARKER}={run_id}".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if needle in (entry / "environ").read_bytes().split(b"\0"):
                argv = (entry / "cmdline").read_bytes().split(b"\0")
                found[int(entry.name)] = [a.decode(errors="replace") for a in argv if a]
        except OSError:  # gone meanwhile, or not ours to read
            continue
    return found


def run_processes(run_id, twin=TWIN):
    """This run's experiment processes: `lab` children and the Python twin (with its pool workers, which carry
    the twin's command line)."""
    return {pid: argv for pid, argv in marked_processes(run_id).items()
            if argv and (Path(argv[0]).name == "lab" or any(a.endswith(twin) for a in argv))}


def parent_of(pid):
    """The parent's pid, from /proc/PID/stat (the field after the command name, which may hold spaces); None if gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat[stat.rindex(")") + 2:].split()[1])


def pool_up(run_id, twin, strategy):
    """The twin running `--strategy <strategy>` and its pool workers, once at least one worker exists: python
    processes whose parent is the twin (forked, they carry its command line). Returns {"lab", "twin", "workers"},
    each {pid: argv}, or None."""
    marked = marked_processes(run_id)
    parents = {pid: parent_of(pid) for pid in marked}
    for pid, argv in marked.items():
        if not any(a.endswith(twin) for a in argv) or f"--strategy {strategy}" not in " ".join(argv):
            continue
        workers = {w: a for w, a in marked.items() if parents[w] == pid and Path(a[0]).name.startswith("python")}
        if workers and parents[pid] in marked:
            return {"lab": {parents[pid]: marked[parents[pid]]}, "twin": {pid: argv}, "workers": workers}
    return None


def alive(pids):
    """Those of `pids` still running (a zombie, killed and not yet reaped by its parent, counts as gone)."""
    left = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            left.add(pid)
    return left


def kernels(run_id):
    """This run's Rust kernels (evcxr_jupyter and the process it runs cells in)."""
    return {pid: argv for pid, argv in marked_processes(run_id).items() if "evcxr" in Path(argv[0]).name}


def lab_q3(procs):
    """The `lab q3` processes among `procs`: the experiment itself, not a validation or listing call."""
    return {pid: argv for pid, argv in procs.items() if Path(argv[0]).name == "lab" and argv[1:2] == ["q3"]}


def describe(procs):
    return "; ".join(f"{pid}: {' '.join(argv)[:120]}" for pid, argv in sorted(procs.items())) or "none"


def assert_none_left(run_id, within_s=15):
    """No process of this run survives it: waits `within_s` for them to go; any still there are killed, and the
    run fails naming them."""
    try:
        wait_for(lambda: not marked_processes(run_id), within_s, "every process of this run gone")
    except Failed:
        left = marked_processes(run_id)
        for pid in left:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        raise Failed(f"left behind (now killed): {describe(left)}") from None
