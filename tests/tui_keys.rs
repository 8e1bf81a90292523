//! `update()` tests for the keys and layers made for calls: the searchable
//! help, the command palette, sorting, copy, export, themes, recovery, the
//! cursor after an apply. No terminal, no threads (`run_inline`).

mod tui_kit;

use std::path::Path;

use cachescope::core::demo::write_demo;
use cachescope::core::{ApplyOptions, Control, Fix, Kind, apply, writing_session};
use cachescope::tui::app::{App, Confirm, Effect, Layer, Msg, Pane, run_inline};
use cachescope::tui::msg::WorkerMsg;
use cachescope::tui::sort::{Column, Sort};
use cachescope::tui::theme::{Theme, ThemeName};
use ratatui::crossterm::event::{KeyCode, KeyModifiers};
use tui_kit::*;

fn demo() -> (tempfile::TempDir, App) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("dump");
    write_demo(&dir, 60, 3).unwrap();
    let mut app = App::with_inspection(open(&dir), "DUMP".into(), Theme::dark());
    app.export_dir = tmp.path().to_path_buf();
    (tmp, app)
}

fn clipboard(effects: &[Effect]) -> String {
    match effects {
        [Effect::Clipboard(text)] => text.clone(),
        other => panic!("expected one clipboard write, got {other:?}"),
    }
}

#[test]
fn the_help_searches_as_you_type_and_takes_every_key() {
    let (_t, mut app) = demo();
    keys(&mut app, "?");
    assert_eq!(app.top(), Some(&Layer::Help));
    keys(&mut app, "copy");
    assert_eq!(app.finder.query, "copy");
    let found = cachescope::tui::palette::help_sections(&app.finder.query);
    let actions: Vec<_> = found.iter().flat_map(|(_, l)| l.iter().map(|b| b.label)).collect();
    assert_eq!(actions, vec!["y", "Y"], "only the copy keys");
    // Letters are the search's: `q` does not quit, `j` does not move.
    let pos = app.panes[Pane::Disc].pos;
    keys(&mut app, "qj");
    assert!(!app.quit && app.panes[Pane::Disc].pos == pos);
    key(&mut app, KeyCode::Backspace);
    key(&mut app, KeyCode::Backspace);
    assert_eq!(app.finder.query, "copy");
    key(&mut app, KeyCode::Down);
    assert_eq!(app.finder.pos, 1, "arrows scroll");
    key(&mut app, KeyCode::Esc);
    assert!(app.layers.is_empty());
    // Opened again, it starts empty.
    keys(&mut app, "?");
    assert_eq!(app.finder.query, "");
    key(&mut app, KeyCode::Enter);
    assert!(app.layers.is_empty());
}

#[test]
fn the_palette_lists_every_action_and_enter_runs_the_chosen_one() {
    let (_t, mut app) = demo();
    keys(&mut app, ":");
    assert_eq!(app.top(), Some(&Layer::Palette));
    let all = cachescope::tui::palette::entries("");
    for b in cachescope::tui::keys::BINDINGS {
        let runnable = matches!(
            b.scope,
            cachescope::tui::keys::Scope::Panes
                | cachescope::tui::keys::Scope::Disc
                | cachescope::tui::keys::Scope::Global
        );
        let own = matches!(b.action, cachescope::tui::keys::Action::Palette | cachescope::tui::keys::Action::Back);
        if runnable && !own {
            assert!(all.iter().any(|e| e.action == b.action && e.keys.contains(b.label)), "{:?} is listed", b.action);
        }
    }
    // Typing narrows; Enter runs the first match: undo asks first.
    keys(&mut app, "undo");
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.top(), Some(&Layer::Confirm(Confirm::Undo)));
    key(&mut app, KeyCode::Esc);
    // Arrows choose: "sort" lists sort, then reverse.
    keys(&mut app, ":sort");
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Enter);
    assert!(app.layers.is_empty());
    assert_eq!(app.panes[Pane::Disc].sort, Sort { column: Column::Natural, desc: true }, "reversed");
    // Esc closes without running anything; no match runs nothing.
    keys(&mut app, ":zzz");
    assert!(key(&mut app, KeyCode::Enter).is_empty());
    assert!(app.status.contains("no action matches"), "{}", app.status);
    keys(&mut app, ":q");
    key(&mut app, KeyCode::Esc);
    assert!(!app.quit && app.layers.is_empty());
}

#[test]
fn o_sorts_the_focused_pane_by_its_columns_and_links_still_follow() {
    let (_t, mut app) = demo();
    keys(&mut app, "1");
    let item = app.panes[Pane::Disk].current();
    keys(&mut app, "o");
    assert_eq!(app.panes[Pane::Disk].sort, Sort { column: Column::Size, desc: true });
    assert!(app.status.contains("sorted by size ↓"), "{}", app.status);
    assert_eq!(app.panes[Pane::Disk].current(), item, "the cursor stays on its file");
    let ins = app.ins.clone().unwrap();
    let sizes: Vec<u64> = app.panes[Pane::Disk].visible.iter().map(|&i| ins.scan.files[i].id.size).collect();
    assert!(sizes.windows(2).all(|w| w[0] >= w[1]), "largest first");
    keys(&mut app, "O");
    let sizes: Vec<u64> = app.panes[Pane::Disk].visible.iter().map(|&i| ins.scan.files[i].id.size).collect();
    assert!(sizes.windows(2).all(|w| w[0] <= w[1]), "reversed: smallest first");
    keys(&mut app, "oo");
    assert_eq!(app.panes[Pane::Disk].sort.column, Column::State);
    keys(&mut app, "o");
    assert!(app.panes[Pane::Disk].sort.is_natural(), "back to path order");
    // The DB pane by duration, Discrepancies by severity: moving in one moves
    // the others to the same key, in any order.
    keys(&mut app, "2ooo");
    assert_eq!(app.panes[Pane::Db].sort.column, Column::Duration);
    keys(&mut app, "3oo");
    assert_eq!(app.panes[Pane::Disc].sort, Sort { column: Column::Severity, desc: true });
    let sev: Vec<_> = app.panes[Pane::Disc].visible.iter().map(|&i| ins.found[i].severity()).collect();
    assert!(sev.windows(2).all(|w| w[0] >= w[1]), "errors first");
    for _ in 0..ins.found.len() {
        let d = &ins.found[app.focused_disc().unwrap()];
        if let (Some(r), Some(k)) = (d.row, &d.key) {
            assert!(!app.panes[Pane::Db].miss, "{k}: the DB pane found its row in duration order");
            assert_eq!(app.panes[Pane::Db].current(), Some(r));
        }
        if let Some(f) = d.file {
            assert_eq!(app.panes[Pane::Disk].current(), Some(f));
        }
        keys(&mut app, "j");
    }
    // And from the sorted DB pane back to Discrepancies.
    keys(&mut app, "2gj");
    let row_key = app.current_link(Pane::Db).unwrap().key;
    match app.current_link(Pane::Disc) {
        Some(l) => assert_eq!(l.key, row_key),
        None => assert!(app.panes[Pane::Disc].miss),
    }
}

#[test]
fn a_filter_gives_sorted_lists_and_narrowing_keeps_the_order() {
    let (_t, mut app) = demo();
    keys(&mut app, "1o");
    keys(&mut app, "/m4a");
    let ins = app.ins.clone().unwrap();
    let shown = |app: &App| -> Vec<usize> { app.panes[Pane::Disk].visible.clone() };
    let sizes = |v: &[usize]| -> Vec<u64> { v.iter().map(|&i| ins.scan.files[i].id.size).collect() };
    let m4a = shown(&app);
    assert!(!m4a.is_empty() && m4a.iter().all(|&i| ins.scan.files[i].path().to_string_lossy().contains("m4a")));
    assert!(sizes(&m4a).windows(2).all(|w| w[0] >= w[1]), "filtered, then sorted");
    // Sorting while a filter shows: the filtered list is sorted.
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "O");
    assert_eq!(shown(&app).len(), m4a.len());
    assert!(sizes(&shown(&app)).windows(2).all(|w| w[0] <= w[1]));
    key(&mut app, KeyCode::Esc);
    assert_eq!(shown(&app).len(), ins.scan.files.len(), "the whole list, still sorted");
    assert!(sizes(&shown(&app)).windows(2).all(|w| w[0] <= w[1]));
}

#[test]
fn a_click_on_a_pane_title_sorts_it() {
    use ratatui::crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
    let (_t, mut app) = demo();
    app.mouse = true;
    let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 34)).unwrap();
    term.draw(|f| cachescope::tui::ui::draw(f, &mut app)).unwrap();
    let db = app.panes[Pane::Db].area;
    let click = MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: db.x + 4,
        row: db.y,
        modifiers: KeyModifiers::NONE,
    };
    app.update(Msg::Mouse(click));
    assert_eq!(app.focus, Pane::Db);
    assert_eq!(app.panes[Pane::Db].sort.column, Column::Size);
    term.draw(|f| cachescope::tui::ui::draw(f, &mut app)).unwrap();
    let title: String =
        (db.x..db.x + db.width).map(|x| term.backend().buffer()[(x, db.y)].symbol().to_string()).collect();
    assert!(title.contains("sorted by size ↓"), "{title}");
}

#[test]
fn y_copies_the_focused_item_or_the_plan_and_capital_y_the_selection() {
    let (_t, mut app) = demo();
    move_to_kind(&mut app, Kind::GhostEntry);
    let d = app.ins.as_ref().unwrap().found[app.focused_disc().unwrap()].clone();
    let text = clipboard(&keys(&mut app, "y"));
    assert!(text.contains(d.key.as_deref().unwrap()) && text.contains(&d.message) && text.contains(&d.id), "{text}");
    assert!(text.contains("fix: mark_failed"), "{text}");
    assert!(app.status.starts_with("copied ghost_entry") && app.status.contains("OSC 52"), "{}", app.status);
    // From the Disk pane: the file, its key, what is wrong with it.
    move_to_kind(&mut app, Kind::OrphanedFile);
    let d = app.ins.as_ref().unwrap().found[app.focused_disc().unwrap()].clone();
    keys(&mut app, "1");
    let text = clipboard(&keys(&mut app, "y"));
    assert!(text.starts_with("file: ") && text.contains(&d.message), "{text}");
    // The detail lets y through.
    key(&mut app, KeyCode::Enter);
    assert_eq!(clipboard(&keys(&mut app, "y")), text);
    key(&mut app, KeyCode::Esc);
    // Nothing selected: Y says so.
    assert!(keys(&mut app, "Y").is_empty());
    keys(&mut app, "3a");
    let mut ids: Vec<String> = app.choices.chosen.keys().cloned().collect();
    ids.sort();
    assert_eq!(clipboard(&keys(&mut app, "Y")), ids.join("\n") + "\n");
    // In the plan preview: the plan as shown, readable or SQL.
    keys(&mut app, "p");
    let plan = clipboard(&keys(&mut app, "y"));
    assert_eq!(plan, app.plan.as_ref().unwrap().lines.join("\n") + "\n");
    keys(&mut app, "s");
    let sql = clipboard(&keys(&mut app, "y"));
    assert!(sql.contains("UPDATE cache_entries") && !plan.contains("UPDATE cache_entries"));
    // Control characters never travel raw.
    assert!(!sql.chars().any(|c| c.is_control() && c != '\n'));
}

#[test]
fn e_writes_the_report_or_the_plan_and_the_selection_as_an_id_list() {
    let (t, mut app) = demo();
    let files = |dir: &Path| -> Vec<String> {
        let mut v: Vec<String> =
            std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        v.retain(|n| n.starts_with("cachescope-"));
        v.sort();
        v
    };
    let effects = keys(&mut app, "e");
    assert!(matches!(effects.as_slice(), [Effect::Export(_)]), "{effects:?}");
    let written = files(t.path());
    assert_eq!(written.len(), 1);
    assert!(written[0].starts_with("cachescope-report-") && written[0].ends_with("Z.md"), "{written:?}");
    assert!(app.status.contains(&written[0]), "the status names it: {}", app.status);
    let md = std::fs::read_to_string(t.path().join(&written[0])).unwrap();
    assert!(md.starts_with("## cachescope check:") && md.contains("ghost_entry"), "{md}");
    // A second export in the same second gets a new name, never overwrites.
    keys(&mut app, "e");
    assert_eq!(files(t.path()).len(), 2);

    // `E` with nothing selected: nothing written.
    assert!(keys(&mut app, "E").is_empty());
    // A selection with one fix other than the default.
    move_to_kind(&mut app, Kind::GhostEntry);
    keys(&mut app, "f");
    let other = app.ins.as_ref().unwrap().found[app.focused_disc().unwrap()].id.clone();
    keys(&mut app, "a");
    keys(&mut app, "E");
    let list = files(t.path()).into_iter().find(|n| n.starts_with("cachescope-selection-")).unwrap();
    let text = std::fs::read_to_string(t.path().join(&list)).unwrap();
    let mut ids: Vec<String> = app.choices.chosen.keys().cloned().collect();
    ids.sort();
    // One id a line, as the JSON report prints them; `=FIX` where the fix is
    // not the default, so the list alone gives the same batch.
    let want: Vec<String> =
        ids.iter().map(|id| if *id == other { format!("{id}=delete_entry") } else { id.clone() }).collect();
    assert_eq!(text, want.join("\n") + "\n");
    assert!(app.status.contains("--ids-from") && app.status.contains(&list), "{}", app.status);
    // In the plan preview: the plan as shown and the ids beside it.
    keys(&mut app, "p");
    let before = files(t.path()).len();
    keys(&mut app, "e");
    let now = files(t.path());
    assert_eq!(now.len(), before + 2);
    let plan_file = now.iter().find(|n| n.starts_with("cachescope-plan-")).unwrap();
    let plan = std::fs::read_to_string(t.path().join(plan_file)).unwrap();
    assert_eq!(plan, app.plan.as_ref().unwrap().lines.join("\n") + "\n");
    assert!(plan_file.ends_with(".txt"));
}

#[test]
fn an_export_into_a_folder_that_cannot_be_written_is_one_sentence() {
    let (t, mut app) = demo();
    app.export_dir = t.path().join("missing");
    keys(&mut app, "e");
    assert!(app.status.starts_with("could not create ") && app.status.contains("missing"), "{}", app.status);
    assert!(!app.status.contains('\n'));
}

#[test]
fn capital_t_cycles_the_themes_and_no_color_stays_monochrome() {
    let (_t, mut app) = demo();
    assert_eq!(app.theme.name, ThemeName::Dark);
    keys(&mut app, "T");
    assert_eq!(app.theme, Theme::light());
    assert!(app.status.contains("theme: light"), "{}", app.status);
    keys(&mut app, "T");
    assert_eq!(app.theme, Theme::high_contrast());
    keys(&mut app, "T");
    assert_eq!(app.theme, Theme::dark());
    app.theme = Theme::mono();
    keys(&mut app, "T");
    assert_eq!(app.theme, Theme::mono());
    assert!(app.status.contains("NO_COLOR"), "{}", app.status);
}

#[test]
fn capital_r_recovers_an_interrupted_apply_after_a_confirmation_that_defaults_to_no() {
    let (_t, mut app) = demo();
    assert!(keys(&mut app, "R").is_empty());
    assert!(app.layers.is_empty() && app.status.contains("nothing to recover"), "{}", app.status);
    let tmp = tempfile::tempdir().unwrap();
    write_demo(&tmp.path().join("d"), 40, 3).unwrap();
    let mut ins = open(&tmp.path().join("d"));
    ins.interrupted = Some("an interrupted apply (batch 3) was found".into());
    let mut app = App::with_inspection(ins, "DUMP".into(), Theme::mono());
    for no in [KeyCode::Enter, KeyCode::Char('n'), KeyCode::Esc, KeyCode::Char('R')] {
        keys(&mut app, "R");
        assert_eq!(app.top(), Some(&Layer::Confirm(Confirm::Recover)));
        assert!(key(&mut app, no).is_empty(), "{no:?} is No");
        assert!(app.layers.is_empty() && app.status == "not recovered");
    }
    keys(&mut app, "R");
    assert!(matches!(keys(&mut app, "y").as_slice(), [Effect::Recover]));
    assert_eq!(app.mode(), "APPLYING");
    assert!(keys(&mut app, "R").is_empty() && app.status.starts_with("busy"));
    app.update(Msg::Worker(WorkerMsg::Recovered(Ok(Some("batch 3 was rolled back".into())))));
    match app.top() {
        Some(Layer::Result(lines)) => assert!(lines[0].contains("batch 3 was rolled back"), "{lines:?}"),
        other => panic!("expected the result, got {other:?}"),
    }
}

/// Selects the focused discrepancy, previews and confirms with `y`, then
/// does what the worker would: applies that plan and hands back the report.
fn apply_focused(app: &mut App) {
    keys(app, " p");
    key(app, KeyCode::Enter);
    let plan = match keys(app, "y").as_slice() {
        [Effect::Apply { plan, .. }] => plan.clone(),
        other => panic!("expected an apply, got {other:?}"),
    };
    let dump = app.ins.as_ref().unwrap().dump.clone();
    let (session, _) = writing_session(&dump).unwrap();
    let report = apply(&session, &plan, &ApplyOptions::default(), &Control::none()).unwrap();
    drop(session);
    app.update(Msg::Worker(WorkerMsg::Applied(Ok(report))));
}

#[test]
fn after_an_apply_the_cursor_moves_on_to_the_next_discrepancy() {
    let (_tmp, dir) = demo_dir(60, 3);
    let mut app = app(&dir, Theme::mono());
    move_to_kind(&mut app, Kind::GhostEntry);
    let ins = app.ins.clone().unwrap();
    let next = ins.found[app.panes[Pane::Disc].visible[app.panes[Pane::Disc].pos + 1]].id.clone();
    // Apply, then the rescan the worker sends after it.
    apply_focused(&mut app);
    let e = app.update(Msg::Worker(WorkerMsg::Scanned(Ok(Box::new(open(&dir))))));
    run_inline(&mut app, e);
    let ins = app.ins.clone().unwrap();
    assert!(!app.panes[Pane::Disc].miss, "not on ∅");
    assert_eq!(ins.found[app.focused_disc().unwrap()].id, next);
}

#[test]
fn a_says_which_fixes_it_selected_with() {
    let (_t, mut app) = demo();
    keys(&mut app, "a");
    assert!(app.status.contains("with their default fixes"), "{}", app.status);
    keys(&mut app, "A");
    move_to_kind(&mut app, Kind::GhostEntry);
    keys(&mut app, "f");
    assert_eq!(app.choices.chosen.values().copied().collect::<Vec<_>>(), vec![Fix::DeleteEntry]);
    keys(&mut app, "a");
    assert!(!app.status.contains("default fixes"), "{}", app.status);
    assert!(app.status.contains("1 with the fix chosen with f"), "{}", app.status);
}

#[test]
fn every_column_in_both_directions_is_the_total_order_that_links_search() {
    use cachescope::tui::sort::{columns, compare, sort_list};
    use std::cmp::Ordering;
    let (_t, app) = demo();
    let ins = app.ins.clone().unwrap();
    for pane in Pane::ALL {
        let len = match pane {
            Pane::Disk => ins.scan.files.len(),
            Pane::Db => ins.rows.len(),
            Pane::Disc => ins.found.len(),
        };
        for &column in columns(pane) {
            for desc in [false, true] {
                let sort = Sort { column, desc };
                // Shuffled first: the order must not depend on where items start.
                let mut list: Vec<usize> = (0..len).rev().collect();
                list.rotate_left(len / 3);
                sort_list(&ins, pane, sort, &mut list);
                assert!(
                    list.windows(2).all(|w| compare(&ins, pane, sort, w[0], w[1]) == Ordering::Less),
                    "{pane:?} by {column:?}, desc {desc}"
                );
            }
        }
    }
}

/// A fix the database refuses shows in the TUI's result as failed, apart
/// from stale ones, and a batch that changed nothing offers no undo.
#[test]
fn a_failed_fix_is_shown_as_failed_and_an_empty_batch_offers_no_undo() {
    let (_tmp, dir) = demo_dir(60, 3);
    let mut app = app(&dir, Theme::mono());
    let ins = app.ins.clone().unwrap();
    // The app's database refuses every new row: registering an orphan fails.
    rusqlite::Connection::open(&ins.dump.db)
        .unwrap()
        .execute_batch(
            "CREATE TRIGGER no_new_rows BEFORE INSERT ON cache_entries BEGIN SELECT RAISE(ABORT, 'no new rows'); END;",
        )
        .unwrap();
    move_to_kind(&mut app, Kind::OrphanedFile);
    let orphan = ins.found[app.focused_disc().unwrap()].id.clone();
    apply_focused(&mut app);
    let Some(Layer::Result(lines)) = app.layers.last() else { panic!("no result dialog: {:?}", app.layers) };
    let all = lines.join("\n");
    assert!(all.contains("Batch 1 changed nothing: 0 of 1 fixes applied, 0 skipped as stale, 1 failed."), "{all}");
    assert!(all.contains(&format!("failed: {orphan}: the database refused it")), "{all}");
    assert!(all.contains("Nothing to undo.") && !all.contains("Undo it with u"), "{all}");
    assert!(text(&render(&mut app, 160, 45)).contains("Nothing to undo."), "the dialog is drawn");
}

/// A key with control characters (a terminal escape, a bell) is shown
/// escaped in the result dialog, never as raw bytes the terminal would obey.
#[test]
fn the_result_dialog_shows_a_hostile_key_escaped() {
    let (_tmp, dir) = demo_dir(60, 3);
    let evil = "k\u{1b}[2J\u{7}x";
    let db = dir.join("databases/app.db");
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute(
        "INSERT INTO cache_entries (cache_key, compression_state, size_bytes, created_at) VALUES (?1, 'm4a', 10, 0)",
        [evil],
    )
    .unwrap();
    // The database refuses the ghost's fix, so the result names it as failed.
    conn.execute_batch(
        "CREATE TRIGGER no_updates BEFORE UPDATE ON cache_entries BEGIN SELECT RAISE(ABORT, 'no updates'); END;",
    )
    .unwrap();
    drop(conn);
    let mut app = app(&dir, Theme::mono());
    let ins = app.ins.clone().unwrap();
    let ghost = ins.found.iter().position(|d| d.key.as_deref() == Some(evil)).expect("the hostile ghost");
    let pane = &mut app.panes[Pane::Disc];
    pane.pos = pane.visible.iter().position(|&v| v == ghost).unwrap();
    assert_eq!(app.focused_disc(), Some(ghost));
    apply_focused(&mut app);
    let Some(Layer::Result(lines)) = app.layers.last() else { panic!("no result dialog: {:?}", app.layers) };
    let all = lines.join("\n");
    assert!(all.contains(r"failed: ghost_entry:k\u{1b}[2J\u{7}x: the database refused it"), "{all}");
    assert!(!all.contains('\u{1b}') && !all.contains('\u{7}'), "raw control characters in {all:?}");
    let screen = text(&render(&mut app, 160, 45));
    assert!(screen.contains(r"ghost_entry:k\u{1b}[2J"), "the dialog is drawn escaped: {screen}");
}
