//! Drives the TUI's `update()` with keys and worker messages and asserts on
//! state: no terminal, no threads.

mod tui_kit;

use cachescope::core::demo::write_demo;
use cachescope::core::report::{readable_plan_lines, write_plan_sql};
use cachescope::core::{Fix, Kind, Selection, plan};
use cachescope::tui::app::{App, Confirm, Effect, Layer, Msg, Pane, run_inline};
use cachescope::tui::msg::WorkerMsg;
use cachescope::tui::theme::Theme;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tui_kit::*;

fn demo(keys: u64, seed: u64) -> (tempfile::TempDir, App) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("dump");
    write_demo(&dir, keys, seed).unwrap();
    let app = App::with_inspection(open(&dir), "DUMP".into(), Theme::mono());
    (tmp, app)
}

#[test]
fn starts_on_discrepancies_and_switches_panes() {
    let (_t, mut app) = demo(40, 3);
    assert_eq!(app.focus, Pane::Disc);
    assert_eq!(app.mode(), "READ-ONLY");
    key(&mut app, KeyCode::Tab);
    assert_eq!(app.focus, Pane::Disk);
    key(&mut app, KeyCode::BackTab);
    assert_eq!(app.focus, Pane::Disc);
    keys(&mut app, "2");
    assert_eq!(app.focus, Pane::Db);
    keys(&mut app, "1");
    assert_eq!(app.focus, Pane::Disk);
}

#[test]
fn moving_in_one_pane_moves_the_others_to_the_same_key() {
    let (_t, mut app) = demo(40, 3);
    // An orphaned file has a file but no row.
    move_to_kind(&mut app, Kind::OrphanedFile);
    let k = app.current_link(Pane::Disc).unwrap().key.unwrap();
    assert_eq!(app.current_link(Pane::Disk).unwrap().key.as_deref(), Some(k.as_str()));
    assert!(app.panes[Pane::Db].miss, "the DB pane shows 'no row'");
    // A ghost entry has a row.
    move_to_kind(&mut app, Kind::GhostEntry);
    let k = app.current_link(Pane::Disc).unwrap().key.unwrap();
    assert_eq!(app.current_link(Pane::Db).unwrap().key.as_deref(), Some(k.as_str()));
    // Moving in the DB pane moves the Discrepancies pane (or marks it empty).
    keys(&mut app, "2j");
    let row_key = app.current_link(Pane::Db).unwrap().key.unwrap();
    match app.current_link(Pane::Disc) {
        Some(l) => assert_eq!(l.key.as_deref(), Some(row_key.as_str())),
        None => assert!(app.panes[Pane::Disc].miss),
    }
    keys(&mut app, "G");
    let last = app.panes[Pane::Db].visible.len() - 1;
    assert_eq!(app.panes[Pane::Db].pos, last);
    keys(&mut app, "g");
    assert_eq!(app.panes[Pane::Db].pos, 0);
    key(&mut app, KeyCode::PageDown);
    assert!(app.panes[Pane::Db].pos > 1);
}

#[test]
fn space_f_a_and_capital_a_select() {
    let (_t, mut app) = demo(40, 3);
    move_to_kind(&mut app, Kind::GhostEntry);
    let id = app.ins.as_ref().unwrap().found[app.focused_disc().unwrap()].id.clone();
    keys(&mut app, " ");
    assert_eq!(app.choices.chosen.get(&id), Some(&Fix::MarkFailed));
    assert_eq!(app.mode(), "PLAN");
    keys(&mut app, "f");
    assert_eq!(app.choices.chosen.get(&id), Some(&Fix::DeleteEntry));
    keys(&mut app, "f");
    assert_eq!(app.choices.chosen.get(&id), Some(&Fix::MarkFailed));
    keys(&mut app, " ");
    assert!(!app.choices.chosen.contains_key(&id));
    // `f` on an unselected item moves to the next fix and selects it.
    keys(&mut app, "f");
    assert_eq!(app.choices.chosen.get(&id), Some(&Fix::DeleteEntry));
    keys(&mut app, " ");
    keys(&mut app, "a");
    let ins = app.ins.as_ref().unwrap();
    let with_default = ins.found.iter().filter(|d| d.default_fix().is_some()).count();
    assert_eq!(app.choices.chosen.len(), with_default);
    assert!(ins.found.iter().filter(|d| d.kind == Kind::StrayFile).all(|d| !app.choices.chosen.contains_key(&d.id)));
    keys(&mut app, "A");
    assert!(app.choices.chosen.is_empty());
    // Space and f belong to the Discrepancies pane.
    keys(&mut app, "1 ");
    assert!(app.choices.chosen.is_empty());
}

#[test]
fn filter_by_kind_key_or_path_and_esc_clears() {
    let (_t, mut app) = demo(40, 3);
    keys(&mut app, "/ghost");
    assert_eq!(app.top(), Some(&Layer::Filter));
    // While typing, keys go to the filter: `q` does not quit.
    keys(&mut app, "q");
    assert!(!app.quit);
    key(&mut app, KeyCode::Backspace);
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.filter.text, "ghost");
    let ins = app.ins.as_ref().unwrap();
    assert!(!app.panes[Pane::Disc].visible.is_empty());
    assert!(app.panes[Pane::Disc].visible.iter().all(|&i| ins.found[i].kind == Kind::GhostEntry));
    key(&mut app, KeyCode::Esc);
    assert!(app.filter.text.is_empty());
    assert_eq!(app.panes[Pane::Disc].visible.len(), app.ins.as_ref().unwrap().found.len());
    // A key substring.
    let k = app.ins.as_ref().unwrap().rows[0].key.to_string()[..10].to_string();
    keys(&mut app, &format!("/{k}"));
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.panes[Pane::Db].visible.len(), 1);
    // A path substring.
    key(&mut app, KeyCode::Esc);
    keys(&mut app, "/.DS_Store");
    assert!(app.panes[Pane::Disk].visible.len() == 1 && app.panes[Pane::Disc].visible.len() == 1);
}

#[test]
fn the_disk_filter_matches_whole_file_names_across_key_and_extension() {
    let (_t, mut app) = demo(40, 3);
    let ins = app.ins.as_ref().unwrap();
    let names: Vec<String> = ins.scan.files.iter().map(|f| f.path().to_string_lossy().into_owned()).collect();
    let wav = names.iter().find(|n| n.ends_with(".wav") && !n.contains('/')).unwrap().clone();
    // The last characters of a key and the start of its extension.
    let across = wav[60..66].to_string();
    for q in [across, ".m4a".to_string(), "m4a".to_string(), wav.clone()] {
        key(&mut app, KeyCode::Esc);
        keys(&mut app, &format!("/{q}"));
        let ins = app.ins.as_ref().unwrap();
        let want: Vec<usize> = (0..names.len())
            .filter(|&i| {
                names[i].to_lowercase().contains(&q)
                    || ins.found.iter().any(|d| d.file == Some(i) && (d.key.as_deref().is_some_and(|k| k.contains(&q))))
            })
            .collect();
        let shown: Vec<usize> = app.panes[Pane::Disk].visible.clone();
        assert!(want.iter().all(|i| shown.contains(i)), "{q}: every matching file is shown");
        // Anything else shown is the file of a discrepancy the filter kept.
        let kept = |i: usize| app.panes[Pane::Disc].visible.iter().any(|&d| ins.found[d].file == Some(i));
        assert!(shown.iter().all(|&i| want.contains(&i) || kept(i)), "{q}: nothing else is shown");
        assert!(!shown.is_empty(), "{q}");
    }
}

#[test]
fn plan_preview_is_the_cli_plan_for_the_same_choices() {
    let (t, mut app) = demo(40, 3);
    keys(&mut app, "ap");
    assert_eq!(app.top(), Some(&Layer::Plan));
    let ins = open(&t.path().join("dump"));
    let cli = plan(&ins, &Selection::default());
    let pv = app.plan.as_ref().unwrap();
    assert_eq!(pv.lines, readable_plan_lines(&ins, &cli));
    assert_eq!(pv.shown(), pv.lines.as_slice());
    assert_eq!(pv.plan.items.len(), cli.items.len());
    // `s`: the exact SQL and moves, as `cachescope plan --format sql` prints
    // them (without the shell's apply hint); `s` again: readable.
    keys(&mut app, "s");
    let mut out = vec![];
    write_plan_sql(&ins, &cli, &mut out).unwrap();
    let sql = String::from_utf8(out).unwrap();
    let pv = app.plan.as_ref().unwrap();
    assert!(pv.show_sql);
    let want: Vec<String> = sql.lines().map(str::to_string).collect();
    assert_eq!(pv.shown(), &want[..want.len() - 2], "all but the blank line and the hint");
    assert!(want.last().unwrap().starts_with("Apply it with"));
    keys(&mut app, "s");
    assert_eq!(app.plan.as_ref().unwrap().shown(), readable_plan_lines(&ins, &cli).as_slice());
}

#[test]
fn confirmation_defaults_to_no() {
    let (_t, mut app) = demo(40, 3);
    keys(&mut app, "ap");
    for no in [KeyCode::Enter, KeyCode::Char('n'), KeyCode::Esc, KeyCode::Char('x'), KeyCode::Char('q')] {
        key(&mut app, KeyCode::Enter);
        assert_eq!(app.top(), Some(&Layer::Confirm(Confirm::Apply)));
        let pos = app.panes[Pane::Disc].pos;
        assert!(key(&mut app, no).is_empty(), "{no:?} must answer No");
        assert_eq!(app.top(), Some(&Layer::Plan), "back to the plan after {no:?}");
        assert_eq!(app.panes[Pane::Disc].pos, pos);
        assert!(!app.quit);
    }
    key(&mut app, KeyCode::Enter);
    let previewed = app.plan.as_ref().unwrap().plan.clone();
    let effects = keys(&mut app, "y");
    match effects.as_slice() {
        [Effect::Apply { plan, allow_mass_change: false }] => assert_eq!(**plan, previewed),
        other => panic!("expected one apply, got {other:?}"),
    }
    assert_eq!(app.mode(), "APPLYING");
    assert!(app.layers.is_empty());
    // While applying, the panes still answer keys.
    keys(&mut app, "j1");
    assert_eq!(app.focus, Pane::Disk);
}

#[test]
fn dialogs_take_keys_before_the_panes() {
    let (_t, mut app) = demo(40, 3);
    keys(&mut app, "?");
    assert_eq!(app.top(), Some(&Layer::Help));
    keys(&mut app, "1q");
    assert_eq!(app.focus, Pane::Disc, "the help's search took the key, the pane did not see it");
    assert!(!app.quit, "q is a letter of the search in the help");
    assert_eq!(app.finder.query, "1q");
    key(&mut app, KeyCode::Esc);
    assert!(app.layers.is_empty());
    keys(&mut app, "u");
    assert_eq!(app.top(), Some(&Layer::Confirm(Confirm::Undo)));
    let pos = app.panes[Pane::Disc].pos;
    assert!(keys(&mut app, "j").is_empty());
    assert_eq!(app.panes[Pane::Disc].pos, pos);
    keys(&mut app, "u");
    assert!(matches!(keys(&mut app, "y").as_slice(), [Effect::Undo]));
    // Enter opens the detail; Esc closes it.
    let mut app2 = demo(40, 3).1;
    key(&mut app2, KeyCode::Enter);
    assert_eq!(app2.top(), Some(&Layer::Detail));
    key(&mut app2, KeyCode::Esc);
    assert!(app2.layers.is_empty());
}

#[test]
fn mass_change_needs_typed_yes() {
    let (_t, mut app) = demo(40, 3);
    keys(&mut app, "ap");
    let pv = app.plan.as_mut().unwrap();
    pv.mass = Some("it would mark failed or delete 30 of 40 rows, more than half".into());
    key(&mut app, KeyCode::Enter);
    assert!(matches!(app.top(), Some(Layer::Typed { .. })));
    keys(&mut app, "no");
    assert!(key(&mut app, KeyCode::Enter).is_empty());
    assert_eq!(app.top(), Some(&Layer::Plan));
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "yes");
    match key(&mut app, KeyCode::Enter).as_slice() {
        [Effect::Apply { allow_mass_change: true, .. }] => {}
        other => panic!("expected a mass apply, got {other:?}"),
    }
}

#[test]
fn a_rescan_keeps_the_focused_key_and_drops_vanished_choices() {
    let (t, mut app) = demo(40, 3);
    move_to_kind(&mut app, Kind::SizeMismatch);
    keys(&mut app, " ");
    let key_before = app.current_link(Pane::Disc).unwrap().key;
    app.update(Msg::Worker(WorkerMsg::Scanned(Ok(Box::new(open(&t.path().join("dump")))))));
    assert_eq!(app.current_link(Pane::Disc).unwrap().key, key_before);
    assert_eq!(app.choices.chosen.len(), 1);
    // Rescanning is an effect, and `r` is refused while busy.
    assert!(matches!(keys(&mut app, "r").as_slice(), [Effect::Scan(_)]));
    assert!(keys(&mut app, "r").is_empty());
    assert!(app.update(Msg::DumpChanged).is_empty());
}

#[test]
fn quit_keys() {
    let (_t, mut app) = demo(20, 3);
    keys(&mut app, "q");
    assert!(app.quit);
    let (_t, mut app) = demo(20, 3);
    keys(&mut app, "/");
    app.update(Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)));
    assert!(app.quit);
}

#[test]
fn mouse_clicks_focus_and_select_and_the_wheel_scrolls() {
    use ratatui::crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
    let (_t, mut app) = demo(40, 3);
    app.mouse = true;
    let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24)).unwrap();
    term.draw(|f| cachescope::tui::ui::draw(f, &mut app)).unwrap();
    let disk = app.panes[Pane::Disk].area;
    let click = |column, row, kind| MouseEvent { kind, column, row, modifiers: KeyModifiers::NONE };
    app.update(Msg::Mouse(click(disk.x + 3, disk.y + 3, MouseEventKind::Down(MouseButton::Left))));
    assert_eq!(app.focus, Pane::Disk);
    let offset = app.panes[Pane::Disk].offset;
    assert_eq!(app.panes[Pane::Disk].pos, offset + 2);
    let before = app.panes[Pane::Disk].pos;
    app.update(Msg::Mouse(click(disk.x + 3, disk.y + 3, MouseEventKind::ScrollDown)));
    assert_eq!(app.panes[Pane::Disk].pos, before + 3);
    // --no-mouse: ignored.
    app.mouse = false;
    app.update(Msg::Mouse(click(disk.x + 3, disk.y + 3, MouseEventKind::ScrollDown)));
    assert_eq!(app.panes[Pane::Disk].pos, before + 3);
}

#[test]
fn a_selects_only_what_the_filter_shows_and_strays_are_chosen_one_by_one() {
    let (_t, mut app) = demo(40, 3);
    keys(&mut app, "/ghost");
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "a");
    let ins = app.ins.as_ref().unwrap();
    let ghosts = ins.found.iter().filter(|d| d.kind == Kind::GhostEntry).count();
    assert_eq!(app.choices.chosen.len(), ghosts);
    assert!(app.choices.chosen.values().all(|f| *f == Fix::MarkFailed));
    key(&mut app, KeyCode::Esc);
    keys(&mut app, "A");
    move_to_kind(&mut app, Kind::StrayFile);
    keys(&mut app, " ");
    assert_eq!(app.choices.chosen.values().copied().collect::<Vec<_>>(), vec![Fix::Quarantine]);
    keys(&mut app, "p");
    let pv = app.plan.as_ref().unwrap();
    assert_eq!((pv.plan.items.len(), pv.plan.move_count()), (1, 1));
}

#[test]
fn per_item_fixes_give_the_plan_of_the_equivalent_cli_flags() {
    let (t, mut app) = demo(40, 3);
    keys(&mut app, "/ghost");
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "g");
    for _ in 0..app.panes[Pane::Disc].visible.len() {
        keys(&mut app, "fj");
    }
    keys(&mut app, "p");
    // `cachescope plan --only ghost_entry --fix ghost_entry=delete_entry`
    let ins = open(&t.path().join("dump"));
    let sel = Selection {
        only: Some(vec![Kind::GhostEntry]),
        per_kind: [(Kind::GhostEntry, Fix::DeleteEntry)].into_iter().collect(),
        per_item: Default::default(),
    };
    let cli = plan(&ins, &sel);
    let lines = readable_plan_lines(&ins, &cli);
    assert!(lines.iter().any(|l| l.starts_with("delete_entry ×")) && lines.iter().any(|l| l.starts_with("  - ")));
    assert_eq!(app.plan.as_ref().unwrap().lines, lines);
}

#[test]
fn the_filter_ignores_case_and_matches_names_that_are_not_ascii() {
    let (tmp, _) = demo(40, 3);
    let dir = tmp.path().join("dump");
    std::fs::write(dir.join("cache/audio/Café Notes.txt"), b"x").unwrap();
    let mut app = App::with_inspection(open(&dir), "DUMP".into(), Theme::mono());
    let shown = |app: &App| -> Vec<String> {
        let ins = app.ins.as_ref().unwrap();
        app.panes[Pane::Disk].visible.iter().map(|&i| ins.scan.files[i].path().to_string_lossy().into_owned()).collect()
    };
    let e = app.set_filter("cover.wav".into());
    run_inline(&mut app, e);
    assert_eq!(shown(&app), vec!["COVER.WAV".to_string()]);
    let e = app.set_filter("café".into());
    run_inline(&mut app, e);
    assert_eq!(shown(&app), vec!["Café Notes.txt".to_string()]);
    let e = app.set_filter("notes".into());
    run_inline(&mut app, e);
    assert!(shown(&app).contains(&"Café Notes.txt".to_string()) && shown(&app).contains(&"notes.txt".to_string()));
}

/// The detail view lists a key's (or a stray file's) discrepancies from the
/// index on every frame: exactly those a look through all of them finds.
#[test]
fn the_index_lists_every_discrepancy_of_a_key_or_of_a_file() {
    use cachescope::tui::index::{Index, Link};
    let (_t, dir) = demo_dir(200, 7);
    let ins = open(&dir);
    let index = Index::build(&ins);
    let mut links: Vec<Link> = ins.found.iter().map(|d| Link { key: d.key.clone(), file: None }).collect();
    links.extend(ins.found.iter().filter(|d| d.key.is_none()).map(|d| Link { key: None, file: d.file }));
    links.push(Link { key: Some("no-such-key".into()), file: None });
    let mut several = 0;
    for link in &links {
        let want: Vec<usize> = (0..ins.found.len())
            .filter(|&i| match &link.key {
                Some(k) => ins.found[i].key.as_ref() == Some(k),
                None => ins.found[i].file.is_some() && ins.found[i].file == link.file,
            })
            .collect();
        assert_eq!(index.discs_of(&ins, link), want, "{link:?}");
        if let Some(k) = &link.key {
            assert_eq!(index.disc_of_key(&ins, k), want.first().copied(), "{k}");
        }
        several += usize::from(want.len() > 1);
    }
    assert!(several > 0, "the demo has keys with more than one discrepancy");
    assert!(links.iter().any(|l| l.key.is_none()), "and stray files");
}

/// Each discrepancy's row (what the filter keeps visible with it) is its
/// own, or else its key's: the rows a look through all of them finds.
#[test]
fn the_index_gives_each_discrepancys_row_or_its_keys_row() {
    use cachescope::tui::index::Index;
    let (_t, dir) = demo_dir(300, 11);
    let ins = open(&dir);
    let index = Index::build(&ins);
    let mut borrowed = 0;
    for (i, d) in ins.found.iter().enumerate() {
        let of_key = d.key.as_ref().and_then(|k| ins.rows.iter().position(|r| r.key.to_string() == *k));
        assert_eq!(index.row_of_disc(i), d.row.or(of_key), "{}", d.id);
        borrowed += usize::from(d.row.is_none() && of_key.is_some());
    }
    assert!(borrowed > 1, "the demo has files without a row of their own whose key has one");
    assert_eq!(index.row_of_disc(ins.found.len()), None);
}

/// A key's first file is found by binary search over the paths at the top
/// of the cache dir, and through a small map for files in sub-folders: the
/// same file a look through all of them finds.
#[test]
fn the_index_finds_each_keys_first_file() {
    use cachescope::tui::index::Index;
    let (_t, dir) = demo_dir(200, 7);
    let cache = open(&dir).dump.cache_dir.clone();
    let top: Vec<std::path::PathBuf> = std::fs::read_dir(&cache)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "m4a"))
        .take(2)
        .collect();
    std::fs::create_dir(cache.join("ab")).unwrap();
    // One key only in a sub-folder, one both at the top and in a sub-folder,
    // and names that begin with a key's text.
    std::fs::rename(&top[0], cache.join("ab").join(top[0].file_name().unwrap())).unwrap();
    std::fs::copy(&top[1], cache.join("ab").join(top[1].file_name().unwrap())).unwrap();
    let stem = top[1].file_stem().unwrap().to_string_lossy().into_owned();
    std::fs::copy(&top[1], cache.join(format!("{stem}-copy.m4a"))).unwrap();
    std::fs::copy(&top[1], cache.join(format!("{stem}.m4a.part"))).unwrap();
    let ins = open(&dir);
    let index = Index::build(&ins);
    let mut nested = 0;
    for f in &ins.scan.files {
        let Some(k) = f.key() else { continue };
        let want = ins.scan.files.iter().position(|g| g.key() == Some(k));
        assert_eq!(index.file_of_key(&ins, &k.to_string()), want, "{:?}", f.path());
        nested += usize::from(f.nested());
    }
    assert!(nested >= 1, "a key whose only file is in a sub-folder");
    assert_eq!(index.file_of_key(&ins, "no-such-key"), None);
}

/// The filter keeps exactly what its rule names: a discrepancy whose kind,
/// key or path contains the query; a file whose path does, a row whose key
/// or state does; and the files and rows of the discrepancies it keeps.
/// Case is ignored; odd names are matched as they are shown (escaped). The
/// discrepancies are matched against the index's copy of their terms and
/// the long lists in place: this checks both against the rule itself.
#[test]
fn the_filter_keeps_exactly_what_its_rule_names() {
    use cachescope::core::fmt::escaped;
    use cachescope::tui::filter::visible;
    use cachescope::tui::index::Index;
    let (_t, dir) = demo_dir(120, 5);
    let cache = dir.join("cache/audio");
    let some_key = open(&dir).rows[3].key.to_string();
    std::fs::write(cache.join("Café Notes.txt"), b"x").unwrap();
    std::fs::write(cache.join("line\nbreak.wav"), b"x").unwrap();
    std::fs::create_dir(cache.join("Nested")).unwrap();
    std::fs::write(cache.join(format!("Nested/{some_key}.WAV")), b"x").unwrap();
    // Healthy keys' files in other folders (not ASCII, upper case, lower
    // case): matched by their paths alone.
    let folders = ["Shard Ünï", "Upper Case", "plain"];
    let before = open(&dir);
    let healthy: Vec<_> = (before.scan.files.iter().enumerate())
        .filter(|(i, f)| {
            f.key().is_some()
                && before
                    .found
                    .iter()
                    .all(|d| d.key.as_deref() != Some(&*f.key().unwrap().to_string()) && d.file != Some(*i))
        })
        .map(|(_, f)| f.path().into_owned())
        .take(folders.len())
        .collect();
    for (folder, file) in folders.iter().zip(&healthy) {
        std::fs::create_dir(cache.join(folder)).unwrap();
        std::fs::rename(cache.join(file), cache.join(folder).join(file)).unwrap();
    }
    // Odd bytes in names: not UTF-8, and DEL.
    use std::os::unix::ffi::OsStrExt;
    std::fs::write(cache.join(std::ffi::OsStr::from_bytes(b"raw\xffbyte.bin")), b"x").unwrap();
    std::fs::write(cache.join(std::ffi::OsStr::from_bytes(b"del\x7fname.txt")), b"x").unwrap();
    let ins = open(&dir);
    let in_folders = |f: usize| folders.iter().any(|d| ins.scan.files[f].path().starts_with(d));
    assert!(ins.found.iter().all(|d| d.file.is_none_or(|f| !in_folders(f))), "those files have no discrepancy");
    let index = Index::build(&ins);
    let path = |f: usize| escaped(&ins.scan.files[f].path()).to_lowercase();
    let key = |k: &str| k.to_ascii_lowercase();
    let mut queries: Vec<String> = [
        "café",
        "notes",
        "\\n",
        ".wav",
        "nested/",
        "shard ünï",
        "upper case/",
        "plain/",
        "\\xff",
        "\\u{7f}",
        "wav",
        "ghost",
        "orphan",
        "m4a",
        "e",
    ]
    .map(String::from)
    .to_vec();
    queries.extend(ins.rows.iter().step_by(17).map(|r| r.key.to_string()[20..26].to_string()));
    queries.push(some_key[..9].to_string());
    for q in &queries {
        let [files, rows, discs] = visible(&ins, &index, q, None, &|| false).unwrap();
        let want_discs: Vec<usize> = (0..ins.found.len())
            .filter(|&i| {
                let d = &ins.found[i];
                d.kind.as_str().contains(q.as_str())
                    || d.key.as_deref().is_some_and(|k| key(k).contains(q.as_str()))
                    || d.file.is_some_and(|f| path(f).contains(q.as_str()))
            })
            .collect();
        assert_eq!(discs, want_discs, "discrepancies for {q:?}");
        let linked_file = |f: usize| want_discs.iter().any(|&i| ins.found[i].file == Some(f));
        let want_files: Vec<usize> =
            (0..ins.scan.files.len()).filter(|&f| path(f).contains(q.as_str()) || linked_file(f)).collect();
        assert_eq!(files, want_files, "files for {q:?}");
        let linked_row = |r: usize| {
            want_discs.iter().any(|&i| {
                let d = &ins.found[i];
                d.row == Some(r) || (d.row.is_none() && d.key.as_deref() == Some(&*ins.rows[r].key.to_string()))
            })
        };
        let want_rows: Vec<usize> = (0..ins.rows.len())
            .filter(|&r| {
                let row = &ins.rows[r];
                key(&row.key.to_string()).contains(q.as_str())
                    || row.state_str().to_lowercase().contains(q.as_str())
                    || linked_row(r)
            })
            .collect();
        assert_eq!(rows, want_rows, "rows for {q:?}");
        assert!(!discs.is_empty() || !files.is_empty() || !rows.is_empty(), "{q:?} finds something");
        // Typing on narrows these lists, to what the longer query finds alone.
        let within = [files, rows, discs];
        for longer in [format!("{q}a"), format!("{q}.")] {
            let narrowed = visible(&ins, &index, &longer, Some(&within), &|| false).unwrap();
            assert_eq!(narrowed, visible(&ins, &index, &longer, None, &|| false).unwrap(), "{longer:?} within {q:?}");
        }
    }
    assert_eq!(index.disc_terms(ins.found.len()), ("", ""), "past the last discrepancy: nothing, no panic");
}
