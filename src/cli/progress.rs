//! Progress on stderr for headless commands, only when stderr is a terminal.

use std::io::{IsTerminal, Write};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::core::{Control, Dump, Error, Inspection, Progress};

/// Runs `f` with a progress line on stderr (quiet when not a terminal).
pub fn with_bar<T>(what: &str, f: impl FnOnce(&Control) -> Result<T, Error>) -> Result<T, Error> {
    if !std::io::stderr().is_terminal() {
        return f(&Control::none());
    }
    let last = Mutex::new(Instant::now() - Duration::from_secs(1));
    let sink = |p: Progress| {
        let mut last = last.lock().unwrap_or_else(|e| e.into_inner());
        if last.elapsed() < Duration::from_millis(100) {
            return;
        }
        *last = Instant::now();
        let total = p.total.map(|t| format!(" of {t}")).unwrap_or_default();
        let _ = write!(std::io::stderr(), "\r\x1b[2K{what}: {} {}{total}", p.phase.label(), p.done);
    };
    let result = f(&Control::new(Some(&sink), None));
    let _ = write!(std::io::stderr(), "\r\x1b[2K");
    result
}

pub fn inspect(dump: &Dump) -> Result<Inspection, Error> {
    with_bar("checking", |ctl| Inspection::open(dump, ctl))
}
