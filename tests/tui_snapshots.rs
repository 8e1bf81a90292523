//! Rendered screens at 80×24 and 160×45 into `TestBackend`, snapshotted with
//! insta. The dump root is shown as `DUMP` (temp paths vary); the demo dump's
//! mtimes are derived from its seed, so the screens are stable.

mod tui_kit;

use cachescope::core::{Control, Dump, Inspection, Kind, Locate};
use cachescope::tui::app::App;
use cachescope::tui::theme::Theme;
use tui_kit::*;

fn to_kind(app: &mut App, kind: Kind) {
    keys(app, "3g");
    while app.ins.as_ref().unwrap().found[app.focused_disc().unwrap()].kind != kind {
        keys(app, "j");
    }
}

#[test]
fn screens() {
    let (_t, dir) = demo_dir(40, 3);
    for (w, h) in [(80u16, 24u16), (160, 45), (220, 50)] {
        let mut a = app(&dir, Theme::dark());
        insta::assert_snapshot!(format!("main_{w}x{h}"), text(&render(&mut a, w, h)));

        to_kind(&mut a, Kind::GhostEntry);
        keys(&mut a, "f\n");
        insta::assert_snapshot!(format!("detail_{w}x{h}"), text(&render(&mut a, w, h)));
        keys(&mut a, "\x1b");

        keys(&mut a, "ap");
        insta::assert_snapshot!(format!("plan_{w}x{h}"), text(&render(&mut a, w, h)));
        keys(&mut a, "\n");
        insta::assert_snapshot!(format!("confirm_{w}x{h}"), text(&render(&mut a, w, h)));
        keys(&mut a, "n\x1b");

        keys(&mut a, "?");
        insta::assert_snapshot!(format!("help_{w}x{h}"), text(&render(&mut a, w, h)));
        keys(&mut a, "x");

        keys(&mut a, "/incomplete\n");
        insta::assert_snapshot!(format!("filter_{w}x{h}"), text(&render(&mut a, w, h)));
    }
}

#[test]
fn too_small_names_the_size_it_needs_and_recovers() {
    let (_t, dir) = demo_dir(40, 3);
    let mut a = app(&dir, Theme::mono());
    let small = text(&render(&mut a, 50, 12));
    assert!(small.contains("needs 60×18"), "{small}");
    insta::assert_snapshot!("too_small_50x12", small);
    let back = text(&render(&mut a, 80, 24));
    assert!(back.contains("Discrepancies"));
    // Tiny sizes do not panic either.
    for (w, h) in [(1, 1), (10, 3), (59, 18), (60, 17), (60, 18), (300, 100)] {
        render(&mut a, w, h);
    }
}

#[test]
fn no_color_shows_focus_and_selection_by_style() {
    let (_t, dir) = demo_dir(40, 3);
    let mut a = app(&dir, Theme::mono());
    keys(&mut a, "j ");
    let buf = render(&mut a, 80, 24);
    assert!(buf.content.iter().all(|c| c.fg == ratatui::style::Color::Reset && c.bg == ratatui::style::Color::Reset));
    insta::assert_snapshot!("no_color_80x24", styled(&buf));
}

#[test]
fn header_shows_alerts_and_the_interrupted_apply_banner() {
    let (_t, dir) = demo_dir(40, 3);
    let mut a = app(&dir, Theme::mono());
    let plain = text(&render(&mut a, 80, 24));
    assert!(plain.contains("[READ-ONLY]") && !plain.contains("ALERT"), "{plain}");
    let dump = Dump::locate(&Locate { path: Some(dir.clone()), ..Default::default() }).unwrap();
    let mut ins = Inspection::open(&dump, &Control::none()).unwrap();
    ins.interrupted = Some("An apply (batch 3) was interrupted.".into());
    let mut a = App::with_inspection(ins, "DUMP".into(), Theme::mono());
    for c in a.counts.iter_mut() {
        if c.0 == Kind::GhostEntry {
            c.1 = 7;
        }
    }
    let screen = text(&render(&mut a, 80, 24));
    assert!(screen.contains("INTERRUPTED APPLY: An apply (batch 3) was interrupted."), "{screen}");
    assert!(screen.contains("ALERT ghost entries: 7 (over 5)"), "{screen}");
    insta::assert_snapshot!("banner_and_alert_80x24", screen);
}
