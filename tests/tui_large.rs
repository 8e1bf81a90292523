//! Moving, paging, jumping and filtering work on a large dump (200 000 extra
//! rows, all ghosts, so 200 000 discrepancies too; `CACHESCOPE_LARGE_ROWS`
//! changes it). How fast they are is measured by the scale benchmark
//! (`cargo bench --bench scale`), not here: timings in tests are flaky.

use cachescope::core::demo::write_demo;
use cachescope::core::{Control, Dump, Inspection, Locate};
use cachescope::tui::app::{App, Msg, Pane, run_inline};
use cachescope::tui::theme::Theme;
use cachescope::tui::ui;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[test]
fn moving_paging_jumping_and_filtering_a_large_dump() {
    let n: u64 = std::env::var("CACHESCOPE_LARGE_ROWS").ok().and_then(|s| s.parse().ok()).unwrap_or(200_000);
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("dump");
    write_demo(&dir, 10, 1).unwrap();
    {
        let mut conn = rusqlite::Connection::open(dir.join("databases/app.db")).unwrap();
        let tx = conn.transaction().unwrap();
        {
            let mut st = tx
                .prepare("INSERT INTO cache_entries (cache_key, compression_state, size_bytes, created_at) VALUES (?1, 'm4a', 1000, 0)")
                .unwrap();
            for i in 0..n {
                st.execute([format!("{:064x}", i.wrapping_mul(0x9e37_79b9_7f4a_7c15))]).unwrap();
            }
        }
        tx.commit().unwrap();
    }
    let dump = Dump::locate(&Locate { path: Some(dir), ..Default::default() }).unwrap();
    let ins = Inspection::open(&dump, &Control::none()).unwrap();
    assert!(ins.rows.len() as u64 >= n);
    let mut app = App::with_inspection(ins, "DUMP".into(), Theme::mono());
    let mut term = Terminal::new(TestBackend::new(160, 45)).unwrap();
    let key = |app: &mut App, code| {
        let e = app.update(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
        run_inline(app, e);
    };
    term.draw(|f| ui::draw(f, &mut app)).unwrap();
    key(&mut app, KeyCode::Char('G'));
    term.draw(|f| ui::draw(f, &mut app)).unwrap();
    assert_eq!(app.panes[Pane::Disc].pos, app.panes[Pane::Disc].visible.len() - 1);
    key(&mut app, KeyCode::Char('2'));
    key(&mut app, KeyCode::Char('G'));
    for _ in 0..20 {
        key(&mut app, KeyCode::PageUp);
        key(&mut app, KeyCode::Char('j'));
    }
    term.draw(|f| ui::draw(f, &mut app)).unwrap();
    let db = &app.panes[Pane::Db];
    let rows = app.ins.as_ref().unwrap().rows.len();
    assert!(db.pos > 0 && db.pos < rows - 20, "paged up from the end: {}", db.pos);
    for c in "/ff00".chars() {
        key(&mut app, KeyCode::Char(c));
    }
    term.draw(|f| ui::draw(f, &mut app)).unwrap();
    assert!(app.panes[Pane::Db].visible.len() < app.ins.as_ref().unwrap().rows.len());
    let ins = app.ins.as_ref().unwrap();
    assert!(!app.panes[Pane::Db].visible.is_empty());
    assert!(app.panes[Pane::Db].visible.iter().all(|&i| ins.rows[i].key.to_string().contains("ff00")));
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Esc);
    term.draw(|f| ui::draw(f, &mut app)).unwrap();
    assert_eq!(app.panes[Pane::Db].visible.len(), app.ins.as_ref().unwrap().rows.len(), "Esc clears the filter");
    // Sorted by key, Discrepancies still move the DB pane to the same key.
    key(&mut app, KeyCode::Char('3'));
    key(&mut app, KeyCode::Char('o'));
    key(&mut app, KeyCode::Char('G'));
    for _ in 0..50 {
        key(&mut app, KeyCode::Char('k'));
        let disc = app.current_link(Pane::Disc).unwrap().key;
        if !app.panes[Pane::Db].miss {
            assert_eq!(app.current_link(Pane::Db).unwrap().key, disc);
        }
    }
    let ins = app.ins.as_ref().unwrap();
    let keys: Vec<_> = app.panes[Pane::Disc].visible.iter().map(|&i| ins.found[i].key.clone()).collect();
    assert!(keys.windows(2).all(|w| w[0] <= w[1]), "sorted by key");
}
