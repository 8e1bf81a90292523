//! The insight view (`i`) and the group filters it sets: choosing a finding
//! or a bar filters the panes to exactly its discrepancies, `a` then `p`
//! previews exactly their plan; `--baseline` marks new ones. Driven through
//! `update()` and rendered into `TestBackend` (insta snapshots at 80×24 and
//! 160×45) on demo dumps, whose planted causes give findings.

mod baseline;
mod choose;
mod pty;
mod screens;

use std::path::{Path, PathBuf};

use cachescope::core::baseline::Baseline;
use cachescope::core::demo::write_demo;
use cachescope::core::findings::{facts_of, findings, timeline};
use cachescope::core::{Control, Dump, Inspection, Kind, Locate, Selection, plan};
use cachescope::tui::app::{App, Layer, Msg, Pane, run_inline};
use cachescope::tui::insight::Part;
use cachescope::tui::theme::Theme;
use cachescope::tui::ui;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::style::Modifier;

pub fn open(dir: &Path) -> Inspection {
    let dump = Dump::locate(&Locate { path: Some(dir.to_path_buf()), ..Default::default() }).unwrap();
    Inspection::open(&dump, &Control::none()).unwrap()
}

pub fn demo(keys: u64, seed: u64) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("dump");
    write_demo(&dir, keys, seed).unwrap();
    (tmp, dir)
}

pub fn app(dir: &Path, theme: Theme) -> App {
    App::with_inspection(open(dir), "DUMP".into(), theme)
}

pub fn key(app: &mut App, code: KeyCode) {
    let e = app.update(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    run_inline(app, e);
}

pub fn keys(app: &mut App, s: &str) {
    for c in s.chars() {
        key(app, KeyCode::Char(c));
    }
}

pub fn render(app: &mut App, w: u16, h: u16) -> Buffer {
    let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
    term.draw(|f| ui::draw(f, app)).unwrap();
    term.backend().buffer().clone()
}

pub fn text(buf: &Buffer) -> String {
    let mut out = String::new();
    for y in 0..buf.area.height {
        let mut line = String::new();
        for x in 0..buf.area.width {
            line.push_str(buf[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The text, then per row the style of each cell: `R` reversed, `B` bold,
/// `U` underlined, `.` plain.
pub fn styled(buf: &Buffer) -> String {
    let mut out = text(buf);
    out.push_str("--- styles (R reversed, B bold, U underlined) ---\n");
    for y in 0..buf.area.height {
        let mut line = String::new();
        for x in 0..buf.area.width {
            let m = buf[(x, y)].modifier;
            line.push(if m.contains(Modifier::REVERSED) {
                'R'
            } else if m.contains(Modifier::BOLD) {
                'B'
            } else if m.contains(Modifier::UNDERLINED) {
                'U'
            } else {
                '.'
            });
        }
        out.push_str(line.trim_end_matches('.'));
        out.push('\n');
    }
    out
}

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
