//! What every experiment's result must hold, whatever it measured: the keys the notebooks and reports read, the
//! machine, the claims with a verdict each, the lab's schema and times, and a lossless round trip through JSON.

use helpers::result::{LabResult, Verdict};

/// `r` has the result schema, a series named each of `names`, and survives the round trip through JSON.
pub fn check_schema(r: &LabResult, names: &[&str]) {
    let json: serde_json::Value = serde_json::from_str(&r.to_json().unwrap()).unwrap();
    for key in ["experiment", "params", "machine", "series", "claims"] {
        assert!(json.get(key).is_some(), "result JSON lacks `{key}`");
    }
    for key in ["cores", "memory_bytes", "cpu", "os", "rustc", "python"] {
        assert!(json["machine"].get(key).is_some(), "machine lacks `{key}`");
    }
    assert!(r.machine.cores >= 1 && r.machine.memory_bytes > 0);
    assert!(r.machine.rustc.starts_with("rustc "), "{}", r.machine.rustc);
    for s in &json["series"].as_array().unwrap()[..] {
        for key in ["name", "x", "y", "points"] {
            assert!(s.get(key).is_some(), "series lacks `{key}`: {s}");
        }
    }
    for n in names {
        assert!(r.series.iter().any(|s| s.name == *n), "no series `{n}`");
    }
    assert!(!r.claims.is_empty());
    let verdicts: Vec<&str> = Verdict::ALL.iter().map(|v| v.key()).collect();
    for c in &json["claims"].as_array().unwrap()[..] {
        for lang in ["rust", "python"] {
            let v = c[lang]["verdict"].as_str().unwrap();
            assert!(verdicts.contains(&v), "{v}");
            assert!(!c[lang]["evidence"].as_str().unwrap().is_empty());
        }
    }
    assert_eq!(r.schema, helpers::result::SCHEMA);
    assert!(!r.started.is_empty() && r.finished >= r.started, "{} .. {}", r.started, r.finished);
    // A result survives the round trip through JSON unchanged.
    assert_eq!(&LabResult::from_json(&r.to_json().unwrap()).unwrap(), r);
}
