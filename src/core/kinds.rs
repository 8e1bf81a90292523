//! The vocabulary of SPEC §4–§5: discrepancy kinds, severities and fixes.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    OrphanedFile,
    GhostEntry,
    CompressionStateMismatch,
    SizeMismatch,
    DurationMismatch,
    RedundantFile,
    IncompleteFile,
    StrayFile,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fix {
    Register,
    MarkFailed,
    DeleteEntry,
    UpdateState,
    UpdateSize,
    UpdateDuration,
    Quarantine,
}

impl Kind {
    /// Every kind, in the order of the SPEC's table (and of reports).
    pub const ALL: [Kind; 8] = [
        Kind::OrphanedFile,
        Kind::GhostEntry,
        Kind::CompressionStateMismatch,
        Kind::SizeMismatch,
        Kind::DurationMismatch,
        Kind::RedundantFile,
        Kind::IncompleteFile,
        Kind::StrayFile,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::OrphanedFile => "orphaned_file",
            Kind::GhostEntry => "ghost_entry",
            Kind::CompressionStateMismatch => "compression_state_mismatch",
            Kind::SizeMismatch => "size_mismatch",
            Kind::DurationMismatch => "duration_mismatch",
            Kind::RedundantFile => "redundant_file",
            Kind::IncompleteFile => "incomplete_file",
            Kind::StrayFile => "stray_file",
        }
    }

    /// A short human title for headings.
    pub fn title(self) -> &'static str {
        match self {
            Kind::OrphanedFile => "Orphaned files",
            Kind::GhostEntry => "Ghost entries",
            Kind::CompressionStateMismatch => "Compression state mismatches",
            Kind::SizeMismatch => "Size mismatches",
            Kind::DurationMismatch => "Duration mismatches",
            Kind::RedundantFile => "Redundant files",
            Kind::IncompleteFile => "Incomplete files",
            Kind::StrayFile => "Stray files",
        }
    }

    /// One of this kind, in a sentence: "size mismatch".
    pub fn one(self) -> &'static str {
        match self {
            Kind::OrphanedFile => "orphaned file",
            Kind::GhostEntry => "ghost entry",
            Kind::CompressionStateMismatch => "compression state mismatch",
            Kind::SizeMismatch => "size mismatch",
            Kind::DurationMismatch => "duration mismatch",
            Kind::RedundantFile => "redundant file",
            Kind::IncompleteFile => "incomplete file",
            Kind::StrayFile => "stray file",
        }
    }

    /// `n` of this kind in a sentence: "1 size mismatch", "3 857 ghost entries".
    pub fn counted(self, n: usize) -> String {
        let noun = if n == 1 { self.one().to_string() } else { self.title().to_lowercase() };
        format!("{} {noun}", super::fmt::group(n as u64))
    }

    pub fn severity(self) -> Severity {
        match self {
            Kind::SizeMismatch | Kind::DurationMismatch | Kind::RedundantFile => Severity::Warning,
            Kind::StrayFile => Severity::Info,
            _ => Severity::Error,
        }
    }

    /// The fix applied unless the user chooses another; strays have none.
    pub fn default_fix(self) -> Option<Fix> {
        self.fixes().first().copied().filter(|_| self != Kind::StrayFile)
    }

    /// Every fix that may be chosen, the default first.
    pub fn fixes(self) -> &'static [Fix] {
        match self {
            Kind::OrphanedFile => &[Fix::Register, Fix::Quarantine],
            Kind::GhostEntry => &[Fix::MarkFailed, Fix::DeleteEntry],
            Kind::CompressionStateMismatch => &[Fix::UpdateState],
            Kind::SizeMismatch => &[Fix::UpdateSize],
            Kind::DurationMismatch => &[Fix::UpdateDuration, Fix::Quarantine],
            Kind::RedundantFile | Kind::IncompleteFile | Kind::StrayFile => &[Fix::Quarantine],
        }
    }

    /// True for kinds about one file (several per key are possible).
    pub fn is_file_level(self) -> bool {
        matches!(self, Kind::RedundantFile | Kind::IncompleteFile | Kind::StrayFile)
    }
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl Fix {
    pub fn as_str(self) -> &'static str {
        match self {
            Fix::Register => "register",
            Fix::MarkFailed => "mark_failed",
            Fix::DeleteEntry => "delete_entry",
            Fix::UpdateState => "update_state",
            Fix::UpdateSize => "update_size",
            Fix::UpdateDuration => "update_duration",
            Fix::Quarantine => "quarantine",
        }
    }
    pub const ALL: [Fix; 7] = [
        Fix::Register,
        Fix::MarkFailed,
        Fix::DeleteEntry,
        Fix::UpdateState,
        Fix::UpdateSize,
        Fix::UpdateDuration,
        Fix::Quarantine,
    ];
}

macro_rules! display_and_parse {
    ($t:ty, $what:literal) => {
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl FromStr for $t {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                Self::ALL.iter().copied().find(|k| k.as_str() == s).ok_or_else(|| {
                    let all: Vec<&str> = Self::ALL.iter().map(|k| k.as_str()).collect();
                    format!("unknown {} '{}' (one of: {})", $what, s, all.join(", "))
                })
            }
        }
    };
}
display_and_parse!(Kind, "kind");
display_and_parse!(Fix, "fix");
