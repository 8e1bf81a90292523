//! Nothing lost, round 2: the hostile cases of issue 9, each through the CLI
//! on a dump made in a temp dir. (Cases that need the crash failpoints or a
//! hook inside apply are in `crash.rs`.)

mod common;

use std::ffi::OsStr;
use std::path::Path;

use common::*;
use rusqlite::types::Value;

fn run(args: &[&str], dump: &Path) -> Out {
    let mut a: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
    a.insert(1, dump.as_os_str());
    cachescope(a)
}

fn row_of(db: &Path, k: &str) -> Option<Vec<Value>> {
    rows(db).into_iter().find(|r| r[0] == Value::Text(k.to_string()))
}

/// An orphan (register), a state mismatch (update_state) and a ghost (mark_failed).
fn three_fixes() -> TestDump {
    let d = TestDump::new(Layout::Flat);
    d.m4a(&key(1), 100);
    d.m4a(&key(2), 100);
    d.row(&key(2), "wav", Some(5), Some(1000));
    d.row(&key(3), "m4a", Some(10), Some(1000));
    d
}

#[test]
fn undo_leaves_rows_the_app_changed_since_the_batch_and_names_the_columns() {
    let d = three_fixes();
    assert_eq!(run(&["apply", "--yes"], d.root()).code, 0);
    // The app pins the registered row and uses the updated one.
    let conn = rusqlite::Connection::open(&d.db).unwrap();
    conn.execute(
        "UPDATE cache_entries SET pinned = 1, book_id = 'b9', last_used_at = 77 WHERE cache_key = ?1",
        [key(1)],
    )
    .unwrap();
    conn.execute("UPDATE cache_entries SET last_used_at = 99 WHERE cache_key = ?1", [key(2)]).unwrap();
    drop(conn);
    let pinned = row_of(&d.db, &key(1)).unwrap();
    let used = row_of(&d.db, &key(2)).unwrap();
    let out = run(&["undo"], d.root());
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stdout.contains(&format!("row {} changed since batch 1: book_id, pinned, last_used_at", key(1))),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains(&format!("row {} changed since batch 1: last_used_at", key(2))), "{}", out.stdout);
    assert_eq!(row_of(&d.db, &key(1)).unwrap(), pinned, "the app's pinned row is kept as it is");
    assert_eq!(row_of(&d.db, &key(2)).unwrap(), used, "the app's change is kept");
    // The row the app did not touch is restored.
    assert_eq!(row_of(&d.db, &key(3)).unwrap()[4], Value::Text("m4a".into()));
}

#[test]
fn an_undo_can_itself_be_undone_and_then_the_apply_undone_again() {
    let d = three_fixes();
    d.file("notes.txt", b"stray");
    let before = rows(&d.db);
    assert_eq!(run(&["apply", "--yes", "--fix", "stray_file=quarantine"], d.root()).code, 0);
    let applied = (rows(&d.db), d.cache.join("notes.txt").exists());
    assert!(!applied.1);
    let out = run(&["undo"], d.root());
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(rows(&d.db), before);
    assert!(d.cache.join("notes.txt").exists());
    // Undoing the undo (batch 2) re-applies batch 1.
    let out = run(&["undo", "--batch", "2"], d.root());
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains("Re-applied what undo batch 2"), "{}", out.stdout);
    assert_eq!((rows(&d.db), d.cache.join("notes.txt").exists()), applied);
    // Batch 1 is in effect again, so a plain undo reverts it again.
    let out = run(&["undo"], d.root());
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains("Undid batch 1"), "{}", out.stdout);
    assert_eq!(rows(&d.db), before);
    let out = run(&["undo", "--batch", "2"], d.root());
    assert!(out.one_line_error().contains("already undone by batch 3"), "{out:?}");
}

#[test]
fn a_writer_running_during_the_undo_loses_nothing() {
    let d = TestDump::new(Layout::Flat);
    for n in 0..300 {
        d.m4a(&key(n), 40);
    }
    assert_eq!(run(&["apply", "--yes"], d.root()).code, 0);
    let db = d.db.clone();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let conn = rusqlite::Connection::open(&db).unwrap();
            conn.busy_timeout(std::time::Duration::from_secs(20)).unwrap();
            let mut inserted = vec![];
            let mut last_update = None;
            let mut i = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) || i < 20 {
                let k = format!("app-{i}");
                if conn
                    .execute(
                        "INSERT INTO cache_entries (cache_key, compression_state, created_at) VALUES (?1, 'wav', 1)",
                        [&k],
                    )
                    .is_ok()
                {
                    inserted.push(k);
                }
                if conn.execute("UPDATE cache_entries SET last_used_at = ?1 WHERE cache_key = ?2", (i, key(7))).ok()
                    == Some(1)
                {
                    last_update = Some(i);
                }
                i += 1;
                // An app writes now and then, not in a tight loop.
                std::thread::sleep(std::time::Duration::from_millis(3));
            }
            (inserted, last_update)
        })
    };
    let out = run(&["undo"], d.root());
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let (inserted, last_update) = writer.join().unwrap();
    assert_eq!(out.code, 0, "{out:?}");
    for k in &inserted {
        assert!(row_of(&d.db, k).is_some(), "the app's row {k} was lost");
    }
    if let Some(i) = last_update {
        let row = row_of(&d.db, &key(7)).expect("a row the app updated after the batch stays");
        assert_eq!(row[9], Value::Integer(i), "the app's last update stays");
    }
}

/// A dump whose `-wal` holds six commits, the third frame damaged: SQLite
/// reads two, the rest are invisible. Returns (dump dir, wal bytes).
fn damaged_wal_dump() -> (tempfile::TempDir, Vec<u8>) {
    let d = TestDump::new(Layout::Flat);
    let s = d.m4a(&key(0), 10);
    d.row(&key(0), "m4a", Some(s), Some(1000));
    let conn = rusqlite::Connection::open(&d.db).unwrap();
    conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0;").unwrap();
    for n in 1..=6 {
        conn.execute(
            "INSERT INTO cache_entries (cache_key, compression_state, size_bytes, created_at) VALUES (?1, 'm4a', 1, 0)",
            [key(n)],
        )
        .unwrap();
    }
    let pulled = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(pulled.path().join("audio")).unwrap();
    std::fs::copy(&d.db, pulled.path().join("app.db")).unwrap();
    let mut wal = std::fs::read(d.db.with_extension("db-wal")).unwrap();
    drop(conn);
    let page = u32::from_be_bytes([wal[8], wal[9], wal[10], wal[11]]) as usize;
    wal[32 + 2 * (24 + page) + 24 + 50] ^= 0xff;
    std::fs::write(pulled.path().join("app.db-wal"), &wal).unwrap();
    std::fs::write(pulled.path().join("audio").join(format!("{}.m4a", key(0))), m4a(1000, 10)).unwrap();
    (pulled, wal)
}

#[test]
fn a_damaged_frame_in_the_middle_of_the_wal_is_named_and_never_checkpointed_away() {
    let (dir, wal) = damaged_wal_dump();
    let before = tree(dir.path());
    let out = run(&["check"], dir.path());
    let line = out.one_line_error();
    assert!(line.contains("app.db-wal") && line.contains("frames") && line.contains("commits"), "{line}");
    for args in [&["plan"][..], &["apply", "--yes"][..]] {
        let out = run(args, dir.path());
        assert!(out.one_line_error().contains("app.db-wal"), "{args:?}: {out:?}");
    }
    assert_eq!(std::fs::read(dir.path().join("app.db-wal")).unwrap(), wal, "the -wal is untouched");
    let mut now = tree(dir.path());
    now.retain(|k, _| !k.starts_with(b".cachescope"));
    assert_eq!(now, before);
}

/// A dump pulled while the app had its database open in WAL mode: the
/// app's last commits (`app_sql`, then a row) live only in the `-wal`,
/// beside its `-shm`.
fn pulled_with_live_wal(app_sql: &str) -> tempfile::TempDir {
    let d = TestDump::new(Layout::Flat);
    d.m4a(&key(1), 10); // an orphan: a fix to register or refuse
    let conn = rusqlite::Connection::open(&d.db).unwrap();
    conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0;").unwrap();
    conn.execute_batch(app_sql).unwrap();
    conn.execute(
        "INSERT INTO cache_entries (cache_key, compression_state, created_at) VALUES (?1, 'failed', 0)",
        [key(2)],
    )
    .unwrap();
    let pulled = tempfile::tempdir().unwrap();
    copy_dump(d.root(), pulled.path());
    drop(conn);
    assert!(
        std::fs::metadata(pulled.path().join("app.db-wal")).unwrap().len() > 0,
        "the app's commits are in the -wal"
    );
    pulled
}

#[test]
fn every_backup_keeps_the_raw_database_wal_and_shm_bytes() {
    let pulled = pulled_with_live_wal("");
    let raw: Vec<(String, Vec<u8>)> = ["app.db", "app.db-wal", "app.db-shm"]
        .iter()
        .map(|n| (n.to_string(), std::fs::read(pulled.path().join(n)).unwrap()))
        .collect();
    let out = run(&["apply", "--yes"], pulled.path());
    assert_eq!(out.code, 0, "{out:?}");
    // A batch that committed checkpoints as it closes: the -wal is folded in.
    let wal = std::fs::metadata(pulled.path().join("app.db-wal")).map_or(0, |m| m.len());
    assert_eq!(wal, 0, "the committed batch left the -wal unmerged");
    let backups = pulled.path().join(".cachescope/backups");
    let raw_dir = std::fs::read_dir(&backups)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().ends_with("-raw"))
        .expect("a raw backup folder");
    for (name, bytes) in raw {
        assert_eq!(std::fs::read(raw_dir.join(&name)).unwrap(), bytes, "{name} kept as it was");
    }
}

#[test]
fn a_ghost_whose_name_is_a_fifo_is_fixed_not_skipped_forever() {
    let d = TestDump::new(Layout::Flat);
    d.row(&key(1), "m4a", Some(10), Some(1000));
    let s = d.m4a(&key(2), 10);
    d.row(&key(2), "m4a", Some(s), Some(1000));
    let fifo = d.cache.join(format!("{}.m4a", key(1)));
    let c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
    let (_, r) = report(d.root());
    let kinds: Vec<&str> = r["discrepancies"].as_array().unwrap().iter().map(|x| x["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["ghost_entry", "stray_file"]);
    let out = run(&["apply", "--yes"], d.root());
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains("1 of 1 fixes applied, 0 skipped"), "{}", out.stdout);
    assert_eq!(row_of(&d.db, &key(1)).unwrap()[4], Value::Text("failed".into()));
}

#[test]
fn a_trigger_that_rolls_back_the_whole_transaction_is_named_as_the_cause() {
    let d = TestDump::new(Layout::Flat);
    d.row(&key(1), "m4a", Some(10), Some(1000));
    let s = d.m4a(&key(2), 10);
    d.row(&key(2), "m4a", Some(s), Some(1000));
    let conn = rusqlite::Connection::open(&d.db).unwrap();
    conn.execute_batch(
        "CREATE TRIGGER keep BEFORE UPDATE ON cache_entries WHEN NEW.compression_state = 'failed'
         BEGIN SELECT RAISE(ROLLBACK, 'the app never marks rows failed'); END;",
    )
    .unwrap();
    drop(conn);
    let before = rows(&d.db);
    let out = run(&["apply", "--yes"], d.root());
    let line = out.one_line_error();
    assert!(line.contains("rolled back the whole batch") && line.contains("the app never marks rows failed"), "{line}");
    assert!(!line.contains("savepoint"), "{line}");
    assert_eq!(rows(&d.db), before);
    assert!(!d.root().join(".cachescope/journal").exists(), "nothing pending");
    assert_eq!(run(&["check"], d.root()).code, 1, "the dump is healthy, not interrupted");
}

#[test]
fn a_trigger_refusing_an_undo_is_named_not_called_a_change() {
    let d = three_fixes();
    assert_eq!(run(&["apply", "--yes"], d.root()).code, 0);
    let conn = rusqlite::Connection::open(&d.db).unwrap();
    conn.execute_batch(
        "CREATE TRIGGER stay BEFORE UPDATE ON cache_entries WHEN OLD.compression_state = 'failed'
         BEGIN SELECT RAISE(ABORT, 'failed rows stay failed'); END;",
    )
    .unwrap();
    drop(conn);
    let out = run(&["undo"], d.root());
    assert_eq!(out.code, 1, "a restore that failed: {out:?}");
    assert!(out.stdout.contains("0 left as they were, 1 failed."), "{}", out.stdout);
    assert!(
        out.stdout.contains("  failed: the database refused to restore row")
            && out.stdout.contains("failed rows stay failed")
    );
    assert!(!out.stdout.contains(&format!("row {} changed since", key(3))), "{}", out.stdout);
}

#[test]
fn the_app_holding_a_write_transaction_is_a_live_lock_not_a_hot_journal() {
    let d = TestDump::new(Layout::Flat);
    let s = d.m4a(&key(1), 10);
    d.row(&key(1), "m4a", Some(s), Some(1000));
    let app = rusqlite::Connection::open(&d.db).unwrap();
    app.execute_batch("PRAGMA synchronous = OFF; BEGIN IMMEDIATE; UPDATE cache_entries SET last_used_at = 5;").unwrap();
    assert!(d.db.with_extension("db-journal").exists());
    for args in [&["check"][..], &["recover"][..], &["apply", "--yes"][..]] {
        let mut a: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
        a.insert(1, d.root().as_os_str());
        // A writer is waited for a bounded time (here short), then named.
        let out = cachescope_env(a, &[("CACHESCOPE_BUSY_TIMEOUT_MS", "300")]);
        let line = out.one_line_error();
        assert!(line.contains("locked by another process"), "{args:?}: {line}");
    }
    app.execute_batch("COMMIT").unwrap();
    assert_eq!(run(&["check"], d.root()).code, 0);
}

#[test]
fn control_characters_from_the_data_never_reach_the_terminal_raw() {
    let d = TestDump::new(Layout::Flat);
    let evil = "k\u{1b}[2J\nFAKE: all clean\u{7}";
    d.row(evil, "m\u{1b}[31m4a", Some(10), Some(1000));
    for args in [&["check"][..], &["check", "--format", "markdown"][..], &["plan"][..]] {
        let out = run(args, d.root());
        assert!(out.code == 0 || out.code == 1, "{args:?}: {out:?}");
        for text in [&out.stdout, &out.stderr] {
            assert!(!text.contains('\u{1b}') && !text.contains('\u{7}'), "{args:?}: raw control character in {text:?}");
            assert!(!text.lines().any(|l| l.starts_with("FAKE")), "{args:?}: a forged line in {text:?}");
        }
    }
    // JSON is escaped by JSON itself, and keeps the exact key.
    let (_, r) = report(d.root());
    assert_eq!(r["discrepancies"][0]["key"], evil);
}

#[test]
fn commands_that_change_nothing_create_nothing() {
    let d = TestDump::new(Layout::Flat);
    for n in 0..4 {
        d.row(&key(n), "m4a", Some(10), None); // four ghosts: a mass change
    }
    let state = d.root().join(".cachescope");
    let out = run(&["apply", "--yes"], d.root());
    assert!(out.one_line_error().contains("allow-mass-change"));
    assert!(!state.exists(), "a refused apply created .cachescope");
    assert!(run(&["undo"], d.root()).one_line_error().contains("no applied batch left to undo"));
    assert!(!state.exists(), "undo with nothing to undo created .cachescope");
    let out = run(&["recover"], d.root());
    assert_eq!(out.code, 0);
    assert!(!state.exists(), "recover with nothing pending created .cachescope");
    let d = TestDump::new(Layout::Flat);
    d.row(&key(1), "m4a", Some(10), None);
    let out = run(&["apply", "--yes", "--only", "size_mismatch"], d.root());
    assert_eq!(out.code, 0);
    assert!(!state.exists() && !d.root().join(".cachescope").exists(), "an empty plan created .cachescope");
}

#[test]
fn recover_on_a_read_only_dump_with_nothing_pending_exits_zero() {
    let d = TestDump::new(Layout::Flat);
    d.row(&key(1), "m4a", Some(10), None);
    // Owned by root, readable by all: read-only for the unprivileged user.
    chmod(d.root(), 0o755);
    let Some(out) = as_nobody([OsStr::new("recover"), d.root().as_os_str()]) else { return };
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains("Nothing to recover"));
}

#[test]
fn undo_with_nothing_to_undo_names_the_dump_in_its_advice() {
    let d = three_fixes();
    let out = run(&["undo"], d.root());
    let line = out.one_line_error();
    assert!(line.contains(&format!("cachescope history {}", d.root().display())), "{line}");
}

/// The unreadable-file cases run as an unprivileged user (root reads
/// everything, so as root they would prove nothing).
fn nobody(args: &[&str], dump: &Path) -> Option<Out> {
    let mut a: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
    a.insert(1, dump.as_os_str());
    as_nobody(a)
}

#[test]
fn an_unreadable_file_is_unknown_not_incomplete_and_no_plan_touches_its_key() {
    let d = TestDump::new(Layout::Flat);
    let s = d.m4a(&key(1), 100);
    d.row(&key(1), "m4a", Some(s), Some(1000));
    let s = d.m4a(&key(2), 100);
    d.row(&key(2), "m4a", Some(s), Some(1000));
    d.row(&key(3), "m4a", Some(10), Some(1000)); // a real ghost, still fixed
    give_to_nobody(d.root());
    chmod(&d.cache.join(format!("{}.m4a", key(1))), 0o000);
    let Some(out) = nobody(&["check", "--format", "json"], d.root()) else { return };
    let line = out.one_line_error();
    assert!(line.contains("1 path(s)") && line.contains("1 key(s) is unknown"), "{line}");
    let r: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let found: Vec<(String, String)> = r["discrepancies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| (x["kind"].as_str().unwrap().into(), x["key"].as_str().unwrap_or_default().into()))
        .collect();
    assert_eq!(found, [("ghost_entry".to_string(), key(3))], "no verdict on the unreadable key");
    assert_eq!(r["unreadable"][0]["path"], format!("{}.m4a", key(1)));
    let text = nobody(&["check"], d.root()).unwrap();
    assert!(text.stdout.contains("unreadable"), "{}", text.stdout);
    let out = nobody(&["apply", "--yes"], d.root()).unwrap();
    assert_eq!(out.code, 0, "{out:?}");
    chmod(&d.cache.join(format!("{}.m4a", key(1))), 0o644);
    assert!(d.cache.join(format!("{}.m4a", key(1))).exists(), "the good file stays in place");
    assert_eq!(row_of(&d.db, &key(1)).unwrap()[4], Value::Text("m4a".into()), "its row is not marked failed");
    assert_eq!(row_of(&d.db, &key(3)).unwrap()[4], Value::Text("failed".into()));
}

#[test]
fn an_unreadable_shard_folder_leaves_its_keys_unjudged() {
    let d = TestDump::new(Layout::Sharded);
    // Keys of two shards; the rows of one shard have their files in it.
    let keys: Vec<String> = (0..40u32).map(|n| format!("{:02x}{:062x}", n % 3, n)).collect();
    let shard = keys[0][..2].to_string();
    for k in &keys {
        let s = d.m4a(k, 50);
        d.row(k, "m4a", Some(s), Some(1000));
    }
    let other = keys.iter().find(|k| !k.starts_with(&shard)).unwrap().clone();
    std::fs::remove_file(d.cache.join(d.rel_for(&format!("{other}.m4a")))).unwrap(); // a real ghost elsewhere
    give_to_nobody(d.root());
    chmod(&d.cache.join(&shard), 0o000);
    let Some(out) = nobody(&["check", "--format", "json"], d.root()) else { return };
    chmod(&d.cache.join(&shard), 0o755);
    assert!(out.one_line_error().contains("could not be read"), "{out:?}");
    let r: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let ghosts: Vec<&str> =
        r["discrepancies"].as_array().unwrap().iter().map(|x| x["key"].as_str().unwrap_or("(no key)")).collect();
    assert_eq!(ghosts, [other.as_str()], "only the ghost outside the unreadable shard");
    chmod(&d.cache.join(&shard), 0o000);
    let out = nobody(&["apply", "--yes"], d.root()).unwrap();
    chmod(&d.cache.join(&shard), 0o755);
    assert_eq!(out.code, 0, "{out:?}");
    let failed = rows(&d.db).iter().filter(|r| r[4] == Value::Text("failed".into())).count();
    assert_eq!(failed, 1, "only the real ghost is marked failed");
}

#[test]
fn an_unreadable_database_its_folder_and_a_linked_database_are_named() {
    let d = TestDump::new(Layout::Android);
    let s = d.m4a(&key(1), 10);
    d.row(&key(1), "m4a", Some(s), Some(1000));
    d.m4a(&key(2), 10); // an orphan: something for apply to do
    give_to_nobody(d.root());
    chmod(&d.db, 0o000);
    let Some(out) = nobody(&["check"], d.root()) else { return };
    let line = out.one_line_error();
    assert!(line.contains("cannot read") && line.contains("app.db") && line.contains("permission denied"), "{line}");
    let out = as_nobody([OsStr::new("check"), OsStr::new("--db"), d.db.as_os_str()]).unwrap();
    assert!(out.one_line_error().contains("permission denied"), "{out:?}");
    chmod(&d.db, 0o644);
    let folder = d.db.parent().unwrap();
    chmod(folder, 0o000);
    let out = nobody(&["check"], d.root()).unwrap();
    chmod(folder, 0o755);
    let line = out.one_line_error();
    assert!(line.contains("cannot read") && line.contains("databases") && line.contains("permission denied"), "{line}");
    // The cache dir, too, with what to do about it.
    chmod(&d.cache, 0o000);
    let out = nobody(&["check"], d.root()).unwrap();
    chmod(&d.cache, 0o755);
    let line = out.one_line_error();
    assert!(line.contains("audio") && line.contains("check its permissions (or run as its owner)"), "{line}");
    // A dump nobody may write: apply says where and what to do.
    chmod(d.root(), 0o555);
    let out = nobody(&["apply", "--yes"], d.root()).unwrap();
    chmod(d.root(), 0o755);
    let line = out.one_line_error();
    assert!(line.contains(".cachescope") && line.contains("check its permissions"), "{line}");
    // A link in place of the database: named, never followed.
    let outside = tempfile::tempdir().unwrap();
    let target = outside.path().join("app.db");
    std::fs::rename(&d.db, &target).unwrap();
    std::os::unix::fs::symlink(&target, &d.db).unwrap();
    let out = run(&["check"], d.root());
    let line = out.one_line_error();
    assert!(line.contains("symbolic link") && line.contains("--db"), "{line}");
}

#[test]
fn a_database_in_a_folder_that_cannot_be_written_is_refused_with_nothing_journaled() {
    let d = TestDump::new(Layout::Android);
    d.row(&key(1), "m4a", Some(10), Some(1000));
    let s = d.m4a(&key(2), 10);
    d.row(&key(2), "m4a", Some(s), Some(1000));
    give_to_nobody(d.root());
    let folder = d.db.parent().unwrap().to_path_buf();
    chmod(&folder, 0o555);
    let Some(out) = nobody(&["apply", "--yes"], d.root()) else { return };
    let line = out.one_line_error().to_string();
    let check = nobody(&["check"], d.root()).unwrap();
    chmod(&folder, 0o755);
    assert!(line.contains("cannot create its journal") && line.contains("databases"), "{line}");
    assert!(!d.root().join(".cachescope/journal").exists(), "nothing journaled");
    assert_eq!(check.code, 1, "the dump is not left interrupted: {check:?}");
}

/// Creates folders nested `depth` deep below `base` (one openat at a time:
/// the whole path is far longer than PATH_MAX) and a file at the bottom.
fn nest(base: &Path, depth: usize, dir: &str, file: &str, bytes: &[u8]) {
    use rustix::fs::{Mode, OFlags, mkdirat, openat};
    let mut fd = openat(rustix::fs::CWD, base, OFlags::DIRECTORY | OFlags::RDONLY, Mode::empty()).unwrap();
    for _ in 0..depth {
        mkdirat(&fd, dir, Mode::from_raw_mode(0o755)).unwrap();
        fd = openat(&fd, dir, OFlags::DIRECTORY | OFlags::RDONLY, Mode::empty()).unwrap();
    }
    let f = openat(&fd, file, OFlags::WRONLY | OFlags::CREATE, Mode::from_raw_mode(0o644)).unwrap();
    rustix::io::write(&f, bytes).unwrap();
}

#[test]
fn folders_nested_thousands_deep_do_not_overflow_any_stack() {
    let d = TestDump::new(Layout::Flat);
    let s = d.m4a(&key(1), 10);
    d.row(&key(1), "m4a", Some(s), Some(1000));
    d.row(&key(2), "m4a", Some(10), Some(1000)); // a ghost
    nest(&d.cache, 5000, "d", "deep.txt", b"stray");
    nest(&d.cache.join("d"), 3000, "e", &format!("{}.m4a", key(3)), &m4a(1000, 10)); // an orphan, deep
    for (args, code) in [(&["check"][..], 1), (&["plan"][..], 0)] {
        let out = run(args, d.root());
        assert_eq!(out.code, code, "{args:?}: {out:?}");
    }
    // The same scan on a thread with a small stack (the TUI scans on a worker).
    let root = d.root().to_path_buf();
    let found = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || {
            let dump =
                cachescope::core::Dump::locate(&cachescope::core::Locate { path: Some(root), ..Default::default() })
                    .unwrap();
            let ins = cachescope::core::Inspection::open(&dump, &cachescope::core::Control::none()).unwrap();
            ins.found.iter().map(|x| x.kind.as_str()).collect::<Vec<_>>()
        })
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(found, ["orphaned_file", "ghost_entry", "stray_file"]);
    let out = run(&["apply", "--yes"], d.root());
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(row_of(&d.db, &key(2)).unwrap()[4], Value::Text("failed".into()));
    assert!(row_of(&d.db, &key(3)).is_some(), "the deep orphan is registered");
}

/// Unmounts when dropped, also when an assertion fails.
struct Mounted(std::path::PathBuf);

impl Drop for Mounted {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

/// Mounts a tmpfs of `kb` KiB at `at` (root only); None with the reason
/// printed where that is not allowed.
fn small_filesystem(at: &Path, kb: u64) -> Option<Mounted> {
    let ok = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", &format!("size={kb}k"), "tmpfs"])
        .arg(at)
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        eprintln!("skipped: cannot mount a small tmpfs here (needs root and mount rights) to fill the database's disk");
    }
    ok.then(|| Mounted(at.to_path_buf()))
}

#[test]
fn a_full_disk_during_the_sql_phase_leaves_a_dump_that_recovers_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    cachescope::core::demo::write_demo(&src, 30_000, 3).unwrap();
    let db_len = std::fs::metadata(src.join("databases/app.db")).unwrap().len() / 1024;
    let before = rows(&src.join("databases/app.db"));
    let mut failed = 0;
    for extra in [120, 600, 1200, 1800, 2400] {
        let d = tmp.path().join(format!("d{extra}"));
        std::fs::create_dir_all(d.join("databases")).unwrap();
        let Some(_mounted) = small_filesystem(&d.join("databases"), db_len + extra) else { return };
        copy_dump(&src, &d);
        let out = cachescope([
            OsStr::new("apply"),
            d.as_os_str(),
            OsStr::new("--yes"),
            OsStr::new("--fix"),
            OsStr::new("stray_file=quarantine"),
        ]);
        let db = d.join("databases/app.db");
        if out.code != 0 {
            failed += 1;
            assert!(out.one_line_error().contains("full"), "{out:?}");
        }
        // Whatever happened, the next recover leaves a healthy dump, whole.
        let rec = cachescope([OsStr::new("recover"), d.as_os_str()]);
        assert_eq!(rec.code, 0, "+{extra} KiB: {rec:?}");
        assert!(!d.join("databases/app.db-journal").exists(), "+{extra} KiB: a journal is left");
        let check = cachescope([OsStr::new("check"), d.as_os_str()]);
        assert!(check.code == 0 || check.code == 1, "+{extra} KiB: {check:?}");
        if out.code != 0 {
            assert_eq!(rows(&db), before, "+{extra} KiB: a failed batch changed rows");
        }
        let integrity: String =
            rusqlite::Connection::open(&db).unwrap().query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
        assert_eq!(integrity, "ok");
    }
    assert!(failed > 0, "no size made the disk fill up");
}

#[test]
fn a_file_that_cannot_be_moved_is_a_failed_fix_not_a_stale_one() {
    let d = TestDump::new(Layout::Flat);
    let wav = d.file(&format!("{}.wav", key(1)), &wav_declaring(1000, 10)); // incomplete: quarantined
    d.row(&key(2), "m4a", Some(10), None); // a ghost: marked failed
    for n in 3..5 {
        let s = d.m4a(&key(n), 10);
        d.row(&key(n), "m4a", Some(s), Some(1000));
    }
    give_to_nobody(d.root());
    // Readable, but no file can be moved out of it.
    chmod(&d.cache, 0o555);
    let Some(out) = nobody(&["apply", "--yes"], d.root()) else { return };
    chmod(&d.cache, 0o755);
    assert_eq!(out.code, 1, "a failed fix is not success: {out:?}");
    assert!(out.stdout.contains("Applied batch 1: 1 of 2 fixes applied, 0 skipped as stale, 1 failed."), "{out:?}");
    let line = out.stdout.lines().find(|l| l.starts_with("  failed: incomplete_file:")).unwrap_or_default();
    assert!(line.contains("Permission denied"), "{out:?}");
    assert!(!out.stdout.contains("stale:"), "{out:?}");
    assert!(out.stdout.contains("Undo it with"), "the ghost was fixed: {out:?}");
    assert!(d.cache.join(&wav).exists(), "the file stays in place");
    assert_eq!(row_of(&d.db, &key(2)).unwrap()[4], Value::Text("failed".into()), "the other fix committed");

    // Undo: a file that cannot be moved back is a failure too.
    let out = nobody(&["apply", "--yes"], d.root()).unwrap();
    assert_eq!(out.code, 0, "{out:?}");
    chmod(&d.cache, 0o555);
    let out = nobody(&["undo"], d.root()).unwrap();
    chmod(&d.cache, 0o755);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stdout.contains("0 left as they were, 1 failed."), "{out:?}");
    assert!(out.stdout.lines().any(|l| l.starts_with("  failed: ") && l.contains("Permission denied")), "{out:?}");
}

#[test]
fn an_apply_refused_for_want_of_space_creates_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let src = TestDump::new(Layout::Flat);
    src.row(&key(1), "m4a", Some(10), None); // a ghost
    for n in 2..4 {
        let s = src.m4a(&key(n), 10);
        src.row(&key(n), "m4a", Some(s), Some(1000));
    }
    let d = tmp.path().join("d");
    std::fs::create_dir(&d).unwrap();
    // Less than the 1 MiB of headroom a backup asks for.
    let Some(_mounted) = small_filesystem(&d, 768) else { return };
    copy_dump(src.root(), &d);
    let before = tree(&d);
    let out = cachescope([OsStr::new("apply"), d.as_os_str(), OsStr::new("--yes")]);
    assert!(out.one_line_error().contains("not enough free space"), "{out:?}");
    assert_eq!(tree(&d), before, "a refused apply created something");
    // A .cachescope/ that was there before stays as it was.
    std::fs::create_dir(d.join(".cachescope")).unwrap();
    std::fs::write(d.join(".cachescope/pulled.json"), b"{}").unwrap();
    let before = tree(&d);
    let out = cachescope([OsStr::new("apply"), d.as_os_str(), OsStr::new("--yes")]);
    assert!(out.one_line_error().contains("not enough free space"), "{out:?}");
    assert_eq!(tree(&d), before, "a refused apply added to .cachescope");
}

#[test]
fn a_refused_apply_or_undo_leaves_the_database_and_its_wal_as_they_were() {
    // Refused once the database is open: an audit table of the app's own
    // shape (apply, undo), and an undo with nothing to undo.
    let foreign =
        "CREATE TABLE cache_audit (id INTEGER PRIMARY KEY, event_type TEXT NOT NULL, timestamp INTEGER NOT NULL);";
    for (ddl, args) in [(foreign, &["apply", "--yes"][..]), (foreign, &["undo"][..]), ("", &["undo"][..])] {
        let pulled = pulled_with_live_wal(ddl);
        let before = tree(pulled.path());
        let out = run(args, pulled.path());
        assert_eq!(out.code, 2, "{args:?} is refused: {out:?}");
        let after = tree(pulled.path());
        for name in ["app.db", "app.db-wal"] {
            assert_eq!(after.get(name.as_bytes()), before.get(name.as_bytes()), "{args:?} rewrote {name}: {out:?}");
        }
        assert!(after.contains_key(&b"app.db-wal"[..]), "{args:?} removed the -wal");
    }
}
