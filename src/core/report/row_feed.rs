//! The JSON report's full rows, read on another thread while the findings
//! are found and the report is written, handed over a chunk at a time (one
//! hand-over per row cost more in waking threads than the reads).

use std::cell::RefCell;
use std::sync::mpsc::{Receiver, sync_channel};
use std::thread::Scope;

use crate::core::inspect::Inspection;
use crate::core::model::Value;

/// Rows per hand-over.
const CHUNK: usize = 512;
/// Chunks read ahead of the report at most. Enough for the reading to go
/// on while the findings are found (a narrower window made it wait, and the
/// report took 80 ms longer at a million keys); bounded, so tens of
/// thousands of discrepancies' rows are not all held at once.
const AHEAD: usize = 64;

/// Every column of each discrepancy's row, in the order of `found`.
pub struct RowFeed {
    from: Receiver<Vec<Option<Vec<Value>>>>,
    chunk: RefCell<std::vec::IntoIter<Option<Vec<Value>>>>,
}

impl RowFeed {
    /// Starts reading `ins`'s rows (see [`Inspection::found_row_values`]) on
    /// a thread of `scope`. The reading stops early once the feed is dropped.
    pub fn spawn<'scope>(scope: &'scope Scope<'scope, '_>, ins: &'scope Inspection) -> RowFeed {
        let (to, from) = sync_channel(AHEAD);
        scope.spawn(move || {
            let mut chunk = Vec::with_capacity(CHUNK);
            ins.found_row_values(|values| {
                chunk.push(values);
                chunk.len() < CHUNK || to.send(std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK))).is_ok()
            });
            let _ = to.send(chunk);
        });
        RowFeed { from, chunk: RefCell::new(Vec::new().into_iter()) }
    }

    /// The next discrepancy's row; None when it has none (or the reading
    /// ended).
    pub fn next(&self) -> Option<Vec<Value>> {
        let mut chunk = self.chunk.borrow_mut();
        loop {
            if let Some(values) = chunk.next() {
                return values;
            }
            *chunk = self.from.recv().ok()?.into_iter();
        }
    }
}
