//! Ctrl-C, SIGTERM and SIGHUP: the first sets a flag that the running work
//! polls at its safe points (a headless apply rolls back cleanly, a scan
//! stops, the TUI gives the terminal back and quits); a second one ends the
//! process at once (every write is crash-safe, so even that loses nothing).

use std::sync::Arc;
use std::sync::OnceLock;
use std::sync::atomic::AtomicBool;

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};

/// The flag the signals set; registered on first use.
pub fn interrupted() -> &'static AtomicBool {
    static FLAG: OnceLock<Arc<AtomicBool>> = OnceLock::new();
    FLAG.get_or_init(|| {
        let flag = Arc::new(AtomicBool::new(false));
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            // A second signal while the flag is set exits at once (code 130).
            let _ = signal_hook::flag::register_conditional_shutdown(sig, 130, Arc::clone(&flag));
            let _ = signal_hook::flag::register(sig, Arc::clone(&flag));
        }
        flag
    })
}
