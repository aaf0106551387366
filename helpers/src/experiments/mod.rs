//! One file per question: its `Params` (defaults = the notes' numbers, validation) and, inside the `lab`
//! binary, `execute` which measures and returns the result with its claims.

#[cfg(feature = "experiments")]
pub mod common;
pub mod q1;
pub mod q2;
pub mod q3;
pub mod q4;
pub mod q5;
pub mod q6;
pub mod q7;
pub mod q8;
pub mod q9;

use crate::params::ExperimentParams;

/// An experiment as the CLI and the report index know it.
pub struct Entry {
    pub name: &'static str,
    pub question: &'static str,
    pub default_params: fn() -> serde_json::Value,
}

fn defaults<P: ExperimentParams>() -> serde_json::Value {
    serde_json::to_value(P::default()).unwrap_or_default()
}

/// Every experiment, in question order.
pub fn all() -> Vec<Entry> {
    vec![
        Entry {
            name: q1::Params::NAME,
            question: "Why does async not help CPU-bound tasks?",
            default_params: defaults::<q1::Params>,
        },
        Entry {
            name: q2::Params::NAME,
            question: "Why does ProcessPoolExecutor scale but ThreadPoolExecutor doesn’t for CPU?",
            default_params: defaults::<q2::Params>,
        },
        Entry {
            name: q3::Params::NAME,
            question: "Why did semaphore=100 give near-perfect scaling?",
            default_params: defaults::<q3::Params>,
        },
        Entry {
            name: q4::Params::NAME,
            question: "If you remove semaphore limit entirely (1000 concurrent), what do you predict will happen?",
            default_params: defaults::<q4::Params>,
        },
        Entry {
            name: q5::Params::NAME,
            question: "If we change sleep to 1 second, what will async runtime become?",
            default_params: defaults::<q5::Params>,
        },
        Entry {
            name: q6::Params::NAME,
            question: "Memory scales with concurrency — but why exactly?",
            default_params: defaults::<q6::Params>,
        },
        Entry {
            name: q7::Params::NAME,
            question: "The reason runtime didn't increase: because sleep does not consume CPU",
            default_params: defaults::<q7::Params>,
        },
        Entry {
            name: q8::Params::NAME,
            question: "If each task did large JSON serialization",
            default_params: defaults::<q8::Params>,
        },
        Entry { name: q9::Params::NAME, question: "If tasks = 50,000", default_params: defaults::<q9::Params> },
    ]
}
