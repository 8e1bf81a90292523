//! `check --key K` on a million-key dump (issue 16): the CI call after one
//! clip was synthesised must answer in well under a second, reading only
//! what that key needs. Timed against the full `check` in the same run.
//!
//! `cargo bench --bench keys`. The dump is the one `cargo bench --bench
//! scale` uses (`cachescope demo`, Android layout: a flat cache dir), made
//! here if it is not there yet (about a minute, several GB). Environment:
//! `CACHESCOPE_BENCH_KEYS=N` (default 1 000 000), `CACHESCOPE_BENCH_RUNS=N`
//! timings per row (median; default 5), `CACHESCOPE_BENCH_DIR=DIR` where
//! dumps go (default the temp dir).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_cachescope");

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn time(cmd: &mut Command) -> Duration {
    let start = Instant::now();
    let status = cmd.stdout(Stdio::null()).stderr(Stdio::null()).status().expect("spawn");
    let took = start.elapsed();
    assert!(status.code().is_some_and(|c| c <= 1), "{cmd:?} failed: {status}");
    took
}

fn median(runs: u64, mut cmd: impl FnMut() -> Command) -> Duration {
    let mut v: Vec<Duration> = (0..runs).map(|_| time(&mut cmd())).collect();
    v.sort();
    v[v.len() / 2]
}

fn secs(d: Duration) -> String {
    format!("{:.3} s", d.as_secs_f64())
}

/// A key of the dump: the first cache file the listing gives.
fn some_key(cache: &Path) -> String {
    std::fs::read_dir(cache)
        .unwrap()
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .find_map(|n| n.strip_suffix(".m4a").or_else(|| n.strip_suffix(".wav")).map(str::to_string))
        .expect("a cache file")
}

fn check(args: &[&std::ffi::OsStr]) -> Command {
    let mut c = Command::new(BIN);
    c.arg("check").args(args).args(["--format", "json"]);
    c
}

/// What `check --key` read, from its report.
fn scanned(cmd: &mut Command) -> String {
    let out = cmd.stderr(Stdio::null()).output().expect("spawn");
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).expect("a JSON report");
    format!("{} file(s), {} row(s)", r["scanned"]["files"], r["scanned"]["entries"])
}

/// A copy of the dump's database in WAL mode whose newest commit lives only
/// in its `-wal` (as pulled from a running app), beside the same cache dir.
fn wal_copy(root: &Path, db: &Path, key: &str) -> PathBuf {
    let dir = root.join("keys-wal");
    let pulled = dir.join("pulled/app.db");
    if pulled.exists() && dir.join("pulled/app.db-wal").exists() {
        return pulled;
    }
    std::fs::create_dir_all(pulled.parent().unwrap()).unwrap();
    let live = dir.join("live.db");
    std::fs::copy(db, &live).unwrap();
    let conn = rusqlite::Connection::open(&live).unwrap();
    conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0;").unwrap();
    conn.execute("UPDATE cache_entries SET size_bytes = size_bytes + 1 WHERE cache_key = ?1", [key]).unwrap();
    for suffix in ["", "-wal"] {
        std::fs::copy(format!("{}{suffix}", live.display()), format!("{}{suffix}", pulled.display())).unwrap();
    }
    drop(conn);
    let _ = std::fs::remove_file(&live);
    pulled
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return; // Only under `cargo bench`: the dump takes minutes to make.
    }
    let big = env_num("CACHESCOPE_BENCH_KEYS", 1_000_000);
    let runs = env_num("CACHESCOPE_BENCH_RUNS", 5).max(1);
    let base = std::env::var_os("CACHESCOPE_BENCH_DIR").map(PathBuf::from).unwrap_or_else(std::env::temp_dir);
    let root = base.join(format!("cachescope-bench-{big}"));
    let dump = root.join("large");
    if !dump.join("databases/app.db").exists() {
        eprintln!("writing a {big}-key dump in {} (once)", dump.display());
        let ok = Command::new(BIN).arg("demo").arg(&dump).args(["--keys", &big.to_string(), "--seed", "1"]).status();
        assert!(ok.is_ok_and(|s| s.success()), "demo failed");
    }
    let cache = dump.join("cache/audio");
    let db = dump.join("databases/app.db");
    let key = some_key(&cache);
    let files = std::fs::read_dir(&cache).map_or(0, |d| d.count());
    eprintln!("dump {} ({files} files), key {key}, {runs} runs", dump.display());

    let d = dump.as_os_str();
    let k = std::ffi::OsStr::new(&key);
    let keyed = || check(&[d, "--key".as_ref(), k]);
    let full = || check(&[d]);
    // Warm: one untimed pass of each.
    time(&mut keyed());
    time(&mut full());
    let t_key = median(runs, keyed);
    let t_full = median(runs.min(3), full);
    println!(
        "check --key K --format json, {big} keys, flat, no -wal: {} (read {}); full check {}; ratio {:.3}; target well under a second",
        secs(t_key),
        scanned(&mut keyed()),
        secs(t_full),
        t_key.as_secs_f64() / t_full.as_secs_f64()
    );

    let pulled = wal_copy(&root, &db, &key);
    let with_wal = || {
        let mut c = Command::new(BIN);
        c.arg("check").arg("--db").arg(&pulled).arg("--cache-dir").arg(&cache);
        c.args(["--key", &key, "--format", "json"]);
        c
    };
    time(&mut with_wal());
    let t_wal = median(runs, with_wal);
    println!(
        "check --key K --format json, {big} keys, flat, database with -wal content (copied first): {} (read {}); target well under a second",
        secs(t_wal),
        scanned(&mut with_wal())
    );
}
