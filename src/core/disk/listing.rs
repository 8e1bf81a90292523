//! A folder's entries, one at a time: on Linux straight from the kernel's
//! buffer, so a folder of a million files costs no allocation per name
//! (rustix's `Dir` copies each name into a fresh `CString`).

use std::ffi::CStr;
use std::ops::ControlFlow;
use std::os::fd::OwnedFd;

use rustix::fs::FileType;

/// Calls `each` with the name and type of every entry of `dir` except `.`
/// and `..`, in the folder's order, until it breaks: `Some` with what it
/// broke with, `None` when the listing ended. A type the file system does
/// not give in the listing comes as [`FileType::Unknown`].
pub(super) fn each_entry<B>(
    dir: &OwnedFd,
    mut each: impl FnMut(&CStr, FileType) -> ControlFlow<B>,
) -> rustix::io::Result<Option<B>> {
    let mut visit = |name: &CStr, file_type| match name.to_bytes() {
        b"." | b".." => ControlFlow::Continue(()),
        _ => each(name, file_type),
    };
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        use rustix::fs::{RawDir, SeekFrom, seek};
        // The listing reads `dir` itself: from its start, whoever read it before.
        seek(dir, SeekFrom::Start(0))?;
        let mut buf = Vec::with_capacity(64 * 1024);
        let mut listing = RawDir::new(dir, buf.spare_capacity_mut());
        while let Some(entry) = listing.next() {
            let entry = entry?;
            if let ControlFlow::Break(b) = visit(entry.file_name(), entry.file_type()) {
                return Ok(Some(b));
            }
        }
    }
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    for entry in rustix::fs::Dir::read_from(dir)? {
        let entry = entry?;
        if let ControlFlow::Break(b) = visit(entry.file_name(), entry.file_type()) {
            return Ok(Some(b));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustix::fs::{CWD, Mode, OFlags, openat};

    fn open(dir: &std::path::Path) -> OwnedFd {
        openat(CWD, dir, OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC, Mode::empty()).unwrap()
    }

    #[test]
    fn lists_every_entry_once_and_stops_when_asked() {
        let tmp = tempfile::tempdir().unwrap();
        // More names than one kernel buffer holds, so the listing refills it.
        for i in 0..3000 {
            std::fs::write(tmp.path().join(format!("{i:04}-a-rather-long-name-to-fill-the-buffer.wav")), b"").unwrap();
        }
        std::fs::create_dir(tmp.path().join("sub")).unwrap();
        let fd = open(tmp.path());
        let mut seen = Vec::new();
        let ended = each_entry(&fd, |name, ty| {
            seen.push((name.to_str().unwrap().to_owned(), ty));
            ControlFlow::<()>::Continue(())
        });
        assert_eq!(ended, Ok(None));
        seen.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(seen.len(), 3001);
        assert_eq!(seen[0].0, "0000-a-rather-long-name-to-fill-the-buffer.wav");
        assert_eq!(seen[3000], ("sub".to_owned(), FileType::Directory));
        assert!(seen[..3000].iter().all(|(_, ty)| *ty == FileType::RegularFile));
        // Read again through the same descriptor: from the start.
        let mut count = 0;
        let broke = each_entry(&fd, |_, _| {
            count += 1;
            if count == 10 { ControlFlow::Break(count) } else { ControlFlow::Continue(()) }
        });
        assert_eq!(broke, Ok(Some(10)));
        let mut again = 0;
        each_entry(&fd, |_, _| {
            again += 1;
            ControlFlow::<()>::Continue(())
        })
        .unwrap();
        assert_eq!(again, 3001);
    }
}
