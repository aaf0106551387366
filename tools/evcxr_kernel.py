"""Starts evcxr_jupyter in a kept build folder, so that a kernel's first cell finds its dependencies compiled.

The Rust kernelspec (tools/kernelspec.py) runs this instead of evcxr_jupyter itself:

    python evcxr_kernel.py SLOTS_DIR EVCXR_JUPYTER --control_file CONNECTION_FILE

evcxr builds every kernel's cells in a folder of its own (EVCXR_TMPDIR, a new temporary one by default), so each
kernel compiles the lab's dependencies again or copies them from evcxr's `:cache`, which then wraps every
later cell's rustc call too (measured in `make bench-kernel`). Here each kernel gets one of a few kept folders,
slot-0, slot-1, ...: the first free one, held by an exclusive lock for the kernel's life, so two kernels running at
once (two notebooks open in JupyterLab) never share one. The lock's file descriptor stays open through exec, so
evcxr_jupyter holds it and it is freed when the kernel ends, however it ends. An EVCXR_TMPDIR already set is kept.
"""

import fcntl
import os
import sys
from pathlib import Path

SLOTS = 16
# evcxr builds each cell as the crate `ctx` with the opt level of its `:opt` (2 by default). A cell only calls the
# helpers, which keep their own optimized build, so the cell itself needs no optimizing: this changes only the cell
# crate (nothing is rebuilt). make bench-kernel compares it (slot-warm vs slot-warm-cell-opt0): here the 12 cells
# of 03's re-run took 0.6-0.95 s less, 0.05-0.08 s a cell.
# It lives in the slots' root, not in a slot: evcxr writes the slot's own .cargo/config.toml (its [net] setting)
# over whatever is there, and cargo merges the configs of every folder above the one it runs in.
CELL_PROFILE = """# Written by tools/evcxr_kernel.py: the notebook cell's own crate at opt-level 0 (its dependencies keep theirs).
[profile.dev.package.ctx]
opt-level = 0
"""


def cell_profile(root):
    """Writes the cargo config that builds the cell crate unoptimized into `root`, the folder above the kernels'
    build folders."""
    config = Path(root) / ".cargo" / "config.toml"
    if not config.exists() or config.read_text() != CELL_PROFILE:
        config.parent.mkdir(parents=True, exist_ok=True)
        config.write_text(CELL_PROFILE)


def claim_slot(root):
    """The first slot folder whose lock is free, with the open lock file; None when all are taken."""
    root.mkdir(parents=True, exist_ok=True)
    for n in range(SLOTS):
        lock = open(root / f"slot-{n}.lock", "w")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.close()
            continue
        folder = root / f"slot-{n}"
        folder.mkdir(exist_ok=True)
        return folder, lock
    return None


def main(argv):
    if len(argv) < 2:
        print("usage: evcxr_kernel.py SLOTS_DIR EVCXR_JUPYTER [ARGS...]", file=sys.stderr)
        return 2
    root, evcxr, args = Path(argv[0]), argv[1], argv[2:]
    if "EVCXR_TMPDIR" not in os.environ:
        claimed = claim_slot(root)
        if claimed is None:
            # More kernels than slots: this one builds in a temporary folder, as evcxr does by default.
            print(f"evcxr_kernel: all {SLOTS} build folders in {root} are in use; this kernel compiles "
                  "its dependencies afresh", file=sys.stderr)
        else:
            folder, lock = claimed
            os.set_inheritable(lock.fileno(), True)
            cell_profile(root)
            os.environ["EVCXR_TMPDIR"] = str(folder)
    os.execv(evcxr, [evcxr, *args])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
