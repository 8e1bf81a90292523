//! The inspector in process: an app on a dump, keys through `update()` (with
//! their worker effects run inline), frames drawn into ratatui's
//! `TestBackend` and read back as text. Shared by the TUI tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use cachescope::core::demo::write_demo;
use cachescope::core::{Control, Dump, Inspection, Kind, Locate};
use cachescope::tui::app::{App, Effect, Msg, run_inline};
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

/// The app on the dump at `dir`, its root shown as `DUMP`; `e` and `E`
/// write beside the dump (its temp dir), never into the checkout.
pub fn app(dir: &Path, theme: Theme) -> App {
    let mut app = App::with_inspection(open(dir), "DUMP".into(), theme);
    app.export_dir = dir.parent().unwrap_or(dir).to_path_buf();
    app
}

/// A demo dump of `keys` keys in a temp dir (`<tmp>/dump`).
pub fn demo_dir(keys: u64, seed: u64) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("dump");
    write_demo(&dir, keys, seed).unwrap();
    (tmp, dir)
}

/// One key; returns its effects after running them inline.
pub fn key(app: &mut App, code: KeyCode) -> Vec<Effect> {
    let effects = app.update(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    run_inline(app, effects.clone());
    effects
}

/// Typed keys: `\n` is Enter, `\x1b` Esc, anything else its character.
pub fn keys(app: &mut App, s: &str) -> Vec<Effect> {
    s.chars()
        .flat_map(|c| {
            let code = match c {
                '\n' => KeyCode::Enter,
                '\x1b' => KeyCode::Esc,
                c => KeyCode::Char(c),
            };
            key(app, code)
        })
        .collect()
}

/// The kind of the discrepancy under the Discrepancies cursor.
pub fn focused_kind(app: &App) -> Kind {
    app.ins.as_ref().unwrap().found[app.focused_disc().unwrap()].kind
}

/// Puts the Discrepancies cursor on the first discrepancy of `kind`.
pub fn move_to_kind(app: &mut App, kind: Kind) {
    keys(app, "3g");
    while focused_kind(app) != kind {
        keys(app, "j");
    }
}

pub fn render(app: &mut App, w: u16, h: u16) -> Buffer {
    let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
    term.draw(|f| ui::draw(f, app)).unwrap();
    term.backend().buffer().clone()
}

/// The screen as text, each line without its trailing blanks.
pub fn text(buf: &Buffer) -> String {
    let mut out = String::new();
    for y in 0..buf.area.height {
        let line: String = (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect();
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
    out.push_str(&modifiers(buf));
    out
}

/// Per row, each cell's modifier: `R` reversed, `B` bold, `U` underlined,
/// `.` plain (trailing plain cells left out).
pub fn modifiers(buf: &Buffer) -> String {
    let mut out = String::new();
    for y in 0..buf.area.height {
        let line: String = (0..buf.area.width)
            .map(|x| {
                let m = buf[(x, y)].modifier;
                if m.contains(Modifier::REVERSED) {
                    'R'
                } else if m.contains(Modifier::BOLD) {
                    'B'
                } else if m.contains(Modifier::UNDERLINED) {
                    'U'
                } else {
                    '.'
                }
            })
            .collect();
        out.push_str(line.trim_end_matches('.'));
        out.push('\n');
    }
    out
}
