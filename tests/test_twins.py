"""The Python twins on their own: same parameters in, same result schema out, bad input refused."""

import json
import subprocess
import sys

import pytest

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
        assert s["name"] in ("python", "python threads")


def test_q3_twin_runs_the_gated_sleep_and_measures_overhead():
    out = twin("q3_semaphore.py", {"tasks": 100, "latency_ms": 10, "limits": [10, 100], "overhead_tasks": 500})
    assert out.returncode == 0, out.stderr
    r = json.loads(out.stdout)
    check_schema(r, "q3")
    runtime = {p[0]: p[1] for s in r["series"] if (s["name"], s["y"]) == ("python", "runtime_s")
               for p in s["points"]}
    assert runtime[10] > 5 * runtime[100]
    assert runtime[100] >= 0.0099
    assert any(s["y"] == "spawn_us" for s in r["series"])
    # Memory per task while all 100 are alive, at each limit: some growth, and not a whole MiB a task.
    (alive,) = [s for s in r["series"] if s["y"] == "task_rss_bytes"]
    assert [p[0] for p in alive["points"]] == [10, 100]
    assert all(0 <= p[1] < 1024 * 1024 for p in alive["points"]), alive
    # The control: the same sleeps on a thread pool of the reference limit's size (100 here), one point: one wave
    # of 10 ms, plus starting the pool's 100 threads, which the clock counts.
    (pool,) = [s for s in r["series"] if s["name"] == "python threads"]
    assert pool["y"] == "runtime_s" and len(pool["points"]) == 1 and pool["points"][0][0] == 100, pool
    assert 0.0099 <= pool["points"][0][1] < 10 * 0.010, pool


def test_q3_twin_thread_pool_alone_at_the_limit_lab_passes():
    out = twin("q3_semaphore.py", {"tasks": 60, "latency_ms": 10, "limits": [5, 20]}, "--part", "threads",
               "--limit", "20")
    assert out.returncode == 0, out.stderr
    (pool,) = json.loads(out.stdout)["series"]
    assert (pool["name"], pool["x"], pool["y"], pool["points"][0][0]) == ("python threads", "limit", "runtime_s", 20)
    assert 3 * 0.010 * 0.99 <= pool["points"][0][1] < 3 * 3 * 0.010, pool


def test_q5_twin_one_latency_as_lab_calls_it():
    out = twin("q5_latency.py", {"tasks": 50, "limit": 10}, "--latency-ms", "20")
    assert out.returncode == 0, out.stderr
    r = json.loads(out.stdout)
    check_schema(r, "q5")
    (runtime,) = [s for s in r["series"] if s["y"] == "runtime_s"]
    assert runtime["points"][0][0] == 20
    assert runtime["points"][0][1] >= 5 * 0.020 * 0.99
    # --limit overrides the params' limit, as `lab` runs the wave sweep: 50 tasks in one wave of 20 ms.
    out = twin("q5_latency.py", {"tasks": 50, "limit": 10}, "--latency-ms", "20", "--limit", "50")
    assert out.returncode == 0, out.stderr
    (runtime,) = [s for s in json.loads(out.stdout)["series"] if s["y"] == "runtime_s"]
    assert 0.020 * 0.99 <= runtime["points"][0][1] < 5 * 0.020
    bad = twin("q5_latency.py", {"tasks": 50}, "--latency-ms", "20", "--limit", "51")
    assert bad.returncode == 2 and "--limit must be between 1 and tasks (50); got 51" in bad.stderr


def test_q1_twin_records_each_job_on_its_thread_or_worker_process():
    out = twin("q1_cpu_bound.py", {"jobs": 4, "job_ms": 20})
    assert out.returncode == 0, out.stderr
    r = json.loads(out.stdout)
    tl = {t["name"]: t for t in r["timelines"]}
    assert sorted(tl) == sorted(["python sequential", "python asyncio", "python asyncio yield", "python to_thread",
                                 "python processes"])
    for name, t in tl.items():
        assert len(t["spans"]) == 4, name
        for task, lane, (start, end) in t["spans"]:
            assert 0 <= start < end <= t["end_ms"], (name, task, start, end)
            assert 0 <= lane < len(t["lanes"]), (name, lane, t["lanes"])
    # One thread runs every coroutine; the heartbeat beside them waits out whole jobs.
    loop = tl["python asyncio"]
    assert loop["lanes"] == ["loop thread 0"]
    assert max(late for _, late in loop["marks"]["points"]) >= 10, loop["marks"]
    # Each worker process is a lane, however many the pool started: at most one per core, each used.
    procs = tl["python processes"]
    used = {lane for _, lane, _ in procs["spans"]}
    assert len(used) == len(procs["lanes"]) <= r["machine"]["cores"], procs["lanes"]
    assert all(p[0] >= 0 for p in procs["marks"]["points"]), "the heartbeat's ticks on the recorder's clock"
    assert "marks" not in tl["python sequential"], "no loop, no heartbeat"
    # Later repeats (and timeline: false) record nothing.
    for extra, params in ((["--no-timeline"], {}), ([], {"timeline": False})):
        off = twin("q1_cpu_bound.py", {"jobs": 2, "job_ms": 5, **params}, "--strategy", "asyncio", *extra)
        assert off.returncode == 0, off.stderr
        assert "timelines" not in json.loads(off.stdout)


def counts(timeline, start, end):
    """How many spans were between instants `start` and `end` over time, as [(ms, count)] at each change (the
    twin emits raw spans; `lab` counts them the same way when it condenses)."""
    i, j = timeline["instants"].index(start), timeline["instants"].index(end)
    events = sorted([(at[i], 1) for _, _, at in timeline["spans"]] + [(at[j], -1) for _, _, at in timeline["spans"]],
                    key=lambda e: (e[0], e[1]))
    n, out = 0, []
    for t, d in events:
        n += d
        out.append((t, n))
    return out


def check_gated_timeline(t, tasks, limit, at):
    assert (t["name"], t["at"], t["unit"]) == ("python", at, "tasks")
    assert t["instants"] == ["spawned", "permit", "finished"]
    assert t["total"] == tasks and len(t["spans"]) == tasks, "raw: every task, `lab` samples"
    assert sorted(s[0] for s in t["spans"]) == list(range(tasks))
    for task, _lane, (spawned, permit, done) in t["spans"]:
        assert spawned <= permit < done <= t["end_ms"], (task, spawned, permit, done)
    held = [n for _, n in counts(t, "permit", "finished")]
    assert max(held) == limit and held[-1] == 0, "at most the limit, reaching it, none at the end"
    waiting = [n for _, n in counts(t, "spawned", "permit")]
    assert tasks - limit <= max(waiting) <= tasks and waiting[-1] == 0


def test_q3_and_q5_twins_record_each_tasks_instants_when_asked():
    args = ("--part", "runtime", "--limit", "20", "--timeline", "limit 20, repeat 1")
    out = twin("q3_semaphore.py", {"tasks": 200, "latency_ms": 20, "limits": [20]}, *args)
    assert out.returncode == 0, out.stderr
    (t,) = json.loads(out.stdout)["timelines"]
    check_gated_timeline(t, 200, 20, "limit 20, repeat 1")
    # Without --timeline (or with `timeline: false`, where `lab` does not ask) nothing is recorded.
    out = twin("q3_semaphore.py", {"tasks": 50, "latency_ms": 5, "limits": [10], "timeline": False}, *args[:4])
    assert out.returncode == 0, out.stderr
    assert "timelines" not in json.loads(out.stdout)
    at = "10 waves of 10 ms, limit 20, repeat 1"
    out = twin("q5_latency.py", {"tasks": 200, "limit": 20}, "--latency-ms", "10", "--limit", "20", "--timeline", at)
    assert out.returncode == 0, out.stderr
    (t,) = json.loads(out.stdout)["timelines"]
    check_gated_timeline(t, 200, 20, at)


def test_twins_refuse_unknown_fields_and_bad_json():
    out = twin("q3_semaphore.py", {"taskz": 10})
    assert out.returncode == 2 and "unknown field(s) ['taskz']" in out.stderr
    bad = subprocess.run([sys.executable, str(TWINS / "q5_latency.py"), "--params", "{nope"],
                         capture_output=True, text=True)
    assert bad.returncode == 2 and bad.stderr.startswith("error: --params is not JSON")


def registry():
    """The lab's one list of questions: name, twin script and default params (`lab list`)."""
    lab = ROOT / "target" / "release" / "lab"
    return json.loads(subprocess.run([str(lab), "list"], capture_output=True, text=True, check=True).stdout)


def test_every_twin_takes_its_fields_from_the_registry():
    """No twin keeps defaults of its own: an unknown field is refused with the registry's field names."""
    entries = registry()
    assert sorted(e["twin"] for e in entries) == sorted(p.name for p in TWINS.glob("q*.py")), "one twin a question"
    required = {"q4_client.py": ["--port", "1"]}  # flags a twin cannot start without (q4 needs the server's port)
    for e in entries:
        out = twin(e["twin"], {"no_such_field": 1}, *required.get(e["twin"], []))
        assert out.returncode == 2, (e["name"], out.stderr)
        assert f"expected some of {sorted(e['params'])}" in out.stderr, (e["name"], out.stderr)


def test_the_python_heartbeat_counts_every_tick_that_came_due():
    """A 500 ms block on a 1 ms heartbeat: every tick that came due recorded, ~500 of them late, each by its own
    amount (no coordinated omission)."""
    import asyncio
    import time
    sys.path.insert(0, str(TWINS))
    import lab_common

    async def main():
        hb = lab_common.Heartbeat(0.001)
        task = asyncio.create_task(hb.run())
        await asyncio.sleep(0.05)
        time.sleep(0.5)  # the loop's thread, blocked
        await asyncio.sleep(0.05)
        hb.running = False
        await task
        return hb

    hb = asyncio.run(main())
    # Every tick due up to the last one served is recorded, however long the sleeps overran on a loaded machine
    # (a loaded CI machine once counted 706 late ticks where ~600 come due, so the count follows the run's own clock).
    served_until_s = hb.timeline[-1][0]
    assert abs(len(hb.late_ms) - int(served_until_s / hb.period)) <= 1, (len(hb.late_ms), served_until_s)
    # The 500 ms block alone makes ~500 ticks late by more than a period, each with its own lateness: the tick due
    # at the block's start waited ~500 ms, and the ~400 due in its first 400 ms waited over 100 ms.
    late = sum(1 for v in hb.late_ms if v > 1.0)
    assert late >= 450, late
    assert sum(1 for v in hb.late_ms if v > 100.0) >= 350, sorted(hb.late_ms)[-400:-395]
    p50, p99, worst = hb.percentiles()
    assert worst >= 480, (p50, p99, worst)


def in_state(spans, start, ends, moment):
    """How many raw spans were past instant `start` and before all of `ends` at `moment` (ms)."""
    def reached(at, i):
        return at[i] is not None and at[i] <= moment
    return sum(1 for _, _, at in spans if reached(at, start) and not any(reached(at, e) for e in ends))


def test_q4_twin_records_each_requests_instants_and_the_limit_shows_in_them():
    """Against the lab's own server: every request submitted, then sent, then exactly one outcome; behind a limit
    of 5 never more than 5 sent and unanswered at once; without one, far more at once."""
    lab = ROOT / "target" / "release" / "lab"
    config = {"pool_size": 5, "service_ms": 10, "backlog": 1024, "rate_per_s": None}
    server = subprocess.Popen([str(lab), "server", "--config", json.dumps(config)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        port = server.stdout.readline().split()[1]  # "listening <port>"
        params = {"requests": 100, "limits": [5, None], "timeout_ms": 5000}
        for limit in ("5", "none"):
            out = twin("q4_client.py", params, "--port", port, "--limit", limit, "--timeline")
            assert out.returncode == 0, out.stderr
            (t,) = json.loads(out.stdout)["timelines"]
            assert t["instants"] == ["submitted", "sent", "answered", "timed out", "refused"]
            assert t["unit"] == "requests" and t["total"] == len(t["spans"]) == 100
            for task, _, at in t["spans"]:
                outcomes = [v for v in at[2:] if v is not None]
                assert len(outcomes) == 1 and at[0] <= at[1] <= outcomes[0], (task, at)
            moments = sorted(v for _, _, at in t["spans"] for v in at if v is not None)
            past_client = max(in_state(t["spans"], 1, (2, 3, 4), m) for m in moments)
            if limit == "5":
                assert past_client <= 5, past_client
            else:
                assert past_client > 20, past_client
        # Without --timeline: no timeline in the result.
        out = twin("q4_client.py", params, "--port", port, "--limit", "5")
        assert out.returncode == 0 and "timelines" not in json.loads(out.stdout), out.stderr
    finally:
        server.stdin.close()
        server.wait(timeout=10)


def test_q8_twin_records_serializations_on_the_loop_inline_and_off_it_in_processes():
    params = {"tasks": 4, "doc_bytes": [300_000], "judge_doc_bytes": 300_000, "ping_ms": 2}
    for strategy in ("inline", "processes"):
        out = twin("q8_json.py", params, "--strategy", strategy, "--doc-bytes", "300000", "--timeline")
        assert out.returncode == 0, out.stderr
        (t,) = json.loads(out.stdout)["timelines"]
        assert t["name"] == f"python {strategy}" and t["lanes"][0] == "event loop", t["lanes"]
        assert len(t["spans"]) == 4 and all(None not in at for _, _, at in t["spans"]), t["spans"]
        lanes = {lane for _, lane, _ in t["spans"]}
        pings = t["marks"]["points"]
        assert t["marks"]["name"] == "pings" and len(pings) == t["marks"]["total"] > 0
        if strategy == "inline":
            assert lanes == {0}, lanes
            # A ping that came due during a serialization waited at least for its end (1 ms for rounding).
            during = [(p, at) for p in pings for _, _, at in t["spans"] if at[0] <= p[0] < at[1]]
            assert during, (pings, t["spans"])
            assert all(p[1] >= at[1] - p[0] - 1.0 for p, at in during), during
        else:
            assert 0 not in lanes and len(t["lanes"]) >= 2, (lanes, t["lanes"])


def test_q8_twin_workers_build_the_document_the_parent_would_have_sent():
    sys.path.insert(0, str(TWINS))
    import lab_common
    import q8_json

    data, started, finished, _pid = q8_json.build_and_dump(50_000)
    assert data == json.dumps(lab_common.document(50_000)).encode() and started <= finished
    params = {"tasks": 4, "doc_bytes": [50_000], "judge_doc_bytes": 50_000}
    out = twin("q8_json.py", params, "--strategy", "built_in_worker", "--doc-bytes", "50000")
    assert out.returncode == 0, out.stderr
    values = {s["y"]: s["points"][0][1] for s in json.loads(out.stdout)["series"]}
    assert {s["name"] for s in json.loads(out.stdout)["series"]} == {"python processes (built in worker)"}
    # The same bytes as the other variants count: 4 documents' JSON.
    assert values["mb_per_s"] * values["wall_s"] * 1e6 == pytest.approx(4 * len(data))
    assert values["workers_added_peak_mb"] >= 0 and values["peak_reset"] in (0.0, 1.0)


def test_q8_twin_open_loop_serves_every_request_on_lab_s_schedule():
    sys.path.insert(0, str(TWINS))
    import lab_open_loop

    # The very arrivals `lab` draws (workload/open_loop.rs checks the same three numbers).
    assert lab_open_loop.SplitMix(0).next_u64() == 0xE220A8397B1DCDAF
    first = lab_open_loop.schedule(200, 100.0, True)[:3]
    assert first == pytest.approx([0.009332752644041202, 0.018500473864411227, 0.029812787130751764], abs=1e-12)
    assert lab_open_loop.schedule(4, 100.0, False) == pytest.approx([0.01, 0.02, 0.03, 0.04])
    params = {"open_doc_bytes": 50_000, "open_load_pct": [30, 60], "open_judge_pct": 60, "open_requests": 30}
    out = twin("q8_json.py", params, "--open-loop")
    assert out.returncode == 0, out.stderr
    series = {(s["name"], s["y"]): dict(s["points"]) for s in json.loads(out.stdout)["series"]}
    assert {n for n, _ in series} == {"python inline", "python processes (built in worker)"}
    for name in ("python inline", "python processes (built in worker)"):
        for load in (30, 60):
            assert series[(name, "open_requests")][load] == 30
            # A request takes at least its own serialization from when it was due.
            assert series[(name, "open_p50_ms")][load] >= 0.9 * series[(name, "open_service_ms")][load]
            assert series[(name, "open_p99_ms")][load] >= series[(name, "open_p50_ms")][load]
    # One offered rate per load for both variants, set from one calibration.
    for load in (30, 60):
        assert len({series[(n, "open_rate_per_s")][load] for n in ("python inline",
                                                                  "python processes (built in worker)")}) == 1

