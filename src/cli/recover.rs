//! `cachescope recover`: finish or roll back an interrupted batch, or an
//! interrupted write SQLite left a hot journal of. With nothing pending it
//! changes (and creates) nothing, also on a read-only dump.

use crate::core::batch::needs_recovery;
use crate::core::dbfiles::{JournalState, journal_state};
use crate::core::{Dump, Error, writing_session};

pub fn run(dump: &Dump) -> Result<u8, Error> {
    if journal_state(&dump.db) == JournalState::Live {
        return Err(crate::core::batch::locked_by_another(&dump.db));
    }
    if !needs_recovery(dump) {
        outln!("Nothing to recover: no interrupted apply.")?;
        return Ok(0);
    }
    let (_session, done) = writing_session(dump)?;
    match done {
        Some(done) => outln!("Recovered: {done}.")?,
        None => outln!("Nothing to recover: no interrupted apply.")?,
    }
    Ok(0)
}
