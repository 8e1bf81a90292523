//! Applying a [`Plan`] through the batch protocol (see `batch.rs`), with a
//! precondition re-check per fix: what changed since the scan is skipped as
//! stale and audited, never applied blind. A fix that could not be carried
//! out (the database refused it, a file could not be moved) is a failure,
//! not stale: skipped alone, audited, and counted apart.

use std::path::{Path, PathBuf};
use std::time::Instant;

use serde_json::json;

use super::audit::EventType;
use super::batch::{Batch, NotMoved, Savepoint, Session, same_filesystem};
use super::control::{Control, Phase};
use super::disk::Identity;
use super::error::{Error, ErrorKind, Result};
use super::failpoint::failpoint;
use super::fmt::{escaped, lossy};
use super::journal::path_hex;
use super::kinds::{Fix, Kind};
use super::plan::{Op, Plan, PlanItem};
use super::rows::{RowImage, RowReader};
use super::schema::Columns;

#[derive(Debug, Clone, Default)]
pub struct ApplyOptions {
    /// Lets a plan past the blast-radius guard (SPEC §6).
    pub allow_mass_change: bool,
}

impl ApplyOptions {
    /// Why the blast-radius guard refuses this plan for the dump at `root`,
    /// as the error to show.
    pub fn refusal(&self, plan: &Plan, root: &Path) -> Option<Error> {
        if self.allow_mass_change {
            return None;
        }
        plan.mass_change().map(|why| {
            Error::new(
                ErrorKind::Refused,
                format!(
                    "refusing to apply to {}: {why}; check the dump, then add --allow-mass-change if this is really meant",
                    escaped(root)
                ),
            )
        })
    }
}

/// The one sentence both front ends show for an apply's outcome.
pub fn summary(r: &ApplyReport) -> String {
    let batch = r.batch.unwrap_or_default();
    let head =
        if r.applied() > 0 { format!("Applied batch {batch}") } else { format!("Batch {batch} changed nothing") };
    let failed = match r.failed().count() {
        0 => String::new(),
        n => format!(", {n} failed"),
    };
    format!(
        "{head}: {} of {} fixes applied, {} skipped as stale{failed}.",
        r.applied(),
        r.outcomes.len(),
        r.stale().count()
    )
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Applied,
    /// The world changed since the scan; nothing was done for this fix.
    Stale(String),
    /// The fix could not be carried out (the database refused it, a file
    /// could not be moved); nothing was done for it, the others stand.
    Failed(String),
}

#[derive(Debug, Clone)]
pub struct ApplyReport {
    /// The batch id, or None when the plan was empty and nothing ran.
    pub batch: Option<i64>,
    pub backup: Option<PathBuf>,
    /// Per plan item: its id, fix and outcome, in plan order.
    pub outcomes: Vec<(String, Fix, Outcome)>,
    /// Where the time went.
    pub timings: Timings,
}

/// Time spent in the parts of an apply (for the benchmarks and `--verbose`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Timings {
    /// Lock wait, backup and journal: before the first change.
    pub prepare: std::time::Duration,
    /// Row changes with their audit rows, and the COMMIT.
    pub database: std::time::Duration,
    /// Re-checking each fix's file before it runs (stat calls).
    pub checks: std::time::Duration,
    /// File moves with their journal entries and fsyncs.
    pub files: std::time::Duration,
}

impl ApplyReport {
    pub fn applied(&self) -> usize {
        self.outcomes.iter().filter(|o| o.2 == Outcome::Applied).count()
    }
    pub fn stale(&self) -> impl Iterator<Item = (&str, &str)> {
        self.outcomes.iter().filter_map(|(id, _, o)| match o {
            Outcome::Stale(why) => Some((id.as_str(), why.as_str())),
            _ => None,
        })
    }
    /// The fixes that failed, with why: the apply did not do all it was asked.
    pub fn failed(&self) -> impl Iterator<Item = (&str, &str)> {
        self.outcomes.iter().filter_map(|(id, _, o)| match o {
            Outcome::Failed(why) => Some((id.as_str(), why.as_str())),
            _ => None,
        })
    }
}

/// The audit details of a row fix: serialised straight from borrowed data.
#[derive(serde::Serialize)]
struct FixDetails<'a> {
    discrepancy: &'a str,
    kind: Kind,
    fix: Fix,
    sql: &'a str,
    before: Option<RowImage<'a>>,
    after: Option<RowImage<'a>>,
}

/// File moves journaled with one fsync.
const MOVE_GROUP: usize = 512;

/// Applies `plan` under `session`'s lock. The plan carries all it needs;
/// each fix re-checks its preconditions, so a plan made a while ago is safe.
pub fn apply(session: &Session, plan: &Plan, opts: &ApplyOptions, ctl: &Control) -> Result<ApplyReport> {
    if plan.is_empty() {
        return Ok(ApplyReport { batch: None, backup: None, outcomes: vec![], timings: Timings::default() });
    }
    if plan.target.db != session.dump.db || plan.target.cache_dir != session.dump.cache_dir {
        return Err(Error::bad_input(format!(
            "this plan was made for another dump than {}; plan it again",
            escaped(&session.dump.root)
        )));
    }
    let Some(columns) = plan.target.columns.as_ref() else {
        return Err(Error::bad_input("this plan does not say which columns its table has; plan it again"));
    };
    if let Some(refused) = opts.refusal(plan, &session.dump.root) {
        return Err(refused);
    }
    if plan.move_count() > 0 {
        same_filesystem(session)?;
    }
    let cache_dir = &session.dump.cache_dir;
    let start = Instant::now();
    let mut batch = Batch::start(session, "apply")?;
    let mut timings = Timings { prepare: start.elapsed(), ..Timings::default() };
    match run(&mut batch, columns, plan, cache_dir, ctl, &mut timings) {
        Ok(outcomes) => {
            let (id, backup) = (batch.id, batch.backup.clone());
            let commit = Instant::now();
            batch.commit()?;
            timings.database += commit.elapsed();
            Ok(ApplyReport { batch: Some(id), backup: Some(backup), outcomes, timings })
        }
        Err(e) => {
            batch.abort()?;
            Err(e)
        }
    }
}

fn run(
    batch: &mut Batch,
    columns: &Columns,
    plan: &Plan,
    cache_dir: &Path,
    ctl: &Control,
    timings: &mut Timings,
) -> Result<Vec<(String, Fix, Outcome)>> {
    let start = Instant::now();
    let db = plan.target.db.clone();
    let sql_err = |e: rusqlite::Error| Error::sqlite_at("write", &db, &e);
    let total = plan.items.len() as u64;
    batch.audit(
        EventType::ReconcileStart,
        None,
        &json!({
            "tool": "cachescope",
            "fixes": plan.items.len(),
            "backup": lossy(&batch.backup),
            "counts": plan.counts().iter().map(|(f, n)| (f.as_str().to_string(), json!(n))).collect::<serde_json::Map<_, _>>(),
        }),
    )?;
    timings.database += start.elapsed();
    let mut outcomes: Vec<Option<Outcome>> = vec![None; plan.items.len()];
    let quarantine = batch.session.quarantine_dir(batch.id);
    let cancelled = || Error::new(ErrorKind::Cancelled, "the apply was stopped and rolled back; nothing was changed");
    let mut done = 0u64;
    let mut savepoint = Savepoint::prepare(&batch.conn, "fix").map_err(sql_err)?;
    let mut rows = RowReader::prepare(&batch.conn, columns).map_err(sql_err)?;
    // Row changes first, each a compare-and-swap with its audit row.
    for (n, item) in plan.items.iter().enumerate() {
        let Op::Sql { sql, template, params, sets } = &item.op else { continue };
        if ctl.cancelled() {
            return Err(cancelled());
        }
        let row = |rows: &mut RowReader| -> Result<Option<Vec<super::model::Value>>> {
            match &item.row_key {
                Some(k) => rows.read(k).map_err(sql_err),
                None => Ok(None),
            }
        };

        let mut refused = None;
        let checked = Instant::now();
        let pre = precondition(item, cache_dir);
        timings.checks += checked.elapsed();
        let start = Instant::now();
        let outcome = match pre {
            Err(why) => Outcome::Stale(why),
            Ok(()) => {
                // The live row, read inside the transaction: what undo restores.
                let before = if item.fix == Fix::Register { None } else { row(&mut rows)? };
                // Each fix in its own savepoint: undone unless it changed exactly
                // one row, and a fix the database refuses is skipped alone.
                savepoint.open().map_err(sql_err)?;
                let ran = batch
                    .conn
                    .prepare_cached(template)
                    .and_then(|mut st| st.execute(rusqlite::params_from_iter(params.iter())));
                let changed = match ran {
                    Ok(n) => n,
                    Err(e) if crate::core::error::is_busy(&e) => return Err(sql_err(e)),
                    // A trigger's RAISE(ROLLBACK), ON CONFLICT ROLLBACK or a full
                    // disk ended the whole transaction: say so, not "no such savepoint".
                    Err(e) if batch.conn.is_autocommit() => return Err(batch.rolled_back(&e)),
                    Err(e) => {
                        refused = Some(crate::core::error::sqlite_message(&e));
                        0
                    }
                };
                savepoint.close(changed == 1).map_err(sql_err)?;
                if changed == 1 {
                    let after = match (item.fix, &before) {
                        (Fix::DeleteEntry, _) => None,
                        // The compare-and-swap matched, so the row is now `before` with the SET values.
                        (_, Some(b)) if !sets.is_empty() => {
                            let mut a = b.clone();
                            for (i, v) in sets {
                                a[*i] = v.clone();
                            }
                            Some(a)
                        }
                        _ => row(&mut rows)?,
                    };
                    let names = &columns.names;
                    let details = FixDetails {
                        discrepancy: &item.id,
                        kind: item.kind,
                        fix: item.fix,
                        sql,
                        before: before.as_deref().map(|values| RowImage { names, values }),
                        after: after.as_deref().map(|values| RowImage { names, values }),
                    };
                    batch.audit(EventType::of_fix(item.fix), item.key.as_deref(), &details)?;
                    Outcome::Applied
                } else if let Some(why) = refused.take() {
                    Outcome::Failed(format!("the database refused it: {why}"))
                } else if changed > 1 {
                    Outcome::Failed(format!("it would change {changed} rows, not one; nothing was changed"))
                } else {
                    Outcome::Stale("the row changed since the scan".to_string())
                }
            }
        };
        timings.database += start.elapsed();
        outcomes[n] = Some(outcome);
        done += 1;
        ctl.progress(Phase::Apply, done, Some(total));
    }
    drop((savepoint, rows));
    failpoint("apply.after_sql");
    let start = Instant::now();
    // Then file moves, in groups that share one journal fsync.
    let moves: Vec<usize> =
        plan.items.iter().enumerate().filter(|(_, i)| matches!(i.op, Op::Quarantine { .. })).map(|(n, _)| n).collect();
    for group in moves.chunks(MOVE_GROUP) {
        if ctl.cancelled() {
            return Err(cancelled());
        }
        let mut pairs = Vec::with_capacity(group.len());
        let mut owners = Vec::with_capacity(group.len());
        for &n in group {
            let item = &plan.items[n];
            let Op::Quarantine { from, to } = &item.op else { continue };
            match precondition(item, cache_dir) {
                Err(why) => outcomes[n] = Some(Outcome::Stale(why)),
                Ok(()) => {
                    pairs.push((cache_dir.join(from), quarantine.join(to)));
                    owners.push(n);
                }
            }
        }
        let moved = batch.move_files(&pairs)?;
        for ((n, (src, dst)), result) in owners.into_iter().zip(&pairs).zip(moved) {
            let item = &plan.items[n];
            outcomes[n] = Some(match result {
                Ok(()) => {
                    batch.audit(
                        EventType::of_fix(item.fix),
                        item.key.as_deref(),
                        &json!({"discrepancy": item.id, "kind": item.kind, "fix": item.fix,
                                "from": lossy(src), "to": lossy(dst),
                                "from_hex": path_hex(src), "to_hex": path_hex(dst)}),
                    )?;
                    Outcome::Applied
                }
                // Renamed or replaced between its re-check and its move: that
                // fix alone is stale; the rest of the batch commits.
                Err(NotMoved::Changed(why)) => Outcome::Stale(why),
                // Refused (permissions, I/O): that fix alone failed.
                Err(NotMoved::Failed(why)) => Outcome::Failed(why),
            });
        }
        done += group.len() as u64;
        ctl.progress(Phase::Apply, done, Some(total));
    }
    timings.files += start.elapsed();
    // The last safe point: after this the batch commits.
    if ctl.cancelled() {
        return Err(cancelled());
    }
    let start = Instant::now();
    let mut result = Vec::with_capacity(plan.items.len());
    for (item, outcome) in plan.items.iter().zip(outcomes) {
        let outcome = outcome.unwrap_or_else(|| Outcome::Stale("not reached".to_string()));
        let skipped = match &outcome {
            Outcome::Applied => None,
            Outcome::Stale(why) => Some((EventType::FixSkippedStale, why)),
            Outcome::Failed(why) => Some((EventType::FixFailed, why)),
        };
        if let Some((event, why)) = skipped {
            batch.audit(
                event,
                item.key.as_deref(),
                &json!({"discrepancy": item.id, "kind": item.kind, "fix": item.fix, "reason": why}),
            )?;
        }
        result.push((item.id.clone(), item.fix, outcome));
    }
    let outcomes = result;
    let count = |f: fn(&Outcome) -> bool| outcomes.iter().filter(|o| f(&o.2)).count();
    let (applied, stale, failed) = (
        count(|o| *o == Outcome::Applied),
        count(|o| matches!(o, Outcome::Stale(_))),
        count(|o| matches!(o, Outcome::Failed(_))),
    );
    batch.audit(EventType::ReconcileEnd, None, &json!({"applied": applied, "stale": stale, "failed": failed}))?;
    timings.database += start.elapsed();
    Ok(outcomes)
}

/// Re-checks, at apply time, what the fix relied on when it was planned.
fn precondition(item: &PlanItem, cache_dir: &Path) -> std::result::Result<(), String> {
    let same = |rel: &PathBuf, id: &Identity| -> std::result::Result<(), String> {
        match Identity::at(cache_dir, rel) {
            Err(_) => Err(format!("{} is gone", escaped(rel))),
            Ok(now) => {
                if now.dev != id.dev || now.ino != id.ino {
                    Err(format!("{} was replaced by another file", escaped(rel)))
                } else if now.size != id.size {
                    Err(format!("{} changed size ({} → {} bytes)", escaped(rel), id.size, now.size))
                } else if now.mtime_ns != id.mtime_ns {
                    Err(format!("{} was modified", escaped(rel)))
                } else {
                    Ok(())
                }
            }
        }
    };
    if let Some((rel, id)) = &item.pre.file {
        same(rel, id)?;
    }
    for (rel, id) in &item.pre.unchanged {
        same(rel, id)?;
    }
    for rel in &item.pre.absent {
        if Identity::at(cache_dir, rel).is_ok() {
            return Err(format!("{} appeared since the scan", escaped(rel)));
        }
    }
    Ok(())
}
