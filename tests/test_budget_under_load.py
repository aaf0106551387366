"""The wall-time budget holds on a loaded machine: every experiment, run with its defaults (each longer than the
budget) while busy loops keep twice as many processes as cores runnable, stops with exit 3 soon after its budget,
and leaves no process behind. Prints each overshoot (pytest -s) for the closing note; asserts a generous bound."""

import json
import os
import subprocess
import sys
import time
import uuid

from test_processes import LAB, MARKER, marked

BUDGET_S = 2.0
# The watchdog polls every 20 ms; under load its wake-up and the children's kill can lag. Anything near this
# bound means the budget no longer stops a run "whatever the load".
WORST_ALLOWED_S = 3.0


def names():
    out = subprocess.run([str(LAB), "list", "--names"], capture_output=True, text=True, check=True)
    return out.stdout.split()


def test_the_wall_budget_stops_every_experiment_under_load():
    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(2 * (os.cpu_count() or 1))]
    overshoots = {}
    try:
        for name in names():
            run_id = uuid.uuid4().hex
            env = dict(os.environ, **{MARKER: run_id})
            t0 = time.monotonic()
            out = subprocess.run([str(LAB), name, "--max-wall-s", str(BUDGET_S), "--no-estimate-check"], env=env,
                                 capture_output=True, text=True, timeout=60)
            elapsed = time.monotonic() - t0
            assert out.returncode == 3, f"{name}: exit {out.returncode}, stderr: {out.stderr[-500:]}"
            assert "wall-time budget of 2 s exceeded" in out.stderr, out.stderr[-500:]
            overshoots[name] = elapsed - BUDGET_S
            deadline = time.monotonic() + 1.0
            while marked(run_id) and time.monotonic() < deadline:
                time.sleep(0.05)
            assert not marked(run_id), f"{name}: processes alive 1 s after the budget stopped the run"
    finally:
        for h in hogs:
            h.kill()
            h.wait()
    print("wall budget overshoot under load (s):", json.dumps({k: round(v, 2) for k, v in overshoots.items()}))
    worst = max(overshoots, key=overshoots.get)
    assert overshoots[worst] < WORST_ALLOWED_S, f"{worst} overshot its {BUDGET_S} s budget by {overshoots[worst]:.2f} s"
