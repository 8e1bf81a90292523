//! Walking the cache dir into [`FileFacts`]: one stat per entry, then bounded
//! parallel header reads.

use std::ffi::{CStr, CString, OsStr};
use std::fs::File;
use std::os::fd::OwnedFd;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};

use rustix::fs::{AtFlags, CWD, Dir, FileType, Mode, OFlags, Stat, fstat, openat, statat};

use super::names::{Encoding, NameClass, classify_with_key};
use super::probe::{Probe, SizedFile, probe};
use crate::core::control::{Control, Phase};
use crate::core::error::{Error, ErrorKind, Result, plain_io};
use crate::core::fmt::escaped;
use crate::core::key::{Key, prefix_of};
use crate::core::sort::sort_by_prefix;

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
    /// The name's key (see [`FileFacts::key`]), parsed once at the listing:
    /// detection reads it for every file without touching the path.
    key: Option<Key>,
}

impl FileFacts {
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

/// Everything found under the cache dir, sorted by path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DiskScan {
    pub files: Vec<FileFacts>,
    /// Folders or files that could not be read: one sentence each.
    pub problems: Vec<String>,
    /// Folders (relative to the cache dir) whose contents could not be
    /// listed: any key's files may hide in them.
    pub unreadable_dirs: Vec<PathBuf>,
    pub bytes: u64,
}

impl DiskScan {
    /// Cache-named audio files (complete or not): none means an empty or
    /// unmounted copy, which the blast-radius guard refuses to act on.
    pub fn audio_files(&self) -> usize {
        self.files.iter().filter(|f| matches!(f.kind, FileKind::Cache { .. })).count()
    }
}

/// Header reads in flight at most: enough to keep a cold disk busy
/// (`CACHESCOPE_PROBE_THREADS` overrides).
fn probe_threads() -> usize {
    std::env::var("CACHESCOPE_PROBE_THREADS").ok().and_then(|v| v.parse().ok()).unwrap_or(16).clamp(1, 64)
}

/// A read slower than this came from the disk, not the page cache.
const COLD_READ: std::time::Duration = std::time::Duration::from_micros(500);

/// Lets only as many probe threads work as there are cores while reads hit
/// the page cache (more would only switch contexts), and all of them once a
/// read is seen waiting on the disk (then more reads in flight is faster).
struct Gate {
    base: usize,
    /// Slow reads seen: one could be a scheduling hiccup, many are the disk.
    slow: std::sync::atomic::AtomicU32,
    cold: Mutex<bool>,
    wake: std::sync::Condvar,
}

impl Gate {
    fn new(threads: usize) -> Gate {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Gate {
            base: cores.min(threads),
            slow: std::sync::atomic::AtomicU32::new(0),
            cold: Mutex::new(false),
            wake: std::sync::Condvar::new(),
        }
    }
    /// Blocks worker `i` until it may work (or the scan ends).
    fn enter(&self, i: usize, finished: &std::sync::atomic::AtomicBool) {
        if i < self.base {
            return;
        }
        let mut cold = self.cold.lock().unwrap_or_else(|e| e.into_inner());
        while !*cold && !finished.load(std::sync::atomic::Ordering::Relaxed) {
            cold = self.wake.wait(cold).unwrap_or_else(|e| e.into_inner());
        }
    }
    fn saw(&self, took: std::time::Duration) {
        if took > COLD_READ && self.slow.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1 == 16 {
            let mut cold = self.cold.lock().unwrap_or_else(|e| e.into_inner());
            if !*cold {
                *cold = true;
                self.wake.notify_all();
            }
        }
    }
    fn finish(&self, finished: &std::sync::atomic::AtomicBool) {
        finished.store(true, std::sync::atomic::Ordering::Relaxed);
        let _guard = self.cold.lock().unwrap_or_else(|e| e.into_inner());
        self.wake.notify_all();
    }
}

/// Files probed per job sent to the pool.
const BATCH: usize = 256;

/// A batch of entries of one folder to stat and probe, the folder kept open.
struct Job {
    dir: Arc<OwnedFd>,
    /// The entries' names back to back, each with its NUL: one allocation
    /// per batch, not one per file.
    names: Vec<u8>,
    items: Vec<Item>,
}

/// One entry as the folder listing gave it.
struct Item {
    idx: usize,
    /// Where its name (with the NUL) lies in [`Job::names`].
    name: std::ops::Range<usize>,
    class: NameClass,
    /// From the listing (`d_type`); `Unknown` entries were stat-ed by the walker.
    file_type: FileType,
}

type Facts = (usize, Identity, FileKind, Option<String>);

/// Walks `cache_dir` (skipping the `exclude` paths: cachescope's own folder,
/// the database and its side files) and probes.
///
/// The walk reads each folder once and stats every entry relative to the
/// open folder (no path lookups); cache files go in batches to a pool of
/// probe threads while the walk goes on.
pub fn scan(cache_dir: &Path, exclude: &[PathBuf], ctl: &Control) -> Result<DiskScan> {
    let meta = std::fs::metadata(cache_dir).map_err(|e| Error::io_at("read the cache dir", cache_dir, &e))?;
    if !meta.is_dir() {
        return Err(Error::bad_input(format!("the cache dir {} is not a folder", escaped(cache_dir))));
    }
    let exclude_rel: Vec<PathBuf> =
        exclude.iter().filter_map(|p| p.strip_prefix(cache_dir).ok().map(Path::to_path_buf)).collect();
    let threads = probe_threads();
    let (job_tx, job_rx) = sync_channel::<Job>(threads * 2);
    let job_rx = Mutex::new(job_rx);
    let results: Mutex<Vec<Facts>> = Mutex::new(Vec::new());
    let done = std::sync::atomic::AtomicU64::new(0);
    let gate = Gate::new(threads);
    let finished = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|s| {
        for i in 0..threads {
            let (job_rx, results, done, gate, finished) = (&job_rx, &results, &done, &gate, &finished);
            s.spawn(move || {
                gate.enter(i, finished);
                probe_worker(job_rx, results, done, ctl, gate);
            });
        }
        let mut walker = Walker {
            out: DiskScan::default(),
            jobs: job_tx,
            ctl,
            exclude_rel,
            results: &results,
            gone: Vec::new(),
            root: cache_dir,
            nested: false,
        };
        let walked = walker.walk(cache_dir);
        let Walker { out, jobs, gone, nested, .. } = walker;
        drop(jobs); // lets the workers finish
        gate.finish(&finished);
        walked.map(|()| (out, gone, nested))
    })
    .and_then(|(mut out, mut gone, nested): (DiskScan, Vec<usize>, bool)| {
        let total = out.files.len() as u64;
        ctl.progress(Phase::Probe, total, Some(total));
        absorb(&mut out, &mut gone, &results, cache_dir);
        // Entries that vanished between the listing and the stat are not files.
        if !gone.is_empty() {
            let gone: rustc_hash::FxHashSet<usize> = gone.into_iter().collect();
            let mut i = 0;
            out.files.retain(|_| {
                i += 1;
                !gone.contains(&(i - 1))
            });
        }
        out.bytes = out.files.iter().map(|f| f.id.size).sum();
        if ctl.cancelled() {
            return Err(Error::new(ErrorKind::Cancelled, "the scan was cancelled"));
        }
        sort_by_prefix(&mut out.files, |f| prefix_of(path_bytes(f)), |a, b| path_bytes(a).cmp(path_bytes(b)));
        // Names are unique within one folder: only files in sub-folders can clash.
        if nested {
            mark_duplicates(&mut out.files);
        }
        Ok(out)
    })
}

fn path_bytes(f: &FileFacts) -> &[u8] {
    f.path.as_os_str().as_bytes()
}

/// Marks an entry that disappeared before it could be stat-ed.
const GONE: &str = "vanished during the scan";

fn probe_worker(
    jobs: &Mutex<Receiver<Job>>,
    results: &Mutex<Vec<Facts>>,
    done: &std::sync::atomic::AtomicU64,
    ctl: &Control,
    gate: &Gate,
) {
    use std::sync::atomic::Ordering;
    loop {
        let job = match jobs.lock().unwrap_or_else(|e| e.into_inner()).recv() {
            Ok(job) => job,
            Err(_) => return,
        };
        let mut local = Vec::with_capacity(job.items.len());
        for item in job.items {
            if ctl.cancelled() {
                break;
            }
            let Ok(name) = CStr::from_bytes_with_nul(&job.names[item.name.clone()]) else { continue };
            let t = std::time::Instant::now();
            local.push(facts(&job.dir, name, item));
            gate.saw(t.elapsed());
        }
        let n = done.fetch_add(local.len() as u64, Ordering::Relaxed) + local.len() as u64;
        results.lock().unwrap_or_else(|e| e.into_inner()).extend(local);
        ctl.progress(Phase::Probe, n, None);
    }
}

/// Stats one entry (through its open file when it will be probed anyway)
/// and probes cache files.
fn facts(dir: &OwnedFd, name: &CStr, item: Item) -> Facts {
    let Item { idx, class, file_type, .. } = item;
    let flags = OFlags::RDONLY | OFlags::CLOEXEC | OFlags::NOFOLLOW | OFlags::NONBLOCK;
    if let (FileType::RegularFile, NameClass::Cache { encoding }) = (file_type, class) {
        match openat(dir, name, flags, Mode::empty()) {
            Ok(fd) => {
                // fstat: statx on a descriptor costs an empty-path lookup.
                let st = fstat(&fd);
                let file = File::from(fd);
                if let Ok(st) = st
                    && FileType::from_raw_mode(st.st_mode) == FileType::RegularFile
                {
                    let id = Identity::of_stat(&st);
                    return match probe(encoding, &SizedFile::new(&file, id.size)) {
                        Ok(probe) => (idx, id, FileKind::Cache { encoding, probe }, None),
                        Err(e) => unreadable(idx, id, encoding, &e),
                    };
                }
            }
            Err(e) if e == rustix::io::Errno::ACCESS || e == rustix::io::Errno::PERM => {
                let id =
                    statat(dir, name, AtFlags::SYMLINK_NOFOLLOW).map(|st| Identity::of_stat(&st)).unwrap_or_default();
                return unreadable(idx, id, encoding, &e.into());
            }
            Err(_) => {} // replaced by another kind of entry: stat it below
        }
    }
    let st = match statat(dir, name, AtFlags::SYMLINK_NOFOLLOW) {
        Ok(st) => st,
        Err(e) => return (idx, Identity::default(), FileKind::Stray { why: GONE }, Some(plain_io(&e.into()))),
    };
    let id = Identity::of_stat(&st);
    let kind = match (FileType::from_raw_mode(st.st_mode), class) {
        (FileType::Symlink, _) => FileKind::Stray { why: "symbolic link (not followed)" },
        (FileType::RegularFile, NameClass::Cache { encoding }) => {
            // Listed as something else, a regular file now: probe it.
            let probed = openat(dir, name, flags, Mode::empty())
                .map_err(|e| plain_io(&e.into()))
                .and_then(|fd| probe(encoding, &SizedFile::new(&File::from(fd), id.size)).map_err(|e| plain_io(&e)));
            match probed {
                Ok(probe) => FileKind::Cache { encoding, probe },
                Err(why) => {
                    return (idx, id, FileKind::Unreadable { encoding, why: why.clone() }, Some(why));
                }
            }
        }
        (FileType::RegularFile, NameClass::Partial) => FileKind::Partial,
        (FileType::RegularFile, _) => FileKind::Stray { why: "not a cache file name" },
        _ => FileKind::Stray { why: "not a regular file" },
    };
    (idx, id, kind, None)
}

/// A cache file that could not be read: its state is unknown, not incomplete.
fn unreadable(idx: usize, id: Identity, encoding: Encoding, e: &std::io::Error) -> Facts {
    let why = plain_io(e);
    (idx, id, FileKind::Unreadable { encoding, why: why.clone() }, Some(why))
}

/// Folders whose descriptors pending sub-folders may keep open; past this,
/// pending sub-folders are kept by path and opened from the root.
const MAX_OPEN_DIRS: usize = 64;

/// A sub-folder waiting to be read: by its parent's descriptor while few are
/// open, by its path (below the cache dir) otherwise.
enum Pending {
    ByParent { parent: Arc<OwnedFd>, name: CString, rel: PathBuf },
    ByPath { rel: PathBuf },
}

struct Walker<'a> {
    out: DiskScan,
    jobs: SyncSender<Job>,
    ctl: &'a Control<'a>,
    exclude_rel: Vec<PathBuf>,
    /// What the pool found so far; folded into `out` as the walk goes, so
    /// the results never pile up.
    results: &'a Mutex<Vec<Facts>>,
    gone: Vec<usize>,
    root: &'a Path,
    /// Whether any file was found below the cache dir's top level.
    nested: bool,
}

/// Moves the pool's results into the file list.
fn absorb(out: &mut DiskScan, gone: &mut Vec<usize>, results: &Mutex<Vec<Facts>>, root: &Path) {
    let batch = std::mem::take(&mut *results.lock().unwrap_or_else(|e| e.into_inner()));
    for (idx, id, kind, problem) in batch {
        if let Some(why) = problem {
            out.problems.push(format!("could not read {}: {why}", escaped(&root.join(&out.files[idx].path))));
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
    fn walk(&mut self, root: &Path) -> Result<()> {
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
        let mut dir = match Dir::read_from(&*fd) {
            Ok(d) => d,
            Err(e) => {
                self.unreadable_dir(root, &rel, &e.into());
                return Ok(());
            }
        };
        let mut batch: Vec<Item> = Vec::new();
        let mut names: Vec<u8> = Vec::new();
        let mut subdirs: Vec<(CString, PathBuf)> = Vec::new();
        for entry in dir.by_ref() {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    self.unreadable_dir(root, &rel, &e.into());
                    break;
                }
            };
            let name = entry.file_name();
            let bytes = name.to_bytes();
            if bytes == b"." || bytes == b".." {
                continue;
            }
            let path = rel.join(OsStr::from_bytes(bytes));
            let mut file_type = entry.file_type();
            if file_type == FileType::Unknown {
                // Some file systems do not say in the listing: ask.
                match statat(&*fd, name, AtFlags::SYMLINK_NOFOLLOW) {
                    Ok(st) => file_type = FileType::from_raw_mode(st.st_mode),
                    Err(e) => {
                        self.out.problems.push(format!(
                            "could not stat {}: {}",
                            escaped(&root.join(&path)),
                            plain_io(&e.into())
                        ));
                        continue;
                    }
                }
            }
            if self.exclude_rel.contains(&path) {
                continue;
            }
            if file_type == FileType::Directory {
                subdirs.push((name.to_owned(), path));
                continue;
            }
            let (class, key) = classify_with_key(bytes);
            if class == NameClass::Ignored {
                continue;
            }
            self.nested |= !rel.as_os_str().is_empty();
            let start = names.len();
            names.extend_from_slice(name.to_bytes_with_nul());
            batch.push(Item { idx: self.out.files.len(), name: start..names.len(), class, file_type });
            self.out.files.push(FileFacts {
                path,
                id: Identity::default(),
                kind: FileKind::Stray { why: "not scanned" },
                key,
            });
            if batch.len() == BATCH {
                self.send(&fd, &mut batch, &mut names)?;
            }
            if self.out.files.len().is_multiple_of(8192) {
                self.ctl.progress(Phase::Walk, self.out.files.len() as u64, None);
                if self.ctl.cancelled() {
                    return Err(Error::new(ErrorKind::Cancelled, "the scan was cancelled"));
                }
            }
        }
        self.send(&fd, &mut batch, &mut names)?;
        drop(dir);
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
        let job = Job { dir: Arc::clone(fd), names: std::mem::take(names), items: std::mem::take(batch) };
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

fn open_dir(parent: &OwnedFd, name: &CStr) -> rustix::io::Result<OwnedFd> {
    openat(parent, name, OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC, Mode::empty())
}

/// Opens the folder at `rel` below `root` without following any link on the
/// way: one `openat2(RESOLVE_NO_SYMLINKS)` where the kernel has it, else
/// one component at a time (also for paths longer than `PATH_MAX`).
fn open_beneath(root: &OwnedFd, rel: &Path) -> rustix::io::Result<OwnedFd> {
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
