//! Pure detection (SPEC §4): (disk facts, rows) → discrepancies.

use std::collections::HashMap;

use super::disk::{DiskScan, Encoding, FileKind};
use super::fmt::{escaped, size, size_i64};
use super::kinds::{Fix, Kind, Severity};
use super::rows::Row;

/// One disagreement between disk and database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discrepancy {
    /// `kind:key[:file]`, stable across scans of the same dump.
    pub id: String,
    pub kind: Kind,
    pub key: Option<String>,
    /// Index into [`DiskScan::files`] of the file it is about.
    pub file: Option<usize>,
    /// Index into the rows of the key's row.
    pub row: Option<usize>,
    pub message: String,
}

impl Discrepancy {
    pub fn severity(&self) -> Severity {
        self.kind.severity()
    }
    pub fn default_fix(&self) -> Option<Fix> {
        self.kind.default_fix()
    }
    pub fn fixes(&self) -> &'static [Fix] {
        self.kind.fixes()
    }
}

/// What one key has on disk.
#[derive(Default)]
struct KeyFiles {
    wav: Option<usize>,
    m4a: Option<usize>,
}

/// What detection needs to know about the table beyond its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableShape {
    /// Without a `size_bytes` column there is no size to disagree with.
    pub has_size: bool,
}

impl Default for TableShape {
    fn default() -> Self {
        TableShape { has_size: true }
    }
}

/// Finds every discrepancy; rows must be sorted by key, files by path.
pub fn detect(scan: &DiskScan, rows: &[Row], shape: TableShape) -> Vec<Discrepancy> {
    let mut complete: HashMap<&str, KeyFiles> = HashMap::new();
    let mut out = Vec::new();
    for (i, f) in scan.files.iter().enumerate() {
        let path = escaped(&f.path);
        match &f.kind {
            FileKind::Cache { key, encoding, .. } if f.is_complete() => {
                let entry = complete.entry(key).or_default();
                match encoding {
                    Encoding::Wav => entry.wav = Some(i),
                    Encoding::M4a => entry.m4a = Some(i),
                }
            }
            FileKind::Cache { key, .. } | FileKind::Partial { key } => out.push(Discrepancy {
                id: format!("incomplete_file:{key}:{path}"),
                kind: Kind::IncompleteFile,
                key: Some(key.clone()),
                file: Some(i),
                row: None,
                message: format!("{} ({})", f.incomplete_reason().unwrap_or("incomplete"), size(f.id.size)),
            }),
            FileKind::Stray { why } => out.push(Discrepancy {
                id: format!("stray_file::{path}"),
                kind: Kind::StrayFile,
                key: None,
                file: Some(i),
                row: None,
                message: format!("{why}; not part of the cache"),
            }),
        }
    }
    let row_of: HashMap<&str, usize> = rows.iter().enumerate().map(|(i, r)| (r.key.as_str(), i)).collect();

    for (i, row) in rows.iter().enumerate() {
        if complete.contains_key(row.key.as_str()) {
            continue;
        }
        if row.state.as_deref() != Some("failed") {
            out.push(Discrepancy {
                id: format!("ghost_entry:{}", row.key),
                kind: Kind::GhostEntry,
                key: Some(row.key.clone()),
                file: None,
                row: Some(i),
                message: format!(
                    "row says {}, {}, but no complete file exists",
                    row.state_str(),
                    row.size().map_or("no size".to_string(), size_i64)
                ),
            });
        }
    }

    for (key, files) in &complete {
        let (expected, file) = match (files.m4a, files.wav) {
            (Some(m), _) => (Encoding::M4a, m),
            (None, Some(w)) => (Encoding::Wav, w),
            (None, None) => continue,
        };
        let facts = &scan.files[file];
        if let (Some(_), Some(w)) = (files.m4a, files.wav) {
            out.push(Discrepancy {
                id: format!("redundant_file:{key}:{}", escaped(&scan.files[w].path)),
                kind: Kind::RedundantFile,
                key: Some(key.to_string()),
                file: Some(w),
                row: row_of.get(key).copied(),
                message: format!("a complete m4a exists, so this wav ({}) is redundant", size(scan.files[w].id.size)),
            });
        }
        let Some(&r) = row_of.get(key) else {
            out.push(Discrepancy {
                id: format!("orphaned_file:{key}"),
                kind: Kind::OrphanedFile,
                key: Some(key.to_string()),
                file: Some(file),
                row: None,
                message: format!(
                    "complete {} file, {}, has no row in cache_entries",
                    expected.as_str(),
                    size(facts.id.size)
                ),
            });
            continue;
        };
        let row = &rows[r];
        if row.state.as_deref() != Some(expected.as_str()) {
            out.push(Discrepancy {
                id: format!("compression_state_mismatch:{key}"),
                kind: Kind::CompressionStateMismatch,
                key: Some(key.to_string()),
                file: Some(file),
                row: Some(r),
                message: format!("row says {}, but the complete file is {}", row.state_str(), expected.as_str()),
            });
        } else if shape.has_size && row.size() != Some(facts.id.size as i64) {
            out.push(Discrepancy {
                id: format!("size_mismatch:{key}"),
                kind: Kind::SizeMismatch,
                key: Some(key.to_string()),
                file: Some(file),
                row: Some(r),
                message: format!(
                    "row says {}, file has {} ({} bytes)",
                    row_size(row),
                    size(facts.id.size),
                    facts.id.size
                ),
            });
        }
    }
    out.sort_by(|a, b| (a.kind, &a.key, &a.id).cmp(&(b.kind, &b.key, &b.id)));
    out
}

fn row_size(row: &Row) -> String {
    match row.size() {
        Some(n) => format!("{} ({n} bytes)", size_i64(n)),
        None => "no size".to_string(),
    }
}

/// Discrepancies per kind, every kind present (zeros included).
pub fn summary(found: &[Discrepancy]) -> Vec<(Kind, usize)> {
    Kind::ALL.iter().map(|k| (*k, found.iter().filter(|d| d.kind == *k).count())).collect()
}
