//! Planning from literals: each fix, each way of choosing (default, per
//! kind, per item, skip, `--only`), the order apply runs them in, and what
//! the plan carries for apply.

use std::collections::HashMap;
use std::path::PathBuf;

use super::*;
use crate::core::dump::Dump;
use crate::core::model::{DiskScan, FileKind, Probe};

fn id(size: u64) -> Identity {
    Identity { dev: 1, ino: size, size, mtime_ns: 1_700_000_000_123_000_000 }
}

fn complete(path: &str, size: u64, ms: Option<u64>) -> FileFacts {
    let encoding = if path.ends_with(".wav") { Encoding::Wav } else { Encoding::M4a };
    FileFacts::new(path, id(size), FileKind::Cache { encoding, probe: Probe::Complete { duration_ms: ms } })
}

fn row(key: &str, state: &str, size: Option<i64>, ms: Option<i64>) -> Row {
    Row::new(key, Some(state)).sized(size, ms)
}

/// One key of every fixable kind:
/// a orphan · b ghost · c state mismatch · d size · e duration ·
/// f redundant wav · g truncated wav (with a ghost row) · notes.txt stray.
fn inspection() -> Inspection {
    let files = vec![
        complete("a.m4a", 300, Some(2000)),
        complete("c.m4a", 400, Some(1000)),
        complete("d.m4a", 500, Some(1000)),
        complete("e.m4a", 600, Some(4600)),
        complete("f.m4a", 700, Some(1000)),
        complete("f.wav", 800, Some(1000)),
        FileFacts::new("g.wav", id(50), FileKind::Cache { encoding: Encoding::Wav, probe: Probe::incomplete("cut") }),
        FileFacts::new("notes.txt", id(9), FileKind::Stray { why: "not a cache file name" }),
    ];
    let rows = vec![
        row("b", "m4a", Some(10), Some(1000)),
        row("c", "wav", Some(9), Some(1000)),
        row("d", "m4a", Some(1), Some(1000)),
        row("e", "m4a", Some(600), Some(10_000)),
        row("f", "m4a", Some(700), Some(1000)),
        row("g", "wav", Some(900), None),
    ];
    let dump = Dump { root: "/dump".into(), db: "/dump/app.db".into(), cache_dir: "/dump/audio".into(), archive: None };
    Inspection::from_parts(dump, Columns::reference(), rows, DiskScan::from_files(files))
}

fn shown(p: &Plan) -> Vec<(String, Fix, String)> {
    p.items
        .iter()
        .map(|i| {
            let what = match &i.op {
                Op::Sql { sql, .. } => sql.clone(),
                Op::Quarantine { from, .. } => format!("mv {}", from.display()),
            };
            (i.id.clone(), i.fix, what)
        })
        .collect()
}

#[test]
fn default_fixes_in_apply_order_sql_by_key_then_moves_by_path() {
    let ins = inspection();
    let p = plan(&ins, &Selection::default());
    let order: Vec<(&str, Fix)> = p.items.iter().map(|i| (i.id.as_str(), i.fix)).collect();
    assert_eq!(
        order,
        [
            ("orphaned_file:a", Fix::Register),
            ("ghost_entry:b", Fix::MarkFailed),
            ("compression_state_mismatch:c", Fix::UpdateState),
            ("size_mismatch:d", Fix::UpdateSize),
            ("duration_mismatch:e", Fix::UpdateDuration),
            ("ghost_entry:g", Fix::MarkFailed),
            ("redundant_file:f:f.wav", Fix::Quarantine),
            ("incomplete_file:g:g.wav", Fix::Quarantine),
        ],
        "strays have no default fix"
    );
    assert_eq!((p.sql_count(), p.move_count()), (6, 2));
}

#[test]
fn each_fix_is_exactly_its_statement_or_move() {
    let ins = inspection();
    let p = plan(&ins, &Selection::default());
    let sql = |id: &str| shown(&p).into_iter().find(|s| s.0 == id).unwrap().2;
    assert_eq!(
        sql("orphaned_file:a"),
        "INSERT INTO cache_entries (\"cache_key\", \"compression_state\", \"size_bytes\", \"duration_ms\", \"created_at\") SELECT 'a', 'm4a', 300, 2000, 1700000000123 WHERE NOT EXISTS (SELECT 1 FROM cache_entries WHERE \"cache_key\" = 'a');"
    );
    assert_eq!(
        sql("ghost_entry:b"),
        "UPDATE cache_entries SET \"compression_state\" = 'failed' WHERE \"cache_key\" = 'b' AND \"compression_state\" IS 'm4a' AND \"size_bytes\" IS 10 AND \"duration_ms\" IS 1000;"
    );
    assert!(sql("compression_state_mismatch:c").starts_with(
        "UPDATE cache_entries SET \"compression_state\" = 'm4a', \"size_bytes\" = 400, \"duration_ms\" = 1000 WHERE \"cache_key\" = 'c'"
    ));
    assert!(sql("size_mismatch:d").starts_with("UPDATE cache_entries SET \"size_bytes\" = 500 WHERE"));
    assert!(sql("duration_mismatch:e").starts_with("UPDATE cache_entries SET \"duration_ms\" = 4600 WHERE"));
    assert_eq!(sql("redundant_file:f:f.wav"), "mv f.wav");
}

#[test]
fn choices_per_kind_per_item_skip_and_only() {
    let ins = inspection();
    let mut sel = Selection::default();
    sel.per_kind.insert(Kind::GhostEntry, Fix::DeleteEntry);
    sel.per_item.insert("orphaned_file:a".into(), Some(Fix::Quarantine));
    sel.per_item.insert("duration_mismatch:e".into(), None);
    sel.per_item.insert("stray_file::notes.txt".into(), Some(Fix::Quarantine));
    let p = plan(&ins, &sel);
    let fixes: HashMap<&str, Fix> = p.items.iter().map(|i| (i.id.as_str(), i.fix)).collect();
    assert_eq!(fixes["ghost_entry:b"], Fix::DeleteEntry);
    assert!(shown(&p).iter().any(|s| s.0 == "ghost_entry:b" && s.2.starts_with("DELETE FROM cache_entries WHERE")));
    assert_eq!(fixes["orphaned_file:a"], Fix::Quarantine);
    assert!(!fixes.contains_key("duration_mismatch:e"), "skipped");
    assert_eq!(fixes["stray_file::notes.txt"], Fix::Quarantine, "a stray is chosen one by one");
    // A fix that is not one of the kind's is never planned.
    let mut wrong = Selection::default();
    wrong.per_item.insert("size_mismatch:d".into(), Some(Fix::Register));
    assert!(!plan(&ins, &wrong).items.iter().any(|i| i.id == "size_mismatch:d"));
    // --only: just these kinds.
    let only = Selection { only: Some(vec![Kind::RedundantFile]), ..Selection::default() };
    let ids: Vec<String> = plan(&ins, &only).items.into_iter().map(|i| i.id).collect();
    assert_eq!(ids, ["redundant_file:f:f.wav"]);
}

#[test]
fn the_plan_carries_what_apply_needs() {
    let ins = inspection();
    let p = plan(&ins, &Selection::default());
    assert_eq!(p.target.db, PathBuf::from("/dump/app.db"));
    assert_eq!(p.target.cache_dir, PathBuf::from("/dump/audio"));
    assert_eq!(p.target.columns.as_ref().unwrap().names.len(), 10);
    assert_eq!((p.target.total_rows, p.target.audio_files), (6, 7));
    // The redundant wav is stale once its m4a changes; the ghost with a cut
    // wav once that wav changes; an orphan wav once an m4a appears.
    let item = |id: &str| p.items.iter().find(|i| i.id == id).unwrap().pre.clone();
    assert_eq!(item("redundant_file:f:f.wav").unchanged, [(PathBuf::from("f.m4a"), id(700))]);
    assert_eq!(item("ghost_entry:g").unchanged, [(PathBuf::from("g.wav"), id(50))]);
    assert!(item("ghost_entry:b").absent.contains(&PathBuf::from("b.m4a")));
}

#[test]
fn the_blast_radius_guard_counts_from_the_plan() {
    let ins = inspection();
    let mut sel = Selection::default();
    sel.per_kind.insert(Kind::GhostEntry, Fix::DeleteEntry);
    assert_eq!(plan(&ins, &sel).mass_change(), None, "2 of 6 rows");
    let mut p = plan(&ins, &sel);
    p.target.total_rows = 3;
    assert!(p.mass_change().unwrap().contains("2 of 3 rows"));
    p.target.audio_files = 0;
    assert!(p.mass_change().unwrap().contains("no audio file"));
}
