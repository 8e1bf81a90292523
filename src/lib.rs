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
//! * [`core`] — everything that knows about dumps; never imports the UI.
//!   * `dump` finds the database and cache dir; `snapshot` reads the database
//!     through a private copy (in a `tempdirs` folder swept after a crash);
//!     `schema` and `rows` map the table.
//!   * `disk` walks, stats and probes containers (`probe`: WAV, M4A) on a
//!     pool of threads that grows when reads wait on the disk.
//!   * `detect` (pure): disk facts + rows → discrepancies.
//!   * `plan` (pure): discrepancies + choices → one ordered [`core::Plan`].
//!   * `batch` (the crash-safe write protocol), `apply`, `undo`, `journal`,
//!     `history`.
//!   * `report`: text, JSON (`cachescope.report/1`) and markdown.
//!   * `demo`: synthetic dumps for users, tests and benchmarks.
//!   * `archive`: archives as dumps and `extract`, all through one safe
//!     writer (`archive::writer`); `pull`: copying an app's data off a device.
//! * [`cli`] — one file per headless command; maps errors to exit code 2.
//! * [`tui`] — the interactive inspector on top of the same core: `app`
//!   (state and `update`, no I/O), `keys` (the one key table behind the
//!   footer, the help and the tests), `worker` (scan, apply, undo threads),
//!   `event_loop` and `terminal` (I/O), `ui/` (one file per pane or dialog).
//!
//! # Invariants
//!
//! * Inspection never writes to a dump: the database is read from a copy.
//! * Files are never deleted, only quarantined by no-replace rename.
//! * Every database change commits in one transaction with its audit rows;
//!   the commit is the single decision point of a batch.
//! * Every error is one sentence naming the path and what to do.
//! * Each fix re-checks what it relied on and runs in its own savepoint; what
//!   changed since the scan is skipped as stale, never applied blind.

pub mod cli;
pub mod core;
pub mod signals;
pub mod tui;
