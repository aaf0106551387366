//! Where the lab's files are: the workspace, the results folder, the Python twins, the release `lab` binary.
//! Each can be moved with an environment variable; nothing else in the crate builds these paths.

use std::path::{Path, PathBuf};

/// The workspace root (`helpers/..`), wherever the crate was built from.
pub fn workspace_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default()
}

/// Where notebook runs save their results and where the ledger (notebook 00, `reports/index.html`) reads them:
/// `$LAB_RESULTS` when set, else `results/` in the workspace.
pub fn results_dir() -> PathBuf {
    std::env::var_os("LAB_RESULTS").map(PathBuf::from).unwrap_or_else(|| workspace_dir().join("results"))
}

/// Where the twin scripts live: `$LAB_PYTHON_DIR`, else the crate's `python/` folder.
pub fn scripts_dir() -> PathBuf {
    std::env::var_os("LAB_PYTHON_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("python"))
}

/// The lab's own virtual environment's Python (made by `make`), the twins' first choice after `$LAB_PYTHON`.
pub fn venv_python() -> PathBuf {
    workspace_dir().join(".venv/bin/python")
}

/// The release `lab` binary as cargo builds it in the workspace (`$LAB_BIN` overrides it in the runner).
pub fn lab_binary() -> PathBuf {
    workspace_dir().join("target/release/lab")
}
