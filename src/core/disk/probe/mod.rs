//! Container probes: decide whether a WAV or M4A file is whole by reading only
//! the few header bytes that say so (SPEC §3), never the audio itself.

use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;

use crate::core::model::Encoding;

mod bmff;
mod fragments;
mod m4a;
mod tables;
mod wav;

pub use m4a::{M4aFacts, m4a_facts, probe_m4a};
pub use wav::probe_wav;

/// Positional reads of a file of known length; implemented for files and for
/// byte slices so the probes can be property-tested on arbitrary bytes.
pub trait ReadAt {
    fn size(&self) -> u64;
    /// Reads up to `buf.len()` bytes at `offset`; returns how many were read.
    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize>;

    /// Reads exactly `buf.len()` bytes, or reports that the file ends first.
    fn read_exact_at(&self, buf: &mut [u8], offset: u64) -> io::Result<bool> {
        let mut done = 0;
        while done < buf.len() {
            let n = self.read_at(&mut buf[done..], offset + done as u64)?;
            if n == 0 {
                return Ok(false);
            }
            done += n;
        }
        Ok(true)
    }
}

/// A file with its length taken once, from the stat the scan already did.
/// The first page is read with one `pread` and serves every header inside
/// it (the kernel reads a whole page anyway); reads past it go to the file.
pub struct SizedFile<'a> {
    file: &'a File,
    len: u64,
    /// The first page's start, once read (on the stack: a million files
    /// cost no allocation each), and how much of it the file has.
    head: std::cell::RefCell<[u8; HEAD]>,
    head_len: std::cell::Cell<Option<usize>>,
}

/// Set once a kernel or file system refused `RWF_NOWAIT` itself: later
/// heads are read without asking.
#[cfg(any(target_os = "linux", target_os = "android"))]
static NOWAIT_REFUSED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// How much of a file's start one read fetches for the probes.
const HEAD: usize = 512;

impl<'a> SizedFile<'a> {
    pub fn new(file: &'a File, len: u64) -> SizedFile<'a> {
        SizedFile { file, len, head: std::cell::RefCell::new([0; HEAD]), head_len: std::cell::Cell::new(None) }
    }

    /// Reads the first page's start if the page cache holds it, without
    /// waiting on the disk (`preadv2` with `RWF_NOWAIT`): `Some(false)` when
    /// the read would have waited, `Some(true)` when it did not, `None` where
    /// the kernel cannot say. A read that does not happen here happens at
    /// the probe's first read, as without this.
    pub fn head_cached(&self) -> Option<bool> {
        let want = HEAD.min(self.len as usize);
        if want == 0 || self.head_len.get().is_some() {
            return Some(true);
        }
        #[cfg(any(target_os = "linux", target_os = "android"))]
        {
            use std::sync::atomic::Ordering::Relaxed;
            if NOWAIT_REFUSED.load(Relaxed) {
                return None;
            }
            let mut head = self.head.borrow_mut();
            let bufs = &mut [io::IoSliceMut::new(&mut head[..want])];
            match rustix::io::preadv2(self.file, bufs, 0, rustix::io::ReadWriteFlags::NOWAIT) {
                Ok(n) if n == want => {
                    self.head_len.set(Some(n));
                    Some(true)
                }
                Ok(_) => None, // short: the file shrank, or only part is cached
                Err(rustix::io::Errno::AGAIN) => Some(false),
                Err(rustix::io::Errno::OPNOTSUPP | rustix::io::Errno::INVAL | rustix::io::Errno::NOSYS) => {
                    // A kernel or file system without RWF_NOWAIT: ask no more.
                    NOWAIT_REFUSED.store(true, Relaxed);
                    None
                }
                Err(_) => None, // the probe's own read meets it and reports it
            }
        }
        #[cfg(not(any(target_os = "linux", target_os = "android")))]
        None
    }
}

impl ReadAt for SizedFile<'_> {
    fn size(&self) -> u64 {
        self.len
    }
    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        let end = offset.saturating_add(buf.len() as u64);
        if end <= HEAD as u64 {
            let mut head = self.head.borrow_mut();
            let n = match self.head_len.get() {
                Some(n) => n,
                None => {
                    let n = self.file.read_at_full(&mut head[..HEAD.min(self.len as usize)])?;
                    self.head_len.set(Some(n));
                    n
                }
            };
            return (&head[..n]).read_at(buf, offset);
        }
        FileExt::read_at(self.file, buf, offset)
    }
}

trait ReadFull {
    fn read_at_full(self, buf: &mut [u8]) -> io::Result<usize>;
}

impl ReadFull for &File {
    /// Fills `buf` from offset 0 as far as the file goes.
    fn read_at_full(self, buf: &mut [u8]) -> io::Result<usize> {
        let mut done = 0;
        while done < buf.len() {
            match FileExt::read_at(self, &mut buf[done..], done as u64) {
                Ok(0) => break,
                Ok(n) => done += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(done)
    }
}

impl ReadAt for &[u8] {
    fn size(&self) -> u64 {
        <[u8]>::len(self) as u64
    }
    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        let start = offset.min(<[u8]>::len(self) as u64) as usize;
        let n = buf.len().min(<[u8]>::len(self) - start);
        buf[..n].copy_from_slice(&self[start..start + n]);
        Ok(n)
    }
}

pub use crate::core::model::Probe;

/// Probes a file as the container its extension names.
pub fn probe(encoding: Encoding, r: &impl ReadAt) -> io::Result<Probe> {
    if r.size() == 0 {
        return Ok(Probe::incomplete("file is empty (0 bytes)"));
    }
    match encoding {
        Encoding::Wav => probe_wav(r),
        Encoding::M4a => probe_m4a(r),
    }
}

/// Chunk and box walks inside one container stop after this many entries:
/// real files have a handful, hostile ones must not loop for long.
const MAX_ENTRIES: usize = 4096;

fn le16(b: &[u8]) -> u16 {
    u16::from_le_bytes([b[0], b[1]])
}
fn le32(b: &[u8]) -> u32 {
    u32::from_le_bytes([b[0], b[1], b[2], b[3]])
}
fn le64(b: &[u8]) -> u64 {
    u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]])
}
fn be32(b: &[u8]) -> u32 {
    u32::from_be_bytes([b[0], b[1], b[2], b[3]])
}
fn be64(b: &[u8]) -> u64 {
    u64::from_be_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]])
}
fn fourcc(b: &[u8]) -> String {
    b.iter().map(|c| if c.is_ascii_graphic() || *c == b' ' { *c as char } else { '?' }).collect()
}

/// `units` of `1 / per_second` seconds in milliseconds, without overflow.
fn millis(units: u64, per_second: u64) -> Option<u64> {
    (per_second > 0).then(|| (u128::from(units) * 1000 / u128::from(per_second)).min(u128::from(u64::MAX)) as u64)
}

/// A byte range fetched with one read, so that a walk over the many small
/// boxes inside it (a `moov`, a `moof`) costs one read instead of dozens.
/// Reads outside the range, or a range too large to hold, go to the file.
struct Window<'a, R: ReadAt> {
    inner: &'a R,
    start: u64,
    buf: Vec<u8>,
}

/// The largest range a [`Window`] holds in memory.
const WINDOW_MAX: u64 = 1 << 20;

impl<'a, R: ReadAt> Window<'a, R> {
    fn new(inner: &'a R, start: u64, end: u64) -> io::Result<Window<'a, R>> {
        let mut buf = Vec::new();
        let len = end.saturating_sub(start);
        if len <= WINDOW_MAX {
            buf.resize(len as usize, 0);
            if !inner.read_exact_at(&mut buf, start)? {
                buf.clear();
            }
        }
        Ok(Window { inner, start, buf })
    }
}

impl<R: ReadAt> ReadAt for Window<'_, R> {
    fn size(&self) -> u64 {
        self.inner.size()
    }
    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        let held = self.start..self.start + self.buf.len() as u64;
        if held.contains(&offset) && offset + buf.len() as u64 <= held.end {
            let at = (offset - self.start) as usize;
            buf.copy_from_slice(&self.buf[at..at + buf.len()]);
            return Ok(buf.len());
        }
        self.inner.read_at(buf, offset)
    }
}

#[cfg(test)]
mod tests;
