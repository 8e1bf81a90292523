//! Per-item selection headless (issue 16): `--key`, `--keys-from`, `--id`,
//! `--ids-from` and `--fix ID=FIX` on check, plan and apply, alone and
//! combined; names that match nothing; an id list applied like `--id` flags.
//! (`check --key` reading only what it needs: `select_keys.rs`.)

mod common;
mod select_kit;

use common::*;
use select_kit::*;

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
    // Two different fixes for one kind or one id: the flags' order must not decide.
    for (a, b) in [("mark_failed", "delete_entry"), ("delete_entry", "mark_failed")] {
        let (fa, fb) = (format!("ghost_entry={a}"), format!("ghost_entry={b}"));
        let line = run(&["plan", "--fix", &fa, "--fix", &fb], f.root()).one_line_error().to_string();
        assert!(line.contains(&format!("--fix gives ghost_entry two fixes, {a} and {b}")), "{line}");
        let (fa, fb) = (format!("{}={a}", f.ghost(2)), format!("{}={b}", f.ghost(2)));
        let line = run(&["apply", "--yes", "--fix", &fa, "--fix", &fb], f.root()).one_line_error().to_string();
        assert!(line.contains(&format!("--fix gives {} two fixes", f.ghost(2))), "{line}");
    }
    // The same fix twice is no conflict.
    let same = run(&["plan", "--fix", "ghost_entry=delete_entry", "--fix", "ghost_entry=delete_entry"], f.root());
    assert_eq!(same.code, 0, "{same:?}");
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
    same_result(a.path(), b.path());
}
