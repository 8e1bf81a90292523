//! Progress on stderr for headless commands (indicatif): a spinner while the
//! total is unknown, a bar once it is; hidden when stderr is not a terminal.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::core::{Control, Dump, Error, Inspection, Options, Phase, Progress};

/// Runs `f` with a progress display for `what`.
/// Ctrl-C and SIGTERM cancel the work at its next safe point.
pub fn with_bar<T>(what: &str, f: impl FnOnce(&Control) -> Result<T, Error>) -> Result<T, Error> {
    let cancel = crate::signals::interrupted();
    if !std::io::stderr().is_terminal() {
        return f(&Control::new(None, Some(cancel)));
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr_with_hz(10));
    bar.set_style(spinner());
    bar.enable_steady_tick(Duration::from_millis(100));
    // Walk, header reads and row reading run at once: one line counts all.
    let counts = Mutex::new(Vec::<(Phase, u64)>::new());
    let sink = |p: Progress| {
        let mut counts = counts.lock().unwrap_or_else(|e| e.into_inner());
        match counts.iter_mut().find(|(ph, _)| *ph == p.phase) {
            Some(c) => c.1 = c.1.max(p.done),
            None => counts.push((p.phase, p.done)),
        }
        if p.phase == Phase::Apply {
            if bar.length() != p.total {
                bar.set_style(bar_style());
                bar.set_length(p.total.unwrap_or(0));
            }
            bar.set_position(p.done);
            bar.set_message(format!("{what}: {}", p.phase.label()));
            return;
        }
        let parts: Vec<String> = counts.iter().map(|(ph, n)| format!("{} {n}", ph.label())).collect();
        bar.set_message(format!("{what}: {}", parts.join(" · ")));
    };
    let result = f(&Control::new(Some(&sink), Some(cancel)));
    bar.finish_and_clear();
    result
}

fn spinner() -> ProgressStyle {
    ProgressStyle::with_template("{spinner} {msg} ({elapsed})").unwrap_or_else(|_| ProgressStyle::default_spinner())
}

fn bar_style() -> ProgressStyle {
    ProgressStyle::with_template("{msg} [{bar:30}] {human_pos}/{human_len} ({per_sec}, {eta})")
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ")
}

pub fn inspect(dump: &Dump, opts: Options) -> Result<Inspection, Error> {
    with_bar(if opts.deep { "checking and decoding" } else { "checking" }, |ctl| {
        Inspection::open_with(dump, &opts, ctl)
    })
}
