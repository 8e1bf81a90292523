//! `cachescope pull`: copy an app's data off a device into a new dump
//! folder, with a progress line (files, bytes) on stderr.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::args::PullFrom;
use crate::core::fmt::{escaped, group, size};
use crate::core::pull::{Pulled, android, ios_sim};
use crate::core::{Control, Error, Phase, Progress};

pub fn run(from: PullFrom) -> Result<u8, Error> {
    let pulled = match from {
        PullFrom::Android { package, out, serial } => {
            let req = android::Request { package: package.clone(), out, serial };
            with_line(&format!("pulling {package}"), |ctl| android::pull(&req, ctl))?
        }
        PullFrom::IosSim { bundle_id, out } => {
            let req = ios_sim::Request { bundle_id: bundle_id.clone(), out };
            with_line(&format!("copying {bundle_id}"), |ctl| ios_sim::pull(&req, ctl))?
        }
    };
    let dir = escaped(&pulled.out);
    outln!("Pulled {} files ({}) into {dir}.", group(pulled.stats.files), size(pulled.stats.bytes))?;
    outln!("Open it with `cachescope {dir}` or `cachescope check {dir}`.")?;
    Ok(0)
}

/// A spinner with files and bytes so far; nothing when stderr is not a terminal.
fn with_line(what: &str, f: impl FnOnce(&Control) -> Result<Pulled, Error>) -> Result<Pulled, Error> {
    if !std::io::stderr().is_terminal() {
        return f(&Control::none());
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr_with_hz(10));
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(Duration::from_millis(100));
    bar.set_message(format!("{what}: connecting"));
    let (files, bytes) = (AtomicU64::new(0), AtomicU64::new(0));
    let sink = |p: Progress| {
        match p.phase {
            Phase::Unpack => files.store(p.done, Ordering::Relaxed),
            Phase::UnpackBytes => bytes.store(p.done, Ordering::Relaxed),
            _ => return,
        }
        let (f, b) = (files.load(Ordering::Relaxed), bytes.load(Ordering::Relaxed));
        bar.set_message(format!("{what}: {} files, {}", group(f), size(b)));
    };
    let result = f(&Control::new(Some(&sink), None));
    bar.finish_and_clear();
    result
}
