//! `cachescope apply --yes`: recover anything interrupted, re-inspect, plan,
//! apply, and say what happened.

use super::args::SelectArgs;
use super::plan::selection;
use super::progress;
use crate::core::fmt::escaped;
use crate::core::{ApplyOptions, Dump, Error, ErrorKind, Session, apply, plan};

pub fn run(dump: &Dump, select: &SelectArgs, yes: bool, allow_mass_change: bool) -> Result<u8, Error> {
    let selection = selection(select)?;
    if !yes {
        return Err(Error::new(
            ErrorKind::Refused,
            format!(
                "apply changes the dump; preview it with `cachescope plan {}`, then add --yes to apply",
                escaped(&dump.root)
            ),
        ));
    }
    let session = Session::begin(dump)?;
    if let Some(done) = session.recover()? {
        println!("Recovered first: {done}.");
    }
    let ins = progress::inspect(dump)?;
    let plan = plan(&ins, &selection);
    if plan.is_empty() {
        println!("Nothing to apply: no selected discrepancy has a fix.");
        return Ok(0);
    }
    let report =
        progress::with_bar("applying", |ctl| apply(&session, &ins, &plan, &ApplyOptions { allow_mass_change }, ctl))?;
    let stale: Vec<_> = report.stale().collect();
    println!(
        "Applied batch {}: {} of {} fixes applied, {} skipped as stale.",
        report.batch.unwrap_or_default(),
        report.applied(),
        report.outcomes.len(),
        stale.len()
    );
    if let Some(backup) = &report.backup {
        println!("  backup: {}", escaped(&dump.display_rel(backup)));
    }
    for (id, why) in &stale {
        println!("  stale: {id}: {why}");
    }
    println!("Undo it with `cachescope undo {} --batch {}`.", escaped(&dump.root), report.batch.unwrap_or_default());
    Ok(0)
}
