"""The kernel launcher's build folders: one kernel per folder at a time, a folder reused once its kernel ended."""

import os
import subprocess
import sys
from pathlib import Path

import evcxr_kernel

LAUNCHER = Path(evcxr_kernel.__file__)


def test_kernels_running_at_once_get_different_folders_and_an_ended_ones_is_reused(tmp_path):
    first, first_lock = evcxr_kernel.claim_slot(tmp_path)
    second, second_lock = evcxr_kernel.claim_slot(tmp_path)
    assert (first.name, second.name) == ("slot-0", "slot-1")
    first_lock.close()  # the first kernel ended
    again, again_lock = evcxr_kernel.claim_slot(tmp_path)
    assert again == first
    second_lock.close()
    again_lock.close()


def test_all_folders_taken_gives_none(tmp_path):
    held = [evcxr_kernel.claim_slot(tmp_path) for _ in range(evcxr_kernel.SLOTS)]
    assert all(held) and evcxr_kernel.claim_slot(tmp_path) is None
    for _, lock in held:
        lock.close()


def test_the_kernel_gets_the_folder_and_holds_its_lock_until_it_exits(tmp_path):
    # A stand-in for evcxr_jupyter: prints its EVCXR_TMPDIR, then waits for a line on stdin.
    fake = tmp_path / "fake_evcxr"
    fake.write_text(f"#!{sys.executable}\nimport os, sys\nprint(os.environ['EVCXR_TMPDIR'], flush=True)\n"
                    "sys.stdin.readline()\n")
    fake.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k != "EVCXR_TMPDIR"}
    slots = tmp_path / "slots"
    kernel = subprocess.Popen([sys.executable, str(LAUNCHER), str(slots), str(fake)], env=env,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert kernel.stdout.readline().strip() == str(slots / "slot-0")
        taken, lock = evcxr_kernel.claim_slot(slots)  # while that kernel lives, slot-0 is not free
        assert taken.name == "slot-1"
        lock.close()
    finally:
        kernel.stdin.close()
        kernel.wait(timeout=10)
    freed, lock = evcxr_kernel.claim_slot(slots)
    assert freed.name == "slot-0"
    lock.close()


def test_an_evcxr_tmpdir_already_set_is_kept(tmp_path):
    fake = tmp_path / "fake_evcxr"
    fake.write_text(f"#!{sys.executable}\nimport os\nprint(os.environ['EVCXR_TMPDIR'])\n")
    fake.chmod(0o755)
    out = subprocess.run([sys.executable, str(LAUNCHER), str(tmp_path / "slots"), str(fake)],
                         env={**os.environ, "EVCXR_TMPDIR": "/somewhere/else"}, capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "/somewhere/else"


def test_the_cell_crate_is_built_unoptimized_and_nothing_else_changes(tmp_path):
    evcxr_kernel.cell_profile(tmp_path)
    config = (tmp_path / ".cargo" / "config.toml").read_text()
    assert "[profile.dev.package.ctx]\nopt-level = 0" in config
    assert config.count("[") == 1, "one table: the cell crate's, so the dependencies' build stays as it is"
    evcxr_kernel.cell_profile(tmp_path)  # a second kernel in the same folder leaves it as it is
    assert (tmp_path / ".cargo" / "config.toml").read_text() == config
