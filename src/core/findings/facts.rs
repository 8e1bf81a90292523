//! The plain data findings and the timeline read: rows, files and
//! discrepancies, each distinct value stored once.

use std::num::NonZeroU32;

use rustc_hash::FxHashMap;

use super::By;
use crate::core::kinds::Kind;

/// An interned value: an index into [`Values`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Sym(NonZeroU32);

impl Sym {
    pub(super) fn index(self) -> usize {
        self.0.get() as usize - 1
    }
}

/// Each distinct value once: a million rows of four voices hold four strings.
#[derive(Debug, Clone, Default)]
pub struct Values {
    names: Vec<Box<str>>,
    index: FxHashMap<Box<str>, Sym>,
}

impl Values {
    pub fn intern(&mut self, s: &str) -> Sym {
        if let Some(sym) = self.index.get(s) {
            return *sym;
        }
        self.names.push(s.into());
        let sym = Sym(NonZeroU32::new(self.names.len() as u32).unwrap_or(NonZeroU32::MIN));
        self.index.insert(s.into(), sym);
        sym
    }
    pub fn name(&self, sym: Sym) -> &str {
        self.names.get(sym.index()).map_or("", |s| s)
    }
    pub fn len(&self) -> usize {
        self.names.len()
    }
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

/// A time in epoch ms, or none, in 8 bytes: a million rows and files are
/// held while findings are made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct When(i64);

impl When {
    /// `i64::MIN` stands for no time (no real epoch ms is that far back).
    pub const NONE: When = When(i64::MIN);
    pub fn new(ms: Option<i64>) -> When {
        ms.map_or(When::NONE, |ms| When(ms.max(i64::MIN + 1)))
    }
    pub fn get(self) -> Option<i64> {
        (self != When::NONE).then_some(self.0)
    }
}

impl Default for When {
    fn default() -> When {
        When::NONE
    }
}

/// What findings read of one row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RowInfo {
    /// `created_at`, epoch ms.
    pub created_at: When,
    pub voice: Option<Sym>,
    pub book: Option<Sym>,
    pub state: Option<Sym>,
}

/// What findings read of one file of the cache dir.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FileInfo {
    /// mtime, epoch ms.
    pub mtime: When,
    /// `wav` or `m4a`; none for partial and stray files.
    pub encoding: Option<Sym>,
    /// The sub-folder relative to the cache dir; none at the top.
    pub folder: Option<Sym>,
}

/// One discrepancy: its kind, its key's row and the file it is about
/// (indices into [`Facts::rows`] and [`Facts::files`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Item {
    pub kind: Kind,
    pub row: Option<u32>,
    pub file: Option<u32>,
}

/// Everything findings and the timeline read: the dump's rows and files
/// (the population) and its discrepancies (`items`, in the inspection's
/// order, so an item index is an index into `Inspection::found`).
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub values: Values,
    pub rows: Vec<RowInfo>,
    pub files: Vec<FileInfo>,
    pub items: Vec<Item>,
}

impl Facts {
    /// Adds a row; returns its index.
    pub fn row(
        &mut self,
        created_at: Option<i64>,
        voice: Option<&str>,
        book: Option<&str>,
        state: Option<&str>,
    ) -> u32 {
        let info = RowInfo {
            created_at: When::new(created_at),
            voice: voice.map(|v| self.values.intern(v)),
            book: book.map(|v| self.values.intern(v)),
            state: state.map(|v| self.values.intern(v)),
        };
        self.rows.push(info);
        self.rows.len() as u32 - 1
    }

    /// Adds a file; returns its index.
    pub fn file(&mut self, mtime: Option<i64>, encoding: Option<&str>, folder: Option<&str>) -> u32 {
        let info = FileInfo {
            mtime: When::new(mtime),
            encoding: encoding.map(|v| self.values.intern(v)),
            folder: folder.filter(|f| !f.is_empty()).map(|v| self.values.intern(v)),
        };
        self.files.push(info);
        self.files.len() as u32 - 1
    }

    /// Adds a discrepancy; returns its index.
    pub fn item(&mut self, kind: Kind, row: Option<u32>, file: Option<u32>) -> u32 {
        self.items.push(Item { kind, row, file });
        self.items.len() as u32 - 1
    }

    /// The earliest and latest time of any row or file.
    pub fn span(&self) -> Option<(i64, i64)> {
        let times =
            self.rows.iter().filter_map(|r| r.created_at.get()).chain(self.files.iter().filter_map(|f| f.mtime.get()));
        times.fold(None, |acc, t| match acc {
            None => Some((t, t)),
            Some((lo, hi)) => Some((lo.min(t), hi.max(t))),
        })
    }

    /// An item's time: its file's mtime for file-level kinds and orphans,
    /// its row's `created_at` otherwise.
    pub fn item_time(&self, item: &Item) -> Option<i64> {
        if uses_file_time(item.kind) {
            item.file.and_then(|f| self.files.get(f as usize)).and_then(|f| f.mtime.get())
        } else {
            item.row.and_then(|r| self.rows.get(r as usize)).and_then(|r| r.created_at.get())
        }
    }

    /// An item's value for a facet (`None` for [`By::Time`]).
    pub fn item_value(&self, item: &Item, by: By) -> Option<Sym> {
        let row = || item.row.and_then(|r| self.rows.get(r as usize));
        let file = || item.file.and_then(|f| self.files.get(f as usize));
        match by {
            By::Voice => row()?.voice,
            By::Book => row()?.book,
            By::State => row()?.state,
            By::Encoding => file()?.encoding,
            By::Folder => file()?.folder,
            By::Time => None,
        }
    }
}

/// File-level kinds and orphans (no row) are timed by the file's mtime.
pub fn uses_file_time(kind: Kind) -> bool {
    kind.is_file_level() || kind == Kind::OrphanedFile
}
