"""Drives JupyterLab in Debian's chromium the way a learner uses the lab, and checks what they would see.

  make e2e          (.venv/bin/python -m pytest -q tests/e2e; `make test-notebooks` leaves it out)

On a throwaway copy of the notebooks, with a JupyterLab of its own on 127.0.0.1 (random port and token):
open notebook 03 as a fresh clone (untrusted), Run All, check every chart decodes and no cell failed, and that the
tasks-in-flight timeline shows with its numbers in its alt text (screenshot reports/e2e/03-timeline.png); set
`limits: vec![50]` and re-run from the parameters cell down (runtime ~2 s); start a 100 s run, press Stop, check
no `lab` or Python twin process is left, and re-run from the parameters cell down; then open every exported report
(reports/*.html, an export of the notebook just run, and a report index of its results) from file:// and check that
charts decode, no request leaves the machine, and the index's claim summary shows without scrolling. Prints one
line per step with its duration; fails naming the step that failed, with a screenshot in reports/e2e/failure.png.
Then test_stop_in_process_pools.py presses Stop in notebooks 02 and 08 while a Python process pool runs, and
test_timelines.py runs notebook 01 and checks its lanes timeline.

The steps depend on each other, so they are one test, in this order; the run, chromium, the workspace and the
JupyterLab server are session fixtures (conftest.py).

Needs Playwright for Python (requirements.txt) and /usr/bin/chromium (Debian's `chromium`); it never downloads a
browser. Every process it starts is marked with an environment variable, so the end check finds exactly this
run's JupyterLab, kernel, `lab`, Python and chromium processes, even orphaned ones, and leaves everyone else's
alone.
"""

import re
import time

import nbformat

import report  # tools/report.py: the same failure rules and HTML export as make report

from . import ROOT
from .network import outside
from .notebook_page import (MIN_CHARTS, RUN_CELL, TOKIO_AT_50, assert_charts, assert_no_failures, assert_timeline,
                            edit_params,
                            find_cell, lab_page, menu, output_text, prompt_of, run_from, screenshot,
                            tokio_runtime_at_50, wait_idle)
from .processes import describe, lab_q3, run_processes
from .report_pages import check_report
from .steps import Failed, Step, wait_for
from .workspace import NOTEBOOK, PARAMS_CELL

RUN_ALL_TIMEOUT_S = 300  # compiling the helpers (15-40 s, more while other builds run) plus the ~45 s run
RERUN_TIMEOUT_S = 150  # limits [50]: ~11 s of runs, generous for a busy 2-core machine
STOP_WITHIN_S = 10  # after Stop, the run's processes must be gone within this
TIMELINE_CELL = "in_flight_chart("


def test_notebook_03_in_jupyterlab_then_its_reports_offline(browser, workspace, jupyterlab, run):
    with lab_page(browser) as (page, lab_urls):
        saved = in_jupyterlab(page, lab_urls, jupyterlab, workspace, run.id)
    export_and_open(browser, saved, workspace.tmp)


def in_jupyterlab(page, lab_urls, lab, workspace, run_id):
    """Everything done in JupyterLab; returns the saved notebook path."""
    params_source = workspace.params_source
    with Step(f"open {NOTEBOOK}, Run All") as step:
        page.goto(f"{lab.base}/lab/tree/{NOTEBOOK}?token={lab.token}", timeout=60_000)
        page.wait_for_function("document.querySelector('#jp-main-statusbar')?.innerText.includes('Rust | Idle')",
                               timeout=120_000)
        first = page.locator(".jp-Notebook .jp-CodeCell").first
        menu(page, "Run", "Run All Cells")
        wait_idle(page, RUN_ALL_TIMEOUT_S, started=lambda: re.fullmatch(r"\[\d+\]:", prompt_of(first)))
        assert_no_failures(page)
        n = assert_charts(page)
        shot = screenshot(page, "03.png", cell_text="runtime_chart(")
        step.detail = f"{n} charts decoded, no error output; {shot.relative_to(ROOT)}"

    with Step("the tasks-in-flight timeline shows, untrusted, with its numbers in the alt text") as step:
        alt = assert_timeline(page, TIMELINE_CELL, ["holding a permit", "waiting for a permit", "limit"],
                              "03-timeline.png")
        step.detail = f"reports/e2e/03-timeline.png; alt: {alt!r}"

    with Step("limits: vec![50], re-run from the parameters cell down") as step:
        step.detail = rerun_at_limit_50(page, params_source)

    with Step("limits: vec![1] (a 100 s run), Stop button") as step:
        edit_params(page, params_source, "1")
        menu(page, "Run", "Run Selected Cell and All Below")
        started = wait_for(lambda: lab_q3(run_processes(run_id)), 60, "a `lab q3` process of this run")
        t0 = time.monotonic()
        page.locator('.jp-NotebookPanel-toolbar jp-button[data-command="notebook:interrupt-kernel"]').click()
        wait_for(lambda: not run_processes(run_id), STOP_WITHIN_S,
                 f"the run's processes gone after Stop (still there: {describe(run_processes(run_id))})")
        gone_s = time.monotonic() - t0
        wait_idle(page, RERUN_TIMEOUT_S)  # the cells queued below the run still execute, and fail: no `result`
        shown = output_text(page, RUN_CELL).strip().splitlines()
        step.detail = (f"`lab q3` (pid {', '.join(map(str, started))}) and any twin gone {gone_s:.1f} s after Stop; "
                       f"the run cell ends {shown[-1][:100] if shown else '(empty)'!r}")

    with Step("after Stop: limits: vec![50], re-run from the parameters cell down") as step:
        step.detail = rerun_at_limit_50(page, params_source)

    with Step("save in JupyterLab (Ctrl+S)") as step:
        saved = workspace.notebook
        mtime = saved.stat().st_mtime_ns
        find_cell(page, PARAMS_CELL).locator(".jp-InputPrompt").click()  # command mode on a cell, as after a run
        page.keyboard.press("Control+s")
        wait_for(lambda: saved.stat().st_mtime_ns != mtime and TOKIO_AT_50.search(saved.read_text()), 30,
                 "the saved notebook with the limit-50 headline")
        step.detail = str(saved)

    with Step("JupyterLab page requested only 127.0.0.1") as step:
        bad = outside(lab_urls, hosts=("127.0.0.1",))
        if bad:
            raise Failed(f"{len(bad)} request(s) left 127.0.0.1: {bad[:5]}")
        step.detail = f"{len(lab_urls)} requests"
    return saved


def rerun_at_limit_50(page, params_source):
    """Sets `limits: vec![50]`, runs from the parameters cell down, checks the outputs; returns what it saw."""
    cell = edit_params(page, params_source, "50")
    run_from(page, cell, RERUN_TIMEOUT_S)
    assert_no_failures(page)
    n = assert_charts(page)
    return f"tokio {tokio_runtime_at_50(page)} s at limit 50, {n} charts"


def export_and_open(browser, saved, tmp):
    """The saved notebook exported, a report index of this run's results written, and every report opened offline."""
    with Step("export the saved notebook (report.to_html)") as step:
        nb = nbformat.read(saved, as_version=4)
        problems = report.problems(nb)
        if problems:
            raise Failed("the saved notebook has error output: " + " | ".join(problems))
        exported = tmp / (saved.stem + ".html")
        exported.write_text(report.to_html(nb, problems))
        step.detail = f"{report.charts(nb)} charts -> {exported}"

    with Step("report index of this run's results (report.write_index)") as step:
        (tmp / "index").mkdir()
        index = tmp / "index" / "index.html"
        report.write_index([], [tmp / "results"], index)
        step.detail = str(index)

    pages = sorted((ROOT / "reports").glob("*.html")) + [exported, index]
    for path in pages:
        with Step(f"open {path.name} from file://") as step:
            # The summary is checked on the index this run wrote: reports/ may hold one from an older lab.
            imgs, requests = check_report(browser, path, check_summary=path == index)
            if path == exported and imgs < MIN_CHARTS:
                raise Failed(f"{imgs} images in the export, expected at least {MIN_CHARTS}")
            step.detail = f"{imgs} images decoded, {requests} requests, all file: or data:"
