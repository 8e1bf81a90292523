//! The interactive inspector (SPEC §8) on top of the same core as the CLI.
//!
//! * `app` — state and `update()`: keys, mouse and worker messages in,
//!   effects out. No terminal, no writes; its only reads are of the
//!   inspection's private database copy when the core builds a plan.
//! * `keys` — the one key table (dispatch, footer, help, palette);
//!   `palette` searches it for the help (`?`) and the command palette (`:`).
//! * `sort` — each pane's order (`o`), `plan_view` — the plan preview
//!   (readable or SQL), `clipboard` and `export` — `y` (OSC 52) and `e`,
//!   `recover` and `resume` — `R`, and the cursor after an apply.
//! * `index` — key → file / row / discrepancy lookups that link the panes.
//! * `ui/` — drawing, one file per pane or dialog; `theme` (dark, light,
//!   high contrast; NO_COLOR wins).
//! * `worker` — scan, apply and undo on threads, reporting over a channel.
//! * `event_loop`, `terminal` — the only parts that touch the terminal.
//!
//! Invariants: the TUI adds no detection or apply logic (the plan it shows is
//! the core's plan, and exactly that plan is applied); panes hold indices into
//! the inspection and build only their visible rows; the topmost layer
//! (dialog, view) takes the keys first; nothing is applied without `y` (or a
//! typed `yes` past the blast-radius guard).

pub mod app;
pub mod choices;
pub mod clipboard;
mod event_loop;
pub mod export;
pub mod filter;
pub mod index;
mod input;
pub mod keys;
pub mod msg;
pub mod palette;
pub mod pane;
pub mod plan_view;
mod recover;
mod resume;
pub mod sort;
mod terminal;
pub mod theme;
pub mod ui;
pub mod worker;

use crate::core::demo::bundled::extract_bundled;
use crate::core::{Dump, Error, Locate, Result};

/// Options the command line passes to the TUI.
#[derive(Debug, Clone, Default)]
pub struct TuiOptions {
    pub no_mouse: bool,
    /// Start with `--deep` on (the `d` key toggles it).
    pub deep: bool,
    /// `--theme`; None: `CACHESCOPE_THEME`, else dark (NO_COLOR wins).
    pub theme: Option<theme::ThemeName>,
}

/// Opens the TUI on a located dump.
pub fn run(dump: &Dump, opts: &TuiOptions) -> Result<()> {
    event_loop::run(dump, opts)
}

/// Opens the TUI on a fresh temp copy of the bundled demo dump.
pub fn run_demo(opts: &TuiOptions) -> Result<()> {
    let dir = crate::core::tempdirs::make("cachescope-demo-")
        .map_err(|e| Error::io(format!("could not create a temp folder for the demo dump: {e}")))?;
    extract_bundled(dir.path())?;
    let dump = Dump::locate(&Locate { path: Some(dir.path().to_path_buf()), ..Default::default() })?;
    let res = run(&dump, opts);
    drop(dir);
    res
}
