//! The probe pool reads ahead on a cold disk and finds exactly what it
//! finds reading one file at a time.

use std::os::fd::{AsFd, AsRawFd};
use std::sync::mpsc::sync_channel;
use std::time::Duration;

use super::*;
use crate::core::demo::containers::{m4a, wav, wav_declaring};
use crate::core::model::classify_with_key;

fn key_name(i: usize, ext: &str) -> String {
    format!("{i:064x}.{ext}")
}

/// A folder of cache files of every kind the pool meets, more than one
/// read-ahead window of them, listed as the walk would list it.
fn folder() -> (tempfile::TempDir, Job) {
    let dir = tempfile::tempdir().unwrap();
    let mut names = Vec::new();
    for i in 0..150 {
        let (name, bytes) = match i % 5 {
            0 => (key_name(i, "wav"), wav(3200)),
            1 => (key_name(i, "wav"), wav_declaring(81_920, 400)),
            2 => (key_name(i, "m4a"), m4a(1500, 300)),
            3 => (key_name(i, "m4a"), Vec::new()),
            _ => (format!("{}.tmp", key_name(i, "wav")), wav(10)),
        };
        std::fs::write(dir.path().join(&name), bytes).unwrap();
        names.push(name);
    }
    // A named pipe and a link under cache files' names: never opened as
    // files, read ahead or not.
    let (fifo, link) = (key_name(900, "wav"), key_name(901, "m4a"));
    let fifo_mode = Mode::RUSR | Mode::WUSR;
    rustix::fs::mknodat(rustix::fs::CWD, dir.path().join(&fifo), FileType::Fifo, fifo_mode, 0).unwrap();
    std::os::unix::fs::symlink(dir.path().join(&names[0]), dir.path().join(&link)).unwrap();
    names.extend([fifo, link]);
    names.push("notes.txt".into());
    std::fs::write(dir.path().join("notes.txt"), "x").unwrap();
    names.push(key_name(999, "wav")); // listed, then gone before the probe

    let fd =
        rustix::fs::openat(rustix::fs::CWD, dir.path(), OFlags::RDONLY | OFlags::DIRECTORY, Mode::empty()).unwrap();
    let mut job = Job { dir: Arc::new(fd), names: Vec::new(), items: Vec::new() };
    for (idx, name) in names.iter().enumerate() {
        let file_type = match std::fs::symlink_metadata(dir.path().join(name)) {
            Ok(m) => FileType::from_raw_mode(std::os::unix::fs::MetadataExt::mode(&m)),
            Err(_) => FileType::RegularFile,
        };
        let start = job.names.len();
        job.names.extend_from_slice(name.as_bytes());
        job.names.push(0);
        let (class, _) = classify_with_key(name.as_bytes());
        job.items.push(Item { idx, name: start..job.names.len(), class, file_type });
    }
    (dir, job)
}

/// Runs one probe thread over `job`, its gate told the disk is cold or not.
fn probe_all(job: Job, cold: bool) -> Vec<String> {
    let gate = Gate::new(4);
    assert!(gate.ahead < job.items.len(), "the folder must span several windows");
    if cold {
        gate.turn_cold();
    }
    let facts = run(job, &gate);
    assert_eq!(gate.is_cold(), cold);
    facts
}

/// One probe thread's work on `job`, as text to compare.
fn run(job: Job, gate: &Gate) -> Vec<String> {
    let (tx, rx) = sync_channel(1);
    tx.send(job).unwrap();
    drop(tx);
    let results = Mutex::new(Vec::new());
    let done = std::sync::atomic::AtomicU64::new(0);
    probe_worker(&Mutex::new(rx), &results, &done, &Control::none(), gate, false);
    let facts = results.into_inner().unwrap().into_iter().flatten();
    facts.map(|f| format!("{} {:?} {:?} {:?}", f.idx, f.id, f.kind, f.problem)).collect()
}

fn copy(job: &Job) -> Job {
    Job { dir: Arc::clone(&job.dir), names: job.names.clone(), items: clone(&job.items) }
}

/// Drops the first page of `n` cache files of `dir` that a probe reads
/// (regular, not empty) from the page cache; false where the file system
/// keeps them in memory whatever it is told (tmpfs).
fn drop_pages(dir: &std::path::Path, n: usize) -> bool {
    let probed = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).filter(|path| {
        let cache = path.extension().is_some_and(|e| e == "wav" || e == "m4a");
        cache && std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file() && m.len() > 0)
    });
    let mut dropped = 0;
    for path in probed.take(n) {
        let file = std::fs::File::open(&path).unwrap();
        file.sync_all().unwrap();
        let _ = rustix::fs::fadvise(file.as_fd(), 0, None, rustix::fs::Advice::DontNeed);
        if head_cached(&file) {
            return false;
        }
        dropped += 1;
    }
    assert!(dropped == n || n == usize::MAX, "only {dropped} of {n} cache files to drop");
    true
}

#[test]
fn reading_ahead_finds_what_reading_one_by_one_finds() {
    let (_dir, job) = folder();
    let one_by_one = probe_all(copy(&job), false);
    let ahead = probe_all(job, true);
    assert_eq!(one_by_one.len(), 154);
    assert_eq!(ahead, one_by_one);
    for kind in ["Complete", "Incomplete", "Partial", "not a regular file", "symbolic link", GONE] {
        assert!(one_by_one.iter().any(|f| f.contains(kind)), "no {kind} among {one_by_one:#?}");
    }
}

fn clone(items: &[Item]) -> Vec<Item> {
    items.iter().map(|i| Item { idx: i.idx, name: i.name.clone(), class: i.class, file_type: i.file_type }).collect()
}

/// Whether the first page of `file` is in the page cache.
fn head_cached(file: &std::fs::File) -> bool {
    let len = 4096;
    // SAFETY: a fresh read-only shared mapping of one page, unmapped below;
    // mincore only reports on it.
    unsafe {
        let addr = libc::mmap(std::ptr::null_mut(), len, libc::PROT_READ, libc::MAP_SHARED, file.as_raw_fd(), 0);
        assert_ne!(addr, libc::MAP_FAILED);
        let mut vec = [0u8; 1];
        assert_eq!(libc::mincore(addr, len, vec.as_mut_ptr()), 0);
        libc::munmap(addr, len);
        vec[0] & 1 == 1
    }
}

#[test]
fn a_cold_file_is_read_ahead_only_when_it_is_a_cache_file() {
    let (dir, job) = folder();
    let item = &job.items[0];
    let name = CStr::from_bytes_with_nul(&job.names[item.name.clone()]).unwrap();
    let path = dir.path().join(name.to_str().unwrap());
    let file = std::fs::File::open(&path).unwrap();
    file.sync_all().unwrap();
    let _ = rustix::fs::fadvise(file.as_fd(), 0, None, rustix::fs::Advice::DontNeed);
    if head_cached(&file) {
        eprintln!("skipped: this file system keeps {} in memory whatever it is told", path.display());
        return;
    }
    let fd = read_ahead(&job.dir, Some(name), item, false).expect("a cache file is opened");
    // mincore counts a page once its read is done; nothing else reads it.
    let started = std::time::Instant::now();
    while !head_cached(&file) {
        assert!(started.elapsed() < Duration::from_secs(10), "the head's read was not started");
        std::thread::sleep(Duration::from_millis(1));
    }
    assert_eq!(fstat(&fd).unwrap().st_ino, fstat(&file).unwrap().st_ino);
    for item in &job.items[150..] {
        let name = CStr::from_bytes_with_nul(&job.names[item.name.clone()]).unwrap();
        assert!(read_ahead(&job.dir, Some(name), item, false).is_none(), "{name:?} was opened");
    }
    let partial = &job.items[4];
    assert!(read_ahead(&job.dir, name_of(&job.names, partial), partial, false).is_none());
}

#[test]
fn the_pool_reads_ahead_once_headers_wait_on_the_disk_and_not_before() {
    let (dir, job) = folder();
    let warm = Gate::new(4);
    let first = run(copy(&job), &warm);
    assert!(!warm.is_cold(), "every header had just been written, so was in memory");
    if !drop_pages(dir.path(), 10) {
        eprintln!("skipped: this file system keeps {} in memory whatever it is told", dir.path().display());
        return;
    }
    let lost_a_few = Gate::new(4);
    assert_eq!(run(copy(&job), &lost_a_few), first);
    assert!(!lost_a_few.is_cold(), "ten files out of memory do not make a cold disk");
    drop_pages(dir.path(), usize::MAX);
    let cold = Gate::new(4);
    assert_eq!(run(job, &cold), first);
    assert!(cold.is_cold(), "90 header reads waited on the disk, the gate did not see it");
}

#[test]
fn a_head_is_read_from_memory_only_when_it_is_there() {
    let (dir, _job) = folder();
    let file = std::fs::File::open(dir.path().join(key_name(0, "wav"))).unwrap();
    let len = file.metadata().unwrap().len();
    if !drop_pages(dir.path(), usize::MAX) {
        eprintln!("skipped: this file system keeps {} in memory whatever it is told", dir.path().display());
        return;
    }
    let sized = SizedFile::new(&file, len);
    assert_eq!(sized.head_cached(), Some(false));
    assert!(!head_cached(&file), "asking must not read it in");
    let mut riff = [0; 4];
    assert!(sized.read_exact_at(&mut riff, 0).unwrap());
    assert_eq!(&riff, b"RIFF");
    let again = SizedFile::new(&file, len);
    assert_eq!(again.head_cached(), Some(true));
    assert_eq!(probe(Encoding::Wav, &again).unwrap(), Probe::Complete { duration_ms: Some(100) });
    assert_eq!(SizedFile::new(&file, 0).head_cached(), Some(true), "nothing to wait for");
}

#[test]
fn a_quarter_of_a_run_of_reads_waiting_makes_the_disk_cold() {
    let mut misses = Misses::default();
    // Spread out: one miss in five never adds up to a quarter of 256.
    assert!(!(0..10 * COLD_OF).any(|i| misses.count(i % 5 == 0)));
    let mut misses = Misses::default();
    let counted: Vec<bool> = (0..COLD_AFTER).map(|_| misses.count(true)).collect();
    assert_eq!(counted.iter().filter(|c| **c).count(), 1, "the 64th miss in a row, not before");
    assert!(counted[COLD_AFTER as usize - 1]);
}
