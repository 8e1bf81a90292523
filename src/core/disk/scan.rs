//! Walking the cache dir into [`FileFacts`]: one stat per entry, then bounded
//! parallel header reads.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use std::os::unix::fs::MetadataExt;
use walkdir::WalkDir;

use super::names::{Encoding, NameClass, classify_name};
use super::probe::{Probe, SizedFile, probe};
use crate::core::control::{Control, Phase};
use crate::core::error::{Error, ErrorKind, Result, plain_io};
use crate::core::fmt::escaped;

/// What a file is, by name and container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileKind {
    /// `<key>.wav|.m4a`, probed.
    Cache { key: String, encoding: Encoding, probe: Probe },
    /// A partial-write name: incomplete by definition.
    Partial { key: String },
    /// Anything else, with why.
    Stray { why: &'static str },
}

/// Enough of a stat to notice that a file changed or was replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Identity {
    pub dev: u64,
    pub ino: u64,
    pub size: u64,
    pub mtime_ns: i64,
}

impl Identity {
    pub fn of(meta: &std::fs::Metadata) -> Identity {
        Identity {
            dev: meta.dev(),
            ino: meta.ino(),
            size: meta.len(),
            mtime_ns: meta.mtime().saturating_mul(1_000_000_000).saturating_add(meta.mtime_nsec()),
        }
    }
    pub fn mtime_ms(&self) -> i64 {
        self.mtime_ns.div_euclid(1_000_000)
    }
}

/// One entry of the cache dir.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileFacts {
    /// Relative to the cache dir; raw bytes, never re-encoded.
    pub path: PathBuf,
    pub id: Identity,
    pub kind: FileKind,
}

impl FileFacts {
    pub fn key(&self) -> Option<&str> {
        match &self.kind {
            FileKind::Cache { key, .. } | FileKind::Partial { key } => Some(key),
            FileKind::Stray { .. } => None,
        }
    }
    pub fn is_complete(&self) -> bool {
        matches!(&self.kind, FileKind::Cache { probe, .. } if probe.is_complete())
    }
    pub fn encoding(&self) -> Option<Encoding> {
        match &self.kind {
            FileKind::Cache { encoding, .. } => Some(*encoding),
            _ => None,
        }
    }
    /// Why the file is not whole, when it is not.
    pub fn incomplete_reason(&self) -> Option<&str> {
        match &self.kind {
            FileKind::Cache { probe: Probe::Incomplete { reason }, .. } => Some(reason),
            FileKind::Partial { .. } => Some("partial-write file name"),
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

/// Everything found under the cache dir, sorted by path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DiskScan {
    pub files: Vec<FileFacts>,
    /// Folders or files that could not be read: one sentence each.
    pub problems: Vec<String>,
    pub bytes: u64,
}

impl DiskScan {
    /// Cache-named audio files (complete or not): none means an empty or
    /// unmounted copy, which the blast-radius guard refuses to act on.
    pub fn audio_files(&self) -> usize {
        self.files.iter().filter(|f| matches!(f.kind, FileKind::Cache { .. })).count()
    }
}

/// Walks `cache_dir` (skipping `exclude`, cachescope's own folder) and probes.
pub fn scan(cache_dir: &Path, exclude: &Path, ctl: &Control) -> Result<DiskScan> {
    let meta = std::fs::metadata(cache_dir).map_err(|e| Error::io_at("read the cache dir", cache_dir, &e))?;
    if !meta.is_dir() {
        return Err(Error::bad_input(format!("the cache dir {} is not a folder", escaped(cache_dir))));
    }
    let mut out = DiskScan::default();
    let mut pending: Vec<(PathBuf, Identity, NameClass)> = Vec::new();
    let walker = WalkDir::new(cache_dir)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.path() != exclude);
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let path = e.path().map(escaped).unwrap_or_default();
                let why = e.io_error().map(plain_io).unwrap_or_else(|| e.to_string());
                out.problems.push(format!("could not read {path}: {why}; its contents were not scanned"));
                continue;
            }
        };
        if entry.depth() == 0 || entry.file_type().is_dir() {
            continue;
        }
        let rel = entry.path().strip_prefix(cache_dir).unwrap_or(entry.path()).to_path_buf();
        let meta = match entry.metadata() {
            Ok(m) => m,
            Err(e) => {
                let why = e.io_error().map(plain_io).unwrap_or_else(|| e.to_string());
                out.problems.push(format!("could not stat {}: {why}", escaped(entry.path())));
                continue;
            }
        };
        let id = Identity::of(&meta);
        out.bytes += id.size;
        let ft = entry.file_type();
        let class = classify_name(entry.file_name());
        if class == NameClass::Ignored {
            continue;
        }
        if ft.is_symlink() {
            out.files.push(FileFacts { path: rel, id, kind: FileKind::Stray { why: "symbolic link (not followed)" } });
        } else if !ft.is_file() {
            out.files.push(FileFacts { path: rel, id, kind: FileKind::Stray { why: "not a regular file" } });
        } else {
            pending.push((rel, id, class));
        }
        if (out.files.len() + pending.len()).is_multiple_of(8192) {
            ctl.progress(Phase::Walk, (out.files.len() + pending.len()) as u64, None);
            if ctl.cancelled() {
                return Err(Error::new(ErrorKind::Cancelled, "the scan was cancelled"));
            }
        }
    }
    ctl.progress(Phase::Walk, (out.files.len() + pending.len()) as u64, None);
    let probed = probe_all(cache_dir, pending, ctl)?;
    out.files.extend(probed.0);
    out.problems.extend(probed.1);
    out.files.sort_by(|a, b| a.path.cmp(&b.path));
    mark_duplicates(&mut out.files);
    Ok(out)
}

/// The first `<key>.<ext>` by path wins; the same name elsewhere is stray.
fn mark_duplicates(files: &mut [FileFacts]) {
    let mut seen = std::collections::HashSet::new();
    for f in files.iter_mut() {
        if let FileKind::Cache { key, encoding, .. } = &f.kind
            && !seen.insert((key.clone(), *encoding))
        {
            f.kind = FileKind::Stray { why: "same name as a cache file in another folder" };
        }
    }
}

/// Probes files on a few threads; the walk has already stat-ed them.
fn probe_all(
    cache_dir: &Path,
    pending: Vec<(PathBuf, Identity, NameClass)>,
    ctl: &Control,
) -> Result<(Vec<FileFacts>, Vec<String>)> {
    let total = pending.len() as u64;
    let done = AtomicU64::new(0);
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(2, 8);
    let chunk = pending.len().div_ceil(threads).max(1);
    let results: Vec<Result<(Vec<FileFacts>, Vec<String>)>> = std::thread::scope(|s| {
        let handles: Vec<_> = pending
            .chunks(chunk)
            .map(|part| {
                let done = &done;
                s.spawn(move || {
                    let mut files = Vec::with_capacity(part.len());
                    let mut problems = Vec::new();
                    for (rel, id, class) in part {
                        let kind = match class {
                            NameClass::Cache { key, encoding } => {
                                let probe = probe_file(&cache_dir.join(rel), *id, *encoding).unwrap_or_else(|why| {
                                    problems.push(format!("could not read {}: {why}", escaped(&cache_dir.join(rel))));
                                    Probe::Incomplete { reason: format!("could not read the header: {why}") }
                                });
                                FileKind::Cache { key: key.clone(), encoding: *encoding, probe }
                            }
                            NameClass::Partial { key } => FileKind::Partial { key: key.clone() },
                            NameClass::Stray | NameClass::Ignored => FileKind::Stray { why: "not a cache file name" },
                        };
                        files.push(FileFacts { path: rel.clone(), id: *id, kind });
                        let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                        if n.is_multiple_of(4096) {
                            ctl.progress(Phase::Probe, n, Some(total));
                            if ctl.cancelled() {
                                return Err(Error::new(ErrorKind::Cancelled, "the scan was cancelled"));
                            }
                        }
                    }
                    Ok((files, problems))
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or_else(|_| Err(Error::io("a scan thread failed")))).collect()
    });
    let mut files = Vec::with_capacity(pending.len());
    let mut problems = Vec::new();
    for r in results {
        let (f, p) = r?;
        files.extend(f);
        problems.extend(p);
    }
    ctl.progress(Phase::Probe, total, Some(total));
    Ok((files, problems))
}

fn probe_file(path: &Path, id: Identity, encoding: Encoding) -> std::result::Result<Probe, String> {
    let file = File::open(path).map_err(|e| plain_io(&e))?;
    probe(encoding, &SizedFile { file: &file, len: id.size }).map_err(|e| plain_io(&e))
}
