//! The real binary in a pseudo-terminal: the findings come from a worker
//! thread of the event loop, a finding filters the panes, `a` `p` preview
//! its plan; `--baseline` marks the new ones.

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

use super::*;

struct Tui {
    parser: Arc<Mutex<vt100::Parser>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
    /// Kept open while the child uses the terminal.
    _master: Box<dyn portable_pty::MasterPty + Send>,
}

impl Tui {
    fn start(args: &[&std::ffi::OsStr]) -> Tui {
        let (rows, cols) = (24, 80);
        let pty = native_pty_system().openpty(PtySize { rows, cols, pixel_width: 0, pixel_height: 0 }).unwrap();
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_cachescope"));
        cmd.args(args);
        cmd.env("TERM", "xterm-256color");
        cmd.env("NO_COLOR", "1");
        let child = pty.slave.spawn_command(cmd).unwrap();
        drop(pty.slave);
        let mut reader = pty.master.try_clone_reader().unwrap();
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
        let writer = pty.master.take_writer().unwrap();
        Tui { parser, writer, child, _master: pty.master }
    }
    fn text(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }
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
    fn wait_gone(&self, gone: &str) {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(20) {
            if !self.text().contains(gone) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("timed out waiting for {gone:?} to go; screen:\n{}", self.text());
    }
    fn press(&mut self, s: &[u8]) {
        self.writer.write_all(s).unwrap();
        self.writer.flush().unwrap();
    }
    fn quit(mut self) {
        self.press(b"q");
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(10) {
            if let Some(s) = self.child.try_wait().unwrap() {
                assert!(s.success(), "{s:?}");
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        panic!("the TUI did not quit; screen:\n{}", self.text());
    }
}

#[test]
fn a_finding_then_a_and_p_in_a_pty() {
    let (_t, dir) = demo(300, 1);
    let mut tui = Tui::start(&[dir.as_os_str()]);
    tui.wait_for("Discrepancies (");
    tui.press(b"i");
    tui.wait_for("Findings (5)");
    tui.wait_for("per week");
    tui.press(b"\r");
    tui.wait_for("finding: 4 of 5 orphaned files");
    tui.wait_for("Discrepancies (4/32)");
    tui.press(b"ap");
    tui.wait_for("Plan: 4 fixes");
    // Esc alone (a key right after it would read as Alt-key).
    tui.press(b"\x1b");
    tui.wait_gone("Plan preview");
    tui.quit();
}

#[test]
fn baseline_in_a_pty() {
    let (_t, dir, report) = super::baseline::dump_with_one_new_orphan();
    let mut tui = Tui::start(&[dir.as_os_str(), "--baseline".as_ref(), report.as_os_str()]);
    tui.wait_for("1 new, 32 known (baseline");
    tui.press(b"+");
    tui.wait_for("Discrepancies (1/33)");
    tui.wait_for("+✗ orphaned");
    tui.quit();
}
