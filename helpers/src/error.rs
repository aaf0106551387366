//! One error type for the whole lab: a kind (which decides the CLI's exit code) and a message for a person.

use std::fmt;

/// What went wrong, coarsely: enough to pick an exit code and to let tests tell failures apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// A parameter is missing, of the wrong type, unknown or out of range. Nothing ran.
    InvalidParams,
    /// A budget (wall time, memory, open files) stopped the run.
    Budget,
    /// The `lab` binary could not be built or found.
    Build,
    /// A child process (the `lab` binary or a Python twin) failed or printed something unreadable.
    Child,
    /// Anything else: I/O, chart rendering, an experiment's own failure.
    Other,
}

/// The error every public helper returns. `Display` gives "Error: <message>", which is what a notebook cell
/// shows when `?` stops it; the `lab` CLI prints "error: <message>".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabError {
    pub kind: ErrorKind,
    pub message: String,
}

pub type Result<T, E = LabError> = std::result::Result<T, E>;

impl LabError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        LabError { kind, message: message.into() }
    }
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidParams, message)
    }
    pub fn budget(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Budget, message)
    }
    pub fn child(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Child, message)
    }
    pub fn other(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Other, message)
    }

    /// The `lab` CLI's exit status for this error: 2 bad input, 3 budget breach, 1 anything else.
    pub fn exit_code(&self) -> i32 {
        match self.kind {
            ErrorKind::InvalidParams => 2,
            ErrorKind::Budget => 3,
            _ => 1,
        }
    }

    /// The inverse of `exit_code`, used by the runner to rebuild the error a child reported.
    pub fn kind_for_exit_code(code: i32) -> ErrorKind {
        match code {
            2 => ErrorKind::InvalidParams,
            3 => ErrorKind::Budget,
            _ => ErrorKind::Child,
        }
    }
}

impl fmt::Display for LabError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Error: {}", self.message)
    }
}

impl std::error::Error for LabError {}

impl From<std::io::Error> for LabError {
    fn from(e: std::io::Error) -> Self {
        LabError::other(e.to_string())
    }
}
