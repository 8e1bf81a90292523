//! The pool of threads that stat and probe the files the walk lists (and,
//! with `--deep`, decode them), in batches of one folder's entries.

use std::ffi::CStr;
use std::fs::File;
use std::os::fd::OwnedFd;
use std::sync::mpsc::Receiver;
use std::sync::{Arc, Mutex};

use rustix::fs::{AtFlags, FileType, Mode, OFlags, fstat, openat, statat};

use super::decode::{Decoded, decode};
use super::probe::{ReadAt, SizedFile, probe};
use crate::core::control::{Control, Phase};
use crate::core::error::{ErrorKind, plain_io};
use crate::core::model::{Encoding, FileKind, Identity, NameClass, Probe};

/// Probe threads (`CACHESCOPE_PROBE_THREADS` overrides). On a cold disk
/// each reads ahead (see [`Gate::ahead`]), so a few keep hundreds of reads
/// in flight. Measured cold at a million files on a virtual disk: 2, 4, 8
/// and 16 threads all took 12–15 s; 32 threads reading one file at a time
/// took 16–24 s.
pub(super) fn probe_threads() -> usize {
    std::env::var("CACHESCOPE_PROBE_THREADS").ok().and_then(|v| v.parse().ok()).unwrap_or(8).clamp(1, 64)
}

/// Files read ahead by all probe threads together, each held open until
/// probed: well under the usual limit of 1 024 open files.
const AHEAD_IN_ALL: usize = 512;

/// Where the kernel cannot say whether a read waited on the disk, a read
/// slower than this did.
const COLD_READ: std::time::Duration = std::time::Duration::from_micros(500);

/// Of [`COLD_OF`] header reads in a row by one thread, how many must wait
/// on the disk before the pool turns to reading ahead. On a cold dump
/// nearly every read waits. A dump read a moment ago can still lose pages
/// to the kernel's reclaim (on this project's machine from none to 9 000
/// of a million between two runs, in clusters): a few here and there are
/// read as they come, a quarter of a run of reads makes the disk cold.
const COLD_AFTER: u32 = 64;
const COLD_OF: u32 = 256;

/// Lets only as many probe threads work as there are cores while reads hit
/// the page cache (more would only switch contexts), and all of them, each
/// reading ahead, once reads are seen waiting on the disk.
pub(super) struct Gate {
    base: usize,
    /// Files each thread reads ahead once the disk is cold.
    pub(super) ahead: usize,
    /// Set once, as the disk is found cold; read before each window.
    is_cold: std::sync::atomic::AtomicBool,
    cold: Mutex<bool>,
    wake: std::sync::Condvar,
}

impl Gate {
    pub(super) fn new(threads: usize) -> Gate {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Gate {
            base: cores.min(threads),
            ahead: (AHEAD_IN_ALL / threads.max(1)).clamp(1, 64),
            is_cold: std::sync::atomic::AtomicBool::new(false),
            cold: Mutex::new(false),
            wake: std::sync::Condvar::new(),
        }
    }
    /// Blocks worker `i` until it may work (or the scan ends).
    pub(super) fn enter(&self, i: usize, finished: &std::sync::atomic::AtomicBool) {
        if i < self.base {
            return;
        }
        let mut cold = self.cold.lock().unwrap_or_else(|e| e.into_inner());
        while !*cold && !finished.load(std::sync::atomic::Ordering::Relaxed) {
            cold = self.wake.wait(cold).unwrap_or_else(|e| e.into_inner());
        }
    }
    /// Whether reads were seen waiting on the disk: then files are read
    /// ahead (while reads hit the page cache, asking costs a call per file
    /// for nothing).
    pub(super) fn is_cold(&self) -> bool {
        self.is_cold.load(std::sync::atomic::Ordering::Relaxed)
    }
    /// Wakes every thread and has them read ahead from now on.
    fn turn_cold(&self) {
        self.is_cold.store(true, std::sync::atomic::Ordering::Relaxed);
        let mut cold = self.cold.lock().unwrap_or_else(|e| e.into_inner());
        if !*cold {
            *cold = true;
            self.wake.notify_all();
        }
    }
    pub(super) fn finish(&self, finished: &std::sync::atomic::AtomicBool) {
        finished.store(true, std::sync::atomic::Ordering::Relaxed);
        let _guard = self.cold.lock().unwrap_or_else(|e| e.into_inner());
        self.wake.notify_all();
    }
}

/// One probe thread's count of its last header reads that waited on the disk.
#[derive(Default)]
struct Misses {
    seen: u32,
    waited: u32,
}

impl Misses {
    /// Counts one read; true once [`COLD_AFTER`] of a run of [`COLD_OF`] waited.
    fn count(&mut self, waited: bool) -> bool {
        self.seen += 1;
        self.waited += u32::from(waited);
        let cold = self.waited >= COLD_AFTER;
        if self.seen == COLD_OF {
            *self = Misses::default();
        }
        cold
    }
}

/// Reads `file`'s head before its probe does, to learn whether it waits on
/// the disk: the page cache says so where the kernel can tell (a read's
/// time cannot: on a busy machine a thread may lose its core for
/// milliseconds in the middle of a cached read), the read's time elsewhere.
/// Only header reads count: a decode's time is the CPU's.
fn head_waited(file: &SizedFile) -> bool {
    match file.head_cached() {
        Some(cached) => !cached,
        None => {
            let t = std::time::Instant::now();
            // Fills the head; an error is the probe's to report.
            let _ = file.read_at(&mut [0], 0);
            t.elapsed() > COLD_READ
        }
    }
}

/// Files probed per job sent to the pool.
pub(super) const BATCH: usize = 256;

/// A batch of entries of one folder to stat and probe, the folder kept open.
pub(super) struct Job {
    pub dir: Arc<OwnedFd>,
    /// The entries' names back to back, each with its NUL: one allocation
    /// per batch, not one per file.
    pub names: Vec<u8>,
    pub items: Vec<Item>,
}

/// One entry as the folder listing gave it.
pub(super) struct Item {
    pub idx: usize,
    /// Where its name (with the NUL) lies in [`Job::names`].
    pub name: std::ops::Range<usize>,
    pub class: NameClass,
    /// From the listing (`d_type`); `Unknown` entries were stat-ed by the walker.
    pub file_type: FileType,
}

/// What the pool learnt of one entry.
pub(super) struct Facts {
    pub idx: usize,
    pub id: Identity,
    pub kind: FileKind,
    /// Why it could not be read, for the scan's problems.
    pub problem: Option<String>,
    /// With `--deep`: the decoder does not know this file's codec.
    pub note: Option<String>,
}

/// Marks an entry that disappeared before it could be stat-ed.
pub(super) const GONE: &str = "vanished during the scan";

pub(super) fn probe_worker(
    jobs: &Mutex<Receiver<Job>>,
    results: &Mutex<Vec<Vec<Facts>>>,
    done: &std::sync::atomic::AtomicU64,
    ctl: &Control,
    gate: &Gate,
    deep: bool,
) {
    use std::sync::atomic::Ordering;
    let mut window: Vec<(Item, Option<OwnedFd>)> = Vec::new();
    let mut misses = Misses::default();
    loop {
        let job = match jobs.lock().unwrap_or_else(|e| e.into_inner()).recv() {
            Ok(job) => job,
            Err(_) => return,
        };
        let mut local = Vec::with_capacity(job.items.len());
        let mut items = job.items.into_iter().peekable();
        while items.peek().is_some() && !ctl.cancelled() {
            // On a cold disk a window's reads are all asked for first, then
            // waited on one by one: many reads in flight from few threads,
            // and the disk's queue can put them in the order they lie in.
            let cold = gate.is_cold();
            window.extend(items.by_ref().take(gate.ahead).map(|item| {
                let opened = if cold { read_ahead(&job.dir, name_of(&job.names, &item), &item, deep) } else { None };
                (item, opened)
            }));
            for (item, opened) in window.drain(..) {
                if ctl.cancelled() {
                    break;
                }
                let Some(name) = name_of(&job.names, &item) else { continue };
                let Read { facts: found, to_decode, waited } = read_facts(&job.dir, name, item, deep, opened);
                if misses.count(waited) && !gate.is_cold() {
                    gate.turn_cold();
                }
                local.push(match to_decode {
                    Some((file, encoding)) => deep_check(found, file, encoding, ctl),
                    None => found,
                });
            }
        }
        let n = done.fetch_add(local.len() as u64, Ordering::Relaxed) + local.len() as u64;
        // Handed over whole: no copy of the facts, no vector regrown.
        results.lock().unwrap_or_else(|e| e.into_inner()).push(local);
        ctl.progress(Phase::Probe, n, None);
    }
}

fn name_of<'a>(names: &'a [u8], item: &Item) -> Option<&'a CStr> {
    CStr::from_bytes_with_nul(names.get(item.name.clone())?).ok()
}

/// Opens a cache file and asks the kernel to start reading its first page
/// (with `deep`, its first [`DEEP_AHEAD`] bytes) without waiting:
/// `posix_fadvise(WILLNEED)` queues the read and returns. Anything else, or
/// any failure, is left to [`read_facts`], which reports it.
fn read_ahead(dir: &OwnedFd, name: Option<&CStr>, item: &Item, deep: bool) -> Option<OwnedFd> {
    if !matches!((item.file_type, item.class), (FileType::RegularFile, NameClass::Cache { .. })) {
        return None;
    }
    let fd = open_untouched(dir, name?, PROBE_OPEN).ok()?;
    let len = std::num::NonZeroU64::new(if deep { DEEP_AHEAD } else { 4096 });
    let _ = rustix::fs::fadvise(&fd, 0, len, rustix::fs::Advice::WillNeed);
    Some(fd)
}

/// Bytes of each file read ahead for `--deep`: a speech clip of tens of
/// seconds whole, yet at most 128 MiB asked for at once by all threads; the
/// kernel's own read-ahead follows a longer file as it is decoded.
const DEEP_AHEAD: u64 = 256 * 1024;

/// How cache files are opened to be probed: never through a link, never
/// waiting on a FIFO that took a cache file's name.
const PROBE_OPEN: OFlags = OFlags::RDONLY.union(OFlags::CLOEXEC).union(OFlags::NOFOLLOW).union(OFlags::NONBLOCK);

/// [`read_facts`], then with `deep` the decode of a complete cache file.
pub(super) fn facts(dir: &OwnedFd, name: &CStr, item: Item, deep: bool, ctl: &Control) -> Facts {
    match read_facts(dir, name, item, deep, None) {
        Read { facts, to_decode: Some((file, encoding)), .. } => deep_check(facts, file, encoding, ctl),
        Read { facts, .. } => facts,
    }
}

/// What [`read_facts`] learnt of one entry.
struct Read {
    facts: Facts,
    /// With `deep`, a complete cache file, still open, to decode.
    to_decode: Option<(File, Encoding)>,
    /// Whether its header read waited on the disk.
    waited: bool,
}

/// Stats one entry (through its open file when it will be probed anyway)
/// and probes cache files. `opened` is the file when it was read ahead.
fn read_facts(dir: &OwnedFd, name: &CStr, item: Item, deep: bool, opened: Option<OwnedFd>) -> Read {
    let Item { idx, class, file_type, .. } = item;
    let done = |id, kind| Facts { idx, id, kind, problem: None, note: None };
    let read = |facts, to_decode, waited| Read { facts, to_decode, waited };
    let flags = PROBE_OPEN;
    if let (FileType::RegularFile, NameClass::Cache { encoding }) = (file_type, class) {
        match opened.map_or_else(|| open_untouched(dir, name, flags), Ok) {
            Ok(fd) => {
                // fstat: statx on a descriptor costs an empty-path lookup.
                let st = fstat(&fd);
                let file = File::from(fd);
                if let Ok(st) = st
                    && FileType::from_raw_mode(st.st_mode) == FileType::RegularFile
                {
                    let id = Identity::of_stat(&st);
                    let sized = SizedFile::new(&file, id.size);
                    let waited = head_waited(&sized);
                    return match probe(encoding, &sized) {
                        Ok(probe) if deep && probe.is_complete() => {
                            read(done(id, FileKind::Cache { encoding, probe }), Some((file, encoding)), waited)
                        }
                        Ok(probe) => read(done(id, FileKind::Cache { encoding, probe }), None, waited),
                        Err(e) => read(unreadable(idx, id, encoding, &e), None, waited),
                    };
                }
            }
            Err(e) if e == rustix::io::Errno::ACCESS || e == rustix::io::Errno::PERM => {
                let id =
                    statat(dir, name, AtFlags::SYMLINK_NOFOLLOW).map(|st| Identity::of_stat(&st)).unwrap_or_default();
                return read(unreadable(idx, id, encoding, &e.into()), None, false);
            }
            Err(_) => {} // replaced by another kind of entry: stat it below
        }
    }
    let st = match statat(dir, name, AtFlags::SYMLINK_NOFOLLOW) {
        Ok(st) => st,
        Err(e) => {
            let problem = Some(plain_io(&e.into()));
            let gone = Facts { idx, id: Identity::default(), kind: FileKind::Stray { why: GONE }, problem, note: None };
            return read(gone, None, false);
        }
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
                    let kind = FileKind::Unreadable { encoding, why: why.clone() };
                    return read(Facts { idx, id, kind, problem: Some(why), note: None }, None, false);
                }
            }
        }
        (FileType::RegularFile, NameClass::Partial) => FileKind::Partial,
        (FileType::RegularFile, _) => FileKind::Stray { why: "not a cache file name" },
        _ => FileKind::Stray { why: "not a regular file" },
    };
    read(done(id, kind), None, false)
}

/// Set once the kernel refused `O_NOATIME` (we own neither the files nor
/// `CAP_FOWNER`): later opens do without it rather than ask twice.
static NOATIME_REFUSED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Opens a file for reading without updating its access time, where the
/// kernel allows it: reading a dump must not write to it, and with
/// `relatime` the first read of a day-old file would otherwise dirty its
/// inode (a write per file on a cold dump). Falls back to a plain open.
pub(super) fn open_untouched(dir: &OwnedFd, name: &CStr, flags: OFlags) -> rustix::io::Result<OwnedFd> {
    use std::sync::atomic::Ordering::Relaxed;
    if !NOATIME_REFUSED.load(Relaxed) {
        match openat(dir, name, flags | OFlags::NOATIME, Mode::empty()) {
            Err(rustix::io::Errno::PERM) => NOATIME_REFUSED.store(true, Relaxed),
            other => return other,
        }
    }
    openat(dir, name, flags, Mode::empty())
}

/// A cache file that could not be read: its state is unknown, not incomplete.
fn unreadable(idx: usize, id: Identity, encoding: Encoding, e: &std::io::Error) -> Facts {
    let why = plain_io(e);
    Facts { idx, id, kind: FileKind::Unreadable { encoding, why: why.clone() }, problem: Some(why), note: None }
}

/// `--deep`: a complete container is decoded to its end. A file that does
/// not decode is incomplete with the decoder's reason and where it failed;
/// the decoded duration replaces the header's; a codec the decoder does
/// not know leaves the container verdict standing, with a note.
fn deep_check(mut facts: Facts, file: File, encoding: Encoding, ctl: &Control) -> Facts {
    match decode(file, encoding, ctl) {
        Ok(Decoded::Whole { duration_ms }) => {
            facts.kind = FileKind::Cache { encoding, probe: Probe::Complete { duration_ms: Some(duration_ms) } };
        }
        Ok(Decoded::Failed { reason, at_ms }) => {
            let reason = format!("does not decode to its end: {reason} (at {})", clock(at_ms));
            facts.kind = FileKind::Cache { encoding, probe: Probe::Incomplete { reason } };
        }
        Ok(Decoded::Unsupported { what }) => {
            facts.note = Some(format!("not decoded: {what}; the container verdict stands"));
        }
        Err(e) if e.kind == ErrorKind::Cancelled => {}
        Err(e) => return unreadable(facts.idx, facts.id, encoding, &std::io::Error::other(e.message)),
    }
    facts
}

/// `65 432` ms → `1:05.432`.
pub fn clock(ms: u64) -> String {
    format!("{}:{:02}.{:03}", ms / 60_000, ms / 1000 % 60, ms % 1000)
}

#[cfg(test)]
mod tests;
