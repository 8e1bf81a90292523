//! Watching the dump while the TUI is open: a file created, written,
//! removed or renamed anywhere in the cache dir, or beside the database,
//! is a change (the event loop rescans once the dump is quiet).
//!
//! On Linux the watch is inotify's own and asks the kernel for exactly those
//! events. A general watcher also asks for every open of every file, so each
//! scan's million header reads came back as a million events to sort out,
//! and its setup visited every file to find the folders: together they made
//! the TUI's first scan of a million files a second or more slower. Other
//! systems use `notify`.

use std::path::Path;
use std::sync::mpsc::Receiver;

use crate::core::Dump;

/// A running watch: changes arrive on `changes` until it is dropped.
pub struct Watch {
    pub changes: Receiver<()>,
    /// Whether every folder could be watched (else: press `r` to rescan).
    pub complete: bool,
    _running: platform::Running,
}

/// Starts watching `dump`; None when this system cannot watch at all.
pub fn start(dump: &Dump) -> Option<Watch> {
    let (tx, changes) = std::sync::mpsc::channel();
    let relevant = relevance(dump);
    let (running, complete) = platform::start(&dump.cache_dir, dump.db.parent(), relevant, tx)?;
    Some(Watch { changes, complete, _running: running })
}

/// Which changed paths count: not cachescope's own state folder, and of
/// rollback journals only the database's own.
fn relevance(dump: &Dump) -> impl Fn(&Path) -> bool + Send + 'static {
    let state = dump.state_dir();
    let db_name = dump.db.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    move |p: &Path| {
        if p.starts_with(&state) {
            return false;
        }
        match p.file_name() {
            Some(n) if p.parent().is_some() => {
                let n = n.to_string_lossy();
                !n.ends_with("-journal") || n.starts_with(&*db_name)
            }
            _ => true,
        }
    }
}

#[cfg(target_os = "linux")]
mod platform {
    use std::collections::HashMap;
    use std::path::{Path, PathBuf};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::mpsc::Sender;

    use inotify::{EventMask, Inotify, WatchDescriptor, WatchMask};

    /// Changes only: no opens, reads or closes.
    const CHANGES: WatchMask = WatchMask::CREATE
        .union(WatchMask::DELETE)
        .union(WatchMask::MODIFY)
        .union(WatchMask::MOVED_FROM)
        .union(WatchMask::MOVED_TO)
        .union(WatchMask::DELETE_SELF)
        .union(WatchMask::MOVE_SELF)
        .union(WatchMask::EXCL_UNLINK)
        .union(WatchMask::ONLYDIR);

    /// Stops the watching thread when dropped (within [`POLL`]).
    pub struct Running(Arc<AtomicBool>);

    impl Drop for Running {
        fn drop(&mut self) {
            self.0.store(true, Ordering::Relaxed);
        }
    }

    /// How long the thread waits for events before it looks whether to stop.
    const POLL: std::time::Duration = std::time::Duration::from_millis(250);

    struct Folders {
        inotify: Inotify,
        /// Each watched folder by its watch.
        paths: HashMap<WatchDescriptor, PathBuf>,
    }

    impl Folders {
        /// Watches `top` and, with `below`, every folder under it. Links
        /// are not followed, but for `top` itself when `follow_top` (the
        /// cache dir may be given as a link, as the scan allows). False when
        /// some folder could not be watched.
        fn add(&mut self, top: &Path, below: bool, follow_top: bool) -> bool {
            let mut all = true;
            let mut stack = vec![top.to_path_buf()];
            while let Some(dir) = stack.pop() {
                let follow = follow_top && dir == top;
                let mask = if follow { CHANGES } else { CHANGES | WatchMask::DONT_FOLLOW };
                match self.inotify.watches().add(&dir, mask) {
                    Ok(wd) => {
                        self.paths.insert(wd, dir.clone());
                    }
                    Err(_) => {
                        all = false;
                        continue;
                    }
                }
                if !below {
                    continue;
                }
                // The listing's own file types: no stat per file.
                let Ok(entries) = std::fs::read_dir(&dir) else {
                    all = false;
                    continue;
                };
                for entry in entries.flatten() {
                    if entry.file_type().is_ok_and(|t| t.is_dir()) {
                        stack.push(entry.path());
                    }
                }
            }
            all
        }
    }

    pub fn start(
        cache_dir: &Path,
        db_dir: Option<&Path>,
        relevant: impl Fn(&Path) -> bool + Send + 'static,
        tx: Sender<()>,
    ) -> Option<(Running, bool)> {
        let inotify = Inotify::init().ok()?;
        let mut folders = Folders { inotify, paths: HashMap::new() };
        let mut complete = folders.add(cache_dir, true, true);
        if let Some(dir) = db_dir {
            complete &= folders.add(dir, false, true);
        }
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        let tree_top = cache_dir.to_path_buf();
        std::thread::Builder::new()
            .name("watch".into())
            .spawn(move || watch(folders, &tree_top, &relevant, &tx, &stopped))
            .ok()?;
        Some((Running(stop), complete))
    }

    fn watch(
        mut folders: Folders,
        tree_top: &Path,
        relevant: &dyn Fn(&Path) -> bool,
        tx: &Sender<()>,
        stop: &AtomicBool,
    ) {
        use rustix::event::{PollFd, PollFlags, Timespec, poll};
        use std::os::fd::AsFd;
        let mut buf = vec![0u8; 64 * 1024];
        let timeout = Timespec { tv_sec: 0, tv_nsec: POLL.as_nanos() as i64 };
        while !stop.load(Ordering::Relaxed) {
            let ready = {
                let fd = folders.inotify.as_fd();
                let mut fds = [PollFd::new(&fd, PollFlags::IN)];
                poll(&mut fds, Some(&timeout))
            };
            match ready {
                Ok(0) | Err(rustix::io::Errno::INTR) => continue,
                Ok(_) => {}
                Err(_) => return,
            }
            // The events borrow `buf` only: new folders can be added meanwhile.
            let events = match folders.inotify.read_events(&mut buf) {
                Ok(events) => events,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
                Err(_) => return,
            };
            let mut changed = false;
            for inotify::Event { wd, mask, name, .. } in events {
                if mask.contains(EventMask::Q_OVERFLOW) {
                    // Too many to hold: something changed.
                    changed = true;
                    continue;
                }
                if mask.contains(EventMask::IGNORED) {
                    folders.paths.remove(&wd);
                    continue;
                }
                let Some(dir) = folders.paths.get(&wd) else { continue };
                let path = name.map_or_else(|| dir.clone(), |n| dir.join(n));
                // A new folder in the tree: watch it and what it already holds.
                if mask.contains(EventMask::ISDIR)
                    && mask.intersects(EventMask::CREATE | EventMask::MOVED_TO)
                    && path.starts_with(tree_top)
                {
                    folders.add(&path, true, false);
                }
                changed |= relevant(&path);
            }
            if changed && tx.send(()).is_err() {
                return;
            }
        }
    }
}

#[cfg(not(target_os = "linux"))]
mod platform {
    use std::path::Path;
    use std::sync::mpsc::Sender;

    use notify::{EventKind, RecursiveMode, Watcher};

    pub type Running = notify::RecommendedWatcher;

    pub fn start(
        cache_dir: &Path,
        db_dir: Option<&Path>,
        relevant: impl Fn(&Path) -> bool + Send + 'static,
        tx: Sender<()>,
    ) -> Option<(Running, bool)> {
        let mut watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
            if let Ok(ev) = res {
                let kind_ok = matches!(
                    ev.kind,
                    EventKind::Create(_)
                        | EventKind::Remove(_)
                        | EventKind::Modify(
                            notify::event::ModifyKind::Data(_)
                                | notify::event::ModifyKind::Name(_)
                                | notify::event::ModifyKind::Any
                        )
                );
                if kind_ok && ev.paths.iter().any(|p| relevant(p)) {
                    let _ = tx.send(());
                }
            }
        })
        .ok()?;
        let mut complete = watcher.watch(cache_dir, RecursiveMode::Recursive).is_ok();
        if let Some(dir) = db_dir {
            complete &= watcher.watch(dir, RecursiveMode::NonRecursive).is_ok();
        }
        Some((watcher, complete))
    }
}
