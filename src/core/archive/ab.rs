//! Android `adb backup` files: a four-line text header, then a tar, zlib-
//! compressed when the third line is `1`. Encrypted ones need the password
//! typed on the phone, so they are refused with what to do instead.
//!
//! Inside, an app's folders are `apps/<pkg>/db/` (databases), `f/` (files),
//! `sp/` (shared_prefs), `r/` (the rest); `cache/` and `no_backup/` are never
//! backed up, so the audio cache is always missing.

use std::io::{BufRead, Read};
use std::path::Path;

use flate2::bufread::ZlibDecoder;

use crate::core::error::{Error, Result};
use crate::core::fmt::escaped;

pub const MAGIC: &[u8] = b"ANDROID BACKUP\n";

/// The note shown for every adb backup without `cache/` content.
pub const NOTE: &str = "adb backup never includes cache/: files in it are missing from this dump";

/// Reads the header and returns the tar stream that follows.
pub fn open<'a, R: BufRead + 'a>(path: &Path, mut src: R) -> Result<Box<dyn Read + 'a>> {
    let mut lines = Vec::new();
    for _ in 0..4 {
        let mut line = Vec::new();
        (&mut src).take(128).read_until(b'\n', &mut line).map_err(|e| Error::io_at("read", path, &e))?;
        if line.pop() != Some(b'\n') {
            return Err(Error::bad_input(format!(
                "{} starts like an adb backup but its header is cut short; make the backup again",
                escaped(path)
            )));
        }
        lines.push(String::from_utf8_lossy(&line).into_owned());
    }
    if lines[3] != "none" {
        return Err(Error::bad_input(format!(
            "{} is an encrypted adb backup ({}); make it again leaving the password empty on the phone, or use `cachescope pull android`",
            escaped(path),
            crate::core::fmt::escaped_bytes(lines[3].as_bytes())
        )));
    }
    match lines[2].as_str() {
        "1" => Ok(Box::new(ZlibDecoder::new(src))),
        "0" => Ok(Box::new(src)),
        other => Err(Error::bad_input(format!(
            "{} is an adb backup with an unknown compression flag {}; make the backup again",
            escaped(path),
            crate::core::fmt::escaped_bytes(other.as_bytes())
        ))),
    }
}
