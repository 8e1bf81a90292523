//! Symbols and words for states and kinds: never colour alone.

use crate::core::disk::{FileFacts, FileKind};
use crate::core::rows::Row;
use crate::core::{Kind, Severity};

pub fn severity_symbol(s: Severity) -> &'static str {
    match s {
        Severity::Error => "✗",
        Severity::Warning => "!",
        Severity::Info => "·",
    }
}

/// A short word for a kind, for the header counts.
pub fn kind_short(k: Kind) -> &'static str {
    match k {
        Kind::OrphanedFile => "orphaned",
        Kind::GhostEntry => "ghost",
        Kind::CompressionStateMismatch => "state",
        Kind::SizeMismatch => "size",
        Kind::DurationMismatch => "duration",
        Kind::RedundantFile => "redundant",
        Kind::IncompleteFile => "incomplete",
        Kind::StrayFile => "stray",
    }
}

/// Symbol and word of a file's state.
pub fn file_state(f: &FileFacts) -> (&'static str, &'static str) {
    match &f.kind {
        FileKind::Cache { .. } if f.is_complete() => ("✓", "complete"),
        FileKind::Cache { .. } => ("✗", "incomplete"),
        FileKind::Partial => ("◐", "partial"),
        FileKind::Stray { .. } => ("?", "stray"),
        FileKind::Unreadable { .. } => ("‽", "unreadable"),
    }
}

/// Symbol and word of a row's `compression_state`.
pub fn row_state(r: &Row) -> (&'static str, String) {
    match r.state.as_deref() {
        Some("m4a") => ("●", "m4a".into()),
        Some("wav") => ("○", "wav".into()),
        Some("compressing") => ("◌", "compressing".into()),
        Some("failed") => ("⊘", "failed".into()),
        Some(other) => ("?", other.to_string()),
        None => ("?", "NULL".into()),
    }
}
