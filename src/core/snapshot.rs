//! A private copy of the database files, so reading never writes to the dump.
//!
//! Opening the original read-only still creates `-shm`, and `immutable=1`
//! misses rows committed only in the `-wal`. Copying the database and its
//! `-wal` into a temp dir and opening the copy sees everything and touches
//! nothing.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};
use tempfile::TempDir;

use super::error::{Error, Result};
use super::fmt::escaped;

/// The first 8 bytes of a rollback journal that still holds a transaction.
const JOURNAL_MAGIC: [u8; 8] = [0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7];

/// A read-only view of the database through a private copy.
pub struct Snapshot {
    conn: Connection,
    _dir: TempDir,
}

fn sidecar(db: &Path, suffix: &str) -> PathBuf {
    let mut s = db.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// True when the database has a rollback journal that a crashed writer left.
pub fn hot_journal(db: &Path) -> bool {
    let mut head = [0u8; 8];
    File::open(sidecar(db, "-journal")).and_then(|mut f| f.read_exact(&mut head)).is_ok() && head == JOURNAL_MAGIC
}

impl Snapshot {
    /// Copies `db` (and its `-wal`) into a fresh temp dir and opens the copy.
    pub fn copy_of(db: &Path) -> Result<Snapshot> {
        Self::copy(db, false)
    }

    /// Like [`Snapshot::copy_of`], but a hot rollback journal is copied too,
    /// so SQLite rolls back the *copy*: the state recovery will produce when
    /// an interrupted cachescope batch left that journal.
    pub fn copy_rolled_back(db: &Path) -> Result<Snapshot> {
        Self::copy(db, true)
    }

    fn copy(db: &Path, roll_back: bool) -> Result<Snapshot> {
        if hot_journal(db) && !roll_back {
            return Err(Error::bad_input(format!(
                "the database {} has a hot rollback journal ({}-journal) from an interrupted write; open it once with the app (or sqlite3) to roll it back, then inspect again",
                escaped(db),
                escaped(Path::new(db.file_name().unwrap_or_default()))
            )));
        }
        let dir = super::tempdirs::make("cachescope-read-")
            .map_err(|e| Error::io(format!("could not create a temp folder for reading the database: {e}")))?;
        let copy = dir.path().join("snapshot.db");
        std::fs::copy(db, &copy).map_err(|e| Error::io_at("copy", db, &e))?;
        let wal = sidecar(db, "-wal");
        let journal = sidecar(db, "-journal");
        let mut sidecars = vec![(&wal, "-wal")];
        if roll_back && hot_journal(db) {
            sidecars.push((&journal, "-journal"));
        }
        for (from, suffix) in sidecars {
            match std::fs::copy(from, sidecar(&copy, suffix)) {
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(Error::io_at("copy", from, &e)),
            }
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&copy, flags).map_err(|e| Error::sqlite_at("open", db, &e))?;
        conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0))
            .map_err(|e| corrupt(db, &e))?;
        check_wal(&conn, db, &wal)?;
        Ok(Snapshot { conn, _dir: dir })
    }

    pub fn conn(&self) -> &Connection {
        &self.conn
    }
}

/// Rejects a `-wal` that SQLite would silently ignore as a whole: a header
/// that is not a WAL header, or whole frames of which none is usable. (A torn
/// last frame after a crash is normal and not reported.)
fn check_wal(conn: &Connection, db: &Path, wal: &Path) -> Result<()> {
    let Ok(meta) = std::fs::metadata(wal) else { return Ok(()) };
    if meta.len() == 0 {
        return Ok(());
    }
    let bad = |why: &str| {
        Err(Error::bad_input(format!(
            "the write-ahead log {} is damaged ({why}), so the newest rows of {} cannot be read; pull the database from the device again",
            escaped(wal),
            escaped(db)
        )))
    };
    let mut head = [0u8; 32];
    if File::open(wal).and_then(|mut f| f.read_exact(&mut head)).is_err() {
        return bad("shorter than its header");
    }
    let magic = u32::from_be_bytes([head[0], head[1], head[2], head[3]]);
    if magic != 0x377f_0682 && magic != 0x377f_0683 {
        return bad("not a SQLite WAL header");
    }
    let page = u64::from(u32::from_be_bytes([head[8], head[9], head[10], head[11]]));
    let frames_in_file = meta.len().saturating_sub(32) / (page + 24).max(1);
    let usable: i64 = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| r.get(1)).unwrap_or(0);
    if frames_in_file > 0 && usable <= 0 {
        return bad("none of its frames passes its checksum");
    }
    Ok(())
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
