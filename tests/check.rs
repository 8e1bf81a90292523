//! `check`: every kind, every layout, WAL rows, schema variants, exit codes,
//! and the guarantee that inspection never writes.

mod common;

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use common::*;

/// One key per situation of SPEC §4; returns the expected (kind, key, file).
fn every_kind(d: &TestDump) -> Found {
    let mut want = Found::new();
    let k = |n| key(n);
    // consistent keys
    let s = d.m4a(&k(1), 900);
    d.row(&k(1), "m4a", Some(s), Some(1000));
    let s = d.wav(&k(2), 1600);
    d.row(&k(2), "wav", Some(s), Some(50));
    d.row(&k(3), "failed", None, None);
    // orphaned_file: the preferred file (m4a) + redundant wav
    let f = d.m4a(&k(4), 100);
    let _ = f;
    let m = d.rel_for(&format!("{}.m4a", k(4))).to_string_lossy().into_owned();
    want.insert(item("orphaned_file", Some(&k(4)), Some(&m)));
    let w = d.file(&format!("{}.wav", k(4)), &wav(64));
    want.insert(item("redundant_file", Some(&k(4)), Some(&w)));
    // ghost_entry
    d.row(&k(5), "m4a", Some(81234), Some(5000));
    want.insert(item("ghost_entry", Some(&k(5)), None));
    // ghost + incomplete (truncated wav)
    d.row(&k(6), "wav", Some(2000), None);
    let t = d.file(&format!("{}.wav", k(6)), &wav_declaring(81920, 40960));
    want.insert(item("ghost_entry", Some(&k(6)), None));
    want.insert(item("incomplete_file", Some(&k(6)), Some(&t)));
    // compression_state_mismatch: row says wav, m4a exists
    d.m4a(&k(7), 300);
    d.row(&k(7), "wav", Some(5), None);
    let m = d.rel_for(&format!("{}.m4a", k(7))).to_string_lossy().into_owned();
    want.insert(item("compression_state_mismatch", Some(&k(7)), Some(&m)));
    // unknown state string: data, not a crash
    let s = d.wav(&k(8), 64);
    d.row(&k(8), "mp3?", Some(s), None);
    let w = d.rel_for(&format!("{}.wav", k(8))).to_string_lossy().into_owned();
    want.insert(item("compression_state_mismatch", Some(&k(8)), Some(&w)));
    // size_mismatch, and NULL size counts
    let s = d.m4a(&k(9), 500);
    d.row(&k(9), "m4a", Some(s + 1), None);
    let m = d.rel_for(&format!("{}.m4a", k(9))).to_string_lossy().into_owned();
    want.insert(item("size_mismatch", Some(&k(9)), Some(&m)));
    d.wav(&k(10), 64);
    d.row(&k(10), "wav", None, None);
    let w = d.rel_for(&format!("{}.wav", k(10))).to_string_lossy().into_owned();
    want.insert(item("size_mismatch", Some(&k(10)), Some(&w)));
    // duration_mismatch: the file holds 1.0 s, the row says 5.0 s (a cut clip)
    let s = d.m4a(&k(18), 700);
    d.row(&k(18), "m4a", Some(s), Some(5000));
    let m = d.rel_for(&format!("{}.m4a", k(18))).to_string_lossy().into_owned();
    want.insert(item("duration_mismatch", Some(&k(18)), Some(&m)));
    // ... but 500 ms apart is within tolerance
    let s = d.m4a(&k(19), 700);
    d.row(&k(19), "m4a", Some(s), Some(1500));
    // redundant with a row
    let s = d.m4a(&k(11), 64);
    d.row(&k(11), "m4a", Some(s), None);
    let w = d.file(&format!("{}.wav", k(11)), &wav(64));
    want.insert(item("redundant_file", Some(&k(11)), Some(&w)));
    // incomplete kinds: zero bytes, unfinalised header, partial suffixes, bad m4a
    for (n, name, bytes) in [
        (12, format!("{}.m4a", k(12)), Vec::new()),
        (13, format!("{}.wav", k(13)), wav_declaring(0, 100)),
        (14, format!("{}.wav.tmp", k(14)), wav(10)),
        (15, format!("{}.part", k(15)), vec![1, 2, 3]),
        (16, format!("{}.m4a", k(16)), m4a(10, 100)[..50].to_vec()),
    ] {
        let rel = d.file(&name, &bytes);
        want.insert(item("incomplete_file", Some(&k(n)), Some(&rel)));
    }
    // a failed row whose file is only partial: consistent row, incomplete file
    d.row(&k(17), "failed", None, None);
    let rel = d.file(&format!("{}.m4a.download", k(17)), b"xx");
    want.insert(item("incomplete_file", Some(&k(17)), Some(&rel)));
    // strays: other names, wrong case, dotfiles, a key-less partial, duplicate name
    for name in ["notes.txt", "X.WAV", ".DS_Store", "bad key.part", "abc.wav.bak"] {
        d.raw_file(Path::new(name), b"x");
        want.insert(item("stray_file", None, Some(name)));
    }
    d.raw_file(Path::new(".nomedia"), b"");
    let dup = Path::new("zz").join(format!("{}.m4a", k(1)));
    if d.layout != Layout::Sharded || !k(1).starts_with("zz") {
        d.raw_file(&dup, &m4a(5, 5));
        want.insert(item("stray_file", None, Some(&dup.to_string_lossy())));
    }
    want
}

#[test]
fn finds_every_kind_in_every_layout() {
    for layout in [Layout::Android, Layout::Flat, Layout::Sharded] {
        let d = TestDump::new(layout);
        let want = every_kind(&d);
        let (code, r) = report(d.root());
        assert_eq!(code, 1);
        assert_eq!(found(&r), want, "layout {layout:?}");
        assert_eq!(r["schema"], "cachescope.report/1");
        let summary = r["summary"].as_object().unwrap();
        assert_eq!(summary.len(), 8, "summary lists every kind");
        for (kind, n) in summary {
            let count = want.iter().filter(|w| w.0 == *kind).count();
            assert_eq!(n.as_u64().unwrap() as usize, count, "{kind}");
        }
        let cache_rel = d.cache.strip_prefix(d.root()).unwrap().to_string_lossy().into_owned();
        assert_eq!(r["cache_dir"], cache_rel.as_str());
        assert_eq!(r["db"], d.db.strip_prefix(d.root()).unwrap().to_string_lossy().as_ref());
    }
}

#[test]
fn discrepancy_fields_follow_the_contract() {
    let d = TestDump::new(Layout::Android);
    every_kind(&d);
    let (_, r) = report(d.root());
    for x in r["discrepancies"].as_array().unwrap() {
        let kind = x["kind"].as_str().unwrap();
        let id = x["id"].as_str().unwrap();
        assert!(id.starts_with(&format!("{kind}:")), "{id}");
        let sev = x["severity"].as_str().unwrap();
        let (want_sev, default, fixes): (&str, Option<&str>, &[&str]) = match kind {
            "orphaned_file" => ("error", Some("register"), &["register", "quarantine"]),
            "ghost_entry" => ("error", Some("mark_failed"), &["mark_failed", "delete_entry"]),
            "compression_state_mismatch" => ("error", Some("update_state"), &["update_state"]),
            "size_mismatch" => ("warning", Some("update_size"), &["update_size"]),
            "duration_mismatch" => ("warning", Some("update_duration"), &["update_duration", "quarantine"]),
            "redundant_file" => ("warning", Some("quarantine"), &["quarantine"]),
            "incomplete_file" => ("error", Some("quarantine"), &["quarantine"]),
            "stray_file" => ("info", None, &["quarantine"]),
            other => panic!("unknown kind {other}"),
        };
        assert_eq!(sev, want_sev, "{kind}");
        assert_eq!(x["default_fix"].as_str(), default, "{kind}");
        let got: Vec<&str> = x["fixes"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect();
        assert_eq!(got, fixes, "{kind}");
        assert!(!x["message"].as_str().unwrap().is_empty());
        assert_eq!(
            x["db"].is_null(),
            !matches!(kind, "ghost_entry" | "compression_state_mismatch" | "size_mismatch" | "duration_mismatch")
                && x["db"].is_null()
        );
        if kind == "ghost_entry" {
            assert!(x["disk"].is_null() && x["file"].is_null());
            assert_eq!(x["db"]["cache_key"], x["key"]);
        }
        if kind == "stray_file" {
            assert!(x["key"].is_null());
        }
    }
    let trunc = r["discrepancies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["kind"] == "incomplete_file" && x["key"] == key(6).as_str())
        .unwrap();
    assert_eq!(trunc["disk"]["incomplete_reason"], "data chunk declares 81 920 bytes, file has 40 960");
    // A file-level item carries its key's row in `db` when the key has one.
    assert_eq!(trunc["db"]["cache_key"], key(6).as_str());
    let of = |kind: &str, k: u32| {
        let all = r["discrepancies"].as_array().unwrap();
        all.iter().find(|x| x["kind"] == kind && x["key"] == key(k).as_str()).unwrap().clone()
    };
    assert_eq!(of("incomplete_file", 17)["db"]["compression_state"], "failed");
    assert_eq!(of("redundant_file", 11)["db"]["cache_key"], key(11).as_str());
    assert!(of("redundant_file", 4)["db"].is_null(), "an orphan's key has no row");
    assert!(of("incomplete_file", 12)["db"].is_null(), "no row for that key");
}

#[test]
fn clean_dump_exits_zero_and_strays_alone_do_not_fail() {
    let d = TestDump::new(Layout::Flat);
    let s = d.m4a(&key(1), 100);
    d.row(&key(1), "m4a", Some(s), Some(1000));
    let (code, r) = report(d.root());
    assert_eq!(code, 0);
    assert!(r["discrepancies"].as_array().unwrap().is_empty());
    d.raw_file(Path::new("readme.txt"), b"hi");
    let (code, r) = report(d.root());
    assert_eq!(code, 0, "info only: exit 0");
    assert_eq!(r["summary"]["stray_file"], 1);
}

#[test]
fn inspection_never_writes_even_in_wal_mode() {
    let d = TestDump::new(Layout::Android);
    every_kind(&d);
    // A WAL-mode database whose newest row lives only in the -wal file.
    let conn = rusqlite::Connection::open(&d.db).unwrap();
    conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0;").unwrap();
    let s = d.m4a(&key(99), 64);
    // A mismatch only visible through the WAL: written on the open connection.
    conn.execute(
        "INSERT INTO cache_entries (cache_key, compression_state, size_bytes, created_at) VALUES (?1, 'wav', ?2, 0)",
        rusqlite::params![key(99), s],
    )
    .unwrap();
    // Copy the live files as a device pull would (db, -wal, -shm), keep conn open.
    let pulled = tempfile::tempdir().unwrap();
    copy_dump(d.root(), pulled.path());
    drop(conn);
    assert!(pulled.path().join("databases/app.db-wal").exists());
    let before = tree(pulled.path());
    let (_, r) = report(pulled.path());
    let want = item("compression_state_mismatch", Some(&key(99)), Some(&format!("{}.m4a", key(99))));
    assert!(found(&r).contains(&want), "the WAL-only row is seen");
    for args in [
        vec!["check"],
        vec!["check", "--format", "markdown"],
        vec!["plan"],
        vec!["plan", "--format", "json"],
        vec!["history"],
    ] {
        let mut a: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
        a.insert(1, pulled.path().as_os_str());
        let out = cachescope(a);
        assert!(out.code <= 1, "{args:?}: {out:?}");
    }
    assert_eq!(tree(pulled.path()), before, "inspection changed the dump");
    assert!(!pulled.path().join(".cachescope").exists());
}

/// Every file's access time, by path relative to `dir`.
fn atimes(dir: &Path) -> Vec<(std::path::PathBuf, std::time::SystemTime)> {
    let mut v: Vec<_> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| (e.path().strip_prefix(dir).unwrap().to_path_buf(), e.metadata().unwrap().accessed().unwrap()))
        .collect();
    v.sort();
    v
}

/// The audio files are read with `O_NOATIME` (we run as root, who may).
/// The database files are opened by SQLite during discovery, which does
/// not offer that flag: their access times are not checked here.
#[test]
fn inspection_leaves_the_audio_files_access_times_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("dump");
    cachescope::core::demo::write_demo(&dir, 40, 3).unwrap();
    // Pulled two days ago and not read since: with `relatime` (the default),
    // the first read of each file would write a new access time to its inode.
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(2 * 86_400);
    for (p, _) in atimes(&dir) {
        let f = std::fs::File::options().write(true).open(dir.join(&p)).unwrap();
        f.set_times(std::fs::FileTimes::new().set_accessed(old).set_modified(old)).unwrap();
    }
    let before = atimes(&dir);
    for args in [vec!["check"], vec!["check", "--deep", "--format", "json"], vec!["plan"]] {
        let mut a: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
        a.insert(1, dir.as_os_str());
        let out = cachescope(a);
        assert!(out.code <= 1, "{args:?}: {out:?}");
    }
    let after = atimes(&dir);
    let touched: Vec<_> =
        before.iter().zip(&after).filter(|(b, a)| b != a && b.0.starts_with("cache")).map(|(b, _)| &b.0).collect();
    assert!(touched.is_empty(), "inspection updated the access time of {touched:?}");
}

#[test]
fn schema_variants_extra_and_missing_optional_columns() {
    // Extra columns are kept and shown; missing optional ones tolerated.
    let ddl = "CREATE TABLE cache_entries (cache_key TEXT PRIMARY KEY NOT NULL, compression_state TEXT NOT NULL, created_at INTEGER NOT NULL DEFAULT 0, app_version TEXT DEFAULT '4.2');";
    let d = TestDump::with_schema(Layout::Flat, ddl);
    let conn = rusqlite::Connection::open(&d.db).unwrap();
    conn.execute("INSERT INTO cache_entries (cache_key, compression_state) VALUES (?1, 'm4a')", [key(1)]).unwrap();
    conn.execute("INSERT INTO cache_entries (cache_key, compression_state) VALUES (?1, 'm4a')", [key(2)]).unwrap();
    d.m4a(&key(1), 10);
    d.m4a(&key(3), 10);
    let (_, r) = report(d.root());
    let f = found(&r);
    assert!(f.contains(&item("ghost_entry", Some(&key(2)), None)));
    assert!(f.contains(&item("orphaned_file", Some(&key(3)), Some(&format!("{}.m4a", key(3))))));
    assert_eq!(f.len(), 2, "no size column: no size mismatch: {f:?}");
    let ghost = r["discrepancies"].as_array().unwrap().iter().find(|x| x["kind"] == "ghost_entry").unwrap();
    assert_eq!(ghost["db"]["app_version"], "4.2");
    // and apply works against it
    let out = cachescope([OsStr::new("apply"), d.root().as_os_str(), OsStr::new("--yes")]);
    assert_eq!(out.code, 0, "{out:?}");
    let (code, _) = report(d.root());
    assert_eq!(code, 0);
}

#[test]
fn missing_required_column_is_a_clear_error() {
    let d = TestDump::with_schema(
        Layout::Flat,
        "CREATE TABLE cache_entries (cache_key TEXT PRIMARY KEY, size_bytes INTEGER);",
    );
    d.m4a(&key(1), 10);
    let out = cachescope([OsStr::new("check"), d.root().as_os_str()]);
    let line = out.one_line_error();
    assert!(line.contains("compression_state"), "{line}");
}

#[test]
fn db_and_cache_dir_flags_and_a_db_path_argument() {
    let d = TestDump::new(Layout::Android);
    every_kind(&d);
    let (_, want) = report(d.root());
    let (code, got) = check_json(&[d.db.as_os_str()]);
    assert_eq!(code, 1);
    assert_eq!(found(&got), found(&want));
    let (_, got) = check_json(&[OsStr::new("--db"), d.db.as_os_str(), OsStr::new("--cache-dir"), d.cache.as_os_str()]);
    assert_eq!(found(&got), found(&want));
}

#[test]
fn other_app_data_and_databases_do_not_confuse_discovery() {
    let d = TestDump::new(Layout::Android);
    let s = d.m4a(&key(1), 10);
    d.row(&key(1), "m4a", Some(s), Some(1000));
    let root = d.root();
    std::fs::create_dir_all(root.join("shared_prefs")).unwrap();
    std::fs::write(root.join("shared_prefs/prefs.xml"), "<map/>").unwrap();
    std::fs::create_dir_all(root.join("files/covers")).unwrap();
    std::fs::write(root.join("files/covers/cover.m4a"), b"not audio").unwrap();
    rusqlite::Connection::open(root.join("databases/analytics.sqlite"))
        .unwrap()
        .execute_batch("CREATE TABLE events (id INTEGER);")
        .unwrap();
    // a database with an odd name and no extension is found by its header
    let (code, r) = report(root);
    assert_eq!(code, 0, "{r}");
    assert_eq!(r["cache_dir"], "cache/audio");
    std::fs::rename(&d.db, root.join("databases/cache_store")).unwrap();
    let (code, r) = report(root);
    assert_eq!(code, 0);
    assert_eq!(r["db"], "databases/cache_store");
}

#[test]
fn odd_names_and_links_are_reported_never_followed() {
    let d = TestDump::new(Layout::Flat);
    let s = d.m4a(&key(1), 10);
    d.row(&key(1), "m4a", Some(s), Some(1000));
    let odd: Vec<&[u8]> = vec![b"caf\xe9.wav", b"new\nline.m4a", b"-rf.wav"];
    for name in &odd {
        std::fs::write(d.cache.join(OsStr::from_bytes(name)), b"x").unwrap();
    }
    let long = "k".repeat(251) + ".wav"; // 255 bytes: not a key (>128), stray
    std::fs::write(d.cache.join(&long), b"x").unwrap();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.wav"), wav(10)).unwrap();
    std::os::unix::fs::symlink(outside.path().join("secret.wav"), d.cache.join(format!("{}.wav", key(2)))).unwrap();
    std::os::unix::fs::symlink("nowhere", d.cache.join("dangling.m4a")).unwrap();
    std::fs::create_dir(d.cache.join("loop")).unwrap();
    std::os::unix::fs::symlink("..", d.cache.join("loop/up")).unwrap();
    let (code, r) = report(d.root());
    assert_eq!(code, 1, "{r}");
    let f = found(&r);
    // `-rf` is a valid key ([A-Za-z0-9_-]): a cache file, here not a whole WAV.
    assert!(f.contains(&item("incomplete_file", Some("-rf"), Some("-rf.wav"))), "{f:?}");
    assert_eq!(f.iter().filter(|x| x.0 == "stray_file").count(), 6, "{f:?}");
    assert!(
        f.contains(&item("stray_file", None, Some(&format!("{}.wav", key(2))))),
        "a link is stray, even with a key name"
    );
    assert!(f.contains(&item("stray_file", None, Some("caf\u{FFFD}.wav"))), "lossy in JSON");
    assert!(f.contains(&item("stray_file", None, Some("new\nline.m4a"))));
}

#[test]
fn text_that_is_not_utf8_in_any_column_is_data_not_a_crash() {
    let d = TestDump::new(Layout::Android);
    let s = d.m4a(&key(1), 10);
    d.row(&key(1), "m4a", Some(s + 1), None);
    d.row(&key(2), "m4a", Some(5), None);
    let conn = rusqlite::Connection::open(&d.db).unwrap();
    conn.execute_batch("UPDATE cache_entries SET voice_id = CAST(X'C3' AS TEXT), book_id = CAST(X'FF41' AS TEXT)")
        .unwrap();
    drop(conn);
    for format in ["text", "json", "markdown"] {
        let out = cachescope([OsStr::new("check"), d.root().as_os_str(), OsStr::new("--format"), OsStr::new(format)]);
        assert_eq!(out.code, 1, "{format}: {out:?}");
    }
    let (_, r) = report(d.root());
    assert_eq!(found(&r).len(), 2);
    let out = cachescope([OsStr::new("apply"), d.root().as_os_str(), OsStr::new("--yes")]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(report(d.root()).0, 0);
}

#[test]
fn flags_alone_or_together_find_the_same_dump_root() {
    let d = TestDump::new(Layout::Android);
    let s = d.m4a(&key(1), 10);
    d.row(&key(1), "m4a", Some(s + 1), None);
    let both = cachescope([
        OsStr::new("check"),
        OsStr::new("--db"),
        d.db.as_os_str(),
        OsStr::new("--cache-dir"),
        d.cache.as_os_str(),
        OsStr::new("--format"),
        OsStr::new("json"),
    ]);
    let only_cache = cachescope([
        OsStr::new("check"),
        OsStr::new("--cache-dir"),
        d.cache.as_os_str(),
        OsStr::new("--format"),
        OsStr::new("json"),
    ]);
    for out in [both, only_cache] {
        let r: serde_json::Value = serde_json::from_str(&out.stdout).unwrap_or_else(|_| panic!("{out:?}"));
        assert_eq!(r["db"], "databases/app.db");
        assert_eq!(r["cache_dir"], "cache/audio");
    }
    let out = cachescope([
        OsStr::new("apply"),
        OsStr::new("--db"),
        d.db.as_os_str(),
        OsStr::new("--cache-dir"),
        d.cache.as_os_str(),
        OsStr::new("--yes"),
    ]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(d.root().join(".cachescope/backups").is_dir(), "state lives at the dump root");
}

#[test]
fn shard_folders_with_long_names_and_a_table_name_in_other_case() {
    let d = TestDump::with_schema(
        Layout::Flat,
        "CREATE TABLE Cache_Entries (cache_key TEXT PRIMARY KEY, compression_state TEXT NOT NULL, size_bytes INTEGER, created_at INTEGER NOT NULL DEFAULT 0);",
    );
    for (n, book) in [(1, "book-0000"), (2, "book-0001"), (3, "book-0002")] {
        d.raw_file(&Path::new(book).join(format!("{}.m4a", key(n))), &m4a(5, 5));
    }
    let (_, r) = report(d.root());
    assert_eq!(r["cache_dir"], "audio");
    assert_eq!(r["summary"]["orphaned_file"], 3);
}

#[test]
fn a_database_with_only_a_header_is_named_as_unreadable() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("header.db");
    let mut bytes = b"SQLite format 3\0".to_vec();
    bytes.resize(100, 0);
    std::fs::write(&db, bytes).unwrap();
    let out = cachescope([OsStr::new("check"), db.as_os_str()]);
    let line = out.one_line_error();
    assert!(line.contains("header.db") && line.contains("cannot be read"), "{line}");
}

/// Also by a run that makes no copy itself: this dump has no `-wal`
/// content, so `check` reads its database in place. (Run alone, the test
/// failed before the fix; in the full run another test's copy swept for it.)
#[test]
fn private_copies_left_by_killed_runs_are_swept() {
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let dead = child.id();
    child.wait().unwrap();
    let stale = std::env::temp_dir().join(format!("cachescope-read-{dead}-test"));
    std::fs::create_dir_all(&stale).unwrap();
    std::fs::write(stale.join("snapshot.db"), b"old copy").unwrap();
    let d = TestDump::new(Layout::Flat);
    d.m4a(&key(1), 10);
    report(d.root());
    assert!(!stale.exists(), "the copy of a dead process is removed");
}

/// The JSON report's rows are read on another thread and handed over in
/// chunks: past a few chunks, each discrepancy still carries its own row.
#[test]
fn every_discrepancy_of_a_long_report_carries_its_own_row() {
    let d = TestDump::new(Layout::Android);
    let conn = rusqlite::Connection::open(&d.db).unwrap();
    conn.execute_batch("BEGIN").unwrap();
    for n in 0..2100u32 {
        // Ghosts: rows without files, each with its own size to tell them apart.
        conn.execute(
            "INSERT INTO cache_entries (cache_key, compression_state, size_bytes, created_at) VALUES (?1, 'm4a', ?2, 0)",
            rusqlite::params![key(n), i64::from(n) + 1],
        )
        .unwrap();
    }
    conn.execute_batch("COMMIT").unwrap();
    drop(conn);
    let (code, report) = report(d.root());
    assert_eq!(code, 1);
    let items = report["discrepancies"].as_array().unwrap();
    assert_eq!(items.len(), 2100);
    for item in items {
        assert_eq!(item["db"]["cache_key"], item["key"], "{item}");
        let n = (0..2100u32).find(|n| key(*n) == item["key"].as_str().unwrap()).unwrap();
        assert_eq!(item["db"]["size_bytes"], i64::from(n) + 1, "{item}");
    }
}
