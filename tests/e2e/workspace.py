"""The throwaway copy of the notebooks JupyterLab serves, and the check that it opens as a fresh clone does."""

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat.sign import NotebookNotary

from . import ROOT
from .steps import Failed

NOTEBOOK = "03_semaphore_scaling.ipynb"
# The parameters cell, found by its text: the other cells may move.
PARAMS_CELL = "let params = Params"
LIMITS = re.compile(r"limits:\s*vec!\[[^\]]*\]")


@dataclass
class Workspace:
    tmp: Path  # the copy's root: notebooks/, the helpers link, the Lab's own state folders, results/
    params_source: str  # the parameters cell as committed

    @property
    def notebook(self):
        """Notebook 03 in the copy: what JupyterLab saves to."""
        return self.tmp / "notebooks" / NOTEBOOK


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


def committed_params(workspace, notebook):
    """The parameters cell of `notebook` as committed (its copy in the workspace)."""
    nb = nbformat.read(workspace.tmp / "notebooks" / notebook, as_version=4)
    return next(c.source for c in nb.cells if c.cell_type == "code" and PARAMS_CELL in c.source)


def params_source(nb):
    """The source of the parameters cell, which the steps rewrite with other limits."""
    source = next(c.source for c in nb.cells if c.cell_type == "code" and PARAMS_CELL in c.source)
    if not LIMITS.search(source):
        raise Failed(f"no `limits: vec![..]` in the parameters cell: {source!r}")
    return source
