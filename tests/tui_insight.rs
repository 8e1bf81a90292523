//! The insight view (`i`) and the group filters it sets: choosing a finding
//! or a bar filters the panes to exactly its discrepancies, `a` then `p`
//! previews exactly their plan; `--baseline` marks new ones. Driven through
//! `update()` and rendered into `TestBackend` (insta snapshots at 80×24 and
//! 160×45) on demo dumps, whose planted causes give findings.

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

fn open(dir: &Path) -> Inspection {
    let dump = Dump::locate(&Locate { path: Some(dir.to_path_buf()), ..Default::default() }).unwrap();
    Inspection::open(&dump, &Control::none()).unwrap()
}

fn demo(keys: u64, seed: u64) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("dump");
    write_demo(&dir, keys, seed).unwrap();
    (tmp, dir)
}

fn app(dir: &Path, theme: Theme) -> App {
    App::with_inspection(open(dir), "DUMP".into(), theme)
}

fn key(app: &mut App, code: KeyCode) {
    let e = app.update(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    run_inline(app, e);
}

fn keys(app: &mut App, s: &str) {
    for c in s.chars() {
        key(app, KeyCode::Char(c));
    }
}

fn render(app: &mut App, w: u16, h: u16) -> Buffer {
    let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
    term.draw(|f| ui::draw(f, app)).unwrap();
    term.backend().buffer().clone()
}

fn text(buf: &Buffer) -> String {
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
fn styled(buf: &Buffer) -> String {
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
fn core_findings(
    dir: &Path,
) -> (Inspection, cachescope::core::findings::Facts, Vec<cachescope::core::findings::Finding>) {
    let ins = open(dir);
    let facts = facts_of(&ins);
    let found = findings(&facts);
    (ins, facts, found)
}

/// What the Disk and DB panes must show for these discrepancies: their
/// files, and their rows (or their keys' rows), each once, ascending.
fn files_and_rows(ins: &Inspection, discs: &[usize]) -> (Vec<usize>, Vec<usize>) {
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

fn assert_panes_show(app: &App, ins: &Inspection, discs: &[usize]) {
    let (files, rows) = files_and_rows(ins, discs);
    assert_eq!(app.panes[Pane::Disc].visible, discs, "Discrepancies: exactly the group");
    assert_eq!(app.panes[Pane::Disk].visible, files, "Disk: the group's files");
    assert_eq!(app.panes[Pane::Db].visible, rows, "DB: the group's rows");
}

/// Opens the view and puts the cursor on finding `n`.
fn to_finding(app: &mut App, n: usize) {
    keys(app, "ig");
    for _ in 0..n {
        keys(app, "j");
    }
}

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
    let m4a = ins.scan.files.iter().find(|f| f.path.extension().is_some_and(|e| e == "m4a")).unwrap();
    std::fs::copy(audio.join(&m4a.path), audio.join(format!("{}.m4a", "0".repeat(64)))).unwrap();
    let after = open(&dir);
    let e = a.update(Msg::Worker(WorkerMsg::Scanned(Ok(Box::new(open(&dir))))));
    run_inline(&mut a, e);
    let want: Vec<usize> = (0..after.found.len()).filter(|&i| ids.contains(&after.found[i].id)).collect();
    assert_eq!(want.len(), ids.len());
    assert_ne!(want, found[0].items.iter().map(|&i| i as usize).collect::<Vec<_>>(), "the indices moved");
    assert_panes_show(&a, &after, &want);
}

/// A dump, its saved JSON report as the baseline, then one more orphan.
fn dump_with_one_new_orphan() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let (t, dir) = demo(300, 1);
    let ins = open(&dir);
    let report = t.path().join("before.json");
    let mut out = Vec::new();
    cachescope::core::report::write_json_with(&ins, Default::default(), &mut out).unwrap();
    std::fs::write(&report, out).unwrap();
    let audio = dir.join("cache/audio");
    let m4a = std::fs::read_dir(&audio)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "m4a"))
        .unwrap();
    std::fs::copy(m4a, audio.join(format!("{}.m4a", "ab".repeat(32)))).unwrap();
    (t, dir, report)
}

#[test]
fn baseline_marks_new_discrepancies_and_plus_shows_only_them() {
    let (_t, dir, report) = dump_with_one_new_orphan();
    let ins = open(&dir);
    let new = ins.found.iter().position(|d| d.key.as_deref() == Some("ab".repeat(32).as_str())).unwrap();
    let mut a = app(&dir, Theme::mono());
    a.set_baseline(Some(Baseline::read(&report).unwrap()));
    assert_eq!(a.is_new(new), Some(true));
    assert_eq!((0..ins.found.len()).filter(|&i| a.is_new(i) == Some(true)).count(), 1);
    let screen = text(&render(&mut a, 80, 24));
    assert!(screen.contains(&format!("1 new, {} known (baseline", ins.found.len() - 1)), "{screen}");
    keys(&mut a, "+");
    assert_panes_show(&a, &ins, &[new]);
    let screen = text(&render(&mut a, 80, 24));
    assert!(screen.contains("new only: 1 not in the baseline"), "{screen}");
    assert!(screen.contains("▶[ ]+✗ orphaned"), "the new one is marked +:\n{screen}");
    // Its detail says so too.
    key(&mut a, KeyCode::Enter);
    assert!(text(&render(&mut a, 80, 24)).contains("+ new since the baseline"));
    key(&mut a, KeyCode::Esc);
    // `+` again shows everything; known ones carry no mark.
    keys(&mut a, "+");
    assert!(a.group.is_none());
    assert_eq!(a.panes[Pane::Disc].visible.len(), ins.found.len());
    let screen = text(&render(&mut a, 80, 24));
    assert!(screen.contains("[ ] ✗ orphaned"), "{screen}");
    // Without a baseline, `+` says how to get one.
    let mut plain = app(&dir, Theme::mono());
    keys(&mut plain, "+");
    assert!(plain.group.is_none() && plain.status.contains("--baseline"));
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
fn a_bad_baseline_is_one_sentence_and_exit_2_before_the_tui_starts() {
    let (t, dir) = demo(20, 1);
    let bad = t.path().join("notes.json");
    std::fs::write(&bad, "{}").unwrap();
    for args in [vec!["inspect", dir.to_str().unwrap()], vec![dir.to_str().unwrap()]] {
        for baseline in [bad.clone(), t.path().join("missing.json")] {
            let out = std::process::Command::new(env!("CARGO_BIN_EXE_cachescope"))
                .args(&args)
                .arg("--baseline")
                .arg(&baseline)
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(2));
            let err = String::from_utf8(out.stderr).unwrap();
            assert_eq!(err.trim_end().lines().count(), 1, "{err}");
            assert!(err.contains(baseline.to_str().unwrap()), "{err}");
        }
    }
}

#[test]
fn help_and_footer_name_the_insight_keys_from_the_key_table() {
    let (_t, dir) = demo(300, 1);
    let mut a = app(&dir, Theme::mono());
    let main = text(&render(&mut a, 160, 45));
    assert!(main.contains("i insight"), "{main}");
    keys(&mut a, "i");
    let view = text(&render(&mut a, 80, 24));
    assert!(view.contains("↑/↓ finding") && view.contains("←/→ bar") && view.contains("Enter filter"), "{view}");
    keys(&mut a, "?");
    let help = text(&render(&mut a, 160, 45));
    assert!(help.contains("In the insight view (i)") && help.contains("why it drifted"), "{help}");
}

#[test]
fn insight_view_screens() {
    let (_t, dir) = demo(300, 1);
    for (w, h) in [(80u16, 24u16), (160, 45)] {
        let mut a = app(&dir, Theme::mono());
        keys(&mut a, "i");
        insta::assert_snapshot!(format!("insight_{w}x{h}"), text(&render(&mut a, w, h)));
        // The chart's cursor, shown by style (reverse video) in NO_COLOR.
        keys(&mut a, "lljj");
        let buf = render(&mut a, w, h);
        assert!(buf.content.iter().all(|c| c.fg == ratatui::style::Color::Reset));
        insta::assert_snapshot!(format!("insight_chart_{w}x{h}"), styled(&buf));
        // The panes filtered to the first finding (the burst's orphans).
        key(&mut a, KeyCode::Tab);
        key(&mut a, KeyCode::Enter);
        assert!(a.group.as_ref().unwrap().label.starts_with("finding: "));
        insta::assert_snapshot!(format!("insight_filtered_{w}x{h}"), text(&render(&mut a, w, h)));
    }
    // Small and odd sizes do not panic.
    let mut a = app(&dir, Theme { color: true });
    keys(&mut a, "i");
    for (w, h) in [(60, 18), (61, 19), (119, 30), (120, 30), (300, 100), (50, 12)] {
        render(&mut a, w, h);
    }
}

/// Prints the view at 100×30 for the README (`cargo test --test
/// tui_insight readme_screen -- --ignored --nocapture`).
#[test]
#[ignore]
fn readme_screen() {
    let (_t, dir) = demo(300, 1);
    let mut a = app(&dir, Theme::mono());
    keys(&mut a, "i");
    println!("{}", text(&render(&mut a, 100, 30)));
}

#[test]
fn a_day_long_dump_reads_in_hours_and_a_month_in_days() {
    use cachescope::core::findings::Facts;
    use cachescope::tui::insight::InsightData;
    use std::sync::Arc;
    const HOUR: i64 = 3_600_000;
    let day = 1_770_940_800_000; // 2026-02-13 00:00 UTC
    let (_t, dir) = demo(40, 3);
    for (span, step, labels) in
        [(24 * HOUR, "hour", ["02-13 03:00 06:00", "21:00"]), (30 * 24 * HOUR, "day", ["02-13 02-19", "03-09"])]
    {
        let mut facts = Facts::default();
        for i in 0..40 {
            let row = facts.row(Some(day + span * i / 40), Some("v"), None, Some("m4a"));
            facts.item(Kind::GhostEntry, Some(row), None);
        }
        // Files written all along, and a burst of orphans near the end.
        for i in 0..100 {
            facts.file(Some(day + span * i / 100), Some("m4a"), None);
        }
        for i in 0..8 {
            let file = facts.file(Some(day + span * 9 / 10 + i * 1000), Some("m4a"), None);
            facts.item(Kind::OrphanedFile, None, Some(file));
        }
        let mut a = app(&dir, Theme::mono());
        keys(&mut a, "i");
        a.insight.data = Some(Arc::new(InsightData::from_facts(facts)));
        let screen = text(&render(&mut a, 80, 24));
        assert!(screen.contains(&format!("discrepancies per {step} (UTC)")), "{screen}");
        for l in labels {
            assert!(screen.contains(l), "{l}:\n{screen}");
        }
        assert!(screen.contains("of 8 orphaned files were written between"), "{screen}");
    }
}
