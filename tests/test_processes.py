"""Nothing outlives `lab`, and nothing bad gets in.

- SIGKILL `lab` at random moments of runs that start Python twins, their process pools, Rust workers and loopback
  servers (the experiments in RUNS; 10 tries each), as the notebook's Stop button does through the parent-death signal, and
  count the processes of the run still alive a second later: none may be.
- The bad-input matrix: every field of every experiment's defaults (read from `lab list`, the registry) set to a
  wrong type, a negative, zero, a huge value, an empty and a nested array, plus malformed `--params` and bad flags:
  each refused with exit 2, one line naming the field, nothing on stdout, no panic; or, where the value is legal,
  refused before it runs because its estimate is over the budget.
"""

import json
import os
import random
import signal
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from conftest import ROOT

LAB = ROOT / "target" / "release" / "lab"
MARKER = "LAB_ORPHAN_TEST"  # carried by every process a run starts (environment is inherited)
# Small runs of the experiments that start the most processes: pools of Python and Rust workers, servers, twins.
RUNS = {
    "q2": ({"jobs": 8, "job_ms": 20, "workers": [2], "repeats": 1, "payload_bytes": [1000], "crossover_job_us": [100],
            "crossover_jobs": 20}, 6.0),
    "q4": ({"requests": 300, "limits": [10, None], "nofile": 64}, 3.0),
    "q8": ({"tasks": 8, "doc_bytes": [1000, 1000000]}, 5.0),
    "q9": ({"tasks": [1000, 20000], "latency_ms": 50, "python_max_tasks": 20000, "server_tasks": 2000,
            "server_limit": 100}, 6.0),
}
TRIES = 10


def marked(run_id):
    """Pids of live processes carrying this run's marker (zombies excepted: they hold nothing)."""
    needle = f"{MARKER}={run_id}".encode()
    pids = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            if needle in (d / "environ").read_bytes().split(b"\0") and " Z " not in (d / "stat").read_text():
                pids.append(int(d.name))
        except OSError:
            continue  # gone, or not ours to read
    return pids


@pytest.mark.parametrize("experiment", sorted(RUNS))
def test_sigkill_at_random_moments_leaves_no_process_behind(experiment):
    params, seconds = RUNS[experiment]
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    left = []
    for attempt in range(TRIES):
        run_id = uuid.uuid4().hex
        env = dict(os.environ, **{MARKER: run_id})
        lab = subprocess.Popen([str(LAB), experiment, "--params", json.dumps(params)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(rng.uniform(0.1, seconds))
        lab.kill()
        lab.wait()
        deadline = time.monotonic() + 1.0
        while marked(run_id) and time.monotonic() < deadline:
            time.sleep(0.05)
        alive = marked(run_id)
        if alive:
            left.append((attempt, alive))
            for pid in alive:  # clean up before failing
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
    assert not left, f"{experiment} (seed {seed}): processes alive 1 s after SIGKILL of lab: {left}"


def defaults():
    out = subprocess.run([str(LAB), "list"], capture_output=True, text=True, check=True)
    return {e["name"]: e["params"] for e in json.loads(out.stdout)}


def bad_values(value):
    """Wrong type, negative, zero, huge, empty and nested arrays, for a field whose default is `value`."""
    wrong_type = "seven" if not isinstance(value, str) else 7
    return [wrong_type, -1, 0, 10 ** 12, [], [[1]], {"x": 1}, 1.5e300, None, True if not isinstance(value, bool) else 3]


def lab(args, timeout=30):
    # A small wall budget: a legal value whose estimate is over it is refused before it runs (exit 2); one that
    # outgrows its estimate is stopped by the watchdog (exit 3).
    return subprocess.run([str(LAB), *args, "--max-wall-s", "5"], capture_output=True, text=True, timeout=timeout)


def test_every_bad_field_value_is_refused_naming_the_field():
    checked = legal = 0
    for experiment, params in defaults().items():
        for field, value in params.items():
            for bad in bad_values(value):
                if bad == value:
                    continue
                out = lab([experiment, "--params", json.dumps({field: bad})])
                checked += 1
                assert "panicked" not in out.stderr, (experiment, field, bad, out.stderr)
                if out.returncode == 0:
                    legal += 1  # a legal value within budget: it ran (small enough to finish)
                    continue
                assert out.returncode in (2, 3), (experiment, field, bad, out.returncode, out.stderr)
                assert out.stdout == "", (experiment, field, bad, out.stdout[:200])
                assert len(out.stderr.strip().splitlines()) == 1, (experiment, field, bad, out.stderr)
                assert field in out.stderr or "budget" in out.stderr, (experiment, field, bad, out.stderr)
    assert checked > 300 and legal < checked / 10, (checked, legal)


@pytest.mark.parametrize("args,says", [
    (["q3", "--params", "{not json"], "not valid JSON"),
    (["q3", "--params", "[1, 2]"], "must be a JSON object"),
    (["q3", "--params", '{"tasks": 10, "tasks": 20, "bogus": 1}'], "bogus"),
    (["q3", "--max-wall-s", "soon"], "--max-wall-s"),
    (["q3", "--nofile", "-5"], "--nofile"),
    (["q3", "--unknown-flag"], "--unknown-flag"),
    (["q42"], "unknown experiment"),
])
def test_malformed_input_is_one_line_and_exit_2(args, says):
    out = subprocess.run([str(LAB), *args], capture_output=True, text=True, timeout=20)
    assert (out.returncode, out.stdout) == (2, ""), out
    assert len(out.stderr.strip().splitlines()) == 1 and says in out.stderr, out.stderr
