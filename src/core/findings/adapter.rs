//! An [`Inspection`] as [`Facts`]: its rows, files and discrepancies, with
//! each distinct voice, book, state, encoding and folder stored once.

use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use rustc_hash::FxHashMap;

use super::{Facts, FileInfo, Finding, Item, MIN_ITEMS, RowInfo, Sym, Values, When, findings};
use crate::core::disk::Encoding;
use crate::core::inspect::Inspection;

/// Values seen lately, per facet, checked before the hash map: a facet of
/// a few values (voices, states) then costs a compare or two per row.
const RECENT: usize = 8;

/// Interns through a small cache per facet.
struct Interner<'v> {
    values: &'v mut Values,
    recent: [Vec<Sym>; 4],
}

impl Interner<'_> {
    fn get(&mut self, slot: usize, s: Option<&str>) -> Option<Sym> {
        let s = s?;
        let recent = &mut self.recent[slot];
        if let Some(sym) = recent.iter().find(|sym| self.values.name(**sym) == s) {
            return Some(*sym);
        }
        let sym = self.values.intern(s);
        if recent.len() == RECENT {
            recent.remove(0);
        }
        recent.push(sym);
        Some(sym)
    }
}

/// A file's sub-folder relative to the cache dir; `None` at the top.
fn folder(path: &Path) -> Option<std::borrow::Cow<'_, str>> {
    let bytes = path.as_os_str().as_bytes();
    let cut = memchr::memrchr(b'/', bytes)?;
    Some(String::from_utf8_lossy(&bytes[..cut]))
}

/// The facts findings and the timeline read, from one inspection.
pub fn facts_of(ins: &Inspection) -> Facts {
    let mut facts = Facts::default();
    let mut rows = Vec::with_capacity(ins.rows.len());
    let mut files = Vec::with_capacity(ins.scan.files.len());
    {
        let mut i = Interner { values: &mut facts.values, recent: Default::default() };
        // Rows share their texts: a text's address names it for this read,
        // so most rows cost three integer lookups, not three string hashes.
        let mut seen: FxHashMap<(usize, *const u8), Sym> = FxHashMap::default();
        let mut get = |i: &mut Interner, slot: usize, s: &Option<arcstr::ArcStr>| {
            let s = s.as_ref()?;
            let at = (slot, s.as_ptr());
            if let Some(sym) = seen.get(&at) {
                return Some(*sym);
            }
            let sym = i.get(slot, Some(s))?;
            seen.insert(at, sym);
            Some(sym)
        };
        for r in &ins.rows {
            rows.push(RowInfo {
                created_at: When::new(r.created_at),
                voice: get(&mut i, 0, &r.voice_id),
                book: get(&mut i, 1, &r.book_id),
                state: get(&mut i, 2, &r.state),
            });
        }
        let wav = i.values.intern("wav");
        let m4a = i.values.intern("m4a");
        for f in &ins.scan.files {
            let encoding = f.encoding().map(|e| match e {
                Encoding::Wav => wav,
                Encoding::M4a => m4a,
            });
            let path = f.nested().then(|| f.path());
            let folder = path.as_deref().and_then(folder);
            files.push(FileInfo {
                mtime: When::new(Some(f.id.mtime_ms())),
                encoding,
                folder: i.get(3, folder.as_deref()),
            });
        }
    }
    facts.rows = rows;
    facts.files = files;
    // File-level discrepancies do not point at their key's row: found_rows finds it.
    facts.items = (ins.found.iter().zip(ins.found_rows()))
        .map(|(d, row)| Item { kind: d.kind, row, file: d.file.map(|f| f as u32) })
        .collect();
    facts
}

/// The findings of one inspection, with the facts they index into. A dump
/// with no kind of [`MIN_ITEMS`] discrepancies has none, and its rows and
/// files are not even gathered.
pub fn findings_of(ins: &Inspection) -> (Facts, Vec<Finding>) {
    let mut per_kind = [0usize; crate::core::Kind::ALL.len()];
    for d in &ins.found {
        per_kind[d.kind as usize] += 1;
    }
    if per_kind.iter().all(|n| *n < MIN_ITEMS) {
        return (Facts::default(), Vec::new());
    }
    let facts = facts_of(ins);
    let found = findings(&facts);
    (facts, found)
}
