//! The inspector on an archive (SPEC §7): the header names the archive, not
//! its private unpacked copy, and says what an adb backup leaves out; the
//! view is read-only — apply, undo and recover are refused with the command
//! that unpacks it — and nothing is written beside the archive.

mod archive_kit;
mod common;
mod pty_kit;

use archive_kit::*;
use common::*;
use pty_kit::{Start, Tui};

#[test]
fn an_adb_backup_in_the_tui_names_the_archive_says_cache_is_missing_and_refuses_to_write() {
    let work = tempfile::tempdir().unwrap();
    let dump = work.path().join("dump");
    demo(&dump, 20);
    // An app folder as `adb backup` stores it: apps/PKG/{_manifest,db}.
    let app = work.path().join("ab/apps/com.example.books");
    std::fs::create_dir_all(app.join("db")).unwrap();
    std::fs::write(app.join("_manifest"), b"1\ncom.example.books\n42\n").unwrap();
    std::fs::copy(dump.join("databases/app.db"), app.join("db/app.db")).unwrap();
    let store = work.path().join("store");
    std::fs::create_dir(&store).unwrap();
    let archive = store.join("device.ab");
    write_ab(&tar_bytes(&work.path().join("ab")), &archive, true);
    let before = tree(&store);

    let mut tui = Tui::start(&[archive.as_os_str()], Start { rows: 34, cols: 120, ..Start::default() });
    let screen = tui.wait_for("Discrepancies (");
    assert!(screen.contains("device.ab"), "the header names the archive:\n{screen}");
    assert!(!screen.contains("cachescope-archive-"), "not its private copy:\n{screen}");
    tui.wait_for("adb backup never includes cache/");
    tui.press(b"3");
    tui.press(b"a");
    tui.wait_for("[x]");
    tui.press(b"p");
    tui.wait_for("Plan preview");
    tui.press(b"\r");
    let screen = tui.wait_for("read-only archive: to apply");
    assert!(screen.contains("cachescope extract"), "{screen}");
    assert!(!screen.contains("Apply?"), "no confirmation is offered:\n{screen}");
    tui.press(b"\x1b");
    tui.wait_for("Space select");
    tui.press(b"u");
    let screen = tui.wait_for("read-only archive: to undo");
    assert!(!screen.contains("Undo the last batch?"), "{screen}");
    tui.quit();
    assert_eq!(tree(&store), before, "nothing was written beside the archive");
}
