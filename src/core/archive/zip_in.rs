//! Zip archives into the [`SafeWriter`]. A zip is read through its central
//! directory (the only place unix modes, hence links, are recorded), which
//! the zip crate keeps in memory: about a few hundred bytes per entry.

use std::fs::File;
use std::io::{BufReader, Read};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use zip::ZipArchive;
use zip::extra_fields::ExtraField;

use super::writer::{Meta, SafeWriter};
use crate::core::error::{Error, Result};

/// The longest symlink target read from a zip entry.
const MAX_LINK: u64 = 4096;

const S_IFMT: u32 = 0o170000;

pub fn read_zip(file: File, max_entries: u64, w: &mut SafeWriter) -> Result<()> {
    let bad = |e: zip::result::ZipError| {
        Error::bad_input(format!("cannot unpack {}: it is not a readable zip ({e}); get a fresh copy of it", w.label()))
    };
    let mut file = file;
    // The crate reads the whole index into memory: count it first.
    let declared = declared_entries(&mut file).unwrap_or(0);
    let mut zip = ZipArchive::new(BufReader::new(file)).map_err(bad)?;
    let count = declared.max(zip.len() as u64);
    if count > max_entries {
        return Err(Error::bad_input(format!(
            "cannot unpack {}: it holds {count} entries, past the limit of {max_entries} (a zip bomb?); if it is genuine, raise the limit with {}=N",
            w.label(),
            super::MAX_ENTRIES_VAR
        )));
    }
    // Entries sharing bytes are how small zips expand to huge ones; no tool
    // that packs a dump writes them.
    if zip.has_duplicate_names() || zip.has_overlapping_entries().map_err(bad)? {
        return Err(Error::bad_input(format!(
            "cannot unpack {}: its entries overlap or repeat a name (a zip bomb or a damaged file); nothing was extracted",
            w.label()
        )));
    }
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).map_err(|e| w.refuse_next(&format!("cannot be read ({e})")))?;
        let name = match f.name() {
            Ok(n) => n.as_bytes().to_vec(),
            Err(_) => f.name_raw().to_vec(),
        };
        if f.encrypted() {
            return Err(w.refuse(&name, "is encrypted; make the zip again without a password"));
        }
        let mode = f.unix_mode();
        let meta = Meta { mode: mode.map(|m| m & 0o7777), mtime: mtime_of(&f) };
        let kind = mode.map(|m| m & S_IFMT).unwrap_or(0);
        if f.is_dir() {
            w.dir(&name, meta)?;
        } else if f.is_symlink() {
            // One byte past the limit: a target that fits is read to its
            // end, where the zip crate checks its CRC.
            let mut target = Vec::new();
            (&mut f).take(MAX_LINK + 1).read_to_end(&mut target).map_err(|e| w.damaged(&name, &e))?;
            if target.len() as u64 > MAX_LINK {
                return Err(w.refuse(&name, &format!("is a link whose target is longer than {MAX_LINK} bytes")));
            }
            w.symlink(&name, &target, meta)?;
        } else if matches!(kind, 0o020000 | 0o060000) {
            return Err(w.special(&name, "a device node"));
        } else if kind == 0o010000 {
            return Err(w.special(&name, "a FIFO (named pipe)"));
        } else if kind == 0o140000 {
            return Err(w.special(&name, "a socket"));
        } else {
            let len = f.size();
            w.file(&name, len, meta, &mut f)?;
        }
    }
    Ok(())
}

/// The entry count the end-of-central-directory record declares (zip64
/// too), read without loading the index.
fn declared_entries(f: &mut File) -> Option<u64> {
    use std::io::{Seek, SeekFrom};
    let len = f.metadata().ok()?.len();
    let tail_len = len.min(22 + 65535);
    f.seek(SeekFrom::Start(len - tail_len)).ok()?;
    let mut tail = vec![0u8; tail_len as usize];
    f.read_exact(&mut tail).ok()?;
    let at = tail.windows(4).rposition(|w| w == b"PK\x05\x06")?;
    let eocd = tail.get(at..at + 22)?;
    let count = u64::from(u16::from_le_bytes([eocd[10], eocd[11]]));
    if count != 0xFFFF {
        return Some(count);
    }
    let loc = tail.get(at.checked_sub(20)?..at)?;
    if &loc[..4] != b"PK\x06\x07" {
        return Some(count);
    }
    let off = u64::from_le_bytes(loc[8..16].try_into().ok()?);
    let mut z64 = [0u8; 40];
    f.seek(SeekFrom::Start(off)).ok()?;
    f.read_exact(&mut z64).ok()?;
    (&z64[..4] == b"PK\x06\x06").then(|| u64::from_le_bytes(z64[32..40].try_into().unwrap_or_default()))
}

/// The UTC mtime of the extended-timestamp field when there is one, else
/// the DOS time read as local time (what Info-ZIP does).
fn mtime_of<R: Read>(f: &zip::read::ZipFile<'_, R>) -> Option<SystemTime> {
    for field in f.extra_data_fields() {
        if let ExtraField::ExtendedTimestamp(ts) = field
            && let Some(secs) = ts.mod_time()
        {
            return Some(UNIX_EPOCH + Duration::from_secs(secs.into()));
        }
    }
    let dos = f.last_modified()?;
    let civil = jiff::civil::DateTime::new(
        i16::try_from(dos.year()).ok()?,
        i8::try_from(dos.month()).ok()?,
        i8::try_from(dos.day()).ok()?,
        i8::try_from(dos.hour()).ok()?,
        i8::try_from(dos.minute()).ok()?,
        i8::try_from(dos.second()).ok()?,
        0,
    )
    .ok()?;
    let zoned = civil.to_zoned(jiff::tz::TimeZone::system()).ok()?;
    Some(SystemTime::from(zoned.timestamp()))
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    #[test]
    fn counts_entries_from_the_end_record() {
        let tmp = tempfile::tempfile().unwrap();
        let mut z = zip::ZipWriter::new(tmp);
        for i in 0..3 {
            z.start_file(format!("f{i}"), zip::write::SimpleFileOptions::default()).unwrap();
            z.write_all(b"x").unwrap();
        }
        let mut f = z.finish().unwrap();
        assert_eq!(super::declared_entries(&mut f), Some(3));
    }
}
