"""The browser test (make e2e): JupyterLab in Debian's chromium, driven the way a learner uses the lab.

test_learner_session.py holds notebook 03's scenario, step by step, and test_stop_in_process_pools.py the Stop
button in notebooks 02 and 08 while a Python process pool runs; conftest.py the run, chromium, the throwaway
workspace and the JupyterLab server as session fixtures; the modules beside them what the steps use, each named for
what it holds.
`pytest tests` leaves this folder out (tests/conftest.py): it runs on its own, `pytest tests/e2e`.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# tools/: report.py (the same failure rules and HTML export as make report) and netutil.py (free_port). Also here,
# not only in tests/conftest.py, so that the package imports wherever pytest is started.
if str(ROOT / "tools") not in sys.path:
    sys.path.insert(0, str(ROOT / "tools"))
