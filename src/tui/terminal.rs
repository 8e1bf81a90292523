//! Entering and leaving the terminal: raw mode, alternate screen, mouse.
//! Restored on quit, on error (a drop guard) and on panic (a hook).

use std::io::{self, Stdout, stdout};

use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::cursor::Show;
use ratatui::crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use ratatui::crossterm::execute;
use ratatui::crossterm::terminal::{
    Clear, ClearType, EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};

pub type Term = Terminal<CrosstermBackend<Stdout>>;

/// Restores the terminal when dropped (also on an early `?` return).
pub struct Guard;

impl Drop for Guard {
    fn drop(&mut self) {
        leave();
    }
}

/// Takes over the terminal; the guard gives it back.
pub fn enter(mouse: bool) -> io::Result<(Term, Guard)> {
    install_panic_hook();
    enable_raw_mode()?;
    let guard = Guard;
    let mut out = stdout();
    // Clear without asking the terminal where its cursor is (not every
    // terminal answers that query).
    execute!(out, EnterAlternateScreen, Clear(ClearType::All))?;
    if mouse {
        execute!(out, EnableMouseCapture)?;
    }
    let term = Terminal::new(CrosstermBackend::new(out))?;
    Ok((term, guard))
}

/// Gives the terminal back: cooked mode, main screen, cursor shown.
pub fn leave() {
    let _ = disable_raw_mode();
    let _ = execute!(stdout(), DisableMouseCapture, LeaveAlternateScreen, Show);
}

fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        // A worker's panic is caught and reported by the UI, which keeps the
        // terminal; anything else ends the program: give the terminal back.
        if std::thread::current().name() == Some(super::worker::THREAD_NAME) {
            log::error!("worker thread panicked: {info}");
            return;
        }
        leave();
        previous(info);
    }));
}
