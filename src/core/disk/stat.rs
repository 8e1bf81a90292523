//! Stats and folder opens relative to open descriptors: never through a
//! link, also below `PATH_MAX`'s reach.

use std::ffi::{CStr, CString};
use std::os::fd::OwnedFd;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use rustix::fs::{AtFlags, CWD, Mode, OFlags, Stat, openat, statat};

use crate::core::model::Identity;

impl Identity {
    pub fn of(meta: &std::fs::Metadata) -> Identity {
        Identity {
            dev: meta.dev(),
            ino: meta.ino(),
            size: meta.len(),
            mtime_ns: meta.mtime().saturating_mul(1_000_000_000).saturating_add(meta.mtime_nsec()),
        }
    }
    /// The identity of `rel` below `base` as it is now, links not followed;
    /// also for paths longer than `PATH_MAX` (folders nested thousands deep),
    /// which are reached one folder at a time.
    pub fn at(base: &Path, rel: &Path) -> std::io::Result<Identity> {
        match std::fs::symlink_metadata(base.join(rel)) {
            Err(e) if e.raw_os_error() == Some(rustix::io::Errno::NAMETOOLONG.raw_os_error()) => {}
            other => return other.map(|m| Identity::of(&m)),
        }
        let mut dir = openat(CWD, base, OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC, Mode::empty())?;
        let parts: Vec<_> = rel.components().collect();
        let (last, folders) = parts.split_last().ok_or_else(|| std::io::Error::from(std::io::ErrorKind::NotFound))?;
        for part in folders {
            let name = CString::new(part.as_os_str().as_bytes()).map_err(std::io::Error::other)?;
            dir = open_dir(&dir, &name)?;
        }
        let name = CString::new(last.as_os_str().as_bytes()).map_err(std::io::Error::other)?;
        Ok(Identity::of_stat(&statat(&dir, &name, AtFlags::SYMLINK_NOFOLLOW)?))
    }
    pub(super) fn of_stat(st: &Stat) -> Identity {
        Identity {
            dev: st.st_dev,
            ino: st.st_ino,
            size: st.st_size.max(0) as u64,
            mtime_ns: st.st_mtime.saturating_mul(1_000_000_000).saturating_add(st.st_mtime_nsec as i64),
        }
    }
}

pub(super) fn open_dir(parent: &OwnedFd, name: &CStr) -> rustix::io::Result<OwnedFd> {
    openat(parent, name, OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC, Mode::empty())
}

/// Opens the folder at `rel` below `root` without following any link on the
/// way: one `openat2(RESOLVE_NO_SYMLINKS)` where the kernel has it, else
/// one component at a time (also for paths longer than `PATH_MAX`).
pub(super) fn open_beneath(root: &OwnedFd, rel: &Path) -> rustix::io::Result<OwnedFd> {
    use rustix::fs::{ResolveFlags, openat2};
    let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    match openat2(root, rel, flags, Mode::empty(), ResolveFlags::NO_SYMLINKS | ResolveFlags::BENEATH) {
        Ok(fd) => return Ok(fd),
        Err(e) if e != rustix::io::Errno::NOSYS && e != rustix::io::Errno::NAMETOOLONG => return Err(e),
        Err(_) => {}
    }
    let mut fd: Option<OwnedFd> = None;
    for part in rel.components() {
        let name = CString::new(part.as_os_str().as_bytes()).map_err(|_| rustix::io::Errno::INVAL)?;
        fd = Some(open_dir(fd.as_ref().unwrap_or(root), &name)?);
    }
    fd.ok_or(rustix::io::Errno::INVAL)
}
