//! `check --key K`: an inspection of a few keys that reads only what they
//! need — "is this key healthy?" right after the app synthesised one clip,
//! answered at once on a dump of a million files.
//!
//! * Disk: the keys' files by name ([`key_files`]: flat and sharded
//!   layouts; any other layout walks the whole cache dir as usual).
//! * Database: the keys' rows by a lookup on `cache_key`, in the file
//!   itself when it has no `-wal` content to include (no copy of a large
//!   database), else in the usual private copy.
//!
//! The discrepancies of those keys come out as a full inspection gives
//! them, except what only the whole dump shows (see [`key_files`]): stray
//! files, which have no key, and a second file of the same name in a folder
//! the key's characters do not lead to. `rows` and `scan` hold only what was
//! read, so counts built on them (`scanned`, findings) are the keys' own.

use std::time::Instant;

use super::{InspectTimings, Inspection, Options};
use crate::core::control::Control;
use crate::core::disk::key_files;
use crate::core::dump::Dump;
use crate::core::error::{Error, ErrorKind, Result};
use crate::core::journal;
use crate::core::rows::read_rows_for;
use crate::core::snapshot::{ReadAhead, Snapshot};

impl Inspection {
    /// Reads only what `keys` need where the layout allows, else the whole
    /// dump ([`Inspection::open_with`]).
    pub fn open_keys(dump: &Dump, keys: &[String], opts: &Options, ctl: &Control) -> Result<Inspection> {
        let start = Instant::now();
        let state = dump.state_dir();
        let interrupted = journal::describe_pending(&state);
        if journal::path(&state).exists() && journal::batch_running(&state) {
            return Err(Error::new(ErrorKind::Locked, interrupted.unwrap_or_default()));
        }
        let mut exclude = vec![dump.state_dir(), dump.db.clone()];
        exclude.extend(["-wal", "-shm", "-journal"].map(|s| crate::core::dbfiles::sidecar(&dump.db, s)));
        let t = Instant::now();
        let Some(scan) = key_files(&dump.cache_dir, &exclude, keys, opts.deep, ctl)? else {
            return Inspection::open_with(dump, opts, ctl);
        };
        let t_scan = t.elapsed();
        // After an interrupted batch, read the database as recovery will leave it.
        let snapshot = match interrupted {
            Some(_) => Snapshot::copy_rolled_back(&dump.db, &dump.root)?,
            None => match Snapshot::in_place(&dump.db, ReadAhead::None)? {
                Some(s) => s,
                None => Snapshot::copy_of(&dump.db, &dump.root)?,
            },
        };
        let columns = crate::core::schema::read_columns(snapshot.conn(), &dump.db)?;
        let t_snapshot = start.elapsed().saturating_sub(t_scan);
        let t = Instant::now();
        let rows = read_rows_for(snapshot.conn(), &columns, &dump.db, keys)?;
        let t_rows = t.elapsed();
        let timings = InspectTimings { snapshot: t_snapshot, rows: t_rows, scan: t_scan, ..Default::default() };
        let read = super::Read { snapshot, columns, rows, scan, interrupted, start, timings };
        Ok(Inspection::detected(dump, read, ctl))
    }
}
