//! Pure classification of a cache-dir file name (SPEC §3), before any I/O.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

use serde::Serialize;

use crate::core::key::{Key, hex_key};

/// cachescope's own folder in a dump (journal, backups, quarantine, lock).
pub const STATE_DIR: &str = ".cachescope";

/// The two audio encodings the app writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Encoding {
    Wav,
    M4a,
}

impl Encoding {
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Wav => "wav",
            Encoding::M4a => "m4a",
        }
    }

    /// The encoding a cache file name's suffix (from its first dot) names.
    pub fn of_suffix(suffix: &[u8]) -> Option<Encoding> {
        match suffix {
            b".wav" => Some(Encoding::Wav),
            b".m4a" => Some(Encoding::M4a),
            _ => None,
        }
    }

    pub fn from_state(state: &str) -> Option<Encoding> {
        match state {
            "wav" => Some(Encoding::Wav),
            "m4a" => Some(Encoding::M4a),
            _ => None,
        }
    }
}

/// What a file name says about the file, before its bytes are read.
/// (The key itself is the name up to its first dot: see [`key_of`].)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameClass {
    /// `<key>.wav` or `<key>.m4a`.
    Cache { encoding: Encoding },
    /// A partial write (`<key>.wav.tmp`, `*.part`, ...): always incomplete.
    Partial,
    /// `.nomedia`: not part of the cache at all.
    Ignored,
    /// Anything else.
    Stray,
}

const PARTIAL_SUFFIXES: [&[u8]; 5] = [b".wav.tmp", b".m4a.tmp", b".part", b".partial", b".download"];

/// True for `[A-Za-z0-9_-]{1,128}`.
pub fn is_key(bytes: &[u8]) -> bool {
    !bytes.is_empty()
        && bytes.len() <= 128
        && bytes.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'-')
}

/// The key a cache or partial file name carries: the name up to its first
/// dot, when that is a key.
pub fn key_of(name: &OsStr) -> Option<&str> {
    let bytes = name.as_bytes();
    let stem = &bytes[..bytes.iter().position(|b| *b == b'.').unwrap_or(bytes.len())];
    if is_key(stem) { std::str::from_utf8(stem).ok() } else { None }
}

/// Classifies a bare file name and parses its key, if it carries one. The
/// app's own `<64 hex>.wav|.m4a` names take a short path.
pub fn classify_with_key(name: &[u8]) -> (NameClass, Option<Key>) {
    if name.len() == 68
        && let Some(encoding) = Encoding::of_suffix(&name[64..])
        && let Some(key) = hex_key(&name[..64])
    {
        return (NameClass::Cache { encoding }, Some(key));
    }
    let class = classify_name(OsStr::from_bytes(name));
    let key = match class {
        NameClass::Cache { .. } | NameClass::Partial => key_of(OsStr::from_bytes(name)).map(Key::new),
        NameClass::Ignored | NameClass::Stray => None,
    };
    (class, key)
}

/// Classifies a bare file name (no folders).
pub fn classify_name(name: &OsStr) -> NameClass {
    let bytes = name.as_bytes();
    if bytes == b".nomedia" {
        return NameClass::Ignored;
    }
    let stem_end = bytes.iter().position(|b| *b == b'.').unwrap_or(bytes.len());
    let stem = &bytes[..stem_end];
    let rest = &bytes[stem_end..];
    if is_key(stem)
        && let Some(encoding) = Encoding::of_suffix(rest)
    {
        return NameClass::Cache { encoding };
    }
    if PARTIAL_SUFFIXES.iter().any(|s| rest.ends_with(s)) && !rest.is_empty() && is_key(stem) {
        return NameClass::Partial;
    }
    NameClass::Stray
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(s: &str) -> NameClass {
        classify_name(OsStr::new(s))
    }

    #[test]
    fn cache_names() {
        assert_eq!(c("ab_c-1.wav"), NameClass::Cache { encoding: Encoding::Wav });
        assert_eq!(key_of(OsStr::new("ab_c-1.wav")), Some("ab_c-1"));
        assert_eq!(c("x.m4a"), NameClass::Cache { encoding: Encoding::M4a });
        assert_eq!(c("x.WAV"), NameClass::Stray);
        assert_eq!(c("x.wav.bak"), NameClass::Stray);
        assert_eq!(c(".wav"), NameClass::Stray);
        assert_eq!(c(&"a".repeat(129).to_string().add(".wav")), NameClass::Stray);
    }

    #[test]
    fn the_short_path_agrees_with_the_long_one() {
        let hex = "0123456789abcdef".repeat(4);
        for name in [format!("{hex}.wav"), format!("{hex}.m4a"), format!("{hex}.mp3"), hex.to_uppercase() + ".wav"] {
            let (class, key) = classify_with_key(name.as_bytes());
            assert_eq!(class, c(&name), "{name}");
            assert_eq!(
                key.map(|k| k.to_string()).as_deref(),
                key_of(OsStr::new(&name)).filter(|_| class != NameClass::Stray),
                "{name}"
            );
        }
    }

    #[test]
    fn partial_names() {
        assert_eq!(c("k.wav.tmp"), NameClass::Partial);
        assert_eq!(key_of(OsStr::new("k.wav.tmp")), Some("k"));
        assert_eq!(c("k.m4a.part"), NameClass::Partial);
        assert_eq!(c("k.partial"), NameClass::Partial);
        assert_eq!(c("k.download"), NameClass::Partial);
        assert_eq!(c("k.tmp"), NameClass::Stray);
        assert_eq!(c("bad key.part"), NameClass::Stray);
        assert_eq!(c(".part"), NameClass::Stray);
    }

    #[test]
    fn ignored_and_dotfiles() {
        assert_eq!(c(".nomedia"), NameClass::Ignored);
        assert_eq!(c(".DS_Store"), NameClass::Stray);
        assert_eq!(classify_name(OsStr::from_bytes(b"\xff.wav")), NameClass::Stray);
    }

    trait Add {
        fn add(self, s: &str) -> String;
    }
    impl Add for String {
        fn add(mut self, s: &str) -> String {
            self.push_str(s);
            self
        }
    }
}
