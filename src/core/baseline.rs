//! `--baseline REPORT`: discrepancies already in a saved report are known;
//! only the others are new (SPEC §7).

use std::path::{Path, PathBuf};

use rustc_hash::FxHashSet;

use super::detect::Discrepancy;
use super::error::Result;
use super::kinds::Severity;
use super::saved::SavedReport;

/// The ids of a saved report.
#[derive(Debug, Clone, Default)]
pub struct Baseline {
    pub path: PathBuf,
    ids: FxHashSet<String>,
}

/// Which discrepancies of an inspection the baseline knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marks {
    /// The baseline as the user gave it, for reports.
    pub path: PathBuf,
    /// Per discrepancy, in the inspection's order.
    pub known: Vec<bool>,
}

impl Baseline {
    pub fn read(path: &Path) -> Result<Baseline> {
        let saved = SavedReport::read(path)?;
        Ok(Baseline::from_ids(path, saved.items.into_iter().map(|i| i.id)))
    }

    pub fn from_ids(path: &Path, ids: impl IntoIterator<Item = String>) -> Baseline {
        Baseline { path: path.to_path_buf(), ids: ids.into_iter().collect() }
    }

    pub fn knows(&self, id: &str) -> bool {
        self.ids.contains(id)
    }

    pub fn mark(&self, found: &[Discrepancy]) -> Marks {
        Marks { path: self.path.clone(), known: found.iter().map(|d| self.knows(&d.id)).collect() }
    }
}

impl Marks {
    pub fn is_new(&self, i: usize) -> bool {
        !self.known.get(i).copied().unwrap_or(false)
    }
    pub fn known_count(&self) -> usize {
        self.known.iter().filter(|k| **k).count()
    }
    pub fn new_count(&self) -> usize {
        self.known.len() - self.known_count()
    }
    /// True when a new discrepancy is of severity warning or error: what
    /// makes `check --baseline` exit 1.
    pub fn has_new_problems(&self, found: &[Discrepancy]) -> bool {
        found.iter().enumerate().any(|(i, d)| self.is_new(i) && d.severity() >= Severity::Warning)
    }
}
