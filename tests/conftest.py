import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

# Notebook runs save their results for the ledger; under test they go to a folder of this session, never into the
# user's results/. Kernels started by the tests inherit this.
os.environ["LAB_RESULTS"] = tempfile.mkdtemp(prefix="lab-pytest-results-")

# The browser test runs on its own, `make e2e` (pytest tests/e2e): `pytest tests` (make test-notebooks) leaves it out.
# pytest never ignores a folder named on its command line, so `pytest tests/e2e` still collects it.
collect_ignore = ["e2e"]
