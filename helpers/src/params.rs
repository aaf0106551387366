//! Parameter parsing and validation shared by every experiment: errors name the field, the value and the limit.

use crate::error::{LabError, Result};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// Implemented by each experiment's `Params`: its name on the command line and its own checks.
pub trait ExperimentParams: Serialize + DeserializeOwned + Default + Clone {
    /// The experiment's name, as in `lab q3`.
    const NAME: &'static str;
    /// Every check that can fail before any work starts.
    fn validate(&self) -> Result<()>;
    /// Roughly how many seconds of experiment these parameters ask for (printed, and checked against budgets).
    fn estimate_s(&self) -> f64;
    /// Roughly how many MiB of memory the run needs at its peak (checked against the memory budget).
    fn estimate_mb(&self) -> f64 {
        0.0
    }

    /// Parses JSON (missing fields take their defaults; unknown fields and wrong types are errors) and validates.
    fn from_json(json: &str) -> Result<Self> {
        let value: serde_json::Value = serde_json::from_str(json)
            .map_err(|e| LabError::invalid(format!("{} params are not valid JSON: {e}", Self::NAME)))?;
        // serde would also read a struct from an array, by position: accept only an object.
        if !value.is_object() {
            return Err(LabError::invalid(format!(
                "{} params must be a JSON object such as {{\"tasks\": 1000}}; got {value}",
                Self::NAME
            )));
        }
        let params: Self = serde_path_to_error::deserialize(value).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            if path == "." || path.is_empty() {
                LabError::invalid(format!("{} params: {inner}", Self::NAME))
            } else {
                LabError::invalid(format!("{} params: field `{path}`: {inner}", Self::NAME))
            }
        })?;
        params.validate()?;
        Ok(params)
    }
}

/// `field must be between min and max; got value`.
pub fn in_range<T: PartialOrd + std::fmt::Display>(field: &str, value: T, min: T, max: T) -> Result<()> {
    if value < min || value > max {
        return Err(LabError::invalid(format!("{field} must be between {min} and {max}; got {value}")));
    }
    Ok(())
}

/// Checks a list: not empty, at most `max_len` entries, each within range.
pub fn list_in_range<T: PartialOrd + std::fmt::Display + Copy>(
    field: &str,
    values: &[T],
    max_len: usize,
    min: T,
    max: T,
) -> Result<()> {
    if values.is_empty() || values.len() > max_len {
        return Err(LabError::invalid(format!(
            "{field} must hold between 1 and {max_len} values; got {}",
            values.len()
        )));
    }
    for v in values {
        in_range(&format!("each of {field}"), *v, min, max)?;
    }
    Ok(())
}

/// Which tokio scheduler runs the async variants.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Flavor {
    /// One worker thread per core (what `#[tokio::main]` gives).
    #[default]
    MultiThread,
    /// Everything on one thread, like Python's asyncio event loop.
    CurrentThread,
}
