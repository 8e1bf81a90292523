//! Choosing a finding or a bar: exactly its keys in the panes, exactly its plan.

use super::*;

#[test]
fn choosing_a_finding_filters_the_three_panes_to_exactly_its_keys() {
    let (_t, dir) = demo(300, 1);
    let (ins, _, found) = core_findings(&dir);
    assert!(found.len() >= 3, "the demo's planted causes are found");
    let mut a = app(&dir, Theme::mono());
    for (n, f) in found.iter().enumerate() {
        to_finding(&mut a, n);
        assert_eq!(a.top(), Some(&Layer::Insight));
        key(&mut a, KeyCode::Enter);
        assert!(a.layers.is_empty(), "choosing closes the view onto the panes");
        assert_eq!(a.focus, Pane::Disc);
        let items: Vec<usize> = f.items.iter().map(|&i| i as usize).collect();
        assert_panes_show(&a, &ins, &items);
        let g = a.group.as_ref().unwrap();
        assert_eq!(g.label, format!("finding: {}", f.sentence.trim_end_matches('.')));
        // The status line says which filter is in force.
        let screen = text(&render(&mut a, 160, 45));
        assert!(screen.contains(&format!("finding: {}", &f.sentence[..40])), "{screen}");
        assert!(screen.contains(&format!("Discrepancies ({}/{})", items.len(), ins.found.len())), "{screen}");
    }
}

#[test]
fn a_then_p_previews_exactly_the_plan_of_the_findings_keys() {
    let (_t, dir) = demo(300, 1);
    let (ins, _, found) = core_findings(&dir);
    for (n, f) in found.iter().enumerate() {
        let mut a = app(&dir, Theme::mono());
        to_finding(&mut a, n);
        key(&mut a, KeyCode::Enter);
        keys(&mut a, "ap");
        assert_eq!(a.top(), Some(&Layer::Plan));
        // `cachescope plan` on exactly these ids, each with its default fix.
        let sel = Selection {
            only: Some(vec![]),
            per_kind: Default::default(),
            per_item: f
                .items
                .iter()
                .map(|&i| &ins.found[i as usize])
                .map(|d| (d.id.clone(), d.default_fix()))
                .filter(|(_, fix)| fix.is_some())
                .collect(),
        };
        let want = plan(&ins, &sel);
        let got = &a.plan.as_ref().unwrap().plan;
        assert!(!want.items.is_empty());
        assert_eq!(got.items, want.items, "finding {n}: {}", f.sentence);
        let ids: Vec<&str> = got.items.iter().map(|i| i.id.as_str()).collect();
        assert!(ids.iter().all(|id| f.items.iter().any(|&i| ins.found[i as usize].id == *id)));
    }
}

#[test]
fn choosing_a_bar_filters_to_that_buckets_items_of_one_kind_or_every_kind() {
    let (_t, dir) = demo(300, 1);
    let (ins, facts, _) = core_findings(&dir);
    // Without a frame drawn, the view keeps to the finest chart (48 buckets at most).
    let tl = timeline(&facts, 48).unwrap();
    let line = tl.kinds.iter().position(|l| l.kind == Kind::OrphanedFile).unwrap();
    let counts = &tl.kinds[line].counts;
    let burst = (0..counts.len()).max_by_key(|&b| counts[b]).unwrap();
    let mut a = app(&dir, Theme::mono());
    keys(&mut a, "i");
    key(&mut a, KeyCode::Right);
    assert_eq!(a.insight.part, Part::Chart, "← and → work the chart");
    key(&mut a, KeyCode::Left);
    for _ in 0..burst {
        key(&mut a, KeyCode::Right);
    }
    for _ in 0..=line {
        keys(&mut a, "j");
    }
    key(&mut a, KeyCode::Enter);
    let want: Vec<usize> = tl.items_in(&facts, Some(Kind::OrphanedFile), burst).iter().map(|&i| i as usize).collect();
    assert!(want.len() >= 3, "the burst's orphans are in one bar");
    assert_panes_show(&a, &ins, &want);
    assert!(a.group.as_ref().unwrap().label.starts_with("bar: orphaned files, week from "));
    // The "every kind" line: the whole bucket.
    keys(&mut a, "i");
    for _ in 0..=line {
        keys(&mut a, "k");
    }
    key(&mut a, KeyCode::Enter);
    let all: Vec<usize> = tl.items_in(&facts, None, burst).iter().map(|&i| i as usize).collect();
    assert!(all.len() > want.len());
    assert_panes_show(&a, &ins, &all);
}

#[test]
fn esc_clears_the_text_filter_first_then_the_group() {
    let (_t, dir) = demo(300, 1);
    let (ins, _, found) = core_findings(&dir);
    let mut a = app(&dir, Theme::mono());
    to_finding(&mut a, 0);
    key(&mut a, KeyCode::Enter);
    let items: Vec<usize> = found[0].items.iter().map(|&i| i as usize).collect();
    // `/` narrows within the group: one of its keys.
    let one = items[1];
    let k = ins.found[one].key.clone().unwrap();
    keys(&mut a, &format!("/{}", &k[..12]));
    key(&mut a, KeyCode::Enter);
    assert_eq!(a.panes[Pane::Disc].visible, vec![one]);
    // A text that matches all of the dump still shows only the group.
    key(&mut a, KeyCode::Esc);
    assert_panes_show(&a, &ins, &items);
    keys(&mut a, "/e");
    assert!(a.panes[Pane::Disc].visible.iter().all(|i| items.contains(i)));
    key(&mut a, KeyCode::Enter);
    key(&mut a, KeyCode::Esc);
    assert!(a.filter.text.is_empty() && a.group.is_some(), "the first Esc clears the text");
    assert_panes_show(&a, &ins, &items);
    key(&mut a, KeyCode::Esc);
    assert!(a.group.is_none(), "the second clears the group");
    assert_eq!(a.panes[Pane::Disc].visible.len(), ins.found.len());
    assert_eq!(a.panes[Pane::Disk].visible.len(), ins.scan.files.len());
    assert_eq!(a.panes[Pane::Db].visible.len(), ins.rows.len());
    // Choosing a group clears a text filter in force: the panes show exactly the group.
    keys(&mut a, "/ghost");
    key(&mut a, KeyCode::Enter);
    to_finding(&mut a, 0);
    key(&mut a, KeyCode::Enter);
    assert!(a.filter.text.is_empty());
    assert_panes_show(&a, &ins, &items);
}

#[test]
fn the_findings_are_computed_once_per_scan_off_the_ui_thread() {
    use cachescope::tui::app::Effect;
    use cachescope::tui::msg::WorkerMsg;
    let (_t, dir) = demo(300, 1);
    let mut a = app(&dir, Theme::mono());
    let first = a.update(Msg::Key(KeyEvent::new(KeyCode::Char('i'), KeyModifiers::NONE)));
    assert!(matches!(first.as_slice(), [Effect::Insight(_)]), "opening asks a worker: {first:?}");
    assert!(a.insight.data.is_none());
    // Drawing while it is on its way computes nothing; it says so.
    assert!(text(&render(&mut a, 80, 24)).contains("Looking for patterns"));
    run_inline(&mut a, first);
    assert!(a.insight.data.is_some());
    key(&mut a, KeyCode::Esc);
    let again = a.update(Msg::Key(KeyEvent::new(KeyCode::Char('i'), KeyModifiers::NONE)));
    assert!(again.is_empty(), "the data is kept until the next scan");
    // A rescan while the view is open asks again, for the new scan; an
    // answer for the old one is dropped.
    let old = a.insight.data.clone().unwrap();
    let effects = a.update(Msg::Worker(WorkerMsg::Scanned(Ok(Box::new(open(&dir))))));
    assert!(effects.iter().any(|e| matches!(e, Effect::Insight(_))));
    a.update(Msg::Worker(WorkerMsg::Insight { scan: a.insight.scan - 1, data: old }));
    assert!(a.insight.data.is_none());
    run_inline(&mut a, effects);
    assert!(a.insight.data.is_some());
}

#[test]
fn a_rescan_keeps_the_group_by_id() {
    use cachescope::tui::msg::WorkerMsg;
    let (_t, dir) = demo(300, 1);
    let (ins, _, found) = core_findings(&dir);
    let mut a = app(&dir, Theme::mono());
    to_finding(&mut a, 0);
    key(&mut a, KeyCode::Enter);
    let ids: Vec<String> = found[0].items.iter().map(|&i| ins.found[i as usize].id.clone()).collect();
    // One more orphan, sorting first: every orphan's index moves.
    let audio = dir.join("cache/audio");
    let m4a = ins.scan.files.iter().find(|f| f.path().extension().is_some_and(|e| e == "m4a")).unwrap();
    std::fs::copy(audio.join(m4a.path()), audio.join(format!("{}.m4a", "0".repeat(64)))).unwrap();
    let after = open(&dir);
    let e = a.update(Msg::Worker(WorkerMsg::Scanned(Ok(Box::new(open(&dir))))));
    run_inline(&mut a, e);
    let want: Vec<usize> = (0..after.found.len()).filter(|&i| ids.contains(&after.found[i].id)).collect();
    assert_eq!(want.len(), ids.len());
    assert_ne!(want, found[0].items.iter().map(|&i| i as usize).collect::<Vec<_>>(), "the indices moved");
    assert_panes_show(&a, &after, &want);
}

#[test]
fn a_click_chooses_a_finding_or_a_bar() {
    use ratatui::crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
    let (_t, dir) = demo(300, 1);
    let (ins, _, found) = core_findings(&dir);
    let mut a = app(&dir, Theme::mono());
    a.mouse = true;
    keys(&mut a, "i");
    render(&mut a, 160, 45);
    let (rect, n) = a.insight.list_hits[1];
    let click = |column, row| MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column,
        row,
        modifiers: KeyModifiers::NONE,
    };
    a.update(Msg::Mouse(click(rect.x + 5, rect.y)));
    let items: Vec<usize> = found[n].items.iter().map(|&i| i as usize).collect();
    assert_panes_show(&a, &ins, &items);
    keys(&mut a, "i");
    render(&mut a, 160, 45);
    let g = a.insight.geom;
    a.update(Msg::Mouse(click(g.cells.x, g.cells.y)));
    assert!(a.group.as_ref().unwrap().label.starts_with("bar: every kind, week from "));
}

#[test]
fn y_in_the_insight_view_copies_the_findings_as_sentences() {
    use cachescope::tui::app::Effect;
    let (_t, dir) = demo(300, 1);
    let (_, _, found) = core_findings(&dir);
    let mut a = app(&dir, Theme::mono());
    keys(&mut a, "i");
    assert_eq!(a.top(), Some(&Layer::Insight));
    let effects = a.update(Msg::Key(KeyEvent::new(KeyCode::Char('y'), KeyModifiers::NONE)));
    let Some(Effect::Clipboard(text)) = effects.into_iter().next() else { panic!("y gave no clipboard text") };
    let want: String = found.iter().map(|f| format!("{}\n", f.sentence)).collect();
    assert_eq!(text, want);
    assert!(a.status.contains(&format!("copied {} findings", found.len())), "{}", a.status);
    assert_eq!(a.top(), Some(&Layer::Insight), "copying leaves the view open");
}
