"""JupyterLab from the venv on 127.0.0.1 (random port and token) over the throwaway workspace: start and stop."""

import json
import os
import signal
import subprocess
import sys
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from netutil import free_port  # tools/netutil.py

from . import ROOT
from .processes import MARKER, describe, kernels
from .steps import Failed, wait_for

VENV_BIN = Path(sys.executable).parent
LAB_BIN = ROOT / "target" / "release" / "lab"


@dataclass
class Lab:
    server: subprocess.Popen
    base: str  # http://127.0.0.1:PORT
    token: str


def start_lab(tmp, run_id, token):
    """JupyterLab from the venv on 127.0.0.1, in its own process group; returns (process, base URL).

    If it does not answer, it is stopped before the failure is raised.
    """
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
    with open(tmp / "jupyterlab.log", "wb") as log:  # the child holds its own copy of the descriptor
        server = subprocess.Popen(cmd, env=env, cwd=tmp, stdin=subprocess.DEVNULL, stdout=log,
                                  stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"

    def answers():
        if server.poll() is not None:
            raise Failed(f"JupyterLab exited with {server.returncode}: {log_tail(tmp)}")
        try:
            with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5) as r:
                return r.status == 200
        except OSError:
            return False

    try:
        wait_for(answers, 90, "JupyterLab answering on " + base, poll_s=0.5)
    except BaseException:
        stop_lab(server)
        raise
    return server, base


def api(lab, path, method="GET"):
    """A call to the server's REST API with the token; the decoded JSON answer (None when empty)."""
    request = urllib.request.Request(f"{lab.base}/api/{path}", method=method,
                                     headers={"Authorization": f"token {lab.token}"})
    with urllib.request.urlopen(request, timeout=30) as r:
        body = r.read()
    return json.loads(body) if body else None


def shut_down_sessions(lab):
    """Shuts down every notebook session (and so its kernel), as File > Shut Down All Kernels would; returns the
    notebook paths they belonged to."""
    sessions = api(lab, "sessions")
    for s in sessions:
        api(lab, f"sessions/{s['id']}", method="DELETE")
    return [s["path"] for s in sessions]


def shut_down_kernels_before(lab, run_id):
    """Shuts down the notebooks opened before (their kernels free the build folder the next kernel reuses) and
    waits until this run has no kernel left; returns the notebook paths."""
    paths = shut_down_sessions(lab)
    try:
        wait_for(lambda: not kernels(run_id), 30, "their kernels gone")
    except Failed as e:
        raise Failed(f"{e}; still there: {describe(kernels(run_id))}") from None
    return paths


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
