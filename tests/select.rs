//! Per-item selection headless (issue 16): `--key`, `--keys-from`, `--id`,
//! `--ids-from` and `--fix ID=FIX` on check, plan and apply; names that
//! match nothing; `check --key` reading only what the keys need, with the
//! same discrepancies as the full check on every layout.
//! `PROPTEST_CASES=N` runs more random dumps than the quick default.

mod common;

use std::ffi::OsStr;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use common::*;
use proptest::prelude::*;
use serde_json::Value as Json;

/// `cachescope ARGS` with `DUMP` in second place.
fn run(args: &[&str], dump: &Path) -> Out {
    let mut a: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
    a.insert(1, dump.as_os_str());
    cachescope(a)
}

/// The same, with `input` on stdin.
fn run_stdin(args: &[&str], dump: &Path, input: &str) -> Out {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cachescope"));
    cmd.arg(args[0]).arg(dump).args(&args[1..]).env("NO_COLOR", "1");
    let mut child = cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn json(out: &Out) -> Json {
    assert!(out.code == 0 || out.code == 1, "{out:?}");
    serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("bad JSON ({e}): {}", out.stdout))
}

/// The plan's items as (id, fix).
fn plan_items(out: &Out) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = json(out)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["id"].as_str().unwrap().to_string(), i["fix"].as_str().unwrap().to_string()))
        .collect();
    v.sort();
    v
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = v.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
    v.sort();
    v
}

/// Keys with the discrepancies the selection tests pick from:
/// 1 ghost + incomplete, 2 ghost, 3 orphaned + redundant, 4 size mismatch,
/// 5 healthy, 6 failed row with no file (consistent); and a stray.
struct Fixture {
    d: TestDump,
}

impl Fixture {
    fn new(layout: Layout) -> Fixture {
        let d = TestDump::new(layout);
        d.row(&key(1), "wav", Some(2000), None);
        d.file(&format!("{}.wav", key(1)), &wav_declaring(81920, 40960));
        d.row(&key(2), "m4a", Some(81234), Some(5000));
        d.m4a(&key(3), 100);
        d.wav(&key(3), 64);
        let s = d.m4a(&key(4), 500);
        d.row(&key(4), "m4a", Some(s + 1), Some(1000));
        let s = d.wav(&key(5), 1600);
        d.row(&key(5), "wav", Some(s), Some(50));
        d.row(&key(6), "failed", None, None);
        d.raw_file(Path::new("notes.txt"), b"hi");
        Fixture { d }
    }
    fn root(&self) -> &Path {
        self.d.root()
    }
    fn ghost(&self, n: u32) -> String {
        format!("ghost_entry:{}", key(n))
    }
    fn incomplete(&self, n: u32) -> String {
        format!("incomplete_file:{}:{}", key(n), self.d.rel_for(&format!("{}.wav", key(n))).display())
    }
    fn redundant(&self, n: u32) -> String {
        format!("redundant_file:{}:{}", key(n), self.d.rel_for(&format!("{}.wav", key(n))).display())
    }
}

const STRAY: &str = "stray_file::notes.txt";

#[test]
fn key_alone_selects_that_keys_discrepancies_in_check_plan_and_apply() {
    let f = Fixture::new(Layout::Android);
    let k1 = key(1);
    let r = json(&run(&["check", "--key", &k1, "--format", "json"], f.root()));
    let ids: Vec<&str> = r["discrepancies"].as_array().unwrap().iter().map(|d| d["id"].as_str().unwrap()).collect();
    assert_eq!(ids, vec![f.ghost(1).as_str(), f.incomplete(1).as_str()]);
    assert_eq!(r["summary"]["ghost_entry"], 1);
    assert_eq!(r["summary"]["stray_file"], 0);
    let plan = plan_items(&run(&["plan", "--key", &k1, "--format", "json"], f.root()));
    assert_eq!(plan, pairs(&[(&f.ghost(1), "mark_failed"), (&f.incomplete(1), "quarantine")]));
    // A healthy key: known, nothing to do.
    let out = run(&["check", "--key", &key(5)], f.root());
    assert_eq!(out.code, 0, "{out:?}");
    let out = run(&["check", "--key", &key(6), "--format", "json"], f.root());
    assert_eq!((out.code, json(&out)["discrepancies"].as_array().unwrap().len()), (0, 0));
    assert!(plan_items(&run(&["plan", "--key", &key(5), "--format", "json"], f.root())).is_empty());
    // apply: only key 1 changes.
    let before = rows(&f.d.db);
    let out = run(&["apply", "--yes", "--key", &k1], f.root());
    assert_eq!(out.code, 0, "{out:?}");
    let after = rows(&f.d.db);
    let changed: Vec<_> = before.iter().zip(&after).filter(|(a, b)| a != b).collect();
    assert_eq!(changed.len(), 1, "one row changed");
    let (_, r) = report(f.root());
    let left: Vec<&str> = r["discrepancies"].as_array().unwrap().iter().map(|d| d["id"].as_str().unwrap()).collect();
    assert!(left.contains(&f.ghost(2).as_str()) && left.contains(&STRAY));
    assert!(!left.iter().any(|i| i.contains(&k1)), "key 1 is fixed: {left:?}");
}

#[test]
fn keys_from_a_file_and_from_stdin() {
    let f = Fixture::new(Layout::Flat);
    let list = f.root().join("keys.txt");
    // CRLF endings and a blank line are fine.
    std::fs::write(&list, format!("{}\r\n\r\n{}\n", key(1), key(2))).unwrap();
    let want = pairs(&[(&f.ghost(1), "mark_failed"), (&f.incomplete(1), "quarantine"), (&f.ghost(2), "mark_failed")]);
    let from_file = run(&["plan", "--keys-from", list.to_str().unwrap(), "--format", "json"], f.root());
    assert_eq!(plan_items(&from_file), want);
    let from_stdin =
        run_stdin(&["plan", "--keys-from", "-", "--format", "json"], f.root(), &format!("{}\n{}\n", key(1), key(2)));
    assert_eq!(plan_items(&from_stdin), want);
    // --key and --keys-from add up.
    let both = run(&["plan", "--keys-from", list.to_str().unwrap(), "--key", &key(4), "--format", "json"], f.root());
    assert_eq!(plan_items(&both).len(), 4);
    // check reads the same list.
    let r = json(&run_stdin(&["check", "--keys-from", "-", "--format", "json"], f.root(), &key(2)));
    assert_eq!(r["discrepancies"].as_array().unwrap().len(), 1);
}

#[test]
fn ids_alone_and_from_a_file() {
    let f = Fixture::new(Layout::Sharded);
    let plan = plan_items(&run(&["plan", "--id", &f.incomplete(1), "--format", "json"], f.root()));
    assert_eq!(plan, pairs(&[(&f.incomplete(1), "quarantine")]));
    let list = f.root().join("ids.txt");
    std::fs::write(&list, format!("{}\n{}\n", f.ghost(2), f.redundant(3))).unwrap();
    let plan = plan_items(&run(&["plan", "--ids-from", list.to_str().unwrap(), "--format", "json"], f.root()));
    assert_eq!(plan, pairs(&[(&f.ghost(2), "mark_failed"), (&f.redundant(3), "quarantine")]));
    let r = json(&run(&["check", "--ids-from", list.to_str().unwrap(), "--format", "json"], f.root()));
    assert_eq!(r["discrepancies"].as_array().unwrap().len(), 2);
    // A key and an id: the union.
    let plan = plan_items(&run(&["plan", "--key", &key(1), "--id", &f.ghost(2), "--format", "json"], f.root()));
    assert_eq!(plan.len(), 3);
    // An empty list selects nothing (never "everything").
    let empty = f.root().join("empty.txt");
    std::fs::write(&empty, "").unwrap();
    assert!(
        plan_items(&run(&["plan", "--ids-from", empty.to_str().unwrap(), "--format", "json"], f.root())).is_empty()
    );
    let before = tree(f.root());
    let out = run(&["apply", "--yes", "--ids-from", empty.to_str().unwrap()], f.root());
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains("Nothing to apply"), "{out:?}");
    assert_eq!(tree(f.root()), before);
}

#[test]
fn fix_for_one_item_alone_and_with_the_other_selectors() {
    let f = Fixture::new(Layout::Android);
    let (g1, g2) = (f.ghost(1), f.ghost(2));
    // Alone: the whole plan, that one item's fix changed.
    let all = plan_items(&run(&["plan", "--format", "json"], f.root()));
    let one = plan_items(&run(&["plan", "--fix", &format!("{g2}=delete_entry"), "--format", "json"], f.root()));
    assert_eq!(all.len(), one.len());
    assert!(one.contains(&(g2.clone(), "delete_entry".into())) && one.contains(&(g1.clone(), "mark_failed".into())));
    // With --id: exactly that item, with that fix.
    let fix = format!("{g2}=delete_entry");
    let plan = plan_items(&run(&["plan", "--id", &g2, "--fix", &fix, "--format", "json"], f.root()));
    assert_eq!(plan, pairs(&[(&g2, "delete_entry")]));
    // --fix KIND=FIX applies to the selected items of that kind; ID=FIX wins for its item.
    let plan = plan_items(&run(
        &[
            "plan",
            "--key",
            &key(1),
            "--key",
            &key(2),
            "--fix",
            "ghost_entry=delete_entry",
            "--fix",
            &format!("{g1}=mark_failed"),
            "--format",
            "json",
        ],
        f.root(),
    ));
    assert_eq!(plan, pairs(&[(&g1, "mark_failed"), (&f.incomplete(1), "quarantine"), (&g2, "delete_entry")]));
    // --only narrows keys and ids to its kinds.
    let plan = plan_items(&run(&["plan", "--key", &key(1), "--only", "incomplete_file", "--format", "json"], f.root()));
    assert_eq!(plan, pairs(&[(&f.incomplete(1), "quarantine")]));
    let plan = plan_items(&run(
        &["plan", "--only", "ghost_entry", "--fix", &format!("{g2}=delete_entry"), "--format", "json"],
        f.root(),
    ));
    assert_eq!(plan, pairs(&[(&g1, "mark_failed"), (&g2, "delete_entry")]));
}

#[test]
fn a_stray_file_is_chosen_by_its_id() {
    let f = Fixture::new(Layout::Flat);
    let fix = format!("{STRAY}=quarantine");
    let plan = plan_items(&run(&["plan", "--id", STRAY, "--fix", &fix, "--format", "json"], f.root()));
    assert_eq!(plan, pairs(&[(STRAY, "quarantine")]));
    // Without a fix: a stray has no default, and an id that would do nothing is an error.
    let line = run(&["plan", "--id", STRAY], f.root()).one_line_error().to_string();
    assert!(line.contains(STRAY) && line.contains("no default fix") && line.contains(&fix), "{line}");
    let rows_before = rows(&f.d.db);
    let out = run(&["apply", "--yes", "--id", STRAY, "--fix", &fix], f.root());
    assert_eq!(out.code, 0, "{out:?}");
    assert!(!f.d.cache.join("notes.txt").exists());
    let moved: Vec<_> = walkdir::WalkDir::new(f.root().join(".cachescope/quarantine"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_name() == "notes.txt")
        .collect();
    assert_eq!(moved.len(), 1, "notes.txt is in quarantine");
    assert_eq!(rows(&f.d.db), rows_before, "no row changed");
    // Everything else is still there.
    assert!(f.d.cache.join(format!("{}.wav", key(1))).exists());
}

#[test]
fn names_that_match_nothing_are_one_sentence_and_exit_2() {
    let f = Fixture::new(Layout::Android);
    let before = tree(f.root());
    let missing = key(77);
    for cmd in ["check", "plan", "apply"] {
        let mut args = vec![cmd, "--key", &missing];
        if cmd == "apply" {
            args.push("--yes");
        }
        let line = run(&args, f.root()).one_line_error().to_string();
        assert!(line.contains(&format!("--key '{missing}' matches no row and no file")), "{cmd}: {line}");
        let id = format!("ghost_entry:{missing}");
        let mut args = vec![cmd, "--id", &id];
        if cmd == "apply" {
            args.push("--yes");
        }
        let line = run(&args, f.root()).one_line_error().to_string();
        assert!(line.contains(&format!("--id '{id}' matches no discrepancy")), "{cmd}: {line}");
    }
    // Several unknown: the first is named, the rest counted.
    let line = run(&["plan", "--key", &key(1), "--key", "a", "--key", "b"], f.root()).one_line_error().to_string();
    assert!(line.contains("--key 'a'") && line.contains("(and 1 more)"), "{line}");
    // An item fix for an item that is not there, or not selected.
    let line =
        run(&["plan", "--fix", &format!("ghost_entry:{missing}=delete_entry")], f.root()).one_line_error().to_string();
    assert!(line.contains("names no discrepancy"), "{line}");
    let fix = format!("{}=delete_entry", f.ghost(2));
    let line = run(&["apply", "--yes", "--key", &key(1), "--fix", &fix], f.root()).one_line_error().to_string();
    assert!(line.contains("--key and --id leave out") && line.contains(&format!("--id '{}'", f.ghost(2))), "{line}");
    let line = run(&["plan", "--id", &f.ghost(2), "--only", "orphaned_file"], f.root()).one_line_error().to_string();
    assert!(line.contains("which --only leaves out"), "{line}");
    // Syntax, before the dump is read: a bad id, a fix of another kind, a list that is not there.
    let line = run(&["plan", "--id", "nonsense"], f.root()).one_line_error().to_string();
    assert!(line.contains("'nonsense' is not a discrepancy id"), "{line}");
    let line = run(&["plan", "--fix", &format!("{}=quarantine", f.ghost(2))], f.root()).one_line_error().to_string();
    assert!(line.contains("quarantine is not a fix for ghost_entry"), "{line}");
    let line = run(&["plan", "--keys-from", "/nonexistent/keys.txt"], f.root()).one_line_error().to_string();
    assert!(line.contains("/nonexistent/keys.txt") && line.contains("could not read the key list"), "{line}");
    let bad = f.root().join("bad.txt");
    std::fs::write(&bad, b"ok\n\xff\xfe\n").unwrap();
    let line = run(&["plan", "--ids-from", bad.to_str().unwrap()], f.root()).one_line_error().to_string();
    assert!(line.contains("not UTF-8 text (line 2)"), "{line}");
    let line = run(&["plan", "--ids-from", "-", "--keys-from", "-"], f.root()).one_line_error().to_string();
    assert!(line.contains("stdin"), "{line}");
    std::fs::remove_file(&bad).unwrap();
    assert_eq!(tree(f.root()), before, "nothing was changed");
}

#[test]
fn names_are_printed_escaped() {
    let f = Fixture::new(Layout::Flat);
    let out = run(&["check", "--key", "k\u{1b}[2J\u{202e}x"], f.root());
    let line = out.one_line_error();
    assert!(line.contains("k\\u{1b}[2J\\u{202e}x") && !out.stderr.contains('\u{1b}'), "{line}");
    let out = run(&["plan", "--id", "ghost_entry:\u{7}bell"], f.root());
    assert!(out.one_line_error().contains("ghost_entry:\\u{7}bell") && !out.stderr.contains('\u{7}'));
}

/// The discrepancies of a report, whole, as printed.
fn discrepancies(r: &Json) -> Vec<Json> {
    r["discrepancies"].as_array().unwrap().clone()
}

/// `check --key …` against the full check filtered to those keys: the same
/// discrepancies (every field) and summary; returns the keyed report.
fn same_as_filtered(root: &Path, keys: &[String]) -> Json {
    let (_, full) = report(root);
    let mut args: Vec<&OsStr> = vec![root.as_os_str()];
    for k in keys {
        args.extend([OsStr::new("--key"), OsStr::new(k)]);
    }
    let (code, keyed) = check_json(&args);
    let want: Vec<Json> = discrepancies(&full)
        .into_iter()
        .filter(|d| d["key"].as_str().is_some_and(|k| keys.iter().any(|x| x == k)))
        .collect();
    assert_eq!(discrepancies(&keyed), want, "keys {keys:?}");
    for (kind, n) in keyed["summary"].as_object().unwrap() {
        assert_eq!(n.as_u64().unwrap() as usize, want.iter().filter(|d| d["kind"] == *kind).count(), "{kind}");
    }
    let problems = want.iter().any(|d| d["severity"] != "info");
    assert_eq!(code, i32::from(problems));
    keyed
}

#[test]
fn check_key_equals_the_filtered_full_check_on_every_layout_reading_only_those_keys() {
    for layout in [Layout::Flat, Layout::Sharded, Layout::Android] {
        let f = Fixture::new(layout);
        // A partial write beside a key's file, and one of its own.
        f.d.file(&format!("{}.m4a.tmp", key(4)), b"half");
        f.d.file(&format!("{}.part", key(8)), b"half");
        let total = report(f.root()).1["scanned"]["files"].as_u64().unwrap();
        for n in [1, 2, 3, 4, 5, 6, 8] {
            let keyed = same_as_filtered(f.root(), &[key(n)]);
            let read = keyed["scanned"]["files"].as_u64().unwrap();
            assert!(read <= 2, "{layout:?}: key {n} read {read} of {total} files");
            assert!(keyed["scanned"]["entries"].as_u64().unwrap() <= 1);
        }
        let all: Vec<String> = [1, 2, 3, 4, 5, 6, 8].map(key).to_vec();
        let keyed = same_as_filtered(f.root(), &all);
        assert!(keyed["scanned"]["files"].as_u64().unwrap() < total, "{layout:?}: the stray is not read");
    }
}

#[test]
fn an_unknown_layout_is_walked_whole_with_the_same_answer() {
    // A sub-folder that is no shard: the key's files could be anywhere.
    let f = Fixture::new(Layout::Flat);
    f.d.raw_file(Path::new("backup/old.txt"), b"x");
    f.d.raw_file(&Path::new("backup").join(format!("{}.m4a", key(2))), &m4a(1000, 64));
    let keyed = same_as_filtered(f.root(), &[key(2)]);
    assert_eq!(keyed["scanned"]["files"], report(f.root()).1["scanned"]["files"], "walked whole");
    assert_eq!(discrepancies(&keyed)[0]["kind"], "size_mismatch", "the file in backup/ counts");
}

#[test]
fn nested_shards_are_followed() {
    // `ab/cd/<key>.wav` (continuing) and `a/ab/<key>.wav` (each name starting with its parent's).
    for (shard, rel_of) in [
        ("continuing", Box::new(|k: &str| format!("{}/{}", &k[..2], &k[2..4])) as Box<dyn Fn(&str) -> String>),
        ("cumulative", Box::new(|k: &str| format!("{}/{}", &k[..1], &k[..2]))),
    ] {
        let d = TestDump::new(Layout::Flat);
        for n in 1..=12 {
            let k = key(n);
            let s =
                d.raw_file(&Path::new(&rel_of(&k)).join(format!("{k}.wav")), &wav(64 + n)).metadata().unwrap().len();
            if n % 3 != 0 {
                d.row(&k, "wav", Some(s as i64 + i64::from(n % 2)), None);
            }
        }
        d.row(&key(40), "m4a", Some(9), None);
        for n in [1, 2, 3, 4, 40] {
            let keyed = same_as_filtered(d.root(), &[key(n)]);
            assert!(keyed["scanned"]["files"].as_u64().unwrap() <= 1, "{shard}: {keyed}");
        }
    }
}

#[test]
fn check_key_sees_rows_only_in_the_wal_and_writes_nothing() {
    let f = Fixture::new(Layout::Android);
    let root = f.root();
    let conn = rusqlite::Connection::open(&f.d.db).unwrap();
    conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0;").unwrap();
    let s = f.d.m4a(&key(9), 64);
    conn.execute(
        "INSERT INTO cache_entries (cache_key, compression_state, size_bytes, created_at) VALUES (?1, 'wav', ?2, 0)",
        rusqlite::params![key(9), s],
    )
    .unwrap();
    // A pull of the live files: the row lives only in the -wal.
    let pulled = tempfile::tempdir().unwrap();
    copy_dump(root, pulled.path());
    drop(conn);
    assert!(pulled.path().join("databases/app.db-wal").metadata().unwrap().len() > 0);
    use cachescope::core::snapshot::Snapshot;
    let pulled_db = pulled.path().join("databases/app.db");
    assert!(Snapshot::in_place(&pulled_db).unwrap().is_none(), "-wal content: read through a copy");
    assert!(Snapshot::in_place(&f.d.db).unwrap().is_some(), "no -wal: read in place");
    let before = tree(pulled.path());
    let keyed = same_as_filtered(pulled.path(), &[key(9)]);
    assert_eq!(discrepancies(&keyed)[0]["kind"], "compression_state_mismatch");
    assert_eq!(tree(pulled.path()), before, "nothing written with a -wal");
    // And without one (read in place): nothing written either.
    let before = tree(root);
    same_as_filtered(root, &[key(1), key(9)]);
    assert_eq!(tree(root), before, "nothing written in place");
}

/// The ids of the TUI's export format, written by hand: one a line.
#[test]
fn an_id_list_in_the_tuis_format_applies_the_same_batch_as_id_flags() {
    let f = Fixture::new(Layout::Android);
    let ids = [f.ghost(2), f.incomplete(1), f.redundant(3), format!("size_mismatch:{}", key(4))];
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    copy_dump(f.root(), a.path());
    copy_dump(f.root(), b.path());
    let list = a.path().join("selection.txt");
    std::fs::write(&list, ids.iter().map(|i| format!("{i}\n")).collect::<String>()).unwrap();
    let out = run(&["apply", "--yes", "--ids-from", list.to_str().unwrap()], a.path());
    assert_eq!(out.code, 0, "{out:?}");
    std::fs::remove_file(&list).unwrap();
    let mut args = vec!["apply", "--yes"];
    for id in &ids {
        args.extend(["--id", id.as_str()]);
    }
    let out = run(&args, b.path());
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains("4 of 4 fixes applied"), "{out:?}");
    let db = |p: &Path| p.join("databases/app.db");
    assert_eq!(rows(&db(a.path())), rows(&db(b.path())), "same rows");
    assert_eq!(audit(&db(a.path()), a.path()), audit(&db(b.path()), b.path()), "same audit rows");
    let files = |p: &Path| {
        let mut t = tree(p);
        t.retain(|k, _| !k.starts_with(b".cachescope/backups") && !k.starts_with(b"databases"));
        t
    };
    assert_eq!(files(a.path()), files(b.path()), "same files, same quarantine");
}

/// Each audit row's event, key and details (the dump's path and times taken out).
fn audit(db: &Path, root: &Path) -> Vec<(String, Option<String>, String)> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn.prepare("SELECT event_type, affected_cache_key, details FROM cache_audit ORDER BY id").unwrap();
    let root = root.to_string_lossy().into_owned();
    stmt.query_map([], |r| {
        let details: String = r.get(2)?;
        let mut j: Json = serde_json::from_str(&details.replace(&root, "DUMP")).unwrap();
        scrub(&mut j);
        Ok((r.get(0)?, r.get(1)?, j.to_string()))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

/// Times and durations differ from run to run.
fn scrub(j: &mut Json) {
    match j {
        Json::Object(m) => {
            for (k, v) in m.iter_mut() {
                if k.ends_with("_at")
                    || k.ends_with("_hex")
                    || k.ends_with("_ms") && k != "duration_ms"
                    || k == "backup"
                {
                    *v = Json::Null;
                } else {
                    scrub(v);
                }
            }
        }
        Json::Array(a) => a.iter_mut().for_each(scrub),
        _ => {}
    }
}

/// One random key: its row (state, size off by one or not), its files.
#[derive(Debug, Clone)]
struct RandomKey {
    row: Option<(&'static str, bool)>,
    wav: u8,
    m4a: bool,
    partial: Option<&'static str>,
}

fn random_key() -> impl Strategy<Value = RandomKey> {
    let row = prop_oneof![
        Just(None),
        (prop_oneof![Just("wav"), Just("m4a"), Just("failed"), Just("compressing")], any::<bool>()).prop_map(Some),
    ];
    let partial = prop_oneof![Just(None), Just(Some(".wav.tmp")), Just(Some(".part")), Just(Some(".m4a.download"))];
    // wav: 0 none, 1 complete, 2 truncated
    (row, 0u8..3, any::<bool>(), partial).prop_map(|(row, wav, m4a, partial)| RandomKey { row, wav, m4a, partial })
}

fn build(layout: Layout, keys: &[RandomKey], strays: u8) -> TestDump {
    let d = TestDump::new(layout);
    for (n, spec) in keys.iter().enumerate() {
        let k = key(n as u32 + 1);
        let mut size = 100;
        if spec.m4a {
            size = d.m4a(&k, 64 + n as u32);
        }
        match spec.wav {
            1 => size = if spec.m4a { size } else { d.wav(&k, 64 + n as u32) },
            2 => {
                d.file(&format!("{k}.wav"), &wav_declaring(4096, 100));
            }
            _ => {}
        }
        if spec.wav == 1 && spec.m4a {
            d.wav(&k, 32);
        }
        if let Some(p) = spec.partial {
            d.file(&format!("{k}{p}"), b"partial");
        }
        if let Some((state, off)) = spec.row {
            d.row(&k, state, Some(size + i64::from(off)), Some(1000));
        }
    }
    for s in 0..strays {
        d.raw_file(Path::new(&format!("stray-{s}.txt")), b"x");
    }
    d
}

fn cases(default: u32) -> ProptestConfig {
    ProptestConfig::with_cases(std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default))
}

proptest! {
    #![proptest_config(cases(12))]

    #[test]
    fn check_key_is_the_full_check_filtered_on_random_dumps(
        layout in prop_oneof![Just(Layout::Flat), Just(Layout::Sharded), Just(Layout::Android)],
        keys in proptest::collection::vec(random_key(), 1..10),
        pick in proptest::collection::vec(any::<bool>(), 10),
        strays in 0u8..3,
    ) {
        let d = build(layout, &keys, strays);
        let known = |i: usize| {
            let s = &keys[i];
            s.row.is_some() || s.wav > 0 || s.m4a || s.partial.is_some()
        };
        let chosen: Vec<String> = (0..keys.len()).filter(|&i| pick[i] && known(i)).map(|i| key(i as u32 + 1)).collect();
        prop_assume!(!chosen.is_empty());
        same_as_filtered(d.root(), &chosen);
    }
}
