//! Batches recorded in `cache_audit`, read without writing (SPEC §6–§7).

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value as Json;

use super::audit::{Event, EventType, read_events};
use super::dump::Dump;
use super::error::Result;
use super::snapshot::Snapshot;

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
    /// The newest undo batch that reverted this one.
    pub undone_by: Option<i64>,
    /// Its changes are in the dump now: not undone, or undone by an undo
    /// that was itself undone.
    pub in_effect: bool,
}

impl BatchInfo {
    pub fn count(&self, event: &str) -> usize {
        self.events.get(event).copied().unwrap_or(0)
    }
    /// False for a batch whose fixes were all skipped or failed.
    pub fn changed_something(&self) -> bool {
        self.events.keys().any(|e| EventType::parse(e).is_some_and(EventType::changes))
    }
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
            in_effect: true,
        });
        *b.events.entry(e.event_type.clone()).or_default() += 1;
        if let Some(op) = e.kind().and_then(EventType::starts).filter(|_| e.ours()) {
            b.op = op.into();
            b.started_ms = e.timestamp;
            if op == "undo" {
                b.undoes = e.details.get("undoes").and_then(Json::as_i64);
            }
        }
    }
    // Newest first: an undo's own state is known before the batch it undid.
    let ids: Vec<i64> = out.keys().rev().copied().collect();
    for id in ids {
        let Some((target, undo_in_effect)) = out.get(&id).and_then(|b| b.undoes.map(|t| (t, b.in_effect))) else {
            continue;
        };
        if let Some(t) = out.get_mut(&target) {
            t.undone_by.get_or_insert(id);
            if undo_in_effect {
                t.in_effect = false;
            }
        }
    }
    out.into_values().collect()
}

/// Reads the batches of a dump through a private copy; after an interrupted
/// batch, as recovery will leave them.
pub fn history(dump: &Dump) -> Result<Vec<BatchInfo>> {
    let snap = if super::batch::needs_recovery(dump) {
        Snapshot::copy_rolled_back(&dump.db, &dump.root)?
    } else {
        Snapshot::copy_of(&dump.db, &dump.root)?
    };
    Ok(batches(&read_events(snap.conn(), &dump.db)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn start(id: i64, batch: i64, undoes: Option<i64>) -> Event {
        let (t, details) = match undoes {
            Some(u) => ("undo_start", serde_json::json!({"tool": "cachescope", "undoes": u})),
            None => ("reconcile_start", serde_json::json!({"tool": "cachescope"})),
        };
        Event { id, event_type: t.into(), details, key: None, timestamp: id, batch }
    }

    #[test]
    fn an_undo_of_an_undo_puts_the_apply_back_in_effect() {
        let b = batches(&[start(1, 1, None), start(2, 2, Some(1)), start(3, 3, Some(2))]);
        let state: Vec<(i64, bool, Option<i64>)> = b.iter().map(|b| (b.batch, b.in_effect, b.undone_by)).collect();
        assert_eq!(state, vec![(1, true, Some(2)), (2, false, Some(3)), (3, true, None)]);
        let b = batches(&[start(1, 1, None), start(2, 2, Some(1)), start(3, 3, Some(2)), start(4, 4, Some(1))]);
        assert!(!b[0].in_effect, "undone again by batch 4");
    }
}
