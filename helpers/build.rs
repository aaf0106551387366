// Records the compiler's version and the git commit, so every result can say which rustc built the binary that
// measured it and from which source.
use std::path::Path;
use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).current_dir(env!("CARGO_MANIFEST_DIR")).output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (out.status.success() && !text.is_empty()).then_some(text)
}

fn main() {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let version = Command::new(rustc)
        .arg("--version")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|| "unknown rustc".into());
    println!("cargo:rustc-env=LAB_RUSTC_VERSION={version}");
    // Empty when built outside a git checkout (a copied folder, evcxr's own build of a packaged crate).
    println!("cargo:rustc-env=LAB_COMMIT={}", git(&["rev-parse", "--short=12", "HEAD"]).unwrap_or_default());
    println!("cargo:rerun-if-changed=build.rs");
    // Rebuild when HEAD moves: watch HEAD and the branch it names, where they exist (a missing path would make
    // cargo rerun this script on every build).
    for path in [
        git(&["rev-parse", "--git-path", "HEAD"]),
        git(&["rev-parse", "--symbolic-full-name", "HEAD"]).and_then(|r| git(&["rev-parse", "--git-path", &r])),
    ]
    .into_iter()
    .flatten()
    {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
        if path.exists() {
            println!("cargo:rerun-if-changed={}", path.display());
        }
    }
}
