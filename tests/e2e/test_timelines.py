"""Notebook 01's timeline in JupyterLab (issue 15): after notebook 03's (test_learner_session.py), the lanes chart
of notebook 01 must render untrusted, with the heartbeat's numbers in its alt text.

As in test_stop_in_process_pools.py, the kernels before are shut down and the notebook opens alone in a reset
workspace of its own; smaller parameters keep the run to a few seconds after the compile. A screenshot of the chart
goes to reports/e2e/01-timeline.png.
"""

from .jupyterlab import shut_down_kernels_before
from .notebook_page import assert_no_failures, assert_timeline, lab_page, open_alone, run_all, set_params, wait_idle
from .steps import Step
from .workspace import committed_params

NOTEBOOK = "01_async_cpu_bound.ipynb"
KERNEL_IDLE_S = 180  # a new kernel: evcxr starting on a busy 2-core machine
RUN_STARTED_S = 30
RUN_ALL_S = 420  # compiling the helpers (minutes if their build folder is cold), then a few seconds of runs
# Every strategy still runs, 4 jobs of 50 ms each, once.
PARAMS = {"jobs": "4", "job_ms": "50.0", "repeats": "1"}
TIMELINE_CELL = "lanes_chart(&result)"


def test_notebook_01_lanes_timeline(browser, workspace, jupyterlab, run):
    with Step("kernels of the notebooks before shut down") as step:
        paths = shut_down_kernels_before(jupyterlab, run.id)
        step.detail = ", ".join(paths) or "none running"

    with lab_page(browser) as (page, _):
        with Step(f"open {NOTEBOOK} alone (workspace e2e-01, reset), smaller parameters, Run All") as step:
            open_alone(page, jupyterlab, NOTEBOOK, "e2e-01", KERNEL_IDLE_S)
            set_params(page, committed_params(workspace, NOTEBOOK), PARAMS)
            run_all(page, RUN_STARTED_S)
            wait_idle(page, RUN_ALL_S)
            assert_no_failures(page)
            step.detail = ", ".join(f"{k}: {v}" for k, v in PARAMS.items())

        with Step("the lanes timeline shows, untrusted, with the heartbeat in its alt text") as step:
            alt = assert_timeline(page, TIMELINE_CELL, ["tokio current_thread", "heartbeat", "lane"],
                                  "01-timeline.png")
            step.detail = f"reports/e2e/01-timeline.png; alt: {alt!r}"
