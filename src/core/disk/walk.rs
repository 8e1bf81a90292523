//! The walk of the cache dir: each folder read once, every entry stat-ed
//! relative to its open folder, cache files sent in batches to the pool.
//! Iterative, with a bounded number of open folders.

use std::ffi::{CString, OsStr};
use std::ops::ControlFlow;
use std::os::fd::OwnedFd;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::mpsc::SyncSender;
use std::sync::{Arc, Mutex};

use rustix::fs::{AtFlags, CWD, FileType, Mode, OFlags, openat, statat};

use super::listing::each_entry;
use super::pool::{BATCH, Facts, GONE, Item, Job};
use super::stat::{open_beneath, open_dir};
use crate::core::control::{Control, Phase};
use crate::core::error::{Error, ErrorKind, Result, plain_io};
use crate::core::fmt::escaped;
use crate::core::model::{DiskScan, FileFacts, FileKind, Identity, NameClass, classify_with_key};

/// Folders whose descriptors pending sub-folders may keep open; past this,
/// pending sub-folders are kept by path and opened from the root.
const MAX_OPEN_DIRS: usize = 64;

/// A sub-folder waiting to be read: by its parent's descriptor while few are
/// open, by its path (below the cache dir) otherwise.
enum Pending {
    ByParent { parent: Arc<OwnedFd>, name: CString, rel: PathBuf },
    ByPath { rel: PathBuf },
}

pub(super) struct Walker<'a> {
    pub out: DiskScan,
    pub jobs: SyncSender<Job>,
    pub ctl: &'a Control<'a>,
    pub exclude_rel: Vec<PathBuf>,
    /// What the pool found so far; folded into `out` as the walk goes, so
    /// the results never pile up.
    pub results: &'a Mutex<Vec<Vec<Facts>>>,
    pub gone: Vec<usize>,
    pub root: &'a Path,
    /// Whether any file was found below the cache dir's top level.
    pub nested: bool,
}

/// Moves the pool's results into the file list.
pub(super) fn absorb(out: &mut DiskScan, gone: &mut Vec<usize>, results: &Mutex<Vec<Vec<Facts>>>, root: &Path) {
    let batches = std::mem::take(&mut *results.lock().unwrap_or_else(|e| e.into_inner()));
    for Facts { idx, id, kind, problem, note } in batches.into_iter().flatten() {
        if let Some(why) = problem {
            out.problems.push(format!("could not read {}: {why}", escaped(&root.join(out.files[idx].path()))));
        }
        if let Some(note) = note {
            out.decoder_notes.push((out.files[idx].path().into_owned(), note));
        }
        if matches!(kind, FileKind::Stray { why: GONE }) {
            gone.push(idx);
        }
        out.files[idx].id = id;
        out.files[idx].kind = kind;
    }
}

impl Walker<'_> {
    /// Reads the cache dir and every folder below it, never through a link.
    /// The walk keeps its own stack (no recursion: folders nested thousands
    /// deep cannot overflow the call stack) and bounds the folders it holds
    /// open.
    pub(super) fn walk(&mut self, root: &Path) -> Result<()> {
        let fd = openat(CWD, root, OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC, Mode::empty())
            .map_err(|e| Error::io_at("read the cache dir", root, &e.into()))?;
        let root_fd = Arc::new(fd);
        let mut stack: Vec<Pending> = Vec::new();
        let mut held = 0usize;
        self.read_dir(root, Arc::clone(&root_fd), PathBuf::new(), &mut stack, &mut held)?;
        while let Some(next) = stack.pop() {
            let (opened, rel) = match next {
                Pending::ByParent { parent, name, rel } => {
                    held -= 1;
                    (open_dir(&parent, &name), rel)
                }
                Pending::ByPath { rel } => (open_beneath(&root_fd, &rel), rel),
            };
            match opened {
                Ok(fd) => self.read_dir(root, Arc::new(fd), rel, &mut stack, &mut held)?,
                Err(e) => self.unreadable_dir(root, &rel, &e.into()),
            }
        }
        Ok(())
    }

    /// Reads one folder: files go to the probe pool, sub-folders onto `stack`.
    fn read_dir(
        &mut self,
        root: &Path,
        fd: Arc<OwnedFd>,
        rel: PathBuf,
        stack: &mut Vec<Pending>,
        held: &mut usize,
    ) -> Result<()> {
        let mut batch: Vec<Item> = Vec::with_capacity(BATCH);
        let mut names: Vec<u8> = Vec::with_capacity(BATCH * 72);
        let mut subdirs: Vec<(CString, PathBuf)> = Vec::new();
        let listed = each_entry(&fd, |name, mut file_type| {
            let bytes = name.to_bytes();
            let name_os = OsStr::from_bytes(bytes);
            if file_type == FileType::Unknown {
                // Some file systems do not say in the listing: ask.
                match statat(&*fd, name, AtFlags::SYMLINK_NOFOLLOW) {
                    Ok(st) => file_type = FileType::from_raw_mode(st.st_mode),
                    Err(e) => {
                        self.out.problems.push(format!(
                            "could not stat {}: {}",
                            escaped(&root.join(&rel).join(name_os)),
                            plain_io(&e.into())
                        ));
                        return ControlFlow::Continue(());
                    }
                }
            }
            if self.exclude_rel.iter().any(|p| p.parent() == Some(&rel) && p.file_name() == Some(name_os)) {
                return ControlFlow::Continue(());
            }
            if file_type == FileType::Directory {
                subdirs.push((name.to_owned(), rel.join(name_os)));
                return ControlFlow::Continue(());
            }
            let (class, key) = classify_with_key(bytes);
            if class == NameClass::Ignored {
                return ControlFlow::Continue(());
            }
            self.nested |= !rel.as_os_str().is_empty();
            let start = names.len();
            names.extend_from_slice(name.to_bytes_with_nul());
            batch.push(Item { idx: self.out.files.len(), name: start..names.len(), class, file_type });
            let (id, kind) = (Identity::default(), FileKind::Stray { why: "not scanned" });
            self.out.files.push(if rel.as_os_str().is_empty() {
                FileFacts::at_top(bytes, id, kind, key)
            } else {
                FileFacts::with_key(rel.join(name_os), id, kind, key)
            });
            if batch.len() == BATCH
                && let Err(e) = self.send(&fd, &mut batch, &mut names)
            {
                return ControlFlow::Break(e);
            }
            if self.out.files.len().is_multiple_of(8192) {
                self.ctl.progress(Phase::Walk, self.out.files.len() as u64, None);
                if self.ctl.cancelled() {
                    return ControlFlow::Break(Error::new(ErrorKind::Cancelled, "the scan was cancelled"));
                }
            }
            ControlFlow::Continue(())
        });
        match listed {
            Ok(None) => {}
            Ok(Some(stopped)) => return Err(stopped),
            Err(e) => self.unreadable_dir(root, &rel, &e.into()),
        }
        self.send(&fd, &mut batch, &mut names)?;
        // Pushed in reverse: popped in name order, depth first.
        for (name, path) in subdirs.into_iter().rev() {
            if *held < MAX_OPEN_DIRS {
                *held += 1;
                stack.push(Pending::ByParent { parent: Arc::clone(&fd), name, rel: path });
            } else {
                stack.push(Pending::ByPath { rel: path });
            }
        }
        Ok(())
    }

    fn send(&mut self, fd: &Arc<OwnedFd>, batch: &mut Vec<Item>, names: &mut Vec<u8>) -> Result<()> {
        if batch.is_empty() {
            return Ok(());
        }
        // The next batch's vectors are sized for a whole batch at once.
        let names = std::mem::replace(names, Vec::with_capacity(names.capacity()));
        let items = std::mem::replace(batch, Vec::with_capacity(BATCH));
        let job = Job { dir: Arc::clone(fd), names, items };
        self.jobs.send(job).map_err(|_| Error::io("the header readers stopped"))?;
        absorb(&mut self.out, &mut self.gone, self.results, self.root);
        Ok(())
    }

    fn unreadable_dir(&mut self, root: &Path, rel: &Path, e: &std::io::Error) {
        self.out.problems.push(format!(
            "could not read {}: {}; its contents were not scanned",
            escaped(&root.join(rel)),
            plain_io(e)
        ));
        self.out.unreadable_dirs.push(rel.to_path_buf());
    }
}
