//! The real binary in a pseudo-terminal: the findings come from a worker
//! thread of the event loop, a finding filters the panes, `a` `p` preview
//! its plan; `--baseline` marks the new ones.

use super::*;
use crate::pty_kit::{Start, Tui};

/// The inspector at 80×24 without colour on these arguments.
fn start(args: &[&std::ffi::OsStr]) -> Tui {
    Tui::start(args, Start { rows: 24, cols: 80, env: &[("NO_COLOR", "1")], ..Start::default() })
}

#[test]
fn a_finding_then_a_and_p_in_a_pty() {
    let (_t, dir) = demo(300, 1);
    let mut tui = start(&[dir.as_os_str()]);
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
    let mut tui = start(&[dir.as_os_str(), "--baseline".as_ref(), report.as_os_str()]);
    tui.wait_for("1 new, 32 known (baseline");
    tui.press(b"+");
    tui.wait_for("Discrepancies (1/33)");
    tui.wait_for("+✗ orphaned");
    tui.quit();
}
