//! End to end: the real binary in a pseudo-terminal on a generated dump.
//! Waits for frames (polling the emulated screen), selects all, previews the
//! plan, applies, quits; then checks the dump with the core and that the
//! terminal was given back.

mod pty_kit;

use std::io::Read;
use std::time::{Duration, Instant};

use cachescope::core::demo::write_demo;
use cachescope::core::{Control, Dump, Inspection, Locate};
use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use pty_kit::{Start, Tui};

/// A demo dump of `keys` keys (seed `seed`) in a temp dir: the dir (kept
/// alive by the caller), the dump's folder and the dump as the core finds it.
fn demo(keys: u64, seed: u64) -> (tempfile::TempDir, std::path::PathBuf, Dump) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("dump");
    write_demo(&dir, keys, seed).unwrap();
    let dump = Dump::locate(&Locate { path: Some(dir.clone()), ..Default::default() }).unwrap();
    (tmp, dir, dump)
}

#[test]
fn select_all_plan_apply_quit_in_a_pty() {
    let (_tmp, dir, dump) = demo(60, 11);
    assert!(Inspection::open(&dump, &Control::none()).unwrap().has_problems());

    let mut tui = Tui::start(&[dir.as_os_str()], Start::default());
    tui.wait_for("Discrepancies (");
    tui.wait_for("[READ-ONLY]");
    // Too small, then back: a message naming the size, then the panes again.
    tui.resize(12, 50);
    tui.wait_for("needs 60×18");
    tui.resize(30, 100);
    tui.wait_for("Discrepancies (");
    // The maintainers' keys: help, Discrepancies, select all, plan, apply.
    tui.press(b"?");
    tui.wait_for("Help");
    // The help is searchable: typing narrows it, Esc closes it.
    tui.press(b"undo");
    tui.wait_for("Search: undo");
    tui.press(b"\x1b");
    tui.wait_for("Space select");
    tui.press(b"3");
    tui.wait_for("▶3 Discrepancies");
    tui.press(b"a");
    tui.wait_for("[x]");
    tui.press(b"p");
    tui.wait_for("Plan preview");
    tui.press(b"\r");
    tui.wait_for("Apply?");
    tui.press(b"y");
    tui.wait_for("Applied batch");
    tui.press(b"q");
    let status = tui.wait_exit();
    assert!(status.success(), "exit status {status:?}");
    // Let the reader drain the last bytes.
    std::thread::sleep(Duration::from_millis(200));

    let raw = tui.raw.lock().unwrap().clone();
    let find = |needle: &[u8]| raw.windows(needle.len()).rposition(|w| w == needle);
    let entered = find(b"\x1b[?1049h").expect("entered the alternate screen");
    let left = find(b"\x1b[?1049l").expect("left the alternate screen");
    assert!(left > entered);
    assert!(find(b"\x1b[?25h").is_some_and(|shown| shown > entered), "cursor shown again");
    let parser = tui.parser.lock().unwrap();
    assert!(!parser.screen().alternate_screen());
    assert!(!parser.screen().hide_cursor());
    drop(parser);

    let after = Inspection::open(&dump, &Control::none()).unwrap();
    assert!(!after.has_problems(), "left: {:?}", after.found.iter().map(|d| &d.id).collect::<Vec<_>>());
}

/// Whether the pseudo-terminal is back in cooked mode (canonical input, echo).
fn cooked(master: &dyn portable_pty::MasterPty) -> bool {
    let Some(fd) = master.as_raw_fd() else { return true };
    // SAFETY: a zeroed termios is a valid value for tcgetattr to fill in.
    let mut t: libc::termios = unsafe { std::mem::zeroed() };
    // SAFETY: a valid descriptor and a live termios.
    assert_eq!(unsafe { libc::tcgetattr(fd, &mut t) }, 0);
    t.c_lflag & libc::ICANON != 0 && t.c_lflag & libc::ECHO != 0
}

#[test]
fn a_signal_to_the_tui_gives_the_terminal_back() {
    for sig in [libc::SIGTERM, libc::SIGHUP, libc::SIGINT] {
        let (_tmp, dir, _) = demo(40, 3);
        let mut tui = Tui::start(&[dir.as_os_str()], Start::default());
        tui.wait_for("Discrepancies (");
        assert!(!cooked(&*tui.master), "the TUI runs in raw mode");
        let pid = tui.child.process_id().unwrap() as libc::pid_t;
        // SAFETY: sending a signal to our own child.
        assert_eq!(unsafe { libc::kill(pid, sig) }, 0);
        tui.wait_exit();
        std::thread::sleep(Duration::from_millis(200));
        let raw = tui.raw.lock().unwrap().clone();
        let find = |needle: &[u8]| raw.windows(needle.len()).rposition(|w| w == needle);
        let entered = find(b"\x1b[?1049h").expect("entered the alternate screen");
        assert!(find(b"\x1b[?1049l").is_some_and(|left| left > entered), "signal {sig}: alternate screen left");
        assert!(find(b"\x1b[?25h").is_some_and(|shown| shown > entered), "signal {sig}: cursor shown");
        assert!(find(b"\x1b[?1000l").is_some_and(|off| off > entered), "signal {sig}: mouse reporting off");
        assert!(cooked(&*tui.master), "signal {sig}: raw mode left behind");
    }
}

#[test]
fn a_terminal_that_goes_away_ends_the_tui() {
    let (_tmp, dir, _) = demo(30, 5);
    let pty = native_pty_system()
        .openpty(PtySize { rows: 30, cols: 100, pixel_width: 0, pixel_height: 0 })
        .expect("a pseudo-terminal");
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_cachescope"));
    cmd.arg(&dir);
    cmd.env("TERM", "xterm-256color");
    let mut child = pty.slave.spawn_command(cmd).unwrap();
    drop(pty.slave);
    // Read on this thread (polling the master), so that every handle on the
    // master can be closed below: then the terminal is really gone.
    let fd = pty.master.as_raw_fd().unwrap();
    let mut reader = pty.master.try_clone_reader().unwrap();
    let mut seen = Vec::new();
    let start = Instant::now();
    while !String::from_utf8_lossy(&seen).contains("Discrepancies") {
        assert!(start.elapsed() < Duration::from_secs(20), "no first frame");
        let mut p = libc::pollfd { fd, events: libc::POLLIN, revents: 0 };
        // SAFETY: one valid pollfd.
        if unsafe { libc::poll(&mut p, 1, 100) } > 0 {
            let mut buf = [0u8; 8192];
            let n = reader.read(&mut buf).unwrap_or(0);
            seen.extend_from_slice(&buf[..n]);
        }
    }
    // The window closes.
    drop(reader);
    drop(pty.master);
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(10) {
            let _ = child.kill();
            panic!("the TUI kept running after its terminal went away");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The app adds a file while the TUI is open: the TUI sees it and rescans
/// on its own (no `r`), and the new orphan is counted in the header.
#[test]
fn a_file_the_app_adds_while_the_tui_is_open_is_picked_up() {
    let (_tmp, dir, dump) = demo(30, 7);
    let orphans = |ins: &Inspection| ins.found.iter().filter(|d| d.kind.as_str() == "orphaned_file").count();
    let before = orphans(&Inspection::open(&dump, &Control::none()).unwrap());
    let mut tui = Tui::start(&[dir.as_os_str()], Start::default());
    // The header counts them as "✗3 orphaned" (or "✗ 3 orphaned" when wide).
    let shows = |screen: &str, n: usize| {
        screen.contains(&format!("✗{n} orphaned")) || screen.contains(&format!("✗ {n} orphaned"))
    };
    let start = Instant::now();
    while !shows(&tui.text(), before) {
        assert!(start.elapsed() < Duration::from_secs(20), "no scan shown:\n{}", tui.text());
        std::thread::sleep(Duration::from_millis(50));
    }
    let some_m4a = walkdir::WalkDir::new(&dump.cache_dir)
        .into_iter()
        .flatten()
        .find(|e| e.path().extension().is_some_and(|x| x == "m4a"))
        .expect("the demo has m4a files");
    let added = dump.cache_dir.join(format!("{}.m4a", "ab".repeat(32)));
    // The watch is set up after the first frame: the app writes the file
    // again every two seconds (each write a change) until the TUI shows it.
    let start = Instant::now();
    loop {
        std::fs::copy(some_m4a.path(), &added).unwrap();
        let until = Instant::now() + Duration::from_secs(2);
        while Instant::now() < until && !shows(&tui.text(), before + 1) {
            std::thread::sleep(Duration::from_millis(50));
        }
        if shows(&tui.text(), before + 1) {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(30), "the TUI never picked up the new file");
    }
    assert_eq!(orphans(&Inspection::open(&dump, &Control::none()).unwrap()), before + 1);
    tui.quit();
}

/// The watch the TUI keeps on a dump: the kernel is asked for changes only
/// (a watch that also asks for opens gets one event per header the scan
/// reads), folders made later are watched too, and links are not followed.
#[cfg(target_os = "linux")]
#[test]
fn the_watch_asks_for_changes_and_sees_them_at_any_depth() {
    use std::sync::mpsc::RecvTimeoutError;
    let (tmp, _, dump) = demo(20, 3);
    let cache = dump.cache_dir.clone();
    let outside = tmp.path().join("outside");
    std::fs::create_dir(&outside).unwrap();
    std::os::unix::fs::symlink(&outside, cache.join("link")).unwrap();

    let watch = cachescope::tui::watch::start(&dump).expect("inotify is there on Linux");
    assert!(watch.complete);
    // What the kernel was asked for, from this process's inotify descriptors.
    let mut masks = vec![];
    for fd in std::fs::read_dir("/proc/self/fdinfo").unwrap().flatten() {
        let info = std::fs::read_to_string(fd.path()).unwrap_or_default();
        for line in info.lines().filter(|l| l.starts_with("inotify ")) {
            let mask = line.split_whitespace().find_map(|w| w.strip_prefix("mask:")).unwrap();
            masks.push(u32::from_str_radix(mask, 16).unwrap());
        }
    }
    assert!(masks.len() >= 2, "the cache dir and the database's folder are watched: {masks:x?}");
    let reads = libc::IN_ACCESS | libc::IN_OPEN | libc::IN_CLOSE_NOWRITE | libc::IN_ATTRIB;
    assert!(masks.iter().all(|m| m & reads == 0), "reads are not asked for: {masks:x?}");

    let quiet = |what: &str| {
        assert!(watch.changes.recv_timeout(Duration::from_millis(700)).is_err(), "{what} counted as a change");
    };
    let seen = |what: &str| {
        assert!(watch.changes.recv_timeout(Duration::from_secs(5)).is_ok(), "{what} was not seen");
        while watch.changes.recv_timeout(Duration::from_millis(300)).is_ok() {}
    };
    // Reading every file, as a scan does, is no change.
    for e in walkdir::WalkDir::new(&cache).into_iter().flatten().filter(|e| e.file_type().is_file()) {
        std::fs::read(e.path()).unwrap();
    }
    quiet("reading the files");
    std::fs::write(outside.join("x.m4a"), b"x").unwrap();
    quiet("a write behind a link");
    std::fs::write(cache.join(format!("{}.wav", "cd".repeat(32))), b"RIFF").unwrap();
    seen("a new file");
    std::fs::create_dir(cache.join("later")).unwrap();
    seen("a new folder");
    std::fs::write(cache.join("later").join(format!("{}.m4a", "ef".repeat(32))), b"x").unwrap();
    seen("a file in a folder made after the watch began");
    let conn = rusqlite::Connection::open(&dump.db).unwrap();
    conn.execute("UPDATE cache_entries SET size_bytes = 1", []).unwrap();
    drop(conn);
    seen("a write to the database");
    std::fs::remove_file(cache.join("later").join(format!("{}.m4a", "ef".repeat(32)))).unwrap();
    seen("a removed file");
    // Dropping the watch ends its thread, and with it the channel.
    let changes = {
        let w = watch;
        w.changes
    };
    assert!(matches!(changes.recv_timeout(Duration::from_secs(3)), Err(RecvTimeoutError::Disconnected)));
}
