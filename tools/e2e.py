"""Drives JupyterLab in Debian's chromium the way a learner uses the lab, and checks what they would see.

  .venv/bin/python tools/e2e.py          (make e2e)

On a throwaway copy of the notebooks, with a JupyterLab of its own on 127.0.0.1 (random port and token):
open notebook 03 as a fresh clone (untrusted), Run All, check every chart decodes and no cell failed; set
`limits: vec![50]` and re-run from the parameters cell down (runtime ~2 s); start a 100 s run, press Stop, check
no `lab` or Python twin process is left, and re-run from the parameters cell down; then open every exported report
(reports/*.html, an export of the notebook just run, and a report index of its results) from file:// and check that
charts decode, no request leaves the machine, and the index's claim summary shows without scrolling. Prints one line per step with its duration; exits 1 naming the step that failed, with a
screenshot in reports/e2e/failure.png.

Needs Playwright for Python (requirements.txt) and /usr/bin/chromium (Debian's `chromium`); it never downloads a
browser. Every process it starts is marked with an environment variable, so the end check finds exactly this
run's JupyterLab, kernel, `lab`, Python and chromium processes, even orphaned ones, and leaves everyone else's
alone.
"""

import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import nbformat
from nbformat.sign import NotebookNotary
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

from netutil import free_port
import report  # tools/ is on sys.path when this file runs: the same failure rules and HTML export as make report

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
SHOTS = ROOT / "reports" / "e2e"
NOTEBOOK = "03_semaphore_scaling.ipynb"
LAB_BIN = ROOT / "target" / "release" / "lab"
TWIN = "q3_semaphore.py"
CHROMIUM = "/usr/bin/chromium"
# What a container needs (no setuid sandbox, no GPU), and nothing that phones home.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run"]
MARKER = "LAB_E2E_RUN"  # environment variable carried by every process this run starts (value: the run's id)
STOPPED_BY = None  # the signal that stopped the run, if one did

# The parameters cell, found by its text: the other cells may move.
PARAMS_CELL = "let params = Params"
RUN_CELL = "run(&params)"
LIMITS = re.compile(r"limits:\s*vec!\[[^\]]*\]")
# 1000 tasks x 100 ms behind 50 permits: 20 waves of 100 ms. tokio's 1 ms timer adds a little to each wave.
TOKIO_AT_50 = re.compile(r"at limit 50: tokio ([0-9.]+) s")
EXPECTED_S = (1.9, 2.4)
MIN_CHARTS = 4

RUN_ALL_TIMEOUT_S = 300  # compiling the helpers (15-40 s, more while other builds run) plus the ~45 s run
RERUN_TIMEOUT_S = 150  # limits [50]: ~11 s of runs, generous for a busy 2-core machine
STOP_WITHIN_S = 10  # after Stop, the run's processes must be gone within this
IDLE_STABLE_S = 3  # "idle" must hold this long: the kernel goes idle for a moment between queued cells


class Failed(Exception):
    """A check failed: the message says what was seen."""


class Step:
    """Times one step and prints one line for it; a failure inside names the step."""

    def __init__(self, name):
        self.name, self.detail = name, ""

    def __enter__(self):
        self.t0 = time.monotonic()
        return self

    def __exit__(self, kind, exc, tb):
        seconds = time.monotonic() - self.t0
        if exc is None:
            print(f"ok   {seconds:6.1f} s  {self.name}" + (f": {self.detail}" if self.detail else ""), flush=True)
            return False
        if not isinstance(exc, Exception):  # Ctrl-C, SIGTERM: unwind
            print(f"STOP {seconds:6.1f} s  {self.name}", flush=True)
            return False
        print(f"FAIL {seconds:6.1f} s  {self.name}", flush=True)
        what = str(exc) if isinstance(exc, (Failed, PlaywrightError)) else f"{type(exc).__name__}: {exc}"
        raise Failed(f"step '{self.name}' failed after {seconds:.0f} s: {what}") from exc


# --- processes -------------------------------------------------------------------------------------------------


def marked_processes(run_id):
    """{pid: argv} of every process whose environment carries this run's marker (children inherit it)."""
    found = {}
    needle = f"{MARKER}={run_id}".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if needle in (entry / "environ").read_bytes().split(b"\0"):
                argv = (entry / "cmdline").read_bytes().split(b"\0")
                found[int(entry.name)] = [a.decode(errors="replace") for a in argv if a]
        except OSError:  # gone meanwhile, or not ours to read
            continue
    return found


def run_processes(run_id):
    """This run's experiment processes: `lab` children and the Python twin."""
    return {pid: argv for pid, argv in marked_processes(run_id).items()
            if argv and (Path(argv[0]).name == "lab" or any(a.endswith(TWIN) for a in argv))}


def lab_q3(procs):
    """The `lab q3` processes among `procs`: the experiment itself, not a validation or listing call."""
    return {pid: argv for pid, argv in procs.items() if Path(argv[0]).name == "lab" and argv[1:2] == ["q3"]}


def describe(procs):
    return "; ".join(f"{pid}: {' '.join(argv)[:120]}" for pid, argv in sorted(procs.items())) or "none"


def wait_for(condition, timeout_s, what, poll_s=0.2):
    """Polls `condition` until it returns something truthy; raises Failed naming `what` after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise Failed(f"{what}: not seen within {timeout_s:.0f} s")
        time.sleep(poll_s)


# --- the throwaway workspace and the JupyterLab server ---------------------------------------------------------


def make_workspace(tmp):
    """The notebooks copied into `tmp`, beside a link to the helper crate (`:dep helpers = { path = "../helpers" }`).

    JupyterLab autosaves, and the tests save: on a copy, nothing ever writes outputs into the repository.
    The Lab's settings, workspaces, config, data (notebook trust) and runtime folders are also in `tmp`, so the
    user's own Lab state neither leaks in nor gets changed.
    """
    shutil.copytree(ROOT / "notebooks", tmp / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    (tmp / "helpers").symlink_to(ROOT / "helpers")
    for d in ("settings", "workspaces", "config", "data", "runtime", "results"):
        (tmp / d).mkdir()
    # Answer "Would you like to get notified about official Jupyter news?" with No: the toast covers the
    # notebook, and Yes would make the page fetch from the internet.
    news = tmp / "settings" / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    news.parent.mkdir(parents=True)
    news.write_text(json.dumps({"fetchNews": "false"}))


def assert_untrusted(tmp):
    """The copy opens as a fresh clone does: untrusted (no signature in the server's own, empty trust store)."""
    nb = nbformat.read(tmp / "notebooks" / NOTEBOOK, as_version=4)
    if NotebookNotary(data_dir=str(tmp / "data")).check_signature(nb):
        raise Failed(f"{NOTEBOOK} is trusted in a fresh trust store")
    if any(c.get("outputs") for c in nb.cells):
        raise Failed(f"{NOTEBOOK} is committed with outputs")
    return nb


def start_lab(tmp, run_id, token):
    """JupyterLab from the venv on 127.0.0.1, in its own process group; returns (process, base URL)."""
    port = free_port()
    env = dict(
        os.environ,
        JUPYTERLAB_SETTINGS_DIR=str(tmp / "settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(tmp / "workspaces"),
        JUPYTER_CONFIG_DIR=str(tmp / "config"),
        JUPYTER_DATA_DIR=str(tmp / "data"),  # also hides a user-level `rust` kernelspec: the venv's is tested
        JUPYTER_RUNTIME_DIR=str(tmp / "runtime"),
        LAB_BIN=str(LAB_BIN),  # the prebuilt release binary: nothing rebuilds during the test
        LAB_PYTHON=str(VENV_BIN / "python"),
        LAB_RESULTS=str(tmp / "results"),  # runs save their JSON here, not in the user's results/
        **{MARKER: run_id},
    )
    cmd = [str(VENV_BIN / "jupyter"), "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
           "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
           f"--ServerApp.root_dir={tmp / 'notebooks'}",
           "--LabApp.check_for_updates_class=jupyterlab.handlers.announcements.NeverCheckForUpdate"]
    if os.geteuid() == 0:
        cmd.append("--allow-root")
    log = open(tmp / "jupyterlab.log", "wb")
    server = subprocess.Popen(cmd, env=env, cwd=tmp, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)
    base = f"http://127.0.0.1:{port}"

    def answers():
        if server.poll() is not None:
            raise Failed(f"JupyterLab exited with {server.returncode}: {log_tail(tmp)}")
        try:
            with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5) as r:
                return r.status == 200
        except OSError:
            return False

    wait_for(answers, 90, "JupyterLab answering on " + base, poll_s=0.5)
    return server, base


def log_tail(tmp, chars=1500):
    try:
        return (tmp / "jupyterlab.log").read_text(errors="replace")[-chars:]
    except OSError:
        return "(no log)"


def stop_lab(server):
    """SIGTERM first, so JupyterLab shuts its kernels down; then the whole group is killed, whatever happened."""
    if server is None:
        return
    try:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        pass
    try:
        os.killpg(server.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    server.wait()


# --- the notebook in the browser -------------------------------------------------------------------------------

# Every cell as the page shows it: index, source, prompt, and each output's MIME type, text and images.
# JupyterLab skips rendering off-screen cells (content-visibility: auto), and innerText is empty for skipped
# content, so the cells are made visible for the read (one synchronous layout) and handed back afterwards.
OUTPUTS_JS = """() => {
    const all = [...document.querySelectorAll('.jp-Notebook .jp-Cell')];
    all.forEach(cell => cell.style.contentVisibility = 'visible');
    try {
        return all.map((cell, i) => ({
            i, code: cell.classList.contains('jp-CodeCell'),
            input: cell.querySelector('.jp-InputArea-editor')?.innerText ?? '',
            prompt: cell.querySelector('.jp-InputArea-prompt')?.textContent ?? '',
            outputs: [...cell.querySelectorAll('.jp-OutputArea-output')].map(o => ({
                mime: o.getAttribute('data-mime-type') ?? '', text: o.innerText,
                imgs: [...o.querySelectorAll('img')].map(img => ({
                    complete: img.complete, width: img.naturalWidth, src: img.src.slice(0, 40)})),
            })),
        }));
    } finally {
        all.forEach(cell => cell.style.contentVisibility = '');
    }
}"""

STATE_JS = """() => ({
    status: document.querySelector('#jp-main-statusbar')?.innerText ?? '',
    running: [...document.querySelectorAll('.jp-Notebook .jp-InputArea-prompt')].some(p => p.textContent.includes('*')),
    dialog: document.querySelector('.jp-Dialog')?.innerText ?? '',
})"""


def cells(page):
    return page.evaluate(OUTPUTS_JS)


def output_text(page, source):
    """All output text of the code cell whose source contains `source`."""
    found = [c for c in cells(page) if c["code"] and source in c["input"]]
    if len(found) != 1:
        raise Failed(f"expected one code cell containing {source!r}, found {len(found)}")
    return "\n".join(o["text"] for o in found[0]["outputs"])


def find_cell(page, text):
    """The code cell whose source contains `text`, as a locator."""
    found = page.locator(".jp-Notebook .jp-CodeCell").filter(has=page.locator(".jp-InputArea-editor", has_text=text))
    if found.count() != 1:
        raise Failed(f"expected one code cell containing {text!r}, found {found.count()}")
    return found


def prompt_of(cell):
    """'[3]:', '[*]:' or '[ ]:' (textContent: innerText is empty while the cell is scrolled away)."""
    return cell.locator(".jp-InputArea-prompt").text_content().strip()


def wait_idle(page, timeout_s, started=lambda: True):
    """Waits until `started()` holds, the kernel reads Idle and no cell shows [*], for IDLE_STABLE_S in a row."""
    deadline, since = time.monotonic() + timeout_s, None
    while True:
        s = page.evaluate(STATE_JS)
        if s["dialog"]:
            raise Failed(f"a dialog opened: {s['dialog'][:300]!r}")
        if re.search(r"\b(Dead|Unknown)\b", s["status"]):
            raise Failed(f"kernel status: {s['status']!r}")
        idle = "Rust | Idle" in s["status"] and not s["running"] and started()
        since = (since or time.monotonic()) if idle else None
        if since and time.monotonic() - since >= IDLE_STABLE_S:
            return
        if time.monotonic() > deadline:
            kernel = " | ".join(s["status"].split("\n")[:3])
            raise Failed(f"not idle after {timeout_s} s: status bar {kernel!r}, a cell shows [*]: {s['running']}, "
                         f"the run started: {bool(started())}")
        time.sleep(0.5)


def menu(page, top, item):
    """Clicks a menu bar entry, then one of its items, as a mouse user does."""
    page.locator(".lm-MenuBar-itemLabel", has_text=top).first.click()
    page.locator(".lm-Menu-itemLabel", has_text=item).first.click()


def edit_params(page, source, limits):
    """Rewrites the parameters cell with `limits` in place of the committed limits, keeping every other field.

    Select all, then paste: typing would let the editor auto-close brackets and re-indent the lines.
    """
    cell = find_cell(page, PARAMS_CELL)
    cell.scroll_into_view_if_needed()
    editor = cell.locator(".cm-content")
    editor.click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(LIMITS.sub(f"limits: vec![{limits}]", source, count=1))
    shown = editor.inner_text()
    if f"limits: vec![{limits}]" not in shown:
        raise Failed(f"the parameters cell reads {shown!r} after editing")
    return cell


def run_from(page, cell, timeout_s):
    """Runs `cell` and every cell below it (Run menu), then waits until the kernel is idle again."""
    before = prompt_of(cell)
    menu(page, "Run", "Run Selected Cell and All Below")
    wait_idle(page, timeout_s, started=lambda: re.fullmatch(r"\[\d+\]:", prompt_of(cell)) and prompt_of(cell) != before)


def failures(page):
    """'cell N: line' for every error output, panic or `Error:` line, by the rules report.py applies to files."""
    found = []
    for c in cells(page):
        for o in c["outputs"]:
            if o["mime"] == "application/vnd.jupyter.error":
                found.append(f"cell {c['i']}: {o['text'][:300]}")
                continue
            rule = report.FAILURE_STDERR if o["mime"] == "application/vnd.jupyter.stderr" else report.FAILURE
            m = rule.search(o["text"])
            if m:
                line = o["text"][o["text"].rfind("\n", 0, m.start()) + 1:].split("\n", 1)[0]
                found.append(f"cell {c['i']}: {line[:300]}")
    return found


def assert_no_failures(page):
    found = failures(page)
    if found:
        raise Failed("error output: " + " | ".join(found))


def assert_charts(page):
    """Every image in the outputs has decoded (naturalWidth > 0); returns how many there are."""
    imgs = [img for c in cells(page) for o in c["outputs"] for img in o["imgs"]]
    broken = [img["src"] for img in imgs if not img["complete"] or img["width"] == 0]
    if broken:
        raise Failed(f"{len(broken)} of {len(imgs)} chart images did not decode: {broken[:3]}")
    if len(imgs) < MIN_CHARTS:
        raise Failed(f"{len(imgs)} chart images, expected at least {MIN_CHARTS}")
    return len(imgs)


def tokio_runtime_at_50(page):
    """The tokio runtime in the run cell's headline, which must be the fresh one for limit 50."""
    text = output_text(page, RUN_CELL)
    m = TOKIO_AT_50.search(text)
    if not m:
        raise Failed(f"no 'at limit 50: tokio N s' headline in the run cell's output: {text[-400:]!r}")
    seconds = float(m.group(1))
    if not EXPECTED_S[0] <= seconds <= EXPECTED_S[1]:
        raise Failed(f"tokio took {seconds} s at limit 50, expected {EXPECTED_S[0]}-{EXPECTED_S[1]} s")
    return seconds


def screenshot(page, name, cell_text=None):
    """reports/e2e/<name>; with `cell_text`, scrolled to that cell's first chart."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    if cell_text:
        chart = find_cell(page, cell_text).locator(".jp-OutputArea-output img").first
        chart.scroll_into_view_if_needed()
        chart.wait_for(state="visible")
        # Scrolled-in cells are laid out and painted on the next frames (content-visibility): a screenshot taken
        # at once can be blank.
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        chart.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / name))
    return SHOTS / name


# --- requests --------------------------------------------------------------------------------------------------


def record_requests(context):
    """Every URL the pages of `context` request (documents, scripts, images, XHR, websockets)."""
    urls = []
    context.on("request", lambda r: urls.append(r.url))
    context.on("page", lambda p: p.on("websocket", lambda ws: urls.append(ws.url)))
    return urls


def outside(urls, hosts=()):
    """The URLs that would leave the machine: not file: or data:, and not to one of `hosts`."""
    bad = []
    for url in urls:
        u = urllib.parse.urlsplit(url)
        if u.scheme in ("file", "data", "blob") or (u.scheme in ("http", "https", "ws", "wss") and u.hostname in hosts):
            continue
        bad.append(url[:120])
    return bad


def summary_in_first_screen(page, path):
    """The index's point: how many of the notes' claims hold, for Rust and for Python, seen without scrolling."""
    boxes = page.evaluate("() => [...document.querySelectorAll('.lab-ledger-summary')].map(e => "
                          "[e.getBoundingClientRect().bottom, e.innerText])")
    if not boxes:
        raise Failed(f"{path.name}: no ledger summary")
    height = page.viewport_size["height"]
    below = [text.splitlines()[0] for bottom, text in boxes if bottom > height]
    if below:
        raise Failed(f"{path.name}: the summary of {below} is below the first {height} px: it needs scrolling")
    if not all("Rust:" in text and "Python:" in text for _, text in boxes):
        raise Failed(f"{path.name}: a summary lacks the Rust or Python line: {boxes}")


def check_report(browser, path, check_summary=False):
    """Opens one HTML report from file://; returns (images, requests). Charts decode, nothing is fetched."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})  # a laptop's screen
    urls = record_requests(context)
    page = context.new_page()
    try:
        # networkidle, not load: a script fetching (say) MathJax from a CDN after load must be seen too.
        page.goto(path.resolve().as_uri(), wait_until="networkidle", timeout=60_000)
        imgs = page.evaluate("() => [...document.images].map(i => ({w: i.naturalWidth, ok: i.complete, "
                             "src: i.src.slice(0, 40)}))")
        broken = [i["src"] for i in imgs if not i["ok"] or i["w"] == 0]
        if broken:
            raise Failed(f"{path.name}: {len(broken)} of {len(imgs)} images did not decode: {broken[:3]}")
        bad = outside(urls)
        if bad:
            raise Failed(f"{path.name} requested {len(bad)} URL(s) beyond file: and data:: {bad[:5]}")
        if check_summary:
            summary_in_first_screen(page, path)
        return len(imgs), len(urls)
    except Failed:
        save_failure_shot(page)
        raise
    finally:
        quietly(context.close)


# --- the steps -------------------------------------------------------------------------------------------------


def session(browser, tmp, run_id):
    """Everything done in JupyterLab; returns the saved notebook path."""
    token = secrets.token_hex(24)
    with Step("throwaway copy of the notebooks, untrusted") as step:
        make_workspace(tmp)
        committed = assert_untrusted(tmp)
        params_source = next(c.source for c in committed.cells if c.cell_type == "code" and PARAMS_CELL in c.source)
        if not LIMITS.search(params_source):
            raise Failed(f"no `limits: vec![..]` in the parameters cell: {params_source!r}")
        step.detail = str(tmp)

    server = None
    try:
        with Step("JupyterLab on 127.0.0.1") as step:
            server, base = start_lab(tmp, run_id, token)
            step.detail = f"{base} (pid {server.pid})"

        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        lab_urls = record_requests(context)
        page = context.new_page()
        try:
            return lab_steps(page, base, token, tmp, run_id, params_source, lab_urls)
        except Exception:
            save_failure_shot(page)
            raise
        finally:
            quietly(context.close)
    finally:
        stop_lab(server)


def rerun_at_limit_50(page, params_source):
    """Sets `limits: vec![50]`, runs from the parameters cell down, checks the outputs; returns what it saw."""
    cell = edit_params(page, params_source, "50")
    run_from(page, cell, RERUN_TIMEOUT_S)
    assert_no_failures(page)
    n = assert_charts(page)
    return f"tokio {tokio_runtime_at_50(page)} s at limit 50, {n} charts"


def lab_steps(page, base, token, tmp, run_id, params_source, lab_urls):
    with Step(f"open {NOTEBOOK}, Run All") as step:
        page.goto(f"{base}/lab/tree/{NOTEBOOK}?token={token}", timeout=60_000)
        page.wait_for_function("document.querySelector('#jp-main-statusbar')?.innerText.includes('Rust | Idle')",
                               timeout=120_000)
        first = page.locator(".jp-Notebook .jp-CodeCell").first
        menu(page, "Run", "Run All Cells")
        wait_idle(page, RUN_ALL_TIMEOUT_S, started=lambda: re.fullmatch(r"\[\d+\]:", prompt_of(first)))
        assert_no_failures(page)
        n = assert_charts(page)
        shot = screenshot(page, "03.png", cell_text="runtime_chart(")
        step.detail = f"{n} charts decoded, no error output; {shot.relative_to(ROOT)}"

    with Step("limits: vec![50], re-run from the parameters cell down") as step:
        step.detail = rerun_at_limit_50(page, params_source)

    with Step("limits: vec![1] (a 100 s run), Stop button") as step:
        cell = edit_params(page, params_source, "1")
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
        saved = tmp / "notebooks" / NOTEBOOK
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


def quietly(close):
    """Closes a page, context or browser that may already be gone (Ctrl-C reaches chromium too)."""
    try:
        close()
    except PlaywrightError:
        pass


def save_failure_shot(page):
    try:
        print(f"     screenshot: {screenshot(page, 'failure.png').relative_to(ROOT)}", flush=True)
    except Exception as e:  # the browser may be what failed: the message above matters more
        print(f"     (no screenshot: {e})", flush=True)


def export_and_open(browser, saved, tmp):
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


def nothing_left(run_id):
    """No JupyterLab, kernel, `lab`, Python or chromium process of this run survives it; any found are killed, and
    the run fails."""
    with Step("no process of this run remains") as step:
        try:
            wait_for(lambda: not marked_processes(run_id), 15, "every process of this run gone")
        except Failed:
            left = marked_processes(run_id)
            for pid in left:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            raise Failed(f"left behind (now killed): {describe(left)}")
        step.detail = "JupyterLab, kernel, lab, Python and chromium all gone"


def interrupted(signum, frame):
    """Ctrl-C or SIGTERM (a CI timeout): unwind, so the finally blocks still stop JupyterLab and check.

    Ctrl-C also reaches Playwright's driver, so what surfaces may be "browser has been closed": the signal's name
    is kept to say what really happened.
    """
    global STOPPED_BY
    STOPPED_BY = signal.Signals(signum).name
    raise KeyboardInterrupt


def main():
    signal.signal(signal.SIGINT, interrupted)
    signal.signal(signal.SIGTERM, interrupted)
    if not Path(CHROMIUM).exists():
        print(f"error: {CHROMIUM} not found; install Debian's chromium (apt-get install chromium)", file=sys.stderr)
        return 2
    if not LAB_BIN.exists():
        print(f"error: {LAB_BIN} not found; run `make setup`", file=sys.stderr)
        return 2
    (SHOTS / "failure.png").unlink(missing_ok=True)  # a stale one would pass for this run's
    run_id = secrets.token_hex(8)
    tmp = Path(tempfile.mkdtemp(prefix="lab-e2e-"))
    t0, error = time.monotonic(), None
    try:
        with sync_playwright() as pw:
            with Step("chromium") as step:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                             env=dict(os.environ, **{MARKER: run_id}))
                step.detail = f"{CHROMIUM} {browser.version}"
            try:
                saved = session(browser, tmp, run_id)
                export_and_open(browser, saved, tmp)
            finally:
                quietly(browser.close)
    except Failed as e:
        error = str(e)
    except KeyboardInterrupt:
        error = "interrupted"
    finally:
        try:
            nothing_left(run_id)
        except Failed as e:
            error = error or str(e)
    if STOPPED_BY:
        error = f"stopped by {STOPPED_BY}" + (f" ({error})" if error != "interrupted" else "")
    if error:
        print(f"e2e FAILED after {time.monotonic() - t0:.0f} s: {error}", file=sys.stderr)
        print(f"     JupyterLab's log: {tmp / 'jupyterlab.log'}", file=sys.stderr)
        return 1
    shutil.rmtree(tmp, ignore_errors=True)
    print(f"e2e passed in {time.monotonic() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
