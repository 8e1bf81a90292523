//! Tar streams (plain, gzip, an adb backup's zlib, a phone's `tar c`) into
//! the [`SafeWriter`], one entry at a time: nothing is held in memory but
//! the current header.

use std::cell::Cell;
use std::io::{self, Read};
use std::rc::Rc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::writer::{Meta, SafeWriter};
use crate::core::error::Result;

/// The most header data (GNU long names, PAX records) one entry may carry.
/// The tar crate reads these into memory, so a bigger one is refused
/// before it can be (a 10 GB "long name" compresses to a few MB).
const EXT_LIMIT: u64 = 1 << 20;

/// How much trailing data after the end marker is read to verify a gzip
/// trailer (its CRC) without letting padding become a time bomb.
const DRAIN_LIMIT: u64 = 1 << 20;

/// A reader that fails once its byte budget runs out, and notes EOF.
struct Budgeted<R> {
    inner: R,
    left: Rc<Cell<u64>>,
    eof: Rc<Cell<bool>>,
}

const OVER_BUDGET: &str = "an extended header larger than 1 MiB";

impl<R: Read> Read for Budgeted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.left.get();
        if left == 0 && !buf.is_empty() {
            return Err(io::Error::other(OVER_BUDGET));
        }
        let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..want])?;
        if n == 0 && want > 0 {
            self.eof.set(true);
        }
        self.left.set(left - n as u64);
        Ok(n)
    }
}

/// Unpacks every entry of the tar read from `src`.
pub fn read_tar(src: impl Read, w: &mut SafeWriter) -> Result<()> {
    let left = Rc::new(Cell::new(EXT_LIMIT));
    let eof = Rc::new(Cell::new(false));
    let mut archive = tar::Archive::new(Budgeted { inner: src, left: left.clone(), eof: eof.clone() });
    let mut entries = archive.entries().map_err(|e| w.broken(&e))?;
    let mut any = false;
    for entry in &mut entries {
        let mut entry = entry.map_err(|e| {
            if e.to_string() == OVER_BUDGET {
                w.refuse_next(&format!("has {OVER_BUDGET} (a tar bomb?)"))
            } else {
                w.broken(&e)
            }
        })?;
        any = true;
        left.set(entry.size().saturating_add(512 + EXT_LIMIT));
        let name = entry.path_bytes().into_owned();
        let meta = meta_of(&mut entry);
        let kind = entry.header().entry_type();
        let link = entry.link_name_bytes().map(|l| l.into_owned());
        if kind.is_dir() || (kind.is_file() && name.ends_with(b"/")) {
            w.dir(&name, meta)?;
        } else if kind.is_file() || kind.is_contiguous() || kind.is_gnu_sparse() {
            let len = entry.size();
            w.file(&name, len, meta, &mut entry)?;
        } else if kind.is_symlink() {
            w.symlink(&name, link.as_deref().unwrap_or_default(), meta)?;
        } else if kind.is_hard_link() {
            w.hardlink(&name, link.as_deref().unwrap_or_default())?;
        } else if kind.is_pax_global_extensions() {
            io::copy(&mut entry, &mut io::sink()).map_err(|e| w.broken(&e))?;
        } else if kind.is_character_special() || kind.is_block_special() {
            return Err(w.special(&name, "a device node"));
        } else if kind.is_fifo() {
            return Err(w.special(&name, "a FIFO (named pipe)"));
        } else {
            return Err(w.special(&name, &format!("an entry of unknown type {:?}", kind.as_byte() as char)));
        }
    }
    // The tar crate takes EOF for the end; a real tar ends with a zero block.
    if eof.get() && any {
        return Err(w.broken(&io::Error::new(io::ErrorKind::UnexpectedEof, "no end-of-archive marker")));
    }
    // Read on a little so a compressed stream's trailer (its CRC) is checked.
    left.set(DRAIN_LIMIT + 1);
    let mut rest = archive.into_inner();
    match io::copy(&mut (&mut rest).take(DRAIN_LIMIT), &mut io::sink()) {
        Ok(_) => Ok(()),
        Err(e) => Err(w.broken(&e)),
    }
}

/// Mode and mtime; a PAX `mtime` keeps sub-second precision.
fn meta_of<R: Read>(entry: &mut tar::Entry<R>) -> Meta {
    let mode = entry.header().mode().ok();
    let mut mtime = entry.header().mtime().ok().map(|s| UNIX_EPOCH + Duration::from_secs(s));
    if let Ok(Some(pax)) = entry.pax_extensions() {
        for ext in pax.flatten() {
            if ext.key_bytes() == b"mtime"
                && let Some(t) = std::str::from_utf8(ext.value_bytes()).ok().and_then(pax_time)
            {
                mtime = Some(t);
            }
        }
    }
    Meta { mode, mtime }
}

/// `1700000000.123456789` (or negative) → a time.
fn pax_time(s: &str) -> Option<SystemTime> {
    let (secs, frac) = s.split_once('.').unwrap_or((s, ""));
    let secs: i64 = secs.parse().ok()?;
    let digits: String = frac.chars().take(9).collect();
    let nanos: u32 = if digits.is_empty() { 0 } else { format!("{digits:0<9}").parse().ok()? };
    if secs >= 0 {
        Some(UNIX_EPOCH + Duration::new(secs as u64, nanos))
    } else {
        UNIX_EPOCH
            .checked_sub(Duration::from_secs(secs.unsigned_abs()))?
            .checked_add(Duration::from_nanos(nanos.into()))
    }
}

/// True when `block` is a tar header with a valid checksum.
pub fn is_tar_header(block: &[u8]) -> bool {
    if block.len() < 512 || block[..512].iter().all(|&b| b == 0) {
        return false;
    }
    let field = &block[148..156];
    let text: String = field.iter().take_while(|&&b| b != 0 && b != b' ').map(|&b| b as char).collect();
    let Ok(want) = u32::from_str_radix(text.trim(), 8) else { return false };
    let sum: u32 =
        block[..512].iter().enumerate().map(|(i, &b)| if (148..156).contains(&i) { 32 } else { u32::from(b) }).sum();
    sum == want
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pax_times_keep_nanoseconds() {
        assert_eq!(pax_time("1700000000.5"), Some(UNIX_EPOCH + Duration::new(1_700_000_000, 500_000_000)));
        assert_eq!(pax_time("12"), Some(UNIX_EPOCH + Duration::from_secs(12)));
        assert_eq!(pax_time("x"), None);
    }

    #[test]
    fn recognises_a_tar_header() {
        let mut h = tar::Header::new_gnu();
        h.set_path("a").unwrap();
        h.set_size(0);
        h.set_cksum();
        assert!(is_tar_header(h.as_bytes()));
        let mut bad = *h.as_bytes();
        bad[0] = b'b';
        assert!(!is_tar_header(&bad));
        assert!(!is_tar_header(&[0u8; 512]));
    }
}
