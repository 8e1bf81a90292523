//! A private copy of the database files, so reading never writes to the dump.
//!
//! Opening the original read-only still creates `-shm`, and `immutable=1`
//! misses rows committed only in the `-wal`. Copying the database and its
//! `-wal` into a temp dir and opening the copy sees everything and touches
//! nothing.

use std::path::Path;

use rusqlite::{Connection, OpenFlags};
use tempfile::TempDir;

use super::dbfiles::{JournalState, journal_state, sidecar};
use super::error::{Error, Result};
use super::fmt::escaped;
use super::model::Identity;
use super::wal::{self, WalState};

/// A read-only view of the database through a private copy (or, for a
/// few lookups, of the file itself: [`Snapshot::in_place`]).
pub struct Snapshot {
    conn: Connection,
    /// Commits in the `-wal` that SQLite could not read, in one sentence.
    pub wal_unread: Option<String>,
    /// The private copy's folder; None when reading the file in place.
    _dir: Option<TempDir>,
    /// In place: SQLite's reader lock on the file, held while it is read,
    /// so no writer changes it underneath (closed after the connection).
    _lock: Option<std::fs::File>,
    /// In place: the database and its sidecars as they were when opened.
    seen: Option<Seen>,
}

/// How much of a database read in place to ask the kernel for at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadAhead {
    /// A few lookups: only the pages SQLite asks for.
    None,
    /// Every row will be read: the whole file, in file order, while SQLite
    /// walks the table's pages in key order (a cold disk reads one long run
    /// instead of one page at a time).
    Whole,
}

/// The stat of a database and its `-wal` and `-journal`: a writer that came
/// while the file was read changes one of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seen([Option<Identity>; 3]);

impl Seen {
    fn of(db: &Path) -> Seen {
        let stat = |p: &Path| std::fs::symlink_metadata(p).ok().map(|m| Identity::of(&m));
        Seen([stat(db), stat(&sidecar(db, "-wal")), stat(&sidecar(db, "-journal"))])
    }
    /// Whether `db` is as it was when this was taken.
    pub fn still(&self, db: &Path) -> bool {
        Seen::of(db) == *self
    }
}

impl Snapshot {
    /// Copies `db` (and its `-wal`) into a fresh temp dir and opens the copy.
    /// `dump_root` only words the advice of errors.
    pub fn copy_of(db: &Path, dump_root: &Path) -> Result<Snapshot> {
        Self::copy(db, dump_root, false)
    }

    /// Like [`Snapshot::copy_of`], but a hot rollback journal is copied too,
    /// so SQLite rolls back the *copy*: the state recovery will produce when
    /// an interrupted cachescope batch left that journal.
    pub fn copy_rolled_back(db: &Path, dump_root: &Path) -> Result<Snapshot> {
        Self::copy(db, dump_root, true)
    }

    fn copy(db: &Path, dump_root: &Path, roll_back: bool) -> Result<Snapshot> {
        // A writer in the middle of a transaction is waited for, as SQLite's
        // busy timeout would; one that stays is a clear error.
        let patience = super::dbfiles::busy_timeout();
        super::dbfiles::wait_for_writer(db, patience);
        let journal = journal_state(db);
        match journal {
            JournalState::Live => return Err(super::dbfiles::locked_by_another(db)),
            JournalState::Hot if !roll_back => {
                return Err(Error::new(
                    super::error::ErrorKind::Interrupted,
                    format!(
                        "the database {} has a hot rollback journal ({}-journal) from a write that was interrupted; run `cachescope recover {}` to roll it back, then inspect again",
                        escaped(db),
                        escaped(Path::new(db.file_name().unwrap_or_default())),
                        escaped(dump_root)
                    ),
                ));
            }
            _ => {}
        }
        let dir = super::tempdirs::make("cachescope-read-")
            .map_err(|e| Error::io(format!("could not create a temp folder for reading the database: {e}")))?;
        let copy = dir.path().join("snapshot.db");
        // Copied under SQLite's reader lock: a writer cannot tear the copy.
        super::dbfiles::read_locked(db, patience, |from| {
            let mut to = std::fs::File::create(&copy)?;
            std::io::copy(from, &mut to).map(|_| ())
        })
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::WouldBlock {
                super::dbfiles::locked_by_another(db)
            } else {
                Error::io_at("copy", db, &e)
            }
        })?;
        let mut sidecars = vec!["-wal"];
        if roll_back && journal == JournalState::Hot {
            sidecars.push("-journal");
        }
        for suffix in sidecars {
            let from = sidecar(db, suffix);
            let copied = super::fsops::open_untouched(&from).and_then(|mut f| {
                std::fs::File::create(sidecar(&copy, suffix)).and_then(|mut to| std::io::copy(&mut f, &mut to))
            });
            match copied {
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(Error::io_at("copy", &from, &e)),
            }
        }
        // Read the copied log as SQLite will, before SQLite touches it.
        let wal_path = sidecar(db, "-wal");
        let copied_wal = sidecar(&copy, "-wal");
        let wal_unread = match wal::read(&copied_wal).map_err(|e| Error::io_at("read", &wal_path, &e))? {
            WalState::Absent | WalState::Whole => None,
            WalState::Unusable(why) => {
                return Err(Error::bad_input(format!(
                    "the write-ahead log {} is damaged ({why}), so the newest rows of {} cannot be read; pull the database and its -wal from the device again",
                    escaped(&wal_path),
                    escaped(db)
                )));
            }
            WalState::Damaged(u) => Some(format!(
                "the write-ahead log {} is damaged: SQLite cannot read {} of its frames ({} commits) after the first bad one, so the rows written last are missing; pull the database and its -wal from the device again",
                escaped(&wal_path),
                u.frames,
                u.commits
            )),
        };
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&copy, flags).map_err(|e| Error::sqlite_at("open", db, &e))?;
        conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0))
            .map_err(|e| corrupt(db, &e))?;
        Ok(Snapshot { conn, wal_unread, _dir: Some(dir), _lock: None, seen: None })
    }

    /// The database file itself, opened read-only and `immutable` (SQLite
    /// then creates no `-shm` and takes no lock: nothing is written), while
    /// that sees every committed row: no `-wal` with frames in it and no
    /// rollback journal. None otherwise: then [`Snapshot::copy_of`] is the
    /// way. Copying a large database costs more than the few lookups
    /// `check --key` makes in it, and its CPU (a copy of every page) is a
    /// tenth of a whole `check`'s.
    pub fn in_place(db: &Path, ahead: ReadAhead) -> Result<Option<Snapshot>> {
        super::tempdirs::sweep_stale();
        super::dbfiles::wait_for_writer(db, super::dbfiles::busy_timeout());
        if journal_state(db) != JournalState::None {
            return Ok(None);
        }
        let wal_empty = || matches!(wal::read(&sidecar(db, "-wal")), Ok(WalState::Absent));
        if !wal_empty() {
            return Ok(None);
        }
        let lock = match super::dbfiles::hold_read_lock(db, super::dbfiles::busy_timeout()) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return Err(super::dbfiles::locked_by_another(db)),
            Err(e) => return Err(Error::io_at("open", db, &e)),
        };
        // A writer may have started between the look and the lock.
        if !wal_empty() || super::dbfiles::has_journal(db) {
            return Ok(None);
        }
        let seen = Seen::of(db);
        if ahead == ReadAhead::Whole {
            use std::os::fd::AsFd;
            // Only advice: a file system without it reads as SQLite asks.
            let _ = rustix::fs::fadvise(lock.as_fd(), 0, None, rustix::fs::Advice::WillNeed);
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(super::dbfiles::immutable_uri(db), flags)
            .map_err(|e| Error::sqlite_at("open", db, &e))?;
        conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0))
            .map_err(|e| corrupt(db, &e))?;
        Ok(Some(Snapshot { conn, wal_unread: None, _dir: None, _lock: Some(lock), seen: Some(seen) }))
    }

    /// In place: the files as they were when opened.
    pub fn seen(&self) -> Option<Seen> {
        self.seen
    }

    pub fn conn(&self) -> &Connection {
        &self.conn
    }
}

/// A database that opens but cannot be read.
pub fn corrupt(db: &Path, err: &rusqlite::Error) -> Error {
    Error::bad_input(format!(
        "the database {} cannot be read ({}); it may be truncated or corrupt: pull it from the device again",
        escaped(db),
        match err {
            rusqlite::Error::SqliteFailure(_, Some(m)) => m.clone(),
            e => e.to_string(),
        }
    ))
}
