//! Long work off the UI thread: scan, apply, undo, recover, filter, export.
//! Each job reports
//! progress and its result over a channel; the UI keeps answering keys.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::Sender;
use std::thread::JoinHandle;
use std::time::Instant;

use super::filter;
use super::msg::{Effect, FilterJob, WorkerMsg};
use crate::core::disk::decode::envelope_file;
use crate::core::{ApplyOptions, Control, Dump, Error, Inspection, Options, Progress, apply, undo, writing_session};

/// Slices of a file's loudness picture: enough for the widest detail view.
const ENVELOPE_BUCKETS: usize = 240;

/// The name of worker threads: the panic hook leaves the terminal alone for
/// them (the UI keeps running and reports the failure).
pub const THREAD_NAME: &str = "cachescope-worker";

/// What workers share: where results go, and what cancels them.
#[derive(Clone)]
pub struct Workers {
    pub dump: Dump,
    pub tx: Sender<WorkerMsg>,
    /// Set on quit: scans stop (a confirmed apply or undo always finishes).
    pub cancel: Arc<AtomicBool>,
    /// The newest filter generation: an older filter run stops early.
    pub filter_generation: Arc<AtomicU64>,
    /// How rescans after an apply or undo read the dump.
    pub options: Options,
}

impl Workers {
    /// Starts `effect` on a thread. Scans, applies and undos always end
    /// with a `Scanned` message, also when the job panics (the panic
    /// becomes an error message).
    pub fn spawn(&self, effect: Effect) -> JoinHandle<()> {
        let w = self.clone();
        let job = move || {
            if let Effect::Filter(job) = effect {
                w.filter(job);
                return;
            }
            if let Effect::Insight(job) = effect {
                let data = std::sync::Arc::new(super::insight::compute(&job.ins));
                let _ = w.tx.send(WorkerMsg::Insight { scan: job.scan, data });
                return;
            }
            if let Effect::Export(job) = effect {
                let result = super::export::write_export(&job, jiff::Timestamp::now());
                let _ = w.tx.send(WorkerMsg::Exported { result, note: job.note });
                return;
            }
            if let Effect::Envelope { path, encoding } = effect {
                let ctl = Control::new(None, Some(&w.cancel));
                let result = envelope_file(&path, encoding, ENVELOPE_BUCKETS, &ctl).map_err(|e| e.message);
                let _ = w.tx.send(WorkerMsg::Envelope { path, result });
                return;
            }
            let is_recover = matches!(effect, Effect::Recover);
            let is_apply = !matches!(effect, Effect::Scan(_) | Effect::Recover);
            let run = std::panic::AssertUnwindSafe(|| w.run(effect));
            if std::panic::catch_unwind(run).is_err() {
                let err = || Error::io("internal error in a worker thread (see the log, L); nothing more was done");
                if is_apply {
                    let _ = w.tx.send(WorkerMsg::Applied(Err(err())));
                }
                if is_recover {
                    let _ = w.tx.send(WorkerMsg::Recovered(Err(err())));
                }
                let _ = w.tx.send(WorkerMsg::Scanned(Err(err())));
            }
        };
        std::thread::Builder::new()
            .name(THREAD_NAME.into())
            .spawn(job)
            .unwrap_or_else(|_| std::thread::spawn(|| log::error!("could not start a worker thread")))
    }

    /// Runs a filter; drops the result when a newer keystroke came first.
    fn filter(&self, job: FilterJob) {
        self.filter_generation.fetch_max(job.generation, Ordering::Relaxed);
        let latest = &self.filter_generation;
        let stale = || latest.load(Ordering::Relaxed) != job.generation;
        if let Some(mut visible) = filter::visible(&job.ins, &job.index, &job.query, job.within.as_deref(), &stale)
            && !stale()
        {
            // Lists built from scratch come in index order; narrowed ones
            // keep the order they had.
            if job.within.is_none() {
                super::sort::sort_visible(&job.ins, &mut visible, &job.sorts);
            }
            let _ = self.tx.send(WorkerMsg::Filtered { generation: job.generation, visible });
        }
    }

    fn run(&self, effect: Effect) {
        let (dump, tx) = (&self.dump, &self.tx);
        let start = Instant::now();
        let last = AtomicU64::new(u64::MAX);
        let sink = |p: Progress| {
            // Throttle: every 256th item, the first and the last of a phase.
            let keep = p.done < 2 || p.done.is_multiple_of(256) || Some(p.done) == p.total;
            if keep && last.swap(p.done, Ordering::Relaxed) != p.done {
                let secs = start.elapsed().as_secs_f64().max(1e-3);
                let _ = tx.send(WorkerMsg::Progress(p.clone(), p.done as f64 / secs));
            }
        };
        // Quitting cancels scans, never a confirmed apply or undo: those finish.
        let ctl = Control::new(Some(&sink), Some(&self.cancel));
        let to_end = Control::new(Some(&sink), None);
        let mut options = self.options;
        match effect {
            Effect::Scan(o) => options = o,
            // Not worker jobs (or done above): the clipboard is the event loop's.
            Effect::Filter(_)
            | Effect::Envelope { .. }
            | Effect::Insight(_)
            | Effect::Export(_)
            | Effect::Clipboard(_) => return,
            Effect::Recover => {
                let res = writing_session(dump).map(|(_session, done)| done);
                let _ = tx.send(WorkerMsg::Recovered(res));
            }
            Effect::Apply { plan, allow_mass_change } => {
                let res = (|| {
                    let (session, recovered) = writing_session(dump)?;
                    if let Some(done) = recovered {
                        log::info!("recovered an interrupted apply first: {done}");
                    }
                    // The plan the user previewed, as it is: no rescan first.
                    apply(&session, &plan, &ApplyOptions { allow_mass_change }, &to_end)
                })();
                let _ = tx.send(WorkerMsg::Applied(res));
            }
            Effect::Undo => {
                let res = (|| {
                    let (session, recovered) = writing_session(dump)?;
                    if let Some(done) = recovered {
                        log::info!("recovered an interrupted apply first: {done}");
                    }
                    undo(&session, None)
                })();
                let _ = tx.send(WorkerMsg::Undone(res));
            }
        }
        let res = Inspection::open_with(dump, &options, &ctl).map(Box::new);
        let _ = tx.send(WorkerMsg::Scanned(res));
    }
}
