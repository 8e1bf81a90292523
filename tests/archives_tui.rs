//! The inspector on an archive (SPEC §7): the header names the archive, not
//! its private unpacked copy, and says what an adb backup leaves out; the
//! view is read-only — apply, undo and recover are refused with the command
//! that unpacks it — and nothing is written beside the archive.

mod archive_kit;
mod common;

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use archive_kit::*;
use common::*;
use portable_pty::{CommandBuilder, PtySize, native_pty_system};

/// Polls the emulated screen until `want` shows up.
fn wait_for(parser: &Mutex<vt100::Parser>, want: &str) -> String {
    let start = Instant::now();
    loop {
        let text = parser.lock().unwrap().screen().contents();
        if text.contains(want) {
            return text;
        }
        assert!(start.elapsed() < Duration::from_secs(20), "timed out waiting for {want:?}; screen:\n{text}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

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

    let (rows, cols) = (34, 120);
    let pty = native_pty_system().openpty(PtySize { rows, cols, pixel_width: 0, pixel_height: 0 }).unwrap();
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_cachescope"));
    cmd.arg(&archive);
    cmd.env("TERM", "xterm-256color");
    let mut child = pty.slave.spawn_command(cmd).unwrap();
    drop(pty.slave);
    let mut reader = pty.master.try_clone_reader().unwrap();
    let mut writer = pty.master.take_writer().unwrap();
    let parser = Arc::new(Mutex::new(vt100::Parser::new(rows.try_into().unwrap(), cols.try_into().unwrap(), 0)));
    let p = parser.clone();
    std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            p.lock().unwrap().process(&buf[..n]);
        }
    });
    let mut press = |s: &[u8]| {
        writer.write_all(s).unwrap();
        writer.flush().unwrap();
    };

    let screen = wait_for(&parser, "Discrepancies (");
    assert!(screen.contains("device.ab"), "the header names the archive:\n{screen}");
    assert!(!screen.contains("cachescope-archive-"), "not its private copy:\n{screen}");
    wait_for(&parser, "adb backup never includes cache/");
    press(b"3");
    press(b"a");
    wait_for(&parser, "[x]");
    press(b"p");
    wait_for(&parser, "Plan preview");
    press(b"\r");
    let screen = wait_for(&parser, "read-only archive: to apply");
    assert!(screen.contains("cachescope extract"), "{screen}");
    assert!(!screen.contains("Apply?"), "no confirmation is offered:\n{screen}");
    press(b"\x1b");
    wait_for(&parser, "Space select");
    press(b"u");
    let screen = wait_for(&parser, "read-only archive: to undo");
    assert!(!screen.contains("Undo the last batch?"), "{screen}");
    press(b"q");
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        assert!(start.elapsed() < Duration::from_secs(10), "the TUI did not quit");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(tree(&store), before, "nothing was written beside the archive");
}
