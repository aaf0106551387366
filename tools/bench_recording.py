"""What recording a timeline costs: the same runs with and without it, alternated, compared pair by pair.

  python tools/bench_recording.py [--pairs 5] [--out results/recording-cost.json]     (`make bench` runs it)

Two measures the issue names: q3's runtime at limit 100 (tokio and the thread pool) and q1's heartbeat lag under
tokio's current_thread runtime (p50 and p99). Each pair is one run with `timeline: true` and one with `false`, in
the order on-off, off-on, on-off, ... so that a drift of the machine's speed within a pair falls on both alike.
Per measure: the median of the pairs' differences (on / off - 1), against the limit of 0.5%. Writes the runs and
the summary to JSON, which notebooks 01 and 03 show (`recording_cost()`).
"""

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIMIT_PCT = 0.5

# (experiment, params without `timeline`, [(label, series name, y, x or None for the first point)])
MEASURES = [
    ("q3", {"limits": [100], "python": False, "overhead_tasks": 0, "repeats": 1},
     [("q3 tokio runtime at limit 100, s", "tokio", "runtime_s", 100.0),
      ("q3 threads runtime at limit 100, s", "threads", "runtime_s", 100.0)]),
    ("q1", {"python": False, "repeats": 1},
     [("q1 current_thread heartbeat lag p50, ms", "tokio current_thread", "lag_p50_ms", None),
      ("q1 current_thread heartbeat lag p99, ms", "tokio current_thread", "lag_p99_ms", None)]),
]


def value(result, name, y, x):
    for s in result["series"]:
        if s["name"] == name and s["y"] == y and s["points"]:
            if x is None:
                return s["points"][0][1]
            for px, py in s["points"]:
                if abs(px - x) < 1e-9:
                    return py
    raise SystemExit(f"bench_recording: {result['experiment']} has no {name} {y}" + (f" at {x}" if x else ""))


def run(lab, experiment, params, timeline):
    p = dict(params, timeline=timeline)
    out = subprocess.run([lab, experiment, "--params", json.dumps(p)], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def bench(lab, pairs):
    """The measures' rows, and the machine line the runs' results carry."""
    rows, machine = [], None
    for experiment, params, measures in MEASURES:
        samples = {label: {"on": [], "off": []} for label, *_ in measures}
        for i in range(pairs):
            order = (True, False) if i % 2 == 0 else (False, True)
            for timeline in order:
                r = run(lab, experiment, params, timeline)
                machine = r["machine"]
                if timeline and not r.get("timelines"):
                    raise SystemExit(f"bench_recording: lab {experiment} with timeline: true recorded no timeline")
                for label, name, y, x in measures:
                    samples[label]["on" if timeline else "off"].append(value(r, name, y, x))
            shown = ", ".join(f"{label.split(',')[0]}: on {s['on'][-1]:.4g} / off {s['off'][-1]:.4g}"
                              for label, s in samples.items())
            print(f"--> {experiment} pair {i + 1}/{pairs}: {shown}", file=sys.stderr, flush=True)
        for label, s in samples.items():
            diffs = [100.0 * (a / b - 1.0) for a, b in zip(s["on"], s["off"]) if b > 0]
            median = statistics.median(diffs) if diffs else float("nan")
            rows.append({
                "measure": label,
                "on": s["on"],
                "off": s["off"],
                "pair_diff_pct": diffs,
                "median_diff_pct": median,
                "within_limit": abs(median) <= LIMIT_PCT,
            })
    return rows, machine


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pairs", type=int, default=5)
    ap.add_argument("--lab", default=str(ROOT / "target" / "release" / "lab"))
    ap.add_argument("--out", default=str(ROOT / "results" / "recording-cost.json"))
    a = ap.parse_args()
    if a.pairs < 1:
        raise SystemExit("bench_recording: --pairs must be at least 1")
    rows, machine = bench(a.lab, a.pairs)
    out = {"pairs": a.pairs, "limit_pct": LIMIT_PCT, "machine": machine, "measures": rows}
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(out, indent=1) + "\n")
    print(f"recording cost, median of {a.pairs} alternated pairs (limit ±{LIMIT_PCT}%) -> {a.out}")
    for r in rows:
        print(f"  {r['measure']:42} on {statistics.median(r['on']):9.4g}  off {statistics.median(r['off']):9.4g}  "
              f"{r['median_diff_pct']:+6.2f}%  {'within' if r['within_limit'] else 'OVER'} the limit")
    return 0


if __name__ == "__main__":
    sys.exit(main())
