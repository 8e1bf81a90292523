//! End to end: the real binary in a pseudo-terminal on a generated dump.
//! Waits for frames (polling the emulated screen), selects all, previews the
//! plan, applies, quits; then checks the dump with the core and that the
//! terminal was given back.

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cachescope::core::demo::write_demo;
use cachescope::core::{Control, Dump, Inspection, Locate};
use portable_pty::{CommandBuilder, PtySize, native_pty_system};

struct Screen {
    parser: Arc<Mutex<vt100::Parser>>,
    raw: Arc<Mutex<Vec<u8>>>,
}

impl Screen {
    fn text(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }
    /// Polls the screen until `want` shows up (or fails after a timeout).
    fn wait_for(&self, want: &str) {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(20) {
            if self.text().contains(want) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("timed out waiting for {want:?}; screen:\n{}", self.text());
    }
}

#[test]
fn select_all_plan_apply_quit_in_a_pty() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("dump");
    write_demo(&dir, 60, 11).unwrap();
    let dump = Dump::locate(&Locate { path: Some(dir.clone()), ..Default::default() }).unwrap();
    assert!(Inspection::open(&dump, &Control::none()).unwrap().has_problems());

    let (rows, cols) = (30, 100);
    let pty = native_pty_system()
        .openpty(PtySize { rows, cols, pixel_width: 0, pixel_height: 0 })
        .expect("a pseudo-terminal");
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_cachescope"));
    cmd.arg(&dir);
    cmd.env("TERM", "xterm-256color");
    let mut child = pty.slave.spawn_command(cmd).unwrap();
    drop(pty.slave);
    let mut reader = pty.master.try_clone_reader().unwrap();
    let mut writer = pty.master.take_writer().unwrap();
    let screen = Screen {
        parser: Arc::new(Mutex::new(vt100::Parser::new(rows.try_into().unwrap(), cols.try_into().unwrap(), 0))),
        raw: Default::default(),
    };
    let (parser, raw) = (screen.parser.clone(), screen.raw.clone());
    std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            parser.lock().unwrap().process(&buf[..n]);
            raw.lock().unwrap().extend_from_slice(&buf[..n]);
        }
    });
    let mut press = |s: &[u8]| {
        writer.write_all(s).unwrap();
        writer.flush().unwrap();
    };

    screen.wait_for("Discrepancies (");
    screen.wait_for("[READ-ONLY]");
    // Too small, then back: a message naming the size, then the panes again.
    pty.master.resize(PtySize { rows: 12, cols: 50, pixel_width: 0, pixel_height: 0 }).unwrap();
    screen.parser.lock().unwrap().set_size(12.try_into().unwrap(), 50.try_into().unwrap());
    screen.wait_for("needs 60×18");
    pty.master.resize(PtySize { rows, cols, pixel_width: 0, pixel_height: 0 }).unwrap();
    screen.parser.lock().unwrap().set_size(rows.try_into().unwrap(), cols.try_into().unwrap());
    screen.wait_for("Discrepancies (");
    // The maintainers' keys: help, Discrepancies, select all, plan, apply.
    press(b"?");
    screen.wait_for("Help");
    // The help is searchable: typing narrows it, Esc closes it.
    press(b"undo");
    screen.wait_for("Search: undo");
    press(b"\x1b");
    screen.wait_for("Space select");
    press(b"3");
    screen.wait_for("▶3 Discrepancies");
    press(b"a");
    screen.wait_for("[x]");
    press(b"p");
    screen.wait_for("Plan preview");
    press(b"\r");
    screen.wait_for("Apply?");
    press(b"y");
    screen.wait_for("Applied batch");
    press(b"q");

    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > Duration::from_secs(10) {
            let _ = child.kill();
            panic!("the TUI did not quit; screen:\n{}", screen.text());
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "exit status {status:?}");
    // Let the reader drain the last bytes.
    std::thread::sleep(Duration::from_millis(200));

    let raw = screen.raw.lock().unwrap().clone();
    let find = |needle: &[u8]| raw.windows(needle.len()).rposition(|w| w == needle);
    let entered = find(b"\x1b[?1049h").expect("entered the alternate screen");
    let left = find(b"\x1b[?1049l").expect("left the alternate screen");
    assert!(left > entered);
    assert!(find(b"\x1b[?25h").is_some_and(|shown| shown > entered), "cursor shown again");
    let parser = screen.parser.lock().unwrap();
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
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("dump");
        write_demo(&dir, 40, 3).unwrap();
        let (rows, cols) = (30u16, 100u16);
        let pty = native_pty_system()
            .openpty(PtySize { rows, cols, pixel_width: 0, pixel_height: 0 })
            .expect("a pseudo-terminal");
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_cachescope"));
        cmd.arg(&dir);
        cmd.env("TERM", "xterm-256color");
        let mut child = pty.slave.spawn_command(cmd).unwrap();
        drop(pty.slave);
        let mut reader = pty.master.try_clone_reader().unwrap();
        let screen = Screen {
            parser: Arc::new(Mutex::new(vt100::Parser::new(rows.try_into().unwrap(), cols.try_into().unwrap(), 0))),
            raw: Default::default(),
        };
        let (parser, raw) = (screen.parser.clone(), screen.raw.clone());
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                parser.lock().unwrap().process(&buf[..n]);
                raw.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        screen.wait_for("Discrepancies (");
        assert!(!cooked(&*pty.master), "the TUI runs in raw mode");
        let pid = child.process_id().unwrap() as libc::pid_t;
        // SAFETY: sending a signal to our own child.
        assert_eq!(unsafe { libc::kill(pid, sig) }, 0);
        let start = Instant::now();
        while child.try_wait().unwrap().is_none() {
            assert!(start.elapsed() < Duration::from_secs(10), "signal {sig}: the TUI did not end");
            std::thread::sleep(Duration::from_millis(20));
        }
        std::thread::sleep(Duration::from_millis(200));
        let raw = screen.raw.lock().unwrap().clone();
        let find = |needle: &[u8]| raw.windows(needle.len()).rposition(|w| w == needle);
        let entered = find(b"\x1b[?1049h").expect("entered the alternate screen");
        assert!(find(b"\x1b[?1049l").is_some_and(|left| left > entered), "signal {sig}: alternate screen left");
        assert!(find(b"\x1b[?25h").is_some_and(|shown| shown > entered), "signal {sig}: cursor shown");
        assert!(find(b"\x1b[?1000l").is_some_and(|off| off > entered), "signal {sig}: mouse reporting off");
        assert!(cooked(&*pty.master), "signal {sig}: raw mode left behind");
    }
}

#[test]
fn a_terminal_that_goes_away_ends_the_tui() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("dump");
    write_demo(&dir, 30, 5).unwrap();
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
