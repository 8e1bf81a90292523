//! The interactive inspector (SPEC §8) on top of the same core as the CLI.
//!
//! * `app` — state and `update()`: messages in, state and effects out. No
//!   terminal, no writes, no threads; its only reads are of the
//!   inspection's private database copy (the detail view's full rows).
//! * `msg` — the messages and effects the app and the workers exchange,
//!   apart from both (neither imports the other).
//! * `input` — keys, layer by layer: the topmost layer takes them first;
//!   `navigate` — moves, and the links that keep the panes on one key;
//!   `mouse` — clicks and the wheel; `on_worker` — the workers' answers
//!   (scans, filters, applies); `inline` — effects run on the caller's
//!   thread, for tests and benchmarks.
//! * `pane` — one `PaneView` per pane owning its list, cursor, offset,
//!   page height and last drawn area; `choices` — what is chosen, with which
//!   fix.
//! * `keys` — the one key table (dispatch, footer, help, palette);
//!   `palette` searches it for the help (`?`) and the command palette (`:`).
//! * `sort` — each pane's order (`o`), `plan_view` — the plan preview
//!   (readable or SQL), `clipboard` and `export` — `y` (OSC 52) and `e`,
//!   `recover` and `resume` — `R`, and the cursor after an apply.
//! * `index` — key → file / row / discrepancy lookups that link the panes.
//! * `ui/` — drawing, one file per pane or dialog; `theme` (dark, light,
//!   high contrast; NO_COLOR wins).
//! * `insight` — the insight view (`i`, SPEC §9): findings and timelines,
//!   computed once per scan on a worker when the view first opens; its keys
//!   and clicks. Drawn by `ui/insight.rs`, which only reads them.
//! * `filter`, `group` — what the panes show. Two filters compose: a
//!   *group* (a finding, a chart bar, or `+` new since `--baseline`) is an
//!   exact set of discrepancies with their files and rows; the `/` *text*
//!   narrows within it (the group's lists are the text run's `within`).
//!   Choosing a group clears the text; Esc clears the text first, then the
//!   group; a rescan keeps a group by its discrepancies' ids.
//! * `worker` — scan, apply and undo on threads, reporting over a channel.
//! * `event_loop`, `terminal` — the only parts that touch the terminal.
//!
//! Invariants: the TUI adds no detection or apply logic (the plan it shows is
//! the core's plan, and exactly that plan is applied); panes hold indices into
//! the inspection and build only their visible rows; the topmost layer
//! (dialog, view) takes the keys first; nothing is applied without `y` (or a
//! typed `yes` past the blast-radius guard).
//!
//! One `App`, split by concern: the files that add an `impl App` block
//! (`input`, `navigate`, `mouse`, `on_worker`, `group`, `insight`, `sort`,
//! `palette`, …) import `app`, and `app` holds their state types, so imports
//! run both ways between those files by design; nothing below `app` (`msg`,
//! `pane`, `keys`, `index`, `choices`, `filter`'s pure part) imports it.

pub mod app;
pub mod choices;
pub mod clipboard;
mod event_loop;
pub mod export;
pub mod filter;
pub mod group;
pub mod index;
mod inline;
mod input;
pub mod insight;
pub mod keys;
mod mouse;
pub mod msg;
mod navigate;
mod on_worker;
pub mod palette;
pub mod pane;
pub mod plan_view;
mod recover;
mod resume;
pub mod sort;
mod terminal;
pub mod theme;
pub mod ui;
pub mod watch;
pub mod worker;

use crate::core::demo::bundled::write_bundled;
use crate::core::{Dump, Error, Locate, Result};

/// Options the command line passes to the TUI.
#[derive(Debug, Clone, Default)]
pub struct TuiOptions {
    pub no_mouse: bool,
    /// Start with `--deep` on (the `d` key toggles it).
    pub deep: bool,
    /// `--baseline REPORT`: discrepancies not in it are marked new (`+`).
    pub baseline: Option<crate::core::baseline::Baseline>,
    /// `--theme`; None: `CACHESCOPE_THEME`, else dark (NO_COLOR wins).
    pub theme: Option<theme::ThemeName>,
    /// What the archive the dump came from leaves out (shown in the header).
    pub notes: Vec<String>,
}

/// Opens the TUI on a located dump.
pub fn run(dump: &Dump, opts: &TuiOptions) -> Result<()> {
    crate::huge_pages::enable();
    event_loop::run(dump, opts)
}

/// Opens the TUI on the bundled demo dump, written afresh into a temp folder.
pub fn run_demo(opts: &TuiOptions) -> Result<()> {
    let dir = crate::core::tempdirs::make("cachescope-demo-")
        .map_err(|e| Error::io(format!("could not create a temp folder for the demo dump: {e}")))?;
    write_bundled(dir.path())?;
    let dump = Dump::locate(&Locate { path: Some(dir.path().to_path_buf()), ..Default::default() })?;
    let res = run(&dump, opts);
    drop(dir);
    res
}
