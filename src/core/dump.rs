//! Finding a dump's database and cache dir (SPEC §1), without writing anything.

use std::fs::File;
use std::path::{Path, PathBuf};

use super::dbfiles::{cannot_read, has_sqlite_header};
use super::discover::{Survey, find_cache_dir, find_database, holds_cache_entries, survey};
use super::error::{Error, Result};
use super::fmt::escaped;

/// cachescope's own folder inside a dump: backups, quarantine, journal.
pub use super::model::names::STATE_DIR;

/// A located dump: its root, its database and its cache dir.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dump {
    pub root: PathBuf,
    pub db: PathBuf,
    pub cache_dir: PathBuf,
    /// The archive this dump was unpacked from into a private temp folder
    /// (`root` is inside it): what reports and the TUI name instead.
    pub archive: Option<PathBuf>,
}

/// What the user gave on the command line.
#[derive(Debug, Clone, Default)]
pub struct Locate {
    pub path: Option<PathBuf>,
    pub db: Option<PathBuf>,
    pub cache_dir: Option<PathBuf>,
}

impl Dump {
    /// The dump as the user named it, for reports and hints: the archive
    /// when it came from one, else its folder.
    pub fn shown(&self) -> String {
        escaped(self.archive.as_deref().unwrap_or(&self.root))
    }

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
            let meta = std::fs::metadata(path).map_err(|e| missing(path, "the path to the dump", &e))?;
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
            let meta = std::fs::metadata(db).map_err(|e| missing(db, "the path given to --db", &e))?;
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
            let meta = std::fs::metadata(dir).map_err(|e| missing(dir, "the path given to --cache-dir", &e))?;
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
        Ok(Dump { root, db, cache_dir, archive: None })
    }
}

/// A file that exists but cannot be opened is named as such, not as "not a
/// database".
fn readable(path: &Path) -> Result<()> {
    File::open(path).map(drop).map_err(|e| cannot_read(path, &e))
}

/// A path that is not there, named with where it came from (`what`).
fn missing(path: &Path, what: &str, err: &std::io::Error) -> Error {
    if err.kind() == std::io::ErrorKind::NotFound {
        Error::bad_input(format!("{} does not exist; check {what}", escaped(path)))
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
