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

/// `1 fix`, `3 fixes`: a count with its noun in the right number.
pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Human size with one decimal, e.g. `81.2 kB`.
pub fn size(n: u64) -> String {
    format_size(n, FormatSizeOptions::from(DECIMAL).decimal_places(1))
}

/// Human size for a possibly negative database value.
pub fn size_i64(n: i64) -> String {
    if n < 0 { format!("{n} B") } else { size(n as u64) }
}

/// Characters that must never reach a terminal raw from the data: control
/// characters (ESC paints the screen, a newline forges a line) and the
/// bidirectional overrides that reorder what is shown.
pub fn is_unsafe_char(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}')
}

/// Text from the data (a key, a state, a column value) for a human-readable
/// output: unsafe characters escaped (`\u{1b}`, `\n`), the rest as is.
pub fn clean(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(is_unsafe_char) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_unsafe_char(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
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
            if is_unsafe_char(c) {
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
        assert_eq!(clean("k\u{1b}[2J\u{202e}x"), "k\\u{1b}[2J\\u{202e}x");
        assert_eq!(clean("plain"), "plain");
    }
}
