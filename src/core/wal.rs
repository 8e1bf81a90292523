//! Reading a `-wal` file's frames the way SQLite does, to notice commits it
//! will never replay: SQLite reads a write-ahead log only up to its first
//! frame that fails its checksum, and silently ignores everything after.
//! Frames after that point that still carry the log's current salt were
//! written in this log's life; if one of them commits a transaction, rows the
//! app committed are invisible, and a checkpoint would destroy them.

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;

/// What the log holds beyond what SQLite can read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unread {
    /// Frames after the readable prefix that carry the current salt.
    pub frames: u64,
    /// Of those, commit frames (each the end of a transaction).
    pub commits: u64,
    /// Frames SQLite does read (up to its last valid commit).
    pub readable: u64,
}

/// How a log reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WalState {
    /// No log, or an empty one.
    Absent,
    /// Everything committed in it is readable (a torn tail after a crash is normal).
    Whole,
    /// Commits SQLite cannot read: data would be lost by a checkpoint.
    Damaged(Unread),
    /// Not a WAL at all, or a header that fails its checksum.
    Unusable(&'static str),
}

const HEADER: usize = 32;
const FRAME_HEADER: usize = 24;

/// SQLite's WAL checksum over `data` (a multiple of 8 bytes), continuing `s`.
fn checksum(big_endian: bool, data: &[u8], mut s: (u32, u32)) -> (u32, u32) {
    let word = |b: &[u8]| {
        let a = [b[0], b[1], b[2], b[3]];
        if big_endian { u32::from_be_bytes(a) } else { u32::from_le_bytes(a) }
    };
    for pair in data.chunks_exact(8) {
        s.0 = s.0.wrapping_add(word(&pair[0..4])).wrapping_add(s.1);
        s.1 = s.1.wrapping_add(word(&pair[4..8])).wrapping_add(s.0);
    }
    s
}

fn be32(b: &[u8]) -> u32 {
    u32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

/// Reads `wal` frame by frame (one pass, one page in memory).
pub fn read(wal: &Path) -> io::Result<WalState> {
    let file = match File::open(wal) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(WalState::Absent),
        Err(e) => return Err(e),
    };
    let len = file.metadata()?.len();
    if len == 0 {
        return Ok(WalState::Absent);
    }
    let mut r = BufReader::with_capacity(1 << 16, file);
    let mut head = [0u8; HEADER];
    if r.read_exact(&mut head).is_err() {
        return Ok(WalState::Unusable("shorter than its header"));
    }
    let magic = be32(&head[0..4]);
    if magic != 0x377f_0682 && magic != 0x377f_0683 {
        return Ok(WalState::Unusable("not a SQLite WAL header"));
    }
    let big = magic & 1 == 1;
    let page = be32(&head[8..12]) as usize;
    if !(512..=65536).contains(&page) || !page.is_power_of_two() {
        return Ok(WalState::Unusable("its header names an impossible page size"));
    }
    let salt = (be32(&head[16..20]), be32(&head[20..24]));
    let mut sum = checksum(big, &head[..24], (0, 0));
    if sum != (be32(&head[24..28]), be32(&head[28..32])) {
        let frames = (len - HEADER as u64) / (page + FRAME_HEADER) as u64;
        return Ok(if frames == 0 {
            WalState::Whole
        } else {
            WalState::Unusable("its header fails its checksum, so none of its frames can be read")
        });
    }
    let mut frame = vec![0u8; FRAME_HEADER + page];
    let (mut valid, mut readable) = (true, 0u64);
    let (mut index, mut unread) = (0u64, Unread { frames: 0, commits: 0, readable: 0 });
    // Commits strictly after the first bad frame: a torn last frame (a crash
    // mid-write) has none after it, and is not damage.
    let mut later_commits = 0u64;
    // The very first frame was written in this log's life and fails: nothing
    // of the log can be read.
    let mut first_bad_is_current = false;
    while r.read_exact(&mut frame).is_ok() {
        index += 1;
        let same_salt = (be32(&frame[8..12]), be32(&frame[12..16])) == salt;
        let commit = be32(&frame[4..8]) != 0;
        if valid {
            let next = checksum(big, &frame[FRAME_HEADER..], checksum(big, &frame[..8], sum));
            if same_salt && next == (be32(&frame[16..20]), be32(&frame[20..24])) {
                sum = next;
                if commit {
                    readable = index;
                }
                continue;
            }
            valid = false;
            first_bad_is_current = index == 1 && same_salt;
            if same_salt {
                unread.frames += 1;
                unread.commits += u64::from(commit);
            }
            continue;
        }
        if same_salt {
            unread.frames += 1;
            unread.commits += u64::from(commit);
            later_commits += u64::from(commit);
        }
    }
    unread.readable = readable;
    if readable == 0 && first_bad_is_current {
        return Ok(WalState::Unusable("none of its frames passes its checksum"));
    }
    Ok(if later_commits > 0 { WalState::Damaged(unread) } else { WalState::Whole })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A WAL of `pages` single-page commits with a real SQLite.
    fn make(dir: &Path, commits: usize) -> std::path::PathBuf {
        let db = dir.join("w.db");
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute_batch("PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0; CREATE TABLE t(x);").unwrap();
        for i in 0..commits {
            conn.execute("INSERT INTO t VALUES (?1)", [i as i64]).unwrap();
        }
        let wal = dir.join("w.db-wal");
        let copy = dir.join("copy-wal");
        std::fs::copy(&wal, &copy).unwrap();
        drop(conn);
        copy
    }

    #[test]
    fn a_whole_log_reads_whole_and_a_damaged_middle_frame_hides_later_commits() {
        let dir = tempfile::tempdir().unwrap();
        let wal = make(dir.path(), 6);
        assert_eq!(read(&wal).unwrap(), WalState::Whole);
        let mut bytes = std::fs::read(&wal).unwrap();
        let page = be32(&bytes[8..12]) as usize;
        // Flip a byte in the page data of the third frame.
        let at = HEADER + 2 * (FRAME_HEADER + page) + FRAME_HEADER + 100;
        bytes[at] ^= 0xff;
        std::fs::write(&wal, &bytes).unwrap();
        match read(&wal).unwrap() {
            WalState::Damaged(u) => {
                assert!(u.commits >= 3, "{u:?}");
                assert!(u.frames >= u.commits);
            }
            other => panic!("{other:?}"),
        }
        // A torn tail (the last frame cut short) is what a crash leaves: not damage.
        let whole = std::fs::read(make(tempfile::tempdir().unwrap().path(), 3)).unwrap();
        std::fs::write(&wal, &whole[..whole.len() - 10]).unwrap();
        assert_eq!(read(&wal).unwrap(), WalState::Whole);
    }
}
