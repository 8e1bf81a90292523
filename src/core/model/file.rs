//! What the scan learns about each entry of the cache dir, as plain data.

use std::borrow::Cow;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use super::place::{PathBytes, Place};

use super::names::{Encoding, classify_with_key};
use crate::core::key::Key;
use crate::core::sort::sort_by_prefix;

/// The verdict on one file's container (or, with `--deep`, its audio).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Probe {
    Complete { duration_ms: Option<u64> },
    Incomplete { reason: String },
}

impl Probe {
    pub fn is_complete(&self) -> bool {
        matches!(self, Probe::Complete { .. })
    }
    pub fn incomplete(reason: impl Into<String>) -> Probe {
        Probe::Incomplete { reason: reason.into() }
    }
}

/// What a file is, by name and container. (The key is the file name's stem:
/// [`FileFacts::key`].)
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileKind {
    /// `<key>.wav|.m4a`, probed.
    Cache { encoding: Encoding, probe: Probe },
    /// A partial-write name: incomplete by definition.
    Partial,
    /// Anything else, with why.
    Stray { why: &'static str },
    /// A cache file that could not be read (permissions, I/O): its state is
    /// unknown, so no verdict is raised for its key.
    Unreadable { encoding: Encoding, why: String },
}

/// Enough of a stat to notice that a file changed or was replaced.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Identity {
    pub dev: u64,
    pub ino: u64,
    pub size: u64,
    pub mtime_ns: i64,
}

impl Identity {
    pub fn mtime_ms(&self) -> i64 {
        self.mtime_ns.div_euclid(1_000_000)
    }
}

/// One entry of the cache dir.
#[derive(Clone, PartialEq, Eq)]
pub struct FileFacts {
    /// Relative to the cache dir; raw bytes, never re-encoded (see
    /// [`FileFacts::path`]).
    place: Place,
    pub id: Identity,
    pub kind: FileKind,
    /// The name's key (see [`FileFacts::key`]), parsed once at the listing:
    /// detection reads it for every file without touching the path.
    key: Option<Key>,
}

impl FileFacts {
    /// A file's facts, its key parsed from its name.
    pub fn new(path: impl Into<PathBuf>, id: Identity, kind: FileKind) -> FileFacts {
        let path = path.into();
        let key = path.file_name().and_then(|n| classify_with_key(n.as_bytes()).1);
        FileFacts { place: Place::of(path, key.as_ref()), id, kind, key }
    }
    /// A file's facts with its key already parsed (the scan's fast path).
    pub fn with_key(path: PathBuf, id: Identity, kind: FileKind, key: Option<Key>) -> FileFacts {
        FileFacts { place: Place::of(path, key.as_ref()), id, kind, key }
    }
    /// A file named `name` at the top of the cache dir, its key parsed:
    /// the scan's way, which spends no allocation on the app's own names.
    pub fn at_top(name: &[u8], id: Identity, kind: FileKind, key: Option<Key>) -> FileFacts {
        let place = Place::top(name, key.as_ref())
            .unwrap_or_else(|| Place::Other(PathBuf::from(OsStr::from_bytes(name)).into_boxed_path()));
        FileFacts { place, id, kind, key }
    }
    /// The path relative to the cache dir (spelled out for the app's own
    /// names, which are kept as their key).
    pub fn path(&self) -> Cow<'_, Path> {
        self.place.path(self.key.as_ref())
    }
    /// The path's raw bytes, without an allocation.
    pub fn path_bytes(&self) -> PathBytes<'_> {
        self.place.bytes(self.key.as_ref())
    }
    /// Whether this file lies at `path`.
    pub fn is_at(&self, path: &Path) -> bool {
        *self.path_bytes() == *path.as_os_str().as_bytes()
    }
    /// Whether the file sits in a sub-folder of the cache dir.
    pub fn nested(&self) -> bool {
        self.place.nested()
    }
    /// The key of a cache or partial file: its name up to the first dot.
    pub fn key(&self) -> Option<&Key> {
        match &self.kind {
            FileKind::Cache { .. } | FileKind::Partial | FileKind::Unreadable { .. } => self.key.as_ref(),
            FileKind::Stray { .. } => None,
        }
    }
    pub fn is_complete(&self) -> bool {
        matches!(&self.kind, FileKind::Cache { probe, .. } if probe.is_complete())
    }
    pub fn encoding(&self) -> Option<Encoding> {
        match &self.kind {
            FileKind::Cache { encoding, .. } | FileKind::Unreadable { encoding, .. } => Some(*encoding),
            _ => None,
        }
    }
    /// Why the file could not be read, when it could not.
    pub fn unreadable(&self) -> Option<&str> {
        match &self.kind {
            FileKind::Unreadable { why, .. } => Some(why),
            _ => None,
        }
    }
    /// Why the file is not whole, when it is not.
    pub fn incomplete_reason(&self) -> Option<&str> {
        match &self.kind {
            FileKind::Cache { probe: Probe::Incomplete { reason }, .. } => Some(reason),
            FileKind::Partial => Some("partial-write file name"),
            _ => None,
        }
    }
    pub fn duration_ms(&self) -> Option<u64> {
        match &self.kind {
            FileKind::Cache { probe: Probe::Complete { duration_ms }, .. } => *duration_ms,
            _ => None,
        }
    }
}

impl std::fmt::Debug for FileFacts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileFacts").field("path", &self.path()).field("id", &self.id).field("kind", &self.kind).finish()
    }
}

/// Everything found under the cache dir, sorted by path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DiskScan {
    pub files: Vec<FileFacts>,
    /// Folders or files that could not be read: one sentence each.
    pub problems: Vec<String>,
    /// Folders (relative to the cache dir) whose contents could not be
    /// listed: any key's files may hide in them.
    pub unreadable_dirs: Vec<PathBuf>,
    /// With `--deep`: files whose codec the decoder does not know (their
    /// container verdict stands), by path, with what it said.
    pub decoder_notes: Vec<(PathBuf, String)>,
    /// The files were decoded to their end (`--deep`), not only probed.
    pub deep: bool,
    pub bytes: u64,
}

impl DiskScan {
    /// A scan of these files: sorted by path, total bytes counted, and a
    /// second `<key>.<ext>` in another folder made a stray (the first wins).
    pub fn from_files(files: Vec<FileFacts>) -> DiskScan {
        let nested = files.iter().any(FileFacts::nested);
        DiskScan::sorted(files, nested)
    }

    /// [`DiskScan::from_files`], told whether any file sits in a sub-folder
    /// (the walk knows without a pass over a million paths).
    pub fn sorted(mut files: Vec<FileFacts>, nested: bool) -> DiskScan {
        sort_by_prefix(&mut files, |f| f.place.prefix(f.key.as_ref()), |a, b| a.path_bytes().cmp(&b.path_bytes()));
        if nested {
            mark_duplicates(&mut files);
        }
        let bytes = files.iter().map(|f| f.id.size).sum();
        DiskScan { files, bytes, ..DiskScan::default() }
    }

    /// Cache-named audio files (complete or not): none means an empty or
    /// unmounted copy, which the blast-radius guard refuses to act on.
    pub fn audio_files(&self) -> usize {
        self.files.iter().filter(|f| matches!(f.kind, FileKind::Cache { .. })).count()
    }

    /// The file at `path`, by binary search (files are sorted by path).
    pub fn file_at(&self, path: &std::path::Path) -> Option<&FileFacts> {
        let want = path.as_os_str().as_bytes();
        let i = self.files.partition_point(|f| *f.path_bytes() < *want);
        self.files.get(i).filter(|f| f.is_at(path))
    }

    /// What the decoder said of a file it does not know, with `--deep`.
    pub fn decoder_note(&self, path: &std::path::Path) -> Option<&str> {
        self.decoder_notes.iter().find(|(p, _)| p == path).map(|(_, n)| n.as_str())
    }
}

/// The first `<key>.<ext>` by path wins; the same name elsewhere is stray.
fn mark_duplicates(files: &mut [FileFacts]) {
    let mut seen = rustc_hash::FxHashSet::default();
    let mut dups = Vec::new();
    for (i, f) in files.iter().enumerate() {
        if let (FileKind::Cache { encoding, .. }, Some(key)) = (&f.kind, f.key())
            && !seen.insert((key, *encoding))
        {
            dups.push(i);
        }
    }
    for i in dups {
        files[i].kind = FileKind::Stray { why: "same name as a cache file in another folder" };
    }
}
