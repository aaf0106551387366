//! How numbers are written in headlines and evidence: seconds, milliseconds, MiB, ratios.

/// Seconds, with a unit that fits: "850 ms", "1.013 s", "10.01 s".
pub fn fmt_s(s: f64) -> String {
    if s < 1.0 {
        format!("{:.1} ms", s * 1000.0)
    } else if s < 10.0 {
        format!("{s:.3} s")
    } else {
        format!("{s:.2} s")
    }
}

/// Milliseconds with three significant figures or so: "0.034 ms", "4.09 ms", "474 ms".
pub fn fmt_ms(ms: f64) -> String {
    if ms < 1.0 {
        format!("{ms:.3} ms")
    } else if ms < 10.0 {
        format!("{ms:.2} ms")
    } else if ms < 100.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{ms:.0} ms")
    }
}

/// A measurement that may be missing (a variant that did not run, Python switched off): formatted, or "not run".
pub fn or_not_run(o: Option<f64>, fmt: impl Fn(f64) -> String) -> String {
    o.map_or_else(|| "not run".to_string(), fmt)
}

/// MiB, or KiB below one MiB: "25.2 MiB", "41 KiB".
pub fn fmt_mib(mib: f64) -> String {
    if mib >= 1.0 {
        format!("{mib:.1} MiB")
    } else {
        format!("{:.0} KiB", mib * 1024.0)
    }
}

/// A ratio as "1.013x".
pub fn fmt_ratio(r: f64) -> String {
    format!("{r:.3}x")
}

/// A relative difference as "+1.3%".
pub fn fmt_pct(d: f64) -> String {
    format!("{:+.1}%", d * 100.0)
}
