"""How long the Rust kernel takes to answer, cell by cell (make bench-kernel).

Runs notebook 03 with a ~4 s experiment (`limits: vec![50], python: false, overhead_tasks: 1_000`) through the evcxr
kernel as a learner would: Run All, then re-run from the parameters cell down, twice. Each variant says how the
kernel compiles (its build folder, evcxr's `:cache`, the linker, the opt level) and whether it starts warm.
Prints a table and writes results/bench-kernel.json. Numbers, not a timed test: this machine is noisy.

    tools/bench_kernel.py                      every variant
    tools/bench_kernel.py --variants slot-warm,cache-warm
"""

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.util import run_sync

sys.path.insert(0, str(Path(__file__).resolve().parent))
import evcxr_kernel  # noqa: E402
import report  # noqa: E402

NOTEBOOK = report.NOTEBOOKS / "03_semaphore_scaling.ipynb"

@dataclass(frozen=True)
class Variant:
    """How a variant's kernel compiles and what it runs.

    settings: the first cell's evcxr settings; folder: "fresh" (a new build folder per kernel), "slot" (a kept one)
    or "slot-cell-opt0" (a slot under the launcher's cell profile); warm: caches filled before the timed run;
    typed: the notebook's `let`s annotated; split: the cells as they were before issue 23 (parameters and
    prediction apart, `recording_cost()` on the re-run path).
    """
    settings: str
    folder: str
    warm: bool
    typed: bool = False
    split: bool = False


# evcxr picks mold, then lld, as its linker where installed; ":linker system" asks for the system one.
VARIANTS = {
    # What the notebooks did before: evcxr's own cache of compiled crates, a new build folder per kernel.
    "cache-cold": Variant(":cache 2000", "fresh", False),
    "cache-warm": Variant(":cache 2000", "fresh", True),
    # No :cache; the kernel launcher hands each kernel a kept build folder (one per concurrent kernel).
    "slot-cold": Variant("", "slot", False),
    "slot-warm": Variant("", "slot", True),
    "slot-warm-system-ld": Variant(":linker system", "slot", True),
    "slot-warm-opt0": Variant(":opt 0", "slot", True),
    # The launcher's default: a cargo config above the build folder builds only the cell crate at opt-level 0.
    "slot-warm-cell-opt0": Variant("", "slot-cell-opt0", True),
    # The same kernel over the notebook's cells as they were: two more compiled cells on the re-run path.
    "slot-warm-cell-opt0-split": Variant("", "slot-cell-opt0", True, split=True),
    # Not here: ":allow_static_linking 0" (dependencies as shared libraries) fails without rust-src ("only
    # metadata stub found for `dylib` dependency `core`").
    # evcxr builds once more for each new variable to learn whether its type is Copy (kept after a panic).
    "slot-warm-nopreserve": Variant(":preserve_vars_on_panic 0", "slot", True),
    # `let x: Type = ...`: evcxr need not compile once more to learn a variable's type.
    "slot-warm-typed": Variant("", "slot", True, typed=True),
}

# Type annotations for the notebook's `let`s (variant "typed").
TYPED = [("let params = ", "let params: Params = "), ("let prediction = ", "let prediction: Prediction = "),
         ("let result = run(", "let result: LabResult = run(")]


def small_run(source):
    """The parameters cell at a ~4 s experiment."""
    source = re.sub(r"limits: vec!\[[^\]]*\]", "limits: vec![50]", source)
    source = re.sub(r"python: true", "python: false", source)
    # A small overhead measurement (its chart refuses an empty one).
    return re.sub(r"overhead_tasks: [0-9_]+", "overhead_tasks: 1_000", source)


def params_at(cells):
    """Index of the parameters cell (the one that binds `params`) among `cells`."""
    return next(i for i, c in enumerate(cells) if "let params" in c.source)


def split_layout(nb):
    """The cells as they were before issue 23: the prediction in a cell of its own after the parameters, and
    `recording_cost()` after the charts (on the re-run path)."""
    at = params_at(nb.cells)
    params, cut = nb.cells[at], nb.cells[at].source.index("\n// Predicted")
    prediction = nbformat.v4.new_code_cell(params.source[cut:].strip())
    params.source = params.source[:cut].rstrip()
    nb.cells.insert(at + 1, prediction)
    cost = next(i for i, c in enumerate(nb.cells) if c.source.strip() == "recording_cost()?")
    cell = nb.cells.pop(cost)
    verdicts = next(i for i, c in enumerate(nb.cells) if c.source.startswith("verdicts("))
    nb.cells.insert(verdicts, cell)
    return nb


def prepared(variant):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    if variant.split:
        nb = split_layout(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    lines = [ln for ln in code[0].source.splitlines() if not ln.startswith(":cache")]
    code[0].source = "\n".join(([variant.settings] if variant.settings else []) + lines)
    params = code[params_at(code)]
    params.source = small_run(params.source)
    for cell in code if variant.typed else []:
        for old, new in TYPED:
            cell.source = cell.source.replace(old, new)
    return nb


def kind(cell):
    if "run(&params)" in cell.source:
        return "run"
    if report.charts(nbformat.from_dict({"cells": [cell]})):
        return "chart"
    return "other"


# The parameters the notebook's edited cell sets (small_run); the rest are the registry's defaults, as in the cell.
SMALL = {"limits": [50], "python": False, "overhead_tasks": 1000}


def experiment_alone_s(repeats=3):
    """The experiment's own wall time as a caller sees it (lab's start included), outside any kernel: the median
    of `repeats` runs of `lab q3` with the notebook's edited parameters. (The result's started/finished stamps
    are whole seconds: too coarse here.)"""
    lab = str(report.lab_binary())
    defaults = {e["name"]: e["params"] for e in json.loads(
        subprocess.run([lab, "list"], capture_output=True, text=True, check=True).stdout)}
    params = json.dumps({**defaults["q3"], **SMALL})
    walls = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        subprocess.run([lab, "q3", "--params", params], capture_output=True, check=True)
        walls.append(time.perf_counter() - t0)
    return statistics.median(walls)


# Tab completion after the run, as a learner presses Tab: (code, cursor at its end). evcxr answers with rust-analyzer.
COMPLETIONS = ["result.", "runtime_ch", "params.lim"]


def completion_times(client, repeats=3):
    """Seconds from a complete_request to its reply, for each of COMPLETIONS, `repeats` times (the first includes
    rust-analyzer's first look at the code)."""
    times = []
    for _ in range(repeats):
        for code in COMPLETIONS:
            t0 = time.perf_counter()
            msg_id = client.kc.complete(code, len(code))
            while True:
                reply = run_sync(client.kc.get_shell_msg)(timeout=60)
                if reply["parent_header"].get("msg_id") == msg_id:
                    break
            times.append(time.perf_counter() - t0)
            if not reply["content"].get("matches"):
                raise CellFailed(f"Tab after {code!r} offered nothing")
    return times


class CellFailed(Exception):
    """A cell of the timed notebook failed: the variant has no timing (the others still run)."""


def timed_pass(client, nb, start):
    times = []
    for i in range(start, len(nb.cells)):
        cell = nb.cells[i]
        if cell.cell_type != "code":
            continue
        t0 = time.perf_counter()
        client.execute_cell(cell, i)
        times.append((i, time.perf_counter() - t0))
    failed = report.problems(nb)
    if failed:
        raise CellFailed("; ".join(failed[:2]))
    return times


# The goals of issue 23: a re-run from the parameters cell spends at most this long in the cells beside the run
# cell, and a chart cell answers in this at the median.
GOAL_BESIDE_S = 2.0
GOAL_CHART_MEDIAN_S = 0.2

# Settings that leave the dependencies' build as it is: variants with these share one warm build folder.
DEPS_NEUTRAL = ("", ":preserve_vars_on_panic 0")


def run_variant(name, scratch, log, alone):
    variant = VARIANTS[name]
    settings, folder, warm = variant.settings, variant.folder, variant.warm
    env = dict(os.environ)
    cache_home = scratch / f"{name}-xdg"
    env["XDG_CACHE_HOME"] = str(cache_home)  # evcxr's :cache lives in $XDG_CACHE_HOME/evcxr
    # Warm variants whose settings leave the dependencies' build alone share one folder; a cold one starts empty.
    if folder == "slot-cell-opt0":
        # As the launcher does: the profile in the folder above the build folder (evcxr rewrites the folder's own).
        slot = scratch / f"{name}-root" / "slot"
        evcxr_kernel.cell_profile(slot.parent)
    else:
        slot = scratch / ("slot-base" if warm and settings in DEPS_NEUTRAL and folder == "slot" else f"slot-{name}")
    # A warm variant first starts a kernel that runs only the first cell: it fills the caches or the build folder.
    for round_ in (["fill", "timed"] if warm else ["timed"]):
        build = slot if folder.startswith("slot") else scratch / f"{name}-fresh-{round_}"
        build.mkdir(parents=True, exist_ok=True)
        env["EVCXR_TMPDIR"] = str(build)
        nb = prepared(variant)
        client = NotebookClient(nb, timeout=900, kernel_name="rust", allow_errors=True,
                                resources={"metadata": {"path": str(report.NOTEBOOKS)}})
        with client.setup_kernel(env=env, stdout=log, stderr=log):
            if round_ == "fill":
                first = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")  # the :dep cell
                client.execute_cell(nb.cells[first], first)
                continue
            params_from = params_at(nb.cells)
            passes = [timed_pass(client, nb, 0)]
            for _ in range(2):
                passes.append(timed_pass(client, nb, params_from))
            # evcxr's floor: a cell that uses nothing of the lab still compiles, links and loads a crate.
            nb.cells.append(nbformat.v4.new_code_cell("1 + 1"))
            floor = timed_pass(client, nb, len(nb.cells) - 1) + timed_pass(client, nb, len(nb.cells) - 1)
            tabs = completion_times(client)
    kinds = {i: kind(nb.cells[i]) for i, _ in passes[0]}
    first = passes[0][0][1]
    later = [s for i, s in passes[0][1:] if kinds[i] != "run"]
    charts = [s for p in passes for i, s in p if kinds[i] == "chart"]
    reruns = [sum(s for _, s in p) for p in passes[1:]]
    # The measure: the re-run's cells other than the one that runs the experiment.
    beside = [sum(s for i, s in p if kinds[i] != "run") for p in passes[1:]]
    beyond = [total - alone for total in reruns]
    return {
        "variant": name, "settings": settings, "build_folder": folder, "warm": warm, "typed_lets": variant.typed,
        "split_cells": variant.split,
        "first_cell_s": first,
        "later_cell_median_s": statistics.median(later), "later_cell_max_s": max(later),
        "chart_cell_median_s": statistics.median(charts), "chart_cell_max_s": max(charts),
        "rerun_beside_run_cell_s": beside,
        "trivial_cell_s": [round(t, 3) for _, t in floor],
        "tab_completion_median_s": statistics.median(tabs), "tab_completion_s": [round(t, 3) for t in tabs],
        "rerun_s": reruns, "rerun_beyond_experiment_s": beyond,
        "cells": [[[i, kinds[i], round(s, 3)] for i, s in p] for p in passes],
    }


def use_evcxr(evcxr, scratch):
    """Points the `rust` kernelspec at another evcxr_jupyter build, for this process and the kernels it starts."""
    spec = scratch / "jupyter" / "kernels" / "rust"
    spec.mkdir(parents=True)
    launcher = Path(__file__).resolve().parent / "evcxr_kernel.py"
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, str(launcher), str(scratch / "slots"), str(Path(evcxr).resolve()),
                 "--control_file", "{connection_file}"],
        "display_name": "Rust (bench)", "language": "rust", "interrupt_mode": "message"}))
    os.environ["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(scratch / "jupyter"),
                                                               os.environ.get("JUPYTER_PATH")]))


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--variants", default=",".join(VARIANTS), help="comma-separated, from: " + ", ".join(VARIANTS))
    ap.add_argument("--out", default=str(report.results_dir() / "bench-kernel.json"))
    ap.add_argument("--evcxr", help="this evcxr_jupyter binary instead of the installed one (e.g. another build)")
    args = ap.parse_args(argv)
    names = [v for v in args.variants.split(",") if v]
    unknown = [v for v in names if v not in VARIANTS]
    if unknown:
        ap.error(f"--variants: unknown {unknown}; known: {', '.join(VARIANTS)}")
    if args.evcxr and not os.access(args.evcxr, os.X_OK):
        ap.error(f"--evcxr: {args.evcxr} is not an executable")
    rows = []
    log_path = report.REPORTS / "bench-kernel.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    print(f"==> the kernels' own output (Compiling ...) goes to {log_path}")
    log = open(log_path, "w")
    scratch = Path(tempfile.mkdtemp(prefix="bench-kernel-"))
    if args.evcxr:
        use_evcxr(args.evcxr, scratch)
    alone = experiment_alone_s()
    print(f"    the experiment alone (lab q3, outside the kernel): {alone:.2f} s", flush=True)
    try:
        for name in names:
            print(f"--> {name}", flush=True)
            try:
                rows.append(run_variant(name, scratch, log, alone))
            except CellFailed as e:
                rows.append({"variant": name, "failed": str(e)})
                print(f"    failed: {e}", flush=True)
                continue
            r = rows[-1]
            print(f"    first cell {r['first_cell_s']:.2f} s · later cells median {r['later_cell_median_s']:.2f} s"
                  f" (max {r['later_cell_max_s']:.2f}) · a `1 + 1` cell {min(r['trivial_cell_s']):.2f} s"
                  f" · chart cells median {r['chart_cell_median_s']:.2f} s (max {r['chart_cell_max_s']:.2f}; goal"
                  f" {GOAL_CHART_MEDIAN_S} s) · re-run: the cells beside the run cell "
                  + " / ".join(f"{b:.2f}" for b in r["rerun_beside_run_cell_s"]) + f" s (goal {GOAL_BESIDE_S} s),"
                  " all but the experiment " + " / ".join(f"{b:.2f}" for b in r["rerun_beyond_experiment_s"]) + " s"
                  f" · Tab completion median {r['tab_completion_median_s']:.3f} s (max {max(r['tab_completion_s']):.3f})",
                  flush=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        log.close()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"machine_cores": os.cpu_count(), "evcxr": args.evcxr or "installed",
                               "experiment_alone_s": alone,
                               "variants": rows}, indent=1) + "\n")
    print(f"==> {out}")


if __name__ == "__main__":
    main(sys.argv[1:])
