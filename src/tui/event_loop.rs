//! The event loop: input, worker messages and file-watch events in; the app
//! updates; effects start workers; the screen is redrawn (ratatui diffs the
//! frames, and each frame is one synchronized update: no flicker).

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use ratatui::crossterm::event::{self, Event, KeyEventKind};
use ratatui::crossterm::execute;
use ratatui::crossterm::terminal::{BeginSynchronizedUpdate, EndSynchronizedUpdate};

use super::app::{App, Busy};
use super::msg::{Effect, Msg, WorkerMsg};
use super::terminal::{self, Term};
use super::theme::Theme;
use super::watch::Watch;
use super::worker::Workers;
use super::{TuiOptions, ui};
use crate::core::fmt::escaped;
use crate::core::{Dump, Error, Result};

/// How long the dump must stay quiet before a change triggers a rescan.
const DEBOUNCE: Duration = Duration::from_millis(400);

pub fn run(dump: &Dump, opts: &TuiOptions) -> Result<()> {
    let _ = tui_logger::init_logger(log::LevelFilter::Info);
    tui_logger::set_default_level(log::LevelFilter::Info);
    log::info!("opening {}", dump.shown());
    let (mut term, guard) =
        terminal::enter(!opts.no_mouse).map_err(|e| {
        Error::io(format!(
            "could not set up the terminal ({e}); the inspector needs an interactive terminal, use `cachescope check` in scripts"
        ))
    })?;
    let res = event_loop(&mut term, dump, opts);
    drop(guard);
    // ratatui shows the cursor again when dropped, and complains on stderr
    // (a panic when stderr is gone too) if it cannot: with the terminal
    // gone, there is nothing left to give back.
    if term.show_cursor().is_err() {
        std::mem::forget(term);
    }
    res
}

fn event_loop(term: &mut Term, dump: &Dump, opts: &TuiOptions) -> Result<()> {
    let io = |e: std::io::Error| Error::io(format!("terminal error: {e}"));
    crate::signals::interrupted();
    // Keys and workers' answers arrive on one channel, so either wakes the
    // loop at once (a filter's result is drawn the moment it is ready).
    let (in_tx, incoming) = mpsc::channel::<Incoming>();
    read_input(in_tx.clone());
    let (tx, rx) = mpsc::channel::<WorkerMsg>();
    forward_workers(rx, in_tx);
    let cancel = Arc::new(AtomicBool::new(false));
    let mut app = App::new(dump.shown(), Theme::choose(opts.theme), !opts.no_mouse);
    app.archive = dump.archive.as_deref().map(escaped);
    app.notes = opts.notes.clone();
    app.options.deep = opts.deep;
    app.set_baseline(opts.baseline.clone());
    // Exports go where cachescope was started.
    app.export_dir = std::env::current_dir().unwrap_or_else(|_| ".".into());
    let mut pool = Workers {
        dump: dump.clone(),
        tx: tx.clone(),
        cancel: cancel.clone(),
        filter_generation: Default::default(),
        options: app.options,
    };
    let mut workers: Vec<JoinHandle<()>> = vec![pool.spawn(Effect::Scan(app.options))];
    // Watching a big cache dir lists every folder of it: that happens on
    // its own thread, after the first frame, and the loop picks the watch
    // up when it is ready.
    let mut pending_watch: Option<JoinHandle<Option<Watch>>> = None;
    let mut watch_started = false;
    let mut watching: Option<Watch> = None;
    let mut changed_at: Option<Instant> = None;
    let mut quiet_until = Instant::now();
    let mut dirty = true;
    let mut last_draw = Instant::now();
    loop {
        if dirty || last_draw.elapsed() >= Duration::from_millis(250) {
            // A terminal that went away without a hang-up signal (its window
            // closed under another process): quit instead of spinning on it.
            if !terminal_alive() {
                log::warn!("the terminal is gone; quitting");
                break;
            }
            tui_logger::move_events();
            let _ = execute!(term.backend_mut(), BeginSynchronizedUpdate);
            term.draw(|f| ui::draw(f, &mut app)).map_err(io)?;
            let _ = execute!(term.backend_mut(), EndSynchronizedUpdate);
            let _ = term.backend_mut().flush();
            dirty = false;
            last_draw = Instant::now();
            if !watch_started {
                watch_started = true;
                let dump = dump.clone();
                pending_watch = Some(std::thread::spawn(move || start_watch(&dump)));
            }
        }
        if pending_watch.as_ref().is_some_and(|h| h.is_finished())
            && let Some(Ok(ready)) = pending_watch.take().map(JoinHandle::join)
        {
            watching = ready;
        }
        let mut effects = vec![];
        let first = match incoming.recv_timeout(Duration::from_millis(40)) {
            Ok(m) => Some(m),
            Err(mpsc::RecvTimeoutError::Timeout) => None,
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        };
        let mut input_ended = false;
        for m in first.into_iter().chain(std::iter::from_fn(|| incoming.try_recv().ok())) {
            match m {
                Incoming::Input(Event::Key(k)) if k.kind != KeyEventKind::Release => {
                    effects.extend(app.update(Msg::Key(k)))
                }
                Incoming::Input(Event::Mouse(m)) => effects.extend(app.update(Msg::Mouse(m))),
                Incoming::Input(_) => {}
                // The terminal's input ended or failed: nothing more can be read.
                Incoming::InputEnded => input_ended = true,
                Incoming::Worker(m) => {
                    let was_busy = app.busy.is_some();
                    effects.extend(app.update(Msg::Worker(m)));
                    if was_busy && app.busy.is_none() {
                        quiet_until = Instant::now() + Duration::from_secs(1);
                    }
                }
            }
            dirty = true;
            if app.quit {
                break;
            }
        }
        if input_ended {
            break;
        }
        if let Some(w) = &watching {
            while w.changes.try_recv().is_ok() {
                if app.busy.is_none() && Instant::now() >= quiet_until {
                    changed_at = Some(Instant::now());
                }
            }
        }
        if changed_at.is_some_and(|t| t.elapsed() >= DEBOUNCE) && app.busy.is_none() {
            changed_at = None;
            effects.extend(app.update(Msg::DumpChanged));
            dirty = true;
        }
        pool.options = app.options;
        for e in effects {
            if let Effect::Clipboard(text) = &e {
                // Between frames: the terminal reads it as a clipboard write.
                let out = term.backend_mut();
                let _ = out.write_all(super::clipboard::osc52(text).as_bytes());
                let _ = out.flush();
                continue;
            }
            workers.retain(|w| !w.is_finished());
            if let Effect::Filter(job) = &e {
                // Tell the running filter it is moot before starting the next.
                pool.filter_generation.fetch_max(job.generation, Ordering::Relaxed);
            }
            workers.push(pool.spawn(e));
        }
        // SIGTERM, SIGHUP or SIGINT (a screen-share window closed): quit the
        // normal way, so the guard gives the terminal back.
        if app.quit || crate::signals::interrupted().load(Ordering::Relaxed) {
            break;
        }
    }
    if matches!(app.busy, Some(Busy::Applying | Busy::Undoing)) {
        app.status = "finishing the apply before quitting…".into();
        app.progress = None;
        let _ = term.draw(|f| ui::draw(f, &mut app));
    }
    cancel.store(true, Ordering::Relaxed);
    for w in workers {
        let _ = w.join();
    }
    Ok(())
}

/// What wakes the loop.
enum Incoming {
    Input(Event),
    /// Reading the terminal failed: nothing more will come from it.
    InputEnded,
    Worker(WorkerMsg),
}

/// Terminal input on its own thread, over the loop's channel: the loop waits
/// on it with a timeout, so it keeps noticing signals even when the terminal
/// misbehaves (crossterm's own poll spins forever on a terminal that hung
/// up).
fn read_input(tx: Sender<Incoming>) {
    let ended = tx.clone();
    let spawned = std::thread::Builder::new().name("cachescope-input".into()).spawn(move || {
        while let Ok(ev) = event::read() {
            if tx.send(Incoming::Input(ev)).is_err() {
                return;
            }
        }
        let _ = tx.send(Incoming::InputEnded);
    });
    if spawned.is_err() {
        log::error!("could not start the input thread");
        let _ = ended.send(Incoming::InputEnded);
    }
}

/// Passes the workers' answers on to the loop's channel.
fn forward_workers(rx: Receiver<WorkerMsg>, tx: Sender<Incoming>) {
    let spawned = std::thread::Builder::new().name("cachescope-answers".into()).spawn(move || {
        for m in rx {
            if tx.send(Incoming::Worker(m)).is_err() {
                return;
            }
        }
    });
    if spawned.is_err() {
        log::error!("could not start the thread that passes on the workers' answers");
    }
}

/// True while the process still has its terminal: asking it its size fails
/// once the terminal is gone.
fn terminal_alive() -> bool {
    ratatui::crossterm::terminal::size().is_ok()
}

/// Watches the dump, saying in the log when it cannot (the TUI then
/// relies on `r`).
fn start_watch(dump: &Dump) -> Option<Watch> {
    let watch = super::watch::start(dump);
    match &watch {
        None => log::warn!("cannot watch the dump for changes; press r to rescan"),
        Some(w) if !w.complete => log::warn!("cannot watch all of the dump for changes; press r to rescan"),
        Some(_) => {}
    }
    watch
}
