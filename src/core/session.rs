//! A writing session: exclusive use of a dump (`.cachescope/lock`), the
//! live database opened for writing, and "recover first" — the start of
//! every command that changes a dump.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags};

use super::dbfiles::{JournalState, journal_state, sidecar};
pub use super::dbfiles::{busy_timeout, locked_by_another};
use super::dump::Dump;
use super::error::{Error, ErrorKind, Result};
use super::fmt::escaped;
use super::fsops::create_dirs;
use super::journal;
use super::wal::{self, WalState};

pub fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

/// True when a writing command has something to recover first: our journal
/// of an interrupted batch, or SQLite's hot journal. Reads only.
pub fn needs_recovery(dump: &Dump) -> bool {
    journal::path(&dump.state_dir()).exists() || journal_state(&dump.db) == JournalState::Hot
}

/// "Open a writing session and recover first", the start of every command
/// that changes a dump. Returns the session and what recovery did.
pub fn writing_session(dump: &Dump) -> Result<(Session, Option<String>)> {
    let session = Session::begin(dump)?;
    let recovered = session.recover()?;
    Ok((session, recovered))
}

/// Exclusive use of a dump for writing: the kernel frees the lock on kill.
///
/// A session that ends before any batch journaled a change removes what it
/// created itself (`.cachescope/`, or only its `lock`), so a refused or empty
/// command leaves the dump as it found it; what existed before stays.
pub struct Session {
    pub dump: Dump,
    /// `.cachescope/` did not exist before this session.
    made_state_dir: bool,
    /// `.cachescope/lock` did not exist before this session.
    made_lock: bool,
    /// A batch journaled its first change: `.cachescope/` now holds what must stay.
    kept: AtomicBool,
    _lock: File,
}

impl Session {
    /// Takes `.cachescope/lock`; a second writer fails fast.
    pub fn begin(dump: &Dump) -> Result<Session> {
        let state = dump.state_dir();
        let made_state_dir = !state.exists();
        let path = state.join("lock");
        let made_lock = !path.exists();
        create_dirs(&state).map_err(|e| Error::io_at("create", &state, &e))?;
        let lock = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| Error::io_at("open", &path, &e))?;
        // A session that changed nothing removes the lock file it made as it
        // ends: a lock won on a file already unlinked that way guards nothing.
        let still_there = || {
            use std::os::unix::fs::MetadataExt;
            let (held, now) = (lock.metadata(), std::fs::metadata(&path));
            held.ok().zip(now.ok()).is_some_and(|(a, b)| (a.dev(), a.ino()) == (b.dev(), b.ino()))
        };
        match lock.try_lock() {
            Ok(()) if still_there() => {}
            Ok(()) | Err(std::fs::TryLockError::WouldBlock) => {
                return Err(Error::new(
                    ErrorKind::Locked,
                    format!(
                        "another cachescope is changing {} (it holds {}); wait for it to finish and try again",
                        escaped(&dump.root),
                        escaped(&path)
                    ),
                ));
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(Error::io_at("lock", &path, &e)),
        }
        Ok(Session { dump: dump.clone(), made_state_dir, made_lock, kept: AtomicBool::new(false), _lock: lock })
    }

    /// Called once a batch has journaled its first change: from then on
    /// `.cachescope/` stays (journal, backups, quarantine).
    pub fn keep_state(&self) {
        self.kept.store(true, Ordering::Relaxed);
    }

    pub fn state_dir(&self) -> PathBuf {
        self.dump.state_dir()
    }

    pub fn quarantine_dir(&self, batch: i64) -> PathBuf {
        self.state_dir().join("quarantine").join(batch.to_string())
    }

    /// Opens the live database for writing, never creating it. A `-wal` with
    /// commits SQLite cannot read is refused: opening would end in a
    /// checkpoint that deletes them.
    ///
    /// The connection does not checkpoint a `-wal` when it closes: a run
    /// refused after opening (an audit table of another shape, nothing to
    /// undo) then leaves the database and its `-wal` byte for byte as they
    /// were. Only a committed batch checkpoints ([`allow_checkpoint`]).
    pub fn open_rw(&self) -> Result<Connection> {
        let db = &self.dump.db;
        refuse_damaged_wal(db)?;
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(db, flags).map_err(|e| Error::sqlite_at("open", db, &e))?;
        conn.busy_timeout(busy_timeout()).map_err(|e| Error::sqlite_at("open", db, &e))?;
        conn.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true)
            .map_err(|e| Error::sqlite_at("open", db, &e))?;
        Ok(conn)
    }
}

/// Lets `conn` checkpoint the `-wal` into the database as it closes, as
/// SQLite does by default: for a batch that has committed.
pub fn allow_checkpoint(conn: &Connection) {
    let _ = conn.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, false);
}

impl Drop for Session {
    /// Removes what this session created when nothing was changed through it
    /// (still under the lock, so no other cachescope is using it).
    fn drop(&mut self) {
        if self.kept.load(Ordering::Relaxed) {
            return;
        }
        let state = self.state_dir();
        if self.made_state_dir {
            let _ = std::fs::remove_dir_all(&state);
        } else if self.made_lock {
            let _ = std::fs::remove_file(state.join("lock"));
        }
    }
}

/// Refuses a `-wal` that SQLite would not read whole (see `wal.rs`).
fn refuse_damaged_wal(db: &Path) -> Result<()> {
    let path = sidecar(db, "-wal");
    match wal::read(&path).map_err(|e| Error::io_at("read", &path, &e))? {
        WalState::Absent | WalState::Whole => Ok(()),
        WalState::Damaged(u) => Err(Error::bad_input(format!(
            "the write-ahead log {} has {} frames ({} commits) after a damaged frame that SQLite cannot read; writing would destroy them, so nothing was changed: pull the database and its -wal from the device again",
            escaped(&path),
            u.frames,
            u.commits
        ))),
        WalState::Unusable(why) => Err(Error::bad_input(format!(
            "the write-ahead log {} cannot be read ({why}); writing would destroy it, so nothing was changed: pull the database and its -wal from the device again",
            escaped(&path)
        ))),
    }
}
