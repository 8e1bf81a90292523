//! The TUI as a person starts it (issue 10 item 7, issue 15): the real binary
//! in a pseudo-terminal on the large dump, its output read through a terminal
//! emulator (vt100), each figure paired with `check` runs on the same dump.
//!
//! Per run, from the moment the program is spawned:
//! * first frame — a screen with the header line (" cachescope [MODE] …");
//! * full lists — the three pane titles show the counts `check --format json`
//!   reported (files, rows, discrepancies), compared with `check`'s time;
//! * resident memory (`VmRSS`) two seconds after that, against `check`'s peak;
//! * filter — `/`, then each character of `ff00` on its own: from the write
//!   to the screen showing the new filter text *and* the Discrepancies count
//!   that filter gives (worked out from the JSON report with the TUI's rule:
//!   kind, key or path contains the text, ignoring case). Worst key reported.

use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

use super::measure::{BIN, Row, Sample, check, median, mib, millis, secs};

const ROWS: u16 = 50;
const COLS: u16 = 200;
const FILTER: &str = "ff00";
/// Time the process gets after the full lists to settle before its memory is read.
const SETTLE: Duration = Duration::from_secs(2);

/// What `check --format json` reported: what the TUI must show when done.
struct Expected {
    files: u64,
    entries: u64,
    /// Per discrepancy: kind, key (lower case), file (lower case).
    discs: Vec<(String, String, String)>,
}

impl Expected {
    fn load(dump: &Path) -> Result<Expected, String> {
        let out = std::process::Command::new(BIN)
            .arg("check")
            .arg(dump)
            .args(["--format", "json"])
            .output()
            .map_err(|e| format!("could not run check ({e})"))?;
        let v: serde_json::Value =
            serde_json::from_slice(&out.stdout).map_err(|e| format!("check printed no JSON report ({e})"))?;
        let num = |k: &str| v["scanned"][k].as_u64().ok_or(format!("the report has no scanned.{k}"));
        let text = |d: &serde_json::Value, k: &str| d[k].as_str().unwrap_or("").to_lowercase();
        let discs = v["discrepancies"].as_array().ok_or("the report has no discrepancies list")?;
        Ok(Expected {
            files: num("files")?,
            entries: num("entries")?,
            discs: discs.iter().map(|d| (text(d, "kind"), text(d, "key"), text(d, "file"))).collect(),
        })
    }

    /// How many discrepancies the TUI's filter keeps for `q`.
    fn matching(&self, q: &str) -> u64 {
        let q = q.to_lowercase();
        self.discs.iter().filter(|(kind, key, file)| kind.contains(&q) || key.contains(&q) || file.contains(&q)).count()
            as u64
    }
}

/// `(shown, total)` from a pane title "Title (shown/total)" or "Title (n)";
/// digit grouping of any kind is ignored.
fn pane_count(screen: &str, title: &str) -> Option<(u64, u64)> {
    let at = screen.find(&format!("{title} ("))? + title.len() + 2;
    let inner = &screen[at..at + screen[at..].find(')')?];
    let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>().parse().ok();
    match inner.split_once('/') {
        Some((shown, total)) => Some((digits(shown)?, digits(total)?)),
        None => digits(inner).map(|n| (n, n)),
    }
}

/// Bytes from the program, parsed, with a counter that moves on each chunk.
type Shared = Arc<(Mutex<(vt100::Parser, u64)>, Condvar)>;

struct Tui {
    child: Box<dyn Child + Send + Sync>,
    _master: Box<dyn MasterPty + Send>,
    writer: Box<dyn Write + Send>,
    screen: Shared,
    start: Instant,
}

impl Tui {
    fn spawn(dump: &Path) -> Result<Tui, String> {
        let pty = native_pty_system()
            .openpty(PtySize { rows: ROWS, cols: COLS, pixel_width: 0, pixel_height: 0 })
            .map_err(|e| format!("no pseudo-terminal ({e})"))?;
        let mut cmd = CommandBuilder::new(BIN);
        cmd.arg(dump);
        cmd.env("TERM", "xterm-256color");
        let screen: Shared = Arc::new((
            Mutex::new((vt100::Parser::new(ROWS.try_into().unwrap(), COLS.try_into().unwrap(), 0), 0)),
            Condvar::new(),
        ));
        let mut reader = pty.master.try_clone_reader().map_err(|e| e.to_string())?;
        let writer = pty.master.take_writer().map_err(|e| e.to_string())?;
        let shared = screen.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 65536];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                let (lock, cv) = &*shared;
                let mut s = lock.lock().unwrap();
                s.0.process(&buf[..n]);
                s.1 += 1;
                cv.notify_all();
            }
        });
        let start = Instant::now();
        let child = pty.slave.spawn_command(cmd).map_err(|e| format!("could not start the TUI ({e})"))?;
        drop(pty.slave);
        Ok(Tui { child, _master: pty.master, writer, screen, start })
    }

    fn text(&self) -> String {
        self.screen.0.lock().unwrap().0.screen().contents()
    }

    /// Waits (without polling: woken by each chunk of output) until `pred`
    /// holds for the screen; returns when it was first seen.
    fn wait(&self, what: &str, limit: Duration, pred: impl Fn(&str) -> bool) -> Result<Instant, String> {
        let deadline = Instant::now() + limit;
        let (lock, cv) = &*self.screen;
        let mut s = lock.lock().unwrap();
        loop {
            let text = s.0.screen().contents();
            if pred(&text) {
                return Ok(Instant::now());
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(format!("timed out after {} waiting for {what}; screen:\n{text}", secs(limit)));
            }
            s = cv.wait_timeout(s, deadline - now).unwrap().0;
        }
    }

    /// Writes keys; returns the moment just before the write.
    fn press(&mut self, keys: &[u8]) -> Instant {
        let t = Instant::now();
        self.writer.write_all(keys).expect("write to the pty");
        self.writer.flush().expect("flush the pty");
        t
    }

    /// `VmRSS` of the process, in bytes.
    fn rss(&self) -> Option<u64> {
        let pid = self.child.process_id()?;
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
        let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
        Some(line.split_whitespace().nth(1)?.parse::<u64>().ok()? * 1024)
    }

    /// Ctrl-C (quits from any layer), then a kill if it does not end.
    fn quit(mut self) {
        self.press(b"\x03");
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(60) {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        eprintln!("the TUI did not quit within 60 s of Ctrl-C; killing it");
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One run's figures.
struct Run {
    first: Duration,
    full: Duration,
    rss: u64,
    filter_worst: Duration,
}

fn one_run(dump: &Path, exp: &Expected, check_time: Duration) -> Result<Run, String> {
    let mut tui = Tui::spawn(dump)?;
    let res = drive(&mut tui, exp, check_time);
    if res.is_err() {
        eprintln!("TUI run failed; last screen:\n{}", tui.text());
    }
    tui.quit();
    res
}

fn drive(tui: &mut Tui, exp: &Expected, check_time: Duration) -> Result<Run, String> {
    let header = |s: &str| s.lines().any(|l| l.trim_start().starts_with("cachescope"));
    let first = tui.wait("the first frame", Duration::from_secs(300), header)? - tui.start;
    let d = exp.discs.len() as u64;
    let all = |s: &str| {
        pane_count(s, "Disk files") == Some((exp.files, exp.files))
            && pane_count(s, "DB entries") == Some((exp.entries, exp.entries))
            && pane_count(s, "Discrepancies") == Some((d, d))
    };
    let limit = Duration::from_secs(300).max(check_time * 20);
    let full = tui.wait("the full lists", limit, all)? - tui.start;
    std::thread::sleep(SETTLE);
    let rss = tui.rss().ok_or("could not read VmRSS from /proc")?;

    tui.press(b"/");
    tui.wait("the filter prompt", Duration::from_secs(60), |s| s.contains("filter / "))?;
    let mut worst = Duration::ZERO;
    let mut keys = vec![];
    let mut typed = String::new();
    for c in FILTER.chars() {
        typed.push(c);
        let (want, prompt) = (exp.matching(&typed), format!("filter / {typed}"));
        let what = format!("filter {typed:?} with {want} of {d} discrepancies");
        let sent = tui.press(c.to_string().as_bytes());
        let shown = tui.wait(&what, Duration::from_secs(120), |s| {
            s.contains(&prompt) && pane_count(s, "Discrepancies") == Some((want, d))
        })?;
        worst = worst.max(shown - sent);
        keys.push(format!("{typed} {}", millis(shown - sent)));
    }
    eprintln!(
        "        TUI: first frame {}, full lists {}, VmRSS {}; filter {}",
        secs(first),
        secs(full),
        mib(rss),
        keys.join(", ")
    );
    Ok(Run { first, full, rss, filter_worst: worst })
}

/// The pty rows; `runs` TUI runs, each right after a timed `check`.
pub fn rows(out: &mut Vec<Row>, skipped: &mut Vec<String>, dump: &Path, keys: u64, runs: u64) {
    let exp = match Expected::load(dump) {
        Ok(e) => e,
        Err(why) => return skipped.push(format!("TUI pty rows: {why}")),
    };
    let check = check(dump);
    let (mut checks, mut tuis): (Vec<Sample>, Vec<Run>) = (vec![], vec![]);
    for _ in 0..runs {
        let c = check.run();
        eprintln!("        check: {}, peak {}", secs(c.wall), mib(c.rss));
        checks.push(c);
        match one_run(dump, &exp, c.wall) {
            Ok(r) => tuis.push(r),
            Err(why) => return skipped.push(format!("TUI pty rows: {why}")),
        }
    }
    let t_check = median(checks.iter().map(|s| s.wall));
    let check_peak = median(checks.iter().map(|s| s.rss));
    let first = median(tuis.iter().map(|r| r.first));
    let full = median(tuis.iter().map(|r| r.full));
    let worst = median(tuis.iter().map(|r| r.filter_worst));
    let rss = median(tuis.iter().map(|r| r.rss));
    out.push(Row::new(
        format!("TUI in a pty: first frame, {keys} keys"),
        millis(first),
        "1 s".into(),
        first.as_secs_f64(),
        1.0,
    ));
    out.push(Row::new(
        format!("TUI in a pty: full lists ÷ check, {keys} keys"),
        secs(full),
        format!("check {}", secs(t_check)),
        full.as_secs_f64() / t_check.as_secs_f64(),
        1.5,
    ));
    out.push(Row::new(
        format!("TUI in a pty: filter key shown, worst of {FILTER:?}"),
        millis(worst),
        "150 ms".into(),
        worst.as_secs_f64() * 1e3 / 150.0,
        1.0,
    ));
    out.push(Row::new(
        "TUI in a pty: VmRSS after the scan ÷ check peak",
        mib(rss),
        format!("check {}", mib(check_peak)),
        rss as f64 / check_peak as f64,
        1.1,
    ));
}
