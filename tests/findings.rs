//! Findings end to end: the demo's planted causes are found with the right
//! counts and windows, random noise yields none, and `check --baseline`
//! marks new discrepancies and exits on them only.

mod common;

use std::collections::HashMap;
use std::ffi::OsStr;
use std::path::Path;
use std::time::{Duration, UNIX_EPOCH};

use cachescope::core::demo::story::{BURST_LEN_MS, BURST_MS, BURST_VOICE, WEEK_LEN_MS, WEEK_MS};
use common::*;
use rusqlite::types::Value as Sql;
use serde_json::Value;

fn demo(keys: u64, seed: u64) -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("dump");
    cachescope::core::demo::write_demo(&dir, keys, seed).unwrap();
    (tmp, dir)
}

fn of_kind<'a>(r: &'a Value, kind: &str) -> Vec<&'a Value> {
    r["discrepancies"].as_array().unwrap().iter().filter(|d| d["kind"] == kind).collect()
}

fn finding<'a>(r: &'a Value, kind: &str, by: &str) -> &'a Value {
    r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == kind && f["by"] == by)
        .unwrap_or_else(|| panic!("no {kind} finding by {by}: {:#}", r["findings"]))
}

/// key → (voice_id, created_at) from the database.
fn voices(dump: &Path) -> HashMap<String, (Option<String>, i64)> {
    rows(&dump.join("databases/app.db"))
        .into_iter()
        .map(|r| {
            let text = |v: &Sql| match v {
                Sql::Text(s) => Some(s.clone()),
                _ => None,
            };
            let Sql::Integer(created) = r[8] else { panic!("created_at") };
            (text(&r[0]).unwrap(), (text(&r[3]), created))
        })
        .collect()
}

/// A time finding's window lies inside the planted range; its count is
/// exactly the kind's items inside the window, at least 80 % of the kind
/// and at most what was planted.
fn window_holds(f: &Value, items: &[&Value], time: impl Fn(&Value) -> i64, planted: std::ops::Range<i64>) {
    let (from, to) = (f["from"].as_i64().unwrap(), f["to"].as_i64().unwrap());
    assert!(planted.contains(&from) && planted.contains(&to), "{f}");
    let inside = items.iter().filter(|d| (from..=to).contains(&time(d))).count();
    assert_eq!(f["count"], inside, "{f}");
    assert_eq!(f["of"], items.len());
    assert!(inside * 5 >= items.len() * 4, "{f}");
    assert!(inside <= items.iter().filter(|d| planted.contains(&time(d))).count(), "{f}");
}

#[test]
fn the_demo_s_planted_causes_are_found_with_their_counts_and_windows() {
    for (keys, seed) in [(2000, 1), (800, 2), (300, 1)] {
        let (_t, dir) = demo(keys, seed);
        let (code, r) = report(&dir);
        assert_eq!(code, 1);
        let order: Vec<&str> = r.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(order, ["schema", "db", "cache_dir", "scanned", "summary", "findings", "discrepancies"]);
        let rows = voices(&dir);
        let mtime = |d: &Value| d["disk"]["mtime_ms"].as_i64().unwrap();

        // A burst of orphans in three minutes.
        let orphans = of_kind(&r, "orphaned_file");
        let f = finding(&r, "orphaned_file", "time");
        window_holds(f, &orphans, mtime, BURST_MS..BURST_MS + BURST_LEN_MS);

        // The burst's cut and partial files, all of one voice.
        let incomplete = of_kind(&r, "incomplete_file");
        let f = finding(&r, "incomplete_file", "time");
        window_holds(f, &incomplete, mtime, BURST_MS..BURST_MS + BURST_LEN_MS);
        let v = finding(&r, "incomplete_file", "voice_id");
        assert_eq!(v["value"], BURST_VOICE);
        let amy =
            incomplete.iter().filter(|d| rows[d["key"].as_str().unwrap()].0.as_deref() == Some(BURST_VOICE)).count();
        assert_eq!(v["count"], amy);
        assert_eq!(v["of"], incomplete.len());

        // A week of m4a files whose rows still say wav.
        let mismatches = of_kind(&r, "compression_state_mismatch");
        let f = finding(&r, "compression_state_mismatch", "time");
        let created = |d: &Value| d["db"]["created_at"].as_i64().unwrap();
        window_holds(f, &mismatches, created, WEEK_MS..WEEK_MS + WEEK_LEN_MS);
        let s = finding(&r, "compression_state_mismatch", "state");
        assert_eq!(s["value"], "wav");
        assert_eq!(s["count"], mismatches.iter().filter(|d| d["db"]["compression_state"] == "wav").count());

        // Ghosts, sizes, redundant and stray files are noise: no finding.
        for f in r["findings"].as_array().unwrap() {
            let kind = f["kind"].as_str().unwrap();
            assert!(
                ["orphaned_file", "incomplete_file", "compression_state_mismatch"].contains(&kind),
                "{keys}/{seed}: unexpected {f}"
            );
        }
        assert!(
            r["findings"].as_array().unwrap().iter().all(|f| f["by"] != "time"
                || f["sentence"].as_str().unwrap().contains("2026-02-13")
                || f["sentence"].as_str().unwrap().contains("2026-03-")),
            "{:#}",
            r["findings"]
        );
        // Each time window is a tenth of the span at most, and said in UTC.
        for f in r["findings"].as_array().unwrap().iter().filter(|f| f["by"] == "time") {
            assert!(f["sentence"].as_str().unwrap().contains("UTC"), "{f}");
            assert!(f["to"].as_i64().unwrap() - f["from"].as_i64().unwrap() < 9 * 86_400_000);
        }
    }
}

#[test]
fn the_reports_lead_with_sentences_that_name_the_window_and_the_voice() {
    let (_t, dir) = demo(3000, 1);
    let text = cachescope([OsStr::new("check"), dir.as_os_str()]).stdout;
    let top: Vec<&str> = text.lines().take(9).collect();
    assert_eq!(top[4], "Findings (why it drifted):", "{text}");
    let line =
        |what: &str| top.iter().find(|l| l.contains(what)).unwrap_or_else(|| panic!("{what}: {text}")).to_string();
    let orphans = line("orphaned files were written");
    assert!(orphans.contains("between 10:02 and 10:04 UTC on 2026-02-13."), "{orphans}");
    let incomplete = line("incomplete files were written");
    assert!(
        incomplete.contains("UTC on 2026-02-13;") && incomplete.ends_with(" are of voice en-US-amy."),
        "{incomplete}"
    );
    let week = line("compression state mismatches were created");
    assert!(week.contains("between 2026-03-16 and 2026-03-2") && week.ends_with("have row state wav."), "{week}");
    let md = cachescope([OsStr::new("check"), dir.as_os_str(), OsStr::new("--format"), OsStr::new("markdown")]).stdout;
    let findings_at = md.find("### Findings").unwrap();
    assert!(findings_at < md.find("| kind | severity").unwrap());
    assert!(md.contains(&format!("- {orphans_sentence}", orphans_sentence = orphans.trim_start_matches("  * "))));
}

/// A dump of random keys with random discrepancies: no cause planted.
fn noise(seed: u64) -> TestDump {
    let d = TestDump::new(Layout::Sharded);
    let mut rng = fastrand::Rng::with_seed(seed);
    let voices = ["en-US-amy", "en-GB-brian", "de-DE-katja", "fr-FR-denise"];
    let base = 1_769_644_800_000i64;
    let mut conn = rusqlite::Connection::open(&d.db).unwrap();
    let tx = conn.transaction().unwrap();
    for n in 0..1500u32 {
        let k = key(n + 1);
        let created = base + rng.i64(0..60 * 86_400_000);
        let voice = voices[rng.usize(0..4)];
        let book = format!("book-{}", rng.u32(0..50));
        let row = |state: &str, size: Option<i64>| {
            tx.execute(
                "INSERT INTO cache_entries (cache_key, book_id, voice_id, compression_state, size_bytes, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                rusqlite::params![k, book, voice, state, size, created],
            )
            .unwrap();
        };
        let file = |name: String, bytes: &[u8]| {
            let path = d.cache.join(d.rel_for(&name));
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            let f = std::fs::File::create(&path).unwrap();
            std::io::Write::write_all(&mut &f, bytes).unwrap();
            f.set_modified(UNIX_EPOCH + Duration::from_millis(created as u64)).unwrap();
            bytes.len() as i64
        };
        let (w, m) = (wav(rng.u32(100..400) & !1), m4a(1000, rng.u32(50..200)));
        match rng.u32(0..100) {
            0..2 => {
                file(format!("{k}.{}", if rng.bool() { "m4a" } else { "wav" }), if rng.bool() { &m } else { &w });
            }
            2..4 => row(if rng.bool() { "m4a" } else { "wav" }, Some(10)),
            4..6 => {
                let (ext, bytes, other) = if rng.bool() { ("m4a", &m, "wav") } else { ("wav", &w, "m4a") };
                file(format!("{k}.{ext}"), bytes);
                row([other, "compressing", "failed"][rng.usize(0..3)], None);
            }
            6..8 => {
                let (ext, bytes) = if rng.bool() { ("m4a", &m) } else { ("wav", &w) };
                let s = file(format!("{k}.{ext}"), bytes);
                row(ext, Some(s + 1));
            }
            8..10 => {
                let (ext, bytes) = if rng.bool() { ("m4a", &m) } else { ("wav", &w) };
                let s = file(format!("{k}.{ext}"), bytes);
                row(ext, Some(s));
                match rng.u32(0..3) {
                    0 => file(format!("{k}.{ext}.part"), &bytes[..30]),
                    1 => file(format!("{k}.{}", if ext == "m4a" { "wav" } else { "m4a" }), &[]),
                    _ => file(format!("{k}.m4a.tmp"), &m[..30]),
                };
            }
            10..55 => {
                let s = file(format!("{k}.wav"), &w);
                row("wav", Some(s));
            }
            _ => {
                let s = file(format!("{k}.m4a"), &m);
                row("m4a", Some(s));
            }
        }
    }
    tx.commit().unwrap();
    d
}

#[test]
fn random_noise_yields_no_finding() {
    for seed in 1..=3 {
        let d = noise(seed);
        let (code, r) = report(d.root());
        assert_eq!(code, 1);
        for kind in ["orphaned_file", "ghost_entry", "compression_state_mismatch", "size_mismatch", "incomplete_file"] {
            assert!(of_kind(&r, kind).len() >= 10, "seed {seed}: too little noise of {kind}");
        }
        assert_eq!(r["findings"], serde_json::json!([]), "seed {seed}");
        let text = cachescope([OsStr::new("check"), d.root().as_os_str()]).stdout;
        assert!(!text.contains("Findings"), "{text}");
    }
}

fn check(args: &[&OsStr]) -> Out {
    let mut all = vec![OsStr::new("check")];
    all.extend_from_slice(args);
    cachescope(all)
}

#[test]
fn baseline_marks_new_discrepancies_and_exits_only_on_new_problems() {
    let (t, dir) = demo(300, 2);
    let base = t.path().join("base.json");
    let saved = check(&[dir.as_os_str(), OsStr::new("--format"), OsStr::new("json")]);
    std::fs::write(&base, &saved.stdout).unwrap();
    let plain: Value = serde_json::from_str(&saved.stdout).unwrap();
    let n = plain["discrepancies"].as_array().unwrap().len();
    assert!(!saved.stdout.contains("\"known\"") && plain.get("baseline").is_none(), "only with --baseline");
    let with = |extra: &[&str]| {
        let mut a: Vec<&OsStr> = vec![dir.as_os_str(), OsStr::new("--baseline"), base.as_os_str()];
        a.extend(extra.iter().map(OsStr::new));
        check(&a)
    };

    // Everything known: exit 0.
    let out = with(&[]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains(&format!("0 new, {n} known (baseline {})", base.display())), "{}", out.stdout);
    let out = with(&["--format", "json"]);
    assert_eq!(out.code, 0);
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    let order: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(order, ["schema", "db", "cache_dir", "scanned", "summary", "findings", "baseline", "discrepancies"]);
    assert_eq!(v["baseline"], serde_json::json!({"path": base.to_string_lossy(), "known": n, "new": 0}));
    for (d, p) in v["discrepancies"].as_array().unwrap().iter().zip(plain["discrepancies"].as_array().unwrap()) {
        let mut d = d.clone();
        assert_eq!(d.as_object_mut().unwrap().shift_remove("known"), Some(Value::Bool(true)));
        assert_eq!(&d, p, "the other fields are as without --baseline");
    }

    // A stray file is new but only info: still exit 0, and marked.
    std::fs::write(dir.join("cache/audio/junk.bin"), b"x").unwrap();
    let out = with(&[]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains("  + junk.bin: not a cache file name"), "{}", out.stdout);
    assert!(out.stdout.contains(&format!("1 new, {n} known")));

    // A new orphan: exit 1, marked in text, markdown and JSON.
    std::fs::write(dir.join("cache/audio").join(format!("{}.m4a", key(1))), m4a(800, 90)).unwrap();
    let out = with(&[]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stdout.contains(&format!("  + {}: complete m4a file", key(1))), "{}", out.stdout);
    assert!(out.stdout.contains("(error, 1 new) — default fix: register"), "{}", out.stdout);
    assert!(out.stdout.contains(&format!("2 new, {n} known")));
    let known_line = out.stdout.lines().find(|l| l.contains("has no row") && !l.contains(&key(1))).unwrap();
    assert!(known_line.starts_with("    "), "known items keep their plain indent: {known_line}");
    let md = with(&["--format", "markdown"]);
    assert_eq!(md.code, 1);
    assert!(md.stdout.contains(&format!("| **new** | `{}` |", key(1))), "{}", md.stdout);
    assert!(md.stdout.contains("\n| | key | file | message |\n|---|---|---|---|\n"), "{}", md.stdout);
    assert!(md.stdout.contains("**2 new**"), "{}", md.stdout);
    let v: Value = serde_json::from_str(&with(&["--format", "json"]).stdout).unwrap();
    let new: Vec<&str> = v["discrepancies"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["known"] == false)
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert_eq!(new, [format!("orphaned_file:{}", key(1)), "stray_file::junk.bin".to_string()]);
    assert_eq!(v["baseline"]["new"], 2);
}

#[test]
fn a_baseline_that_is_not_a_report_is_one_sentence() {
    let (t, dir) = demo(40, 1);
    let notes = t.path().join("notes.txt");
    std::fs::write(&notes, "not json").unwrap();
    let diff_json = t.path().join("diff.json");
    std::fs::write(&diff_json, r#"{"schema": "cachescope.diff/1", "new": []}"#).unwrap();
    for bad in [&notes, &diff_json] {
        let out = check(&[dir.as_os_str(), OsStr::new("--baseline"), bad.as_os_str()]);
        let line = out.one_line_error();
        assert!(line.contains("not a cachescope JSON report") && line.contains(&*bad.to_string_lossy()), "{line}");
    }
    let out = check(&[dir.as_os_str(), OsStr::new("--baseline"), t.path().join("gone.json").as_os_str()]);
    assert!(out.one_line_error().contains("gone.json"));
}
