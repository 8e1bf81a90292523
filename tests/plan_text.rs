//! `cachescope plan`'s readable text (the default) and `--format sql` (the
//! exact statements): the same plan, two forms; the closing hint never leads
//! to the repository's bundled demo.

mod common;

use std::ffi::OsStr;
use std::path::Path;

use cachescope::core::report::write_plan_sql;
use cachescope::core::{Control, Dump, Inspection, Locate, Selection, plan};
use common::*;

fn run(args: &[&str], dump: &Path) -> Out {
    let mut a: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
    a.insert(1, dump.as_os_str());
    cachescope(a)
}

fn demo() -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("d");
    cachescope::core::demo::write_demo(&d, 60, 5).unwrap();
    (tmp, d)
}

fn open(d: &Path) -> Inspection {
    let dump = Dump::locate(&Locate { path: Some(d.to_path_buf()), ..Default::default() }).unwrap();
    Inspection::open(&dump, &Control::none()).unwrap()
}

#[test]
fn format_sql_prints_the_exact_statements_of_the_plan() {
    let (_t, d) = demo();
    let out = run(&["plan", "--format", "sql"], &d);
    assert_eq!(out.code, 0, "{out:?}");
    let ins = open(&d);
    let p = plan(&ins, &Selection::default());
    let mut want = vec![];
    write_plan_sql(&ins, &p, &mut want).unwrap();
    assert_eq!(out.stdout, String::from_utf8(want).unwrap());
    // Every statement apply runs is there, as shown, with its id.
    for item in &p.items {
        match &item.op {
            cachescope::core::plan::Op::Sql { sql, .. } => {
                assert!(out.stdout.contains(&format!("{sql}  -- {}", item.id)), "{sql}")
            }
            cachescope::core::plan::Op::Quarantine { from, .. } => {
                assert!(out.stdout.contains(&format!("mv {}", from.display())))
            }
        }
    }
    assert!(out.stdout.starts_with("Plan: ") && out.stdout.contains("-- in one transaction on databases/app.db"));
    assert!(out.stdout.contains("-- file moves (never deleted), cache dir cache/audio:"));
}

#[test]
fn the_readable_plan_groups_by_fix_and_shows_before_and_after() {
    let (_t, d) = demo();
    let out = run(&["plan"], &d);
    assert_eq!(out.code, 0, "{out:?}");
    let text = &out.stdout;
    assert!(!text.contains("UPDATE cache_entries") && !text.contains("INSERT INTO"), "{text}");
    let ins = open(&d);
    let p = plan(&ins, &Selection::default());
    // One heading per fix with its count, in the order of the counts.
    let mut at = 0;
    for (fix, n) in p.counts() {
        let heading = format!("\n{fix} ×{n} (");
        let found = text[at..].find(&heading).unwrap_or_else(|| panic!("no heading {heading:?} after {at}: {text}"));
        at += found + heading.len();
    }
    // Each update shows the row as scanned and the value it gets.
    for item in &p.items {
        use cachescope::core::Fix;
        let key = item.key.as_deref().unwrap_or_default();
        let head = match (&item.op, item.fix) {
            (cachescope::core::plan::Op::Quarantine { from, .. }, _) => format!("  > {} → ", from.display()),
            (_, Fix::Register) => format!("  + {key}  "),
            (_, Fix::DeleteEntry) => format!("  - {key}  "),
            _ => format!("  ~ {key}  "),
        };
        let line = text.lines().find(|l| l.starts_with(&head)).unwrap_or_else(|| panic!("no {head:?}: {text}"));
        let row = ins.rows.iter().find(|r| r.key.to_string() == key);
        match item.fix {
            Fix::MarkFailed => {
                let was = row.unwrap().state.clone().unwrap();
                assert!(line.contains(&format!("compression_state: {was} → failed")), "{line}");
            }
            Fix::UpdateSize => {
                let was = row.unwrap().size().unwrap();
                assert!(line.contains(&format!("size_bytes: {was} → ")), "{line}");
            }
            Fix::Register => assert!(line.contains("row: compression_state "), "{line}"),
            Fix::Quarantine => assert!(line.contains("→ .cachescope/quarantine/<batch>/"), "{line}"),
            _ => {}
        }
    }
    let delete = run(&["plan", "--only", "ghost_entry", "--fix", "ghost_entry=delete_entry"], &d);
    assert!(delete.stdout.lines().any(|l| l.starts_with("  - ") && l.contains("row: compression_state ")));
    assert!(
        text.trim_end()
            .ends_with(&format!("Apply it with `cachescope apply {} --yes` (same selection flags).", d.display()))
    );
}

#[test]
fn the_readable_plan_of_the_demo_reads_like_this() {
    let (_t, d) = demo();
    let out = run(&["plan"], &d);
    let text = out.stdout.replace(&d.display().to_string(), "DUMP");
    insta::assert_snapshot!("readable_plan", text);
}

#[test]
fn the_repositorys_bundled_demo_is_never_the_target_of_the_apply_hint() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("checkout");
    cachescope::core::demo::write_demo(&repo.join("assets/demo"), 40, 1).unwrap();
    std::fs::write(repo.join("Cargo.toml"), "[package]\nname = \"cachescope\"\n").unwrap();
    for format in ["text", "sql"] {
        let out = run(&["plan", "--format", format], &repo.join("assets/demo"));
        assert_eq!(out.code, 0, "{out:?}");
        assert!(!out.stdout.contains("apply ") || !out.stdout.contains("assets/demo --yes"), "{}", out.stdout);
        assert!(out.stdout.contains("cachescope demo /tmp/demo"), "{}", out.stdout);
    }
}

/// A plan the blast-radius guard would refuse says so, and why, and its
/// apply command carries the flag that lets it through (SPEC §6: a plan
/// shows exactly what would happen). The same command without the flag is
/// refused, and with it goes through.
#[test]
fn a_plan_past_the_blast_radius_guard_says_so() {
    let (_t, d) = demo();
    let text = run(&["plan"], &d).stdout;
    assert!(!text.contains("blast-radius") && !text.contains("--allow-mass-change"), "{text}");
    // Every audio file gone: an empty or unmounted copy.
    for e in walkdir::WalkDir::new(&d).into_iter().filter_map(Result::ok) {
        if e.path().extension().is_some_and(|x| x == "wav" || x == "m4a") {
            std::fs::remove_file(e.path()).unwrap();
        }
    }
    for format in ["text", "sql"] {
        let out = run(&["plan", "--format", format], &d).stdout;
        let last = out.trim_end().lines().last().unwrap().to_string();
        assert!(last.contains("blast-radius guard") && last.contains("no audio file"), "{format}: {last}");
        assert!(
            last.ends_with(&format!(
                "`cachescope apply {} --yes --allow-mass-change` (same selection flags).",
                d.display()
            )),
            "{format}: {last}"
        );
    }
    let json: serde_json::Value = serde_json::from_str(&run(&["plan", "--format", "json"], &d).stdout).unwrap();
    assert!(json["mass_change"].as_str().unwrap().contains("no audio file"), "{json}");
    assert_eq!(run(&["apply", "--yes"], &d).code, 2, "refused without the flag");
    assert_eq!(run(&["apply", "--yes", "--allow-mass-change"], &d).code, 0, "applied with it");
}

/// Counts read as English: one fix, one row change, one size mismatch.
#[test]
fn a_count_of_one_is_singular() {
    let (_t, d) = demo();
    let (_, report) = report(&d);
    let ghost = report["discrepancies"].as_array().unwrap().iter().find(|x| x["kind"] == "ghost_entry").unwrap();
    let id = ghost["id"].as_str().unwrap();
    let text = run(&["plan", "--id", id], &d).stdout;
    assert!(text.starts_with("Plan: 1 fix — 1 row change (one transaction on "), "{text}");
    assert!(text.contains(", 0 file moves to quarantine."), "{text}");
    let sql = run(&["plan", "--id", id, "--format", "sql"], &d).stdout;
    assert!(sql.starts_with("Plan: 1 fix — 1 SQL statement, 0 file moves (mark_failed ×1)."), "{sql}");
    let check = run(&["check"], &d).stdout;
    let sizes = report["summary"]["size_mismatch"].as_u64().unwrap();
    let noun = if sizes == 1 { "size mismatch (" } else { "size mismatches (" };
    assert!(check.contains(&format!("{sizes} {noun}")), "{check}");
}
