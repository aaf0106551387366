"""A set-up step (tools/step.sh, which the Makefile's set-up targets use) speaks in two lines a person reads, with
the command's own output in a log file it names; a failure shows the log's last lines and the command's exit code."""

import subprocess
from pathlib import Path

STEP = Path(__file__).resolve().parent.parent / "tools" / "step.sh"


def step(tmp_path, cmd):
    return subprocess.run([str(STEP), "demo", "doing a demo", cmd], capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "LAB_SETUP_LOGS": str(tmp_path)})


def test_a_step_that_works_prints_two_lines_and_keeps_its_output_in_the_log(tmp_path):
    out = step(tmp_path, "for i in $(seq 200); do echo Compiling crate$i; done")
    assert out.returncode == 0
    lines = out.stdout.splitlines()
    assert lines[0] == "--> demo: doing a demo"
    assert len(lines) == 2 and lines[1].startswith("==> demo: done in ") and str(tmp_path / "demo.log") in lines[1]
    assert (tmp_path / "demo.log").read_text().count("Compiling") == 200


def test_a_step_that_fails_says_so_with_the_logs_tail_and_exit_code(tmp_path):
    out = step(tmp_path, "for i in $(seq 100); do echo line$i; done; echo 'error: no network' >&2; exit 3")
    assert out.returncode == 3
    assert "FAILED (exit 3)" in out.stdout and "error: no network" in out.stdout
    assert "line100" in out.stdout and "line50" not in out.stdout, "the tail only"
