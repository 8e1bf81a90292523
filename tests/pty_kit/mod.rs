//! The real binary in a pseudo-terminal, read through a terminal emulator
//! (vt100): start it, wait for text on the screen, press keys, quit. Shared
//! by the end-to-end tests.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

/// How long a test waits for a screen or an exit before it fails.
const PATIENCE: Duration = Duration::from_secs(20);

pub struct Tui {
    pub parser: Arc<Mutex<vt100::Parser>>,
    /// Every byte the program wrote to the terminal.
    pub raw: Arc<Mutex<Vec<u8>>>,
    writer: Box<dyn Write + Send>,
    pub child: Box<dyn Child + Send + Sync>,
    /// Kept open while the child uses the terminal.
    pub master: Box<dyn MasterPty + Send>,
}

/// Where and how to start it.
#[derive(Clone, Copy)]
pub struct Start<'a> {
    pub rows: u16,
    pub cols: u16,
    pub cwd: Option<&'a Path>,
    pub env: &'a [(&'a str, &'a str)],
}

impl Default for Start<'_> {
    fn default() -> Self {
        Start { rows: 30, cols: 100, cwd: None, env: &[] }
    }
}

impl Tui {
    pub fn start(args: &[&OsStr], how: Start) -> Tui {
        let size = PtySize { rows: how.rows, cols: how.cols, pixel_width: 0, pixel_height: 0 };
        let pty = native_pty_system().openpty(size).expect("a pseudo-terminal");
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_cachescope"));
        cmd.args(args);
        cmd.env("TERM", "xterm-256color");
        for (k, v) in how.env {
            cmd.env(k, v);
        }
        if let Some(dir) = how.cwd {
            cmd.cwd(dir);
        }
        let child = pty.slave.spawn_command(cmd).unwrap();
        drop(pty.slave);
        let mut reader = pty.master.try_clone_reader().unwrap();
        let (rows, cols) = (how.rows.try_into().unwrap(), how.cols.try_into().unwrap());
        let parser = Arc::new(Mutex::new(vt100::Parser::new(rows, cols, 0)));
        let raw: Arc<Mutex<Vec<u8>>> = Default::default();
        let (p, r) = (parser.clone(), raw.clone());
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                p.lock().unwrap().process(&buf[..n]);
                r.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        let writer = pty.master.take_writer().unwrap();
        Tui { parser, raw, writer, child, master: pty.master }
    }

    pub fn text(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    /// Polls the screen until `want` shows up; returns the screen then.
    pub fn wait_for(&self, want: &str) -> String {
        let start = Instant::now();
        loop {
            let text = self.text();
            if text.contains(want) {
                return text;
            }
            assert!(start.elapsed() < PATIENCE, "timed out waiting for {want:?}; screen:\n{text}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Polls the screen until `gone` is no longer on it.
    pub fn wait_gone(&self, gone: &str) {
        let start = Instant::now();
        while self.text().contains(gone) {
            assert!(start.elapsed() < PATIENCE, "timed out waiting for {gone:?} to go; screen:\n{}", self.text());
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn press(&mut self, s: &[u8]) {
        self.writer.write_all(s).unwrap();
        self.writer.flush().unwrap();
    }

    /// Resizes the terminal and its emulated screen.
    pub fn resize(&self, rows: u16, cols: u16) {
        self.master.resize(PtySize { rows, cols, pixel_width: 0, pixel_height: 0 }).unwrap();
        self.parser.lock().unwrap().set_size(rows.try_into().unwrap(), cols.try_into().unwrap());
    }

    /// Waits for the program to end (killing it and failing after a while).
    pub fn wait_exit(&mut self) -> portable_pty::ExitStatus {
        let start = Instant::now();
        loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                return s;
            }
            if start.elapsed() > PATIENCE {
                let _ = self.child.kill();
                panic!("the TUI did not end; screen:\n{}", self.text());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// `q`, then a successful exit.
    pub fn quit(&mut self) {
        self.press(b"q");
        let status = self.wait_exit();
        assert!(status.success(), "exit status {status:?}");
    }
}
