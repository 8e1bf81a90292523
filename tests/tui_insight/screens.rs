//! The view on screen: snapshots at 80×24 and 160×45, time axes, footer and help.

use super::*;

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
    let mut a = app(&dir, Theme::dark());
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
