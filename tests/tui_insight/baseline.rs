//! `--baseline` in the TUI: new ones marked `+`, the `+` key shows only them; a bad file stops the start.

use super::*;

/// A dump, its saved JSON report as the baseline, then one more orphan.
pub fn dump_with_one_new_orphan() -> (tempfile::TempDir, PathBuf, PathBuf) {
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
