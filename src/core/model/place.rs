//! Where a file lies below the cache dir, kept small. Nearly every file of a
//! dump is the app's own `<64 hex>.<ext>` at the top of the cache dir: its
//! path is spelled by its key and encoding, so it needs no allocation of its
//! own (a million such paths held as `PathBuf`s cost about 100 MB).

use std::borrow::Cow;
use std::ops::Deref;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use super::names::Encoding;
use crate::core::key::{Key, KeyStr, prefix_of};

/// A file's path relative to the cache dir.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Place {
    /// `<key>.<ext>` at the top: the key is the file's own (always hex).
    Top(Encoding),
    /// Anything else, as the raw bytes the listing gave.
    Other(Box<Path>),
}

/// The length of a top-level `<64 hex>.<ext>` name.
const TOP_LEN: usize = 68;

impl Place {
    /// The place of `path`, given the key parsed from its name.
    pub(super) fn of(path: PathBuf, key: Option<&Key>) -> Place {
        match Place::top(path.as_os_str().as_bytes(), key) {
            Some(top) => top,
            None => Place::Other(path.into_boxed_path()),
        }
    }

    /// `Top` when `name` (at the top of the cache dir) is exactly what the
    /// key and an encoding spell. `key` was parsed from this name: a hex key
    /// is only parsed from its own lower-case spelling, so the name need not
    /// be compared with it again.
    pub(super) fn top(name: &[u8], key: Option<&Key>) -> Option<Place> {
        let encoding = Encoding::of_suffix(name.get(64..)?)?;
        let key = key.filter(|k| k.is_hex())?;
        debug_assert_eq!(key.as_str().as_bytes(), &name[..64], "a key parsed from another name");
        Some(Place::Top(encoding))
    }

    /// The path's bytes, spelled on the stack for a top-level name.
    pub(super) fn bytes<'a>(&'a self, key: Option<&Key>) -> PathBytes<'a> {
        match (self, key.map(Key::as_str)) {
            (Place::Top(encoding), Some(KeyStr::Hex(hex))) => {
                let mut out = [0u8; TOP_LEN];
                out[..64].copy_from_slice(&hex);
                out[64] = b'.';
                out[65..].copy_from_slice(encoding.as_str().as_bytes());
                PathBytes::Top(out)
            }
            (Place::Other(p), _) => PathBytes::Borrowed(p.as_os_str().as_bytes()),
            // `Top` is only made with a hex key beside it.
            (Place::Top(_), _) => PathBytes::Borrowed(b""),
        }
    }

    pub(super) fn path<'a>(&'a self, key: Option<&Key>) -> Cow<'a, Path> {
        match self {
            Place::Other(p) => Cow::Borrowed(p),
            Place::Top(_) => Cow::Owned(PathBuf::from(std::ffi::OsStr::from_bytes(&self.bytes(key)))),
        }
    }

    /// A number that orders like the path's first eight bytes (see
    /// [`prefix_of`]), from the key for a top-level name.
    pub(super) fn prefix(&self, key: Option<&Key>) -> u64 {
        match (self, key) {
            (Place::Top(_), Some(key)) => key.prefix(),
            _ => prefix_of(&self.bytes(key)),
        }
    }

    /// Whether the file sits in a sub-folder.
    pub(super) fn nested(&self) -> bool {
        matches!(self, Place::Other(p) if p.components().nth(1).is_some())
    }
}

/// A path's bytes: borrowed, or spelled out on the stack.
#[derive(Debug, Clone)]
pub enum PathBytes<'a> {
    Borrowed(&'a [u8]),
    Top([u8; TOP_LEN]),
}

impl PartialEq for PathBytes<'_> {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl Eq for PathBytes<'_> {}

impl PartialOrd for PathBytes<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for PathBytes<'_> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (**self).cmp(&**other)
    }
}

impl Deref for PathBytes<'_> {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            PathBytes::Borrowed(b) => b,
            PathBytes::Top(b) => b,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{FileFacts, FileKind, Identity, Row};
    use std::path::Path;

    fn file(path: &str) -> FileFacts {
        FileFacts::new(path, Identity::default(), FileKind::Partial)
    }

    #[test]
    fn every_path_reads_back_as_it_was_given() {
        let hex = "0123456789abcdef".repeat(4);
        for path in [
            format!("{hex}.m4a"),
            format!("{hex}.wav"),
            format!("{hex}.M4A"),
            format!("{hex}.m4a.tmp"),
            format!("ab/{hex}.m4a"),
            format!("{}.m4a", hex.to_uppercase()),
            "notes.txt".to_string(),
            String::new(),
        ] {
            let f = file(&path);
            assert_eq!(f.path(), Path::new(&path));
            assert_eq!(&*f.path_bytes(), path.as_bytes());
            assert!(f.is_at(Path::new(&path)));
            assert_eq!(f.nested(), path.contains('/'));
            // Sorting by the prefix never disagrees with sorting by the path.
            let name = path.rsplit('/').next().unwrap_or_default();
            let key = super::super::classify_with_key(name.as_bytes()).1;
            let place = super::Place::of(path.clone().into(), key.as_ref());
            assert_eq!(place.prefix(key.as_ref()), crate::core::key::prefix_of(path.as_bytes()), "{path}");
            let top = FileFacts::at_top(path.as_bytes(), f.id, f.kind.clone(), f.key().cloned());
            if !path.contains('/') {
                assert_eq!(top.path(), Path::new(&path));
            }
        }
    }

    /// The app's own names cost no allocation: the path is borrowed from
    /// nothing, spelled from the key.
    #[test]
    fn app_names_are_kept_as_their_key() {
        let f = file(&format!("{}.m4a", "ab".repeat(32)));
        assert!(matches!(f.path(), std::borrow::Cow::Owned(_)));
        assert!(matches!(file("x/y.m4a").path(), std::borrow::Cow::Borrowed(_)));
    }

    /// A million of each are held at once: the peak memory target rests on
    /// these sizes.
    #[test]
    fn files_and_rows_stay_compact() {
        assert!(std::mem::size_of::<FileFacts>() <= 120, "{}", std::mem::size_of::<FileFacts>());
        assert!(std::mem::size_of::<Row>() <= 120, "{}", std::mem::size_of::<Row>());
    }
}
