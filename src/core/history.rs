//! Batches recorded in `cache_audit`, read without writing (SPEC §6–§7).

use std::collections::BTreeMap;

use rusqlite::Connection;
use serde::Serialize;
use serde_json::Value as Json;

use super::dump::Dump;
use super::error::{Error, Result};
use super::snapshot::Snapshot;

/// One audit row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    pub id: i64,
    pub event_type: String,
    pub details: Json,
    pub key: Option<String>,
    pub timestamp: i64,
    pub batch: i64,
}

/// One batch: an apply or an undo.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BatchInfo {
    pub batch: i64,
    /// `apply` or `undo` (cachescope's), or `app` (written by someone else,
    /// e.g. the app's own reconciliation service).
    pub op: String,
    pub started_ms: i64,
    /// Event types and how often each occurs.
    pub events: BTreeMap<String, usize>,
    /// For an undo: the batch it undid.
    pub undoes: Option<i64>,
    /// For an apply: the undo batch that reverted it.
    pub undone_by: Option<i64>,
}

impl BatchInfo {
    pub fn count(&self, event: &str) -> usize {
        self.events.get(event).copied().unwrap_or(0)
    }
}

/// Every audit event, oldest first (empty when there is no audit table).
pub fn events(conn: &Connection) -> rusqlite::Result<Vec<Event>> {
    let has: bool = conn.query_row(
        "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'cache_audit'",
        [],
        |r| r.get(0),
    )?;
    if !has {
        return Ok(vec![]);
    }
    let mut stmt = conn.prepare(
        "SELECT id, event_type, details, affected_cache_key, timestamp, reconciliation_batch_id FROM cache_audit WHERE reconciliation_batch_id IS NOT NULL ORDER BY id",
    )?;
    let rows = stmt.query_map([], |r| {
        let details: Option<String> = r.get(2)?;
        Ok(Event {
            id: r.get(0)?,
            event_type: r.get(1)?,
            details: details.and_then(|d| serde_json::from_str(&d).ok()).unwrap_or(Json::Null),
            key: r.get(3)?,
            timestamp: r.get(4)?,
            batch: r.get(5)?,
        })
    })?;
    rows.collect()
}

/// Groups events into batches, oldest first.
pub fn batches(events: &[Event]) -> Vec<BatchInfo> {
    let mut out: BTreeMap<i64, BatchInfo> = BTreeMap::new();
    for e in events {
        let b = out.entry(e.batch).or_insert_with(|| BatchInfo {
            batch: e.batch,
            op: "app".into(),
            started_ms: e.timestamp,
            events: BTreeMap::new(),
            undoes: None,
            undone_by: None,
        });
        *b.events.entry(e.event_type.clone()).or_default() += 1;
        let ours = e.details.get("tool").and_then(Json::as_str) == Some("cachescope");
        if e.event_type == "reconcile_start" && ours {
            b.op = "apply".into();
            b.started_ms = e.timestamp;
        }
        if e.event_type == "undo_start" && ours {
            b.op = "undo".into();
            b.undoes = e.details.get("undoes").and_then(Json::as_i64);
        }
    }
    let undone: Vec<(i64, i64)> = out.values().filter_map(|b| b.undoes.map(|u| (u, b.batch))).collect();
    for (target, by) in undone {
        if let Some(b) = out.get_mut(&target) {
            b.undone_by = Some(by);
        }
    }
    out.into_values().collect()
}

/// Reads the batches of a dump through a private copy.
pub fn history(dump: &Dump) -> Result<Vec<BatchInfo>> {
    let snap = Snapshot::copy_of(&dump.db)?;
    let events = events(snap.conn()).map_err(|e| Error::sqlite_at("read the audit table of", &dump.db, &e))?;
    Ok(batches(&events))
}
