//! End to end, in a pseudo-terminal: `y` writes a well-formed OSC 52
//! sequence carrying the focused item's text, and `e` writes the report
//! file the status line names, in the working directory.

mod pty_kit;

use base64::Engine;
use cachescope::core::demo::write_demo;
use cachescope::core::{Control, Dump, Inspection, Locate};
use cachescope::tui::app::App;
use cachescope::tui::theme::Theme;
use pty_kit::{Start, Tui};

/// The payloads of every OSC 52 clipboard write so far.
fn clipboard_writes(tui: &Tui) -> Vec<Vec<u8>> {
    let raw = tui.raw.lock().unwrap();
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

    let mut tui = Tui::start(&[dir.as_os_str()], Start { rows: 30, cols: 120, cwd: Some(&work), ..Start::default() });
    tui.wait_for("▶3 Discrepancies");
    tui.press(b"y");
    tui.wait_for("copied ");
    tui.wait_for("must allow OSC 52");
    let writes = clipboard_writes(&tui);
    assert_eq!(writes.len(), 1, "one clipboard write");
    let text = base64::engine::general_purpose::STANDARD.decode(&writes[0]).expect("valid base64");
    assert_eq!(String::from_utf8(text).unwrap(), want);

    tui.press(b"e");
    tui.wait_for("wrote cachescope-report-");
    let status = tui.text();
    let name = status
        .split_whitespace()
        .find(|w| w.starts_with("cachescope-report-") && w.ends_with(".md"))
        .unwrap_or_else(|| panic!("no file name on screen:\n{status}"))
        .to_string();
    let written = std::fs::read_to_string(work.join(&name)).expect("the file the status line names");
    assert!(written.starts_with("## cachescope check:") && written.contains(&first.kind.to_string()), "{written}");
    assert_eq!(std::fs::read_dir(&work).unwrap().count(), 1, "one file, nothing else");

    tui.quit();
}
