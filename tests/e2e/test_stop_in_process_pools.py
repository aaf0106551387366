"""The Stop button pressed while a Python twin's process pool runs, in notebooks 02 and 08: nothing of the run may
remain (issue 14).

After notebook 03's scenario (test_learner_session.py), each of 02 and 08 in turn: the kernels of the notebooks
before it are shut down (as File > Shut Down All Kernels does; the next kernel then finds the helpers compiled in
the build folder they free); the notebook opens alone, in a JupyterLab workspace of its own, reset
(/lab/workspaces/NAME/tree/PATH?reset), in a browser context of its own, and must be the only tab of the main
area and the current one. With other notebooks restored in tabs beside it, Run All from the Run menu did not
start the notebook in view (commits 6f79ced..d5ef996). Small parameters bring the run to the twin's
ProcessPoolExecutor within seconds of compiling, and keep the pool up for a few seconds; Run All, then, once the
twin running `--strategy processes` has a pool worker (a python process whose parent is the twin), Stop. Within
STOP_WITHIN_S no `lab`, twin or pool worker of the run may be left: the kernel SIGKILLs the cell's process, `lab`
and its twin die with it (parent-death signal), the workers with the twin (the pool's initializer).
"""

import time
from dataclasses import dataclass

import pytest

from .jupyterlab import shut_down_kernels_before
from .notebook_page import (RUN_CELL, lab_page, open_alone, output_text, press_stop, run_all, set_params,
                            wait_idle)
from .processes import alive, describe, pool_up, run_processes
from .steps import Failed, Step, wait_for
from .workspace import committed_params

KERNEL_IDLE_S = 180  # a new kernel: evcxr starting on a busy 2-core machine
RUN_STARTED_S = 30  # Run All queues every cell at once: the first cell's prompt turns [*] at once
POOL_UP_WITHIN_S = 420  # compiling the helpers (15-40 s if their build folder is warm, minutes if not), then ~10-30 s
STOP_WITHIN_S = 10  # after Stop, the run's processes must be gone within this
IDLE_AFTER_STOP_S = 150  # the cells queued below the run still execute, and fail: no `result`


@dataclass
class Pool:
    notebook: str
    twin: str  # the Python twin whose --strategy processes runs a ProcessPoolExecutor
    params: dict  # parameters cell fields rewritten: {name: Rust expression}


POOLS = [
    # Per pool size, Rust's three strategies and Python's sequential and threads run before Python's processes:
    # 1 worker, 6 jobs x 500 ms gives each ~3 s, the pool's ~3 s coming some 20 s after the compile.
    Pool("02_process_vs_thread_pools.ipynb", "q2_pools.py",
         {"jobs": "6", "job_ms": "500.0", "workers": "vec![1]", "repeats": "1", "payload_bytes": "vec![1_000]",
          "crossover_job_us": "vec![100]", "crossover_jobs": "20"}),
    # One size: five Rust offloads, Python inline and to_thread, then processes (~5 s for 64 documents of 1 MB).
    Pool("08_large_json_in_tasks.ipynb", "q8_json.py",
         {"tasks": "64", "doc_bytes": "vec![1_000_000]", "judge_doc_bytes": "1_000_000"}),
]


def program(argv):
    """`lab q2`, or a twin's script and its arguments but --params' JSON (`q2_pools.py --part scaling ...`)."""
    script = next((i for i, a in enumerate(argv) if a.endswith(".py")), None)
    if script is None:
        return " ".join([argv[0].rsplit("/", 1)[-1]] + argv[1:2])
    args = argv[script + 1:]
    shown = [a for i, a in enumerate(args) if a != "--params" and (i == 0 or args[i - 1] != "--params")]
    return " ".join([argv[script].rsplit("/", 1)[-1]] + shown)


def at_stop(up, others):
    """What ran when Stop was pressed: `lab`, the twin, its pool workers, and any other process of the run."""
    (lab_pid, lab_argv), = up["lab"].items()
    (twin_pid, twin_argv), = up["twin"].items()
    line = (f"{program(lab_argv)} ({lab_pid}) > {program(twin_argv)} ({twin_pid}) > "
            f"{len(up['workers'])} pool worker(s) ({', '.join(map(str, sorted(up['workers'])))})")
    rest = {pid: argv for pid, argv in others.items() if pid not in (lab_pid, twin_pid, *up["workers"])}
    return line + "".join(f"; also {program(argv)} ({pid})" for pid, argv in sorted(rest.items()))


@pytest.mark.parametrize("pool", POOLS, ids=lambda p: p.notebook[:2])
def test_stop_while_a_python_process_pool_runs(browser, workspace, jupyterlab, run, pool):
    workspace_name = "e2e-" + pool.notebook[:2]
    with Step("kernels of the notebooks before shut down") as step:
        paths = shut_down_kernels_before(jupyterlab, run.id)
        step.detail = ", ".join(paths) or "none running"

    with lab_page(browser) as (page, _):
        with Step(f"open {pool.notebook} alone (workspace {workspace_name}, reset), smaller parameters") as step:
            tabs = open_alone(page, jupyterlab, pool.notebook, workspace_name, KERNEL_IDLE_S)
            set_params(page, committed_params(workspace, pool.notebook), pool.params)
            step.detail = (f"{len(tabs)} tab, current; kernel idle; "
                           + ", ".join(f"{k}: {v}" for k, v in pool.params.items()))

        with Step(f"Run All until {pool.twin} --strategy processes has pool workers") as step:
            t0 = time.monotonic()
            run_all(page, RUN_STARTED_S)
            started_s = time.monotonic() - t0
            wait_for(lambda: pool_up(run.id, pool.twin, "processes"), POOL_UP_WITHIN_S,
                     f"a pool worker of {pool.twin} --strategy processes (a python child of the twin)", poll_s=0.1)
            up_s = time.monotonic() - t0
            step.detail = f"first cell started {started_s:.1f} s after Run All; pool up at {up_s:.0f} s"

        with Step("Stop button while the pool runs: no `lab`, twin or pool worker left") as step:
            up = pool_up(run.id, pool.twin, "processes")  # as it is now, just before the click
            if not up:
                raise Failed(f"the pool ended before Stop was pressed: lengthen its run ({pool.params})")
            others = run_processes(run.id, pool.twin)
            seen = {**others, **up["lab"], **up["twin"], **up["workers"]}
            t0 = time.monotonic()
            press_stop(page)
            try:
                wait_for(lambda: not alive(seen) and not run_processes(run.id, pool.twin), STOP_WITHIN_S,
                         "the run's processes gone after Stop", poll_s=0.05)
            except Failed as e:
                left = {**run_processes(run.id, pool.twin), **{pid: seen[pid] for pid in alive(seen)}}
                raise Failed(f"{e}; still there: {describe(left)}") from None
            gone_s = time.monotonic() - t0
            wait_idle(page, IDLE_AFTER_STOP_S)
            shown = output_text(page, RUN_CELL).strip().splitlines()
            step.detail = (f"gone {gone_s:.1f} s after Stop: {at_stop(up, others)}; "
                           f"the run cell ends {shown[-1][:80] if shown else '(empty)'!r}")
