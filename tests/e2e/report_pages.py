"""The exported HTML reports opened from file://, offline: charts decode, nothing is fetched, and the index's claim
summary shows without scrolling."""

from .network import outside, record_requests
from .notebook_page import quietly, save_failure_shot
from .steps import Failed


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
