"""A JupyterLab server starts from the venv on 127.0.0.1 and offers the Rust kernel."""

import json
import os
import secrets
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from conftest import ROOT
from netutil import free_port


def test_jupyterlab_lists_the_rust_kernelspec(tmp_path):
    port, token = free_port(), secrets.token_hex(16)
    jupyter = Path(sys.executable).parent / "jupyter"
    server = subprocess.Popen(
        [str(jupyter), "lab", "--no-browser", "--ip", "127.0.0.1", f"--port={port}",
         f"--IdentityProvider.token={token}", "--notebook-dir", str(ROOT / "notebooks")]
        + (["--allow-root"] if os.geteuid() == 0 else []),
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=tmp_path,
    )
    try:
        url = f"http://127.0.0.1:{port}/api/kernelspecs?token={token}"
        deadline, specs = time.monotonic() + 60, None
        while time.monotonic() < deadline and specs is None:
            try:
                with urllib.request.urlopen(url, timeout=5) as r:
                    specs = json.load(r)
            except OSError:
                assert server.poll() is None, server.stderr.read().decode()[-2000:]
                time.sleep(0.5)
        assert specs is not None, "JupyterLab did not answer within 60 s"
        assert "rust" in specs["kernelspecs"], sorted(specs["kernelspecs"])
        assert specs["kernelspecs"]["rust"]["spec"]["language"] == "rust"
    finally:
        server.terminate()
        server.wait(timeout=30)
