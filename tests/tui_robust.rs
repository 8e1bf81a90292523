//! Any key sequence at any terminal size: `update()` and drawing never panic,
//! and the cursor of every pane stays inside its list.

use cachescope::core::demo::write_demo;
use cachescope::core::{Control, Dump, Inspection, Locate};
use cachescope::tui::app::{App, Msg, Pane, run_inline};
use cachescope::tui::theme::Theme;
use cachescope::tui::ui;
use proptest::prelude::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

const KEYS: &[KeyCode] = &[
    KeyCode::Tab,
    KeyCode::BackTab,
    KeyCode::Enter,
    KeyCode::Esc,
    KeyCode::Backspace,
    KeyCode::Up,
    KeyCode::Down,
    KeyCode::PageUp,
    KeyCode::PageDown,
    KeyCode::Home,
    KeyCode::End,
    KeyCode::Char('1'),
    KeyCode::Char('2'),
    KeyCode::Char('3'),
    KeyCode::Char('j'),
    KeyCode::Char('k'),
    KeyCode::Char('g'),
    KeyCode::Char('G'),
    KeyCode::Char('/'),
    KeyCode::Char(' '),
    KeyCode::Char('f'),
    KeyCode::Char('a'),
    KeyCode::Char('A'),
    KeyCode::Char('p'),
    KeyCode::Char('y'),
    KeyCode::Char('n'),
    KeyCode::Char('u'),
    KeyCode::Char('r'),
    KeyCode::Char('L'),
    KeyCode::Char('?'),
    KeyCode::Char('e'),
    KeyCode::Char('x'),
];

fn fresh(dir: &std::path::Path) -> App {
    let dump = Dump::locate(&Locate { path: Some(dir.to_path_buf()), ..Default::default() }).unwrap();
    let mut app =
        App::with_inspection(Inspection::open(&dump, &Control::none()).unwrap(), "DUMP".into(), Theme::mono());
    // `e` and `E` write here: beside the dump in its temp dir, never the checkout.
    app.export_dir = dir.parent().unwrap().to_path_buf();
    app
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]
    #[test]
    fn any_keys_any_size(keys in proptest::collection::vec((0..KEYS.len(), 1u16..230, 1u16..70), 1..60)) {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("dump");
        write_demo(&dir, 30, 5).unwrap();
        let mut app = fresh(&dir);
        for (k, w, h) in keys {
            let e = app.update(Msg::Key(KeyEvent::new(KEYS[k], KeyModifiers::NONE)));
            run_inline(&mut app, e);
            app.quit = false;
            let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
            term.draw(|f| ui::draw(f, &mut app)).unwrap();
            for p in 0..3 {
                let len = app.panes[Pane::ALL[p]].visible.len();
                prop_assert!(len == 0 || app.panes[Pane::ALL[p]].pos < len);
            }
        }
    }
}
