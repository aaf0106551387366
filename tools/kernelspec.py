"""Installs the evcxr Rust kernelspec into this venv (sys.prefix/share/jupyter/kernels/rust), where the venv's
Jupyter finds it, without touching the user's own Jupyter folders.

The kernel starts through tools/evcxr_kernel.py, which gives each kernel a kept build folder under
target/evcxr-kernels (see there why)."""

import json
import os
import shutil
import sys
from pathlib import Path


def find_evcxr():
    found = shutil.which("evcxr_jupyter")
    if found:
        return found
    cargo_home = Path(os.environ.get("CARGO_HOME", Path.home() / ".cargo"))
    candidate = cargo_home / "bin" / "evcxr_jupyter"
    return str(candidate) if candidate.exists() else None


def main():
    evcxr = find_evcxr()
    if not evcxr:
        print("error: evcxr_jupyter not found on PATH or in ~/.cargo/bin; run `make setup`", file=sys.stderr)
        return 1
    dest = Path(sys.prefix) / "share" / "jupyter" / "kernels" / "rust"
    dest.mkdir(parents=True, exist_ok=True)
    root = Path(__file__).resolve().parent.parent
    launcher = root / "tools" / "evcxr_kernel.py"
    slots = root / "target" / "evcxr-kernels"
    spec = {
        "argv": [sys.executable, str(launcher), str(slots), evcxr, "--control_file", "{connection_file}"],
        "display_name": "Rust",
        "language": "rust",
        "interrupt_mode": "message",
    }
    (dest / "kernel.json").write_text(json.dumps(spec, indent=2) + "\n")
    print(f"==> Rust kernelspec written to {dest} (kernel: {evcxr})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
