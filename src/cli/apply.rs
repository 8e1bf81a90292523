//! `cachescope apply --yes`: recover anything interrupted, inspect, plan,
//! apply, and say what happened. Nothing is created in the dump unless
//! something will change. Exit 1 when a fix failed.

use super::{progress, usable};
use crate::core::apply::summary;
use crate::core::batch::needs_recovery;
use crate::core::fmt::escaped;
use crate::core::select::Items;
use crate::core::{ApplyOptions, Dump, Error, Options, Selection, apply, plan, writing_session};

/// Runs after `--yes` was checked (in the config).
pub fn run(
    dump: &Dump,
    selection: &Selection,
    items: &Items,
    allow_mass_change: bool,
    opts: Options,
) -> Result<u8, Error> {
    // Recovery first, when something is pending; otherwise the session (and
    // `.cachescope/`) waits until there is something to change.
    let mut session = None;
    if needs_recovery(dump) {
        let (s, done) = writing_session(dump)?;
        if let Some(done) = done {
            outln!("Recovered first: {done}.")?;
        }
        session = Some(s);
    }
    let ins = progress::inspect(dump, opts)?;
    usable(&ins)?;
    let plan = plan(&ins, &items.resolve(selection, &ins)?);
    if plan.is_empty() {
        outln!("Nothing to apply: no selected discrepancy has a fix.")?;
        if let Some(hint) = crate::core::report::unplanned_hint(&ins, selection) {
            outln!("{hint}")?;
        }
        return Ok(0);
    }
    let opts = ApplyOptions { allow_mass_change };
    if let Some(why) = opts.refusal(&plan, &dump.root) {
        return Err(why);
    }
    let session = match session {
        Some(s) => s,
        None => {
            let (s, done) = writing_session(dump)?;
            if let Some(done) = done {
                outln!("Recovered first: {done}.")?;
            }
            s
        }
    };
    ins.release_at_exit();
    let report = progress::with_bar("applying", |ctl| apply(&session, &plan, &opts, ctl))?;
    outln!("{}", summary(&report))?;
    if let Some(backup) = &report.backup {
        outln!("  backup: {}", escaped(&dump.display_rel(backup)))?;
    }
    for (id, why) in report.stale() {
        outln!("  stale: {}: {}", crate::core::fmt::clean(id), why)?;
    }
    for (id, why) in report.failed() {
        outln!("  failed: {}: {}", crate::core::fmt::clean(id), why)?;
    }
    // A batch that changed nothing has nothing to undo.
    if report.applied() > 0 {
        outln!("Undo it with `cachescope undo {} --batch {}`.", escaped(&dump.root), report.batch.unwrap_or_default())?;
    }
    // Stale skips are the protocol working; a failed fix is not done.
    Ok(if report.failed().next().is_some() { 1 } else { 0 })
}
