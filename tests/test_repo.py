"""Repository hygiene: notebooks committed without outputs, one list of Python tools, the README's commands."""

import json
import re
import subprocess

from conftest import ROOT


def tracked(pattern):
    out = subprocess.run(["git", "ls-files", pattern], cwd=ROOT, capture_output=True, text=True, check=True)
    return [ROOT / p for p in out.stdout.split()]


def test_notebooks_in_git_carry_no_outputs():
    notebooks = tracked("*.ipynb")
    assert notebooks, "no notebooks tracked"
    for path in notebooks:
        nb = json.loads(path.read_text())
        for i, cell in enumerate(nb["cells"]):
            if cell["cell_type"] == "code":
                assert not cell.get("outputs"), f"{path.name} cell {i} has outputs: run `make strip`"
                assert cell.get("execution_count") is None, f"{path.name} cell {i} has an execution count"


def pinned(lines):
    return sorted(l.strip() for l in lines if re.match(r"^\s*[A-Za-z0-9_.-]+==", l))


def test_environment_yml_lists_the_same_python_packages_as_requirements():
    req = pinned((ROOT / "requirements.txt").read_text().splitlines())
    env = pinned(l.strip().lstrip("- ") for l in (ROOT / "environment.yml").read_text().splitlines())
    assert req, "requirements.txt pins nothing"
    assert env == req


def test_readme_opens_with_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    first = readme[: readme.index("make test") + 20]
    assert "make report" in first and "make test" in first
