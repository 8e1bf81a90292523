//! The insight view (`i`) and the group filters it sets: choosing a finding
//! or a bar filters the panes to exactly its discrepancies, `a` then `p`
//! previews exactly their plan; `--baseline` marks new ones. Driven through
//! `update()` and rendered into `TestBackend` (insta snapshots at 80×24 and
//! 160×45) on demo dumps, whose planted causes give findings.

mod baseline;
mod choose;
mod pty;
#[path = "../pty_kit/mod.rs"]
mod pty_kit;
mod screens;
#[path = "../tui_kit/mod.rs"]
mod tui_kit;

pub use tui_kit::{app, demo_dir as demo, key, keys, open, render, styled, text};

use std::path::{Path, PathBuf};

use cachescope::core::baseline::Baseline;
use cachescope::core::findings::{facts_of, findings, timeline};
use cachescope::core::{Inspection, Kind, Selection, plan};
use cachescope::tui::app::{App, Layer, Msg, Pane, run_inline};
use cachescope::tui::insight::Part;
use cachescope::tui::theme::Theme;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// The findings and their facts, straight from the core.
pub fn core_findings(
    dir: &Path,
) -> (Inspection, cachescope::core::findings::Facts, Vec<cachescope::core::findings::Finding>) {
    let ins = open(dir);
    let facts = facts_of(&ins);
    let found = findings(&facts);
    (ins, facts, found)
}

/// What the Disk and DB panes must show for these discrepancies: their
/// files, and their rows (or their keys' rows), each once, ascending.
pub fn files_and_rows(ins: &Inspection, discs: &[usize]) -> (Vec<usize>, Vec<usize>) {
    let mut files: Vec<usize> = discs.iter().filter_map(|&i| ins.found[i].file).collect();
    let mut rows: Vec<usize> = discs
        .iter()
        .filter_map(|&i| {
            let d = &ins.found[i];
            d.row.or_else(|| {
                let k = d.key.as_deref()?;
                ins.rows.iter().position(|r| r.key.to_string() == k)
            })
        })
        .collect();
    files.sort_unstable();
    files.dedup();
    rows.sort_unstable();
    rows.dedup();
    (files, rows)
}

pub fn assert_panes_show(app: &App, ins: &Inspection, discs: &[usize]) {
    let (files, rows) = files_and_rows(ins, discs);
    assert_eq!(app.panes[Pane::Disc].visible, discs, "Discrepancies: exactly the group");
    assert_eq!(app.panes[Pane::Disk].visible, files, "Disk: the group's files");
    assert_eq!(app.panes[Pane::Db].visible, rows, "DB: the group's rows");
}

/// Opens the view and puts the cursor on finding `n`.
pub fn to_finding(app: &mut App, n: usize) {
    keys(app, "ig");
    for _ in 0..n {
        keys(app, "j");
    }
}
