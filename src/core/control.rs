//! Progress reporting and cancellation for long work, shared by the TUI's
//! worker threads and the headless commands.

use std::sync::atomic::{AtomicBool, Ordering};

/// The phases of long work, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Walk,
    Probe,
    ReadRows,
    Detect,
    Apply,
    /// Files unpacked from an archive or a device (done = files).
    Unpack,
    /// Bytes unpacked from an archive or a device (done = bytes).
    UnpackBytes,
}

impl Phase {
    pub fn label(self) -> &'static str {
        match self {
            Phase::Walk => "walking the cache dir",
            Phase::Probe => "reading headers",
            Phase::ReadRows => "reading rows",
            Phase::Detect => "comparing",
            Phase::Apply => "applying",
            Phase::Unpack => "files unpacked",
            Phase::UnpackBytes => "bytes unpacked",
        }
    }
}

/// One progress report: `done` of `total` (when known) in `phase`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    pub phase: Phase,
    pub done: u64,
    pub total: Option<u64>,
}

type Sink<'a> = &'a (dyn Fn(Progress) + Sync);

/// What a caller hands to long work: where progress goes, and a cancel flag.
#[derive(Clone, Copy, Default)]
pub struct Control<'a> {
    progress: Option<Sink<'a>>,
    cancel: Option<&'a AtomicBool>,
    /// A second flag, for work that stops when its sibling fails.
    stop: Option<&'a AtomicBool>,
}

impl<'a> Control<'a> {
    /// No progress, no cancellation.
    pub fn none() -> Control<'static> {
        Control { progress: None, cancel: None, stop: None }
    }
    pub fn new(progress: Option<Sink<'a>>, cancel: Option<&'a AtomicBool>) -> Control<'a> {
        Control { progress, cancel, stop: None }
    }
    /// The same control, also cancelled when `stop` is set.
    pub fn or_stop<'b>(&self, stop: &'b AtomicBool) -> Control<'b>
    where
        'a: 'b,
    {
        Control { progress: self.progress, cancel: self.cancel, stop: Some(stop) }
    }
    pub fn progress(&self, phase: Phase, done: u64, total: Option<u64>) {
        if let Some(p) = self.progress {
            p(Progress { phase, done, total });
        }
    }
    pub fn cancelled(&self) -> bool {
        [self.cancel, self.stop].into_iter().flatten().any(|c| c.load(Ordering::Relaxed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn or_stop_is_cancelled_by_either_flag() {
        let (cancel, stop) = (AtomicBool::new(false), AtomicBool::new(false));
        let ctl = Control::new(None, Some(&cancel));
        let both = ctl.or_stop(&stop);
        assert!(!both.cancelled());
        stop.store(true, Ordering::Relaxed);
        assert!(both.cancelled() && !ctl.cancelled());
        stop.store(false, Ordering::Relaxed);
        cancel.store(true, Ordering::Relaxed);
        assert!(both.cancelled());
    }
}
