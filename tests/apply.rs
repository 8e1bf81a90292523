//! `plan`, `apply`, `history`, `undo`: the full cycle, selections, stale
//! fixes, the blast-radius guard and a locked database.

mod common;

use std::ffi::OsStr;
use std::path::Path;

use cachescope::core::{ApplyOptions, Control, Dump, Inspection, Locate, Outcome, Selection, Session, apply, plan};
use common::*;

fn run(args: &[&str], dump: &Path) -> Out {
    let mut a: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
    a.insert(1, dump.as_os_str());
    cachescope(a)
}

/// A dump with every kind of discrepancy (built by the demo generator).
fn demo(keys: u64, seed: u64) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    cachescope::core::demo::write_demo(&dir.path().join("d"), keys, seed).unwrap();
    dir
}

fn no_warnings(dump: &Path) -> bool {
    let (_, r) = report(dump);
    r["discrepancies"].as_array().unwrap().iter().all(|d| d["severity"] == "info")
}

/// Files outside `.cachescope`, and the database rows.
fn state(dump: &Path) -> (std::collections::BTreeMap<Vec<u8>, String>, Vec<Vec<rusqlite::types::Value>>) {
    let mut files = tree(dump);
    files.retain(|k, _| !k.starts_with(b".cachescope") && !k.ends_with(b"app.db") && !k.ends_with(b"-journal"));
    (files, rows(&dump.join("databases/app.db")))
}

#[test]
fn apply_defaults_then_check_clean_then_apply_again_changes_nothing_then_undo_restores() {
    let tmp = demo(400, 7);
    let d = tmp.path().join("d");
    let before = state(&d);
    assert!(!no_warnings(&d));

    let out = run(&["apply", "--yes"], &d);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains("Applied batch 1"), "{}", out.stdout);
    assert!(no_warnings(&d), "after apply nothing of severity warning/error is left");
    assert!(d.join(".cachescope/backups").read_dir().unwrap().next().is_some(), "a backup was made");

    let after = state(&d);
    let again = run(&["apply", "--yes"], &d);
    assert_eq!(again.code, 0);
    assert!(again.stdout.contains("Nothing to apply"), "{}", again.stdout);
    assert_eq!(state(&d), after, "second apply changes nothing");

    let hist = run(&["history"], &d);
    assert!(hist.stdout.contains("apply") && hist.stdout.contains("file_quarantined"), "{}", hist.stdout);

    let undo = run(&["undo"], &d);
    assert_eq!(undo.code, 0, "{undo:?}");
    assert_eq!(state(&d), before, "undo restores rows and files byte for byte");
    let hist = run(&["history", "--format", "json"], &d);
    let h: serde_json::Value = serde_json::from_str(&hist.stdout).unwrap();
    assert_eq!(h[0]["undone_by"], 2);
    assert_eq!(h[1]["undoes"], 1);
    let twice = run(&["undo", "--batch", "1"], &d);
    assert!(twice.one_line_error().contains("already undone"));
}

#[test]
fn apply_needs_yes_and_changes_nothing_without_it() {
    let tmp = demo(60, 1);
    let d = tmp.path().join("d");
    let before = tree(&d);
    let out = run(&["apply"], &d);
    assert!(out.one_line_error().contains("--yes"));
    assert_eq!(tree(&d), before);
}

#[test]
fn only_and_fix_select_what_is_planned_and_applied() {
    let tmp = demo(200, 3);
    let d = tmp.path().join("d");
    let out = run(&["plan", "--only", "ghost_entry", "--fix", "ghost_entry=delete_entry", "--format", "json"], &d);
    assert_eq!(out.code, 0, "{out:?}");
    let p: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let items = p["items"].as_array().unwrap();
    assert!(!items.is_empty());
    assert!(items.iter().all(|i| i["kind"] == "ghost_entry" && i["fix"] == "delete_entry"));
    assert!(items.iter().all(|i| i["op"]["sql"].as_str().unwrap().starts_with("DELETE FROM cache_entries WHERE")));

    let text = run(&["plan", "--only", "stray_file", "--fix", "stray_file=quarantine"], &d);
    assert!(text.stdout.contains("  > notes.txt → .cachescope/quarantine/<batch>/"), "{}", text.stdout);
    let sql = run(&["plan", "--only", "stray_file", "--fix", "stray_file=quarantine", "--format", "sql"], &d);
    assert!(
        sql.stdout.contains("mv notes.txt -> .cachescope/quarantine/<batch>/notes.txt  -- quarantine"),
        "{}",
        sql.stdout
    );
    // Without --fix, strays have no fix: the plan says which flag adds them.
    let none = run(&["plan", "--only", "stray_file"], &d);
    assert!(
        none.stdout.contains("Nothing to do") && none.stdout.contains("--fix stray_file=quarantine"),
        "{}",
        none.stdout
    );

    let bad = run(&["plan", "--fix", "orphaned_file=delete_entry"], &d);
    assert!(bad.one_line_error().contains("not a fix for orphaned_file"));
    let bad = run(&["plan", "--only", "nonsense"], &d);
    assert!(bad.one_line_error().contains("unknown kind"));

    let out = run(&["apply", "--yes", "--only", "ghost_entry", "--fix", "ghost_entry=delete_entry"], &d);
    assert_eq!(out.code, 0, "{out:?}");
    let (_, r) = report(&d);
    assert_eq!(r["summary"]["ghost_entry"], 0);
    assert!(r["summary"]["orphaned_file"].as_u64().unwrap() > 0, "other kinds untouched");
    assert_eq!(run(&["undo"], &d).code, 0);
    let (_, r) = report(&d);
    assert!(r["summary"]["ghost_entry"].as_u64().unwrap() > 0, "deleted rows come back");
}

fn open(d: &Path) -> (Dump, Inspection) {
    let dump = Dump::locate(&Locate { path: Some(d.to_path_buf()), ..Default::default() }).unwrap();
    let ins = Inspection::open(&dump, &Control::none()).unwrap();
    (dump, ins)
}

#[test]
fn fixes_whose_world_changed_since_the_plan_are_skipped_as_stale() {
    let d = TestDump::new(Layout::Flat);
    // quarantine targets: six incomplete files, each then disturbed differently
    let names: Vec<String> = (1..=6).map(|n| d.file(&format!("{}.wav", key(n)), &wav_declaring(1000, 10))).collect();
    d.row(&key(20), "m4a", Some(5), None); // ghost: its row gets edited
    let s = d.m4a(&key(21), 50);
    d.row(&key(21), "m4a", Some(s + 1), None); // size mismatch: file replaced
    d.m4a(&key(22), 10); // orphan: untouched, must apply
    let (dump, ins) = open(d.root());
    let p = plan(&ins, &Selection::default());
    let c = &d.cache;
    // appended, touched, replaced (new inode), deleted, target occupied, untouched
    std::fs::OpenOptions::new().append(true).open(c.join(&names[0])).unwrap().set_len(100).unwrap();
    let f = std::fs::File::options().write(true).open(c.join(&names[1])).unwrap();
    f.set_modified(std::time::SystemTime::UNIX_EPOCH).unwrap();
    let bytes = std::fs::read(c.join(&names[2])).unwrap();
    std::fs::remove_file(c.join(&names[2])).unwrap();
    std::fs::write(c.join(&names[2]), &bytes).unwrap();
    std::fs::remove_file(c.join(&names[3])).unwrap();
    let rusq = rusqlite::Connection::open(&d.db).unwrap();
    rusq.execute("UPDATE cache_entries SET compression_state = 'wav' WHERE cache_key = ?1", [key(20)]).unwrap();
    let m = c.join(format!("{}.m4a", key(21)));
    let b = std::fs::read(&m).unwrap();
    std::fs::remove_file(&m).unwrap();
    std::fs::write(&m, &b).unwrap();
    drop(rusq);
    let session = Session::begin(&dump).unwrap();
    // occupy the quarantine target of names[4] for the next batch id (1)
    let occupied = session.quarantine_dir(1).join(&names[4]);
    std::fs::create_dir_all(occupied.parent().unwrap()).unwrap();
    std::fs::write(&occupied, b"someone else's").unwrap();

    let report = apply(&session, &p, &ApplyOptions::default(), &Control::none()).unwrap();
    let outcome = |id_part: &str| report.outcomes.iter().find(|o| o.0.contains(id_part)).unwrap().2.clone();
    for n in &names[..5] {
        assert!(matches!(outcome(n), Outcome::Stale(_)), "{n}: {:?}", outcome(n));
    }
    assert_eq!(outcome(&names[5]), Outcome::Applied);
    assert!(matches!(outcome(&format!("ghost_entry:{}", key(20))), Outcome::Stale(_)));
    assert!(matches!(outcome(&format!("size_mismatch:{}", key(21))), Outcome::Stale(_)));
    assert_eq!(outcome(&format!("orphaned_file:{}", key(22))), Outcome::Applied);
    assert_eq!(std::fs::read(&occupied).unwrap(), b"someone else's", "nothing overwritten");
    assert!(c.join(&names[4]).exists(), "the stale file stays in place");
    let stale_audits: i64 = rusqlite::Connection::open(&d.db)
        .unwrap()
        .query_row("SELECT count(*) FROM cache_audit WHERE event_type = 'fix_skipped_stale'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(stale_audits, 7, "each stale skip is audited");
}

#[test]
fn blast_radius_guard_refuses_mass_changes_without_the_flag() {
    let d = TestDump::new(Layout::Flat);
    for n in 0..10 {
        d.row(&key(n), "m4a", Some(10), None);
    }
    let s = d.m4a(&key(100), 10);
    d.row(&key(100), "m4a", Some(s), None);
    let before = tree(d.root());
    let out = run(&["apply", "--yes"], d.root());
    let line = out.one_line_error();
    assert!(
        line.contains("--allow-mass-change") && line.contains(&format!("refusing to apply to {}", d.root().display())),
        "{out:?}"
    );
    let mut now = tree(d.root());
    now.retain(|k, _| !k.starts_with(b".cachescope"));
    assert_eq!(now, before);
    let out = run(&["apply", "--yes", "--allow-mass-change"], d.root());
    assert_eq!(out.code, 0, "{out:?}");

    // an empty cache dir (unmounted copy): every row a ghost
    let e = TestDump::new(Layout::Android);
    e.row(&key(1), "m4a", Some(10), None);
    e.row(&key(2), "wav", Some(10), None);
    e.row(&key(3), "failed", None, None);
    e.row(&key(4), "failed", None, None);
    e.row(&key(5), "failed", None, None);
    let out = run(&["apply", "--yes"], e.root());
    assert!(out.one_line_error().contains("no audio file"), "{out:?}");
}

#[test]
fn a_locked_database_waits_then_fails_clearly_and_changes_nothing() {
    let tmp = demo(60, 2);
    let d = tmp.path().join("d");
    let before = state(&d);
    let holder = rusqlite::Connection::open(d.join("databases/app.db")).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    let start = std::time::Instant::now();
    let out = cachescope_env(
        [OsStr::new("apply"), d.as_os_str(), OsStr::new("--yes")],
        &[("CACHESCOPE_BUSY_TIMEOUT_MS", "400")],
    );
    let line = out.one_line_error();
    assert!(line.contains("locked"), "{line}");
    assert!(start.elapsed() >= std::time::Duration::from_millis(400), "it waited");
    holder.execute_batch("ROLLBACK").unwrap();
    drop(holder);
    assert_eq!(state(&d), before);
    assert!(!d.join(".cachescope/journal").exists());
}

#[test]
fn a_second_apply_fails_fast_while_one_holds_the_lock() {
    let tmp = demo(60, 2);
    let d = tmp.path().join("d");
    let dump = Dump::locate(&Locate { path: Some(d.clone()), ..Default::default() }).unwrap();
    let session = Session::begin(&dump).unwrap();
    let out = run(&["apply", "--yes"], &d);
    assert!(out.one_line_error().contains("another cachescope"), "{out:?}");
    drop(session);
    assert_eq!(run(&["apply", "--yes"], &d).code, 0);
}

#[test]
fn undo_with_nothing_to_undo_is_a_clear_error() {
    let tmp = demo(30, 2);
    let out = run(&["undo"], &tmp.path().join("d"));
    assert!(out.one_line_error().contains("no applied batch"));
    let out = run(&["undo", "--batch", "9"], &tmp.path().join("d"));
    assert!(out.one_line_error().contains("no batch 9"));
}

#[test]
fn odd_file_names_round_trip_through_quarantine_and_undo() {
    use std::os::unix::ffi::OsStrExt;
    let d = TestDump::new(Layout::Flat);
    let names: Vec<&[u8]> = vec![b"caf\xe9.wav", b"new\nline.m4a", b"-rf.part", b"sp ace.txt"];
    for n in &names {
        std::fs::write(d.cache.join(OsStr::from_bytes(n)), b"payload").unwrap();
    }
    let long = format!("{}.download", "k".repeat(246)); // 255 bytes
    std::fs::write(d.cache.join(&long), b"payload").unwrap();
    let s = d.m4a(&key(1), 10);
    d.row(&key(1), "m4a", Some(s), None);
    let before = tree(d.root());
    let out = run(&["apply", "--yes", "--fix", "stray_file=quarantine"], d.root());
    assert_eq!(out.code, 0, "{out:?}");
    for n in &names {
        assert!(!d.cache.join(OsStr::from_bytes(n)).exists());
        assert!(d.root().join(".cachescope/quarantine/1").join(OsStr::from_bytes(n)).exists());
    }
    assert!(d.root().join(".cachescope/quarantine/1").join(&long).exists());
    assert_eq!(run(&["undo"], d.root()).code, 0);
    let mut now = tree(d.root());
    now.retain(|k, _| !k.starts_with(b".cachescope") && !k.ends_with(b"app.db"));
    let mut was = before;
    was.retain(|k, _| !k.ends_with(b"app.db"));
    assert_eq!(now, was);
}

#[test]
fn undo_restores_the_row_as_it_was_at_apply_time_not_at_scan_time() {
    let d = TestDump::new(Layout::Flat);
    d.row(&key(1), "m4a", Some(10), None); // a ghost
    let s = d.m4a(&key(2), 10);
    d.row(&key(2), "m4a", Some(s), None);
    let (dump, ins) = open(d.root());
    let p = plan(&ins, &Selection::default());
    // The app touches a column no fix reads, after the scan.
    let conn = rusqlite::Connection::open(&d.db).unwrap();
    conn.execute("UPDATE cache_entries SET last_used_at = 42 WHERE cache_key = ?1", [key(1)]).unwrap();
    drop(conn);
    let session = Session::begin(&dump).unwrap();
    let report = apply(&session, &p, &ApplyOptions::default(), &Control::none()).unwrap();
    assert_eq!(report.applied(), 1, "the compare-and-swap columns did not change");
    let after_apply = rows(&d.db);
    cachescope::core::undo(&session, None).unwrap();
    let restored = rows(&d.db);
    let ghost = restored.iter().find(|r| r[0] == rusqlite::types::Value::Text(key(1))).unwrap();
    assert_eq!(ghost[9], rusqlite::types::Value::Integer(42), "last_used_at as the app left it");
    assert_eq!(ghost[4], rusqlite::types::Value::Text("m4a".into()));
    assert_ne!(after_apply, restored);
}

#[test]
fn an_app_still_reading_the_database_is_waited_for_before_any_file_moves() {
    let tmp = demo(60, 2);
    let d = tmp.path().join("d");
    let before = state(&d);
    let reader = rusqlite::Connection::open(d.join("databases/app.db")).unwrap();
    reader.execute_batch("BEGIN").unwrap();
    let _: i64 = reader.query_row("SELECT count(*) FROM cache_entries", [], |r| r.get(0)).unwrap();
    let out = cachescope_env(
        [OsStr::new("apply"), d.as_os_str(), OsStr::new("--yes")],
        &[("CACHESCOPE_BUSY_TIMEOUT_MS", "300")],
    );
    assert!(out.one_line_error().contains("locked"), "{out:?}");
    reader.execute_batch("COMMIT").unwrap();
    drop(reader);
    assert_eq!(state(&d), before, "no file moved, no row changed");
    assert!(!d.join(".cachescope/journal").exists());
    assert_eq!(run(&["apply", "--yes"], &d).code, 0, "works once the app lets go");
}

#[test]
fn a_fix_that_would_change_several_rows_or_that_the_database_refuses_fails_alone() {
    // No primary key: two rows share a key. And an extra NOT NULL column
    // without a default, so registering an orphan is refused.
    let ddl = "CREATE TABLE cache_entries (cache_key TEXT, compression_state TEXT NOT NULL, size_bytes INTEGER, created_at INTEGER NOT NULL, owner TEXT NOT NULL);";
    let d = TestDump::with_schema(Layout::Flat, ddl);
    let conn = rusqlite::Connection::open(&d.db).unwrap();
    for _ in 0..2 {
        conn.execute("INSERT INTO cache_entries VALUES (?1, 'm4a', 5, 0, 'app')", [key(1)]).unwrap();
    }
    let s = d.m4a(&key(3), 10);
    conn.execute("INSERT INTO cache_entries VALUES (?1, 'm4a', ?2, 0, 'app')", rusqlite::params![key(3), s + 1])
        .unwrap();
    drop(conn);
    d.m4a(&key(2), 10); // orphan: register is refused (owner NOT NULL)
    let before = rows(&d.db);
    let out = run(&["apply", "--yes", "--allow-mass-change"], d.root());
    assert_eq!(out.code, 1, "three fixes failed: {out:?}");
    assert!(out.stdout.contains("1 of 4 fixes applied, 0 skipped as stale, 3 failed."), "{}", out.stdout);
    let failed = |why: &str| out.stdout.lines().any(|l| l.starts_with("  failed: ") && l.contains(why));
    assert!(failed("would change 2 rows"), "{}", out.stdout);
    assert!(failed("refused it: NOT NULL constraint failed"), "{}", out.stdout);
    let after = rows(&d.db);
    let states: Vec<_> =
        after.iter().filter(|r| r[0] == rusqlite::types::Value::Text(key(1))).map(|r| r[1].clone()).collect();
    assert_eq!(states, vec![rusqlite::types::Value::Text("m4a".into()); 2], "both duplicate rows untouched");
    assert_ne!(before, after, "the size fix of key 3 still applied");
}

#[test]
fn the_database_inside_the_cache_dir_is_never_a_stray_file() {
    let d = TestDump::new(Layout::Flat);
    let s = d.m4a(&key(1), 10);
    d.row(&key(1), "m4a", Some(s), None);
    std::fs::write(d.root().join(format!("{}.m4a", key(2))), m4a(1, 1)).unwrap(); // audio beside the database
    let root = d.root().as_os_str();
    let (_, r) = check_json(&[root, OsStr::new("--cache-dir"), root]);
    let f = found(&r);
    assert!(!f.iter().any(|x| x.2.as_deref().is_some_and(|p| p.starts_with("app.db"))), "{f:?}");
    let out = cachescope([
        OsStr::new("apply"),
        root,
        OsStr::new("--cache-dir"),
        root,
        OsStr::new("--yes"),
        OsStr::new("--fix"),
        OsStr::new("stray_file=quarantine"),
    ]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(d.db.exists(), "the database stays where it is");
}

#[test]
fn stray_links_and_fifos_can_be_quarantined() {
    let d = TestDump::new(Layout::Flat);
    let s = d.m4a(&key(1), 10);
    d.row(&key(1), "m4a", Some(s), None);
    std::os::unix::fs::symlink("/etc/passwd", d.cache.join("link.txt")).unwrap();
    let fifo = std::ffi::CString::new(d.cache.join("pipe").as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o644) }, 0);
    let out = run(&["apply", "--yes", "--fix", "stray_file=quarantine"], d.root());
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains("2 of 2 fixes applied"), "{}", out.stdout);
    let q = d.root().join(".cachescope/quarantine/1");
    assert!(q.join("link.txt").symlink_metadata().unwrap().file_type().is_symlink());
    assert!(q.join("pipe").symlink_metadata().is_ok());
    assert_eq!(run(&["undo"], d.root()).code, 0);
    assert!(d.cache.join("link.txt").symlink_metadata().is_ok() && d.cache.join("pipe").symlink_metadata().is_ok());
}

#[test]
fn a_redundant_wav_is_kept_when_its_m4a_disappeared_since_the_scan() {
    let d = TestDump::new(Layout::Flat);
    let s = d.m4a(&key(1), 10);
    d.row(&key(1), "m4a", Some(s), None);
    d.wav(&key(1), 64);
    let (dump, ins) = open(d.root());
    let p = plan(&ins, &Selection::default());
    std::fs::remove_file(d.cache.join(format!("{}.m4a", key(1)))).unwrap();
    let session = Session::begin(&dump).unwrap();
    let report = apply(&session, &p, &ApplyOptions::default(), &Control::none()).unwrap();
    assert!(matches!(report.outcomes[0].2, Outcome::Stale(_)), "{:?}", report.outcomes);
    assert!(d.cache.join(format!("{}.wav", key(1))).exists(), "the only audio left is kept");
}

#[test]
fn batches_the_app_wrote_itself_are_listed_but_never_undone() {
    let tmp = demo(60, 4);
    let d = tmp.path().join("d");
    let conn = rusqlite::Connection::open(d.join("databases/app.db")).unwrap();
    conn.execute_batch(
        "CREATE TABLE cache_audit (id INTEGER PRIMARY KEY, event_type TEXT NOT NULL, details TEXT, affected_cache_key TEXT, timestamp INTEGER NOT NULL, reconciliation_batch_id INTEGER);
         INSERT INTO cache_audit (event_type, details, timestamp, reconciliation_batch_id) VALUES ('reconcile_start', '{}', 1700000000000, 7);
         INSERT INTO cache_audit (event_type, details, timestamp, reconciliation_batch_id) VALUES ('file_added', '{}', 1700000000001, 7);",
    )
    .unwrap();
    drop(conn);
    let hist = run(&["history", "--format", "json"], &d);
    let h: serde_json::Value = serde_json::from_str(&hist.stdout).unwrap();
    assert_eq!(h[0]["op"], "app");
    assert!(run(&["undo"], &d).one_line_error().contains("no applied batch"));
    assert!(run(&["undo", "--batch", "7"], &d).one_line_error().contains("not written by cachescope"));
    let out = run(&["apply", "--yes"], &d);
    assert!(out.stdout.contains("Applied batch 8"), "{}", out.stdout);
    assert_eq!(run(&["undo"], &d).code, 0);
}

#[test]
fn integer_keys_are_matched_as_stored_and_undone() {
    // No TEXT affinity on cache_key: the app stored integers.
    let ddl = "CREATE TABLE cache_entries (cache_key PRIMARY KEY, compression_state TEXT NOT NULL, size_bytes INTEGER, duration_ms INTEGER, created_at INTEGER NOT NULL);";
    let d = TestDump::with_schema(Layout::Flat, ddl);
    let conn = rusqlite::Connection::open(&d.db).unwrap();
    conn.execute("INSERT INTO cache_entries VALUES (456, 'wav', 1, NULL, 0)", []).unwrap();
    conn.execute("INSERT INTO cache_entries VALUES (789, 'm4a', 1, NULL, 0)", []).unwrap();
    conn.execute("INSERT INTO cache_entries VALUES (111, 'm4a', 1, NULL, 0)", []).unwrap();
    drop(conn);
    std::fs::write(d.cache.join("456.wav"), wav(64)).unwrap();
    std::fs::write(d.cache.join("111.m4a"), m4a(1, 1)).unwrap();
    let before = rows(&d.db);
    let out = run(&["apply", "--yes"], d.root());
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains("0 skipped as stale"), "{}", out.stdout);
    assert_eq!(report(d.root()).0, 0, "clean after apply");
    assert_eq!(run(&["undo"], d.root()).code, 0);
    assert_eq!(rows(&d.db), before, "integers stay integers");
}

#[test]
fn a_fix_the_database_refuses_is_failed_not_stale_exits_1_and_offers_no_undo() {
    // An app version whose table has a NOT NULL column without a default:
    // a registered row cannot fill it, so the database refuses the insert.
    let ddl = "CREATE TABLE cache_entries (cache_key TEXT PRIMARY KEY NOT NULL, compression_state TEXT NOT NULL, size_bytes INTEGER, duration_ms INTEGER, created_at INTEGER NOT NULL, owner TEXT NOT NULL);";
    let d = TestDump::with_schema(Layout::Flat, ddl);
    d.m4a(&key(1), 10); // an orphan
    let before = rows(&d.db);
    let out = run(&["apply", "--yes"], d.root());
    assert_eq!(out.code, 1, "a failed fix is not success: {out:?}");
    assert!(
        out.stdout.contains("Batch 1 changed nothing: 0 of 1 fixes applied, 0 skipped as stale, 1 failed."),
        "{}",
        out.stdout
    );
    let line = out.stdout.lines().find(|l| l.starts_with("  failed: ")).unwrap_or_default();
    assert!(line.contains(&key(1)) && line.contains("NOT NULL constraint failed"), "{}", out.stdout);
    assert!(!out.stdout.contains("stale:"), "a refusal is not a changed world: {}", out.stdout);
    assert!(!out.stdout.contains("Undo it with"), "nothing to undo: {}", out.stdout);
    assert_eq!(rows(&d.db), before);
    let conn = rusqlite::Connection::open(&d.db).unwrap();
    let count = |event: &str| -> i64 {
        conn.query_row("SELECT count(*) FROM cache_audit WHERE event_type = ?1", [event], |r| r.get(0)).unwrap()
    };
    assert_eq!((count("fix_failed"), count("fix_skipped_stale")), (1, 0), "audited as failed");
    // `undo` does not pick a batch that changed nothing, nor undo one named.
    assert!(run(&["undo"], d.root()).one_line_error().contains("no applied batch left to undo"));
    let line = run(&["undo", "--batch", "1"], d.root()).one_line_error().to_string();
    assert!(line.contains("batch 1 changed nothing") && line.contains("nothing to undo"), "{line}");
    assert_eq!((count("undo_start"), count("reconcile_start")), (0, 1), "no undo batch was written");
}

#[test]
fn an_apply_the_core_refuses_leaves_no_state_folder_behind() {
    // The TUI's path: a session first, then the guard inside `apply`.
    let d = TestDump::new(Layout::Flat);
    for n in 0..4 {
        d.row(&key(n), "m4a", Some(10), None); // four ghosts: a mass change
    }
    let (dump, ins) = open(d.root());
    let p = plan(&ins, &Selection::default());
    let (session, _) = cachescope::core::writing_session(&dump).unwrap();
    let err = apply(&session, &p, &ApplyOptions::default(), &Control::none()).unwrap_err();
    assert!(err.message.contains("allow-mass-change"), "{err:?}");
    drop(session);
    assert!(!d.root().join(".cachescope").exists(), "a refused apply created .cachescope");
    // A folder that was there before stays, with nothing added.
    let state = d.root().join(".cachescope");
    std::fs::create_dir(&state).unwrap();
    std::fs::write(state.join("pulled.json"), b"{}").unwrap();
    let (session, _) = cachescope::core::writing_session(&dump).unwrap();
    assert!(apply(&session, &p, &ApplyOptions::default(), &Control::none()).is_err());
    drop(session);
    let left: Vec<_> = std::fs::read_dir(&state).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left, ["pulled.json"]);
}
