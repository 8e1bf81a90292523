//! The database's files on disk, as SQLite uses them: its side files, a hot
//! rollback journal, and whether another process holds the write lock.
//! Everything here only reads.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

/// `app.db` + `-wal` → `app.db-wal`.
pub fn sidecar(db: &Path, suffix: &str) -> PathBuf {
    let mut s = db.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// The first 8 bytes of a rollback journal that still holds a transaction.
const JOURNAL_MAGIC: [u8; 8] = [0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7];

/// A rollback journal with a transaction in it. It is *hot* (a crashed
/// writer's) only when no one holds the write lock: see [`journal_state`].
pub fn has_journal(db: &Path) -> bool {
    let mut head = [0u8; 8];
    File::open(sidecar(db, "-journal")).and_then(|mut f| f.read_exact(&mut head)).is_ok() && head == JOURNAL_MAGIC
}

/// What a rollback journal beside the database means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JournalState {
    None,
    /// A writer died mid-transaction: the next writer rolls it back.
    Hot,
    /// A live process is writing right now (it holds the reserved lock).
    Live,
}

/// Tells a hot journal from a live writer the way SQLite does: a journal is
/// hot only when no process holds the database's RESERVED lock.
///
/// Call it only while this process has no connection to `db` open: closing
/// the descriptor used here would drop this process's own POSIX locks.
pub fn journal_state(db: &Path) -> JournalState {
    if !has_journal(db) {
        return JournalState::None;
    }
    if writer_holds_lock(db) { JournalState::Live } else { JournalState::Hot }
}

/// True when another process holds a write lock on SQLite's RESERVED byte
/// (or PENDING byte) of `db`: it is inside a write transaction.
pub fn writer_holds_lock(db: &Path) -> bool {
    use std::os::fd::AsRawFd;
    const PENDING_BYTE: libc::off_t = 0x4000_0000;
    let Ok(file) = File::open(db) else { return false };
    [PENDING_BYTE, PENDING_BYTE + 1].into_iter().any(|start| {
        // SAFETY: a zeroed flock is a valid value, and F_GETLK only fills it in.
        let mut fl: libc::flock = unsafe { std::mem::zeroed() };
        fl.l_type = libc::F_WRLCK as libc::c_short;
        fl.l_whence = libc::SEEK_SET as libc::c_short;
        fl.l_start = start;
        fl.l_len = 1;
        // SAFETY: a valid descriptor and a pointer to a live flock.
        let rc = unsafe { libc::fcntl(file.as_raw_fd(), libc::F_GETLK, &mut fl) };
        rc == 0 && fl.l_type != libc::F_UNLCK as libc::c_short
    })
}
