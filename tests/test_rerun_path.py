"""The cells a learner re-runs after editing the parameters: each compiled cell costs about 0.2 s (issue 23), so the
path below the parameters cell holds only cells that read this run's parameters, prediction or result."""

import re
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import bench_kernel  # noqa: E402

QUESTIONS = sorted((ROOT / "notebooks").glob("0[1-9]_*.ipynb"))
USES_THE_RUN = re.compile(r"\b(params|prediction|result)\b")


def rerun_path(nb):
    """The compiled cells from the parameters cell down (a cell of `:` commands compiles nothing)."""
    code = [c for c in nb.cells if c.cell_type == "code"]
    return [c for c in code[bench_kernel.params_at(code):] if not c.source.lstrip().startswith(":")]


@pytest.mark.parametrize("path", QUESTIONS, ids=lambda p: p.stem)
def test_the_parameters_cell_holds_the_prediction_and_every_cell_below_reads_the_run(path):
    nb = nbformat.read(path, as_version=4)
    path_cells = rerun_path(nb)
    assert "let prediction" in path_cells[0].source, f"{path.name}: the prediction is not in the parameters cell"
    assert not any("let prediction" in c.source for c in path_cells[1:])
    idle = [c.source.strip() for c in path_cells[1:] if not USES_THE_RUN.search(c.source)]
    assert idle == [], f"{path.name}: cells below the parameters that do not read the run: {idle}"


def test_the_bench_rebuilds_the_layout_before_issue_23_with_two_more_cells_on_the_rerun_path():
    merged = bench_kernel.prepared(bench_kernel.VARIANTS["slot-warm-cell-opt0"])
    split = bench_kernel.prepared(bench_kernel.VARIANTS["slot-warm-cell-opt0-split"])
    before, after = rerun_path(split), rerun_path(merged)
    assert len(before) == len(after) + 2
    assert before[1].source.startswith("// Predicted") and "let prediction" not in before[0].source
    assert [c.source for c in before].index("recording_cost()?") == len(before) - 2  # just above the verdicts
    assert "limits: vec![50]" in before[0].source and "limits: vec![50]" in after[0].source
