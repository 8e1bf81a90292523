//! Long work off the UI thread: scan, apply, undo. Each job reports progress
//! and its result over a channel; the UI keeps answering keys meanwhile.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::Sender;
use std::thread::JoinHandle;
use std::time::Instant;

use super::app::Effect;
use crate::core::{
    ApplyOptions, ApplyReport, Control, Dump, Error, Inspection, Progress, UndoReport, apply, undo, writing_session,
};

/// What a worker sends back.
pub enum WorkerMsg {
    /// Progress and the rate in items per second.
    Progress(Progress, f64),
    Scanned(Result<Box<Inspection>, Error>),
    Applied(Result<ApplyReport, Error>),
    Undone(Result<UndoReport, Error>),
}

impl std::fmt::Debug for WorkerMsg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WorkerMsg::Progress(p, _) => write!(f, "Progress({p:?})"),
            WorkerMsg::Scanned(r) => write!(f, "Scanned(ok: {})", r.is_ok()),
            WorkerMsg::Applied(r) => write!(f, "Applied({r:?})"),
            WorkerMsg::Undone(r) => write!(f, "Undone({r:?})"),
        }
    }
}

/// The name of worker threads: the panic hook leaves the terminal alone for
/// them (the UI keeps running and reports the failure).
pub const THREAD_NAME: &str = "cachescope-worker";

/// Starts `effect` on a thread; it always ends with a `Scanned` message, also
/// when the job panics (the panic becomes an error message).
pub fn spawn(effect: Effect, dump: Dump, tx: Sender<WorkerMsg>, cancel: Arc<AtomicBool>) -> JoinHandle<()> {
    let job = move || {
        let is_apply = !matches!(effect, Effect::Scan);
        let run = std::panic::AssertUnwindSafe(|| run(effect, &dump, &tx, &cancel));
        if std::panic::catch_unwind(run).is_err() {
            let err = || Error::io("internal error in a worker thread (see the log, L); nothing more was done");
            if is_apply {
                let _ = tx.send(WorkerMsg::Applied(Err(err())));
            }
            let _ = tx.send(WorkerMsg::Scanned(Err(err())));
        }
    };
    std::thread::Builder::new()
        .name(THREAD_NAME.into())
        .spawn(job)
        .unwrap_or_else(|_| std::thread::spawn(|| log::error!("could not start a worker thread")))
}

fn run(effect: Effect, dump: &Dump, tx: &Sender<WorkerMsg>, cancel: &AtomicBool) {
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
    let ctl = Control::new(Some(&sink), Some(cancel));
    let to_end = Control::new(Some(&sink), None);
    match effect {
        Effect::Scan => {}
        Effect::Apply { plan, allow_mass_change } => {
            let res = (|| {
                let (session, recovered) = writing_session(dump)?;
                if let Some(done) = recovered {
                    log::info!("recovered an interrupted apply first: {done}");
                }
                let ins = Inspection::open(dump, &to_end)?;
                apply(&session, &ins, &plan, &ApplyOptions { allow_mass_change }, &to_end)
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
    let res = Inspection::open(dump, &ctl).map(Box::new);
    let _ = tx.send(WorkerMsg::Scanned(res));
}
