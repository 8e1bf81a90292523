//! `check --key K` (issue 16) reads only what the keys need where the
//! layout allows, and gives the same discrepancies as the full check
//! filtered to those keys: on every layout, nested shards, an unknown
//! layout, a `-wal`, and random dumps.
//! `PROPTEST_CASES=N` runs more random dumps than the quick default.

mod common;
mod select_kit;

use std::ffi::OsStr;
use std::path::Path;

use common::*;
use proptest::prelude::*;
use select_kit::*;
use serde_json::Value as Json;

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
    use cachescope::core::snapshot::{ReadAhead, Snapshot};
    let pulled_db = pulled.path().join("databases/app.db");
    assert!(Snapshot::in_place(&pulled_db, ReadAhead::None).unwrap().is_none(), "-wal content: read through a copy");
    assert!(Snapshot::in_place(&f.d.db, ReadAhead::None).unwrap().is_some(), "no -wal: read in place");
    let before = tree(pulled.path());
    let keyed = same_as_filtered(pulled.path(), &[key(9)]);
    assert_eq!(discrepancies(&keyed)[0]["kind"], "compression_state_mismatch");
    assert_eq!(tree(pulled.path()), before, "nothing written with a -wal");
    // And without one (read in place): nothing written either.
    let before = tree(root);
    same_as_filtered(root, &[key(1), key(9)]);
    assert_eq!(tree(root), before, "nothing written in place");
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
