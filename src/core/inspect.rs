//! One read of a dump: database rows (from a private copy) and disk facts,
//! read concurrently, then detection. Writes nothing to the dump.

mod found_rows;
mod keys;

use std::borrow::Cow;
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{Map, Value as Json};

use super::control::{Control, Phase};
use super::detect::{Discrepancy, TableShape, detect_with_unknown};
use super::disk::{DiskScan, FileFacts, scan};
use super::dump::Dump;
use super::error::{Error, Result};
use super::failpoint::failpoint;
use super::journal;
use super::key::Key;
use super::rows::{Row, RowReader, full_row, read_rows, row_values};
use super::schema::Columns;
use super::snapshot::{ReadAhead, Snapshot};

/// Where an inspection's time went (`CACHESCOPE_TIMINGS=1` prints it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InspectTimings {
    pub snapshot: Duration,
    pub rows: Duration,
    pub scan: Duration,
    pub detect: Duration,
}

/// How to read a dump.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// Decode every complete file to its end (`--deep`, SPEC §3).
    pub deep: bool,
    /// Read the database where it lies, without the private copy, when
    /// nothing is writing it (see [`Snapshot::in_place`]): for a one-shot
    /// read (`check`, `diff`), never for a session that writes later. A
    /// database that changes during the read is read again from a copy.
    pub in_place: bool,
}

pub struct Inspection {
    pub dump: Dump,
    pub columns: Columns,
    pub rows: Vec<Row>,
    pub scan: DiskScan,
    pub found: Vec<Discrepancy>,
    pub elapsed: Duration,
    /// An apply that did not finish, described in one sentence.
    pub interrupted: Option<String>,
    /// Keys left without a verdict because a file or folder of theirs could
    /// not be read.
    pub unknown_keys: usize,
    /// Commits in the `-wal` that SQLite cannot read, in one sentence: the
    /// rows shown are not all the app wrote.
    pub wal_unread: Option<String>,
    pub timings: InspectTimings,
    /// Full rows on demand, from the private copy of the database (None for
    /// an inspection built from plain data).
    pub reader: Option<Reader>,
}

/// The private copy of the database an inspection was read from: the
/// detail view, the reports and apply ask it for whole rows. Behind a mutex
/// so an inspection can be shared between threads (the TUI filters on a
/// worker while the UI reads rows for the detail view).
/// What an opening read, before detection.
struct Read {
    snapshot: Snapshot,
    columns: Columns,
    rows: Vec<Row>,
    scan: DiskScan,
    interrupted: Option<String>,
    start: Instant,
    timings: InspectTimings,
}

pub struct Reader {
    snapshot: std::sync::Mutex<Snapshot>,
}

impl Reader {
    /// Every column of the row whose key is stored as `key`, as JSON.
    pub fn full_row(&self, cols: &Columns, key: &super::model::Value) -> Option<Map<String, Json>> {
        let snapshot = self.snapshot.lock().unwrap_or_else(|e| e.into_inner());
        full_row(snapshot.conn(), cols, key).ok().flatten()
    }
    /// Every column of each of these rows, in table order, as values
    /// (None for a row that is not there), handed to `each` as it is read
    /// until `each` says stop: one lock and one statement for all.
    pub fn rows_values(
        &self,
        cols: &Columns,
        keys: impl IntoIterator<Item = Option<super::model::Value>>,
        mut each: impl FnMut(Option<Vec<super::model::Value>>) -> bool,
    ) {
        let snapshot = self.snapshot.lock().unwrap_or_else(|e| e.into_inner());
        let mut reader = RowReader::prepare(snapshot.conn(), cols).ok();
        for key in keys {
            if !each(reader.as_mut().zip(key).and_then(|(r, key)| r.read(&key).ok().flatten())) {
                return;
            }
        }
    }
    /// Every column of one row, in table order, as values.
    pub fn row_values(&self, cols: &Columns, key: &super::model::Value) -> Option<Vec<super::model::Value>> {
        let snapshot = self.snapshot.lock().unwrap_or_else(|e| e.into_inner());
        row_values(snapshot.conn(), cols, key).ok().flatten()
    }
}

impl Inspection {
    /// Reads the dump with the default (container) checks.
    pub fn open(dump: &Dump, ctl: &Control) -> Result<Inspection> {
        Inspection::open_with(dump, &Options::default(), ctl)
    }

    /// Reads the dump; with `opts.deep` every complete file is decoded.
    pub fn open_with(dump: &Dump, opts: &Options, ctl: &Control) -> Result<Inspection> {
        let start = Instant::now();
        let state = dump.state_dir();
        let interrupted = journal::describe_pending(&state);
        // A batch running right now: its database is locked until it ends.
        if journal::path(&state).exists() && journal::batch_running(&state) {
            return Err(Error::new(super::error::ErrorKind::Locked, interrupted.unwrap_or_default()));
        }
        let mut timings = InspectTimings::default();
        // cachescope's folder and the database itself are never cache files.
        let mut exclude = vec![dump.state_dir(), dump.db.clone()];
        exclude.extend(["-wal", "-shm", "-journal"].map(|s| super::dbfiles::sidecar(&dump.db, s)));
        // The walk starts at once; the database is copied and read beside it.
        // If the database cannot be read, the walk stops early.
        let stop = std::sync::atomic::AtomicBool::new(false);
        let scan_ctl = ctl.or_stop(&stop);
        let (db, scan) = std::thread::scope(|s| {
            let walker = s.spawn(|| {
                let t = Instant::now();
                scan(&dump.cache_dir, &exclude, opts.deep, &scan_ctl).map(|s| (s, t.elapsed()))
            });
            let read_from = |snapshot: Snapshot| -> Result<_> {
                let columns = crate::core::schema::read_columns(snapshot.conn(), &dump.db)?;
                let opened = start.elapsed();
                let t = Instant::now();
                let rows = read_rows(snapshot.conn(), &columns, &dump.db, ctl)?;
                Ok((snapshot, columns, rows, opened, t.elapsed()))
            };
            let db = (|| {
                if opts.in_place
                    && interrupted.is_none()
                    && let Some(snapshot) = Snapshot::in_place(&dump.db, ReadAhead::Whole)?
                {
                    let seen = snapshot.seen();
                    let read = read_from(snapshot);
                    failpoint("inspect.rows_in_place");
                    // Changed underneath (a writer came): read from a copy instead.
                    if seen.is_none_or(|s| s.still(&dump.db)) {
                        return read;
                    }
                }
                // After an interrupted batch, read the database as recovery will leave it.
                read_from(if interrupted.is_some() {
                    Snapshot::copy_rolled_back(&dump.db, &dump.root)?
                } else {
                    Snapshot::copy_of(&dump.db, &dump.root)?
                })
            })();
            if db.is_err() {
                stop.store(true, std::sync::atomic::Ordering::Relaxed);
            }
            let scan = walker.join().unwrap_or_else(|_| Err(Error::io("the scan thread failed")));
            (db, scan)
        });
        let (snapshot, columns, rows, t_snapshot, t_rows): (Snapshot, Columns, Vec<Row>, Duration, Duration) = db?;
        let (scan, t_scan) = scan?;
        (timings.snapshot, timings.rows, timings.scan) = (t_snapshot, t_rows, t_scan);
        let read = Read { snapshot, columns, rows, scan, interrupted, start, timings };
        Ok(Inspection::detected(dump, read, ctl))
    }

    /// Detection over what was read, and the inspection holding it all.
    fn detected(dump: &Dump, read: Read, ctl: &Control) -> Inspection {
        let Read { snapshot, columns, rows, scan, interrupted, start, mut timings } = read;
        ctl.progress(Phase::Detect, 0, None);
        let t = Instant::now();
        let shape = TableShape { has_size: columns.size_bytes.is_some(), has_duration: columns.duration_ms.is_some() };
        let (found, unknown_keys) = detect_with_unknown(&scan, &rows, shape);
        timings.detect = t.elapsed();
        Inspection {
            dump: dump.clone(),
            columns,
            rows,
            scan,
            found,
            elapsed: start.elapsed(),
            interrupted,
            unknown_keys,
            wal_unread: snapshot.wal_unread.clone(),
            timings,
            reader: Some(Reader { snapshot: std::sync::Mutex::new(snapshot) }),
        }
    }

    /// An inspection of plain data (tests, tools): detection runs on it, no
    /// database behind it (full rows are not available).
    pub fn from_parts(dump: Dump, columns: Columns, mut rows: Vec<Row>, scan: DiskScan) -> Inspection {
        rows.sort_by(|a, b| a.key.cmp(&b.key));
        let shape = TableShape { has_size: columns.size_bytes.is_some(), has_duration: columns.duration_ms.is_some() };
        let (found, unknown_keys) = detect_with_unknown(&scan, &rows, shape);
        Inspection {
            dump,
            columns,
            rows,
            scan,
            found,
            elapsed: Duration::ZERO,
            interrupted: None,
            unknown_keys,
            wal_unread: None,
            timings: InspectTimings::default(),
            reader: None,
        }
    }

    /// Where the row with this key sits in `rows` (sorted by key). The key
    /// is parsed once, not at each step of the search: the filter looks up
    /// tens of thousands of keys per keystroke.
    pub fn row_index(&self, key: &str) -> Option<usize> {
        let key = Key::new(key);
        self.rows.binary_search_by(|r| r.key.cmp(&key)).ok()
    }

    /// Every column of the row with this key, read from the private copy.
    pub fn full_row(&self, key: &str) -> Option<Map<String, Json>> {
        let row = self.row_index(key).map(|i| &self.rows[i]);
        let value = row.map_or_else(|| super::model::Value::Text(key.to_string()), |r| r.key_value());
        self.reader.as_ref()?.full_row(&self.columns, &value)
    }

    /// Every column of each discrepancy's row (None without one; the key's
    /// row for a file-level one), in the order of `found`, handed to `each`
    /// as it is read until `each` says stop: what the JSON report prints,
    /// read on another thread while the report is written.
    pub fn found_row_values(&self, mut each: impl FnMut(Option<Vec<super::model::Value>>) -> bool) {
        let rows = self.found_rows();
        let keys = rows.into_iter().map(|r| r.and_then(|r| self.rows.get(r as usize)).map(Row::key_value));
        match &self.reader {
            Some(reader) => reader.rows_values(&self.columns, keys, each),
            // No database behind it (plain data): no row to read.
            None => {
                for _ in keys {
                    if !each(None) {
                        break;
                    }
                }
            }
        }
    }

    /// Every column of row `i`, in table order, read from the private copy.
    pub fn row_values_at(&self, i: usize) -> Option<Vec<super::model::Value>> {
        self.reader.as_ref()?.row_values(&self.columns, &self.rows.get(i)?.key_value())
    }

    pub fn file_of(&self, d: &Discrepancy) -> Option<&FileFacts> {
        d.file.map(|i| &self.scan.files[i])
    }

    pub fn row_of(&self, d: &Discrepancy) -> Option<&Row> {
        d.row.map(|i| &self.rows[i])
    }

    /// For a process about to exit: removes the private copy of the database
    /// and leaves the rest to the OS (freeing a million small allocations one
    /// by one costs about a second).
    pub fn release_at_exit(self) {
        let Inspection { reader, rows, scan, found, .. } = self;
        drop(reader);
        std::mem::forget((rows, scan, found));
    }

    /// Paths below the cache dir that could not be read, with why.
    pub fn unreadable(&self) -> Vec<(Cow<'_, Path>, &str)> {
        let files = self.scan.files.iter().filter_map(|f| f.unreadable().map(|why| (f.path(), why)));
        let dirs =
            self.scan.unreadable_dirs.iter().map(|d| (Cow::Borrowed(d.as_path()), "its contents could not be listed"));
        files.chain(dirs).collect()
    }

    /// One sentence when the verdict on some keys is unknown because
    /// something could not be read (`check` exits 2 on it).
    pub fn unknown_sentence(&self) -> Option<String> {
        (self.unknown_keys > 0).then(|| {
            format!(
                "{} path(s) under {} could not be read, so the state of {} key(s) is unknown; they were left out of the report and of every plan: fix the permissions (e.g. chmod -R u+rwX) and check again",
                self.unreadable().len(),
                super::fmt::escaped(&self.dump.cache_dir),
                self.unknown_keys
            )
        })
    }

    /// True when something of severity warning or error was found.
    pub fn has_problems(&self) -> bool {
        self.found.iter().any(|d| d.severity() >= super::kinds::Severity::Warning)
    }
}
