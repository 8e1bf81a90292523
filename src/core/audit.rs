//! The audit table (SPEC §2): its DDL, the event types cachescope writes, and
//! reading events back. Every place that names an event or asks whether the
//! table exists goes through here.

use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;
use serde_json::Value as Json;

use std::path::Path;

use super::error::Error;
use super::fmt::{clean, escaped};
use super::kinds::Fix;

pub const AUDIT_DDL: &str = "CREATE TABLE IF NOT EXISTS cache_audit (
  id                      INTEGER PRIMARY KEY,
  event_type              TEXT NOT NULL,
  details                 TEXT,
  affected_cache_key      TEXT,
  timestamp               INTEGER NOT NULL,
  reconciliation_batch_id INTEGER
)";

/// The event types cachescope writes (the app may write others).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventType {
    ReconcileStart,
    FileRegistered,
    EntryMarkedFailed,
    EntryDeleted,
    StateUpdated,
    SizeUpdated,
    DurationUpdated,
    FileQuarantined,
    FixSkippedStale,
    /// A fix that could not be carried out (not stale: its world was as planned).
    FixFailed,
    ReconcileEnd,
    UndoStart,
    RowRestored,
    FileRestored,
    UndoSkipped,
    /// A restore that could not be carried out (the database refused it, a
    /// file could not be moved back), as opposed to one skipped because the
    /// row or file changed since.
    UndoFailed,
    UndoEnd,
}

impl EventType {
    pub const ALL: [EventType; 17] = [
        EventType::ReconcileStart,
        EventType::FileRegistered,
        EventType::EntryMarkedFailed,
        EventType::EntryDeleted,
        EventType::StateUpdated,
        EventType::SizeUpdated,
        EventType::DurationUpdated,
        EventType::FileQuarantined,
        EventType::FixSkippedStale,
        EventType::FixFailed,
        EventType::ReconcileEnd,
        EventType::UndoStart,
        EventType::RowRestored,
        EventType::FileRestored,
        EventType::UndoSkipped,
        EventType::UndoFailed,
        EventType::UndoEnd,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventType::ReconcileStart => "reconcile_start",
            EventType::FileRegistered => "file_registered",
            EventType::EntryMarkedFailed => "entry_marked_failed",
            EventType::EntryDeleted => "entry_deleted",
            EventType::StateUpdated => "state_updated",
            EventType::SizeUpdated => "size_updated",
            EventType::DurationUpdated => "duration_updated",
            EventType::FileQuarantined => "file_quarantined",
            EventType::FixSkippedStale => "fix_skipped_stale",
            EventType::FixFailed => "fix_failed",
            EventType::ReconcileEnd => "reconcile_end",
            EventType::UndoStart => "undo_start",
            EventType::RowRestored => "row_restored",
            EventType::FileRestored => "file_restored",
            EventType::UndoSkipped => "undo_skipped",
            EventType::UndoFailed => "undo_failed",
            EventType::UndoEnd => "undo_end",
        }
    }

    pub fn parse(s: &str) -> Option<EventType> {
        EventType::ALL.into_iter().find(|e| e.as_str() == s)
    }

    /// The event a fix writes when it is applied.
    pub fn of_fix(fix: Fix) -> EventType {
        match fix {
            Fix::Register => EventType::FileRegistered,
            Fix::MarkFailed => EventType::EntryMarkedFailed,
            Fix::DeleteEntry => EventType::EntryDeleted,
            Fix::UpdateState => EventType::StateUpdated,
            Fix::UpdateSize => EventType::SizeUpdated,
            Fix::UpdateDuration => EventType::DurationUpdated,
            Fix::Quarantine => EventType::FileQuarantined,
        }
    }

    /// Events that record a change to the dump (a row or a file).
    pub fn changes(self) -> bool {
        use EventType::*;
        matches!(
            self,
            FileRegistered
                | EntryMarkedFailed
                | EntryDeleted
                | StateUpdated
                | SizeUpdated
                | DurationUpdated
                | FileQuarantined
                | RowRestored
                | FileRestored
        )
    }

    /// Events that opened a batch: its kind.
    pub fn starts(self) -> Option<&'static str> {
        match self {
            EventType::ReconcileStart => Some("apply"),
            EventType::UndoStart => Some("undo"),
            _ => None,
        }
    }
}

/// True when the database has the audit table.
pub fn has_table(conn: &Connection) -> rusqlite::Result<bool> {
    conn.query_row("SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'cache_audit'", [], |r| {
        r.get(0)
    })
}

/// The columns cachescope reads and writes in the audit table.
const COLUMNS: [&str; 6] =
    ["id", "event_type", "details", "affected_cache_key", "timestamp", "reconciliation_batch_id"];

/// Why an existing audit table cannot hold cachescope's rows (the app's own
/// `cache_audit` of another shape), as the error to show before anything is
/// written or read from it; None when it fits or does not exist yet.
pub fn unusable(conn: &Connection, db: &Path) -> rusqlite::Result<Option<Error>> {
    let mut stmt = conn
        .prepare("SELECT name, \"notnull\" AND dflt_value IS NULL AND pk = 0 FROM pragma_table_info('cache_audit')")?;
    let columns: Vec<(String, bool)> =
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
    if columns.is_empty() {
        return Ok(None);
    }
    let ours = |name: &str| COLUMNS.iter().any(|c| c.eq_ignore_ascii_case(name));
    let missing: Vec<&str> =
        COLUMNS.into_iter().filter(|c| !columns.iter().any(|(n, _)| n.eq_ignore_ascii_case(c))).collect();
    // A NOT NULL column without a default that we do not fill refuses every row.
    let required: Vec<String> =
        columns.iter().filter(|(n, req)| *req && !ours(n)).map(|(n, _)| clean(n).into_owned()).collect();
    let mut lacks = Vec::new();
    if !missing.is_empty() {
        lacks.push(format!("lacks the column(s) {} that cachescope uses", missing.join(", ")));
    }
    if !required.is_empty() {
        lacks.push(format!("requires the column(s) {} that cachescope does not fill", required.join(", ")));
    }
    if lacks.is_empty() {
        return Ok(None);
    }
    Ok(Some(Error::bad_input(format!(
        "the audit table cache_audit in {} {}: it was made by another version of the app, so nothing was changed; rename that table (in a copy of the dump, if this one must stay as it is) and try again",
        escaped(db),
        lacks.join(" and ")
    ))))
}

/// Every event of the audit table, once it is known to fit (see [`unusable`]).
pub fn read_events(conn: &Connection, db: &Path) -> Result<Vec<Event>, Error> {
    let read = |e: rusqlite::Error| Error::sqlite_at("read the audit table of", db, &e);
    if let Some(why) = unusable(conn, db).map_err(read)? {
        return Err(why);
    }
    events(conn).map_err(read)
}

/// The batch id the next batch takes.
pub fn next_batch_id(conn: &Connection) -> rusqlite::Result<i64> {
    if !has_table(conn)? {
        return Ok(1);
    }
    conn.query_row("SELECT coalesce(max(reconciliation_batch_id), 0) + 1 FROM cache_audit", [], |r| r.get(0))
}

/// True when the batch's audit rows are in the database (it committed).
pub fn batch_committed(conn: &Connection, batch: i64) -> rusqlite::Result<bool> {
    if !has_table(conn)? {
        return Ok(false);
    }
    conn.query_row("SELECT 1 FROM cache_audit WHERE reconciliation_batch_id = ?1 LIMIT 1", [batch], |_| Ok(()))
        .optional()
        .map(|r| r.is_some())
}

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

impl Event {
    pub fn kind(&self) -> Option<EventType> {
        EventType::parse(&self.event_type)
    }
    /// True for events cachescope wrote (the app may use the same table).
    pub fn ours(&self) -> bool {
        self.details.get("tool").and_then(Json::as_str) == Some("cachescope")
    }
}

/// Every audit event of a batch, oldest first (empty when there is no table).
pub fn events(conn: &Connection) -> rusqlite::Result<Vec<Event>> {
    if !has_table(conn)? {
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
