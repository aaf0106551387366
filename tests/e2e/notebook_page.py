"""A notebook in JupyterLab's page (notebook 03; 02 and 08 each opened alone): opening, reading the cells and the
kernel's state, menus, editing and running cells, the Stop button, checking the outputs, screenshots."""

import re
import time
from contextlib import contextmanager

from playwright.sync_api import Error as PlaywrightError

import report  # tools/report.py: the same failure rules as make report

from . import ROOT
from .network import record_requests
from .steps import Failed
from .workspace import LIMITS, PARAMS_CELL

SHOTS = ROOT / "reports" / "e2e"
RUN_CELL = "run(&params)"
# 1000 tasks x 100 ms behind 50 permits: 20 waves of 100 ms. tokio's 1 ms timer adds a little to each wave.
TOKIO_AT_50 = re.compile(r"at limit 50: tokio ([0-9.]+) s")
EXPECTED_S = (1.9, 2.4)
MIN_CHARTS = 4
IDLE_STABLE_S = 3  # "idle" must hold this long: the kernel goes idle for a moment between queued cells


@contextmanager
def lab_page(browser):
    """A page of its own for JupyterLab, and the list of every URL it requests; a failure inside saves
    reports/e2e/failure.png of the page before it closes."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    urls = record_requests(context)
    page = context.new_page()
    try:
        yield page, urls
    except Exception:
        save_failure_shot(page)
        raise
    finally:
        quietly(context.close)


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
                    complete: img.complete, width: img.naturalWidth, src: img.src.slice(0, 40), alt: img.alt})),
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
    """Rewrites the parameters cell with `limits` in place of the committed limits, keeping every other field."""
    return paste_params(page, LIMITS.sub(f"limits: vec![{limits}]", source, count=1), [f"limits: vec![{limits}]"])


def set_params(page, source, fields):
    """Rewrites the parameters cell with `fields` ({name: Rust expression}) in place of the committed values of
    those `name: value, // comment` lines, keeping the comments and every other field."""
    for name, value in fields.items():
        source, n = re.subn(rf"^(\s*{name}:\s*)(.+?)(,\s*//.*)$", lambda m, v=value: m.group(1) + v + m.group(3),
                            source,
                            count=1, flags=re.M)
        if n != 1:
            raise Failed(f"no `{name}: ..., // ...` line in the parameters cell: {source!r}")
    return paste_params(page, source, [f"{name}: {value}," for name, value in fields.items()])


def paste_params(page, source, expected):
    """Replaces the parameters cell's source with `source`; checks the editor then shows every `expected` text.

    Select all, then paste: typing would let the editor auto-close brackets and re-indent the lines.
    """
    cell = find_cell(page, PARAMS_CELL)
    cell.scroll_into_view_if_needed()
    editor = cell.locator(".cm-content")
    editor.click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(source)
    shown = editor.inner_text()
    if not all(text in shown for text in expected):
        raise Failed(f"the parameters cell reads {shown!r} after editing")
    return cell


KERNEL_IDLE_JS = "document.querySelector('#jp-main-statusbar')?.innerText.includes('Rust | Idle')"
# The main area's tabs: [label, is the current one].
TABS_JS = """() => [...document.querySelectorAll('#jp-main-dock-panel .lm-TabBar-tab')].map(t =>
    [t.querySelector('.lm-TabBar-tabLabel')?.innerText.trim() ?? '', t.classList.contains('jp-mod-current')])"""


def open_alone(page, lab, notebook, workspace, timeout_s):
    """Opens `notebook` in a JupyterLab workspace of its own, reset (/lab/workspaces/NAME/tree/PATH?reset): no
    tab of an earlier notebook is restored beside it, so it is the notebook the Run menu acts on. Waits for its
    kernel to be idle; checks it is the only tab of the main area, and the current one."""
    page.goto(f"{lab.base}/lab/workspaces/{workspace}/tree/{notebook}?reset&token={lab.token}", timeout=60_000)
    page.wait_for_function(KERNEL_IDLE_JS, timeout=timeout_s * 1000)
    tabs = page.evaluate(TABS_JS)
    if tabs != [[notebook, True]]:
        raise Failed(f"expected {notebook} alone and current in the main area, the tabs are {tabs}")
    return tabs


def run_all(page, started_within_s):
    """Run > Run All Cells in the notebook in view, after clicking its first cell (command mode, as a learner
    does); checks that the first cell is queued or run within `started_within_s`."""
    first = page.locator(".jp-NotebookPanel:visible .jp-Notebook .jp-CodeCell").first
    first.locator(".jp-InputPrompt").click()
    before = prompt_of(first)
    menu(page, "Run", "Run All Cells")
    deadline = time.monotonic() + started_within_s
    while prompt_of(first) == before or not re.fullmatch(r"\[(\*|\d+)\]:", prompt_of(first)):
        if time.monotonic() > deadline:
            raise Failed(f"Run All did not start the notebook in view: its first cell reads {prompt_of(first)!r} "
                         f"after {started_within_s} s")
        time.sleep(0.2)
    return first


def press_stop(page):
    """The Stop button (interrupt the kernel) of the notebook in view."""
    page.locator('.jp-NotebookPanel-toolbar:visible jp-button[data-command="notebook:interrupt-kernel"]').first.click()


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


def assert_timeline(page, cell_text, shows, shot):
    """The chart of the cell whose source starts with `cell_text` decoded, and its alt text names each of `shows`;
    a screenshot of it goes to reports/e2e/`shot`. Returns the alt text's start. (Starts with: `lanes_chart(` is
    also inside `python_lanes_chart(`.)"""
    found = [c for c in cells(page) if c["code"] and c["input"].strip().startswith(cell_text)]
    imgs = [img for c in found for o in c["outputs"] for img in o["imgs"]]
    if len(imgs) != 1:
        raise Failed(f"expected one chart image in the cell {cell_text!r}, found {len(imgs)}")
    img = imgs[0]
    if not img["complete"] or img["width"] == 0:
        raise Failed(f"the timeline in {cell_text!r} did not decode: {img['src']}")
    missing = [s for s in shows if s not in img["alt"]]
    if missing:
        raise Failed(f"the timeline's alt text lacks {missing}: {img['alt'][:300]!r}")
    screenshot(page, shot, cell_text=re.compile("^" + re.escape(cell_text)))
    return img["alt"][:160]


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
    """reports/e2e/<name>; with `cell_text` (a string the cell's source holds, or a pattern), scrolled to that
    cell's first chart."""
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




def save_failure_shot(page):
    try:
        print(f"     screenshot: {screenshot(page, 'failure.png').relative_to(ROOT)}", flush=True)
    except Exception as e:  # the browser may be what failed: the message above matters more
        print(f"     (no screenshot: {e})", flush=True)


def quietly(close):
    """Closes a page, context or browser that may already be gone (Ctrl-C reaches chromium too)."""
    try:
        close()
    except PlaywrightError:
        pass
