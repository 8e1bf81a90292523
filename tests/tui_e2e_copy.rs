//! End to end, in a pseudo-terminal: `y` writes a well-formed OSC 52
//! sequence carrying the focused item's text, and `e` writes the report
//! file the status line names, in the working directory.

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use cachescope::core::demo::write_demo;
use cachescope::core::{Control, Dump, Inspection, Locate};
use cachescope::tui::app::App;
use cachescope::tui::theme::Theme;
use portable_pty::{CommandBuilder, PtySize, native_pty_system};

struct Screen {
    parser: Arc<Mutex<vt100::Parser>>,
    raw: Arc<Mutex<Vec<u8>>>,
}

impl Screen {
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
    /// The payloads of every OSC 52 clipboard write so far.
    fn clipboard_writes(&self) -> Vec<Vec<u8>> {
        let raw = self.raw.lock().unwrap();
        let mut out = vec![];
        let mut rest: &[u8] = &raw;
        let head = b"\x1b]52;c;";
        while let Some(at) = rest.windows(head.len()).position(|w| w == head) {
            let body = &rest[at + head.len()..];
            let end = body.iter().position(|&b| b == 0x07).expect("the sequence ends with BEL");
            out.push(body[..end].to_vec());
            rest = &body[end..];
        }
        out
    }
}

#[test]
fn y_copies_with_osc52_and_e_writes_the_file_it_names() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("dump");
    let work = tmp.path().join("work");
    std::fs::create_dir(&work).unwrap();
    write_demo(&dir, 40, 3).unwrap();
    // What `y` must copy: the first discrepancy, where the cursor starts.
    let dump = Dump::locate(&Locate { path: Some(dir.clone()), ..Default::default() }).unwrap();
    let app = App::with_inspection(Inspection::open(&dump, &Control::none()).unwrap(), "DUMP".into(), Theme::mono());
    let (_, want) = app.copy_text().unwrap();
    let first = &app.ins.as_ref().unwrap().found[0];
    assert!(want.contains(&first.id) && want.contains(&first.message), "{want}");

    let (rows, cols) = (30u16, 120u16);
    let pty = native_pty_system().openpty(PtySize { rows, cols, pixel_width: 0, pixel_height: 0 }).unwrap();
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_cachescope"));
    cmd.arg(&dir);
    cmd.cwd(&work);
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
    screen.wait_for("▶3 Discrepancies");
    press(b"y");
    screen.wait_for("copied ");
    screen.wait_for("must allow OSC 52");
    let writes = screen.clipboard_writes();
    assert_eq!(writes.len(), 1, "one clipboard write");
    let text = base64::engine::general_purpose::STANDARD.decode(&writes[0]).expect("valid base64");
    assert_eq!(String::from_utf8(text).unwrap(), want);

    press(b"e");
    screen.wait_for("wrote cachescope-report-");
    let status = screen.text();
    let name = status
        .split_whitespace()
        .find(|w| w.starts_with("cachescope-report-") && w.ends_with(".md"))
        .unwrap_or_else(|| panic!("no file name on screen:\n{status}"))
        .to_string();
    let written = std::fs::read_to_string(work.join(&name)).expect("the file the status line names");
    assert!(written.starts_with("## cachescope check:") && written.contains(&first.kind.to_string()), "{written}");
    assert_eq!(std::fs::read_dir(&work).unwrap().count(), 1, "one file, nothing else");

    press(b"q");
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        assert!(start.elapsed() < Duration::from_secs(10), "the TUI did not quit");
        std::thread::sleep(Duration::from_millis(20));
    }
}
