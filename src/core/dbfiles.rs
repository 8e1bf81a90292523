//! The database's files on disk, as SQLite uses them: its side files, a hot
//! rollback journal, and whether another process holds the write lock;
//! the SQLite header, the read-only URI, how long to wait for the app, and
//! the sentences for a locked or unreadable file. Everything here only reads.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::error::{Error, ErrorKind};
use super::fmt::escaped;
use super::fsops::open_untouched;

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
    open_untouched(&sidecar(db, "-journal")).and_then(|mut f| f.read_exact(&mut head)).is_ok() && head == JOURNAL_MAGIC
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
    let Ok(file) = open_untouched(db) else { return false };
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

/// SQLite's lock bytes on unix (see its `os_unix.c`).
const PENDING_BYTE: libc::off_t = 0x4000_0000;
const SHARED_FIRST: libc::off_t = PENDING_BYTE + 2;
const SHARED_SIZE: libc::off_t = 510;

/// Runs `f` on `db` opened read-only while holding the read lock SQLite's
/// readers hold, so no writer can change the file underneath (a copy taken
/// mid-write would be torn). Waits up to `patience` for a writer to finish.
/// A lock is not a write: the file's bytes are untouched.
pub fn read_locked<T>(
    db: &Path,
    patience: std::time::Duration,
    f: impl FnOnce(&mut File) -> std::io::Result<T>,
) -> std::io::Result<T> {
    use std::os::fd::AsRawFd;
    let mut file = open_untouched(db)?;
    let fd = file.as_raw_fd();
    let lock = |kind: libc::c_int| {
        // SAFETY: a zeroed flock is a valid value.
        let mut fl: libc::flock = unsafe { std::mem::zeroed() };
        fl.l_type = kind as libc::c_short;
        fl.l_whence = libc::SEEK_SET as libc::c_short;
        fl.l_start = SHARED_FIRST;
        fl.l_len = SHARED_SIZE;
        // SAFETY: a valid descriptor and a pointer to a live flock.
        unsafe { libc::fcntl(fd, libc::F_SETLK, &fl) == 0 }
    };
    let start = std::time::Instant::now();
    while !lock(libc::F_RDLCK) {
        if start.elapsed() >= patience {
            return Err(std::io::Error::new(std::io::ErrorKind::WouldBlock, "locked by a writer"));
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let out = f(&mut file);
    lock(libc::F_UNLCK);
    out
}

/// Opens `db` read-only and takes the read lock SQLite's readers take (see
/// [`read_locked`]), waiting up to `patience` for a writer; the lock lasts
/// until the file is closed. (POSIX locks belong to the process: closing
/// any other descriptor of `db` in this process drops it too.)
pub fn hold_read_lock(db: &Path, patience: std::time::Duration) -> std::io::Result<File> {
    use std::os::fd::AsRawFd;
    let file = open_untouched(db)?;
    // SAFETY: a zeroed flock is a valid value.
    let mut fl: libc::flock = unsafe { std::mem::zeroed() };
    fl.l_type = libc::F_RDLCK as libc::c_short;
    fl.l_whence = libc::SEEK_SET as libc::c_short;
    fl.l_start = SHARED_FIRST;
    fl.l_len = SHARED_SIZE;
    let start = std::time::Instant::now();
    // SAFETY: a valid descriptor and a pointer to a live flock.
    while unsafe { libc::fcntl(file.as_raw_fd(), libc::F_SETLK, &fl) } != 0 {
        if start.elapsed() >= patience {
            return Err(std::io::Error::new(std::io::ErrorKind::WouldBlock, "locked by a writer"));
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    Ok(file)
}

/// Waits up to `patience` while another process is inside a write
/// transaction (it holds the journal live); true when it finished.
pub fn wait_for_writer(db: &Path, patience: std::time::Duration) -> bool {
    let start = std::time::Instant::now();
    while journal_state(db) == JournalState::Live {
        if start.elapsed() >= patience {
            return false;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    true
}

/// How long a write waits for the app to release the database.
pub fn busy_timeout() -> Duration {
    std::env::var("CACHESCOPE_BUSY_TIMEOUT_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map(Duration::from_millis)
        .unwrap_or(Duration::from_secs(5))
}

/// The sentence for a database another process is writing right now.
pub fn locked_by_another(db: &Path) -> Error {
    Error::new(
        ErrorKind::Locked,
        format!(
            "the database {} is locked by another process that is writing to it (is the app still running?); close it and try again",
            escaped(db)
        ),
    )
}

pub fn cannot_read(path: &Path, err: &std::io::Error) -> Error {
    Error::bad_input(format!(
        "cannot read {}: {}; fix its permissions (or run as its owner) and try again",
        escaped(path),
        super::error::plain_io(err).to_lowercase()
    ))
}

/// True when the file starts with the 16-byte SQLite header.
pub fn has_sqlite_header(path: &Path) -> bool {
    let mut head = [0u8; 16];
    open_untouched(path).and_then(|mut f| f.read_exact(&mut head)).is_ok() && &head == b"SQLite format 3\0"
}

pub fn is_sidecar(name: &[u8]) -> bool {
    name.ends_with(b"-wal") || name.ends_with(b"-shm") || name.ends_with(b"-journal")
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
