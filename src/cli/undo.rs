//! `cachescope undo`: revert a batch (the newest apply by default); undoing
//! an undo re-applies what it reverted.

use crate::core::undo::{pick, summary};
use crate::core::{Dump, Error, undo, writing_session};

pub fn run(dump: &Dump, batch: Option<i64>) -> Result<u8, Error> {
    // Asked first through a private copy: nothing to undo creates nothing.
    let target = if crate::core::batch::needs_recovery(dump) { batch } else { Some(pick(dump, batch)?) };
    let (session, recovered) = writing_session(dump)?;
    if let Some(done) = recovered {
        outln!("Recovered first: {done}.")?;
    }
    let report = undo(&session, target)?;
    outln!("{}", summary(&report))?;
    for c in &report.conflicts {
        outln!("  not restored: {c}")?;
    }
    for f in &report.failures {
        outln!("  failed: {f}")?;
    }
    // What changed since is left alone by design; a failed restore is not done.
    Ok(if report.failures.is_empty() { 0 } else { 1 })
}
