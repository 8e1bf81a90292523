//! Undoing a batch from its audit images (SPEC §6): rows as they were,
//! quarantined files back in place. The undo is itself a batch, with the same
//! crash protocol and its own audit rows, which carry before- and
//! after-images too: undoing an undo re-applies what it reverted.
//!
//! A row is restored only while *every* column still equals the batch's
//! after-image; a row the app changed since is left alone and reported with
//! the columns that changed. Nothing the app wrote later is overwritten.

use std::path::PathBuf;

use super::model::Value;
use serde_json::{Map, Value as Json, json};

use super::audit::{Event, EventType, read_events};
use super::batch::{Batch, NotMoved, Savepoint, Session};
use super::dump::Dump;
use super::error::{Error, Result, is_busy, sqlite_message};
use super::failpoint::failpoint;
use super::fmt::{clean, escaped, lossy};
use super::history::{BatchInfo, batches};
use super::journal::{hex_path, path_hex};
use super::rows::{json_to_value, row_by_key};
use super::snapshot::Snapshot;
use super::sql::Sql;

#[derive(Debug, Clone)]
pub struct UndoReport {
    pub undone: i64,
    /// What the undone batch was: `apply`, or `undo` (then this re-applied it).
    pub undone_op: String,
    pub batch: i64,
    pub rows_restored: usize,
    pub files_restored: usize,
    /// What could not be restored because it changed since, one sentence each.
    pub conflicts: Vec<String>,
    /// What could not be restored although it was as the batch left it (the
    /// database refused the row, a file could not be moved back).
    pub failures: Vec<String>,
}

/// Which batch an undo reverts: `target`, or the newest apply still in
/// effect. Reads through a private copy, so asking writes nothing.
pub fn pick(dump: &Dump, target: Option<i64>) -> Result<i64> {
    let snap = Snapshot::copy_of(&dump.db, &dump.root)?;
    let all = read_events(snap.conn(), &dump.db)?;
    choose(&batches(&all), target, dump).map(|b| b.batch)
}

fn choose<'a>(infos: &'a [BatchInfo], target: Option<i64>, dump: &Dump) -> Result<&'a BatchInfo> {
    let root = escaped(&dump.root);
    let pick = match target {
        Some(id) => infos.iter().find(|b| b.batch == id).ok_or_else(|| {
            Error::bad_input(format!(
                "there is no batch {id} in the audit table of {root}; see `cachescope history {root}`"
            ))
        })?,
        // The newest apply that changed something: one whose fixes were all
        // skipped or failed has nothing to undo.
        None => {
            infos.iter().rev().find(|b| b.op == "apply" && b.in_effect && b.changed_something()).ok_or_else(|| {
                Error::bad_input(format!(
                    "there is no applied batch left to undo in {root}; see `cachescope history {root}`"
                ))
            })?
        }
    };
    if pick.op != "apply" && pick.op != "undo" {
        return Err(Error::bad_input(format!(
            "batch {} in the audit table was not written by cachescope (the app's own reconciliation?), so it cannot be undone",
            pick.batch
        )));
    }
    // Undoing a batch that changed nothing would only write an empty batch.
    if pick.op == "apply" && !pick.changed_something() {
        return Err(Error::bad_input(format!(
            "batch {} changed nothing (its fixes were all skipped or failed), so there is nothing to undo; see `cachescope history {root}`",
            pick.batch
        )));
    }
    if !pick.in_effect {
        let by = pick.undone_by.map_or(String::new(), |b| format!(" by batch {b}"));
        return Err(Error::bad_input(format!(
            "batch {} was already undone{by}; to bring it back, undo that batch: `cachescope undo {root} --batch {}`",
            pick.batch,
            pick.undone_by.unwrap_or(pick.batch)
        )));
    }
    Ok(pick)
}

/// Undoes `target` (or the newest apply in effect) under `session`'s lock.
pub fn undo(session: &Session, target: Option<i64>) -> Result<UndoReport> {
    let db = session.dump.db.clone();
    let all = {
        let conn = session.open_rw()?;
        read_events(&conn, &db)?
    };
    let infos = batches(&all);
    let pick = choose(&infos, target, &session.dump)?;
    let (undone, op) = (pick.batch, pick.op.clone());
    let mine: Vec<&Event> = all.iter().filter(|e| e.batch == undone).rev().collect();

    let mut batch = Batch::start(session, "undo")?;
    match run(&mut batch, undone, &op, &mine) {
        Ok(report) => {
            batch.commit()?;
            Ok(report)
        }
        Err(e) => {
            batch.abort()?;
            Err(e)
        }
    }
}

/// What one audit event changed, as undo needs it.
enum Change {
    /// A row: its image before and after (None = no row).
    Row { before: Option<Map<String, Json>>, after: Option<Map<String, Json>> },
    /// A file moved from → to.
    File { from: PathBuf, to: PathBuf },
}

fn change_of(e: &Event) -> Option<Change> {
    use EventType::*;
    let image = |k: &str| e.details.get(k).and_then(Json::as_object).cloned();
    match e.kind()? {
        FileRegistered | EntryMarkedFailed | EntryDeleted | StateUpdated | SizeUpdated | DurationUpdated
        | RowRestored => {
            let (before, after) = (image("before"), image("after"));
            (before.is_some() || after.is_some()).then_some(Change::Row { before, after })
        }
        FileQuarantined | FileRestored => {
            let path = |k: &str| e.details.get(k).and_then(Json::as_str).and_then(hex_path);
            Some(Change::File { from: path("from_hex")?, to: path("to_hex")? })
        }
        _ => None,
    }
}

/// The key column of an image (named `cache_key` in any case) and its value.
fn key_of(image: &Map<String, Json>) -> Option<(&str, Value)> {
    image.iter().find(|(c, _)| c.eq_ignore_ascii_case("cache_key")).map(|(c, v)| (c.as_str(), json_to_value(v)))
}

/// The statement that turns `after` back into `before`, matching the row only
/// while every column is as the batch left it.
fn inverse(before: Option<&Map<String, Json>>, after: Option<&Map<String, Json>>) -> Option<Sql> {
    let cols = |m: &Map<String, Json>, key: &str| -> Vec<(String, Value)> {
        m.iter().filter(|(c, _)| c.as_str() != key).map(|(c, v)| (c.clone(), json_to_value(v))).collect()
    };
    let guard = |key: (&str, Value), m: &Map<String, Json>| -> Vec<(String, Value)> {
        let mut g = vec![(key.0.to_string(), key.1.clone())];
        g.extend(cols(m, key.0));
        g
    };
    match (before, after) {
        (Some(b), Some(a)) => {
            let key = key_of(a)?;
            Some(Sql::update(&refs(&cols(b, key.0)), &refs(&guard(key, a))))
        }
        (None, Some(a)) => Some(Sql::delete(&refs(&guard(key_of(a)?, a)))),
        (Some(b), None) => Some(Sql::insert(&refs(&guard(key_of(b)?, b)))),
        (None, None) => None,
    }
}

fn refs(v: &[(String, Value)]) -> Vec<(&str, Value)> {
    v.iter().map(|(c, v)| (c.as_str(), v.clone())).collect()
}

/// The columns whose values differ between `now` and `expected`.
fn changed_columns(now: &Map<String, Json>, expected: &Map<String, Json>) -> Vec<String> {
    expected.iter().filter(|(c, v)| now.get(*c) != Some(*v)).map(|(c, _)| c.clone()).collect()
}

fn run(batch: &mut Batch, undone: i64, op: &str, events: &[&Event]) -> Result<UndoReport> {
    let db = batch.session.dump.db.clone();
    let sql_err = |e: rusqlite::Error| Error::sqlite_at("write", &db, &e);
    batch.audit(
        EventType::UndoStart,
        None,
        &json!({"tool": "cachescope", "undoes": undone, "undoes_op": op, "backup": lossy(&batch.backup)}),
    )?;
    let mut report = UndoReport {
        undone,
        undone_op: op.to_string(),
        batch: batch.id,
        rows_restored: 0,
        files_restored: 0,
        conflicts: vec![],
        failures: vec![],
    };
    let mut moves = Vec::new();
    let mut savepoint = Savepoint::prepare(&batch.conn, "undo_row").map_err(sql_err)?;
    for e in events {
        let key = e.key.as_deref().unwrap_or_default();
        let (before, after) = match change_of(e) {
            Some(Change::Row { before, after }) => (before, after),
            Some(Change::File { from, to }) => {
                moves.push((e.id, key.to_string(), from, to));
                continue;
            }
            None => continue,
        };
        let Some(q) = inverse(before.as_ref(), after.as_ref()) else { continue };
        // In a savepoint: undone unless it restores exactly one row.
        savepoint.open().map_err(sql_err)?;
        let mut refused = None;
        let changed = match q.execute(&batch.conn) {
            Ok(n) => n,
            Err(e) if is_busy(&e) => return Err(sql_err(e)),
            Err(e) if batch.conn.is_autocommit() => return Err(batch.rolled_back(&e)),
            Err(e) => {
                refused = Some(sqlite_message(&e));
                0
            }
        };
        savepoint.close(changed == 1).map_err(sql_err)?;
        let image = after.as_ref().or(before.as_ref());
        let (key_col, key_value) = image.and_then(key_of).unwrap_or(("cache_key", Value::Text(key.to_string())));
        let now = row_by_key(&batch.conn, key_col, &key_value).map_err(sql_err)?;
        let shown = clean(key);
        if changed == 1 {
            report.rows_restored += 1;
            batch.audit(
                EventType::RowRestored,
                Some(key),
                &json!({"event": e.id, "sql": q.shown, "before": after, "after": now}),
            )?;
            continue;
        }
        if let Some(why) = refused {
            let why = format!("the database refused to restore row {shown} ({why}); it was left as it is");
            batch.audit(EventType::UndoFailed, Some(key), &json!({"event": e.id, "reason": why}))?;
            report.failures.push(why);
            continue;
        }
        let why = match (&now, &after) {
            (None, Some(_)) => format!("row {shown} was deleted since batch {undone}; it was left as it is"),
            (Some(_), None) => format!("row {shown} exists again since batch {undone}; it was left as it is"),
            (Some(now), Some(a)) => {
                let cols = changed_columns(now, a);
                let cols: Vec<_> = cols.iter().map(|c| clean(c).into_owned()).collect();
                format!("row {shown} changed since batch {undone}: {}; it was left as it is", cols.join(", "))
            }
            (None, None) => format!("row {shown} could not be restored; it was left as it is"),
        };
        batch.audit(EventType::UndoSkipped, Some(key), &json!({"event": e.id, "reason": why}))?;
        report.conflicts.push(why);
    }
    drop(savepoint);
    failpoint("undo.after_sql");
    // Each move goes back: what went from → to returns to → from.
    let mut back = Vec::with_capacity(moves.len());
    for (event, key, from, to) in moves {
        if to.symlink_metadata().is_err() {
            let why = format!("{} is no longer there, so it cannot be moved back", escaped(&to));
            batch.audit(EventType::UndoSkipped, Some(&key), &json!({"event": event, "reason": why}))?;
            report.conflicts.push(why);
        } else {
            back.push((event, key, to, from));
        }
    }
    for group in back.chunks(512) {
        let pairs: Vec<_> = group.iter().map(|(_, _, src, dst)| (src.clone(), dst.clone())).collect();
        let moved = batch.move_files(&pairs)?;
        for ((event, key, src, dst), result) in group.iter().zip(moved) {
            match result {
                Ok(()) => {
                    report.files_restored += 1;
                    batch.audit(
                        EventType::FileRestored,
                        Some(key),
                        &json!({"event": event, "from": lossy(src), "to": lossy(dst),
                                "from_hex": path_hex(src), "to_hex": path_hex(dst)}),
                    )?;
                }
                Err(NotMoved::Changed(why)) => {
                    let why = format!("{} stays where it is: {why}", escaped(src));
                    batch.audit(EventType::UndoSkipped, Some(key), &json!({"event": event, "reason": why}))?;
                    report.conflicts.push(why);
                }
                Err(NotMoved::Failed(why)) => {
                    let why = format!("{} stays where it is: {why}", escaped(src));
                    batch.audit(EventType::UndoFailed, Some(key), &json!({"event": event, "reason": why}))?;
                    report.failures.push(why);
                }
            }
        }
    }
    batch.audit(
        EventType::UndoEnd,
        None,
        &json!({"undoes": undone, "rows": report.rows_restored, "files": report.files_restored,
                "conflicts": report.conflicts.len(), "failed": report.failures.len()}),
    )?;
    Ok(report)
}

/// The one sentence both front ends show for an undo's outcome.
pub fn summary(r: &UndoReport) -> String {
    let what = if r.undone_op == "undo" {
        format!("Re-applied what undo batch {} reverted", r.undone)
    } else {
        format!("Undid batch {}", r.undone)
    };
    let failed = match r.failures.len() {
        0 => String::new(),
        n => format!(", {n} failed"),
    };
    format!(
        "{what} (as batch {}): {} rows restored, {} files moved, {} left as they were{failed}.",
        r.batch,
        r.rows_restored,
        r.files_restored,
        r.conflicts.len()
    )
}
