//! The one place where archive contents reach the disk, so every extraction
//! rule lives here once, whatever the source (tar, zip, adb backup, a stream
//! from a phone, a simulator's folder):
//!
//! * names are checked first (`names`): no absolute paths, no `..`;
//! * every folder on the way is opened with `O_NOFOLLOW`, so nothing is ever
//!   written through a link, even one planted earlier by the same archive;
//! * files are created with `O_EXCL`: a name that comes twice is refused,
//!   never overwritten;
//! * symlinks are written last, after their targets are checked to stay
//!   inside; hard links must name a regular file written earlier;
//! * device nodes, FIFOs and sockets are refused;
//! * an entry-count cap and the free space bound what one archive may cost;
//! * mtimes are kept (they are evidence for the findings): files as written,
//!   links and folders at the end, deepest first.

use std::collections::HashSet;
use std::fs::{File, FileTimes};
use std::io::{self, Read, Write};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::time::{SystemTime, UNIX_EPOCH};

use rustix::fs::{AtFlags, Mode, OFlags, Timestamps};
use rustix::io::Errno;

use super::names::{Components, check_symlink, clean_name, join};
use crate::core::control::{Control, Phase};
use crate::core::error::{Error, ErrorKind, Result, plain_io};
use crate::core::fmt::{escaped_bytes, size};

/// What an entry says about itself besides its name.
#[derive(Debug, Clone, Copy, Default)]
pub struct Meta {
    pub mode: Option<u32>,
    pub mtime: Option<SystemTime>,
}

/// What one archive may cost (see [`super::limits`]).
#[derive(Debug, Clone)]
pub struct Limits {
    pub max_entries: u64,
    pub max_bytes: u64,
    /// Where the bytes go, and what to do when they do not fit.
    pub space_hint: String,
}

/// What was written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    pub entries: u64,
    pub files: u64,
    pub bytes: u64,
}

/// Writes entries under one root folder, refusing anything unsafe.
pub struct SafeWriter<'c> {
    label: String,
    root: OwnedFd,
    limits: Limits,
    ctl: Control<'c>,
    stats: Stats,
    /// The last parent folder opened: entries come grouped by folder.
    parent: Option<(Vec<u8>, OwnedFd)>,
    dirs: Vec<(Vec<u8>, Meta)>,
    links: Vec<(Vec<u8>, Vec<u8>, Meta)>,
    link_names: HashSet<Vec<u8>>,
    /// The entry being written, for errors raised by the reader.
    current: Vec<u8>,
    /// What to do when the source turns out truncated or corrupt.
    remedy: &'static str,
}

const DIR_FLAGS: OFlags = OFlags::RDONLY.union(OFlags::DIRECTORY).union(OFlags::NOFOLLOW).union(OFlags::CLOEXEC);

impl<'c> SafeWriter<'c> {
    /// `label` names the source in every sentence (already escaped).
    pub fn new(root: &std::path::Path, label: String, limits: Limits, ctl: &Control<'c>) -> Result<SafeWriter<'c>> {
        let root_fd = rustix::fs::open(root, DIR_FLAGS, Mode::empty())
            .map_err(|e| Error::io_at("open the folder", root, &e.into()))?;
        Ok(SafeWriter {
            label,
            root: root_fd,
            limits,
            ctl: *ctl,
            stats: Stats::default(),
            parent: None,
            dirs: Vec::new(),
            links: Vec::new(),
            link_names: HashSet::new(),
            current: Vec::new(),
            remedy: "get a fresh copy of it",
        })
    }

    /// Says what to do when the source breaks off (a stream: pull again).
    pub fn set_remedy(&mut self, remedy: &'static str) {
        self.remedy = remedy;
    }

    pub fn label(&self) -> &str {
        &self.label
    }

    /// One sentence: the source, the entry, and why it is refused.
    pub fn refuse(&self, entry: &[u8], why: &str) -> Error {
        Error::bad_input(format!("cannot unpack {}: entry {} {why}", self.label, escaped_bytes(entry)))
    }

    /// Refuses the entry after the last one written, before its name is known.
    pub fn refuse_next(&self, why: &str) -> Error {
        let which = if self.current.is_empty() {
            "its first entry".to_string()
        } else {
            format!("the entry after {}", escaped_bytes(&self.current))
        };
        Error::bad_input(format!("cannot unpack {}: {which} {why}", self.label))
    }

    /// The source itself is unreadable past the last entry written.
    pub fn broken(&self, err: &io::Error) -> Error {
        let after = if self.current.is_empty() {
            "at its start".to_string()
        } else {
            format!("after entry {}", escaped_bytes(&self.current))
        };
        Error::bad_input(format!(
            "cannot unpack {}: it is truncated or corrupt {after} ({}); {}",
            self.label,
            plain_io(err),
            self.remedy
        ))
    }

    /// The entry's own data cannot be read: cut short, or failing the
    /// source's own check (a zip entry's CRC).
    pub fn damaged(&self, entry: &[u8], err: &io::Error) -> Error {
        Error::bad_input(format!(
            "cannot unpack {}: its entry {} is truncated or corrupt ({}); {}",
            self.label,
            escaped_bytes(entry),
            plain_io(err),
            self.remedy
        ))
    }

    fn io(&self, entry: &[u8], err: io::Error) -> Error {
        let why = if err.raw_os_error() == Some(Errno::NOSPC.raw_os_error()) {
            format!("the disk is full ({})", self.limits.space_hint)
        } else {
            plain_io(&err)
        };
        Error::io(format!("could not unpack {}: writing entry {} failed: {why}", self.label, escaped_bytes(entry)))
    }

    /// Counts one entry against the cap, reports progress, honours cancel.
    fn count(&mut self, entry: &[u8]) -> Result<()> {
        self.current = entry.to_vec();
        if self.ctl.cancelled() {
            return Err(Error::new(ErrorKind::Cancelled, format!("unpacking {} was cancelled", self.label)));
        }
        self.stats.entries += 1;
        if self.stats.entries > self.limits.max_entries {
            return Err(self.refuse(
                entry,
                &format!(
                    "is past the limit of {} entries (a tar bomb?); if the archive is genuine, raise the limit with {}=N",
                    self.limits.max_entries,
                    super::MAX_ENTRIES_VAR
                ),
            ));
        }
        if self.stats.entries.is_multiple_of(64) {
            self.report();
        }
        Ok(())
    }

    fn report(&self) {
        self.ctl.progress(Phase::Unpack, self.stats.files, None);
        self.ctl.progress(Phase::UnpackBytes, self.stats.bytes, None);
    }

    fn clean<'n>(&self, entry: &'n [u8]) -> Result<Components<'n>> {
        clean_name(entry).map_err(|why| self.refuse(entry, &why))
    }

    /// Opens (and with `create`, makes) the folder `parts` under the root,
    /// one component at a time, never through a link.
    fn open_dir(&self, parts: &[&[u8]], entry: &[u8], create: bool) -> Result<OwnedFd> {
        let mut cur =
            rustix::fs::openat(&self.root, ".", DIR_FLAGS, Mode::empty()).map_err(|e| self.io(entry, e.into()))?;
        for (i, comp) in parts.iter().enumerate() {
            let next = match rustix::fs::openat(&cur, *comp, DIR_FLAGS, Mode::empty()) {
                Err(Errno::NOENT) if create => {
                    match rustix::fs::mkdirat(&cur, *comp, Mode::from_raw_mode(0o755)) {
                        Ok(()) | Err(Errno::EXIST) => {}
                        Err(e) => return Err(self.io(entry, e.into())),
                    }
                    rustix::fs::openat(&cur, *comp, DIR_FLAGS, Mode::empty())
                }
                other => other,
            };
            cur = match next {
                Ok(fd) => fd,
                Err(Errno::LOOP | Errno::NOTDIR) => {
                    let shown = escaped_bytes(&join(&parts[..=i]));
                    return Err(self.refuse(entry, &format!("goes through {shown}, which is not a folder")));
                }
                Err(Errno::NOENT) => {
                    return Err(self.refuse(entry, "needs a folder that is not in the archive"));
                }
                Err(e) => return Err(self.io(entry, e.into())),
            };
        }
        Ok(cur)
    }

    /// The parent folder of `parts`, from the cache when it is the last one.
    fn parent_of(&mut self, parts: &[&[u8]], entry: &[u8]) -> Result<BorrowedFd<'_>> {
        let dir = &parts[..parts.len() - 1];
        let key = join(dir);
        if self.parent.as_ref().is_none_or(|(k, _)| *k != key) {
            let fd = self.open_dir(dir, entry, true)?;
            self.parent = Some((key, fd));
        }
        Ok(self.parent.as_ref().map(|(_, fd)| fd.as_fd()).expect("just set"))
    }

    /// A folder entry; its mode and mtime are applied at the end.
    pub fn dir(&mut self, entry: &[u8], meta: Meta) -> Result<()> {
        let parts = self.clean(entry)?;
        if !parts.is_empty() {
            self.count(entry)?;
            self.open_dir(&parts, entry, true)?;
        }
        self.dirs.push((join(&parts), meta));
        Ok(())
    }

    /// A regular file of `size` bytes read from `data`.
    pub fn file(&mut self, entry: &[u8], len: u64, meta: Meta, data: &mut dyn Read) -> Result<()> {
        let parts = self.clean(entry)?;
        if parts.is_empty() {
            return Err(self.refuse(entry, "names the folder itself, not a file"));
        }
        self.count(entry)?;
        if self.stats.bytes.saturating_add(len) > self.limits.max_bytes {
            return Err(self.refuse(
                entry,
                &format!(
                    "takes the archive past {} of content, more than there is room for ({})",
                    size(self.limits.max_bytes),
                    self.limits.space_hint
                ),
            ));
        }
        let leaf = parts[parts.len() - 1];
        let mode = Mode::from_raw_mode(meta.mode.map_or(0o644, |m| m & 0o777) | 0o600);
        let flags = OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        let parent = self.parent_of(&parts, entry)?;
        let fd = match rustix::fs::openat(parent, leaf, flags, mode) {
            Ok(fd) => fd,
            Err(Errno::EXIST) => {
                return Err(self.refuse(entry, "appears twice in the archive (or clashes with a folder of that name)"));
            }
            Err(e) => return Err(self.io(entry, e.into())),
        };
        let mut file = File::from(fd);
        let copied = self.copy(entry, len, data, &mut file)?;
        if copied < len {
            return Err(self.damaged(entry, &io::Error::new(io::ErrorKind::UnexpectedEof, "it ends early")));
        }
        if let Some(t) = meta.mtime {
            file.set_times(FileTimes::new().set_modified(t).set_accessed(t)).map_err(|e| self.io(entry, e))?;
        }
        self.stats.files += 1;
        Ok(())
    }

    /// Copies at most `len` bytes, then reads on to the end of `data`: more
    /// than declared is refused, and a zip entry checks its CRC only when
    /// read to its end.
    fn copy(&mut self, entry: &[u8], len: u64, data: &mut dyn Read, out: &mut File) -> Result<u64> {
        let mut buf = vec![0u8; 256 * 1024];
        let mut done = 0u64;
        loop {
            let want = buf.len().min(usize::try_from(len - done).unwrap_or(usize::MAX)).max(1);
            let n = match data.read(&mut buf[..want]) {
                Ok(0) => return Ok(done),
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(self.damaged(entry, &e)),
            };
            if done + n as u64 > len {
                return Err(self.refuse(entry, "holds more data than it declares (a zip bomb?)"));
            }
            out.write_all(&buf[..n]).map_err(|e| self.io(entry, e))?;
            done += n as u64;
            self.stats.bytes += n as u64;
        }
    }

    /// A symbolic link: checked now and again at the end, written last.
    pub fn symlink(&mut self, entry: &[u8], target: &[u8], meta: Meta) -> Result<()> {
        let parts = self.clean(entry)?;
        if parts.is_empty() {
            return Err(self.refuse(entry, "names the folder itself, not a link"));
        }
        self.count(entry)?;
        check_symlink(&parts, target, &self.link_names).map_err(|why| self.refuse(entry, &why))?;
        let key = join(&parts);
        self.link_names.insert(key.clone());
        self.links.push((key, target.to_vec(), meta));
        Ok(())
    }

    /// A hard link to a regular file written earlier from the same archive.
    pub fn hardlink(&mut self, entry: &[u8], target: &[u8]) -> Result<()> {
        let parts = self.clean(entry)?;
        if parts.is_empty() {
            return Err(self.refuse(entry, "names the folder itself, not a link"));
        }
        self.count(entry)?;
        let shown = escaped_bytes(target);
        let not_a_file = || format!("is a hard link to {shown}, which is not a file written earlier from the archive");
        let tparts = match clean_name(target) {
            Ok(p) if !p.is_empty() => p,
            _ => return Err(self.refuse(entry, &format!("is a hard link to {shown}, outside the folder"))),
        };
        let tdir = match self.open_dir(&tparts[..tparts.len() - 1], entry, false) {
            Ok(fd) => fd,
            Err(_) => return Err(self.refuse(entry, &not_a_file())),
        };
        let tleaf = tparts[tparts.len() - 1];
        match rustix::fs::statat(&tdir, tleaf, AtFlags::SYMLINK_NOFOLLOW) {
            Ok(st) if rustix::fs::FileType::from_raw_mode(st.st_mode) == rustix::fs::FileType::RegularFile => {}
            _ => return Err(self.refuse(entry, &not_a_file())),
        }
        let leaf = parts[parts.len() - 1];
        let parent = self.parent_of(&parts, entry)?;
        match rustix::fs::linkat(&tdir, tleaf, parent, leaf, AtFlags::empty()) {
            Ok(()) => Ok(()),
            Err(Errno::EXIST) => Err(self.refuse(entry, "appears twice in the archive")),
            Err(e) => Err(self.io(entry, e.into())),
        }
    }

    /// Refuses an entry of a kind that has no place in a dump.
    pub fn special(&self, entry: &[u8], what: &str) -> Error {
        self.refuse(entry, &format!("is {what}, which has no place in a dump"))
    }

    /// Writes the links, then folder modes and mtimes (deepest first, so
    /// writing into a folder does not undo its mtime).
    pub fn finish(mut self) -> Result<Stats> {
        self.parent = None;
        let links = std::mem::take(&mut self.links);
        for (key, target, meta) in &links {
            let parts = clean_name(key).map_err(|why| self.refuse(key, &why))?;
            check_symlink(&parts, target, &self.link_names).map_err(|why| self.refuse(key, &why))?;
            let leaf = parts[parts.len() - 1];
            let parent = self.open_dir(&parts[..parts.len() - 1], key, true)?;
            match rustix::fs::symlinkat(target.as_slice(), &parent, leaf) {
                Ok(()) => {}
                Err(Errno::EXIST) => {
                    return Err(self.refuse(key, "appears twice in the archive (or clashes with a file or folder)"));
                }
                Err(e) => return Err(self.io(key, e.into())),
            }
            if let Some(ts) = meta.mtime.map(timestamps) {
                rustix::fs::utimensat(&parent, leaf, &ts, AtFlags::SYMLINK_NOFOLLOW)
                    .map_err(|e| self.io(key, e.into()))?;
            }
        }
        let mut dirs = std::mem::take(&mut self.dirs);
        dirs.sort_by_key(|(k, _)| {
            std::cmp::Reverse(k.iter().filter(|&&b| b == b'/').count() + usize::from(!k.is_empty()))
        });
        for (key, meta) in &dirs {
            let parts = clean_name(key).map_err(|why| self.refuse(key, &why))?;
            let fd = self.open_dir(&parts, key, false)?;
            if let Some(m) = meta.mode {
                rustix::fs::fchmod(&fd, Mode::from_raw_mode((m & 0o777) | 0o700))
                    .map_err(|e| self.io(key, e.into()))?;
            }
            if let Some(ts) = meta.mtime.map(timestamps) {
                rustix::fs::futimens(&fd, &ts).map_err(|e| self.io(key, e.into()))?;
            }
        }
        self.report();
        Ok(self.stats)
    }
}

fn timestamps(t: SystemTime) -> Timestamps {
    let spec = match t.duration_since(UNIX_EPOCH) {
        Ok(d) => rustix::fs::Timespec { tv_sec: d.as_secs() as i64, tv_nsec: d.subsec_nanos() as _ },
        Err(e) => {
            let d = e.duration();
            let (secs, nanos) = if d.subsec_nanos() == 0 {
                (-(d.as_secs() as i64), 0)
            } else {
                (-(d.as_secs() as i64) - 1, 1_000_000_000 - d.subsec_nanos())
            };
            rustix::fs::Timespec { tv_sec: secs, tv_nsec: nanos as _ }
        }
    };
    Timestamps { last_access: spec, last_modification: spec }
}
