//! `--deep` through the CLI on a dump of real encoders' files: a whole
//! container whose audio does not decode becomes incomplete with the
//! decoder's reason; durations come from the audio; a codec the decoder does
//! not know keeps its container verdict and says so.

mod common;

use std::ffi::OsStr;
use std::path::Path;

use common::*;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/encoders").join(name)).unwrap()
}

/// Keys 1–4: bit-rot AAC (whole container), a fragmented file cut at a
/// fragment boundary (row remembers 10 s), HE-AAC, a good AAC.
fn dump() -> TestDump {
    let d = TestDump::new(Layout::Flat);
    for (n, name, row_ms) in [
        (1, "ffmpeg_aac_corrupt.m4a", 2000),
        (2, "ffmpeg_aac_frag_cut.m4a", 10_000),
        (3, "he_aac_patched.m4a", 2000),
        (4, "ffmpeg_aac.m4a", 2000),
    ] {
        let bytes = fixture(name);
        d.file(&format!("{}.m4a", key(n)), &bytes);
        d.row(&key(n), "m4a", Some(bytes.len() as i64), Some(row_ms));
    }
    d
}

fn kinds_of(r: &serde_json::Value, k: &str) -> Vec<String> {
    r["discrepancies"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["key"] == k)
        .map(|x| x["kind"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn deep_decodes_every_complete_file_and_keeps_unknown_codecs_standing() {
    let d = dump();
    let (_, plain) = report(d.root());
    assert!(kinds_of(&plain, &key(1)).is_empty(), "the container of the bit-rot file is whole");
    assert_eq!(kinds_of(&plain, &key(2)), ["duration_mismatch"], "cut at a fragment boundary: only the row shows it");
    let (code, deep) = check_json(&[d.root().as_os_str(), OsStr::new("--deep")]);
    assert_eq!(code, 1);
    assert_eq!(kinds_of(&deep, &key(1)), ["ghost_entry", "incomplete_file"]);
    let bad = deep["discrepancies"].as_array().unwrap().iter().find(|x| x["kind"] == "incomplete_file").unwrap();
    let reason = bad["disk"]["incomplete_reason"].as_str().unwrap();
    assert!(reason.starts_with("does not decode to its end") && reason.contains("(at 0:0"), "{reason}");
    assert_eq!(kinds_of(&deep, &key(2)), ["duration_mismatch"]);
    assert!(kinds_of(&deep, &key(3)).is_empty(), "HE-AAC: the container verdict stands");
    assert!(kinds_of(&deep, &key(4)).is_empty(), "a good file stays good");
    // The decoder's word on the codec it does not know is in the text report,
    // and in the JSON report's disk facts of a discrepancy about that file.
    let text = cachescope([OsStr::new("check"), d.root().as_os_str(), OsStr::new("--deep")]);
    assert!(text.stdout.contains("HE-AAC") && text.stdout.contains("container verdict stands"), "{}", text.stdout);
    let conn = rusqlite::Connection::open(&d.db).unwrap();
    conn.execute("UPDATE cache_entries SET size_bytes = 1 WHERE cache_key = ?1", [key(3)]).unwrap();
    drop(conn);
    let (_, deep) = check_json(&[d.root().as_os_str(), OsStr::new("--deep")]);
    let items = deep["discrepancies"].as_array().unwrap();
    let he_aac = items.iter().find(|x| x["key"] == key(3).as_str()).expect("the size mismatch");
    let said = he_aac["disk"]["decoder"].as_str().unwrap_or_default();
    assert!(said.contains("HE-AAC") && said.contains("container verdict stands"), "{he_aac}");
    let good = items.iter().find(|x| x["key"] == key(1).as_str()).unwrap();
    assert!(good["disk"].get("decoder").is_none(), "only a file the decoder did not know has a word: {good}");
    // plan and apply take --deep too: the bit-rot file would be quarantined.
    let plan = cachescope([OsStr::new("plan"), d.root().as_os_str(), OsStr::new("--deep")]);
    assert!(plan.stdout.contains(&format!("{}.m4a", key(1))), "{}", plan.stdout);
}

#[test]
fn the_tui_key_toggles_deep_and_rescans() {
    use cachescope::core::{Control, Dump, Inspection, Locate};
    use cachescope::tui::app::{App, Effect, Msg};
    use cachescope::tui::theme::Theme;
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let d = dump();
    let dump = Dump::locate(&Locate { path: Some(d.root().to_path_buf()), ..Default::default() }).unwrap();
    let mut app = App::with_inspection(Inspection::open(&dump, &Control::none()).unwrap(), "D".into(), Theme::mono());
    let effects = app.update(Msg::Key(KeyEvent::new(KeyCode::Char('d'), KeyModifiers::NONE)));
    assert!(matches!(effects.as_slice(), [Effect::Scan(o)] if o.deep), "{effects:?}");
    assert!(app.status.contains("deep check on"));
}

#[test]
fn the_detail_view_draws_the_loudness_of_the_focused_file() {
    use cachescope::core::{Control, Dump, Inspection, Locate};
    use cachescope::tui::app::{App, Msg, run_inline};
    use cachescope::tui::theme::Theme;
    use cachescope::tui::ui;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let d = TestDump::new(Layout::Flat);
    for (n, name) in [(1, "sox_silence.wav"), (2, "ffmpeg_aac.m4a")] {
        let bytes = fixture(name);
        let ext = &name[name.len() - 3..];
        d.file(&format!("{}.{ext}", key(n)), &bytes);
        // A wrong size: every key is a discrepancy, so the panes can reach it.
        d.row(&key(n), ext, Some(1), None);
    }
    let dump = Dump::locate(&Locate { path: Some(d.root().to_path_buf()), ..Default::default() }).unwrap();
    let mut app = App::with_inspection(Inspection::open(&dump, &Control::none()).unwrap(), "D".into(), Theme::mono());
    let press = |app: &mut App, code| {
        let e = app.update(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
        run_inline(app, e);
    };
    let screen_of = |app: &mut App, w: u16, h: u16| {
        let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
        term.draw(|f| ui::draw(f, app)).unwrap();
        let buf = term.backend().buffer().clone();
        (0..buf.area.height)
            .map(|y| (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect::<String>())
            .collect::<Vec<_>>()
            .join("\n")
    };
    let screen = |app: &mut App| screen_of(app, 120, 40);
    press(&mut app, KeyCode::Char('g'));
    press(&mut app, KeyCode::Enter);
    let mut seen = vec![];
    for _ in 0..2 {
        let s = screen(&mut app);
        assert!(s.contains("Loudness"), "{s}");
        seen.push(s);
        press(&mut app, KeyCode::Char('j'));
    }
    let all = seen.join("\n");
    assert!(all.contains("silent: below -60 dBFS"), "{all}");
    assert!(all.contains("peak ") && all.contains("dBFS") && all.contains(['▅', '▆', '▇', '█']), "{all}");
    assert!(all.contains("0:00") && all.contains("0:02.000"), "time axis with the duration: {all}");
    // At 80×24 the file's facts come whole first; the picture only where
    // room is left.
    for _ in 0..2 {
        press(&mut app, KeyCode::Char('k'));
        let s = screen_of(&mut app, 80, 24);
        for fact in ["container ", "size ", "mtime ", "duration "] {
            assert!(s.contains(fact), "{fact:?} missing at 80×24:\n{s}");
        }
    }
}
