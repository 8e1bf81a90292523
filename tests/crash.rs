//! Kill apply, undo and recover at every step (failpoints in a child process)
//! and at random moments (SIGKILL), then recover: the dump is always exactly
//! before or after the batch, with no byte lost.
//!
//! Needs `--features failpoints` (the README's `cargo test --all-features`).
//! `CACHESCOPE_CRASH_TRIALS=N` runs N random kills instead of the default 6.

mod common;

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use common::*;
use rusqlite::types::Value;

type Files = BTreeMap<Vec<u8>, String>;

fn db_of(d: &Path) -> PathBuf {
    if d.join("databases/app.db").exists() { d.join("databases/app.db") } else { d.join("app.db") }
}

/// Files outside `.cachescope` (the database excluded), and the rows.
fn snapshot(d: &Path) -> (Files, Vec<Vec<Value>>) {
    let mut files = tree(d);
    files.retain(|k, v| {
        v != "dir" && !k.starts_with(b".cachescope") && !k.ends_with(b".db") && !k.ends_with(b"-journal")
    });
    (files, rows(&db_of(d)))
}

fn audit_rows(d: &Path) -> i64 {
    let conn = rusqlite::Connection::open(db_of(d)).unwrap();
    conn.query_row("SELECT count(*) FROM sqlite_master WHERE name = 'cache_audit'", [], |r| r.get::<_, i64>(0))
        .and_then(|n| if n == 0 { Ok(0) } else { conn.query_row("SELECT count(*) FROM cache_audit", [], |r| r.get(0)) })
        .unwrap()
}

fn integrity_ok(d: &Path) {
    let conn = rusqlite::Connection::open(db_of(d)).unwrap();
    let s: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(s, "ok");
}

/// Every quarantined file, by its path relative to the batch folder.
fn quarantined(d: &Path) -> Files {
    let q = d.join(".cachescope/quarantine");
    let mut out = Files::new();
    if !q.exists() {
        return out;
    }
    for e in walkdir::WalkDir::new(&q).min_depth(2) {
        let e = e.unwrap();
        if e.file_type().is_file() {
            let rel: PathBuf = e.path().strip_prefix(&q).unwrap().components().skip(1).collect();
            out.insert(rel.as_os_str().as_bytes().to_vec(), tree(e.path()).into_values().next().unwrap());
        }
    }
    out
}

/// The invariants after recovery: exactly before or exactly after, no byte lost.
fn assert_whole(d: &Path, before: &(Files, Vec<Vec<Value>>), after: &(Files, Vec<Vec<Value>>), what: &str) -> bool {
    integrity_ok(d);
    assert!(!d.join(".cachescope/journal").exists(), "{what}: journal left behind");
    let now = snapshot(d);
    let cache_rel =
        |k: &[u8]| k.strip_prefix(b"cache/audio/").or_else(|| k.strip_prefix(b"audio/")).map(<[u8]>::to_vec);
    let q = quarantined(d);
    // every original file is in place or in quarantine with identical bytes
    for (path, hash) in &before.0 {
        let in_place = now.0.get(path) == Some(hash);
        let kept = cache_rel(path).is_some_and(|rel| q.get(&rel) == Some(hash));
        assert!(in_place || kept, "{what}: {} lost", String::from_utf8_lossy(path));
    }
    if now == *before {
        assert_eq!(audit_rows(d), 0, "{what}: rolled back, so no audit rows");
        false
    } else {
        assert_eq!(now.1, after.1, "{what}: rows are neither before nor after");
        assert_eq!(now.0, after.0, "{what}: files are neither before nor after");
        assert!(audit_rows(d) > 0, "{what}: committed, so audit rows");
        true
    }
}

fn apply_cmd(d: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_cachescope"));
    c.arg("apply").arg(d).arg("--yes").stdout(Stdio::null()).stderr(Stdio::null());
    c
}

fn with_failpoint(mut c: Command, fp: &str) -> bool {
    c.env("CACHESCOPE_FAILPOINT", fp);
    let status = c.status().unwrap();
    status.code().is_none() // aborted by the failpoint (a signal), not a normal exit
}

fn recover(d: &Path) {
    let out = cachescope([OsStr::new("recover"), d.as_os_str()]);
    assert_eq!(out.code, 0, "recover failed: {out:?}");
}

/// A demo dump, its state, and the state a clean apply leaves.
struct Fixture {
    _tmp: tempfile::TempDir,
    src: PathBuf,
    before: (Files, Vec<Vec<Value>>),
    after: (Files, Vec<Vec<Value>>),
}

fn fixture(keys: u64) -> Fixture {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    cachescope::core::demo::write_demo(&src, keys, 11).unwrap();
    let before = snapshot(&src);
    let reference = tmp.path().join("reference");
    copy_dump(&src, &reference);
    let out = cachescope([OsStr::new("apply"), reference.as_os_str(), OsStr::new("--yes")]);
    assert_eq!(out.code, 0, "{out:?}");
    let after = snapshot(&reference);
    assert_ne!(before, after);
    Fixture { _tmp: tmp, src, before, after }
}

#[test]
fn a_crash_at_every_step_of_apply_recovers_to_before_or_after() {
    let fx = fixture(300);
    let moves_expected = fx.before.0.len() - fx.after.0.len();
    assert!(moves_expected >= 3);
    let mut points: Vec<String> = cachescope::core::failpoint::ALL
        .iter()
        .filter(|p| p.starts_with("batch.") || p.starts_with("apply."))
        .map(|p| p.to_string())
        .collect();
    points.push("batch.before_move:2".into());
    points.push(format!("batch.after_move:{moves_expected}"));
    for fp in &points {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path().join("d");
        copy_dump(&fx.src, &d);
        assert!(with_failpoint(apply_cmd(&d), fp), "{fp}: the child should have aborted");
        if d.join(".cachescope/journal").exists() {
            let out = cachescope([OsStr::new("check"), d.as_os_str()]);
            assert!(out.one_line_error().contains("interrupted"), "{fp}: check must notice");
        }
        recover(&d);
        let committed = assert_whole(&d, &fx.before, &fx.after, fp);
        assert_eq!(committed, fp == "batch.after_commit", "{fp}");
        if committed {
            let out = cachescope([OsStr::new("plan"), d.as_os_str()]);
            assert!(out.stdout.contains("Nothing to do"), "{fp}: {}", out.stdout);
        }
        // and the dump is usable again: a full apply brings it to the after state
        let out = cachescope([OsStr::new("apply"), d.as_os_str(), OsStr::new("--yes")]);
        assert_eq!(out.code, 0, "{fp}: {out:?}");
        assert_eq!(snapshot(&d), fx.after, "{fp}");
    }
}

#[test]
fn apply_after_a_crash_recovers_first() {
    let fx = fixture(120);
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("d");
    copy_dump(&fx.src, &d);
    assert!(with_failpoint(apply_cmd(&d), "batch.before_commit"));
    let out = cachescope([OsStr::new("apply"), d.as_os_str(), OsStr::new("--yes")]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains("Recovered first"), "{}", out.stdout);
    assert_eq!(snapshot(&d), fx.after);
}

#[test]
fn a_crash_inside_recovery_is_recovered_by_the_next_recovery() {
    let fx = fixture(120);
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("d");
    copy_dump(&fx.src, &d);
    assert!(with_failpoint(apply_cmd(&d), "batch.before_commit"));
    let mut c = Command::new(env!("CARGO_BIN_EXE_cachescope"));
    c.arg("recover").arg(&d).stdout(Stdio::null()).stderr(Stdio::null());
    assert!(with_failpoint(c, "recover.after_move_back"));
    recover(&d);
    assert!(!assert_whole(&d, &fx.before, &fx.after, "recover killed"));
}

#[test]
fn a_crash_during_undo_leaves_the_undo_whole_or_not_at_all() {
    let fx = fixture(120);
    for fp in
        ["batch.after_journal", "undo.after_sql", "batch.after_move:2", "batch.before_commit", "batch.after_commit"]
    {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path().join("d");
        copy_dump(&fx.src, &d);
        assert_eq!(cachescope([OsStr::new("apply"), d.as_os_str(), OsStr::new("--yes")]).code, 0);
        let mut c = Command::new(env!("CARGO_BIN_EXE_cachescope"));
        c.arg("undo").arg(&d).stdout(Stdio::null()).stderr(Stdio::null());
        assert!(with_failpoint(c, fp), "{fp}");
        recover(&d);
        integrity_ok(&d);
        let now = snapshot(&d);
        if fp == "batch.after_commit" {
            assert_eq!(now, fx.before, "{fp}: the undo committed");
        } else {
            assert_eq!(now, fx.after, "{fp}: the undo rolled back");
            assert_eq!(cachescope([OsStr::new("undo"), d.as_os_str()]).code, 0);
            assert_eq!(snapshot(&d), fx.before, "{fp}: undo works after recovery");
        }
    }
}

/// A dump with thousands of fixes: orphans to register, partial files to quarantine.
fn big_dump(dir: &Path) {
    let d = dir;
    std::fs::create_dir_all(d.join("audio")).unwrap();
    let conn = rusqlite::Connection::open(d.join("app.db")).unwrap();
    conn.execute_batch(SCHEMA).unwrap();
    let tx = conn.unchecked_transaction().unwrap();
    let (w, m) = (wav(64), m4a(10, 16));
    for n in 0..4000u32 {
        let k = key(n);
        match n % 4 {
            0 => std::fs::write(d.join("audio").join(format!("{k}.m4a")), &m).unwrap(), // orphan
            1 => std::fs::write(d.join("audio").join(format!("{k}.wav.tmp")), b"half").unwrap(), // incomplete
            _ => {
                std::fs::write(d.join("audio").join(format!("{k}.wav")), &w).unwrap();
                let size = if n % 4 == 2 { w.len() as i64 } else { 1 }; // size mismatch
                tx.execute(
                    "INSERT INTO cache_entries (cache_key, compression_state, size_bytes, created_at) VALUES (?1, 'wav', ?2, 0)",
                    rusqlite::params![k, size],
                )
                .unwrap();
            }
        }
    }
    tx.commit().unwrap();
}

#[test]
fn killing_a_real_apply_at_random_moments_loses_nothing() {
    let trials: u32 = std::env::var("CACHESCOPE_CRASH_TRIALS").ok().and_then(|v| v.parse().ok()).unwrap_or(6);
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    big_dump(&src);
    let before = snapshot(&src);
    let reference = tmp.path().join("reference");
    copy_dump(&src, &reference);
    let start = Instant::now();
    assert!(apply_cmd(&reference).status().unwrap().success());
    let full = start.elapsed();
    let after = snapshot(&reference);
    let mut rng = fastrand::Rng::with_seed(
        std::env::var("CACHESCOPE_CRASH_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(42),
    );
    let (mut committed, mut rolled_back) = (0, 0);
    for t in 0..trials {
        let d = tmp.path().join(format!("t{t}"));
        copy_dump(&src, &d);
        let mut child = apply_cmd(&d).spawn().unwrap();
        let delay = full.mul_f64(rng.f64() * 1.1);
        std::thread::sleep(delay);
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        recover(&d);
        if assert_whole(&d, &before, &after, &format!("kill after {delay:?}")) {
            committed += 1;
        } else {
            rolled_back += 1;
        }
        std::fs::remove_dir_all(&d).unwrap();
    }
    eprintln!("{trials} random kills (full apply {full:?}): {committed} committed, {rolled_back} rolled back");
}

#[test]
fn an_interrupted_apply_is_reported_by_check_and_readable_by_the_inspector() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("d");
    big_dump(&d);
    let before = snapshot(&d);
    assert!(with_failpoint(apply_cmd(&d), "batch.after_move:900"));
    let out = cachescope([OsStr::new("check"), d.as_os_str()]);
    let line = out.one_line_error();
    assert!(line.contains("interrupted") && line.contains("recover"), "{line}");
    // The inspector opens it (showing the banner) as recovery will leave it.
    let dump =
        cachescope::core::Dump::locate(&cachescope::core::Locate { path: Some(d.clone()), ..Default::default() })
            .unwrap();
    let ins = cachescope::core::Inspection::open(&dump, &cachescope::core::Control::none()).unwrap();
    assert!(ins.interrupted.is_some());
    assert_eq!(ins.rows.len(), before.1.len());
    recover(&d);
    assert_eq!(snapshot(&d), before);
}

#[test]
fn a_kill_just_before_commit_leaves_a_hot_journal_that_check_and_recover_handle() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("d");
    big_dump(&d);
    let before = snapshot(&d);
    assert!(with_failpoint(apply_cmd(&d), "batch.before_commit"));
    // Thousands of changed rows overflow SQLite's page cache: the database
    // file holds uncommitted pages and only its hot journal can undo them.
    // (A kill in the middle of such a write, which the random-kill test can
    // hit, tears the file itself: discovery must then read it rolled back.)
    let journal = std::fs::read(d.join("app.db-journal")).unwrap_or_default();
    assert!(journal.starts_with(&[0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7]), "expected a hot journal");
    let out = cachescope([OsStr::new("check"), d.as_os_str()]);
    assert!(out.one_line_error().contains("interrupted"), "{out:?}");
    recover(&d);
    assert_eq!(snapshot(&d), before);
    integrity_ok(&d);
}

/// Runs apply with the hook `CACHESCOPE_HOOK=point` running `cmd` there.
fn apply_with_hook(d: &Path, point: &str, cmd: &str) -> std::process::Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_cachescope"));
    c.arg("apply").arg(d).args(["--yes", "--fix", "stray_file=quarantine"]);
    c.env("CACHESCOPE_HOOK", point).env("CACHESCOPE_HOOK_CMD", cmd).env("NO_COLOR", "1");
    c.output().unwrap()
}

#[test]
fn a_file_renamed_between_its_recheck_and_its_move_is_skipped_alone() {
    let d = TestDump::new(Layout::Flat);
    for n in 0..5 {
        d.file(&format!("stray-{n}.txt"), b"x");
    }
    let s = d.m4a(&key(1), 10);
    d.row(&key(1), "m4a", Some(s + 1), Some(1000)); // a size fix that must still commit
    let victim = d.cache.join("stray-2.txt");
    let cmd = format!("mv '{}' '{}'", victim.display(), d.root().join("moved-away.txt").display());
    // The third move's source is renamed after its re-check, just before its rename.
    let out = apply_with_hook(d.root(), "batch.before_move:3", &cmd);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout} {}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("5 of 6 fixes applied, 1 skipped as stale"), "{stdout}");
    assert!(stdout.contains("stray-2.txt is gone"), "{stdout}");
    assert!(d.root().join("moved-away.txt").exists());
    let events = rusqlite::Connection::open(&d.db)
        .unwrap()
        .query_row("SELECT count(*) FROM cache_audit WHERE event_type = 'fix_skipped_stale'", [], |r| {
            r.get::<_, i64>(0)
        })
        .unwrap();
    assert_eq!(events, 1, "the skipped fix is audited");
    assert!(!d.root().join(".cachescope/journal").exists());
}

#[test]
fn check_during_a_running_apply_says_an_apply_is_running() {
    let d = TestDump::new(Layout::Flat);
    d.file("stray.txt", b"x");
    let s = d.m4a(&key(1), 10);
    d.row(&key(1), "m4a", Some(s), Some(1000));
    let flag = d.root().join("holding");
    // The apply waits at its first move until the test removes the flag.
    let cmd = format!("touch '{0}'; while [ -e '{0}' ]; do sleep 0.05; done", flag.display());
    let root = d.root().to_path_buf();
    let apply = std::thread::spawn(move || apply_with_hook(&root, "batch.before_move", &cmd));
    let start = Instant::now();
    while !flag.exists() {
        assert!(start.elapsed().as_secs() < 60, "the apply never reached its first move");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let out = cachescope([OsStr::new("check"), d.root().as_os_str()]);
    let line = out.one_line_error().to_string();
    std::fs::remove_file(&flag).unwrap();
    assert!(line.contains("is running on") && line.contains("right now"), "{line}");
    assert!(!line.contains("run `cachescope recover"), "{line}");
    assert_eq!(apply.join().unwrap().status.code(), Some(0));
}

#[test]
fn history_on_an_interrupted_dump_reads_it_as_recovery_will_leave_it() {
    let f = fixture(80);
    let out = cachescope([OsStr::new("apply"), f.src.as_os_str(), OsStr::new("--yes")]);
    assert_eq!(out.code, 0);
    let mut c = apply_cmd(&f.src);
    c.args(["--fix", "stray_file=quarantine"]);
    assert!(with_failpoint(c, "batch.before_commit"));
    let out = cachescope([OsStr::new("history"), f.src.as_os_str()]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(!out.stdout.contains("sqlite3") && !out.stderr.contains("sqlite3"), "{out:?}");
    assert!(out.stdout.lines().any(|l| l.trim_start().starts_with("1 ")), "{}", out.stdout);
    assert!(out.stderr.contains(&format!("cachescope recover {}", f.src.display())), "{}", out.stderr);
}

#[test]
fn sigterm_or_ctrl_c_during_a_headless_apply_rolls_back_and_exits_130() {
    for sig in ["TERM", "INT"] {
        let f = fixture(120);
        let d = &f.src;
        // The signal arrives after the SQL phase, before the file moves.
        let out = apply_with_hook(d, "apply.after_sql", &format!("kill -{sig} $PPID"));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(130), "SIG{sig}: {stderr}");
        let lines: Vec<&str> = stderr.lines().collect();
        assert_eq!(lines.len(), 1, "one sentence: {stderr}");
        assert!(lines[0].contains("interrupted") && lines[0].contains("rolled back"), "{stderr}");
        assert!(!d.join(".cachescope/journal").exists(), "nothing pending");
        assert_eq!(snapshot(d), f.before, "SIG{sig}: the dump is as it was");
        assert_eq!(cachescope([OsStr::new("check"), d.as_os_str()]).code, 1, "not interrupted");
    }
}

/// `check` reads an untouched database where it lies, without copying it.
/// A writer that commits during that read changes the file: the rows just
/// read may be torn, so the database is read again from a private copy,
/// and the report is the database as the writer left it.
#[test]
fn a_database_changed_while_check_reads_it_in_place_is_read_again_from_a_copy() {
    let d = TestDump::new(Layout::Android);
    let s = d.m4a(&key(1), 10);
    d.row(&key(1), "m4a", Some(s), Some(1000));
    let elsewhere = tempfile::tempdir().unwrap();
    let later = elsewhere.path().join("later.db");
    std::fs::copy(&d.db, &later).unwrap();
    rusqlite::Connection::open(&later)
        .unwrap()
        .execute("UPDATE cache_entries SET size_bytes = size_bytes + 1", [])
        .unwrap();
    let check = |hook: Option<String>| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_cachescope"));
        c.arg("check").arg(d.root()).args(["--format", "json"]);
        if let Some(cmd) = hook {
            c.env("CACHESCOPE_HOOK", "inspect.rows_in_place").env("CACHESCOPE_HOOK_CMD", cmd);
        }
        let out = c.output().unwrap();
        (out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned())
    };
    let (code, report) = check(None);
    assert_eq!(code, Some(0), "{report}");
    // The writer commits (here: the whole file replaced in place) right after the rows were read.
    let (code, report) = check(Some(format!("cat '{}' > '{}'", later.display(), d.db.display())));
    assert_eq!(code, Some(1), "{report}");
    assert!(report.contains("size_mismatch"), "{report}");
}
