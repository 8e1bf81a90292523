//! Undoing a batch from its audit before-images (SPEC §6): rows as they were,
//! quarantined files back in place. The undo is itself a batch, with the same
//! crash protocol and its own audit rows.

use rusqlite::types::Value;
use serde_json::{Map, Value as Json, json};

use super::batch::{Batch, Session, exec_cached};
use super::error::{Error, Result};
use super::failpoint::failpoint;
use super::fmt::lossy;
use super::history::{Event, batches, events};
use super::journal::hex_path;
use super::plan::literal;
use super::rows::json_to_value;
use super::schema::quote_ident;

#[derive(Debug, Clone)]
pub struct UndoReport {
    pub undone: i64,
    pub batch: i64,
    pub rows_restored: usize,
    pub files_restored: usize,
    /// What could not be restored because it changed since, one sentence each.
    pub conflicts: Vec<String>,
}

/// Undoes `target`, or the newest apply batch not yet undone.
pub fn undo(session: &Session, target: Option<i64>) -> Result<UndoReport> {
    let db = session.dump.db.clone();
    let sql_err = |e: rusqlite::Error| Error::sqlite_at("read", &db, &e);
    let all = {
        let conn = session.open_rw()?;
        events(&conn).map_err(sql_err)?
    };
    let infos = batches(&all);
    let pick = match target {
        Some(id) => infos.iter().find(|b| b.batch == id).ok_or_else(|| {
            Error::bad_input(format!("there is no batch {id} in the audit table; see `cachescope history`"))
        })?,
        None => infos
            .iter()
            .rev()
            .find(|b| b.op == "apply" && b.undone_by.is_none())
            .ok_or_else(|| Error::bad_input("there is no applied batch left to undo; see `cachescope history`"))?,
    };
    if pick.op == "undo" {
        return Err(Error::bad_input(format!(
            "batch {} is an undo, not an apply; undo the apply batch it reverted instead",
            pick.batch
        )));
    }
    if pick.op != "apply" {
        return Err(Error::bad_input(format!(
            "batch {} in the audit table was not written by cachescope (the app's own reconciliation?), so it cannot be undone",
            pick.batch
        )));
    }
    if let Some(by) = pick.undone_by {
        return Err(Error::bad_input(format!("batch {} was already undone by batch {by}", pick.batch)));
    }
    let undone = pick.batch;
    let mine: Vec<&Event> = all.iter().filter(|e| e.batch == undone).rev().collect();

    let mut batch = Batch::start(session, "undo")?;
    match run(&mut batch, undone, &mine) {
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

fn run(batch: &mut Batch, undone: i64, events: &[&Event]) -> Result<UndoReport> {
    let db = batch.session.dump.db.clone();
    let sql_err = |e: rusqlite::Error| Error::sqlite_at("write", &db, &e);
    batch.audit(
        "undo_start",
        None,
        &json!({"tool": "cachescope", "undoes": undone, "backup": lossy(&batch.backup)}),
    )?;
    let mut report = UndoReport { undone, batch: batch.id, rows_restored: 0, files_restored: 0, conflicts: vec![] };
    let mut moves = Vec::new();
    for e in events {
        let d = &e.details;
        let key = e.key.as_deref().unwrap_or_default();
        let before = d.get("before").and_then(Json::as_object);
        let after = d.get("after").and_then(Json::as_object);
        let sql = match (e.event_type.as_str(), before, after) {
            ("file_registered", _, Some(a)) => Some(format!("DELETE FROM cache_entries WHERE {};", guard(key, a))),
            ("entry_marked_failed" | "state_updated" | "size_updated", Some(b), Some(a)) => {
                let sets: Vec<String> = b
                    .iter()
                    .filter(|(c, _)| *c != "cache_key")
                    .map(|(c, v)| format!("{} = {}", quote_ident(c), literal(&json_to_value(v))))
                    .collect();
                Some(format!("UPDATE cache_entries SET {} WHERE {};", sets.join(", "), guard(key, a)))
            }
            ("entry_deleted", Some(b), _) => {
                let cols: Vec<String> = b.keys().map(|c| quote_ident(c)).collect();
                let vals: Vec<String> = b.values().map(|v| literal(&json_to_value(v))).collect();
                Some(format!(
                    "INSERT INTO cache_entries ({}) SELECT {} WHERE NOT EXISTS (SELECT 1 FROM cache_entries WHERE cache_key = {});",
                    cols.join(", "),
                    vals.join(", "),
                    literal(&stored_key(key, Some(b)))
                ))
            }
            ("file_quarantined", _, _) => {
                let from = d.get("from_hex").and_then(Json::as_str).and_then(hex_path);
                let to = d.get("to_hex").and_then(Json::as_str).and_then(hex_path);
                if let (Some(from), Some(to)) = (from, to) {
                    moves.push((e.id, key.to_string(), from, to));
                }
                None
            }
            _ => None,
        };
        let Some(sql) = sql else { continue };
        // In a savepoint: undone unless it restores exactly one row.
        exec_cached(&batch.conn, "SAVEPOINT undo_row").map_err(sql_err)?;
        let changed = match batch.conn.execute(&sql, []) {
            Ok(n) => n,
            Err(e) if crate::core::error::is_busy(&e) => return Err(sql_err(e)),
            Err(_) => 0,
        };
        if changed != 1 {
            exec_cached(&batch.conn, "ROLLBACK TO undo_row").map_err(sql_err)?;
        }
        exec_cached(&batch.conn, "RELEASE undo_row").map_err(sql_err)?;
        if changed == 1 {
            report.rows_restored += 1;
            batch.audit("row_restored", Some(key), &json!({"event": e.id, "sql": sql}))?;
        } else {
            let why = format!("row {key} changed since batch {undone}; it was left as it is");
            batch.audit("undo_skipped", Some(key), &json!({"event": e.id, "reason": why}))?;
            report.conflicts.push(why);
        }
    }
    failpoint("undo.after_sql");
    // `to` is the quarantined copy; it goes back to `from`.
    let mut back = Vec::with_capacity(moves.len());
    for (event, key, from, to) in moves {
        if to.symlink_metadata().is_err() {
            let why = format!("{} is no longer in quarantine", lossy(&to));
            batch.audit("undo_skipped", Some(&key), &json!({"event": event, "reason": why}))?;
            report.conflicts.push(why);
        } else {
            back.push((event, key, to, from));
        }
    }
    for group in back.chunks(512) {
        let pairs: Vec<_> = group.iter().map(|(_, _, q, home)| (q.clone(), home.clone())).collect();
        let moved = batch.move_files(&pairs)?;
        for ((event, key, q, home), ok) in group.iter().zip(moved) {
            if ok {
                report.files_restored += 1;
                batch.audit(
                    "file_restored",
                    Some(key),
                    &json!({"event": event, "from": lossy(q), "to": lossy(home)}),
                )?;
            } else {
                let why = format!("{} exists again, so its quarantined copy stays in {}", lossy(home), lossy(q));
                batch.audit("undo_skipped", Some(key), &json!({"event": event, "reason": why}))?;
                report.conflicts.push(why);
            }
        }
    }
    batch.audit(
        "undo_end",
        None,
        &json!({"undoes": undone, "rows": report.rows_restored, "files": report.files_restored, "conflicts": report.conflicts.len()}),
    )?;
    Ok(report)
}

/// The key as the row image stores it (an INTEGER key stays an integer).
fn stored_key(key: &str, image: Option<&Map<String, Json>>) -> Value {
    image
        .and_then(|m| m.iter().find(|(c, _)| c.eq_ignore_ascii_case("cache_key")))
        .map(|(_, v)| json_to_value(v))
        .unwrap_or_else(|| Value::Text(key.to_string()))
}

/// Matches the row only while it is as the batch left it.
fn guard(key: &str, after: &Map<String, Json>) -> String {
    let mut parts = vec![format!("cache_key = {}", literal(&stored_key(key, Some(after))))];
    for col in ["compression_state", "size_bytes", "duration_ms"] {
        if let Some(v) = after.get(col) {
            parts.push(format!("{} IS {}", quote_ident(col), literal(&json_to_value(v))));
        }
    }
    parts.join(" AND ")
}
