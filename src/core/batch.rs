//! The protocol every writing batch (apply, undo) follows, in this order:
//!
//! 1. hold `.cachescope/lock` (a [`Session`]) and recover any earlier batch;
//! 2. open the database read-write *without* CREATE and back it up with the
//!    SQLite backup API, fsync, `integrity_check`;
//! 3. `BEGIN EXCLUSIVE` with a bounded busy timeout (the app holding the
//!    database, even only reading it → a clear error, nothing done);
//! 4. create the journal and record the batch id, before any change;
//! 5. row changes as compare-and-swap statements, each with its audit row;
//! 6. file moves: journal the intent, no-replace rename, fsync both folders;
//! 7. COMMIT — the single decision point — then remove the journal.
//!
//! A kill before 7 leaves no audit rows for the batch: recovery moves the
//! journaled files back and SQLite discards the open transaction. A kill
//! after 7 leaves the audit rows: recovery only removes the journal.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, OpenFlags, OptionalExtension, params};

use super::dump::Dump;
use super::error::{Error, ErrorKind, Result, is_busy};
use super::failpoint::failpoint;
use super::fmt::escaped;
use super::fsops::{create_dirs, device, free_bytes, rename_noreplace, sync_dir};
use super::journal::{self, Entry, path_hex};

/// How long a write waits for the app to release the database.
pub fn busy_timeout() -> Duration {
    std::env::var("CACHESCOPE_BUSY_TIMEOUT_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map(Duration::from_millis)
        .unwrap_or(Duration::from_secs(5))
}

pub const AUDIT_DDL: &str = "CREATE TABLE IF NOT EXISTS cache_audit (
  id                      INTEGER PRIMARY KEY,
  event_type              TEXT NOT NULL,
  details                 TEXT,
  affected_cache_key      TEXT,
  timestamp               INTEGER NOT NULL,
  reconciliation_batch_id INTEGER
)";

pub fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

/// Exclusive use of a dump for writing: the kernel frees the lock on kill.
pub struct Session {
    pub dump: Dump,
    _lock: File,
}

impl Session {
    /// Takes `.cachescope/lock`; a second writer fails fast.
    pub fn begin(dump: &Dump) -> Result<Session> {
        let state = dump.state_dir();
        create_dirs(&state).map_err(|e| Error::io_at("create", &state, &e))?;
        let path = state.join("lock");
        let lock = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| Error::io_at("open", &path, &e))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
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
        Ok(Session { dump: dump.clone(), _lock: lock })
    }

    pub fn state_dir(&self) -> PathBuf {
        self.dump.state_dir()
    }

    pub fn quarantine_dir(&self, batch: i64) -> PathBuf {
        self.state_dir().join("quarantine").join(batch.to_string())
    }

    /// Opens the live database for writing, never creating it.
    pub fn open_rw(&self) -> Result<Connection> {
        let db = &self.dump.db;
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(db, flags).map_err(|e| Error::sqlite_at("open", db, &e))?;
        conn.busy_timeout(busy_timeout()).map_err(|e| Error::sqlite_at("open", db, &e))?;
        Ok(conn)
    }

    /// Finishes or rolls back an interrupted batch (SPEC §6). Returns what
    /// was done, or None when nothing was pending.
    pub fn recover(&self) -> Result<Option<String>> {
        let state = self.state_dir();
        let pending = journal::read(&state).map_err(|e| Error::io_at("read", &journal::path(&state), &e))?;
        let Some(pending) = pending else { return Ok(None) };
        let conn = self.open_rw()?;
        // Opening read-write lets SQLite roll back a half-written transaction.
        let committed = match pending.batch {
            Some((batch, _)) => {
                batch_committed(&conn, batch).map_err(|e| Error::sqlite_at("read", &self.dump.db, &e))?
            }
            None => false,
        };
        let what = pending.batch.as_ref().map_or("an unstarted batch".to_string(), |(b, op)| format!("{op} batch {b}"));
        let message = if committed {
            format!("{what} had committed; its journal was cleared")
        } else {
            let (back, stuck) = move_back(&pending.moves);
            failpoint("recover.after_move_back");
            if !stuck.is_empty() {
                return Err(Error::io(format!(
                    "could not move {} quarantined file(s) of {what} back ({}); the journal is kept, fix the paths and run `cachescope recover` again",
                    stuck.len(),
                    stuck.join("; ")
                )));
            }
            format!("{what} had not committed; it was rolled back ({back} file(s) moved back)")
        };
        journal::remove(&state).map_err(|e| Error::io_at("remove", &journal::path(&state), &e))?;
        Ok(Some(message))
    }
}

/// True when the batch's audit rows are in the database.
pub fn batch_committed(conn: &Connection, batch: i64) -> rusqlite::Result<bool> {
    let has_table: bool = conn.query_row(
        "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'cache_audit'",
        [],
        |r| r.get(0),
    )?;
    if !has_table {
        return Ok(false);
    }
    conn.query_row("SELECT 1 FROM cache_audit WHERE reconciliation_batch_id = ?1 LIMIT 1", [batch], |_| Ok(()))
        .optional()
        .map(|r| r.is_some())
}

/// Moves journaled files back, newest first: returns (moved back, stuck).
fn move_back(moves: &[(PathBuf, PathBuf)]) -> (usize, Vec<String>) {
    let mut back = 0;
    let mut stuck = Vec::new();
    for (from, to) in moves.iter().rev() {
        let at_dest = to.symlink_metadata().is_ok();
        let at_src = from.symlink_metadata().is_ok();
        match (at_src, at_dest) {
            (false, true) => match rename_noreplace(to, from) {
                Ok(()) => {
                    back += 1;
                    let _ = from.parent().map(sync_dir);
                    let _ = to.parent().map(sync_dir);
                }
                Err(e) => stuck.push(format!("{}: {e}", escaped(to))),
            },
            (true, true) => stuck.push(format!("{} and {} both exist", escaped(from), escaped(to))),
            // Never moved (killed before the rename), or already back.
            _ => {}
        }
    }
    (back, stuck)
}

/// One running batch: an open write transaction, its journal, its moves.
pub struct Batch<'s> {
    pub session: &'s Session,
    pub conn: Connection,
    pub id: i64,
    pub backup: PathBuf,
    journal: journal::Writer,
    moved: Vec<(PathBuf, PathBuf)>,
}

impl<'s> Batch<'s> {
    /// Steps 2–4 of the protocol.
    pub fn start(session: &'s Session, op: &str) -> Result<Batch<'s>> {
        let db = &session.dump.db;
        let state = session.state_dir();
        if journal::path(&state).exists() {
            return Err(Error::new(
                ErrorKind::Interrupted,
                format!(
                    "an interrupted batch in {} must be recovered first; run `cachescope recover {}`",
                    escaped(&session.dump.root),
                    escaped(&session.dump.root)
                ),
            ));
        }
        let conn = session.open_rw()?;
        let locked = || {
            Error::new(
                ErrorKind::Locked,
                format!(
                    "the database {} stayed locked by another program for {} s (is the app still running?); close it and try again — nothing was changed",
                    escaped(db),
                    busy_timeout().as_secs_f32()
                ),
            )
        };
        let sql = |e: rusqlite::Error| if is_busy(&e) { locked() } else { Error::sqlite_at("write", db, &e) };
        // Our lock file keeps other cachescopes out, so the id cannot be taken
        // before the transaction starts.
        let id = next_batch_id(&conn).map_err(sql)?;
        let backup = backup(session, &conn, id)?;
        // EXCLUSIVE: in rollback-journal mode this also waits out the app's
        // readers, so nothing can block the COMMIT once files have moved.
        if let Err(e) = conn.execute_batch("BEGIN EXCLUSIVE") {
            let _ = std::fs::remove_file(&backup);
            return Err(sql(e));
        }
        failpoint("batch.after_backup");
        let mut journal =
            journal::Writer::create(&state).map_err(|e| Error::io_at("create", &journal::path(&state), &e))?;
        journal
            .append(&Entry::Begin { batch: id, op: op.to_string(), started_ms: now_ms() })
            .map_err(|e| Error::io_at("write", journal.path(), &e))?;
        failpoint("batch.after_journal");
        conn.execute_batch(AUDIT_DDL).map_err(sql)?;
        Ok(Batch { session, conn, id, backup, journal, moved: Vec::new() })
    }

    /// Adds one audit row to the open transaction.
    pub fn audit(&self, event: &str, key: Option<&str>, details: &impl serde::Serialize) -> Result<()> {
        let details =
            serde_json::to_string(details).map_err(|e| Error::io(format!("could not encode an audit row: {e}")))?;
        self.conn
            .prepare_cached(
                "INSERT INTO cache_audit (event_type, details, affected_cache_key, timestamp, reconciliation_batch_id) VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .and_then(|mut stmt| stmt.execute(params![event, details, key, now_ms(), self.id]))
            .map(|_| ())
            .map_err(|e| Error::sqlite_at("write", &self.session.dump.db, &e))
    }

    /// Step 6 for a group of files: journal every intent (one fsync), rename
    /// each without replacing, then fsync every touched folder once.
    /// Per pair: `true` when moved, `false` when the target already exists.
    pub fn move_files(&mut self, pairs: &[(PathBuf, PathBuf)]) -> Result<Vec<bool>> {
        let mut free = Vec::with_capacity(pairs.len());
        let mut made = std::collections::HashSet::new();
        for (_, to) in pairs {
            if let Some(parent) = to.parent()
                && made.insert(parent.to_path_buf())
            {
                create_dirs(parent).map_err(|e| Error::io_at("create", parent, &e))?;
            }
            let taken = to.symlink_metadata().is_ok();
            free.push(!taken);
            if !taken {
                self.journal
                    .add(&Entry::Move { from: path_hex(&pairs[free.len() - 1].0), to: path_hex(to) })
                    .map_err(|e| Error::io_at("write", self.journal.path(), &e))?;
            }
        }
        self.journal.sync().map_err(|e| Error::io_at("sync", self.journal.path(), &e))?;
        let mut dirs = std::collections::BTreeSet::new();
        let mut moved = Vec::with_capacity(pairs.len());
        for ((from, to), free) in pairs.iter().zip(free) {
            if !free {
                moved.push(false);
                continue;
            }
            failpoint("batch.before_move");
            match rename_noreplace(from, to) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    moved.push(false);
                    continue;
                }
                Err(e) => return Err(Error::io_at("move", from, &e)),
            }
            self.moved.push((from.clone(), to.clone()));
            dirs.extend([from.parent(), to.parent()].into_iter().flatten().map(Path::to_path_buf));
            moved.push(true);
            failpoint("batch.after_move");
        }
        for dir in dirs {
            sync_dir(&dir).map_err(|e| Error::io_at("sync", &dir, &e))?;
        }
        Ok(moved)
    }

    /// Step 7: commit, then clear the journal. A COMMIT that fails rolls the
    /// whole batch back, files included.
    pub fn commit(self) -> Result<()> {
        failpoint("batch.before_commit");
        let db = self.session.dump.db.clone();
        if let Err(e) = self.conn.execute_batch("COMMIT") {
            let why = Error::sqlite_at("commit", &db, &e);
            self.abort()?;
            return Err(Error::new(why.kind, format!("{why}; the batch was rolled back, nothing was changed")));
        }
        failpoint("batch.after_commit");
        let state = self.session.state_dir();
        journal::remove(&state).map_err(|e| Error::io_at("remove", &journal::path(&state), &e))
    }

    /// Undoes a batch that failed part-way: files back, transaction discarded.
    pub fn abort(self) -> Result<()> {
        let (_, stuck) = move_back(&self.moved);
        let _ = self.conn.execute_batch("ROLLBACK");
        if !stuck.is_empty() {
            return Err(Error::io(format!(
                "the batch failed and {} file(s) could not be moved back ({}); run `cachescope recover`",
                stuck.len(),
                stuck.join("; ")
            )));
        }
        let state = self.session.state_dir();
        journal::remove(&state).map_err(|e| Error::io_at("remove", &journal::path(&state), &e))
    }
}

fn next_batch_id(conn: &Connection) -> rusqlite::Result<i64> {
    let has: bool = conn.query_row(
        "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'cache_audit'",
        [],
        |r| r.get(0),
    )?;
    if !has {
        return Ok(1);
    }
    conn.query_row("SELECT coalesce(max(reconciliation_batch_id), 0) + 1 FROM cache_audit", [], |r| r.get(0))
}

/// Step 3: a consistent, synced, checked copy of the database.
fn backup(session: &Session, conn: &Connection, batch: i64) -> Result<PathBuf> {
    let db = &session.dump.db;
    let dir = session.state_dir().join("backups");
    create_dirs(&dir).map_err(|e| Error::io_at("create", &dir, &e))?;
    let need = db_bytes(db) + db_bytes(&sidecar(db, "-wal"));
    let free = free_bytes(&dir).map_err(|e| Error::io_at("check free space in", &dir, &e))?;
    let margin = need / 10 + (16 << 20);
    if free < need + margin {
        return Err(Error::io(format!(
            "not enough free space in {} for the backup ({} needed, {} free); free some space and try again",
            escaped(&dir),
            super::fmt::size(need + margin),
            super::fmt::size(free)
        )));
    }
    let path = dir.join(format!("batch-{batch}-{}.db", now_ms()));
    // Taken before the write transaction (the backup API cannot read through
    // a connection that is writing); nothing has been changed yet.
    conn.backup(rusqlite::MAIN_DB, &path, None).map_err(|e| Error::sqlite_at("back up", db, &e))?;
    File::open(&path).and_then(|f| f.sync_all()).map_err(|e| Error::io_at("sync", &path, &e))?;
    sync_dir(&dir).map_err(|e| Error::io_at("sync", &dir, &e))?;
    let check: String = Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .and_then(|c| c.query_row("PRAGMA integrity_check", [], |r| r.get(0)))
        .map_err(|e| Error::sqlite_at("check the backup of", db, &e))?;
    if check != "ok" {
        return Err(Error::io(format!(
            "the backup {} failed its integrity check ({check}); the database may be damaged, nothing was changed",
            escaped(&path)
        )));
    }
    Ok(path)
}

fn sidecar(db: &Path, suffix: &str) -> PathBuf {
    let mut s = db.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

fn db_bytes(p: &Path) -> u64 {
    std::fs::metadata(p).map_or(0, |m| m.len())
}

/// Files can only be quarantined by rename within one file system.
pub fn same_filesystem(session: &Session) -> Result<()> {
    let (a, b) = (&session.dump.cache_dir, session.state_dir());
    match (device(a), device(&b)) {
        (Ok(x), Ok(y)) if x == y => Ok(()),
        (Ok(_), Ok(_)) => Err(Error::bad_input(format!(
            "the cache dir {} is on another file system than {}, so files cannot be quarantined by rename; copy the dump to one disk and try again",
            escaped(a),
            escaped(&b)
        ))),
        (Err(e), _) => Err(Error::io_at("stat", a, &e)),
        (_, Err(e)) => Err(Error::io_at("stat", &b, &e)),
    }
}

/// Runs a statement without parameters through the statement cache: the
/// savepoints around each of 100 000 fixes are parsed once, not each time.
pub fn exec_cached(conn: &rusqlite::Connection, sql: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(sql)?.execute([]).map(|_| ())
}
