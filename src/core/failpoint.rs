//! Crash failpoints for the kill-anywhere tests (feature `failpoints`).
//!
//! With the feature on, `failpoint("name")` aborts the process when the
//! environment variable `CACHESCOPE_FAILPOINT` is `name` (first pass) or
//! `name:N` (N-th pass): a test runs the real binary in a child process,
//! which dies at exactly that step. `CACHESCOPE_HOOK` (same syntax) instead
//! runs the shell command in `CACHESCOPE_HOOK_CMD` there and goes on: a test
//! changes the world at exactly that step (renames a file between its
//! re-check and its move, holds an apply still while it looks).
//! Without the feature it compiles to nothing.

#[cfg(feature = "failpoints")]
pub fn failpoint(name: &str) {
    use std::collections::HashMap;
    use std::sync::Mutex;
    static PASSES: Mutex<Option<HashMap<String, u64>>> = Mutex::new(None);
    let hit = |var: &str| -> bool {
        let Ok(spec) = std::env::var(var) else { return false };
        let (target, nth) = match spec.split_once(':') {
            Some((t, n)) => (t.to_string(), n.parse().unwrap_or(1)),
            None => (spec, 1),
        };
        if target != name {
            return false;
        }
        let mut guard = PASSES.lock().unwrap_or_else(|e| e.into_inner());
        let pass = guard.get_or_insert_with(HashMap::new).entry(format!("{var}:{target}")).or_insert(0);
        *pass += 1;
        *pass == nth
    };
    if hit("CACHESCOPE_HOOK")
        && let Ok(cmd) = std::env::var("CACHESCOPE_HOOK_CMD")
    {
        let _ = std::process::Command::new("sh").arg("-c").arg(cmd).status();
    }
    if hit("CACHESCOPE_FAILPOINT") {
        std::process::abort();
    }
}

#[cfg(not(feature = "failpoints"))]
#[inline(always)]
pub fn failpoint(_name: &str) {}

/// Every failpoint, in the order apply, undo and recovery pass them.
pub const ALL: &[&str] = &[
    "batch.after_backup",
    "batch.after_journal",
    "apply.after_sql",
    "batch.before_move",
    "batch.after_move",
    "batch.before_commit",
    "batch.after_commit",
    "recover.after_move_back",
];
