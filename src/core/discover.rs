//! Discovery (SPEC §1): one walk of a dump folder finds the SQLite file
//! that holds `cache_entries` (by header, any name) and the folder that
//! holds the audio (by names that look like the app's keys), without
//! writing anything.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};
use walkdir::WalkDir;

use super::dbfiles::{cannot_read, has_sqlite_header, immutable_uri, is_sidecar};
use super::error::{Error, Result};
use super::fmt::escaped;
use super::model::names::{NameClass, STATE_DIR, classify_name, key_of};

/// How deep discovery looks for databases and audio folders: deep enough
/// for Device Explorer's `data/data/PKG/cache/audio/ab/cd/<key>.wav`.
const MAX_DEPTH: usize = 8;

/// Finds the one SQLite file holding `cache_entries`, by header, not by name.
pub(super) fn find_database(root: &Path, survey: &Survey) -> Result<PathBuf> {
    let mut with_table = Vec::new();
    let mut other = Vec::new();
    let mut unreadable = Vec::new();
    for path in &survey.sqlite_files {
        match holds_cache_entries(path) {
            Ok(true) => with_table.push(path.clone()),
            Ok(false) => other.push(path.clone()),
            Err(e) => unreadable.push((path.clone(), e)),
        }
    }
    let rel = |p: &PathBuf| escaped(p.strip_prefix(root).unwrap_or(p));
    match with_table.len() {
        1 => Ok(with_table.remove(0)),
        0 => {
            if let Some((path, err)) = survey.unreadable.first() {
                return Err(cannot_read(path, err));
            }
            if let Some(link) = survey.links.first() {
                return Err(Error::bad_input(format!(
                    "{} is a symbolic link to a database, which cachescope never follows; pass the real file with --db",
                    escaped(link)
                )));
            }
            if let Some((path, err)) = unreadable.into_iter().next() {
                return Err(Error::bad_input(format!(
                    "{} looks like a SQLite database but cannot be read ({err}); it may be corrupt: restore it from the device or pass another database with --db",
                    escaped(&path)
                )));
            }
            let found = if other.is_empty() {
                "no SQLite database at all".to_string()
            } else {
                format!(
                    "only databases without a cache_entries table ({})",
                    other.iter().map(rel).collect::<Vec<_>>().join(", ")
                )
            };
            Err(Error::bad_input(format!(
                "no database with a cache_entries table in {}: found {found}; pass the app's database with --db",
                escaped(root)
            )))
        }
        _ => Err(Error::bad_input(format!(
            "several databases with a cache_entries table in {} ({}); choose one with --db",
            escaped(root),
            with_table.iter().map(rel).collect::<Vec<_>>().join(", ")
        ))),
    }
}

/// Checks for the table without writing: `immutable=1` on the file, and a
/// private copy when only the `-wal` could hold the answer.
pub(super) fn holds_cache_entries(path: &Path) -> std::result::Result<bool, String> {
    let query = |conn: &Connection| -> rusqlite::Result<bool> {
        conn.query_row(
            "SELECT count(*) FROM sqlite_master WHERE lower(name) = 'cache_entries' AND type IN ('table', 'view')",
            [],
            |r| r.get::<_, i64>(0),
        )
        .map(|n| n > 0)
    };
    let root = path.parent().unwrap_or(path);
    if super::dbfiles::journal_state(path) == super::dbfiles::JournalState::Hot {
        // A writer died mid-transaction: the file alone may be torn until its
        // journal is rolled back, so look at a rolled-back private copy.
        let snap = super::snapshot::Snapshot::copy_rolled_back(path, root).map_err(|e| e.message)?;
        return query(snap.conn()).map_err(|e| e.to_string());
    }
    let uri = immutable_uri(path);
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let found = Connection::open_with_flags(&uri, flags).and_then(|c| query(&c)).map_err(|e| e.to_string());
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    if matches!(found, Ok(true)) || !Path::new(&wal).exists() {
        return found;
    }
    let snap = super::snapshot::Snapshot::copy_of(path, root).map_err(|e| e.message)?;
    query(snap.conn()).map_err(|e| e.to_string())
}

/// How strongly a folder looks like the cache dir: files named like the
/// app's keys (64 hex characters) first, any cache-shaped name second.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
struct Score {
    app_keys: usize,
    names: usize,
}

/// The app's own kind of key (64 lower-case hex), by the same rule as the
/// compact keys use.
fn is_app_key(key: &str) -> bool {
    super::key::hex_key(key.as_bytes()).is_some()
}

/// What one walk of the dump found: SQLite files (by header) and, per
/// folder, how many files are named like cache files.
#[derive(Debug, Default)]
pub(super) struct Survey {
    sqlite_files: Vec<PathBuf>,
    per_dir: BTreeMap<PathBuf, Score>,
    /// Files and folders that could not be read, with why.
    unreadable: Vec<(PathBuf, std::io::Error)>,
    /// Symbolic links to SQLite files (never followed as the database).
    links: Vec<PathBuf>,
}

/// A folder with this many cache-named files is surely a candidate; the rest
/// of it is not read, so discovery costs the same at 1 000 and 1 000 000 files.
const ENOUGH: usize = 2048;

/// One walk for both discoveries. Only names are read, except the 16-byte
/// header of files that are not named like audio (database candidates).
pub(super) fn survey(root: &Path) -> Survey {
    use std::os::unix::ffi::OsStrExt;
    let state = root.join(STATE_DIR);
    let mut out = Survey::default();
    let mut direct: BTreeMap<PathBuf, usize> = BTreeMap::new();
    let mut it = WalkDir::new(root).follow_links(false).max_depth(MAX_DEPTH).into_iter();
    while let Some(entry) = it.next() {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                if let (Some(path), Some(io)) = (e.path(), e.io_error()) {
                    out.unreadable.push((path.to_path_buf(), std::io::Error::new(io.kind(), io.to_string())));
                }
                continue;
            }
        };
        if entry.path() == state {
            it.skip_current_dir();
            continue;
        }
        if entry.file_type().is_symlink() {
            if !is_sidecar(entry.file_name().as_bytes()) && has_sqlite_header(entry.path()) {
                out.links.push(entry.path().to_path_buf());
            }
            continue;
        }
        if !entry.file_type().is_file() {
            continue;
        }
        match classify_name(entry.file_name()) {
            NameClass::Cache { .. } | NameClass::Partial => {
                let key = key_of(entry.file_name()).unwrap_or_default();
                let Some(parent) = entry.path().parent() else { continue };
                let score = out.per_dir.entry(fold_shards(root, parent)).or_default();
                score.names += 1;
                score.app_keys += usize::from(is_app_key(key));
                let seen = direct.entry(parent.to_path_buf()).or_default();
                *seen += 1;
                if *seen == ENOUGH {
                    it.skip_current_dir();
                }
            }
            _ => {
                if is_sidecar(entry.file_name().as_bytes()) {
                    continue;
                }
                match File::open(entry.path()) {
                    Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
                        out.unreadable.push((entry.path().to_path_buf(), e));
                    }
                    _ if has_sqlite_header(entry.path()) => out.sqlite_files.push(entry.path().to_path_buf()),
                    _ => {}
                }
            }
        }
    }
    out
}

/// Finds the folder that holds the audio files (recursively, shards folded in).
pub(super) fn find_cache_dir(root: &Path, survey: Survey) -> Result<PathBuf> {
    let mut per_dir = survey.per_dir;
    // A folder inside another candidate belongs to it.
    let dirs: Vec<PathBuf> = per_dir.keys().cloned().collect();
    for dir in &dirs {
        if let Some(outer) = dirs.iter().find(|o| *o != dir && dir.starts_with(o)) {
            let inner = per_dir.remove(dir).unwrap_or_default();
            let score = per_dir.entry(outer.clone()).or_default();
            score.names += inner.names;
            score.app_keys += inner.app_keys;
        }
    }
    let clearly_ahead = |a: Score, b: Score| {
        if a.app_keys > 0 || b.app_keys > 0 { a.app_keys >= 4 * b.app_keys } else { a.names >= 4 * b.names }
    };
    let rank = |per_dir: &BTreeMap<PathBuf, Score>| {
        let mut ranked: Vec<(PathBuf, Score)> = per_dir.iter().map(|(p, s)| (p.clone(), *s)).collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        ranked
    };
    let mut ranked = rank(&per_dir);
    if let [(_, a), (_, b), ..] = ranked.as_slice()
        && !clearly_ahead(*a, *b)
    {
        // Ambiguous as it stands: maybe the candidates are shards of one folder.
        fold_siblings(root, &mut per_dir);
        ranked = rank(&per_dir);
    }
    match ranked.as_slice() {
        [] => conventional_cache_dir(root).ok_or_else(|| {
            Error::bad_input(format!(
                "no folder with audio files (<key>.wav or <key>.m4a) in {}; pass the cache folder with --cache-dir",
                escaped(root)
            ))
        }),
        [(only, _)] => Ok(only.clone()),
        // A stray key-shaped file elsewhere must not make a real cache ambiguous.
        [(first, a), (_, b), ..] if clearly_ahead(*a, *b) => Ok(first.clone()),
        [(first, a), (second, b), ..] => {
            let rel = |p: &PathBuf| escaped(p.strip_prefix(root).unwrap_or(p));
            Err(Error::bad_input(format!(
                "several folders hold audio files in {} ({} with {}, {} with {}); choose one with --cache-dir",
                escaped(root),
                rel(first),
                a.names,
                rel(second),
                b.names
            )))
        }
    }
}

/// Folds sibling folders with audio into their parent (shards with longer
/// names, e.g. one folder per book), unless that parent is the root.
fn fold_siblings(root: &Path, per_dir: &mut BTreeMap<PathBuf, Score>) {
    loop {
        let mut by_parent: BTreeMap<PathBuf, Vec<PathBuf>> = BTreeMap::new();
        for dir in per_dir.keys() {
            if let Some(parent) = dir.parent().filter(|p| *p != root && p.starts_with(root)) {
                by_parent.entry(parent.to_path_buf()).or_default().push(dir.clone());
            }
        }
        let Some((parent, children)) = by_parent.into_iter().find(|(_, c)| c.len() >= 2) else { break };
        let mut sum = per_dir.remove(&parent).unwrap_or_default();
        for child in children {
            let c = per_dir.remove(&child).unwrap_or_default();
            sum.names += c.names;
            sum.app_keys += c.app_keys;
        }
        per_dir.insert(parent, sum);
    }
}

/// `audio/ab/cd` → `audio`: sharded sub-folders have short names.
fn fold_shards(root: &Path, dir: &Path) -> PathBuf {
    let mut dir = dir;
    while dir != root {
        let short = dir
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| (1..=3).contains(&n.len()) && n.chars().all(|c| c.is_ascii_alphanumeric()));
        match dir.parent() {
            Some(parent) if short && parent.starts_with(root) && parent != root => dir = parent,
            _ => break,
        }
    }
    dir.to_path_buf()
}

/// With no audio file anywhere, a conventionally named folder is the cache dir
/// (so an emptied cache is still inspected and guarded, not rejected).
fn conventional_cache_dir(root: &Path) -> Option<PathBuf> {
    // `c` is where an adb backup (`apps/PKG/` beside `_manifest`) keeps the
    // cache it never includes; opening a backup adds it empty (see archive::ab).
    let adb = root.join("_manifest").is_file().then(|| root.join("c"));
    ["cache/audio", "audio", "cache", "files/audio", "files/cache"]
        .iter()
        .map(|p| root.join(p))
        .chain(adb)
        .find(|p| p.is_dir())
}
