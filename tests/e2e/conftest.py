"""The browser test's fixtures, all session-scoped: the scenario's steps share one run, one chromium, one
throwaway workspace and one JupyterLab server.

Set up in the order the test names them (run first, as chromium needs it), torn down in reverse: JupyterLab is
stopped and chromium closed before the run checks that none of its processes remain.
"""

import os
import secrets
import shutil
import signal
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

from .jupyterlab import LAB_BIN, Lab, start_lab, stop_lab
from .notebook_page import SHOTS, quietly
from .processes import MARKER, assert_none_left
from .steps import Failed, Step
from .workspace import Workspace, assert_untrusted, make_workspace, params_source

CHROMIUM = "/usr/bin/chromium"
# What a container needs (no setuid sandbox, no GPU), and nothing that phones home.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run"]


@dataclass
class Run:
    id: str  # the marker's value: every process this run starts carries MARKER=id in its environment
    tmp: Path  # the throwaway folder: the workspace, JupyterLab's log, the exports
    stopped_by: str | None = None  # the signal that stopped the run, if one did

    @property
    def marker(self):
        return {MARKER: self.id}


@pytest.fixture(scope="session", autouse=True)
def live_step_lines(pytestconfig):
    """Each step's line shows as the step ends, past pytest's output capture (make e2e runs for minutes)."""
    reporter = pytestconfig.pluginmanager.get_plugin("terminalreporter")
    capture = pytestconfig.pluginmanager.get_plugin("capturemanager")
    if reporter is None or capture is None:  # -p no:terminal, -p no:capture: print does
        yield
        return

    def say(line):
        with capture.global_and_fixture_disabled():
            if getattr(reporter, "_width_of_current_line", 0):  # after pytest's progress letter: a line of its own
                reporter.write("\n")
            reporter.write_line(line)
            reporter.flush()

    Step.say = staticmethod(say)
    try:
        yield
    finally:
        Step.say = staticmethod(print)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed check reads as the step that failed and what was seen, with no traceback; an exception that is not
    a check or the browser's (a bug in a step) keeps pytest's traceback."""
    report = yield
    exc = call.excinfo.value if call.excinfo else None
    if report.failed and isinstance(exc, Failed) and isinstance(exc.__cause__, (Failed, PlaywrightError, type(None))):
        report.longrepr = str(exc)
    return report


@pytest.fixture(scope="session")
def run(request):
    """This run: its id (the marker) and its throwaway folder.

    Before: chromium and the release `lab` binary must be there (exit 2 if not), and a stale failure.png goes, or it
    would pass for this run's. After, whatever happened: no process of this run may remain (any found are killed,
    and the run fails); the folder is removed only if everything passed. Ctrl-C and SIGTERM (a CI timeout) unwind
    through here, so JupyterLab is still stopped and the check still made.
    """
    if not Path(CHROMIUM).exists():
        pytest.exit(f"error: {CHROMIUM} not found; install Debian's chromium (apt-get install chromium)", returncode=2)
    if not LAB_BIN.exists():
        pytest.exit(f"error: {LAB_BIN} not found; run `make setup`", returncode=2)
    (SHOTS / "failure.png").unlink(missing_ok=True)
    this = Run(secrets.token_hex(8), Path(tempfile.mkdtemp(prefix="lab-e2e-")))

    def interrupted(signum, frame):
        """Ctrl-C or SIGTERM: unwind, so the teardowns still stop JupyterLab and check.

        Ctrl-C also reaches Playwright's driver, so what surfaces may be "browser has been closed": the signal's
        name is kept to say what really happened.
        """
        this.stopped_by = signal.Signals(signum).name
        raise KeyboardInterrupt

    previous = {s: signal.signal(s, interrupted) for s in (signal.SIGINT, signal.SIGTERM)}
    yield this
    # pytest comes back here whatever happened (a failure, an error, Ctrl-C), and only once JupyterLab and
    # chromium, which need this fixture, are stopped.
    clean = False
    try:
        with Step("no process of this run remains") as step:
            assert_none_left(this.id)
            step.detail = "JupyterLab, kernel, lab, Python and chromium all gone"
        clean = True
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        if this.stopped_by:
            Step.say(f"e2e stopped by {this.stopped_by}")
        if clean and not this.stopped_by and not request.session.testsfailed:
            shutil.rmtree(this.tmp, ignore_errors=True)
        else:
            Step.say(f"     JupyterLab's log: {this.tmp / 'jupyterlab.log'}")


@pytest.fixture(scope="session")
def browser(run):
    """Debian's chromium, driven by Playwright (which never downloads a browser of its own), marked as this run's."""
    with sync_playwright() as pw:
        with Step("chromium") as step:
            launched = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                          env=dict(os.environ, **run.marker))
            step.detail = f"{CHROMIUM} {launched.version}"
        try:
            yield launched
        finally:
            quietly(launched.close)


@pytest.fixture(scope="session")
def workspace(run):
    """The notebooks copied into the run's folder, notebook 03 untrusted, as a fresh clone opens."""
    with Step("throwaway copy of the notebooks, untrusted") as step:
        make_workspace(run.tmp)
        committed = assert_untrusted(run.tmp)
        source = params_source(committed)
        step.detail = str(run.tmp)
    return Workspace(run.tmp, source)


@pytest.fixture(scope="session")
def jupyterlab(run, workspace):
    """JupyterLab from the venv on 127.0.0.1 over the workspace, marked as this run's; stopped at the end."""
    token = secrets.token_hex(24)
    with Step("JupyterLab on 127.0.0.1") as step:
        server, base = start_lab(workspace.tmp, run.id, token)
        step.detail = f"{base} (pid {server.pid})"
    try:
        yield Lab(server, base, token)
    finally:
        stop_lab(server)
