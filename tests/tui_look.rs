//! How the screens made for calls look, at 80×24 and 160×45, snapshotted
//! with insta: the searchable help, the command palette, the readable plan
//! and each theme (styled: colours and modifiers per cell). Every theme must
//! show focus and selection without colour.

mod tui_kit;

use cachescope::core::Kind;
use cachescope::tui::app::App;
use cachescope::tui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};
use tui_kit::*;

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 45)];

fn colour(c: Color) -> char {
    match c {
        Color::Reset => '.',
        Color::Cyan => 'c',
        Color::DarkGray => 'd',
        Color::Green => 'g',
        Color::Red => 'r',
        Color::Yellow => 'y',
        Color::Blue => 'b',
        Color::Magenta => 'm',
        Color::White => 'w',
        Color::Black => 'k',
        Color::LightCyan => 'C',
        Color::LightGreen => 'G',
        Color::LightRed => 'R',
        Color::LightYellow => 'Y',
        Color::LightBlue => 'B',
        Color::LightMagenta => 'M',
        Color::Indexed(25) => '1',
        Color::Indexed(28) => '2',
        Color::Indexed(90) => '3',
        Color::Indexed(130) => '4',
        Color::Indexed(160) => '5',
        Color::Indexed(242) => '6',
        _ => '?',
    }
}

/// The text, then the foreground colour of each cell (`.` the terminal's),
/// then its modifiers (`R` reversed, `B` bold, `U` underlined).
fn styled(buf: &Buffer) -> String {
    let mut out = text(buf);
    out.push_str("--- colours (. default, c cyan, d dark grey, g green, r red, y yellow, b blue, upper case light; 1-6 indexed) ---\n");
    for y in 0..buf.area.height {
        let line: String = (0..buf.area.width).map(|x| colour(buf[(x, y)].fg)).collect();
        out.push_str(line.trim_end_matches('.'));
        out.push('\n');
    }
    out.push_str("--- modifiers (R reversed, B bold, U underlined) ---\n");
    out.push_str(&modifiers(buf));
    out
}

#[test]
fn the_help_filtered_and_the_palette() {
    let (_t, dir) = demo_dir(40, 3);
    for (w, h) in SIZES {
        let mut a = App::with_inspection(open(&dir), "DUMP".into(), Theme::dark());
        keys(&mut a, "?sort");
        let screen = text(&render(&mut a, w, h));
        assert!(screen.contains("Search: sort") && screen.contains("sort the pane by its next column"), "{screen}");
        assert!(!screen.contains("undo the last batch"), "narrowed: {screen}");
        insta::assert_snapshot!(format!("help_sort_{w}x{h}"), screen);
        keys(&mut a, "\x1b?");
        let screen = text(&render(&mut a, w, h));
        // The confirmation's keys keep a space after the label.
        if h > 30 {
            assert!(screen.contains("n/Enter  no: do not apply (default)"), "{screen}");
        }
        keys(&mut a, "\x1b:");
        insta::assert_snapshot!(format!("palette_{w}x{h}"), text(&render(&mut a, w, h)));
        keys(&mut a, "plan");
        let screen = text(&render(&mut a, w, h));
        assert!(screen.contains("▶plan preview (dry run)"), "{screen}");
        insta::assert_snapshot!(format!("palette_plan_{w}x{h}"), screen);
    }
}

#[test]
fn the_readable_plan_in_the_preview_and_its_sql() {
    let (_t, dir) = demo_dir(40, 3);
    for (w, h) in SIZES {
        let mut a = App::with_inspection(open(&dir), "DUMP".into(), Theme::dark());
        keys(&mut a, "ap");
        let screen = text(&render(&mut a, w, h));
        assert!(screen.contains("register ×3 (orphaned_file ×3)") && !screen.contains("INSERT INTO"), "{screen}");
        insta::assert_snapshot!(format!("plan_readable_{w}x{h}"), screen);
        keys(&mut a, "s");
        let screen = text(&render(&mut a, w, h));
        assert!(
            screen.contains("the exact SQL; s: readable") && screen.contains("-- in one transaction on"),
            "{screen}"
        );
    }
}

#[test]
fn every_theme_shows_focus_and_selection_without_colour() {
    let (_t, dir) = demo_dir(40, 3);
    for (name, theme) in [
        ("dark", Theme::dark()),
        ("light", Theme::light()),
        ("high_contrast", Theme::high_contrast()),
        ("mono", Theme::mono()),
    ] {
        for (w, h) in SIZES {
            let mut a = App::with_inspection(open(&dir), "DUMP".into(), theme);
            keys(&mut a, "j ");
            let buf = render(&mut a, w, h);
            let screen = text(&buf);
            // Focus: the double border and the markers around the title.
            assert!(screen.contains("╔ ▶3 Discrepancies"), "{name}: {screen}");
            // The cursor row is reversed, the selected item says [x].
            let cells = (0..h).flat_map(|y| (0..w - 1).map(move |x| (x, y)));
            let (x, y) =
                cells.clone().find(|&(x, y)| buf[(x, y)].symbol() == "▶" && buf[(x + 1, y)].symbol() == "[").unwrap();
            assert!(buf[(x + 2, y)].modifier.contains(Modifier::REVERSED), "{name}: cursor row reversed");
            assert!(screen.contains("▶[x]"), "{name}: {screen}");
            if name == "mono" {
                assert!(buf.content.iter().all(|c| c.fg == Color::Reset && c.bg == Color::Reset));
            }
            insta::assert_snapshot!(format!("theme_{name}_{w}x{h}"), styled(&buf));
        }
    }
}

#[test]
fn small_things_a_screen_share_shows() {
    let (_t, dir) = demo_dir(40, 3);
    let mut a = App::with_inspection(open(&dir), "DUMP".into(), Theme::mono());
    // Every cache file keeps its encoding in view, even when its key is cut.
    let screen = text(&render(&mut a, 80, 24));
    let disk: Vec<&str> = screen.lines().filter(|l| l.starts_with('│') && l.contains(" B ")).collect();
    assert!(!disk.is_empty());
    for l in disk {
        let name = l.split('│').nth(1).unwrap().trim_end();
        assert!(name.ends_with(".m4a") || name.ends_with(".wav") || name.ends_with(".m4a.tmp"), "{l}");
    }
    // A kind with nothing found is done, not an error.
    for c in a.counts.iter_mut() {
        if c.0 == Kind::GhostEntry {
            c.1 = 0;
        }
    }
    let screen = text(&render(&mut a, 160, 45));
    assert!(screen.contains("✓ 0 ghost") && !screen.contains("✗ 0"), "{screen}");
    // The interrupted-apply banner wraps at 120 columns; nothing is cut.
    let mut ins = open(&dir);
    let why = format!(
        "an interrupted apply (batch 3, 9 file moves journaled) was found in {}; run `cachescope recover {}` to finish or roll it back",
        "/home/someone/dumps/pixel-7-pro/2026-02-13", "/home/someone/dumps/pixel-7-pro/2026-02-13"
    );
    ins.interrupted = Some(why.clone());
    let mut a = App::with_inspection(ins, "DUMP".into(), Theme::mono());
    let screen = text(&render(&mut a, 120, 34));
    let joined = screen.lines().skip(3).take(3).map(str::trim).collect::<Vec<_>>().join(" ");
    assert!(joined.contains(&why) && joined.contains("press R here"), "{screen}");
}

/// The header's per-kind counts keep their words at every width: roomy at
/// 160 columns, shorter words at 80, and a second line at the narrowest
/// screen (60), never a count cut from its word.
#[test]
fn every_kind_count_keeps_its_word_at_every_width() {
    let (_tmp, dir) = demo_dir(60, 3);
    let mut app = app(&dir, Theme::mono());
    let counts = app.counts.clone();
    assert_eq!(counts.len(), 8, "every kind counted");
    for (w, words) in [
        (160, ["orphaned", "duration", "redundant", "incomplete"]),
        (80, ["orphan", "dur", "redund", "incompl"]),
        (60, ["orphan", "dur", "redund", "incompl"]),
    ] {
        let screen = text(&render(&mut app, w, 24));
        let header: String =
            screen.lines().skip(2).take_while(|l| !l.contains('┌') && !l.contains('╔')).collect::<Vec<_>>().join("\n");
        for (kind, n) in &counts {
            let word = match kind {
                Kind::OrphanedFile => words[0],
                Kind::DurationMismatch => words[1],
                Kind::RedundantFile => words[2],
                Kind::IncompleteFile => words[3],
                Kind::GhostEntry => "ghost",
                Kind::CompressionStateMismatch => "state",
                Kind::SizeMismatch => "size",
                Kind::StrayFile => "stray",
            };
            assert!(header.contains(&format!("{n} {word}")), "{w} columns: {kind:?} {n} {word}:\n{header}");
        }
        let lines = header.lines().count();
        assert_eq!(lines, if w == 60 { 2 } else { 1 }, "{w} columns:\n{header}");
    }
}
