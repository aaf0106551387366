"""The chart checker (tools/chart_check.py) on small SVGs drawn as chart/keys.rs and plotters draw them: each
problem it looks for is found where it is, and not where it is not."""

import chart_check as cc

HEAD = '<svg width="400" height="300" xmlns="http://www.w3.org/2000/svg">'


def key(x, y, label, colour):
    # keys.rs: a 14x12 square at (x, y - 6), its label at x + 24, y - 7.
    return (f'<rect x="{x}" y="{y - 6}" width="14" height="12" fill="{colour}" stroke="none"/>'
            f'<text x="{x + 24}" y="{y - 7}" text-anchor="start">{label}</text>')


def dashed_key(x, y, label, colour):
    return (f'<polyline fill="none" stroke="{colour}" points="{x},{y} {x + 7},{y} "/>'
            f'<polyline fill="none" stroke="{colour}" points="{x + 11},{y} {x + 18},{y} "/>'
            f'<text x="{x + 24}" y="{y - 7}" text-anchor="start">{label}</text>')


def ticks(axis, labels):
    if axis == "y":
        return "".join(f'<text x="68" y="{40 + 30 * i}" text-anchor="end">{t}</text>' for i, t in enumerate(labels))
    return "".join(f'<text x="{80 + 60 * i}" y="280" text-anchor="middle">{t}</text>' for i, t in enumerate(labels))


def line(points, colour="#4477AA"):
    return f'<polyline fill="none" stroke="{colour}" points="{" ".join(f"{x},{y}" for x, y in points)} "/>'


def svg(*parts):
    return HEAD + "".join(parts) + "</svg>"


def test_keys_are_read_with_their_colours():
    s = svg(key(70, 36, "tokio", "#4477aa"), dashed_key(200, 36, "python (asyncio)", "#4477AA"),
            line([(80, 200), (150, 150), (300, 100)]))
    assert cc.legend(s) == {"tokio": "#4477AA", "python (asyncio)": "#4477AA"}
    assert cc.problems(s) == []


def test_a_key_over_a_data_mark_is_found():
    over = svg(key(70, 36, "tokio", "#4477AA"), line([(60, 300), (100, 40), (300, 20)]))
    assert any("lies over a data mark" in p for p in cc.problems(over))
    plotters_legend = svg('<rect x="83" y="44" width="267" height="189" opacity="0.85" fill="#FFFFFF"/>')
    assert any("legend box" in p for p in cc.problems(plotters_legend))


def test_field_names_are_found_and_api_names_are_not():
    assert any("field name" in p for p in cc.problems(svg('<text x="5" y="5">task_heap_bytes</text>')))
    assert cc.problems(svg('<text x="5" y="5">tokio spawn_blocking on multi_thread</text>')) == []


def test_one_number_format_per_axis():
    assert any("scientific" in p for p in cc.problems(svg(ticks("x", ["10000", "1e5", "1e6"]))))
    assert any("mixes" in p for p in cc.problems(svg(ticks("y", ["5000", "10k", "20k"]))))
    assert any("whole numbers" in p for p in cc.problems(svg(ticks("x", ["1.0", "2.0", "3.0"]))))
    assert cc.problems(svg(ticks("x", ["10k", "100k", "1M"]), ticks("y", ["0.5", "1", "2"]))) == []


def test_a_label_in_two_colours_is_a_clash():
    a = ("03 runtime", {"tokio": "#4477AA", "waiting": "#CCBB44"})
    b = ("04 latency", {"tokio": "#4477AA", "waiting": "#EE7733"})
    assert cc.colour_clashes([a, b]) == {"waiting": {"#CCBB44": ["03 runtime"], "#EE7733": ["04 latency"]}}
    assert cc.colour_clashes([a, a]) == {}
