//! cachescope: inspect and repair an audiobook app's audio cache dump.
//!
//! # Bird's-eye view
//!
//! A *dump* is a folder with the app's SQLite database (`cache_entries`) and
//! its cache dir of `<key>.wav` / `<key>.m4a` files. cachescope reads both,
//! finds where they disagree, turns chosen fixes into a plan, and applies the
//! plan safely. The contract is `SPEC.md` (shared with the app team).
//!
//! # Code map
//!
//! Read it top down: the plain data, the pure steps over it, the I/O at
//! the edges, then the two front ends.
//!
//! * [`core`] — everything that knows about dumps; never imports the UI.
//!   * **Plain data** (`model`): files ([`core::model::FileFacts`],
//!     `DiskScan`, `Identity`), rows (`Row`, `Columns`, `Value`), names and
//!     keys (`model::names`, `key`), the contract's vocabulary (`kinds`).
//!     No SQLite, no file system: tests write them as literals.
//!   * **Pure steps**: `detect` (scan + rows → discrepancies, SPEC §4),
//!     `plan` (discrepancies + choices → one self-contained [`core::Plan`]
//!     that carries what apply needs), `findings` (why it drifted, §9),
//!     `diff` (two dumps or reports), `alerts` (the seed's thresholds),
//!     `select` (`--key`, `--id`, `--fix ID=FIX` matched to discrepancies),
//!     `sql` (the one SQL builder: shown text and bound template).
//!   * **Reading a dump**: `dump` + `discover` find the database and cache
//!     dir; `snapshot` reads the database through a private copy taken
//!     under SQLite's reader lock, `wal` reads the `-wal` as SQLite does,
//!     `dbfiles` tells a hot journal from a live writer; `schema` and `rows`
//!     map the table; `disk` walks (`walk`), stats and probes (`pool`,
//!     `probe`: WAV, RF64, M4A and fragments) and with `--deep` decodes
//!     (`decode`); `lookup` finds one key's files by name (`check --key`);
//!     `inspect` puts it together into an [`core::Inspection`] (plain data
//!     plus a `Reader` for full rows; `inspect::keys` reads only some keys).
//!   * **Writing a dump**: `session` (the lock, "recover first"),
//!     `recover`, `batch` (the crash-safe write protocol), `apply`, `undo`,
//!     `journal`, `audit` (the audit table and its event types), `history`.
//!   * **Out**: `report` (text, JSON `cachescope.report/1`, markdown, plans,
//!     diffs), `baseline` and `saved` (reports read back).
//!   * **Getting dumps**: `archive` (archives as dumps and `extract`, all
//!     through one safe writer), `pull` (off a device); `demo` (dumps with
//!     planted causes: real speech clips, or tiny synthetic containers for
//!     the benchmarks; `bundled` writes the one `cachescope` opens alone).
//! * [`cli`] — raw flags (`args`) validated once into a `Config`
//!   (`config`), one file per command, usage errors in one line (`usage`);
//!   maps errors to exit code 2 (130 when a signal stopped the work).
//! * [`tui`] — the interactive inspector on the same core; see its module
//!   docs for its own map (state and `update` without I/O, messages apart,
//!   keys per layer, one key table, workers, drawing).
//! * [`signals`] — Ctrl-C / SIGTERM / SIGHUP for both front ends.
//! * [`huge_pages`] — the allocator: big arrays on huge pages (the TUI's).
//!
//! # Invariants
//!
//! * The core never imports the UI; `core::model` imports no SQLite and no
//!   file system.
//! * Inspection never writes to a dump: the database is read from a copy.
//! * Files are never deleted, only quarantined by no-replace rename.
//! * Every database change commits in one transaction with its audit rows;
//!   the commit is the single decision point of a batch. Nothing is
//!   journaled before the database is proven writable.
//! * Each fix re-checks what it relied on and runs in its own savepoint; what
//!   changed since the scan is skipped as stale, never applied blind. Undo
//!   restores a row only while every column is as the batch left it.
//! * Every error is one sentence naming the path and what to do; no control
//!   character from the data reaches a terminal raw.

pub mod cli;
pub mod core;
pub mod huge_pages;
pub mod malloc_arenas;
pub mod signals;
pub mod tui;

#[global_allocator]
static ALLOCATOR: huge_pages::HugePagesForBig = huge_pages::HugePagesForBig;
