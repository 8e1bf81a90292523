//! Finding a dump's database and cache dir (SPEC §1), without writing anything.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};
use walkdir::WalkDir;

use super::error::{Error, Result};
use super::fmt::escaped;
use super::model::names::{NameClass, classify_name, key_of};

/// cachescope's own folder inside a dump: backups, quarantine, journal.
pub const STATE_DIR: &str = ".cachescope";

/// How deep discovery looks for databases and audio folders: deep enough
/// for Device Explorer's `data/data/PKG/cache/audio/ab/cd/<key>.wav`.
const MAX_DEPTH: usize = 8;

/// A located dump: its root, its database and its cache dir.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dump {
    pub root: PathBuf,
    pub db: PathBuf,
    pub cache_dir: PathBuf,
}

/// What the user gave on the command line.
#[derive(Debug, Clone, Default)]
pub struct Locate {
    pub path: Option<PathBuf>,
    pub db: Option<PathBuf>,
    pub cache_dir: Option<PathBuf>,
}

impl Dump {
    pub fn state_dir(&self) -> PathBuf {
        self.root.join(STATE_DIR)
    }

    /// `path` relative to the dump root for reports, or as given when outside it.
    pub fn display_rel(&self, path: &Path) -> PathBuf {
        match path.strip_prefix(&self.root) {
            Ok(rel) if rel.as_os_str().is_empty() => PathBuf::from("."),
            Ok(rel) => rel.to_path_buf(),
            Err(_) => path.to_path_buf(),
        }
    }

    /// Finds the database and cache dir from what the user gave.
    pub fn locate(args: &Locate) -> Result<Dump> {
        let mut db = args.db.clone();
        let mut root = None;
        if let Some(path) = &args.path {
            let meta = std::fs::metadata(path).map_err(|e| missing(path, &e))?;
            if meta.is_file() {
                readable(path)?;
                if !has_sqlite_header(path) {
                    return Err(Error::bad_input(format!(
                        "{} is not a SQLite database or a dump folder; pass the dump folder, or the database with --db",
                        escaped(path)
                    )));
                }
                db.get_or_insert_with(|| path.clone());
            } else {
                root = Some(path.clone());
            }
        }
        if let Some(db) = &db {
            let meta = std::fs::metadata(db).map_err(|e| missing(db, &e))?;
            if meta.is_file() {
                readable(db)?;
            }
            if !meta.is_file() || !has_sqlite_header(db) {
                return Err(Error::bad_input(format!(
                    "{} is not a SQLite database; pass the app's database file with --db",
                    escaped(db)
                )));
            }
        }
        if let Some(dir) = &args.cache_dir {
            let meta = std::fs::metadata(dir).map_err(|e| missing(dir, &e))?;
            if !meta.is_dir() {
                return Err(Error::bad_input(format!(
                    "--cache-dir {} is not a folder; pass the folder that holds the audio files",
                    escaped(dir)
                )));
            }
        }
        let root = match root {
            Some(r) => r,
            None => match (&db, &args.cache_dir) {
                (Some(db), Some(dir)) => common_ancestor(&absolute(db)?, &absolute(dir)?),
                (Some(db), None) => root_of_db(db),
                (None, Some(dir)) => root_of_cache_dir(&absolute(dir)?),
                (None, None) => {
                    return Err(Error::bad_input("no dump given; pass the dump folder (or --db and --cache-dir)"));
                }
            },
        };
        let root = absolute(&root)?;
        let need_survey = db.is_none() || args.cache_dir.is_none();
        let survey = if need_survey { survey(&root) } else { Survey::default() };
        let db = match db {
            Some(db) => {
                // A database named explicitly is checked before the cache dir is looked for.
                match holds_cache_entries(&db) {
                    Ok(true) => {}
                    Ok(false) => {
                        return Err(Error::bad_input(format!(
                            "the database {} has no cache_entries table; pass the app's cache database with --db",
                            escaped(&db)
                        )));
                    }
                    Err(why) => {
                        return Err(Error::bad_input(format!(
                            "{} looks like a SQLite database but cannot be read ({why}); it may be corrupt: pull it from the device again",
                            escaped(&db)
                        )));
                    }
                }
                absolute(&db)?
            }
            None => find_database(&root, &survey)?,
        };
        let cache_dir = match &args.cache_dir {
            Some(dir) => absolute(dir)?,
            None => find_cache_dir(&root, survey)?,
        };
        Ok(Dump { root, db, cache_dir })
    }
}

/// A file that exists but cannot be opened is named as such, not as "not a
/// database".
fn readable(path: &Path) -> Result<()> {
    File::open(path).map(drop).map_err(|e| cannot_read(path, &e))
}

fn cannot_read(path: &Path, err: &std::io::Error) -> Error {
    Error::bad_input(format!(
        "cannot read {}: {}; fix its permissions (or run as its owner) and try again",
        escaped(path),
        super::error::plain_io(err).to_lowercase()
    ))
}

fn missing(path: &Path, err: &std::io::Error) -> Error {
    if err.kind() == std::io::ErrorKind::NotFound {
        Error::bad_input(format!("{} does not exist; check the path to the dump", escaped(path)))
    } else {
        Error::io_at("open", path, err)
    }
}

fn absolute(path: &Path) -> Result<PathBuf> {
    std::path::absolute(path).map_err(|e| Error::io_at("resolve", path, &e))
}

/// The dump root for a database given alone: its folder, or the folder above a
/// `databases/` folder (the Android layout).
fn root_of_db(db: &Path) -> PathBuf {
    let abs = std::path::absolute(db).unwrap_or_else(|_| db.to_path_buf());
    let parent = abs.parent().map(Path::to_path_buf).unwrap_or_default();
    if parent.file_name().is_some_and(|n| n == "databases")
        && let Some(up) = parent.parent()
    {
        return up.to_path_buf();
    }
    parent
}

/// The dump root when both paths are given: the deepest folder holding both
/// (so `.cachescope/` and report paths are where a plain discovery puts them).
fn common_ancestor(db: &Path, cache_dir: &Path) -> PathBuf {
    let mut root = cache_dir.to_path_buf();
    while !db.starts_with(&root) {
        match root.parent() {
            Some(p) => root = p.to_path_buf(),
            None => break,
        }
    }
    root
}

/// The dump root for a cache dir given alone: the nearest folder above it
/// (up to three levels) from which the database can be found.
fn root_of_cache_dir(cache_dir: &Path) -> PathBuf {
    let first = cache_dir.parent().map(Path::to_path_buf).unwrap_or_else(|| cache_dir.to_path_buf());
    for up in cache_dir.ancestors().skip(1).take(3) {
        if find_database(up, &survey(up)).is_ok() {
            return up.to_path_buf();
        }
    }
    first
}

/// True when the file starts with the 16-byte SQLite header.
pub fn has_sqlite_header(path: &Path) -> bool {
    let mut head = [0u8; 16];
    File::open(path).and_then(|mut f| f.read_exact(&mut head)).is_ok() && &head == b"SQLite format 3\0"
}

fn is_sidecar(name: &[u8]) -> bool {
    name.ends_with(b"-wal") || name.ends_with(b"-shm") || name.ends_with(b"-journal")
}

/// Finds the one SQLite file holding `cache_entries`, by header, not by name.
fn find_database(root: &Path, survey: &Survey) -> Result<PathBuf> {
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
fn holds_cache_entries(path: &Path) -> std::result::Result<bool, String> {
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

/// A `file:` URI with `immutable=1`, percent-encoding every byte that needs it.
pub fn immutable_uri(path: &Path) -> String {
    use std::os::unix::ffi::OsStrExt;
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut uri = String::from("file:");
    for &b in abs.as_os_str().as_bytes() {
        if b.is_ascii_alphanumeric() || b"/-_.~".contains(&b) {
            uri.push(b as char);
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    uri.push_str("?immutable=1");
    uri
}

/// How strongly a folder looks like the cache dir: files named like the
/// app's keys (64 hex characters) first, any cache-shaped name second.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
struct Score {
    app_keys: usize,
    names: usize,
}

fn is_app_key(key: &str) -> bool {
    key.len() == 64 && key.bytes().all(|b| b.is_ascii_hexdigit())
}

/// What one walk of the dump found: SQLite files (by header) and, per
/// folder, how many files are named like cache files.
#[derive(Debug, Default)]
struct Survey {
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
fn survey(root: &Path) -> Survey {
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
fn find_cache_dir(root: &Path, survey: Survey) -> Result<PathBuf> {
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
