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
        # The cell profile sits above the build folder, where evcxr's own config cannot overwrite it.
        assert (slots / ".cargo" / "config.toml").read_text() == evcxr_kernel.CELL_PROFILE
        assert not (slots / "slot-0" / ".cargo").exists()
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


def cell_build_flags(slot):
    """rustc's flags for the cell crate, as cargo builds it in `slot` (`cargo build -v`)."""
    out = subprocess.run(["cargo", "build", "-v", "--offline"], cwd=slot, capture_output=True, text=True,
                         env={**os.environ, "CARGO_TARGET_DIR": "target"}, check=True)
    runs = [line for line in out.stderr.splitlines() if "Running" in line and "--crate-name ctx" in line]
    assert len(runs) == 1, f"cargo did not build the cell crate once:\n{out.stderr}"
    return runs[0]


def test_the_cell_crate_is_built_unoptimized_although_evcxr_writes_its_own_cargo_config(tmp_path):
    root = tmp_path / "slots"
    slot = root / "slot-0"
    (slot / "src").mkdir(parents=True)
    (slot / "src" / "lib.rs").write_text("pub fn cell() -> u32 { 1 + 1 }\n")
    # What evcxr writes into its build folder: the cell crate at opt-level 2, and its own .cargo/config.toml.
    (slot / "Cargo.toml").write_text('[package]\nname = "ctx"\nversion = "1.0.0"\nedition = "2024"\n\n'
                                     "[profile.dev]\nopt-level = 2\n")
    (slot / ".cargo").mkdir()
    (slot / ".cargo" / "config.toml").write_text("[net]\noffline = false\n")
    assert "opt-level=2" in cell_build_flags(slot), "without the launcher's profile the cell is optimized"
    evcxr_kernel.cell_profile(root)
    config = (root / ".cargo" / "config.toml").read_text()
    assert config.count("[") == 1, "one table: the cell crate's, so the dependencies' build stays as it is"
    (slot / "src" / "lib.rs").write_text("pub fn cell() -> u32 { 2 + 2 }\n")
    assert "opt-level" not in cell_build_flags(slot), "opt-level 0 is rustc's default: no flag"
    evcxr_kernel.cell_profile(root)  # a second kernel leaves it as it is
    assert (root / ".cargo" / "config.toml").read_text() == config
