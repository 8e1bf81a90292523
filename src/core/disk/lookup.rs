//! A few keys' files found by name, without walking the cache dir
//! (`check --key`, issue 16). Only where the layout says where a key's
//! files can be:
//!
//! * **Flat**: a folder without sub-folders, as its link count says (2 on
//!   ext4, f2fs, xfs and tmpfs, where a folder's link count is 2 + its
//!   sub-folders). Read: one `stat` per name a key's file can have there —
//!   `<key>.wav`, `<key>.m4a`, and the partial-write names `<key>.wav.tmp`,
//!   `<key>.m4a.tmp`, `<key>.part`, `<key>.partial`, `<key>.download`, and
//!   the last three after `.wav` or `.m4a`.
//! * **Sharded**: a folder whose listing (at most [`LIST_CAP`] entries)
//!   holds sub-folders named by the key's next characters — 1 to 3 letters
//!   or digits, all the same length (`ab/<key>.wav`; again inside: `ab/cd/…`,
//!   or `a/ab/…` where each name starts with its parent's). Read: that
//!   listing (files beside the sub-folders are taken from it), then the
//!   key's sub-folder, the same way; nothing else.
//! * **Anything else** (sub-folders of other names or lengths, a folder
//!   with sub-folders too long to list cheaply, a large flat folder on a file
//!   system whose link counts do not count sub-folders, like btrfs):
//!   unknown — the caller walks everything.
//!
//! What only the full walk sees: stray files (they have no key); a second
//! `<key>.<ext>` in a folder the key's characters do not lead to (the full
//! check takes the first by path, which may be that one); in a folder
//! without sub-folders, partial-write names with another middle
//! (`<key>.mp3.part`).

use std::collections::HashMap;
use std::ffi::{CStr, CString, OsStr};
use std::ops::ControlFlow;
use std::os::fd::OwnedFd;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustix::fs::{AtFlags, CWD, FileType, Mode, OFlags, fstat, openat, statat};

use super::listing::each_entry;
use super::pool::{Facts, GONE, Item, facts};
use super::stat::open_dir;
use crate::core::control::Control;
use crate::core::error::{Error, ErrorKind, Result, plain_io};
use crate::core::fmt::escaped;
use crate::core::model::{DiskScan, FileFacts, FileKind, NameClass, classify_with_key, is_key};

/// A folder with more entries than this is not listed: a million-file flat
/// folder with one sub-folder is walked whole instead.
pub const LIST_CAP: usize = 65_536;

/// The names a key's files can have in a flat folder, after the key.
const SUFFIXES: [&str; 13] = [
    ".wav",
    ".m4a",
    ".wav.tmp",
    ".m4a.tmp",
    ".part",
    ".partial",
    ".download",
    ".wav.part",
    ".wav.partial",
    ".wav.download",
    ".m4a.part",
    ".m4a.partial",
    ".m4a.download",
];

/// The files of `keys` under `cache_dir`, stat-ed and probed as the full
/// scan does them (`deep`: decoded too), or `None` when the layout does not
/// say where they are. `exclude` as for [`super::scan`].
pub fn key_files(
    cache_dir: &Path,
    exclude: &[PathBuf],
    keys: &[String],
    deep: bool,
    ctl: &Control,
) -> Result<Option<DiskScan>> {
    let meta = std::fs::metadata(cache_dir).map_err(|e| Error::io_at("read the cache dir", cache_dir, &e))?;
    if !meta.is_dir() {
        return Err(Error::bad_input(format!("the cache dir {} is not a folder", escaped(cache_dir))));
    }
    let root = openat(CWD, cache_dir, OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC, Mode::empty())
        .map_err(|e| Error::io_at("read the cache dir", cache_dir, &e.into()))?;
    let exclude_rel: Vec<PathBuf> =
        exclude.iter().filter_map(|p| p.strip_prefix(cache_dir).ok().map(Path::to_path_buf)).collect();
    let mut look =
        Lookup { cache_dir, exclude_rel, levels: HashMap::new(), found: Vec::new(), out: DiskScan::default() };
    look.levels.insert(PathBuf::new(), Level::read(Arc::new(root)));
    // Only a key-shaped name can be a cache file's (and a `/` in it must
    // never reach a lookup).
    for key in keys.iter().filter(|k| is_key(k.as_bytes())) {
        if ctl.cancelled() {
            return Err(Error::new(ErrorKind::Cancelled, "the scan was cancelled"));
        }
        if !look.visit(PathBuf::new(), key, 0)? {
            return Ok(None);
        }
    }
    Ok(Some(look.probe(deep, ctl)))
}

/// A file of a key to stat and probe: its folder, its path, its name.
struct Found {
    dir: Arc<OwnedFd>,
    path: PathBuf,
    name: CString,
    class: NameClass,
    file_type: FileType,
}

/// What one folder is, read once however many keys go through it.
enum Level {
    /// No sub-folder: names are looked up one by one.
    ByName(Arc<OwnedFd>),
    /// Opened, not listed yet.
    Unlisted(Arc<OwnedFd>),
    Listed {
        dir: Arc<OwnedFd>,
        /// Cache and partial-write names: (key, name, type).
        files: Vec<(String, CString, FileType)>,
        sub: Sub,
    },
    /// Could not be read (recorded as such): its keys have no verdict.
    Unreadable,
}

/// The sub-folders of a listed folder.
enum Sub {
    None,
    /// Shards: their names, their length, and whether each name starts
    /// with its parent's (`a/ab/`) rather than continuing it (`ab/cd/`).
    Shards {
        names: Vec<String>,
        len: usize,
    },
    /// Anything else: the layout is unknown.
    Unknown,
}

impl Level {
    /// Reads a folder: by its link count, or by its listing.
    fn read(dir: Arc<OwnedFd>) -> Level {
        if fstat(&*dir).is_ok_and(|st| st.st_nlink == 2) {
            return Level::ByName(dir);
        }
        Level::Unlisted(dir)
    }
}

struct Lookup<'a> {
    cache_dir: &'a Path,
    exclude_rel: Vec<PathBuf>,
    levels: HashMap<PathBuf, Level>,
    found: Vec<Found>,
    out: DiskScan,
}

impl Lookup<'_> {
    /// Finds `key`'s files in the folder `rel` (its first `consumed`
    /// characters already spent on shard names) and below; false when the
    /// layout there is unknown.
    fn visit(&mut self, rel: PathBuf, key: &str, consumed: usize) -> Result<bool> {
        if !self.levels.contains_key(&rel) {
            let level = self.open(&rel);
            self.levels.insert(rel.clone(), level);
        }
        if let Some(Level::Unlisted(dir)) = self.levels.get(&rel) {
            let dir = Arc::clone(dir);
            let listed = self.list(&rel, dir);
            self.levels.insert(rel.clone(), listed);
        }
        let next: Vec<(PathBuf, usize)> = match &self.levels[&rel] {
            Level::Unreadable | Level::Unlisted(_) => return Ok(true),
            Level::ByName(dir) => {
                let dir = Arc::clone(dir);
                for suffix in SUFFIXES {
                    self.by_name(&rel, &dir, &format!("{key}{suffix}"));
                }
                return Ok(true);
            }
            Level::Listed { dir, files, sub } => {
                let from = files.partition_point(|(k, _, _)| k.as_str() < key);
                for (_, name, file_type) in files[from..].iter().take_while(|(k, _, _)| k == key) {
                    let (class, _) = classify_with_key(name.to_bytes());
                    self.found.push(Found {
                        dir: Arc::clone(dir),
                        path: rel.join(OsStr::from_bytes(name.to_bytes())),
                        name: name.clone(),
                        class,
                        file_type: *file_type,
                    });
                }
                match sub {
                    Sub::None => return Ok(true),
                    Sub::Unknown => return Ok(false),
                    Sub::Shards { names, len } => {
                        // The key's next characters (`ab/cd/`), or its first
                        // ones when every name starts with its parent's
                        // (`a/ab/`); both when the names cannot tell.
                        let parent = rel.file_name().map(|n| n.as_bytes()).unwrap_or_default();
                        let cumulative = !parent.is_empty()
                            && *len > parent.len()
                            && names.iter().all(|n| n.as_bytes().starts_with(parent));
                        let mut next = vec![(consumed, consumed + len)];
                        if cumulative {
                            next.push((0, *len));
                        }
                        next.into_iter()
                            .filter_map(|(start, end)| {
                                let piece = key.get(start..end)?;
                                names.iter().any(|n| n == piece).then(|| (rel.join(piece), end))
                            })
                            .collect()
                    }
                }
            }
        };
        let mut known = true;
        for (i, (sub, consumed)) in next.iter().enumerate() {
            // One folder named by both readings is read once.
            if next[..i].iter().all(|(p, _)| p != sub) {
                known &= self.visit(sub.clone(), key, *consumed)?;
            }
        }
        Ok(known)
    }

    /// Opens the folder `rel` (its parent is open already).
    fn open(&mut self, rel: &Path) -> Level {
        let parent = rel.parent().unwrap_or(Path::new(""));
        let dir = match self.levels.get(parent) {
            Some(Level::Listed { dir, .. } | Level::ByName(dir) | Level::Unlisted(dir)) => Arc::clone(dir),
            _ => return Level::Unreadable,
        };
        let name = CString::new(rel.file_name().unwrap_or_default().as_bytes()).unwrap_or_default();
        match open_dir(&dir, &name) {
            Ok(fd) => Level::read(Arc::new(fd)),
            Err(e) => {
                self.unreadable_dir(rel, &e.into());
                Level::Unreadable
            }
        }
    }

    /// Lists a folder that has (or may have) sub-folders.
    fn list(&mut self, rel: &Path, dir: Arc<OwnedFd>) -> Level {
        let unknown = |dir| Level::Listed { dir, files: vec![], sub: Sub::Unknown };
        let (mut files, mut subs, mut count) = (Vec::new(), Vec::new(), 0usize);
        let listed = each_entry(&dir, |name, mut file_type| {
            let bytes = name.to_bytes();
            count += 1;
            if count > LIST_CAP {
                return ControlFlow::Break(());
            }
            if self.exclude_rel.contains(&rel.join(OsStr::from_bytes(bytes))) {
                return ControlFlow::Continue(());
            }
            if file_type == FileType::Unknown {
                match statat(&*dir, name, AtFlags::SYMLINK_NOFOLLOW) {
                    Ok(st) => file_type = FileType::from_raw_mode(st.st_mode),
                    Err(_) => return ControlFlow::Break(()),
                }
            }
            if file_type == FileType::Directory {
                subs.push(String::from_utf8_lossy(bytes).into_owned());
                return ControlFlow::Continue(());
            }
            if let (NameClass::Cache { .. } | NameClass::Partial, Some(key)) = classify_with_key(bytes) {
                files.push((key.to_string(), name.to_owned(), file_type));
            }
            ControlFlow::Continue(())
        });
        match listed {
            Ok(None) => {}
            // Too many entries, or one of unknown type: the layout is unknown.
            Ok(Some(())) => return unknown(dir),
            Err(e) => {
                self.unreadable_dir(rel, &e.into());
                return Level::Unreadable;
            }
        }
        files.sort_by(|a, b| a.0.cmp(&b.0));
        let sub = shards(subs);
        Level::Listed { dir, files, sub }
    }

    /// Looks one name up in a folder without sub-folders.
    fn by_name(&mut self, rel: &Path, dir: &Arc<OwnedFd>, name: &str) {
        let path = rel.join(name);
        if self.exclude_rel.contains(&path) {
            return;
        }
        let Ok(c) = CString::new(name) else { return };
        let st = match statat(&**dir, &c, AtFlags::SYMLINK_NOFOLLOW) {
            Ok(st) => st,
            Err(e) if e == rustix::io::Errno::NOENT || e == rustix::io::Errno::NAMETOOLONG => return,
            Err(e) => {
                let shown = escaped(&self.cache_dir.join(&path));
                self.out.problems.push(format!("could not stat {shown}: {}", plain_io(&e.into())));
                return;
            }
        };
        let file_type = FileType::from_raw_mode(st.st_mode);
        if file_type == FileType::Directory {
            return;
        }
        let (class, _) = classify_with_key(c.to_bytes());
        self.found.push(Found { dir: Arc::clone(dir), path, name: c, class, file_type });
    }

    fn unreadable_dir(&mut self, rel: &Path, e: &std::io::Error) {
        self.out.problems.push(format!(
            "could not read {}: {}; its contents were not scanned",
            escaped(&self.cache_dir.join(rel)),
            plain_io(e)
        ));
        self.out.unreadable_dirs.push(rel.to_path_buf());
    }

    /// Stats and probes what was found, as the scan's pool does.
    fn probe(self, deep: bool, ctl: &Control) -> DiskScan {
        let Lookup { cache_dir, found, mut out, .. } = self;
        let mut files = Vec::with_capacity(found.len());
        for (idx, f) in found.into_iter().enumerate() {
            let item = Item { idx, name: 0..0, class: f.class, file_type: f.file_type };
            let Facts { id, kind, problem, note, .. } = facts(&f.dir, c_str(&f.name), item, deep, ctl);
            if let Some(why) = problem {
                out.problems.push(format!("could not read {}: {why}", escaped(&cache_dir.join(&f.path))));
            }
            if matches!(kind, FileKind::Stray { why: GONE }) {
                continue;
            }
            if let Some(note) = note {
                out.decoder_notes.push((f.path.clone(), note));
            }
            files.push(FileFacts::new(f.path, id, kind));
        }
        let nested = files.iter().any(|f| f.path().components().nth(1).is_some());
        let sorted = DiskScan::sorted(files, nested);
        out.decoder_notes.sort();
        DiskScan { files: sorted.files, bytes: sorted.bytes, deep, ..out }
    }
}

fn c_str(c: &CString) -> &CStr {
    c.as_c_str()
}

/// Sub-folder names that shard by the key's characters, or why not.
fn shards(names: Vec<String>) -> Sub {
    let Some(len) = names.first().map(String::len) else { return Sub::None };
    let shard = |n: &String| n.len() == len && (1..=3).contains(&len) && n.bytes().all(|b| b.is_ascii_alphanumeric());
    if names.iter().all(shard) { Sub::Shards { names, len } } else { Sub::Unknown }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn shard_folders_are_short_alike_names() {
        assert!(matches!(shards(vec![]), Sub::None));
        assert!(matches!(shards(names(&["ab", "cd", "0f"])), Sub::Shards { len: 2, .. }));
        assert!(matches!(shards(names(&["a", "b"])), Sub::Shards { len: 1, .. }));
        assert!(matches!(shards(names(&["ab", "abc"])), Sub::Unknown), "lengths differ");
        assert!(matches!(shards(names(&["backup"])), Sub::Unknown), "too long");
        assert!(matches!(shards(names(&["a-"])), Sub::Unknown), "not letters or digits");
    }
}
