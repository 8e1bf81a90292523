//! Bad input: one clear sentence, exit code 2, no panic, the dump unchanged.

mod common;

use std::ffi::OsStr;
use std::path::Path;

use common::*;

/// Runs `check` and `apply --yes` on `dump`; both must fail with one line
/// naming something recognisable, and leave the dump as it was.
fn refuses(dump: &Path, expect: &[&str]) {
    let before = tree(dump);
    for cmd in ["check", "plan", "apply"] {
        let mut args = vec![OsStr::new(cmd), dump.as_os_str()];
        if cmd == "apply" {
            args.push(OsStr::new("--yes"));
        }
        let out = cachescope(args);
        let line = out.one_line_error().to_string();
        for e in expect {
            assert!(line.contains(e), "{cmd}: {line:?} should mention {e:?}");
        }
        let mut now = tree(dump);
        // apply may create its own lock folder, nothing else
        now.retain(|k, _| !k.starts_with(b".cachescope"));
        assert_eq!(now, before, "{cmd} changed the dump");
    }
}

fn healthy(layout: Layout, rows: u32) -> TestDump {
    let d = TestDump::new(layout);
    let conn = rusqlite::Connection::open(&d.db).unwrap();
    for n in 0..rows {
        conn.execute(
            "INSERT INTO cache_entries (cache_key, compression_state, size_bytes, created_at, voice_id) VALUES (?1, 'm4a', 10, 0, ?2)",
            rusqlite::params![key(n), "x".repeat(200)],
        )
        .unwrap();
    }
    d.m4a(&key(0), 10);
    d
}

#[test]
fn missing_path() {
    let out = cachescope(["check", "/nonexistent/dump"]);
    assert!(out.one_line_error().contains("/nonexistent/dump does not exist"));
}

#[test]
fn empty_folder() {
    let dir = tempfile::tempdir().unwrap();
    refuses(dir.path(), &["no database with a cache_entries table", "--db"]);
}

#[test]
fn a_file_that_is_not_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("notes.db");
    std::fs::write(&f, "hello").unwrap();
    let out = cachescope([OsStr::new("check"), f.as_os_str()]);
    assert!(out.one_line_error().contains("is not a SQLite database"));
    let out = cachescope([OsStr::new("check"), OsStr::new("--db"), f.as_os_str()]);
    assert!(out.one_line_error().contains("is not a SQLite database"));
}

#[test]
fn truncated_database() {
    let d = healthy(Layout::Flat, 400);
    let len = std::fs::metadata(&d.db).unwrap().len();
    assert!(len > 8192);
    std::fs::OpenOptions::new().write(true).open(&d.db).unwrap().set_len(len / 2).unwrap();
    refuses(d.root(), &["app.db", "corrupt"]);
}

#[test]
fn corrupted_database_pages() {
    let d = healthy(Layout::Flat, 400);
    let mut bytes = std::fs::read(&d.db).unwrap();
    let mut rng = 0x2545_F491_4F6C_DD1Du64;
    for b in bytes.iter_mut().skip(4096) {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        *b = rng as u8;
    }
    std::fs::write(&d.db, bytes).unwrap();
    refuses(d.root(), &["app.db", "corrupt"]);
}

#[test]
fn damaged_write_ahead_log() {
    for garbage_header in [true, false] {
        let d = healthy(Layout::Flat, 5);
        let conn = rusqlite::Connection::open(&d.db).unwrap();
        conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0;").unwrap();
        conn.execute("UPDATE cache_entries SET size_bytes = 11", []).unwrap();
        let pulled = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(pulled.path().join("audio")).unwrap();
        std::fs::copy(&d.db, pulled.path().join("app.db")).unwrap();
        let mut wal = std::fs::read(d.db.with_extension("db-wal")).unwrap();
        drop(conn);
        if garbage_header {
            wal[..4].copy_from_slice(b"JUNK");
        } else {
            for b in wal.iter_mut().skip(32 + 24) {
                *b ^= 0x5a;
            }
        }
        std::fs::write(pulled.path().join("app.db-wal"), wal).unwrap();
        std::fs::write(pulled.path().join("audio").join(format!("{}.m4a", key(0))), m4a(1, 1)).unwrap();
        refuses(pulled.path(), &["write-ahead log", "damaged"]);
    }
}

#[test]
fn no_cache_entries_table() {
    let dir = tempfile::tempdir().unwrap();
    rusqlite::Connection::open(dir.path().join("other.db")).unwrap().execute_batch("CREATE TABLE t (x);").unwrap();
    refuses(dir.path(), &["no database with a cache_entries table", "other.db", "--db"]);
    let out = cachescope([OsStr::new("check"), dir.path().join("other.db").as_os_str()]);
    assert!(out.one_line_error().contains("has no cache_entries table"));
}

#[test]
fn missing_required_column() {
    let d =
        TestDump::with_schema(Layout::Flat, "CREATE TABLE cache_entries (compression_state TEXT, size_bytes INTEGER);");
    d.m4a(&key(1), 10);
    refuses(d.root(), &["cache_key"]);
}

#[test]
fn a_view_instead_of_a_table() {
    let d = TestDump::with_schema(
        Layout::Flat,
        "CREATE TABLE real_entries (cache_key TEXT, compression_state TEXT); CREATE VIEW cache_entries AS SELECT * FROM real_entries;",
    );
    d.m4a(&key(1), 10);
    refuses(d.root(), &["is a view, not a table"]);
}

#[test]
fn two_candidate_databases() {
    let d = healthy(Layout::Android, 3);
    std::fs::copy(&d.db, d.root().join("databases/app-backup.db")).unwrap();
    refuses(d.root(), &["several databases", "app.db", "app-backup.db", "--db"]);
}

#[test]
fn two_candidate_cache_dirs() {
    let d = healthy(Layout::Flat, 3);
    for n in 0..5 {
        std::fs::create_dir_all(d.root().join("audio2")).unwrap();
        std::fs::write(d.root().join("audio2").join(format!("{}.m4a", key(n + 50))), m4a(1, 1)).unwrap();
        d.m4a(&key(n + 10), 1);
    }
    refuses(d.root(), &["several folders", "--cache-dir"]);
}

#[test]
fn unknown_flags_and_bad_values() {
    for args in
        [vec!["check", "--frobnicate"], vec!["check", ".", "--format", "xml"], vec!["demo"], vec!["nonsense", "a", "b"]]
    {
        let out = cachescope(&args);
        let line = out.one_line_error();
        assert!(line.contains("--help"), "{args:?}: {line}");
    }
    let out = cachescope(["--help"]);
    assert_eq!(out.code, 0);
    assert!(out.stdout.contains("check"));
}

#[test]
fn a_hot_rollback_journal() {
    let d = healthy(Layout::Flat, 3);
    let mut journal = vec![0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7];
    journal.extend([0u8; 504]);
    std::fs::write(d.root().join("app.db-journal"), journal).unwrap();
    let before = tree(d.root());
    for cmd in ["check", "plan"] {
        let out = cachescope([OsStr::new(cmd), d.root().as_os_str()]);
        assert!(out.one_line_error().contains("hot rollback journal"));
    }
    assert_eq!(tree(d.root()), before);
}

#[test]
fn cache_dir_flag_that_is_not_a_folder_and_demo_into_a_full_folder() {
    let d = healthy(Layout::Flat, 3);
    let out = cachescope([OsStr::new("check"), d.root().as_os_str(), OsStr::new("--cache-dir"), d.db.as_os_str()]);
    assert!(out.one_line_error().contains("is not a folder"));
    let out = cachescope([OsStr::new("demo"), d.root().as_os_str()]);
    assert!(out.one_line_error().contains("not empty"));
}

/// A reader that goes away (`cachescope apply … | head -0`) ends the output,
/// not the command: no panic, and the exit status is the command's own (the
/// batch had committed; a script must not read it as a failure).
#[test]
fn a_closed_stdout_is_not_a_crash() {
    let tmp = tempfile::tempdir().unwrap();
    let dump = tmp.path().join("dump");
    let run = |args: &[&OsStr]| {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out =
            std::process::Command::new(env!("CARGO_BIN_EXE_cachescope")).args(args).stdout(writer).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(!stderr.contains("panicked") && !stderr.contains("backtrace"), "{args:?}: {stderr}");
        out.status.code()
    };
    assert_eq!(run(&[OsStr::new("demo"), dump.as_os_str()]), Some(0));
    assert_eq!(run(&[OsStr::new("apply"), dump.as_os_str(), OsStr::new("--yes")]), Some(0));
    assert_eq!(cachescope([OsStr::new("check"), dump.as_os_str()]).code, 0, "the apply took effect");
    assert_eq!(run(&[OsStr::new("undo"), dump.as_os_str()]), Some(0));
    assert_eq!(run(&[OsStr::new("recover"), dump.as_os_str()]), Some(0));
    assert_eq!(run(&[OsStr::new("completions"), OsStr::new("bash")]), Some(0));
    assert_eq!(run(&[OsStr::new("man")]), Some(0));
}

#[test]
fn an_audit_table_of_another_shape_is_named_and_nothing_is_created() {
    let d = TestDump::new(Layout::Android);
    d.row(&key(1), "m4a", Some(10), None); // a ghost
    for n in 2..4 {
        let s = d.m4a(&key(n), 10);
        d.row(&key(n), "m4a", Some(s), Some(1000));
    }
    let conn = rusqlite::Connection::open(&d.db).unwrap();
    conn.execute_batch(
        "CREATE TABLE cache_audit (id INTEGER PRIMARY KEY, event_type TEXT NOT NULL, timestamp INTEGER NOT NULL)",
    )
    .unwrap();
    drop(conn);
    let before = tree(d.root());
    for args in [&["history"][..], &["apply", "--yes"], &["undo"]] {
        let mut a: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
        a.insert(1, d.root().as_os_str());
        let out = cachescope(a);
        let line = out.one_line_error();
        assert!(line.contains(&format!("the audit table cache_audit in {}", d.db.display())), "{args:?}: {line}");
        assert!(line.contains("lacks the column(s) details, affected_cache_key, reconciliation_batch_id"), "{line}");
        assert!(line.contains("rename that table"), "{line}");
        assert_eq!(tree(d.root()), before, "{args:?} changed or created something");
    }
    // A column of the app's that we would leave empty is named too.
    let conn = rusqlite::Connection::open(&d.db).unwrap();
    conn.execute_batch(
        "DROP TABLE cache_audit; CREATE TABLE cache_audit (id INTEGER PRIMARY KEY, event_type TEXT NOT NULL, details TEXT, affected_cache_key TEXT, timestamp INTEGER NOT NULL, reconciliation_batch_id INTEGER, source TEXT NOT NULL)",
    )
    .unwrap();
    drop(conn);
    let before = tree(d.root());
    let out = cachescope([OsStr::new("apply"), d.root().as_os_str(), OsStr::new("--yes")]);
    assert!(out.one_line_error().contains("requires the column(s) source that cachescope does not fill"), "{out:?}");
    assert_eq!(tree(d.root()), before, "apply changed or created something");
}
