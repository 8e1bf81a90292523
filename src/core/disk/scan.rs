//! Scanning the cache dir into a [`DiskScan`]: the walk lists (`walk.rs`),
//! the pool stats and probes (`pool.rs`), both at once.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::mpsc::sync_channel;

use super::pool::{Facts, Gate, Job, probe_threads, probe_worker};
use super::walk::{Walker, absorb};
use crate::core::control::{Control, Phase};
use crate::core::error::{Error, ErrorKind, Result};
use crate::core::fmt::escaped;
use crate::core::model::DiskScan;

/// Walks `cache_dir` (skipping the `exclude` paths: cachescope's own folder,
/// the database and its side files) and probes.
///
/// The walk reads each folder once and stats every entry relative to the
/// open folder (no path lookups); cache files go in batches to a pool of
/// probe threads while the walk goes on.
/// With `deep`, every complete file is also decoded to its end (`--deep`).
pub fn scan(cache_dir: &Path, exclude: &[PathBuf], deep: bool, ctl: &Control) -> Result<DiskScan> {
    let meta = std::fs::metadata(cache_dir).map_err(|e| Error::io_at("read the cache dir", cache_dir, &e))?;
    if !meta.is_dir() {
        return Err(Error::bad_input(format!("the cache dir {} is not a folder", escaped(cache_dir))));
    }
    let exclude_rel: Vec<PathBuf> =
        exclude.iter().filter_map(|p| p.strip_prefix(cache_dir).ok().map(Path::to_path_buf)).collect();
    let threads = probe_threads();
    let (job_tx, job_rx) = sync_channel::<Job>(threads * 2);
    let job_rx = Mutex::new(job_rx);
    let results: Mutex<Vec<Vec<Facts>>> = Mutex::new(Vec::new());
    let done = std::sync::atomic::AtomicU64::new(0);
    let gate = Gate::new(threads);
    let finished = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|s| {
        for i in 0..threads {
            let (job_rx, results, done, gate, finished) = (&job_rx, &results, &done, &gate, &finished);
            s.spawn(move || {
                gate.enter(i, finished);
                probe_worker(job_rx, results, done, ctl, gate, deep);
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
        if ctl.cancelled() {
            return Err(Error::new(ErrorKind::Cancelled, "the scan was cancelled"));
        }
        // Names are unique within one folder: only files in sub-folders can clash.
        let files = std::mem::take(&mut out.files);
        let sorted = DiskScan::sorted(files, nested);
        out.decoder_notes.sort();
        Ok(DiskScan { files: sorted.files, bytes: sorted.bytes, deep, ..out })
    })
}
