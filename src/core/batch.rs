//! The protocol every writing batch (apply, undo) follows, in this order:
//!
//! 1. hold `.cachescope/lock` (a [`Session`]) and recover any earlier batch
//!    (ours from its journal, SQLite's from a hot rollback journal);
//! 2. refuse a `-wal` holding commits SQLite cannot read (a checkpoint would
//!    destroy them); copy the raw database, `-wal` and `-shm` bytes, then open
//!    the database read-write *without* CREATE and back it up with the SQLite
//!    backup API, fsync, `integrity_check`;
//! 3. `BEGIN EXCLUSIVE` with a bounded busy timeout (the app holding the
//!    database, even only reading it → a clear error, nothing done), and the
//!    first write (the audit table), which proves the database can be written;
//! 4. only then create the journal and record the batch id, before any change;
//! 5. row changes as compare-and-swap statements, each with its audit row;
//! 6. file moves: journal the intent, no-replace rename, fsync both folders;
//! 7. COMMIT — the single decision point — then remove the journal.
//!
//! A kill before 7 leaves no audit rows for the batch: recovery moves the
//! journaled files back and SQLite discards the open transaction. A kill
//! after 7 leaves the audit rows: recovery only removes the journal.

use std::fs::File;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, params};

use super::audit::{AUDIT_DDL, EventType, next_batch_id, unusable};
use super::dbfiles::sidecar;
use super::error::{Error, ErrorKind, Result, is_busy, sqlite_message};
use super::failpoint::failpoint;
use super::fmt::{escaped, size};
use super::fsops::{create_dirs, device, free_bytes, rename_noreplace, sync_dir};
use super::journal::{self, Entry, path_hex};
use super::recover::move_back;
pub use super::session::{Session, busy_timeout, locked_by_another, needs_recovery, now_ms, writing_session};

/// One running batch: an open write transaction, its journal, its moves.
pub struct Batch<'s> {
    pub session: &'s Session,
    pub conn: Connection,
    pub id: i64,
    pub backup: PathBuf,
    journal: journal::Writer,
    moved: Vec<(PathBuf, PathBuf)>,
    /// Where each audit row's details are encoded: one buffer for the
    /// batch, not a growing string per row.
    details: std::cell::RefCell<Vec<u8>>,
}

impl<'s> Batch<'s> {
    /// Steps 2–4 of the protocol. Nothing is journaled before the database
    /// is open, locked and proven writable, so a refusal leaves nothing to
    /// recover.
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
        let sql = |e: rusqlite::Error| if is_busy(&e) { locked() } else { write_error(db, &e) };
        let backups = state.join("backups");
        let made_backups = !backups.exists();
        let raw = raw_copy(session)?;
        // A refusal before the first change leaves nothing of this run behind.
        let cleanup = |paths: &[&Path]| {
            for p in paths {
                let _ = if p.is_dir() { std::fs::remove_dir_all(p) } else { std::fs::remove_file(p) };
            }
            if made_backups {
                let _ = std::fs::remove_dir(&backups);
            }
        };
        // The app's own audit table may lack our columns: refuse before the
        // first write, not with a raw SQL error half-way. Our lock file keeps
        // other cachescopes out, so the id cannot be taken before the
        // transaction starts.
        let id = match unusable(&conn, db) {
            Ok(None) => next_batch_id(&conn).map_err(sql),
            Ok(Some(why)) => Err(why),
            Err(e) => Err(sql(e)),
        };
        let id = match id {
            Ok(id) => id,
            Err(e) => {
                cleanup(&[&raw]);
                return Err(e);
            }
        };
        let (backup, raw) = match backup(session, &conn, id, &raw) {
            Ok(b) => b,
            Err(e) => {
                cleanup(&[&raw]);
                return Err(e);
            }
        };
        // EXCLUSIVE: in rollback-journal mode this also waits out the app's
        // readers, so nothing can block the COMMIT once files have moved.
        // The audit table is the first write: it proves the database (and
        // the folder its journal goes in) can be written.
        if let Err(e) = conn.execute_batch("BEGIN EXCLUSIVE").and_then(|()| conn.execute_batch(AUDIT_DDL)) {
            let _ = conn.execute_batch("ROLLBACK");
            cleanup(&[&backup, &raw]);
            return Err(sql(e));
        }
        failpoint("batch.after_backup");
        let started = journal::Writer::create(&state).and_then(|mut j| {
            j.append(&Entry::Begin { batch: id, op: op.to_string(), started_ms: now_ms() })?;
            Ok(j)
        });
        let journal = match started {
            Ok(j) => {
                session.keep_state();
                j
            }
            Err(e) => {
                let _ = conn.execute_batch("ROLLBACK");
                let _ = journal::remove(&state);
                cleanup(&[&backup, &raw]);
                return Err(Error::io_at("write", &journal::path(&state), &e));
            }
        };
        failpoint("batch.after_journal");
        let details = std::cell::RefCell::new(Vec::with_capacity(1024));
        Ok(Batch { session, conn, id, backup, journal, moved: Vec::new(), details })
    }

    /// Adds one audit row to the open transaction.
    pub fn audit(&self, event: EventType, key: Option<&str>, details: &impl serde::Serialize) -> Result<()> {
        let mut buf = self.details.borrow_mut();
        buf.clear();
        serde_json::to_writer(&mut *buf, details)
            .map_err(|e| Error::io(format!("could not encode an audit row: {e}")))?;
        // serde_json writes UTF-8 only.
        let details =
            std::str::from_utf8(&buf).map_err(|e| Error::io(format!("could not encode an audit row: {e}")))?;
        let run = self
            .conn
            .prepare_cached(
                "INSERT INTO cache_audit (event_type, details, affected_cache_key, timestamp, reconciliation_batch_id) VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .and_then(|mut stmt| stmt.execute(params![event.as_str(), details, key, now_ms(), self.id]));
        match run {
            Ok(_) => Ok(()),
            Err(e) if self.conn.is_autocommit() => Err(self.rolled_back(&e)),
            Err(e) => Err(write_error(&self.session.dump.db, &e)),
        }
    }

    /// The error for a statement after which SQLite rolled back the whole
    /// transaction (a trigger's `RAISE(ROLLBACK)`, `ON CONFLICT ROLLBACK`, a
    /// full disk): the real cause, not a missing savepoint.
    pub fn rolled_back(&self, e: &rusqlite::Error) -> Error {
        Error::new(
            ErrorKind::Io,
            format!(
                "the database {} rolled back the whole batch ({}); nothing was changed",
                escaped(&self.session.dump.db),
                sqlite_message(e)
            ),
        )
    }

    /// Step 6 for a group of files: journal every intent (one fsync), rename
    /// each without replacing, then fsync every touched folder once.
    /// Per pair: `Ok` when moved, else why it stays (the target exists, the
    /// file is gone, the rename was refused): that file alone is skipped.
    pub fn move_files(&mut self, pairs: &[(PathBuf, PathBuf)]) -> Result<Vec<std::result::Result<(), NotMoved>>> {
        let mut out: Vec<std::result::Result<(), NotMoved>> = Vec::with_capacity(pairs.len());
        let mut made = std::collections::HashSet::new();
        for (from, to) in pairs {
            if let Some(parent) = to.parent()
                && made.insert(parent.to_path_buf())
            {
                create_dirs(parent).map_err(|e| Error::io_at("create", parent, &e))?;
            }
            if to.symlink_metadata().is_ok() {
                out.push(Err(NotMoved::Changed(format!("a file already exists at {}", escaped(to)))));
                continue;
            }
            self.journal
                .add(&Entry::Move { from: path_hex(from), to: path_hex(to) })
                .map_err(|e| Error::io_at("write", self.journal.path(), &e))?;
            out.push(Ok(()));
        }
        self.journal.sync().map_err(|e| Error::io_at("sync", self.journal.path(), &e))?;
        let mut dirs = std::collections::BTreeSet::new();
        for ((from, to), result) in pairs.iter().zip(out.iter_mut()) {
            if result.is_err() {
                continue;
            }
            failpoint("batch.before_move");
            if let Err(e) = rename_noreplace(from, to) {
                *result = Err(match e.kind() {
                    std::io::ErrorKind::AlreadyExists => {
                        NotMoved::Changed(format!("a file already exists at {}", escaped(to)))
                    }
                    std::io::ErrorKind::NotFound => NotMoved::Changed(format!("{} is gone", escaped(from))),
                    _ => NotMoved::Failed(format!("could not move {}: {}", escaped(from), super::error::plain_io(&e))),
                });
                continue;
            }
            self.moved.push((from.clone(), to.clone()));
            dirs.extend([from.parent(), to.parent()].into_iter().flatten().map(Path::to_path_buf));
            failpoint("batch.after_move");
        }
        for dir in dirs {
            sync_dir(&dir).map_err(|e| Error::io_at("sync", &dir, &e))?;
        }
        Ok(out)
    }

    /// Step 7: commit, then clear the journal. A COMMIT that fails rolls the
    /// whole batch back, files included.
    pub fn commit(self) -> Result<()> {
        failpoint("batch.before_commit");
        let db = self.session.dump.db.clone();
        if let Err(e) = self.conn.execute_batch("COMMIT") {
            let why = write_error(&db, &e);
            self.abort()?;
            return Err(Error::new(why.kind, format!("{why}; the batch was rolled back, nothing was changed")));
        }
        failpoint("batch.after_commit");
        super::session::allow_checkpoint(&self.conn);
        let state = self.session.state_dir();
        journal::remove(&state).map_err(|e| Error::io_at("remove", &journal::path(&state), &e))
    }

    /// Undoes a batch that failed part-way: files back, transaction discarded.
    /// When SQLite could not roll back itself (its journal stays hot), our
    /// journal stays too, so the next start of cachescope finishes the job.
    pub fn abort(self) -> Result<()> {
        let (_, stuck) = move_back(&self.moved);
        if !self.conn.is_autocommit() {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
        let root = escaped(&self.session.dump.root);
        drop(self.conn);
        // A ROLLBACK that failed (a full disk) leaves SQLite's journal hot:
        // one more try through a fresh connection, which rolls it back.
        let db = &self.session.dump.db;
        if super::dbfiles::has_journal(db) {
            if let Ok(conn) = self.session.open_rw() {
                let _ = conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0));
            }
            if super::dbfiles::has_journal(db) {
                return Err(Error::io(format!(
                    "the batch failed and SQLite could not yet roll back its half-written changes to {} (its journal stays beside it); free some space on that disk and run `cachescope recover {root}`",
                    escaped(db)
                )));
            }
        }
        if !stuck.is_empty() {
            return Err(Error::io(format!(
                "the batch failed and {} file(s) could not be moved back ({}); run `cachescope recover {root}`",
                stuck.len(),
                stuck.join("; ")
            )));
        }
        let state = self.session.state_dir();
        journal::remove(&state).map_err(|e| Error::io_at("remove", &journal::path(&state), &e))
    }
}

/// Why one file of a group was not moved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotMoved {
    /// Its world changed since it was planned: the file is gone, or
    /// something else took its target.
    Changed(String),
    /// The move itself failed (permissions, I/O): planning again will not help.
    Failed(String),
}

/// A write SQLite refused, in one sentence; a folder the journal cannot be
/// created in is named as such.
fn write_error(db: &Path, e: &rusqlite::Error) -> Error {
    const SQLITE_READONLY_DIRECTORY: std::ffi::c_int = 8 | (6 << 8);
    let folder_refused = match e.sqlite_error() {
        Some(f) => f.code == rusqlite::ErrorCode::CannotOpen || f.extended_code == SQLITE_READONLY_DIRECTORY,
        None => false,
    };
    if e.sqlite_error_code() == Some(rusqlite::ErrorCode::ReadOnly) && !folder_refused {
        return Error::bad_input(format!(
            "cannot write the database {}: it is read-only (its permissions or its file system); nothing was changed, make it writable or copy the dump somewhere writable",
            escaped(db)
        ));
    }
    if folder_refused {
        let folder = db.parent().unwrap_or(db);
        return Error::bad_input(format!(
            "cannot write the database {}: SQLite cannot create its journal in {} (a read-only or immutable folder?); nothing was changed, make the folder writable or copy the dump somewhere writable",
            escaped(db),
            escaped(folder)
        ));
    }
    Error::sqlite_at("write", db, e)
}

/// Bytes a backup of `db` takes: the consistent copy plus the raw files.
fn backup_need(db: &Path) -> u64 {
    let len = |p: &Path| std::fs::symlink_metadata(p).map_or(0, |m| m.len());
    let (main, wal, shm) = (len(db), len(&sidecar(db, "-wal")), len(&sidecar(db, "-shm")));
    let need = 2 * (main + wal) + shm;
    need + need / 10 + (1 << 20)
}

/// The database, `-wal` and `-shm` bytes exactly as they were before this
/// batch opened them (SQLite may rewrite `-shm` and checkpoint the `-wal`).
fn raw_copy(session: &Session) -> Result<PathBuf> {
    let db = &session.dump.db;
    let dir = session.state_dir().join("backups");
    // Measured where the folder will be, before creating it: a refusal
    // creates nothing.
    let probe = dir.ancestors().find(|d| d.is_dir()).unwrap_or(&dir);
    let free = free_bytes(probe).map_err(|e| Error::io_at("check free space in", probe, &e))?;
    let need = backup_need(db);
    if free < need {
        return Err(Error::io(format!(
            "not enough free space in {} for the backup ({} needed, {} free); free some space and try again",
            escaped(&dir),
            size(need),
            size(free)
        )));
    }
    create_dirs(&dir).map_err(|e| Error::io_at("create", &dir, &e))?;
    let raw = dir.join(format!("raw-{}-{}", now_ms(), std::process::id()));
    create_dirs(&raw).map_err(|e| Error::io_at("create", &raw, &e))?;
    let name = db.file_name().unwrap_or_default();
    for suffix in ["", "-wal", "-shm"] {
        let from = sidecar(db, suffix);
        let to = sidecar(&raw.join(name), suffix);
        match std::fs::copy(&from, &to) {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                let _ = std::fs::remove_dir_all(&raw);
                return Err(Error::io_at("back up", &from, &e));
            }
        }
        let _ = File::open(&to).and_then(|f| f.sync_all());
    }
    Ok(raw)
}

/// Step 2: a consistent, synced, checked copy of the database, and the raw
/// copy renamed after the batch. Returns (backup, raw folder).
fn backup(session: &Session, conn: &Connection, batch: i64, raw: &Path) -> Result<(PathBuf, PathBuf)> {
    let db = &session.dump.db;
    let dir = session.state_dir().join("backups");
    let stamp = now_ms();
    let path = dir.join(format!("batch-{batch}-{stamp}.db"));
    let raw_named = dir.join(format!("batch-{batch}-{stamp}-raw"));
    std::fs::rename(raw, &raw_named).map_err(|e| Error::io_at("name the raw backup", raw, &e))?;
    let fail = |e: Error| {
        let _ = std::fs::remove_file(&path);
        let _ = std::fs::remove_dir_all(&raw_named);
        Err(e)
    };
    // Taken before the write transaction (the backup API cannot read through
    // a connection that is writing); nothing has been changed yet.
    if let Err(e) = conn.backup(rusqlite::MAIN_DB, &path, None) {
        return fail(Error::sqlite_at("back up", db, &e));
    }
    if let Err(e) = File::open(&path).and_then(|f| f.sync_all()).and_then(|()| sync_dir(&dir)) {
        return fail(Error::io_at("sync", &path, &e));
    }
    let check = Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .and_then(|c| c.query_row("PRAGMA integrity_check", [], |r| r.get::<_, String>(0)));
    match check {
        Ok(s) if s == "ok" => Ok((path, raw_named)),
        Ok(s) => fail(Error::io(format!(
            "the backup {} failed its integrity check ({s}); the database may be damaged, nothing was changed",
            escaped(&path)
        ))),
        Err(e) => fail(Error::sqlite_at("check the backup of", db, &e)),
    }
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

/// The three statements of one named savepoint, prepared once per batch:
/// every row change runs in its own savepoint, and looking them up in the
/// statement cache (trim, hash, re-insert) for each of 100 000 fixes cost
/// more than running them.
pub struct Savepoint<'c> {
    open: rusqlite::Statement<'c>,
    undo: rusqlite::Statement<'c>,
    release: rusqlite::Statement<'c>,
}

impl<'c> Savepoint<'c> {
    /// `name` is a fixed identifier of ours, never data.
    pub fn prepare(conn: &'c Connection, name: &str) -> rusqlite::Result<Savepoint<'c>> {
        Ok(Savepoint {
            open: conn.prepare(&format!("SAVEPOINT {name}"))?,
            undo: conn.prepare(&format!("ROLLBACK TO {name}"))?,
            release: conn.prepare(&format!("RELEASE {name}"))?,
        })
    }
    pub fn open(&mut self) -> rusqlite::Result<()> {
        self.open.execute([]).map(|_| ())
    }
    /// Ends the savepoint: its changes are kept when `keep`, undone otherwise.
    pub fn close(&mut self, keep: bool) -> rusqlite::Result<()> {
        if !keep {
            self.undo.execute([])?;
        }
        self.release.execute([]).map(|_| ())
    }
}
