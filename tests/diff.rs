//! `diff OLD NEW`: dump/dump, dump/report, report/report, report/dump; exit
//! codes, the JSON shape, and that inspecting a side writes nothing.

mod common;

use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use common::*;
use serde_json::Value;

/// A demo dump `old` and a copy `new` with two new and two resolved
/// discrepancies; returns the ids of each.
struct Pair {
    _tmp: tempfile::TempDir,
    old: PathBuf,
    new: PathBuf,
    new_ids: BTreeSet<String>,
    resolved_ids: BTreeSet<String>,
}

fn pair() -> Pair {
    let tmp = tempfile::tempdir().unwrap();
    let (old, new) = (tmp.path().join("old"), tmp.path().join("new"));
    cachescope::core::demo::write_demo(&old, 300, 1).unwrap();
    copy_dump(&old, &new);
    let (_, r) = report(&old);
    let items = r["discrepancies"].as_array().unwrap();
    let first = |kind: &str| items.iter().find(|d| d["kind"] == kind).unwrap().clone();
    let (orphan, ghost) = (first("orphaned_file"), first("ghost_entry"));
    // Resolved: the orphan's file is gone, the ghost's row is gone.
    std::fs::remove_file(new.join("cache/audio").join(orphan["file"].as_str().unwrap())).unwrap();
    let conn = rusqlite::Connection::open(new.join("databases/app.db")).unwrap();
    conn.execute("DELETE FROM cache_entries WHERE cache_key = ?1", [ghost["key"].as_str().unwrap()]).unwrap();
    // New: an orphan and a ghost.
    std::fs::write(new.join("cache/audio").join(format!("{}.m4a", key(1))), m4a(500, 100)).unwrap();
    conn.execute(
        "INSERT INTO cache_entries (cache_key, compression_state, created_at) VALUES (?1, 'm4a', 1770000000000)",
        [key(2)],
    )
    .unwrap();
    drop(conn);
    let s = |v: &Value| v["id"].as_str().unwrap().to_string();
    Pair {
        _tmp: tmp,
        old,
        new,
        new_ids: [format!("orphaned_file:{}", key(1)), format!("ghost_entry:{}", key(2))].into(),
        resolved_ids: [s(&orphan), s(&ghost)].into(),
    }
}

/// `check --format json` saved to a file.
fn save_report(dump: &Path, to: &Path) -> PathBuf {
    let out = cachescope([OsStr::new("check"), dump.as_os_str(), OsStr::new("--format"), OsStr::new("json")]);
    assert!(out.code <= 1, "{out:?}");
    std::fs::write(to, &out.stdout).unwrap();
    to.to_path_buf()
}

fn diff(old: &Path, new: &Path, format: &str) -> Out {
    cachescope([OsStr::new("diff"), old.as_os_str(), new.as_os_str(), OsStr::new("--format"), OsStr::new(format)])
}

fn diff_json(old: &Path, new: &Path) -> (i32, Value) {
    let out = diff(old, new, "json");
    assert!(out.code == 0 || out.code == 1, "{out:?}");
    (out.code, serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("bad JSON ({e}): {}", out.stdout)))
}

fn ids(v: &Value) -> BTreeSet<String> {
    v.as_array().unwrap().iter().map(|d| d["id"].as_str().unwrap().to_string()).collect()
}

fn check_shape(v: &Value, old: &Path, new: &Path) {
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["schema", "old_path", "new_path", "new", "resolved", "persisting", "summary", "rows", "files"]);
    assert_eq!(v["schema"], "cachescope.diff/1");
    assert_eq!(v["old_path"], old.to_string_lossy().as_ref());
    assert_eq!(v["new_path"], new.to_string_lossy().as_ref());
    let summary = v["summary"].as_object().unwrap();
    for kind in cachescope::core::Kind::ALL {
        let k = &summary[kind.as_str()];
        assert!(k["new"].is_u64() && k["resolved"].is_u64() && k["persisting"].is_u64(), "{kind}: {k}");
    }
    let total = |what: &str| summary.values().map(|k| k[what].as_u64().unwrap()).sum::<u64>();
    assert_eq!(total("new"), v["new"].as_array().unwrap().len() as u64);
    assert_eq!(total("resolved"), v["resolved"].as_array().unwrap().len() as u64);
    assert_eq!(total("persisting"), v["persisting"].as_array().unwrap().len() as u64);
}

#[test]
fn dump_against_dump_is_exact_and_writes_nothing() {
    let p = pair();
    let (old_tree, new_tree) = (tree(&p.old), tree(&p.new));
    let (code, v) = diff_json(&p.old, &p.new);
    assert_eq!(code, 1, "something is new");
    check_shape(&v, &p.old, &p.new);
    assert_eq!(ids(&v["new"]), p.new_ids);
    assert_eq!(ids(&v["resolved"]), p.resolved_ids);
    let (_, old_report) = report(&p.old);
    let all_old = ids(&old_report["discrepancies"]);
    assert_eq!(ids(&v["persisting"]), all_old.difference(&p.resolved_ids).cloned().collect());
    assert_eq!(v["summary"]["orphaned_file"]["new"], 1);
    assert_eq!(v["summary"]["orphaned_file"]["resolved"], 1);
    assert_eq!(v["summary"]["ghost_entry"]["new"], 1);
    assert_eq!(v["summary"]["size_mismatch"]["new"], 0);
    let rows = old_report["scanned"]["entries"].as_u64().unwrap();
    assert_eq!(
        v["rows"],
        serde_json::json!({"added": 1, "removed": 1, "old": rows, "new": rows, "net": 0, "exact": true})
    );
    assert_eq!(v["files"]["added"], 1);
    assert_eq!(v["files"]["removed"], 1);
    assert_eq!(v["files"]["exact"], true);
    // Each listed discrepancy is the report's object.
    let orphan = v["new"].as_array().unwrap().iter().find(|d| d["kind"] == "orphaned_file").unwrap();
    assert_eq!(orphan["disk"]["container"], "m4a");
    assert_eq!(orphan["default_fix"], "register");
    // Every listed discrepancy is exactly the one `check` reports, its `db`
    // included (an incomplete file's is its key's row).
    let (_, new_report) = report(&p.new);
    let in_report: std::collections::BTreeMap<&str, &Value> =
        new_report["discrepancies"].as_array().unwrap().iter().map(|d| (d["id"].as_str().unwrap(), d)).collect();
    let listed = v["new"].as_array().unwrap().iter().chain(v["persisting"].as_array().unwrap());
    let mut key_rows = 0;
    for d in listed {
        assert_eq!(Some(&d), in_report.get(d["id"].as_str().unwrap()), "{}", d["id"]);
        key_rows += usize::from(d["kind"] == "incomplete_file" && d["db"].is_object());
    }
    assert!(key_rows > 0, "the demo has incomplete files with a row");
    assert_eq!((tree(&p.old), tree(&p.new)), (old_tree, new_tree), "diff changed a dump");
    // The same dump twice: nothing new, everything persists.
    let (code, v) = diff_json(&p.old, &p.old);
    assert_eq!(code, 0);
    assert_eq!(ids(&v["persisting"]), all_old);
    assert!(v["new"].as_array().unwrap().is_empty() && v["resolved"].as_array().unwrap().is_empty());
    assert_eq!(v["rows"]["added"], 0);
}

#[test]
fn saved_reports_on_either_side() {
    let p = pair();
    let dir = p.old.parent().unwrap();
    let (old_json, new_json) = (save_report(&p.old, &dir.join("old.json")), save_report(&p.new, &dir.join("b.txt")));
    let (_, exact) = diff_json(&p.old, &p.new);
    let rows = exact["rows"]["old"].as_u64().unwrap();
    for (old, new) in [(&old_json, &p.new), (&p.old, &new_json), (&old_json, &new_json)] {
        let (code, v) = diff_json(old, new);
        assert_eq!(code, 1, "{old:?} {new:?}");
        check_shape(&v, old, new);
        assert_eq!(ids(&v["new"]), p.new_ids);
        assert_eq!(ids(&v["resolved"]), p.resolved_ids);
        assert_eq!(v["summary"], exact["summary"]);
        // A saved report has counts, not keys: only the net change is known.
        assert_eq!(
            v["rows"],
            serde_json::json!({"added": null, "removed": null, "old": rows, "new": rows, "net": 0, "exact": false})
        );
        assert_eq!(v["files"]["net"], 0);
        assert_eq!(v["files"]["added"], Value::Null);
    }
    // Persisting ones are as in NEW: byte for byte the saved objects.
    let (_, v) = diff_json(&old_json, &new_json);
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&new_json).unwrap()).unwrap();
    let by_id = |list: &Value, id: &str| list.as_array().unwrap().iter().find(|d| d["id"] == id).cloned();
    for d in v["persisting"].as_array().unwrap() {
        assert_eq!(Some(d.clone()), by_id(&saved["discrepancies"], d["id"].as_str().unwrap()));
    }
    // A report against its own dump: nothing new.
    let (code, v) = diff_json(&old_json, &p.old);
    assert_eq!(code, 0);
    assert_eq!(v["summary"]["orphaned_file"]["new"], 0);
    let text = diff(&old_json, &p.new, "text");
    let want = format!("rows   {rows} → {rows} (net +0; added and removed unknown: a saved report lists no keys)");
    assert!(text.stdout.contains(&want), "{}", text.stdout);
}

#[test]
fn text_and_markdown_read_in_a_call() {
    let p = pair();
    let (_, r) = report(&p.old);
    let (rows, files) = (&r["scanned"]["entries"], &r["scanned"]["files"]);
    let n = r["discrepancies"].as_array().unwrap().len();
    let out = diff(&p.old, &p.new, "text");
    assert_eq!(out.code, 1);
    let t = &out.stdout;
    assert!(t.starts_with("cachescope diff\n"), "{t}");
    assert!(t.contains(&format!("(dump: {rows} rows, {files} files, {n} discrepancies)")), "{t}");
    assert!(t.contains(&format!("rows   {rows} → {rows}: 1 added, 1 removed")), "{t}");
    assert!(t.contains("New (2):"), "{t}");
    assert!(t.contains(&format!("  + orphaned_file  {}: complete m4a file", key(1))), "{t}");
    assert!(t.contains(&format!("  + ghost_entry  {}: row says m4a", key(2))), "{t}");
    assert!(t.contains("Resolved (2):"), "{t}");
    assert!(t.trim_end().ends_with(&format!("2 new, 2 resolved, {} persisting.", n - 2)), "{t}");
    let md = diff(&p.old, &p.new, "markdown");
    assert_eq!(md.code, 1);
    assert!(md.stdout.starts_with("## cachescope diff"));
    assert!(md.stdout.contains("| `orphaned_file` | 1 | 1 |"), "{}", md.stdout);
    assert!(md.stdout.contains("### New (2)"));
    let same = diff(&p.old, &p.old, "text");
    assert_eq!(same.code, 0);
    assert!(same.stdout.contains(&format!("0 new, 0 resolved, {n} persisting.")), "{}", same.stdout);
}

#[test]
fn errors_are_one_sentence() {
    let p = pair();
    let dir = p.old.parent().unwrap();
    let other = dir.join("other.json");
    std::fs::write(&other, r#"{"schema": "something/2", "items": []}"#).unwrap();
    let line = diff(&p.old, &other, "json").one_line_error().to_string();
    assert!(line.contains("other.json") && line.contains("not a cachescope JSON report"), "{line}");
    let line = diff(&dir.join("missing"), &p.new, "text").one_line_error().to_string();
    assert!(line.contains("missing"), "{line}");
    let notes = dir.join("notes.txt");
    std::fs::write(&notes, "hello").unwrap();
    diff(&p.old, &notes, "text").one_line_error();
    let out = cachescope([
        OsStr::new("diff"),
        p.old.as_os_str(),
        p.new.as_os_str(),
        OsStr::new("--db"),
        p.old.join("databases/app.db").as_os_str(),
    ]);
    assert!(out.one_line_error().contains("--db"));
}
