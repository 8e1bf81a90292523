//! Container probes: decide whether a WAV or M4A file is whole by reading only
//! the few header bytes that say so (SPEC §3), never the audio itself.

use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;

use super::names::Encoding;
use crate::core::fmt::group;

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
    head: std::cell::OnceCell<Vec<u8>>,
}

/// How much of a file's start one read fetches for the probes.
const HEAD: usize = 512;

impl<'a> SizedFile<'a> {
    pub fn new(file: &'a File, len: u64) -> SizedFile<'a> {
        SizedFile { file, len, head: std::cell::OnceCell::new() }
    }
}

impl ReadAt for SizedFile<'_> {
    fn size(&self) -> u64 {
        self.len
    }
    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        let end = offset.saturating_add(buf.len() as u64);
        if end <= HEAD as u64 {
            if self.head.get().is_none() {
                let mut head = vec![0u8; HEAD.min(self.len as usize)];
                let n = self.file.read_at_full(&mut head)?;
                head.truncate(n);
                let _ = self.head.set(head);
            }
            let head = self.head.get().map(Vec::as_slice).unwrap_or_default();
            return (&head).read_at(buf, offset);
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

/// The verdict on one file's container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Probe {
    Complete { duration_ms: Option<u64> },
    Incomplete { reason: String },
}

impl Probe {
    pub fn is_complete(&self) -> bool {
        matches!(self, Probe::Complete { .. })
    }
    fn incomplete(reason: impl Into<String>) -> Probe {
        Probe::Incomplete { reason: reason.into() }
    }
}

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

/// Chunk and box walks stop after this many entries: real files have a handful.
const MAX_ENTRIES: usize = 4096;

fn le32(b: &[u8]) -> u32 {
    u32::from_le_bytes([b[0], b[1], b[2], b[3]])
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

/// RIFF/WAVE: a `fmt ` chunk and a `data` chunk whose declared size fits.
pub fn probe_wav(r: &impl ReadAt) -> io::Result<Probe> {
    let len = r.size();
    let mut head = [0u8; 12];
    if !r.read_exact_at(&mut head, 0)? || &head[0..4] != b"RIFF" || &head[8..12] != b"WAVE" {
        return Ok(Probe::incomplete("no RIFF/WAVE header"));
    }
    let mut offset = 12u64;
    let mut byte_rate: Option<u32> = None;
    // A data chunk seen before any fmt chunk: its (valid) size.
    let mut data: Option<u32> = None;
    let done = |rate: u32, size: u32| Probe::Complete {
        duration_ms: (rate > 0).then(|| u64::from(size) * 1000 / u64::from(rate)),
    };
    for _ in 0..MAX_ENTRIES {
        let mut ch = [0u8; 8];
        if !r.read_exact_at(&mut ch, offset)? {
            return Ok(Probe::incomplete(if byte_rate.is_none() {
                "no fmt chunk before the end of the file"
            } else {
                "no data chunk before the end of the file"
            }));
        }
        let size = le32(&ch[4..8]);
        let body = offset + 8;
        match &ch[0..4] {
            b"fmt " => {
                let mut fmt = [0u8; 16];
                if size < 16 || !r.read_exact_at(&mut fmt, body)? {
                    return Ok(Probe::incomplete("fmt chunk is cut short"));
                }
                let rate = le32(&fmt[8..12]);
                if let Some(size) = data {
                    return Ok(done(rate, size));
                }
                byte_rate = Some(rate);
            }
            b"data" if data.is_none() => {
                let after = len - body.min(len);
                if (size == 0 || size == u32::MAX) && after > 0 {
                    return Ok(Probe::incomplete(format!(
                        "data chunk size was never finalised ({}), {} bytes follow",
                        if size == 0 { "0" } else { "0xFFFFFFFF" },
                        group(after)
                    )));
                }
                if u64::from(size) > after {
                    return Ok(Probe::incomplete(format!(
                        "data chunk declares {} bytes, file has {}",
                        group(u64::from(size)),
                        group(after)
                    )));
                }
                match byte_rate {
                    Some(rate) => return Ok(done(rate, size)),
                    None => data = Some(size), // the fmt chunk may follow
                }
            }
            _ => {}
        }
        offset = body + u64::from(size) + u64::from(size & 1);
        if offset > len {
            return Ok(Probe::incomplete(format!(
                "chunk '{}' declares {} bytes, past the end of the file",
                fourcc(&ch[0..4]),
                group(u64::from(size))
            )));
        }
    }
    Ok(Probe::incomplete("too many chunks before the data and fmt chunks"))
}

/// ISO-BMFF: `ftyp` first, every top-level box fits, `moov` and `mdat` exist.
pub fn probe_m4a(r: &impl ReadAt) -> io::Result<Probe> {
    let len = r.size();
    let mut offset = 0u64;
    let (mut moov, mut mdat) = (None::<(u64, u64)>, false);
    for index in 0..MAX_ENTRIES {
        if offset == len {
            break;
        }
        let Some((name, header, size)) = box_header(r, offset, len)? else {
            return Ok(Probe::incomplete(format!("box header at offset {} is cut short", group(offset))));
        };
        if index == 0 && &name != b"ftyp" {
            return Ok(Probe::incomplete("first box is not 'ftyp'"));
        }
        if size < header {
            return Ok(Probe::incomplete(format!(
                "box '{}' at offset {} declares an impossible size {}",
                fourcc(&name),
                group(offset),
                size
            )));
        }
        if size > len - offset {
            return Ok(Probe::incomplete(format!(
                "box '{}' declares {} bytes, file has {} from its start",
                fourcc(&name),
                group(size),
                group(len - offset)
            )));
        }
        match &name {
            b"moov" => moov = Some((offset + header, offset + size)),
            b"mdat" => mdat = true,
            _ => {}
        }
        offset += size;
        if index + 1 == MAX_ENTRIES {
            return Ok(Probe::incomplete("too many top-level boxes"));
        }
    }
    match (moov, mdat) {
        (None, _) => Ok(Probe::incomplete("no 'moov' box")),
        (_, false) => Ok(Probe::incomplete("no 'mdat' box")),
        (Some((start, end)), true) => Ok(Probe::Complete { duration_ms: mvhd_duration(r, start, end)? }),
    }
}

/// Reads a box header at `offset`: (type, header length, total size).
fn box_header(r: &impl ReadAt, offset: u64, len: u64) -> io::Result<Option<([u8; 4], u64, u64)>> {
    let mut h = [0u8; 16];
    if !r.read_exact_at(&mut h[..8], offset)? {
        return Ok(None);
    }
    let name = [h[4], h[5], h[6], h[7]];
    match be32(&h[0..4]) {
        0 => Ok(Some((name, 8, len - offset))),
        1 => {
            if !r.read_exact_at(&mut h[8..16], offset + 8)? {
                return Ok(None);
            }
            Ok(Some((name, 16, be64(&h[8..16]))))
        }
        n => Ok(Some((name, 8, u64::from(n)))),
    }
}

/// Duration from `moov/mvhd` (version 0 or 1); None when absent or unknown.
fn mvhd_duration(r: &impl ReadAt, start: u64, end: u64) -> io::Result<Option<u64>> {
    let mut offset = start;
    for _ in 0..MAX_ENTRIES {
        if offset >= end {
            return Ok(None);
        }
        let Some((name, header, size)) = box_header(r, offset, end)? else {
            return Ok(None);
        };
        if size < header || size > end - offset {
            return Ok(None);
        }
        if &name == b"mvhd" {
            let mut b = [0u8; 32];
            let body = offset + header;
            if !r.read_exact_at(&mut b[..4], body)? {
                return Ok(None);
            }
            let (timescale, duration) = if b[0] == 1 {
                if size < header + 32 || !r.read_exact_at(&mut b, body)? {
                    return Ok(None);
                }
                (be32(&b[20..24]), be64(&b[24..32]))
            } else {
                if size < header + 20 || !r.read_exact_at(&mut b[..20], body)? {
                    return Ok(None);
                }
                let d = be32(&b[16..20]);
                (be32(&b[12..16]), if d == u32::MAX { u64::MAX } else { u64::from(d) })
            };
            if timescale == 0 || duration == u64::MAX {
                return Ok(None);
            }
            return Ok(Some((u128::from(duration) * 1000 / u128::from(timescale)).min(u64::MAX as u128) as u64));
        }
        offset += size;
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::demo::containers::{m4a, wav, wav_declaring};

    fn p(bytes: &[u8], enc: Encoding) -> Probe {
        probe(enc, &bytes).unwrap()
    }

    #[test]
    fn wav_rules() {
        assert_eq!(p(&wav(32000), Encoding::Wav), Probe::Complete { duration_ms: Some(1000) });
        assert_eq!(
            p(&wav_declaring(81920, 40960), Encoding::Wav),
            Probe::Incomplete { reason: "data chunk declares 81 920 bytes, file has 40 960".into() }
        );
        assert!(!p(&wav_declaring(0, 10), Encoding::Wav).is_complete(), "never finalised");
        assert!(!p(&wav_declaring(u32::MAX, 10), Encoding::Wav).is_complete(), "never finalised");
        assert!(p(&wav_declaring(0, 0), Encoding::Wav).is_complete(), "empty but final");
        assert!(!p(b"", Encoding::Wav).is_complete());
        assert!(!p(b"RIFF\0\0\0\0WAVE", Encoding::Wav).is_complete());
    }

    #[test]
    fn wav_with_data_before_fmt_is_whole() {
        let w = wav(3200);
        // RIFF header, then the data chunk, then the fmt chunk.
        let mut moved = w[..12].to_vec();
        moved.extend_from_slice(&w[36..]);
        moved.extend_from_slice(&w[12..36]);
        assert_eq!(p(&moved, Encoding::Wav), Probe::Complete { duration_ms: Some(100) });
        assert!(!p(&moved[..moved.len() - 10], Encoding::Wav).is_complete(), "fmt cut short");
    }

    #[test]
    fn m4a_rules() {
        assert_eq!(p(&m4a(1234, 10), Encoding::M4a), Probe::Complete { duration_ms: Some(1234) });
        let whole = m4a(5, 10);
        assert!(!p(&whole[..whole.len() - 1], Encoding::M4a).is_complete());
        // size 0 = to the end of the file
        let mut open_ended = whole.clone();
        let mdat = open_ended.len() - 18;
        open_ended[mdat..mdat + 4].copy_from_slice(&0u32.to_be_bytes());
        assert!(p(&open_ended, Encoding::M4a).is_complete());
        // 64-bit size
        let mut big = whole[..whole.len() - 18].to_vec();
        big.extend_from_slice(&1u32.to_be_bytes());
        big.extend_from_slice(b"mdat");
        big.extend_from_slice(&(16u64 + 10).to_be_bytes());
        big.extend_from_slice(&[0u8; 10]);
        assert!(p(&big, Encoding::M4a).is_complete());
        assert!(!p(&whole[8..], Encoding::M4a).is_complete(), "ftyp must come first");
    }
}
