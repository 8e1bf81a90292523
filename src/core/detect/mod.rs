//! Pure detection (SPEC §4): (disk facts, rows) → discrepancies.

use super::fmt::{clean, escaped, size, size_i64};
use super::key::Key;
use super::kinds::{Fix, Kind, Severity};
use super::model::{DiskScan, Encoding, FileKind, Row};

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
    /// A discrepancy of `kind` about `key`, and about the file at `path` when
    /// the id must tell files of one key apart: its id is `kind:key[:path]`.
    fn new(
        kind: Kind,
        key: Option<String>,
        path: Option<String>,
        file: Option<usize>,
        row: Option<usize>,
        message: String,
    ) -> Discrepancy {
        let mut id = format!("{kind}:{}", key.as_deref().unwrap_or(""));
        if let Some(p) = path {
            id.push(':');
            id.push_str(&p);
        }
        Discrepancy { id, kind, key, file, row, message }
    }

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
    /// Likewise for `duration_ms`.
    pub has_duration: bool,
}

impl Default for TableShape {
    fn default() -> Self {
        TableShape { has_size: true, has_duration: true }
    }
}

/// Durations further apart than this disagree (SPEC §4).
pub const DURATION_TOLERANCE_MS: u64 = 500;

/// Finds every discrepancy; rows must be sorted by key.
///
/// A merge-join: complete files grouped by key (the scan's path order is
/// key order for the app's layouts; otherwise they are sorted) are walked
/// together with the sorted rows, so a million keys cost one sequential pass
/// (on large dumps cut into ranges of keys, one per core).
pub fn detect(scan: &DiskScan, rows: &[Row], shape: TableShape) -> Vec<Discrepancy> {
    detect_with_unknown(scan, rows, shape).0
}

fn detect_unshaded(scan: &DiskScan, rows: &[Row], shape: TableShape) -> Vec<Discrepancy> {
    let pieces = if scan.files.len() + rows.len() >= PARALLEL_FROM {
        std::thread::available_parallelism().map_or(1, |n| n.get()).min(MAX_PIECES)
    } else {
        1
    };
    detect_in_pieces(scan, rows, shape, pieces)
}

/// Below this many files and rows, one thread detects faster than several
/// start.
const PARALLEL_FROM: usize = 1 << 16;
/// Threads detection uses at most.
const MAX_PIECES: usize = 4;

/// [`detect_unshaded`] in `pieces` parts, each on its own thread: the
/// files' own verdicts by ranges of files, then the merge-join by ranges of
/// keys. At a million keys each is some tens of milliseconds on one core,
/// and the other cores would wait for it.
fn detect_in_pieces(scan: &DiskScan, rows: &[Row], shape: TableShape, pieces: usize) -> Vec<Discrepancy> {
    let n = scan.files.len();
    let parts = in_parallel(pieces, |p| file_verdicts(scan, n * p / pieces..n * (p + 1) / pieces));
    let key_at = |i: usize| scan.files[i].key();
    // Path order is key order for the app's names; anything else is sorted.
    let mut sorted = parts.iter().all(|part| part.sorted);
    for pair in parts.windows(2) {
        if let (Some(&a), Some(&b)) = (pair[0].complete.last(), pair[1].complete.first()) {
            sorted &= key_at(a) <= key_at(b);
        }
    }
    let mut out = Vec::new();
    let mut order: Vec<usize> = Vec::with_capacity(parts.iter().map(|p| p.complete.len()).sum());
    for part in parts {
        out.extend(part.found);
        order.extend(part.complete);
    }
    if !sorted {
        order.sort_by(|a, b| key_at(*a).cmp(&key_at(*b)));
    }
    // Cut where a key begins, at even steps through the files: every file
    // and row of one key falls in one piece.
    let mut cuts = vec![(0, 0)];
    for p in 1..pieces {
        let Some(key) = order.get(order.len() * p / pieces).and_then(|&i| key_at(i)) else { continue };
        let at = order.partition_point(|&i| key_at(i) < Some(key));
        let r = rows.partition_point(|row| row.key < *key);
        if cuts.last().is_some_and(|&(a, b)| a < at || b < r) {
            cuts.push((at, r));
        }
    }
    cuts.push((order.len(), rows.len()));
    let joined = in_parallel(cuts.len() - 1, |p| {
        let ((a, r), (b, end)) = (cuts[p], cuts[p + 1]);
        join_keys(scan, rows, shape, &order[a..b], r..end)
    });
    out.extend(joined.into_iter().flatten());
    out.sort_by(|a, b| (a.kind, &a.key, &a.id).cmp(&(b.kind, &b.key, &b.id)));
    out
}

/// `f(0)`, …, `f(pieces - 1)`, each on its own thread (one piece: on this
/// one), in order.
fn in_parallel<T: Send>(pieces: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    if pieces <= 1 {
        return vec![f(0)];
    }
    std::thread::scope(|s| {
        let f = &f;
        let handles: Vec<_> = (0..pieces).map(|p| s.spawn(move || f(p))).collect();
        handles.into_iter().map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
    })
}

/// What a range of files says on its own.
struct FileVerdicts {
    /// Incomplete and stray files.
    found: Vec<Discrepancy>,
    /// The complete files, in path order.
    complete: Vec<usize>,
    /// Whether `complete` is also in key order.
    sorted: bool,
}

fn file_verdicts(scan: &DiskScan, range: std::ops::Range<usize>) -> FileVerdicts {
    let mut found = Vec::new();
    // Nearly every file of a dump is complete: sized once, never regrown.
    let mut complete: Vec<usize> = Vec::with_capacity(range.len());
    let mut sorted = true;
    for (i, f) in scan.files[range.clone()].iter().enumerate() {
        let i = range.start + i;
        let path = || escaped(&f.path());
        match &f.kind {
            FileKind::Cache { .. } if f.is_complete() => {
                if let Some(&last) = complete.last() {
                    sorted &= scan.files[last].key() <= f.key();
                }
                complete.push(i);
            }
            FileKind::Cache { .. } | FileKind::Partial => {
                let key = f.key().map(Key::to_string).unwrap_or_default();
                let why = format!("{} ({})", f.incomplete_reason().unwrap_or("incomplete"), size(f.id.size));
                found.push(Discrepancy::new(Kind::IncompleteFile, Some(key), Some(path()), Some(i), None, why))
            }
            // Unknown, not incomplete: no verdict (see `shade`).
            FileKind::Unreadable { .. } => {}
            FileKind::Stray { why } => found.push(Discrepancy::new(
                Kind::StrayFile,
                None,
                Some(path()),
                Some(i),
                None,
                format!("{why}; not part of the cache"),
            )),
        }
    }
    FileVerdicts { found, complete, sorted }
}

/// The merge-join of complete files (`order`, in key order) with the rows
/// in `range` (sorted by key), which hold every row of those files' keys.
fn join_keys(
    scan: &DiskScan,
    rows: &[Row],
    shape: TableShape,
    order: &[usize],
    range: std::ops::Range<usize>,
) -> Vec<Discrepancy> {
    let mut out = Vec::new();
    let key_at = |i: usize| scan.files[i].key();
    let (mut r, end) = (range.start, range.end);
    let mut at = 0;
    while at < order.len() {
        let Some(key) = key_at(order[at]) else {
            at += 1;
            continue;
        };
        let mut files = KeyFiles::default();
        while at < order.len() && key_at(order[at]) == Some(key) {
            match scan.files[order[at]].encoding() {
                Some(Encoding::Wav) => files.wav = Some(order[at]),
                Some(Encoding::M4a) => files.m4a = Some(order[at]),
                None => {}
            }
            at += 1;
        }
        while r < end && rows[r].key < *key {
            ghost(&mut out, rows, r);
            r += 1;
        }
        let row = (r < end && rows[r].key == *key).then_some(r);
        while r < end && rows[r].key == *key {
            r += 1;
        }
        key_with_files(&mut out, scan, rows, shape, key, &files, row);
    }
    for g in r..end {
        ghost(&mut out, rows, g);
    }
    out
}

/// [`detect`], and how many keys have no verdict because something of
/// theirs could not be read.
pub fn detect_with_unknown(scan: &DiskScan, rows: &[Row], shape: TableShape) -> (Vec<Discrepancy>, usize) {
    let mut found = detect_unshaded(scan, rows, shape);
    let unknown = shade(scan, &mut found);
    (found, unknown)
}

/// Drops every verdict that depends on something that could not be read,
/// and returns how many keys were left without one.
///
/// A key with an unreadable file has an unknown state. A folder that could
/// not be listed may hold any key's files: in a sharded layout (every file
/// in a sub-folder whose name starts its key) only the keys of that shard;
/// otherwise every key whose verdict rests on a file not being found
/// (ghosts and state mismatches).
pub fn shade(scan: &DiskScan, found: &mut Vec<Discrepancy>) -> usize {
    use std::os::unix::ffi::OsStrExt;
    let unreadable: rustc_hash::FxHashSet<String> =
        scan.files.iter().filter(|f| f.unreadable().is_some()).filter_map(|f| f.key().map(Key::to_string)).collect();
    let dirs: Vec<&[u8]> = scan
        .unreadable_dirs
        .iter()
        .map(|d| d.components().next().map_or(&b""[..], |c| c.as_os_str().as_bytes()))
        .collect();
    if unreadable.is_empty() && dirs.is_empty() {
        return 0;
    }
    // Sharded: every file below the top level sits in a folder its key starts with.
    let mut in_subfolders = scan.files.iter().filter(|f| f.nested()).peekable();
    let sharded = in_subfolders.peek().is_some()
        && in_subfolders.all(|f| {
            let path = f.path();
            let first = path.components().next().map_or(&b""[..], |c| c.as_os_str().as_bytes());
            f.key().is_some_and(|k| k.as_str().as_bytes().starts_with(first))
        })
        && dirs.iter().all(|d| !d.is_empty());
    let hidden = |d: &Discrepancy| {
        let Some(key) = d.key.as_deref() else { return false };
        if unreadable.contains(key) {
            return true;
        }
        if dirs.is_empty() {
            return false;
        }
        if sharded {
            dirs.iter().any(|p| key.as_bytes().starts_with(p))
        } else {
            matches!(d.kind, Kind::GhostEntry | Kind::CompressionStateMismatch)
        }
    };
    let mut keys = rustc_hash::FxHashSet::default();
    found.retain(|d| {
        let h = hidden(d);
        if h {
            keys.insert(d.key.clone());
        }
        !h
    });
    keys.extend(unreadable.into_iter().map(Some));
    keys.len()
}

/// A row with no complete file is a ghost unless it already says `failed`.
fn ghost(out: &mut Vec<Discrepancy>, rows: &[Row], i: usize) {
    let row = &rows[i];
    if row.state.as_deref() == Some("failed") {
        return;
    }
    let message = format!("row says {}, {}, but no complete file exists", clean(row.state_str()), size_words(row));
    out.push(Discrepancy::new(Kind::GhostEntry, Some(row.key.to_string()), None, None, Some(i), message));
}

/// The kinds of a key that has at least one complete file.
fn key_with_files(
    out: &mut Vec<Discrepancy>,
    scan: &DiskScan,
    rows: &[Row],
    shape: TableShape,
    key: &Key,
    files: &KeyFiles,
    row: Option<usize>,
) {
    let (expected, file) = match (files.m4a, files.wav) {
        (Some(m), _) => (Encoding::M4a, m),
        (None, Some(w)) => (Encoding::Wav, w),
        (None, None) => return,
    };
    let facts = &scan.files[file];
    if let (Some(_), Some(w)) = (files.m4a, files.wav) {
        let message = format!("a complete m4a exists, so this wav ({}) is redundant", size(scan.files[w].id.size));
        let path = Some(escaped(&scan.files[w].path()));
        out.push(Discrepancy::new(Kind::RedundantFile, Some(key.to_string()), path, Some(w), row, message));
    }
    let Some(r) = row else {
        let message =
            format!("complete {} file, {}, has no row in cache_entries", expected.as_str(), size(facts.id.size));
        out.push(Discrepancy::new(Kind::OrphanedFile, Some(key.to_string()), None, Some(file), None, message));
        return;
    };
    let row = &rows[r];
    // The row and its file disagree: about both.
    let mut both =
        |kind, message| out.push(Discrepancy::new(kind, Some(key.to_string()), None, Some(file), Some(r), message));
    if row.state.as_deref() != Some(expected.as_str()) {
        both(
            Kind::CompressionStateMismatch,
            format!("row says {}, but the complete file is {}", clean(row.state_str()), expected.as_str()),
        );
        return;
    }
    if shape.has_size && row.size() != Some(facts.id.size as i64) {
        both(
            Kind::SizeMismatch,
            format!("row says {}, file has {} ({} bytes)", row_size(row), size(facts.id.size), facts.id.size),
        );
    }
    if let (true, Some(said), Some(holds)) = (shape.has_duration, row.duration(), facts.duration_ms())
        && said.abs_diff(holds) > DURATION_TOLERANCE_MS
    {
        both(
            Kind::DurationMismatch,
            format!("row says {}, the {} file holds {}", seconds(said), expected.as_str(), seconds(holds)),
        );
    }
}

/// `4 600` ms → `4.6 s`; under a second, in ms.
fn seconds(ms: u64) -> String {
    if ms < 1000 { format!("{ms} ms") } else { format!("{:.1} s", ms as f64 / 1000.0) }
}

fn row_size(row: &Row) -> String {
    match row.size() {
        Some(n) => format!("{} ({n} bytes)", size_i64(n)),
        None => size_words(row),
    }
}

/// A row's size for a sentence, also when it is NULL or not an integer.
fn size_words(row: &Row) -> String {
    use super::model::Value;
    match &row.size_bytes.value() {
        Value::Integer(n) => size_i64(*n),
        Value::Null => "no size".to_string(),
        Value::Real(f) => format!("size {f} (stored as REAL)"),
        Value::Text(t) => format!("size '{}' (stored as TEXT)", clean(t)),
        Value::Blob(b) => format!("a {}-byte BLOB as size", b.len()),
    }
}

/// Discrepancies per kind, every kind present (zeros included).
pub fn summary(found: &[Discrepancy]) -> Vec<(Kind, usize)> {
    Kind::ALL.iter().map(|k| (*k, found.iter().filter(|d| d.kind == *k).count())).collect()
}

#[cfg(test)]
mod tests;
