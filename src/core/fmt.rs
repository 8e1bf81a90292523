//! Small formatting helpers shared by messages and reports.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use humansize::{DECIMAL, FormatSizeOptions, format_size};

/// `81920` → `81 920`: digit groups that read well in a sentence.
pub fn group(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

/// Human size with one decimal, e.g. `81.2 kB`.
pub fn size(n: u64) -> String {
    format_size(n, FormatSizeOptions::from(DECIMAL).decimal_places(1))
}

/// Human size for a possibly negative database value.
pub fn size_i64(n: i64) -> String {
    if n < 0 { format!("{n} B") } else { size(n as u64) }
}

/// A path for display: UTF-8 as is, other bytes escaped as `\xNN`, control
/// characters (newlines in names) escaped too, so one path is one line.
pub fn escaped(path: &Path) -> String {
    escaped_bytes(path.as_os_str().as_bytes())
}

pub fn escaped_os(s: &OsStr) -> String {
    escaped_bytes(s.as_bytes())
}

pub fn escaped_bytes(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            if c.is_control() {
                out.extend(c.escape_default());
            } else {
                out.push(c);
            }
        }
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out
}

/// A path written lossily, as the JSON report asks (SPEC §7).
pub fn lossy(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_digits() {
        assert_eq!(group(0), "0");
        assert_eq!(group(999), "999");
        assert_eq!(group(81920), "81 920");
        assert_eq!(group(1234567), "1 234 567");
    }

    #[test]
    fn sizes() {
        assert_eq!(size(81234), "81.2 kB");
    }

    #[test]
    fn escapes() {
        assert_eq!(escaped_bytes(b"a\nb\xffc"), "a\\nb\\xffc");
    }
}
