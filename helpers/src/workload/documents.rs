//! A realistic nested JSON document of about a given size: an array of user records with nested objects,
//! strings, numbers and lists. The Python twins build the same shape (`lab_common.document`).

use serde_json::{json, Value};

/// One record; about 190 bytes of compact JSON.
fn record(i: usize) -> Value {
    json!({
        "id": i,
        "user": {"name": format!("user-{i:06}"), "email": format!("user{i}@example.com"), "tags": ["alpha", "beta"]},
        "scores": [i as f64 * 0.5, 1.25, 2.5, (i % 97) as f64],
        "active": i.is_multiple_of(3),
        "note": "lorem ipsum dolor sit amet",
    })
}

/// A document whose compact JSON is close to `bytes` long (at least one record).
pub fn document(bytes: usize) -> Value {
    let one = serde_json::to_string(&record(0)).map(|s| s.len()).unwrap_or(190).max(1);
    let n = (bytes / one).max(1);
    Value::Array((0..n).map(record).collect())
}

#[cfg(test)]
mod tests {
    #[test]
    fn document_size_is_close_to_the_request() {
        for bytes in [1_000, 100_000, 1_000_000] {
            let len = serde_json::to_string(&super::document(bytes)).unwrap().len();
            assert!(len as f64 > 0.8 * bytes as f64 && (len as f64) < 1.2 * bytes as f64, "{bytes}: {len}");
        }
    }
}
