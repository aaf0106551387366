"""The Python twins on their own: same parameters in, same result schema out, bad input refused."""

import json
import subprocess
import sys

from conftest import ROOT

TWINS = ROOT / "helpers" / "python"


def twin(script, params, *extra):
    return subprocess.run(
        [sys.executable, str(TWINS / script), "--params", json.dumps(params), *extra],
        capture_output=True, text=True, timeout=120,
    )


def check_schema(result, experiment):
    assert result["experiment"] == experiment
    for key in ("params", "machine", "series", "claims"):
        assert key in result
    for key in ("cores", "memory_bytes", "cpu", "os", "python"):
        assert key in result["machine"]
    for s in result["series"]:
        assert {"name", "x", "y", "points"} <= set(s)
        assert s["name"] == "python"


def test_q3_twin_runs_the_gated_sleep_and_measures_overhead():
    out = twin("q3_semaphore.py", {"tasks": 100, "latency_ms": 10, "limits": [10, 100], "overhead_tasks": 500})
    assert out.returncode == 0, out.stderr
    r = json.loads(out.stdout)
    check_schema(r, "q3")
    runtime = {p[0]: p[1] for s in r["series"] if s["y"] == "runtime_s" for p in s["points"]}
    assert runtime[10] > 5 * runtime[100]
    assert runtime[100] >= 0.0099
    assert any(s["y"] == "spawn_us" for s in r["series"])


def test_q5_twin_one_latency_as_lab_calls_it():
    out = twin("q5_latency.py", {"tasks": 50, "limit": 10}, "--latency-ms", "20")
    assert out.returncode == 0, out.stderr
    r = json.loads(out.stdout)
    check_schema(r, "q5")
    (runtime,) = [s for s in r["series"] if s["y"] == "runtime_s"]
    assert runtime["points"][0][0] == 20
    assert runtime["points"][0][1] >= 5 * 0.020 * 0.99


def test_twins_refuse_unknown_fields_and_bad_json():
    out = twin("q3_semaphore.py", {"taskz": 10})
    assert out.returncode == 2 and "unknown field(s) ['taskz']" in out.stderr
    bad = subprocess.run([sys.executable, str(TWINS / "q5_latency.py"), "--params", "{nope"],
                         capture_output=True, text=True)
    assert bad.returncode == 2 and bad.stderr.startswith("error: --params is not JSON")


def test_twin_defaults_match_the_lab_binary():
    """The twins keep their own defaults for standalone use; they must be the Rust experiment's defaults."""
    import importlib.util

    lab = ROOT / "target" / "release" / "lab"
    listed = {e["name"]: e["params"] for e in json.loads(subprocess.run(
        [str(lab), "list"], capture_output=True, text=True, check=True).stdout)}
    sys.path.insert(0, str(TWINS))
    for name, script in (("q1", "q1_cpu_bound.py"), ("q2", "q2_pools.py"), ("q3", "q3_semaphore.py"), ("q4", "q4_client.py"),
                         ("q6", "q6_memory.py"),
                         ("q5", "q5_latency.py"), ("q7", "q7_sleep_vs_cpu.py"), ("q8", "q8_json.py"),
                         ("q9", "q9_many_tasks.py")):
        spec = importlib.util.spec_from_file_location(script[:-3], TWINS / script)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        assert module.DEFAULTS == listed[name], name
