//! The apply journal: a durable record, written before any change, of which
//! batch runs and which files it moves, so a kill at any instant can be
//! finished or rolled back (SPEC §6).
//!
//! One JSON object per line in `.cachescope/journal`, each line fsynced.
//! A torn last line (a kill mid-write) is ignored. The file's existence means
//! "a batch may be unfinished"; recovery removes it when the dump is whole.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub const FILE: &str = "journal";

/// A path as hex of its raw bytes: exact for names that are not UTF-8.
pub fn path_hex(p: &Path) -> String {
    hex::encode(p.as_os_str().as_bytes())
}

pub fn hex_path(h: &str) -> Option<PathBuf> {
    use std::os::unix::ffi::OsStringExt;
    hex::decode(h).ok().map(|b| PathBuf::from(std::ffi::OsString::from_vec(b)))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
pub enum Entry {
    /// The batch: its id and what it is (`apply` or `undo`).
    Begin { batch: i64, op: String, started_ms: i64 },
    /// About to move `from` to `to` (absolute paths, hex bytes).
    Move { from: String, to: String },
}

/// The parsed journal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub batch: Option<(i64, String)>,
    pub moves: Vec<(PathBuf, PathBuf)>,
}

pub fn path(state_dir: &Path) -> PathBuf {
    state_dir.join(FILE)
}

/// Reads a journal, tolerating a torn last line.
pub fn read(state_dir: &Path) -> io::Result<Option<Pending>> {
    let text = match std::fs::read(path(state_dir)) {
        Ok(t) => t,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let mut pending = Pending { batch: None, moves: Vec::new() };
    for line in text.split(|b| *b == b'\n') {
        match serde_json::from_slice::<Entry>(line) {
            Ok(Entry::Begin { batch, op, .. }) => pending.batch = Some((batch, op)),
            Ok(Entry::Move { from, to }) => {
                if let (Some(f), Some(t)) = (hex_path(&from), hex_path(&to)) {
                    pending.moves.push((f, t));
                }
            }
            Err(_) => {}
        }
    }
    Ok(Some(pending))
}

/// True when another process holds the dump's lock: a batch is running now.
/// Opens the lock file read-only (never creating it).
pub fn batch_running(state_dir: &Path) -> bool {
    let Ok(f) = File::open(state_dir.join("lock")) else { return false };
    matches!(f.try_lock_shared(), Err(std::fs::TryLockError::WouldBlock))
}

/// One sentence for `check` and the TUI banner, or None when nothing is pending.
pub fn describe_pending(state_dir: &Path) -> Option<String> {
    let dump = crate::core::fmt::escaped(state_dir.parent().unwrap_or(state_dir));
    match read(state_dir) {
        Ok(None) => None,
        Ok(Some(_)) if batch_running(state_dir) => Some(format!(
            "an apply or undo is running on {dump} right now (another cachescope holds its lock); wait for it to finish, then inspect again"
        )),
        Ok(Some(p)) => Some(match p.batch {
            Some((batch, op)) => format!(
                "an interrupted {op} (batch {batch}, {} file moves journaled) was found in {dump}; run `cachescope recover {dump}` to finish or roll it back",
                p.moves.len()
            ),
            None => format!("an interrupted apply was found in {dump}; run `cachescope recover {dump}` to clean it up"),
        }),
        Err(e) => Some(format!(
            "the apply journal {} cannot be read ({e}); run `cachescope recover {dump}`",
            crate::core::fmt::escaped(&path(state_dir))
        )),
    }
}

/// An open journal being written by a running batch.
pub struct Writer {
    file: File,
    path: PathBuf,
}

impl Writer {
    /// Creates the journal; fails if one already exists (it must be recovered).
    pub fn create(state_dir: &Path) -> io::Result<Writer> {
        let path = path(state_dir);
        let file = OpenOptions::new().write(true).create_new(true).open(&path)?;
        super::fsops::sync_dir(state_dir)?;
        Ok(Writer { file, path })
    }

    /// Appends an entry and makes it durable.
    pub fn append(&mut self, entry: &Entry) -> io::Result<()> {
        self.add(entry)?;
        self.sync()
    }

    /// Appends an entry; durable only after [`Writer::sync`].
    pub fn add(&mut self, entry: &Entry) -> io::Result<()> {
        let mut line = serde_json::to_vec(entry).map_err(io::Error::other)?;
        line.push(b'\n');
        self.file.write_all(&line)
    }

    pub fn sync(&mut self) -> io::Result<()> {
        self.file.sync_data()
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Removes the journal once the dump is whole again, durably.
pub fn remove(state_dir: &Path) -> io::Result<()> {
    match std::fs::remove_file(path(state_dir)) {
        Ok(()) => super::fsops::sync_dir(state_dir),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}
