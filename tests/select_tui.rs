//! The inspector's exported selection (`E`) applied headless by a script
//! gives the very batch the inspector itself applies (issue 16): the same
//! rows, audit rows, files and quarantine, including an item whose fix was
//! changed from its default with `f`.

mod common;
mod select_kit;
mod tui_kit;

use cachescope::core::{ApplyOptions, Control, Kind, apply, writing_session};
use cachescope::tui::app::Effect;
use cachescope::tui::theme::Theme;
use common::*;
use ratatui::crossterm::event::KeyCode;
use select_kit::*;
use tui_kit::{app, key, keys, move_to_kind};

#[test]
fn the_tuis_exported_selection_applied_headless_is_the_tuis_own_apply() {
    let f = Fixture::new(Layout::Android);
    let (a, b, out) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    copy_dump(f.root(), a.path());
    copy_dump(f.root(), b.path());

    // In the inspector on copy A: a ghost with another fix than its default
    // (`f`), an incomplete file with its default (Space); export, apply.
    let mut tui = app(a.path(), Theme::mono());
    tui.export_dir = out.path().to_path_buf();
    move_to_kind(&mut tui, Kind::GhostEntry);
    keys(&mut tui, "f");
    move_to_kind(&mut tui, Kind::IncompleteFile);
    keys(&mut tui, " E");
    let list = std::fs::read_dir(out.path()).unwrap().map(|e| e.unwrap().path()).next().expect("E wrote a file");
    let text = std::fs::read_to_string(&list).unwrap();
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(text.lines().any(|l| l.starts_with("ghost_entry:") && l.ends_with("=delete_entry")), "{text}");
    assert!(text.lines().any(|l| l.starts_with("incomplete_file:") && !l.contains('=')), "{text}");
    keys(&mut tui, "p");
    key(&mut tui, KeyCode::Enter);
    let plan = match keys(&mut tui, "y").as_slice() {
        [Effect::Apply { plan, .. }] => plan.clone(),
        other => panic!("expected an apply, got {other:?}"),
    };
    // What the inspector's worker does with it.
    let (session, _) = writing_session(&tui.ins.as_ref().unwrap().dump).unwrap();
    let report = apply(&session, &plan, &ApplyOptions::default(), &Control::none()).unwrap();
    assert_eq!(report.applied(), 2);
    drop(session);

    // A script on copy B, later, with only the list.
    let done = run(&["apply", "--yes", "--ids-from", list.to_str().unwrap()], b.path());
    assert_eq!(done.code, 0, "{done:?}");
    assert!(done.stdout.contains("2 of 2 fixes applied"), "{done:?}");
    same_result(a.path(), b.path());
}

#[test]
fn an_id_list_line_with_a_fix_that_does_not_fit_its_kind_is_one_sentence() {
    let f = Fixture::new(Layout::Android);
    let list = f.root().parent().unwrap().join("selection.txt");
    std::fs::write(&list, format!("{}=register\n", f.ghost(1))).unwrap();
    let out = run(&["plan", "--ids-from", list.to_str().unwrap()], f.root());
    let line = out.one_line_error();
    assert!(line.contains("register is not a fix for ghost_entry") && line.contains(&f.ghost(1)), "{line}");
}
