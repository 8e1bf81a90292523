//! A folder on this machine (a simulator's data container) copied into a
//! new dump through the same safe writer as archives: links are copied as
//! links (never followed), and only if they stay inside; mtimes are kept.

use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

use rustix::fs::{Mode, OFlags};
use walkdir::WalkDir;

use crate::core::archive::writer::{Meta, SafeWriter};
use crate::core::archive::{Stats, limits};
use crate::core::control::Control;
use crate::core::error::{Error, Result};
use crate::core::fmt::escaped;

/// Copies everything under `src` into the empty folder `dst`.
pub fn copy_tree(src: &Path, dst: &Path, hint: String, ctl: &Control) -> Result<Stats> {
    let mut w = SafeWriter::new(dst, escaped(src), limits(dst, hint)?, ctl)?;
    let walk = WalkDir::new(src).follow_links(false).min_depth(1).sort_by_file_name();
    for entry in walk {
        let entry = entry.map_err(|e| Error::io(format!("could not read {}: {e}", escaped(src))))?;
        let rel = entry.path().strip_prefix(src).unwrap_or(entry.path()).as_os_str().as_bytes().to_vec();
        let md = entry.metadata().map_err(|e| Error::io(format!("could not read {}: {e}", escaped(entry.path()))))?;
        let meta = Meta { mode: Some(md.permissions().mode()), mtime: md.modified().ok() };
        let ft = entry.file_type();
        if ft.is_dir() {
            w.dir(&rel, meta)?;
        } else if ft.is_symlink() {
            let target =
                std::fs::read_link(entry.path()).map_err(|e| Error::io_at("read the link", entry.path(), &e))?;
            w.symlink(&rel, target.as_os_str().as_bytes(), meta)?;
        } else if ft.is_file() {
            // O_NOFOLLOW: a file swapped for a link since the walk is not read through.
            let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
            let fd = rustix::fs::open(entry.path(), flags, Mode::empty())
                .map_err(|e| Error::io_at("read", entry.path(), &e.into()))?;
            let mut file = std::fs::File::from(fd);
            w.file(&rel, md.size(), meta, &mut file)?;
        } else {
            return Err(w.special(&rel, "a device node, FIFO or socket"));
        }
    }
    w.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_files_links_and_mtimes_and_refuses_links_out() {
        let src = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(src.path().join("Library/Caches/audio")).unwrap();
        let f = src.path().join("Library/Caches/audio/a.m4a");
        std::fs::write(&f, b"audio").unwrap();
        let t = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_123);
        std::fs::File::options().write(true).open(&f).unwrap().set_modified(t).unwrap();
        std::os::unix::fs::symlink("Caches", src.path().join("Library/C")).unwrap();
        let dst = tempfile::tempdir().unwrap();
        let stats = copy_tree(src.path(), dst.path(), String::new(), &Control::none()).unwrap();
        assert_eq!(stats.files, 1);
        let copied = dst.path().join("Library/Caches/audio/a.m4a");
        assert_eq!(std::fs::read(&copied).unwrap(), b"audio");
        assert_eq!(std::fs::metadata(&copied).unwrap().modified().unwrap(), t);
        assert_eq!(std::fs::read_link(dst.path().join("Library/C")).unwrap(), Path::new("Caches"));

        std::os::unix::fs::symlink("/etc", src.path().join("out")).unwrap();
        let dst = tempfile::tempdir().unwrap();
        let err = copy_tree(src.path(), dst.path(), String::new(), &Control::none()).unwrap_err();
        assert!(err.message.contains("entry out is a link to /etc"), "{}", err.message);
    }
}
