//! Where a Python twin computes on its own what the lab computes (when run by hand, without `lab` passing the
//! value in), the two agree.

use helpers::q3;
use std::process::{Command, Stdio};

/// Limit lists: the defaults, the ties and the cases of q3's unit test, and a few hundred pseudo-random ones.
fn limit_lists() -> Vec<Vec<u64>> {
    let mut lists = vec![
        q3::Params::default().limits,
        vec![200, 50],
        vec![50, 200],
        vec![1000, 30],
        vec![500, 20],
        vec![1],
        vec![100],
        vec![99, 101],
        vec![101, 99],
        vec![10_000, 1],
        vec![3, 3333],
    ];
    let mut x = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    for _ in 0..500 {
        let len = 1 + next() % 12;
        lists.push((0..len).map(|_| 1 + next() % 10_000).collect());
    }
    lists
}

#[test]
fn the_q3_twin_picks_the_reference_limit_the_lab_does() {
    let Ok(py) = helpers::twin::find_python() else {
        eprintln!("skipped: no Python to run the twin with");
        return;
    };
    let lists = limit_lists();
    let script = "import json, sys; sys.path.insert(0, sys.argv[1]); from q3_semaphore import reference_limit; \
                  print(json.dumps([reference_limit(c) for c in json.load(sys.stdin)]))";
    let mut child = Command::new(&py.path)
        .args(["-c", script])
        .arg(helpers::paths::scripts_dir())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let input = serde_json::to_vec(&lists).unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), &input).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let python: Vec<u64> = serde_json::from_slice(&out.stdout).unwrap();
    let rust: Vec<u64> = lists.iter().map(|l| q3::reference_limit(l)).collect();
    for ((l, r), p) in lists.iter().zip(&rust).zip(&python) {
        assert_eq!(r, p, "limits {l:?}: lab {r}, twin {p}");
    }
    assert_eq!(python.len(), lists.len());
}
