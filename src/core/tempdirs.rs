//! Temp folders that survive a killed process are swept by the next run.
//!
//! Each folder is named `<prefix><pid>-<random>`; a folder whose process is
//! gone (a crash, `kill -9`) is removed the next time one is made.

use std::path::Path;
use std::sync::Once;

use tempfile::TempDir;

/// A fresh temp folder named after this process; stale ones left by dead
/// processes are removed first.
pub fn make(prefix: &str) -> std::io::Result<TempDir> {
    sweep_stale();
    tempfile::Builder::new().prefix(&format!("{prefix}{}-", std::process::id())).tempdir()
}

/// Removes the temp folders of processes that are gone (once per process).
/// Every read of a dump calls it, also one that needs no folder of its own
/// (a database read in place): else a run killed while it held a copy
/// would leave it behind for as long as only such reads follow.
pub fn sweep_stale() {
    static SWEEP: Once = Once::new();
    SWEEP.call_once(|| {
        for p in ["cachescope-read-", "cachescope-demo-", "cachescope-archive-"] {
            sweep(&std::env::temp_dir(), p);
        }
    });
}

/// Removes `<dir>/<prefix><pid>-*` folders whose process no longer runs.
fn sweep(dir: &Path, prefix: &str) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(prefix)) else { continue };
        let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<u32>().ok()) else { continue };
        if pid != std::process::id() && !Path::new("/proc").join(pid.to_string()).exists() {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}
