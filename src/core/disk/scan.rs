//! Walking the cache dir into [`FileFacts`]: one stat per entry, then bounded
//! parallel header reads.

use std::ffi::{CString, OsStr};
use std::fs::File;
use std::os::fd::OwnedFd;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};

use rustix::fs::{AtFlags, CWD, Dir, FileType, Mode, OFlags, Stat, openat, statat};

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
    fn of_stat(st: &Stat) -> Identity {
        Identity {
            dev: st.st_dev,
            ino: st.st_ino,
            size: st.st_size.max(0) as u64,
            mtime_ns: st.st_mtime.saturating_mul(1_000_000_000).saturating_add(st.st_mtime_nsec as i64),
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

/// Header reads in flight: enough to keep a cold disk busy, few enough for
/// two warm cores (`CACHESCOPE_PROBE_THREADS` overrides).
fn probe_threads() -> usize {
    std::env::var("CACHESCOPE_PROBE_THREADS").ok().and_then(|v| v.parse().ok()).unwrap_or(8).clamp(1, 64)
}

/// Files probed per job sent to the pool.
const BATCH: usize = 256;

/// A batch of files of one folder to probe, with the folder kept open.
struct Job {
    dir: Arc<OwnedFd>,
    items: Vec<(usize, CString, Encoding, u64)>,
}

/// Walks `cache_dir` (skipping `exclude`, cachescope's own folder) and probes.
///
/// The walk reads each folder once and stats every entry relative to the
/// open folder (no path lookups); cache files go in batches to a pool of
/// probe threads while the walk goes on.
pub fn scan(cache_dir: &Path, exclude: &Path, ctl: &Control) -> Result<DiskScan> {
    let meta = std::fs::metadata(cache_dir).map_err(|e| Error::io_at("read the cache dir", cache_dir, &e))?;
    if !meta.is_dir() {
        return Err(Error::bad_input(format!("the cache dir {} is not a folder", escaped(cache_dir))));
    }
    let exclude_rel = exclude.strip_prefix(cache_dir).ok().map(Path::to_path_buf);
    let threads = probe_threads();
    let (job_tx, job_rx) = sync_channel::<Job>(threads * 2);
    let job_rx = Mutex::new(job_rx);
    let results: Mutex<Vec<(usize, std::result::Result<Probe, String>)>> = Mutex::new(Vec::new());
    let done = std::sync::atomic::AtomicU64::new(0);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| probe_worker(&job_rx, &results, &done, ctl));
        }
        let mut walker = Walker { out: DiskScan::default(), jobs: job_tx, ctl, exclude_rel };
        let walked = walker.walk(cache_dir);
        let Walker { out, jobs, .. } = walker;
        drop(jobs); // lets the workers finish
        walked.map(|()| out)
    })
    .and_then(|mut out: DiskScan| {
        let total = out.files.len() as u64;
        ctl.progress(Phase::Probe, total, Some(total));
        for (idx, probed) in results.into_inner().unwrap_or_else(|e| e.into_inner()) {
            let probe = probed.unwrap_or_else(|why| {
                out.problems.push(format!("could not read {}: {why}", escaped(&cache_dir.join(&out.files[idx].path))));
                Probe::Incomplete { reason: format!("could not read the header: {why}") }
            });
            if let FileKind::Cache { probe: slot, .. } = &mut out.files[idx].kind {
                *slot = probe;
            }
        }
        if ctl.cancelled() {
            return Err(Error::new(ErrorKind::Cancelled, "the scan was cancelled"));
        }
        out.files.sort_unstable_by(|a, b| a.path.as_os_str().as_bytes().cmp(b.path.as_os_str().as_bytes()));
        mark_duplicates(&mut out.files);
        Ok(out)
    })
}

fn probe_worker(
    jobs: &Mutex<Receiver<Job>>,
    results: &Mutex<Vec<(usize, std::result::Result<Probe, String>)>>,
    done: &std::sync::atomic::AtomicU64,
    ctl: &Control,
) {
    use std::sync::atomic::Ordering;
    loop {
        let job = match jobs.lock().unwrap_or_else(|e| e.into_inner()).recv() {
            Ok(job) => job,
            Err(_) => return,
        };
        let mut local = Vec::with_capacity(job.items.len());
        for (idx, name, encoding, len) in &job.items {
            if ctl.cancelled() {
                break;
            }
            let probed = openat(
                &*job.dir,
                name.as_c_str(),
                OFlags::RDONLY | OFlags::CLOEXEC | OFlags::NOFOLLOW | OFlags::NONBLOCK,
                Mode::empty(),
            )
            .map_err(|e| plain_io(&e.into()))
            .and_then(|fd| {
                let file = File::from(fd);
                probe(*encoding, &SizedFile::new(&file, *len)).map_err(|e| plain_io(&e))
            });
            local.push((*idx, probed));
        }
        let n = done.fetch_add(local.len() as u64, Ordering::Relaxed) + local.len() as u64;
        results.lock().unwrap_or_else(|e| e.into_inner()).extend(local);
        ctl.progress(Phase::Probe, n, None);
    }
}

struct Walker<'a> {
    out: DiskScan,
    jobs: SyncSender<Job>,
    ctl: &'a Control<'a>,
    exclude_rel: Option<PathBuf>,
}

impl Walker<'_> {
    fn walk(&mut self, root: &Path) -> Result<()> {
        let fd = openat(CWD, root, OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC, Mode::empty())
            .map_err(|e| Error::io_at("read the cache dir", root, &e.into()))?;
        self.walk_dir(root, Arc::new(fd), PathBuf::new())
    }

    /// Reads one folder; recurses into sub-folders (never through links).
    fn walk_dir(&mut self, root: &Path, fd: Arc<OwnedFd>, rel: PathBuf) -> Result<()> {
        let mut dir = match Dir::read_from(&*fd) {
            Ok(d) => d,
            Err(e) => {
                self.problem(root, &rel, &e.into());
                return Ok(());
            }
        };
        let mut batch: Vec<(usize, CString, Encoding, u64)> = Vec::new();
        let mut subdirs: Vec<(CString, PathBuf)> = Vec::new();
        for entry in dir.by_ref() {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    self.problem(root, &rel, &e.into());
                    break;
                }
            };
            let name = entry.file_name();
            let bytes = name.to_bytes();
            if bytes == b"." || bytes == b".." {
                continue;
            }
            let path = rel.join(OsStr::from_bytes(bytes));
            let st = match statat(&*fd, name, AtFlags::SYMLINK_NOFOLLOW) {
                Ok(st) => st,
                Err(e) => {
                    self.out.problems.push(format!(
                        "could not stat {}: {}",
                        escaped(&root.join(&path)),
                        plain_io(&e.into())
                    ));
                    continue;
                }
            };
            let ft = FileType::from_raw_mode(st.st_mode);
            if ft == FileType::Directory {
                if self.exclude_rel.as_deref() != Some(path.as_path()) {
                    subdirs.push((name.to_owned(), path));
                }
                continue;
            }
            let id = Identity::of_stat(&st);
            self.out.bytes += id.size;
            let class = classify_name(OsStr::from_bytes(bytes));
            let kind = match (ft, class) {
                (_, NameClass::Ignored) => continue,
                (FileType::Symlink, _) => FileKind::Stray { why: "symbolic link (not followed)" },
                (FileType::RegularFile, NameClass::Cache { key, encoding }) => {
                    batch.push((self.out.files.len(), name.to_owned(), encoding, id.size));
                    FileKind::Cache { key, encoding, probe: Probe::Incomplete { reason: "not probed".into() } }
                }
                (FileType::RegularFile, NameClass::Partial { key }) => FileKind::Partial { key },
                (FileType::RegularFile, NameClass::Stray) => FileKind::Stray { why: "not a cache file name" },
                _ => FileKind::Stray { why: "not a regular file" },
            };
            self.out.files.push(FileFacts { path, id, kind });
            if batch.len() == BATCH {
                self.send(&fd, &mut batch)?;
            }
            if self.out.files.len().is_multiple_of(8192) {
                self.ctl.progress(Phase::Walk, self.out.files.len() as u64, None);
                if self.ctl.cancelled() {
                    return Err(Error::new(ErrorKind::Cancelled, "the scan was cancelled"));
                }
            }
        }
        self.send(&fd, &mut batch)?;
        drop(dir);
        for (name, path) in subdirs {
            match openat(
                &*fd,
                name.as_c_str(),
                OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
                Mode::empty(),
            ) {
                Ok(sub) => self.walk_dir(root, Arc::new(sub), path)?,
                Err(e) => self.problem(root, &path, &e.into()),
            }
        }
        Ok(())
    }

    fn send(&mut self, fd: &Arc<OwnedFd>, batch: &mut Vec<(usize, CString, Encoding, u64)>) -> Result<()> {
        if batch.is_empty() {
            return Ok(());
        }
        let job = Job { dir: Arc::clone(fd), items: std::mem::take(batch) };
        self.jobs.send(job).map_err(|_| Error::io("the header readers stopped"))
    }

    fn problem(&mut self, root: &Path, rel: &Path, e: &std::io::Error) {
        self.out.problems.push(format!(
            "could not read {}: {}; its contents were not scanned",
            escaped(&root.join(rel)),
            plain_io(e)
        ));
    }
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
