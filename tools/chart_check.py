"""Reads the lab's charts back from their SVG, as a learner's eye would: the legend's keys (label and colour), the
axes' tick labels, the marks of the data. The tests over exported reports (tests/test_notebooks.py) and
`make gallery` (tools/gallery.py) use it to check the visual language of DESIGN.md ("Charts"): one colour per
legend label everywhere, no legend key over a data mark, no field names as words, one number format per axis.

It knows how chart/keys.rs draws a key: a sample (a 14x12 square, a dot of radius 4, an 18 px line, or two 7 px
dashes) with its label 24 px to the right of the sample's left edge.
"""

import base64
import re
import xml.etree.ElementTree as ET

SVG_NS = "{http://www.w3.org/2000/svg}"
# Words with an underscore that are names a learner meets in the notes or the code, not fields of a result.
API_NAMES = {"spawn_blocking", "current_thread", "multi_thread", "to_thread", "serde_json", "block_in_place",
             "run_in_executor", "epoll_wait", "spawn_local", "thread_local", "json_dumps", "yield_now",
             "block_on", "asyncio.to_thread"}
FIELD = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")


def _tag(e):
    return e.tag.replace(SVG_NS, "")


def _f(e, name, default=0.0):
    try:
        return float(e.get(name, default))
    except ValueError:
        return default


def _points(e):
    pts = []
    for pair in (e.get("points") or "").split():
        x, _, y = pair.partition(",")
        try:
            pts.append((float(x), float(y)))
        except ValueError:
            pass
    return pts


def _sample_left(e):
    """Where a key's sample starts (x), its colour and whether it is dashed, when `e` can be one; else None."""
    t = _tag(e)
    if t == "rect" and _f(e, "width") == 14 and _f(e, "height") == 12:
        return _f(e, "x"), (e.get("fill") or "").upper(), False
    if t == "circle" and _f(e, "r") == 4:
        return _f(e, "cx") - 7, (e.get("fill") or "").upper(), False
    if t == "polyline":
        pts = _points(e)
        if len(pts) == 2 and pts[0][1] == pts[1][1]:
            length = pts[1][0] - pts[0][0]
            colour = (e.get("stroke") or "").upper()
            if length == 18:
                return pts[0][0], colour, False
            if length == 7:  # the second dash of a dashed key starts 11 px in
                return pts[0][0] - 11, colour, True
    return None


def parse(svg):
    """The chart's parts: {"keys": [(label, colour, dashed, (x0, y0, x1, y1))], "texts": [(text, anchor, x, y)],
    "marks": [elements of the data: lines of more than two points, dots, rectangles that are not keys]}."""
    root = ET.fromstring(svg)
    elements = list(root.iter())[1:]
    keys, texts, key_samples = [], [], set()
    for i, e in enumerate(elements):
        if _tag(e) != "text":
            continue
        words = " ".join((e.text or "").split())
        x, y = _f(e, "x"), _f(e, "y")
        texts.append((words, e.get("text-anchor") or "start", x, y))
        if (e.get("text-anchor") or "start") != "start":
            continue
        for back in (1, 2):
            if i - back < 0:
                break
            found = _sample_left(elements[i - back])
            if found and abs(found[0] + 24 - x) <= 1:
                left, colour, dashed = found
                if dashed:
                    key_samples.add(id(elements[i - 2]))
                key_samples.add(id(elements[i - back]))
                box = (left, y - 2, x + 7 * len(words), y + 14)
                keys.append((words, colour, dashed, box))
                break
    marks = []
    for e in elements:
        if id(e) in key_samples:
            continue
        t = _tag(e)
        if t == "polyline" and len(_points(e)) > 2:
            marks.append(e)
        elif t == "circle":
            marks.append(e)
        elif t == "rect" and e.get("fill") not in (None, "none", "#FFFFFF", "#ffffff"):
            marks.append(e)
    return {"keys": keys, "texts": texts, "marks": marks}


def _inside(x, y, box):
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


def _covers(mark, box):
    t = _tag(mark)
    if t == "polyline":
        return any(_inside(x, y, box) for x, y in _points(mark))
    if t == "circle":
        return _inside(_f(mark, "cx"), _f(mark, "cy"), box)
    x0, y0 = _f(mark, "x"), _f(mark, "y")
    x1, y1 = x0 + _f(mark, "width"), y0 + _f(mark, "height")
    return x0 < box[2] and box[0] < x1 and y0 < box[3] and box[1] < y1


def _format(label):
    """How a tick label writes its number: "sci" (1e5), "suffix" (10k, 2.5M), "int", "decimal", or None."""
    s = label.replace(",", "").replace("−", "-").strip()
    if re.fullmatch(r"-?\d+(\.\d+)?e[+-]?\d+", s):
        return "sci"
    if re.fullmatch(r"-?\d+(\.\d+)?[kMG]", s):
        return "suffix"
    if re.fullmatch(r"-?\d+", s):
        return "int" if abs(int(s)) < 1000 else "big"
    if re.fullmatch(r"-?\d+\.\d+", s):
        return "decimal"
    return None


def axes(parts):
    """Tick labels by axis: y axes are right-aligned labels at one x, x axes centred labels at one y."""
    groups = {}
    for words, anchor, x, y in parts["texts"]:
        fmt = _format(words)
        if fmt is None:
            continue
        key = ("y", round(x)) if anchor == "end" else ("x", round(y)) if anchor == "middle" else None
        if key:
            groups.setdefault(key, []).append(words)
    return {k: v for k, v in groups.items() if len(v) >= 2}


def problems(svg, name="chart"):
    """What breaks the visual language in one chart, each as a sentence naming the chart."""
    parts = parse(svg)
    found = []
    # plotters' own legend: a translucent white box drawn over the plotting area.
    if re.search(r'<rect [^>]*opacity="0\.[0-9]+" fill="#FFFFFF"', svg):
        found.append(f"{name}: a legend box drawn inside the plot, over the data")
    for label, _, _, box in parts["keys"]:
        if any(_covers(m, box) for m in parts["marks"]):
            found.append(f"{name}: the legend key '{label}' lies over a data mark")
    for words, *_ in parts["texts"]:
        fields = [w for w in FIELD.findall(words) if w not in API_NAMES]
        if fields:
            found.append(f"{name}: a field name as words: '{words}'")
    for (axis, at), labels in axes(parts).items():
        formats = {_format(s) for s in labels}
        if "sci" in formats:
            found.append(f"{name}: scientific notation on the {axis} axis: {labels}")
        if "suffix" in formats and "big" in formats:
            found.append(f"{name}: the {axis} axis mixes 10k with 10000: {labels}")
        if formats == {"decimal"} and all(s.endswith(".0") for s in labels):
            found.append(f"{name}: whole numbers written with a decimal on the {axis} axis: {labels}")
    return found


def legend(svg):
    """{label: colour} of the chart's keys."""
    return {label: colour for label, colour, _, _ in parse(svg)["keys"]}


def svgs_in_html(html):
    """The SVG of every chart image (a data URI) in an HTML text, with its alt text: [(alt, svg)]."""
    out = []
    for m in re.finditer(r'<img alt="([^"]*)"[^>]*src="data:image/svg\+xml;base64,([^"]+)"', html):
        out.append((m.group(1), base64.b64decode(m.group(2)).decode("utf-8")))
    return out


def colour_clashes(legends):
    """Labels drawn in more than one colour across `legends` ([(chart name, {label: colour})]):
    {label: {colour: [chart names]}}."""
    seen = {}
    for name, keys in legends:
        for label, colour in keys.items():
            seen.setdefault(label, {}).setdefault(colour, []).append(name)
    return {label: colours for label, colours in seen.items() if len(colours) > 1}
