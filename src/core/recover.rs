//! Recovery (SPEC §6): finish or roll back a batch our journal names, and
//! roll back a hot rollback journal SQLite left (a crash, a full disk).

use std::path::PathBuf;

use super::audit::batch_committed;
use super::dbfiles::{JournalState, journal_state};
use super::dbfiles::{busy_timeout, locked_by_another};
use super::error::{Error, Result};
use super::failpoint::failpoint;
use super::fmt::escaped;
use super::fsops::{rename_noreplace, sync_dir};
use super::journal;
use super::session::Session;

impl Session {
    /// Finishes or rolls back an interrupted batch (SPEC §6), and rolls back
    /// a hot rollback journal that a writer killed mid-transaction (a full
    /// disk, a crash) left beside the database. Returns what was done, or
    /// None when nothing was pending.
    pub fn recover(&self) -> Result<Option<String>> {
        let db = &self.dump.db;
        let mut done = Vec::new();
        super::dbfiles::wait_for_writer(db, busy_timeout());
        match journal_state(db) {
            JournalState::Live => return Err(locked_by_another(db)),
            JournalState::Hot => {
                // Reading through a read-write connection makes SQLite roll
                // the journal back (it needs no free space to do so).
                let conn = self.open_rw()?;
                conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0))
                    .map_err(|e| Error::sqlite_at("roll back the interrupted write of", db, &e))?;
                drop(conn);
                if journal_state(db) == JournalState::Hot {
                    return Err(Error::io(format!(
                        "the interrupted write of the database {} could not be rolled back (its journal is still there); free some space on its disk and run `cachescope recover {}` again",
                        escaped(db),
                        escaped(&self.dump.root)
                    )));
                }
                done.push("an interrupted write of the database was rolled back from its journal".to_string());
            }
            JournalState::None => {}
        }
        if let Some(ours) = self.recover_batch()? {
            done.push(ours);
        }
        Ok((!done.is_empty()).then(|| done.join("; ")))
    }

    /// Finishes or rolls back the batch our journal names.
    fn recover_batch(&self) -> Result<Option<String>> {
        let state = self.state_dir();
        let pending = journal::read(&state).map_err(|e| Error::io_at("read", &journal::path(&state), &e))?;
        let Some(pending) = pending else { return Ok(None) };
        // Opening read-write lets SQLite roll back a half-written transaction.
        let committed = match pending.batch {
            Some((batch, _)) => {
                let conn = self.open_rw()?;
                batch_committed(&conn, batch).map_err(|e| Error::sqlite_at("read", &self.dump.db, &e))?
            }
            None => false,
        };
        let what = pending.batch.as_ref().map_or("an unstarted batch".to_string(), |(b, op)| format!("{op} batch {b}"));
        let message = if committed {
            format!("{what} had committed; its journal was cleared")
        } else {
            let (back, stuck) = move_back(&pending.moves);
            failpoint("recover.after_move_back");
            if !stuck.is_empty() {
                return Err(Error::io(format!(
                    "could not move {} quarantined file(s) of {what} back ({}); the journal is kept, fix the paths and run `cachescope recover {}` again",
                    stuck.len(),
                    stuck.join("; "),
                    escaped(&self.dump.root)
                )));
            }
            format!("{what} had not committed; it was rolled back ({back} file(s) moved back)")
        };
        journal::remove(&state).map_err(|e| Error::io_at("remove", &journal::path(&state), &e))?;
        Ok(Some(message))
    }
}

/// Moves journaled files back, newest first: returns (moved back, stuck).
pub(super) fn move_back(moves: &[(PathBuf, PathBuf)]) -> (usize, Vec<String>) {
    let mut back = 0;
    let mut stuck = Vec::new();
    for (from, to) in moves.iter().rev() {
        let at_dest = to.symlink_metadata().is_ok();
        let at_src = from.symlink_metadata().is_ok();
        match (at_src, at_dest) {
            (false, true) => match rename_noreplace(to, from) {
                Ok(()) => {
                    back += 1;
                    let _ = from.parent().map(sync_dir);
                    let _ = to.parent().map(sync_dir);
                }
                Err(e) => stuck.push(format!("{}: {e}", escaped(to))),
            },
            (true, true) => stuck.push(format!("{} and {} both exist", escaped(from), escaped(to))),
            // Never moved (killed before the rename, or the file was gone), or already back.
            _ => {}
        }
    }
    (back, stuck)
}
