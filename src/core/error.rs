//! The core's error: one sentence a user can act on, and what kind of failure
//! it is (the CLI maps every kind to exit code 2).

use std::fmt;
use std::path::Path;

use super::fmt::escaped;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The dump, a path or a flag is not usable as given.
    BadInput,
    /// Another process holds the database or cachescope's lock.
    Locked,
    /// An earlier apply was interrupted and must be recovered first.
    Interrupted,
    /// The blast-radius guard or a missing `--yes` refused the change.
    Refused,
    /// The work was cancelled by the caller.
    Cancelled,
    /// Reading or writing failed underneath.
    Io,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub kind: ErrorKind,
    pub message: String,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error { kind, message: message.into() }
    }
    pub fn bad_input(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::BadInput, message)
    }
    pub fn io(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Io, message)
    }
    /// An I/O failure on `path`, as a sentence; a refused permission says
    /// what to do about it.
    pub fn io_at(doing: &str, path: &Path, err: &std::io::Error) -> Error {
        let remedy = match err.kind() {
            std::io::ErrorKind::PermissionDenied => "; check its permissions (or run as its owner) and try again",
            _ => "",
        };
        Error::io(format!("could not {doing} {}: {}{remedy}", escaped(path), plain_io(err)))
    }
    /// A SQLite failure on the database at `path`, as a sentence.
    pub fn sqlite_at(doing: &str, path: &Path, err: &rusqlite::Error) -> Error {
        if is_busy(err) {
            return Error::new(
                ErrorKind::Locked,
                format!(
                    "the database {} is locked by another program (is the app still running?); close it and try again",
                    escaped(path)
                ),
            );
        }
        Error::new(
            ErrorKind::BadInput,
            format!("could not {doing} the database {}: {}", escaped(path), plain_sqlite(err)),
        )
    }
}

pub fn is_busy(err: &rusqlite::Error) -> bool {
    matches!(
        err.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy) | Some(rusqlite::ErrorCode::DatabaseLocked)
    )
}

/// An io::Error without the `(os error N)` tail.
pub fn plain_io(err: &std::io::Error) -> String {
    let s = err.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// SQLite's own message for an error, without rusqlite's wrapping.
pub fn sqlite_message(err: &rusqlite::Error) -> String {
    plain_sqlite(err)
}

fn plain_sqlite(err: &rusqlite::Error) -> String {
    match err {
        rusqlite::Error::SqliteFailure(_, Some(msg)) => msg.clone(),
        other => other.to_string(),
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}
